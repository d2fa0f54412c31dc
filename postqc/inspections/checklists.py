"""Checklists (检查表): creating one for an outlet grade, a version's items from rows or an Excel
file, publishing a version, and which version applies to an outlet."""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import is_in_scope, offered_to, require
from postqc.core.excel import (
    Choice,
    Code,
    Column,
    ImportReport,
    RowError,
    SheetSpec,
    Text,
    read_sheet,
)
from postqc.org.models import Outlet, Unit, UnitClosure
from postqc.org.roles import Capability
from postqc.standards.models import Clause

from .models import Checklist, ChecklistItem, ChecklistVersion

YES_NO = [(True, "是"), (False, "否")]
ITEMS_SHEET = SheetSpec("检查项目", (
    Column("项目编号", "code", Code(16), required=True, help="在本检查表内唯一，修订时保持不变，如 GS-01"),
    Column("类别", "section", Text(32), required=True, help="如 标识公示、设施设备、安全防范、服务规范、普服用品"),
    Column("检查内容", "text", Text(300), required=True),
    Column("依据条款", "clause", Code(48), help="制度标准库中的条款编码，如 JLFW-2.9；不合格时该条款的题目推送给网点员工复习"),
    Column("否决项", "critical", Choice(YES_NO), default=False, help="否决项不合格，网点即不达标"),
    Column("可不适用", "allow_na", Choice(YES_NO), default=False, help="如 无自助设备的网点"),
), example={"code": "GS-01", "section": "标识公示", "text": "在醒目位置公示营业时间", "clause": "JLFW-2.9",
            "critical": False, "allow_na": False})


def _require_manager(actor, unit: Unit) -> None:
    require(actor, Capability.MANAGE_INSPECTIONS)
    if not is_in_scope(actor, unit.pk):
        raise PermissionDenied(_("只能管理本单位及下级单位的检查表。"))


def checklist_create(*, code: str, name: str, grade: str, unit: Unit, actor) -> Checklist:
    _require_manager(actor, unit)
    errors = {}
    if Checklist.objects.filter(code=code).exists():
        errors["code"] = [_("检查表编码 %(c)s 已被使用。") % {"c": code}]
    if grade not in Outlet.Grade.values:
        errors["grade"] = [_("网点等级应为一级、二级或三级。")]
    if not name.strip():
        errors["name"] = [_("请填写名称。")]
    if errors:
        raise ValidationError(errors)
    return Checklist.objects.create(code=code, name=name.strip(), grade=grade, unit=unit)


def _row_errors(rows: list[dict], sheet: str, numbers: list[int], actor) -> tuple[list[ChecklistItem], list[RowError]]:
    """Items from rows (dicts with the ITEMS_SHEET fields; `numbers` are their row numbers as the
    sheet shows them), and the errors by row and column. A clause must be one of the standards
    offered to `actor` (their unit's or a unit's above)."""
    errors: list[RowError] = []
    codes = [r.get("clause") for r in rows if r.get("clause")]
    clauses = dict(offered_to(Clause.objects.filter(code__in=codes), actor).values_list("code", "pk"))
    seen: dict[str, int] = {}
    items = []
    for i, (row, number) in enumerate(zip(rows, numbers, strict=True)):
        code = (row.get("code") or "").strip()
        for field, header in (("code", "项目编号"), ("section", "类别"), ("text", "检查内容")):
            if not (row.get(field) or "").strip():
                errors.append(RowError(sheet, number, header, _("必填。")))
        if code in seen:
            errors.append(RowError(sheet, number, "项目编号",
                                   _("与第 %(n)d 行重复：%(c)s。") % {"n": seen[code], "c": code}))
        elif code:
            seen[code] = number
        clause = row.get("clause") or ""
        if clause and clause not in clauses:
            errors.append(RowError(sheet, number, "依据条款", _("制度标准库中没有条款 %(c)s。") % {"c": clause}))
        items.append(ChecklistItem(code=code, section=(row.get("section") or "").strip(),
                                   text=(row.get("text") or "").strip(), clause_id=clauses.get(clause),
                                   critical=bool(row.get("critical")), allow_na=bool(row.get("allow_na")),
                                   position=i))
    if not rows:
        errors.append(RowError(sheet, None, "", _("检查表没有检查项目。")))
    return items, errors


def _clean_pass_rate(pass_rate) -> Decimal:
    try:
        value = Decimal(str(pass_rate))
    except ArithmeticError:
        value = Decimal(-1)
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise ValidationError({"pass_rate": [_("达标线应在 0–100 之间。")]})
    return value


def version_create(*, checklist: Checklist, rows: list[dict], actor, pass_rate=90, note: str = "",
                   sheet: str = ITEMS_SHEET.name, first_row: int = 2) -> ChecklistVersion:
    """A new draft version of `checklist` with these items (ITEMS_SHEET fields per row). All or nothing:
    a ValidationError lists every error by row and column. A draft not yet published is replaced."""
    _require_manager(actor, checklist.unit)
    rate = _clean_pass_rate(pass_rate)
    items, errors = _row_errors(rows, sheet, list(range(first_row, first_row + len(rows))), actor)
    if errors:
        raise ValidationError([str(e) for e in errors])
    return _save_version(checklist, items, actor=actor, rate=rate, note=note)


@transaction.atomic
def _save_version(checklist: Checklist, items: list[ChecklistItem], *, actor, rate: Decimal, note: str
                  ) -> ChecklistVersion:
    checklist.versions.filter(status=ChecklistVersion.Status.DRAFT).delete()
    number = (checklist.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ChecklistVersion.objects.create(checklist=checklist, number=number, pass_rate=rate, note=note[:200],
                                              created_by=actor)
    for item in items:
        item.version = version
    ChecklistItem.objects.bulk_create(items)
    return version


def version_import(*, checklist: Checklist, source, actor, pass_rate=90, note: str = "") -> tuple[ImportReport,
                                                                                                  ChecklistVersion | None]:
    """A new draft version from an Excel file in the ITEMS_SHEET layout: (report, version or None).
    All or nothing: with any error nothing is written and the report names every row and column."""
    _require_manager(actor, checklist.unit)
    rate = _clean_pass_rate(pass_rate)
    report = ImportReport()
    parsed = read_sheet(source, ITEMS_SHEET, report)
    if parsed is None:
        return report, None
    rows = []
    for row in parsed.rows:
        report.errors += row.errors
        rows.append({f: parsed.get(row, f) for f in ("code", "section", "text", "clause", "critical", "allow_na")})
    items, errors = _row_errors(rows, ITEMS_SHEET.name, [row.number for row in parsed.rows], actor)
    reported = {(e.row, e.column) for e in report.errors}  # a cell the parser refused is named once
    report.errors += [e for e in errors if (e.row, e.column) not in reported]
    if report.errors:
        return report, None
    version = _save_version(checklist, items, actor=actor, rate=rate, note=note)
    report.counts(ITEMS_SHEET.name).created = len(rows)
    report.written = True
    return report, version


@transaction.atomic
def version_publish(*, version: ChecklistVersion, actor) -> ChecklistVersion:
    """Make a draft the checklist's version in force; the one before is retired (its inspections keep it)."""
    checklist = Checklist.objects.select_for_update().get(pk=version.checklist_id)
    _require_manager(actor, checklist.unit)
    if version.status != ChecklistVersion.Status.DRAFT:
        raise ValidationError(_("只有草稿可以发布。"))
    checklist.versions.filter(status=ChecklistVersion.Status.PUBLISHED).update(status=ChecklistVersion.Status.RETIRED)
    version.status, version.published_at = ChecklistVersion.Status.PUBLISHED, timezone.now()
    version.save(update_fields=["status", "published_at"])
    checklist.current = version
    checklist.save(update_fields=["current", "updated_at"])
    return version


def version_for(outlet: Outlet) -> ChecklistVersion | None:
    """The version in force of the checklist for the outlet's grade, set by the outlet's unit or the
    nearest unit above it that has one."""
    ancestry = UnitClosure.objects.filter(descendant_id=outlet.unit_id)
    depth = {a: d for a, d in ancestry.values_list("ancestor_id", "depth")}
    candidates = (Checklist.objects.filter(grade=outlet.grade, unit_id__in=depth, current__isnull=False)
                  .select_related("current"))
    best = min(candidates, key=lambda c: (depth[c.unit_id], c.code), default=None)
    return best.current if best else None
