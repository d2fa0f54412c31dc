"""Excel import of the organisation: one workbook with sheets 单位 / 网点 / 员工 (any subset).

The rules `org_import` enforces:
- Codes (单位编码, 网点编码, 工号) are unique within their sheet; every row of a
  duplicate is an error. A code that already exists is updated (upsert).
- A referenced code (上级单位, 所属单位, 所在网点) must exist in the system or be
  created by the same file, in any order. A row that refers to a record another
  bad row would have created is bad too.
- The importer works only inside their own subtree: a unit, outlet or person
  outside it is "单位 X 不在你的管辖范围内". Without an actor (the `import_org`
  command run without --as) there is no such limit.
- Writing a row needs the capability the edit pages need: EDIT_UNITS for units
  (系统管理员 only, so a 质量管理员 re-importing an export passes as long as the
  unit rows are unchanged), EDIT_OUTLETS for outlets, EDIT_STAFF for staff; and
  only a 系统管理员 may grant or take away privileged roles
  (services.check_role_assignment).
- The import does not move units: an existing unit's 上级单位编码 may be left
  empty or must name its current parent. Reorganising the tree stays a
  deliberate action on the unit page, not a side effect of a typo.
- A changed 网点等级 is recorded through outlet_change_grade, effective today,
  reason "Excel 导入"; a new outlet's first grade-history row says so too.
- Imported people get an unusable password and must change it at first login:
  a manager sets a temporary one (staff_reset_password). There is no 初始密码
  column on purpose: passwords in a spreadsheet travel by e-mail and chat, and
  hashing ten thousand of them would take minutes.
- All-or-nothing by default: every row is checked first; with any error nothing
  is written. skip_invalid=True writes the good rows and reports the rest.
  dry_run=True checks and reports what would happen, writing nothing.
- Everything is written in one transaction: new rows with bulk inserts, changed
  staff through services.staff_bulk_update (the rules of staff_update in a few
  queries for any number of people), changed units and outlets through their
  per-record services (they are few). An unchanged row is not touched at all.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from postqc.core.access import scoped
from postqc.core.excel import (
    Choice,
    Code,
    Column,
    DecimalNumber,
    ImportReport,
    Integer,
    Mobile,
    MultiChoice,
    ParsedRow,
    ParsedSheet,
    RowError,
    SheetSpec,
    Text,
    Time,
    WorkbookError,
    read_workbook,
    zh_choices,
)

from .models import Outlet, OutletGradeChange, Staff, StaffRole, Unit
from .roles import PRIVILEGED_ROLES, Capability, Role
from .services import (
    check_privileged_account_change,
    check_role_assignment,
    outlet_change_grade,
    outlet_set_status,
    outlet_update,
    staff_bulk_update,
    unit_update,
    units_bulk_create,
)

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 500
BATCH_SIZE = 1000
QUERY_CHUNK = 5000  # codes per `__in` lookup, well under every database's parameter limit


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# --- The layout (headers and labels are the file format: fixed Chinese) ------------------------

UNIT_SHEET = SheetSpec(
    name="单位",
    help=_l("组织机构：省、市、区县分公司，支局/所，投递部，职能部门。上级单位须在本表或系统中存在，顺序不限。"),
    columns=(
        Column("单位编码", "code", Code(_max_length(Unit, "code")), required=True, aliases=("单位代码",),
               help=_l("唯一编码；系统中已有的编码会更新该单位"), width=16),
        Column("单位名称", "name", Text(_max_length(Unit, "name")), required=True, width=20),
        Column("层级类型", "kind", Choice(zh_choices(Unit.Kind.choices)), required=True, width=14),
        Column("上级单位编码", "parent", Code(_max_length(Unit, "code")), aliases=("上级单位代码",),
               help=_l("新建单位必填；已有单位可留空，填写时须是它现在的上级（调整隶属关系请在单位页面操作）"), width=16),
        Column("排序", "sort_order", Integer(0, 999999), default=0, help=_l("同级单位的显示顺序，小的在前"), width=8),
        Column("地址", "address", Text(_max_length(Unit, "address")), width=30),
        Column("电话", "phone", Text(_max_length(Unit, "phone")), width=16),
    ),
    example={"code": "CY-XSL", "name": "向阳街支局", "kind": Unit.Kind.BRANCH, "parent": "CY", "sort_order": 10,
             "address": "吉林市船营区向阳街 8 号", "phone": "0432-62000000"},
)

OUTLET_SHEET = SheetSpec(
    name="网点",
    help=_l("普服网点。等级变更按导入当天生效登记到等级变更记录。"),
    columns=(
        Column("网点编码", "code", Code(_max_length(Outlet, "code")), required=True, aliases=("网点代码",), width=16),
        Column("网点名称", "name", Text(_max_length(Outlet, "name")), required=True, width=20),
        Column("所属单位编码", "unit", Code(_max_length(Unit, "code")), required=True, width=16),
        Column("网点等级", "grade", Choice(zh_choices(Outlet.Grade.choices)), required=True, width=10),
        Column("区域类型", "area_type", Choice(zh_choices(Outlet.AreaType.choices)), required=True, width=10),
        Column("经营方式", "operation", Choice(zh_choices(Outlet.Operation.choices)), default=Outlet.Operation.SELF,
               help=_l("留空为自办"), width=10),
        Column("地址", "address", Text(_max_length(Outlet, "address")), required=True, width=30),
        Column("经度", "longitude", DecimalNumber(6, 73, 136), default=None, help=_l("中国境内经度，如 126.553"),
               width=12),
        Column("纬度", "latitude", DecimalNumber(6, 3, 54), default=None, help=_l("中国境内纬度，如 43.8378"), width=12),
        Column("电话", "phone", Text(_max_length(Outlet, "phone")), width=16),
        Column("每周营业天数", "open_days_per_week", Integer(1, 7), required=True, width=12),
        Column("开门时间", "opens_at", Time(), default=None, width=10),
        Column("关门时间", "closes_at", Time(), default=None, help=_l("须晚于开门时间"), width=10),
        Column("业务范围", "services", MultiChoice(zh_choices(Outlet.Service.choices)), default=(), width=36),
        Column("状态", "status", Choice(zh_choices(Outlet.Status.choices)), default=Outlet.Status.OPEN,
               help=_l("留空为营业"), width=10),
        Column("状态说明", "status_note", Text(_max_length(Outlet, "status_note")),
               help=_l("撤并网点须填写批准文号或说明"), width=24),
    ),
    example={"code": "O-CY-XSL", "name": "向阳街营业所", "unit": "CY-XSL", "grade": Outlet.Grade.SECOND,
             "area_type": Outlet.AreaType.CITY, "operation": Outlet.Operation.SELF, "address": "吉林市船营区向阳街 8 号",
             "open_days_per_week": 7, "opens_at": dt.time(8, 30), "closes_at": dt.time(17, 0),
             "services": ["letters", "printed", "parcels", "remittance"], "status": Outlet.Status.OPEN},
)

STAFF_ACTIVE = ((True, "在职"), (False, "停用"))

STAFF_SHEET = SheetSpec(
    name="员工",
    help=_l("员工账号。新账号没有可用密码，须由管理员重置临时密码，首次登录时修改。"),
    columns=(
        Column("工号", "employee_no", Code(_max_length(Staff, "employee_no")), required=True, aliases=("员工编号",),
               help=_l("登录账号，唯一；系统中已有的工号会更新该员工"), width=14),
        Column("姓名", "name", Text(_max_length(Staff, "name")), required=True, width=10),
        Column("手机号", "phone", Mobile(), width=14),
        Column("所属单位编码", "unit", Code(_max_length(Unit, "code")), required=True, width=16),
        Column("所在网点编码", "outlet", Code(_max_length(Outlet, "code")),
               help=_l("营业员所在网点，须属于所属单位或其下级"), width=16),
        Column("角色", "roles", MultiChoice(zh_choices(Role.choices)), required=True,
               help=_l("质量管理员、领导、系统管理员只有系统管理员可以授予"), width=20),
        Column("状态", "is_active", Choice(STAFF_ACTIVE), default=True, help=_l("留空为在职"), width=8),
    ),
    example={"employee_no": "22010001", "name": "张三", "phone": "13800000000", "unit": "CY-XSL",
             "outlet": "O-CY-XSL", "roles": [Role.CLERK], "is_active": True},
)

ORG_SHEETS = (UNIT_SHEET, OUTLET_SHEET, STAFF_SHEET)
ORG_SHEET_NAMES = tuple(s.name for s in ORG_SHEETS)


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


class _OrgImport:
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
        unit_codes = codes("单位", "code", "parent") | codes("网点", "unit") | codes("员工", "unit")
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
        for chunk in _chunks(sorted(codes("员工", "employee_no"))):
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

    def check_units(self, sheet: ParsedSheet) -> None:
        spec = sheet.spec
        self.mark_duplicates(sheet, "code")
        roots = 0
        for row in sheet.rows:
            self.step()
            code = row.values.get("code")
            if not code:
                continue
            plan = _Plan(row, code)
            parent = row.values.get("parent", "")
            existing = self.units.get(code)
            if existing is None and code in self.units_outside:
                row.error(spec.header_of("code"), self.out_of_scope(_("单位"), code))
                continue
            if existing is not None:
                plan.existing = existing
                current = self.unit_code_of(existing.parent_id)
                if parent and parent != current:
                    row.error(spec.header_of("parent"), _(
                        "导入不调整隶属关系：单位 %(code)s 现在的上级单位是 %(current)s；如需调整请在单位页面操作"
                    ) % {"code": code, "current": current or _("（无）")})
                plan.changes = {f: row.values[f] for f in ("name", "kind", "sort_order", "address", "phone")
                                if f in row.values and row.values[f] != getattr(existing, f)}
                if plan.changes and not self.may(Capability.EDIT_UNITS):
                    row.error(spec.header_of("code"), _("你的角色不能修改单位信息"))
            else:
                plan.values = {f: sheet.get(row, f)
                               for f in ("name", "kind", "parent", "sort_order", "address", "phone")}
                if not self.may(Capability.EDIT_UNITS):
                    row.error(spec.header_of("code"), _("你的角色不能新建单位"))
                if parent:
                    self.resolve_unit(row, spec.header_of("parent"), parent, plan)
                elif self.actor is None and not self.any_unit and roots == 0:
                    roots += 1  # the first unit of an empty system is its root
                else:
                    row.error(spec.header_of("parent"), _("新建单位须填写上级单位编码"))
            self.plans["单位"][code] = plan
        self.check_unit_chains(sheet)

    def check_unit_chains(self, sheet: ParsedSheet) -> None:
        """A new unit under a bad new unit, or in a loop of new units, is bad too."""
        header = sheet.spec.header_of("parent")
        new = {code: plan for code, plan in self.plans["单位"].items() if plan.existing is None}
        creatable: dict[str, bool] = {}
        for start in new:
            path: list[str] = []
            code = start
            while code in new and code not in creatable and code not in path:
                path.append(code)
                code = new[code].values["parent"]
            if code in path:
                loop = path[path.index(code):]
                text = " → ".join([*loop, code])
                for member in loop:
                    new[member].row.error(header, _("上级单位关系形成循环：%(loop)s") % {"loop": text})
                    creatable[member] = False
                path = path[:path.index(code)]
            for member in reversed(path):
                plan = new[member]
                parent = plan.values["parent"]
                if parent in new and not creatable[parent] and plan.row.ok:
                    plan.row.error(header, self.bad_dependency("单位", parent))
                creatable[member] = plan.row.ok

    def bad_dependency(self, sheet: str, code: str) -> str:
        row = self.first_row[sheet][code]
        return _("%(code)s 所在行（%(sheet)s表第 %(n)d 行）有错误，本行无法导入") % {
            "code": code, "sheet": sheet, "n": row.number}

    def check_dependencies(self, plan: _Plan, header_of: dict[str, str]) -> None:
        for sheet, code in plan.depends_on:
            target = self.first_row[sheet][code]
            if not target.ok:
                plan.row.error(header_of[sheet], self.bad_dependency(sheet, code))

    def check_outlets(self, sheet: ParsedSheet) -> None:
        spec = sheet.spec
        h = spec.header_of
        self.mark_duplicates(sheet, "code")
        simple = ("name", "area_type", "operation", "address", "latitude", "longitude", "phone",
                  "open_days_per_week", "opens_at", "closes_at", "services")
        for row in sheet.rows:
            self.step()
            code = row.values.get("code")
            if not code:
                continue
            plan = _Plan(row, code)
            existing = self.outlets.get(code)
            if existing is not None and existing.unit_id not in self.units_by_id:
                row.error(h("code"), self.out_of_scope(_("网点"), code))
                continue
            unit = row.values.get("unit")
            if unit:
                self.resolve_unit(row, h("unit"), unit, plan)
            if existing is not None:
                plan.existing = existing
                plan.changes = {f: row.values[f] for f in simple
                                if f in row.values and _differs(row.values[f], getattr(existing, f))}
                if unit and unit != self.unit_code_of(existing.unit_id):
                    plan.changes["unit"] = unit
                for f in ("grade", "status", "status_note"):
                    if f in row.values and row.values[f] != getattr(existing, f):
                        plan.changes[f] = row.values[f]
                effective = {f: row.values.get(f, getattr(existing, f))
                             for f in ("opens_at", "closes_at", "status", "status_note")}
                status_touched = bool({"status", "status_note"} & plan.changes.keys())
            else:
                plan.values = {f: sheet.get(row, f) for f in (*simple, "unit", "grade", "status", "status_note")}
                plan.values["services"] = list(plan.values["services"])
                effective = plan.values
                status_touched = True
            if effective["opens_at"] and effective["closes_at"] and effective["opens_at"] >= effective["closes_at"]:
                row.error(h("closes_at"), _("关门时间应晚于开门时间"))
            if status_touched and effective["status"] == Outlet.Status.CLOSED and not effective["status_note"].strip():
                row.error(h("status_note"), _("撤并普服网点须经批准，请填写批准文号或说明"))
            if (plan.existing is None or plan.changes) and not self.may(Capability.EDIT_OUTLETS):
                row.error(h("code"), _("你的角色不能新建或修改网点"))
            self.plans["网点"][code] = plan
        for plan in self.plans["网点"].values():
            self.check_dependencies(plan, {"单位": h("unit")})

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

    def check_staff(self, sheet: ParsedSheet) -> None:
        spec = sheet.spec
        h = spec.header_of
        self.mark_duplicates(sheet, "employee_no")
        for row in sheet.rows:
            self.step()
            number = row.values.get("employee_no")
            if not number:
                continue
            plan = _Plan(row, number)
            existing = self.staff.get(number)
            if existing is not None and existing.unit_id not in self.units_by_id:
                row.error(h("employee_no"), self.out_of_scope(_("员工"), number))
                continue
            unit = row.values.get("unit")
            if unit:
                self.resolve_unit(row, h("unit"), unit, plan)
            if "outlet" in row.values:
                outlet = row.values["outlet"]
            elif existing is not None and existing.outlet_id:
                outlet = existing.outlet.code
            else:
                outlet = ""
            if outlet and self.resolve_outlet(row, h("outlet"), outlet, plan) and unit:
                outlet_unit = self.outlet_unit_code(outlet)
                if outlet_unit and not self.at_or_below(outlet_unit, unit):
                    row.error(h("outlet"), _("网点 %(outlet)s 属于单位 %(ou)s，不在所属单位 %(unit)s 之下") % {
                        "outlet": outlet, "ou": outlet_unit, "unit": unit})
            roles = row.values.get("roles")
            if roles is not None and not roles:
                row.error(h("roles"), _("至少填写一个角色"))
            if existing is not None:
                plan.existing = existing
                self.staff_changes(plan, outlet, h)
            else:
                plan.values = {f: sheet.get(row, f) for f in ("name", "phone", "unit", "is_active")}
                plan.values.update(outlet=outlet, roles=roles or [])
                self.check_roles(row, h("roles"), roles or [])
            if (plan.existing is None or plan.changes) and not self.may(Capability.EDIT_STAFF):
                row.error(h("employee_no"), _("你的角色不能新建或修改员工"))
            self.plans["员工"][number] = plan
        for plan in self.plans["员工"].values():
            self.check_dependencies(plan, {"单位": h("unit"), "网点": h("outlet")})

    def staff_changes(self, plan: _Plan, outlet: str, h) -> None:
        row, existing = plan.row, plan.existing
        plan.changes = {f: row.values[f] for f in ("name", "phone", "is_active")
                        if f in row.values and row.values[f] != getattr(existing, f)}
        if row.values.get("unit") and row.values["unit"] != self.unit_code_of(existing.unit_id):
            plan.changes["unit"] = row.values["unit"]
        if outlet != (existing.outlet.code if existing.outlet_id else ""):
            plan.changes["outlet"] = outlet
        roles = row.values.get("roles")
        if roles and set(roles) != existing.roles:
            plan.changes["roles"] = roles
            added, removed = set(roles) - existing.roles, existing.roles - set(roles)
            self.check_roles(row, h("roles"), added | (removed & PRIVILEGED_ROLES))
        if "is_active" in plan.changes and self.actor is not None:
            if existing.pk == self.actor.pk and not plan.changes["is_active"]:
                row.error(h("is_active"), _("不能停用自己的账号"))
            try:
                check_privileged_account_change(actor=self.actor, staff=existing)
            except PermissionDenied as exc:
                row.error(h("is_active"), str(exc))

    def check_roles(self, row: ParsedRow, header: str, roles: Iterable[str]) -> None:
        try:
            check_role_assignment(actor=self.actor, roles=roles)
        except PermissionDenied as exc:
            row.error(header, str(exc))

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

    # --- writing ---------------------------------------------------------------------------

    def good(self, sheet: str) -> list[_Plan]:
        return [p for p in self.plans[sheet].values() if p.row.ok]

    def unit(self, code: str) -> Unit:
        return self.units[code]

    def outlet(self, code: str | None) -> Outlet | None:
        return self.outlets[code] if code else None

    def write(self, report: ImportReport) -> None:
        self.write_units(report)
        self.write_outlets(report)
        self.write_staff(report)
        self.step(self.total_steps - self.steps)  # the bad rows a skip-invalid import leaves out

    def write_units(self, report: ImportReport) -> None:
        counts = report.counts("单位")
        plans = self.good("单位")
        new = [p for p in plans if p.existing is None]

        def depth(plan: _Plan) -> int:
            n, code = 0, plan.values["parent"]
            while code in self.plans["单位"] and self.plans["单位"][code].existing is None:
                n, code = n + 1, self.plans["单位"][code].values["parent"]
            return n

        created = []
        for plan in sorted(new, key=depth):
            values = dict(plan.values)
            parent = values.pop("parent")
            unit = Unit(code=plan.code, parent=self.units[parent] if parent else None, **values)
            self.units[plan.code] = unit
            created.append(unit)
        if created:
            units_bulk_create(created)
        counts.created = len(created)
        self.step(len(created))
        for plan in plans:
            if plan.existing is None:
                continue
            self.step()
            if plan.changes:
                unit_update(unit=plan.existing, **plan.changes)
                counts.updated += 1
            else:
                counts.unchanged += 1

    def write_outlets(self, report: ImportReport) -> None:
        counts = report.counts("网点")
        plans = self.good("网点")
        created = []
        for plan in plans:
            if plan.existing is None:
                values = dict(plan.values)
                outlet = Outlet(code=plan.code, **{**values, "unit": self.unit(values["unit"])})
                self.outlets[plan.code] = outlet
                created.append(outlet)
        Outlet.objects.bulk_create(created, batch_size=BATCH_SIZE)
        OutletGradeChange.objects.bulk_create(
            (OutletGradeChange(outlet=o, from_grade="", to_grade=o.grade, effective_on=self.today,
                               reason=_("Excel 导入建档"), recorded_by=self.actor) for o in created),
            batch_size=BATCH_SIZE,
        )
        counts.created = len(created)
        self.step(len(created))
        for plan in plans:
            if plan.existing is None:
                continue
            self.step()
            if not plan.changes:
                counts.unchanged += 1
                continue
            changes = dict(plan.changes)
            outlet = plan.existing
            if "grade" in changes:
                outlet_change_grade(outlet=outlet, to_grade=changes.pop("grade"), effective_on=self.today,
                                    reason=_("Excel 导入"), actor=self.actor)
            status, note = changes.pop("status", outlet.status), changes.pop("status_note", outlet.status_note)
            if "unit" in changes:
                changes["unit"] = self.unit(changes["unit"])
            if changes:
                outlet_update(outlet=outlet, actor=self.actor, **changes)
            if (status, note) != (outlet.status, outlet.status_note):
                outlet_set_status(outlet=outlet, status=status, note=note)
            counts.updated += 1

    def write_staff(self, report: ImportReport) -> None:
        counts = report.counts("员工")
        plans = self.good("员工")
        created, links = [], []
        now = timezone.now()
        for plan in plans:
            if plan.existing is not None:
                continue
            v = plan.values
            person = Staff(employee_no=plan.code, name=v["name"], phone=v["phone"], unit=self.unit(v["unit"]),
                           outlet=self.outlet(v["outlet"]), is_active=v["is_active"], must_change_password=True,
                           is_staff=Role.SYSADMIN in v["roles"], date_joined=now)
            person.set_unusable_password()
            created.append(person)
        Staff.objects.bulk_create(created, batch_size=BATCH_SIZE)
        for person, plan in zip(created, (p for p in plans if p.existing is None), strict=True):
            links.extend(StaffRole(staff=person, role=role) for role in plan.values["roles"])
        StaffRole.objects.bulk_create(links, batch_size=BATCH_SIZE)
        counts.created = len(created)
        self.step(len(created))
        updates = []
        for plan in plans:
            if plan.existing is None:
                continue
            if not plan.changes:
                counts.unchanged += 1
                continue
            changes = dict(plan.changes)
            if "unit" in changes:
                changes["unit"] = self.unit(changes["unit"])
            if "outlet" in changes:
                changes["outlet"] = self.outlet(changes["outlet"])
            updates.append((plan.existing, changes))
        staff_bulk_update(changes=updates, actor=self.actor)
        counts.updated = len(updates)
        self.step(counts.updated + counts.unchanged)


def _differs(new: Any, old: Any) -> bool:
    if isinstance(new, list):
        return list(new) != list(old or [])
    return new != old


def org_import(source: str | bytes | IO[bytes], *, actor: Staff | None, skip_invalid: bool = False,
               dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import units, outlets and staff from an Excel workbook as `actor` (None: the system, unscoped).

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
    for name, check in (("单位", job.check_units), ("网点", job.check_outlets), ("员工", job.check_staff)):
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
