"""The machinery every sheet's import shares: plans, the loaded context, progress, lookups across sheets."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import scoped
from postqc.core.excel import ParsedRow, ParsedSheet

from ..models import Outlet, Staff, StaffRole, Unit, Vehicle
from .sheets import ORG_SHEET_NAMES

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 500
BATCH_SIZE = 1000
QUERY_CHUNK = 5000  # codes per `__in` lookup, well under every database's parameter limit


# --- Plans: what each good row will do ------------------------------------------------------


@dataclass
class _Plan:
    row: ParsedRow
    code: str
    existing: Any = None  # the record an update changes; None for a new record
    changes: dict[str, Any] = field(default_factory=dict)  # field → new value (codes for relations)
    values: dict[str, Any] = field(default_factory=dict)  # a new record's fields
    depends_on: list[tuple[str, str]] = field(default_factory=list)  # (sheet, code) of new records it needs


def _chunks(items: list, size: int = QUERY_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _differs(new: Any, old: Any) -> bool:
    if isinstance(new, list):
        return list(new) != list(old or [])
    return new != old


def _changes(row: ParsedRow, existing: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The `fields` the row fills in with a value other than the existing record's."""
    return {f: row.values[f] for f in fields if f in row.values and _differs(row.values[f], getattr(existing, f))}


class _ImportBase:
    def __init__(self, actor: Staff | None, *, rows: int, dry_run: bool, progress: Progress | None):
        self.actor = actor
        self.progress = progress
        self.rows = rows
        self.steps = 0  # each row is one step when checked and, unless a dry run, one when written
        self.total_steps = max(rows * (1 if dry_run else 2), 1)
        self.today = timezone.localdate()
        self.plans: dict[str, dict[str, _Plan]] = {name: {} for name in ORG_SHEET_NAMES}
        self.first_row: dict[str, dict[str, ParsedRow]] = {name: {} for name in ORG_SHEET_NAMES}

    # --- context ---------------------------------------------------------------------------

    def may(self, capability: str) -> bool:
        return self.actor is None or self.actor.can(capability)

    def out_of_scope(self, what: str, code: str) -> str:
        return _("%(what)s %(code)s 不在你的管辖范围内") % {"what": what, "code": code}

    def load(self, sheets: dict[str, ParsedSheet]) -> None:
        """Everything the checks compare with, in a handful of queries whatever the file's size."""
        def codes(sheet_name: str, *fields: str) -> set[str]:
            sheet = sheets.get(sheet_name)
            return {row.values[f] for row in (sheet.rows if sheet else ()) for f in fields if row.values.get(f)}

        units = Unit.objects.all() if self.actor is None else scoped(Unit.objects.all(), self.actor)
        self.units: dict[str, Unit] = {u.code: u for u in units}
        self.units_by_id: dict[int, Unit] = {u.pk: u for u in self.units.values()}
        self.any_unit = bool(self.units) or Unit.objects.exists()
        unit_codes = codes("单位", "code", "parent") | codes("网点", "unit") | codes("员工", "unit") | codes("车辆", "unit")
        missing = sorted(unit_codes - self.units.keys())
        self.units_outside: set[str] = set()
        for chunk in _chunks(missing):
            self.units_outside.update(Unit.objects.filter(code__in=chunk).values_list("code", flat=True))
        outside_parents = {u.parent_id for u in self.units.values()
                           if u.parent_id and u.parent_id not in self.units_by_id}
        self.outside_parent_codes = dict(Unit.objects.filter(pk__in=outside_parents).values_list("pk", "code"))

        self.outlets: dict[str, Outlet] = {}
        for chunk in _chunks(sorted(codes("网点", "code") | codes("员工", "outlet"))):
            self.outlets.update((o.code, o) for o in Outlet.objects.filter(code__in=chunk))
        self.staff: dict[str, Staff] = {}
        for chunk in _chunks(sorted(codes("员工", "employee_no") | codes("车辆", "courier"))):
            self.staff.update((s.employee_no, s) for s in Staff.objects.filter(employee_no__in=chunk)
                              .select_related("outlet"))
        roles: dict[int, set[str]] = defaultdict(set)
        for chunk in _chunks([s.pk for s in self.staff.values()]):
            for staff_id, role in StaffRole.objects.filter(staff_id__in=chunk).values_list("staff_id", "role"):
                roles[staff_id].add(role)
        for person in self.staff.values():
            # Fill Staff.roles' cache: one query for all instead of prefetch_related's per-instance querysets.
            person.__dict__["roles"] = frozenset(roles[person.pk])
        for person in self.staff.values():  # a row without 所在网点编码 keeps the person's outlet
            if person.outlet_id:
                self.outlets.setdefault(person.outlet.code, person.outlet)
        self.vehicles: dict[str, Vehicle] = {}
        for chunk in _chunks(sorted(codes("车辆", "plate_no"))):
            self.vehicles.update((v.plate_no, v) for v in Vehicle.objects.filter(plate_no__in=chunk)
                                 .select_related("courier"))

    def unit_code_of(self, unit_id: int | None) -> str:
        if unit_id is None:
            return ""
        unit = self.units_by_id.get(unit_id)
        return unit.code if unit else self.outside_parent_codes.get(unit_id, "")

    def parent_code(self, code: str) -> str:
        plan = self.plans["单位"].get(code)
        if plan is not None and plan.existing is None:
            return plan.values["parent"]
        unit = self.units.get(code)
        return self.unit_code_of(unit.parent_id) if unit else ""

    def at_or_below(self, code: str, ancestor: str) -> bool:
        seen = set()
        while code and code not in seen:
            if code == ancestor:
                return True
            seen.add(code)
            code = self.parent_code(code)
        return False

    def step(self, n: int = 1) -> None:
        """Advance the progress; reported as rows (of `rows`) every PROGRESS_EVERY steps."""
        before, self.steps = self.steps, self.steps + n
        crossed = self.steps // PROGRESS_EVERY > before // PROGRESS_EVERY
        if self.progress and (crossed or self.steps >= self.total_steps):
            self.progress(min(self.steps, self.total_steps) * self.rows // self.total_steps, self.rows)

    # --- row checks ------------------------------------------------------------------------

    def mark_duplicates(self, sheet: ParsedSheet, key: str) -> None:
        rows_of: dict[str, list[ParsedRow]] = defaultdict(list)
        for row in sheet.rows:
            if row.values.get(key):
                rows_of[row.values[key]].append(row)
        header = sheet.spec.header_of(key)
        for code, rows in rows_of.items():
            self.first_row[sheet.spec.name][code] = rows[0]
            if len(rows) > 1:
                numbers = "、".join(str(r.number) for r in rows)
                for row in rows:
                    row.error(header, _("%(h)s“%(code)s”在本表中重复出现（第 %(rows)s 行）") % {
                        "h": header, "code": code, "rows": numbers})

    def resolve_unit(self, row: ParsedRow, header: str, code: str, plan: _Plan) -> bool:
        """Is `code` a unit this row may point at? Records the dependency on a unit the file creates."""
        if code in self.units:
            return True
        if code in self.units_outside:
            row.error(header, self.out_of_scope(_("单位"), code))
            return False
        if code in self.first_row["单位"]:
            plan.depends_on.append(("单位", code))
            return True
        row.error(header, _("单位编码“%(code)s”不存在（系统中和本文件的单位表中都没有）") % {"code": code})
        return False

    def resolve_outlet(self, row: ParsedRow, header: str, code: str, plan: _Plan) -> bool:
        outlet = self.outlets.get(code)
        if outlet is not None:
            if outlet.unit_id not in self.units_by_id:
                row.error(header, self.out_of_scope(_("网点"), code))
                return False
            return True
        if code in self.first_row["网点"]:
            plan.depends_on.append(("网点", code))
            return True
        row.error(header, _("网点编码“%(code)s”不存在（系统中和本文件的网点表中都没有）") % {"code": code})
        return False

    def outlet_unit_code(self, code: str) -> str:
        """The unit an outlet will belong to after this import."""
        plan = self.plans["网点"].get(code)
        if plan is not None and plan.row.ok:
            if plan.existing is None:
                return plan.values["unit"]
            if "unit" in plan.changes:
                return plan.changes["unit"]
        outlet = self.outlets.get(code)
        return self.unit_code_of(outlet.unit_id) if outlet else ""

    def staff_after(self, code: str) -> tuple[str, frozenset[str], bool] | None:
        """A person's (unit code, roles, active) once this import is written; None if nobody has the
        工号, in the system or among the file's good 员工 rows."""
        plan = self.plans["员工"].get(code)
        person = self.staff.get(code)
        if plan is not None and plan.row.ok:
            if plan.existing is None:
                v = plan.values
                return v["unit"], frozenset(v["roles"]), v["is_active"]
            c = plan.changes
            return (c.get("unit", self.unit_code_of(person.unit_id)), frozenset(c.get("roles", person.roles)),
                    c.get("is_active", person.is_active))
        if person is None:
            return None
        return self.unit_code_of(person.unit_id), person.roles, person.is_active

    def scoped_rows(self, sheet: ParsedSheet, key: str, records: dict[str, Any],
                    what: str) -> Iterator[tuple[_Plan, Any, str | None]]:
        """The rows of the 网点 or 员工 sheet to check, each as (plan, existing record or None, its 所属单位编码).

        Marks duplicate `key` codes first and counts a step for every row. Skips a row without a
        code, and reports and skips one whose existing record is in a unit outside the actor's
        subtree. Resolves the row's unit (recording a dependency on a unit the file creates)."""
        h = sheet.spec.header_of
        self.mark_duplicates(sheet, key)
        for row in sheet.rows:
            self.step()
            code = row.values.get(key)
            if not code:
                continue
            plan = _Plan(row, code)
            existing = records.get(code)
            if existing is not None and existing.unit_id not in self.units_by_id:
                row.error(h(key), self.out_of_scope(what, code))
                continue
            unit = row.values.get("unit")
            if unit:
                self.resolve_unit(row, h("unit"), unit, plan)
            yield plan, existing, unit

    def update_plan(self, plan: _Plan, existing: Any, unit: str | None, fields: Iterable[str]) -> None:
        """Plan an update of `existing`: the `fields` the row changes, and its unit when the row names
        another one (by code)."""
        plan.existing = existing
        plan.changes = _changes(plan.row, existing, fields)
        if unit and unit != self.unit_code_of(existing.unit_id):
            plan.changes["unit"] = unit

    def keep(self, sheet: str, plan: _Plan, capability: str, header: str, refused: str) -> None:
        """Record the row's plan; creating or changing a record needs `capability`."""
        if (plan.existing is None or plan.changes) and not self.may(capability):
            plan.row.error(header, refused)
        self.plans[sheet][plan.code] = plan

    def bad_dependency(self, sheet: str, code: str) -> str:
        row = self.first_row[sheet][code]
        return _("%(code)s 所在行（%(sheet)s表第 %(n)d 行）有错误，本行无法导入") % {
            "code": code, "sheet": sheet, "n": row.number}

    def check_dependencies(self, sheet: str, header_of: dict[str, str]) -> None:
        """A row of `sheet` that needs a record a bad row would have created is bad too."""
        for plan in self.plans[sheet].values():
            for dep_sheet, code in plan.depends_on:
                target = self.first_row[dep_sheet][code]
                if not target.ok:
                    plan.row.error(header_of[dep_sheet], self.bad_dependency(dep_sheet, code))

    # --- writing ---------------------------------------------------------------------------

    def good(self, sheet: str) -> list[_Plan]:
        return [p for p in self.plans[sheet].values() if p.row.ok]

    def unit(self, code: str) -> Unit:
        return self.units[code]

    def outlet(self, code: str | None) -> Outlet | None:
        return self.outlets[code] if code else None

    def person(self, code: str | None) -> Staff | None:
        return self.staff[code] if code else None

    def write_changes(self, plans: list[_Plan], counts, apply: Callable[[_Plan], None]) -> None:
        """Apply each existing record's changes through `apply`, one step each; count updated and unchanged."""
        for plan in plans:
            if plan.existing is None:
                continue
            self.step()
            if plan.changes:
                apply(plan)
                counts.updated += 1
            else:
                counts.unchanged += 1
