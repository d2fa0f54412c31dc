"""The cockpit's targets: which target is in force for a unit, and setting them — one unit in the
form or the API, or a unit and its children at once from Excel (指标分解表: a row per unit, a
column per KPI).

A target is set for a KPI, a unit and a year (models.Target, append-only). The target in force
for a unit is its own latest one, else its nearest ancestor's, else the one the data carries (a
survey's plan target, registry.Figures.default_target), else none.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from postqc.core.access import is_in_scope, require, visible_unit_ids
from postqc.core.downloads import YEARS
from postqc.core.excel import Column, DecimalNumber, ImportReport, RowError, SheetSpec, Text, read_sheet
from postqc.org.models import Unit, UnitClosure
from postqc.org.roles import Capability

from . import registry
from .models import Target



@dataclass(frozen=True)
class InForce:
    """A target in force: its value and where it comes from (`unit_name` of the unit that set it,
    `own` when that is the unit itself; `from_data` when it is the data's own, e.g. a plan target)."""

    value: Decimal | None
    unit_name: str = ""
    own: bool = False
    from_data: bool = False


NONE = InForce(None)


def _latest(rows) -> dict[tuple[str, int], Decimal | None]:
    """(kpi, unit id) → the latest value set (None when the latest row cleared it)."""
    latest: dict[tuple[str, int], Decimal | None] = {}
    for kpi, unit_id, value in rows:  # ordered by set_at, pk
        latest[(kpi, unit_id)] = value
    return latest


@dataclass
class Targets:
    """The targets of `unit` and its children for `year`, read in two queries."""

    unit: Unit
    year: int
    children: list[Unit]

    def __post_init__(self):
        ancestry = list(UnitClosure.objects.filter(descendant=self.unit).order_by("depth")
                        .values_list("ancestor_id", "ancestor__name"))
        self._ancestry = ancestry  # the unit itself first, then its parent, …
        ids = [pk for pk, _name in ancestry] + [c.pk for c in self.children]
        self._set = _latest(Target.objects.filter(year=self.year, unit_id__in=ids).order_by("set_at", "pk")
                            .values_list("kpi", "unit_id", "value"))

    def of_unit(self, kpi: str, default: Decimal | None = None) -> InForce:
        for pk, name in self._ancestry:
            value = self._set.get((kpi, pk))
            if value is not None:
                return InForce(value, name, own=pk == self.unit.pk)
        return InForce(default, from_data=True) if default is not None else NONE

    def of_child(self, kpi: str, child: Unit, default: Decimal | None = None) -> InForce:
        value = self._set.get((kpi, child.pk))
        if value is not None:
            return InForce(value, child.name, own=True)
        return replace(self.of_unit(kpi, default), own=False)  # the child follows its parent's

    def own(self, kpi: str) -> Decimal | None:
        """The unit's own target (None: it follows its ancestors or the data)."""
        return self._set.get((kpi, self.unit.pk))


def clean_value(kpi: registry.Kpi, raw) -> Decimal | None:
    """A target value from a form or the API: blank clears; otherwise a number within the KPI's bounds."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationError(_("“%(v)s”不是数字。") % {"v": raw}) from None
    if not value.is_finite():
        raise ValidationError(_("“%(v)s”不是数字。") % {"v": raw})
    low, high = kpi.bounds
    if not low <= value <= high:
        raise ValidationError(_("%(kpi)s 的目标应在 %(low)s–%(high)s 之间。") % {
            "kpi": kpi.name, "low": low, "high": high})
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def targets_set(*, actor, unit: Unit, year: int, values: dict[str, object], note: str = "") -> list[Target]:
    """Set `unit`'s own targets for `year`: `values` maps KPI codes to a number, or to blank/None to
    clear the unit's own target (it then follows its ancestors). Only changed values are written,
    each as a new row. All or nothing: errors come keyed by KPI code (or "year")."""
    require(actor, Capability.SET_TARGETS)
    if not is_in_scope(actor, unit.pk):
        raise PermissionDenied(_("只能设定本单位及下级单位的目标。"))
    if not isinstance(year, int) or not YEARS[0] <= year <= YEARS[1]:
        raise ValidationError({"year": [_("年度应在 %(a)d–%(b)d 之间。") % {"a": YEARS[0], "b": YEARS[1]}]})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Decimal | None] = {}
    for code, raw in values.items():
        kpi = registry.get(code)
        if kpi is None:
            errors[code] = [_("没有这个指标。")]
            continue
        try:
            cleaned[code] = clean_value(kpi, raw)
        except ValidationError as exc:
            errors[code] = exc.messages
    if errors:
        raise ValidationError(errors)
    current = Targets(unit, year, [])
    now = timezone.now()
    rows = [Target(kpi=code, unit=unit, year=year, value=value, note=note, set_by=actor, set_at=now)
            for code, value in cleaned.items() if value != current.own(code)]
    return Target.objects.bulk_create(rows)


def history(unit: Unit, year: int):
    """Every target set for `unit` in `year`, newest first, with who set it."""
    return (Target.objects.filter(unit=unit, year=year).select_related("set_by")
            .order_by("-set_at", "-pk"))


# --- Excel: 指标分解表 -----------------------------------------------------------------------------

SHEET_NAME = "指标目标"
UNIT_CODE, UNIT_NAME = "unit_code", "unit_name"


def _field(kpi: registry.Kpi) -> str:
    return f"kpi:{kpi.code}"


def target_sheet() -> SheetSpec:
    """The workbook's one sheet: 单位编码, 单位 (not read), then a column per KPI headed by its Chinese
    name, holding the unit's own target (blank: it follows the unit above)."""
    with translation.override("zh-hans"):  # the file's layout does not change with the reader's language
        columns = [Column("单位编码", UNIT_CODE, Text(32), required=True, width=14),
                   Column("单位", UNIT_NAME, Text(64), help="导出时填写；导入时不读", width=18)]
        columns += [Column(str(kpi.name), _field(kpi), DecimalNumber(2, *kpi.bounds), default=None, width=12,
                           help=f"{kpi.unit}；{kpi.help}") for kpi in registry.kpis()]
        return SheetSpec(SHEET_NAME, tuple(columns),
                         help="每行一个单位的本单位目标；留空表示沿用上级单位的目标。没有的指标列不改动。")


def target_records(unit: Unit, year: int) -> list[dict]:
    """The sheet's rows for `unit` and its active children: each unit's own targets for `year`. Two
    queries."""
    children = list(Unit.objects.filter(parent=unit, is_active=True).order_by("sort_order", "code"))
    rows = [unit, *children]
    own = _latest(Target.objects.filter(year=year, unit_id__in=[u.pk for u in rows]).order_by("set_at", "pk")
                  .values_list("kpi", "unit_id", "value"))
    return [{UNIT_CODE: u.code, UNIT_NAME: u.name,
             **{_field(kpi): own.get((kpi.code, u.pk)) for kpi in registry.kpis()}} for u in rows]


def targets_import(*, source, actor, year: int, note: str = "", dry_run: bool = False) -> ImportReport:
    """Set the own targets of the units the rows name, for `year`, as `targets_set` does for each
    (only changed values written, each change kept). A KPI column the file leaves out is not
    touched; a blank cell clears that unit's own target. All or nothing: every error is named by row
    and column, and nothing is written while there is one."""
    require(actor, Capability.SET_TARGETS)
    report = ImportReport(dry_run=dry_run)
    spec = target_sheet()
    if not isinstance(year, int) or not YEARS[0] <= year <= YEARS[1]:
        report.errors.append(RowError("", None, "", _("年度应在 %(a)d–%(b)d 之间。") % {"a": YEARS[0], "b": YEARS[1]}))
        return report
    parsed = read_sheet(source, spec, report)
    if parsed is None:
        return report
    kpis = [kpi for kpi in registry.kpis() if _field(kpi) in parsed.present]
    if not kpis and not parsed.errors:
        report.errors.append(RowError(SHEET_NAME, None, "", _("没有任何指标列：表头应为指标名称，如“满意度指数”。")))
    codes = [parsed.get(row, UNIT_CODE) for row in parsed.rows]
    units = {u.code: u for u in Unit.objects.filter(code__in=[c for c in codes if c])}
    mine = set(visible_unit_ids(actor).filter(descendant_id__in=[u.pk for u in units.values()])
               .values_list("descendant_id", flat=True))
    header, seen, plan = spec.header_of(UNIT_CODE), {}, []
    for row in parsed.rows:
        for error in row.errors:
            report.errors.append(error)
        code = parsed.get(row, UNIT_CODE)
        unit = units.get(code)
        if any(e.column == header for e in row.errors):
            continue
        if unit is None:
            report.errors.append(RowError(SHEET_NAME, row.number, header, _("没有编码为“%(c)s”的单位。") % {"c": code}))
        elif unit.pk not in mine:
            report.errors.append(RowError(SHEET_NAME, row.number, header,
                                          _("“%(u)s”不在你的管理范围内：只能设定本单位及下级单位的目标。") % {"u": unit.name}))
        elif code in seen:
            report.errors.append(RowError(SHEET_NAME, row.number, header,
                                          _("单位“%(c)s”在第 %(n)d 行已出现。") % {"c": code, "n": seen[code]}))
        else:
            seen[code] = row.number
            if not row.errors:
                plan.append((unit, {kpi.code: parsed.get(row, _field(kpi)) for kpi in kpis}))
    report.sort_errors([SHEET_NAME])
    if report.errors:
        return report
    counts = report.counts(SHEET_NAME)
    with transaction.atomic():
        for unit, values in plan:
            written = targets_set(actor=actor, unit=unit, year=year, values=values, note=note or _("Excel 导入"))
            if written:
                counts.updated += 1
            else:
                counts.unchanged += 1
        if dry_run:
            transaction.set_rollback(True)
    report.written = not dry_run
    return report
