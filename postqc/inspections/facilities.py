"""设施设备台账: what each outlet has of the facilities the branch keeps a register of, against the
配备标准 of its grade.

"为全市143个普遍服务网点安装监控器等安防设备，配齐了普遍服务用品" (the seed article): the city
knows outlet by outlet what is installed, how many, since when, and whether it works.

- A kind (FacilityKind: 监控设备, 邮筒（箱）, 自助服务终端…) names the grades whose outlets must have
  one in service (`required_grades`); the others may have it.
- An outlet's record of a kind (OutletFacility) holds the quantity, the status (正常 / 故障 / 停用),
  the date it was installed and a note. A kind counts as *in service* with a quantity above 0 and
  the status 正常. A required kind the outlet has none of (no record, 0, or 停用) is *missing*
  (缺配); one of any kind with the status 故障 is *faulty*. An outlet is 配齐 with nothing missing and
  nothing faulty.
- Every change goes through `facilities_save` (the outlet's form, the API) or `facilities_import`
  (Excel): all or nothing, only what changed is written, and each change is also kept as a
  FacilityChange row with who made it, when and from where.
- 设施配齐率 (the cockpit's KPI) = the (open outlet, required kind) pairs in service ÷ all such pairs.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import is_in_scope, require, scoped
from postqc.core.excel import (Choice, Column, Date, ImportReport, Integer, SheetSpec, Text, read_sheet, zh_choices)
from postqc.org.models import Outlet, Unit, UnitClosure
from postqc.org.roles import Capability

from .models import FacilityChange, FacilityKind, OutletFacility

MAX_QUANTITY = 9999
NOTE_MAX = 200
Status = OutletFacility.Status


def kinds() -> list[FacilityKind]:
    """The kinds in use, in register order."""
    return list(FacilityKind.objects.filter(is_active=True).order_by("sort_order", "code"))


# --- Reading: an outlet's state, a unit's coverage ---------------------------------------------------


@dataclass
class OutletState:
    outlet: Outlet
    records: dict[int, OutletFacility]  # kind id → the outlet's record
    missing: list[FacilityKind]  # required for its grade, and none of it (no record, 0 or 停用)
    faulty: list[FacilityKind]  # any kind with the status 故障

    def in_service(self, kind: FacilityKind) -> bool:
        record = self.records.get(kind.pk)
        return record is not None and record.in_service

    @property
    def complete(self) -> bool:
        return not self.missing and not self.faulty


def outlet_states(outlets: list[Outlet], kinds_: list[FacilityKind]) -> dict[int, OutletState]:
    """Each outlet's records, what it misses and what is faulty, by outlet id. One query."""
    records: dict[int, dict[int, OutletFacility]] = {o.pk: {} for o in outlets}
    for record in OutletFacility.objects.filter(outlet_id__in=list(records), kind__in=kinds_):
        records[record.outlet_id][record.kind_id] = record
    states = {}
    for outlet in outlets:
        have = records[outlet.pk]
        faulty = [k for k in kinds_ if k.pk in have and have[k.pk].quantity and have[k.pk].status == Status.FAULTY]
        missing = [k for k in kinds_ if k.required_for(outlet.grade) and not (k.pk in have and have[k.pk].in_service)
                   and k not in faulty]
        states[outlet.pk] = OutletState(outlet, have, missing, faulty)
    return states


@dataclass
class KindCoverage:
    kind: FacilityKind
    required: int = 0  # open outlets whose grade requires it
    equipped: int = 0  # of those, with it in service
    faulty: int = 0  # outlets (any grade) with it faulty
    in_service: int = 0  # units in service, all outlets

    @property
    def rate(self) -> float | None:
        return self.equipped * 100 / self.required if self.required else None


@dataclass
class Pairs:
    """设施配齐率: (outlet, required kind) pairs in service ÷ all such pairs."""

    required: int = 0
    equipped: int = 0

    @property
    def rate(self) -> float | None:
        return self.equipped * 100 / self.required if self.required else None

    def add(self, state: OutletState, kinds_: list[FacilityKind]) -> None:
        required = [k for k in kinds_ if k.required_for(state.outlet.grade)]
        self.required += len(required)
        self.equipped += sum(1 for k in required if state.in_service(k))


def open_outlets(unit: Unit) -> list[Outlet]:
    """The outlets of `unit`'s subtree that are not closed (the register counts them), by unit and code."""
    subtree = UnitClosure.objects.filter(ancestor=unit).values("descendant_id")
    return list(Outlet.objects.filter(unit_id__in=subtree).exclude(status=Outlet.Status.CLOSED)
                .select_related("unit").order_by("unit__code", "code"))


def coverage(states: Iterable[OutletState], kinds_: list[FacilityKind]) -> tuple[list[KindCoverage], Pairs]:
    """Per kind: how many outlets must have it, have it in service, have it faulty; and the pairs."""
    by_kind = {k.pk: KindCoverage(k) for k in kinds_}
    pairs = Pairs()
    for state in states:
        pairs.add(state, kinds_)
        faulty = {k.pk for k in state.faulty}
        for kind in kinds_:
            row = by_kind[kind.pk]
            record = state.records.get(kind.pk)
            if kind.required_for(state.outlet.grade):
                row.required += 1
                row.equipped += state.in_service(kind)
            row.faulty += kind.pk in faulty
            if record is not None and record.in_service:
                row.in_service += record.quantity
    return list(by_kind.values()), pairs


def pairs_by_child(unit: Unit) -> tuple[Pairs, dict[int, Pairs]]:
    """设施配齐率 of `unit` and of each of its children (each with its subtree), for the cockpit: four
    queries reading ids only (no records are built), so a city of many thousand outlets stays cheap."""
    kinds_ = kinds()
    subtree = UnitClosure.objects.filter(ancestor=unit).values("descendant_id")
    outlets = list(Outlet.objects.filter(unit_id__in=subtree).exclude(status=Outlet.Status.CLOSED)
                   .values_list("pk", "unit_id", "grade"))
    working = set(OutletFacility.objects.filter(outlet__unit_id__in=subtree, kind__in=kinds_, quantity__gt=0,
                                                status=Status.IN_SERVICE).values_list("outlet_id", "kind_id"))
    child_of = dict(UnitClosure.objects.filter(ancestor__parent=unit, descendant_id__in={u for _o, u, _g in outlets})
                    .values_list("descendant_id", "ancestor_id"))
    total, children = Pairs(), {}
    for outlet_id, unit_id, grade in outlets:
        required = [k.pk for k in kinds_ if k.required_for(grade)]
        equipped = sum(1 for k in required if (outlet_id, k) in working)
        counted = [total]
        if unit_id in child_of:
            counted.append(children.setdefault(child_of[unit_id], Pairs()))
        for pairs in counted:
            pairs.required += len(required)
            pairs.equipped += equipped
    return total, children


def changes_of(outlet: Outlet, limit: int = 50):
    """The outlet's facility changes, newest first."""
    return (FacilityChange.objects.filter(outlet=outlet).select_related("kind", "changed_by")
            .order_by("-changed_at", "-pk")[:limit])


# --- Writing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A facility as entered: how many, in what state, since when, and a note."""

    quantity: int
    status: str = Status.IN_SERVICE
    installed_on: dt.date | None = None
    note: str = ""

    def same_as(self, record: OutletFacility | None) -> bool:
        return record is not None and (record.quantity, record.status, record.installed_on, record.note) == (
            self.quantity, self.status, self.installed_on, self.note)


def _check_entry(raw: dict, today: dt.date) -> tuple[Entry | None, list[str]]:
    """An Entry from a form's or the API's fields (quantity, status, installed_on, note), or the reasons
    it is refused. A blank quantity is no entry (None, [])."""
    errors = []
    quantity = raw.get("quantity")
    if quantity is None or (isinstance(quantity, str) and not quantity.strip()):
        return None, []
    try:
        quantity = int(str(quantity).strip())
    except ValueError:
        return None, [_("数量“%(v)s”不是整数。") % {"v": quantity}]
    if not 0 <= quantity <= MAX_QUANTITY:
        errors.append(_("数量应在 0–%(m)d 之间。") % {"m": MAX_QUANTITY})
    status = raw.get("status") or Status.IN_SERVICE
    if status not in Status.values:
        errors.append(_("状态“%(v)s”不是正常、故障或停用。") % {"v": status})
    installed_on = raw.get("installed_on") or None
    if isinstance(installed_on, str):
        try:
            installed_on = dt.date.fromisoformat(installed_on.strip())
        except ValueError:
            errors.append(_("配备日期“%(v)s”不是日期（如 2018-06-30）。") % {"v": installed_on})
            installed_on = None
    if installed_on is not None and installed_on > today:
        errors.append(_("配备日期不能晚于今天。"))
    note = (raw.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors.append(_("备注最多 %(n)d 个字。") % {"n": NOTE_MAX})
    return (None if errors else Entry(quantity, status, installed_on, note)), errors


def _write(*, outlet: Outlet, kind: FacilityKind, entry: Entry, record: OutletFacility | None, actor, source: str,
           now: dt.datetime) -> None:
    if record is None:
        OutletFacility.objects.create(outlet=outlet, kind=kind, quantity=entry.quantity, status=entry.status,
                                      installed_on=entry.installed_on, note=entry.note, updated_by=actor,
                                      updated_at=now)
    else:
        record.quantity, record.status, record.installed_on, record.note = (
            entry.quantity, entry.status, entry.installed_on, entry.note)
        record.updated_by, record.updated_at = actor, now
        record.save(update_fields=["quantity", "status", "installed_on", "note", "updated_by", "updated_at"])
    FacilityChange.objects.create(outlet=outlet, kind=kind, quantity=entry.quantity, status=entry.status,
                                  installed_on=entry.installed_on, note=entry.note, source=source,
                                  changed_by=actor, changed_at=now)


def _require_editor(actor, outlet: Outlet) -> None:
    require(actor, Capability.EDIT_OUTLETS)
    if not is_in_scope(actor, outlet.unit_id):
        raise PermissionDenied(_("只能登记本单位及下级单位网点的设施。"))


@transaction.atomic
def facilities_save(*, actor, outlet: Outlet, entries: dict[str, dict], source: str = "form") -> int:
    """Set the outlet's facilities: `entries` maps kind codes to their fields (quantity, status,
    installed_on, note). A blank quantity leaves a kind the outlet has no record of alone; a kind it
    has a record of needs a quantity (0 when there is none any more). Only what changed is written,
    each change kept. All or nothing: errors come keyed by kind code. Returns how many changed."""
    _require_editor(actor, outlet)
    by_code = {k.code: k for k in FacilityKind.objects.filter(code__in=list(entries))}
    records = {r.kind_id: r for r in OutletFacility.objects.select_for_update().filter(outlet=outlet)}
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    plan = []
    for code, raw in entries.items():
        kind = by_code.get(code)
        if kind is None:
            errors[code] = [_("没有这种设施。")]
            continue
        entry, problems = _check_entry(raw, today)
        if problems:
            errors[code] = problems
        elif entry is None:
            if kind.pk in records:
                errors[code] = [_("%(k)s 已有登记，数量不能为空；已没有的请填 0。") % {"k": kind.name}]
        elif not entry.same_as(records.get(kind.pk)):
            plan.append((kind, entry))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for kind, entry in plan:
        _write(outlet=outlet, kind=kind, entry=entry, record=records.get(kind.pk), actor=actor, source=source, now=now)
    return len(plan)


# --- Excel: the register in and out ------------------------------------------------------------------

SHEET_NAME = "设施设备"
FACILITY_SHEET = SheetSpec(SHEET_NAME, (
    Column("网点编码", "outlet", Text(32), required=True, width=14),
    Column("网点名称", "outlet_name", Text(64), help="导出时填写；导入时不读", width=20),
    Column("设施", "kind", Text(32), required=True, help="设施名称或编码，如 监控设备", width=16),
    Column("数量", "quantity", Integer(0, MAX_QUANTITY), required=True, help="已没有的填 0", width=8),
    Column("状态", "status", Choice(zh_choices(Status.choices)), default=Status.IN_SERVICE, help="留空为正常", width=8),
    Column("配备日期", "installed_on", Date(), default=None, width=12),
    Column("备注", "note", Text(NOTE_MAX), width=30),
), example={"outlet": "JLS-CY-W01", "outlet_name": "船营区北京路营业所", "kind": "监控设备", "quantity": 4,
            "status": Status.IN_SERVICE, "installed_on": dt.date(2018, 6, 30), "note": "营业厅 3 路、门前 1 路"},
    help="每行一个网点的一种设施：按网点编码和设施更新，没有的新增。导入只改文件中列出的设施。")

STATE_SHEET = SheetSpec("配备情况", (
    Column("网点编码", "outlet", Text(32), width=14),
    Column("网点名称", "outlet_name", Text(64), width=20),
    Column("所属单位", "unit", Text(64), width=16),
    Column("网点等级", "grade", Text(8), width=8),
    Column("配备情况", "state", Text(16), width=10),
    Column("缺配", "missing", Text(200), width=30),
    Column("故障", "faulty", Text(200), width=30),
))


def register_workbook(states: list[OutletState], kinds_: list[FacilityKind]) -> list[tuple[SheetSpec, list[dict]]]:
    """The register's download: sheet 设施设备 (the import's layout, a row per record) and sheet 配备情况
    (a row per outlet: complete or what it misses, what is faulty)."""
    by_id = {k.pk: k for k in kinds_}
    records, outlets = [], []
    for state in states:
        o = state.outlet
        for kind_id, r in sorted(state.records.items(), key=lambda item: kinds_.index(by_id[item[0]])):
            records.append({"outlet": o.code, "outlet_name": o.name, "kind": by_id[kind_id].name,
                            "quantity": r.quantity, "status": r.status, "installed_on": r.installed_on, "note": r.note})
        outlets.append({"outlet": o.code, "outlet_name": o.name, "unit": o.unit.name, "grade": o.get_grade_display(),
                        "state": _("配齐") if state.complete else _("未配齐"),
                        "missing": "、".join(k.name for k in state.missing),
                        "faulty": "、".join(k.name for k in state.faulty)})
    return [(FACILITY_SHEET, records), (STATE_SHEET, outlets)]


def facilities_import(*, source, actor, dry_run: bool = False) -> ImportReport:
    """Add or update the outlets' facilities of an Excel file in FACILITY_SHEET's layout, as
    `facilities_save` would one by one (source "excel"). All or nothing: every error is named by row
    and column — an outlet outside the importer's subtree, an unknown facility, an outlet and
    facility named twice, a date in the future — and nothing is written while there is one."""
    require(actor, Capability.EDIT_OUTLETS)
    report = ImportReport(dry_run=dry_run)
    parsed = read_sheet(source, FACILITY_SHEET, report)
    if parsed is None:
        return report
    h = FACILITY_SHEET.header_of
    codes = {parsed.get(row, "outlet") for row in parsed.rows} - {""}
    mine = {o.code: o for o in scoped(Outlet.objects.filter(code__in=codes), actor)}
    known = set(Outlet.objects.filter(code__in=codes - mine.keys()).values_list("code", flat=True))
    every_kind = list(FacilityKind.objects.filter(is_active=True))
    kind_of = {k.name: k for k in every_kind} | {k.code: k for k in every_kind}
    today = timezone.localdate()
    seen: dict[tuple[str, int], int] = {}
    plan: list[tuple[Outlet, FacilityKind, Entry]] = []
    for row in parsed.rows:
        code, name = parsed.get(row, "outlet"), parsed.get(row, "kind")
        outlet, kind = mine.get(code), kind_of.get(name)
        if code and outlet is None:
            row.error(h("outlet"), _("网点“%(c)s”不在你的管辖范围内") % {"c": code} if code in known
                      else _("网点编码“%(c)s”不存在") % {"c": code})
        if name and kind is None:
            row.error(h("kind"), _("没有“%(k)s”这种设施（可用：%(all)s）") % {
                "k": name, "all": "、".join(k.name for k in kinds())})
        installed_on = parsed.get(row, "installed_on")
        if installed_on and installed_on > today:
            row.error(h("installed_on"), _("配备日期不能晚于今天"))
        if outlet is not None and kind is not None:
            first = seen.setdefault((code, kind.pk), row.number)
            if first != row.number:
                row.error(h("kind"), _("网点 %(o)s 的“%(k)s”在第 %(n)d 行已出现") % {
                    "o": code, "k": kind.name, "n": first})
        report.errors += row.errors
        if row.ok:
            plan.append((outlet, kind, Entry(parsed.get(row, "quantity"), parsed.get(row, "status"), installed_on,
                                             parsed.get(row, "note"))))
    report.sort_errors([SHEET_NAME])
    if report.errors:
        return report
    counts = report.counts(SHEET_NAME)
    records = {(r.outlet_id, r.kind_id): r for r in OutletFacility.objects.filter(
        outlet__in=[o for o, _k, _e in plan])}
    now = timezone.now()
    with transaction.atomic():
        for outlet, kind, entry in plan:
            record = records.get((outlet.pk, kind.pk))
            if entry.same_as(record):
                counts.unchanged += 1
                continue
            if record is None:
                counts.created += 1
            else:
                counts.updated += 1
            if not dry_run:
                _write(outlet=outlet, kind=kind, entry=entry, record=record, actor=actor, source="excel", now=now)
    report.written = not dry_run
    return report


@dataclass
class RegisterPage:
    """What the register page shows of a unit: coverage per kind, the pairs, and the outlets."""

    kinds: list[FacilityKind]
    coverage: list[KindCoverage]
    pairs: Pairs
    states: list[OutletState] = field(default_factory=list)


def register_of(unit: Unit) -> RegisterPage:
    """Everything the register page and its download need for `unit`'s subtree. Three queries."""
    kinds_ = kinds()
    outlets = open_outlets(unit)
    by_id = outlet_states(outlets, kinds_)
    states = [by_id[o.pk] for o in outlets]
    rows, pairs = coverage(states, kinds_)
    return RegisterPage(kinds_, rows, pairs, states)
