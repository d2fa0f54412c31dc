"""`org_import`: read the workbook, check every sheet, then write all of it in one transaction (or nothing)."""
from __future__ import annotations

from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from postqc.core.excel import ImportReport, RowError, WorkbookError, read_workbook

from ..models import Staff
from ..roles import Capability
from .base import Progress
from .outlets import _OutletSteps
from .sheets import ORG_SHEET_NAMES, ORG_SHEETS
from .staff import _StaffSteps
from .units import _UnitSteps
from .vehicles import _VehicleSteps


class _OrgImport(_UnitSteps, _OutletSteps, _StaffSteps, _VehicleSteps):
    def write(self, report: ImportReport) -> None:
        self.write_units(report)
        self.write_outlets(report)
        self.write_staff(report)
        self.write_vehicles(report)
        self.step(self.total_steps - self.steps)  # the bad rows a skip-invalid import leaves out


def org_import(source: str | bytes | IO[bytes], *, actor: Staff | None, skip_invalid: bool = False,
               dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import units, outlets, staff and vehicles from an Excel workbook as `actor` (None: the system, unscoped).

    All-or-nothing unless `skip_invalid`; `dry_run` writes nothing. Returns the report;
    bad input never raises. Raises PermissionDenied if the actor may not import at all."""
    if actor is not None and not actor.can(Capability.IMPORT_ORG):
        raise PermissionDenied(_("你的角色不能导入组织数据。"))
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    try:
        sheets = read_workbook(source, ORG_SHEETS)
    except WorkbookError as exc:
        report.errors.append(RowError("", None, "", str(exc)))
        return report
    for sheet in sheets.values():
        report.errors.extend(sheet.errors)
        report.warnings.extend(sheet.warnings)

    job = _OrgImport(actor, rows=sum(len(s.rows) for s in sheets.values()), dry_run=dry_run, progress=progress)
    if progress:
        progress(0, job.rows)
    job.load(sheets)
    for name, check in (("单位", job.check_units), ("网点", job.check_outlets), ("员工", job.check_staff),
                        ("车辆", job.check_vehicles)):
        if name in sheets:
            check(sheets[name])
    for sheet in sheets.values():
        for row in sheet.rows:
            report.errors.extend(row.errors)
    report.sort_errors(ORG_SHEET_NAMES)

    if report.errors and not skip_invalid:
        return report
    for name, sheet in sheets.items():
        report.counts(name).skipped = sum(1 for row in sheet.rows if not row.ok)
    if dry_run:
        for name in sheets:
            counts = report.counts(name)
            plans = job.good(name)
            counts.created = sum(1 for p in plans if p.existing is None)
            counts.updated = sum(1 for p in plans if p.existing is not None and p.changes)
            counts.unchanged = sum(1 for p in plans if p.existing is not None and not p.changes)
        return report
    try:
        with transaction.atomic():
            job.write(report)
    except (IntegrityError, ValidationError, PermissionDenied) as exc:
        # The checks mirror the services' rules, so this means the data changed under the import.
        report.sheets.clear()
        report.errors.append(RowError("", None, "", _("写入时数据库拒绝了修改（%(e)s），未写入任何数据。"
                                                      "可能有人同时修改了相同的记录，请重新导入。") % {"e": exc}))
        return report
    report.written = True
    return report
