"""/manage/: the cockpit (驾驶舱) of the manager's unit or of a unit below it, and its targets."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from postqc.core.access import require
from postqc.core.downloads import xlsx_response, year_param
from postqc.core.excel import Column, DecimalNumber, Integer, SheetSpec, Text, write_workbook
from postqc.core.forms import posted_workbook
from postqc.learning.stats import managed_unit, unit_choices
from postqc.org.roles import Capability
from postqc.org.selectors import org_overview

from . import registry, targets
from .cockpit import Cell, cockpit
from .outlets import Fact, OutletTable, attached_outlets, outlet_table

@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The cockpit: every KPI of the unit against its target in force, the same per child unit
    (drill down by picking one), and the shape of the organisation below. ?format=xlsx downloads
    the table."""
    require(request.user, Capability.VIEW_MANAGE)
    unit = managed_unit(request.user, request.GET.get("unit", "").strip())
    board = cockpit(request.user, unit)
    outlets = own_outlets(unit)
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        return _export(board, outlets)
    return render(request, "dashboard/home.html", {
        "section": "dashboard", "unit": unit, "units": unit_choices(request.user), "board": board,
        "overview": org_overview(request.user) if unit.pk == request.user.unit_id else None,
        "outlets": outlets,
    })


def own_outlets(unit) -> OutletTable | None:
    """The outlets attached to `unit` itself (a 支局's, a 营业部's), with every outlet view's fact of
    each (dashboard.outlets): the last step of the drill-down. None when it has none. The unit is in
    the person's subtree already (managed_unit)."""
    outlets = attached_outlets(unit)
    return outlet_table(outlets, timezone.now()) if outlets else None


def _export(board, outlets: OutletTable | None) -> FileResponse:
    """The cockpit's table in a sheet (the unit, then its children), and the unit's own outlets with
    every view's fact in a second one when it has outlets."""
    columns = [Column("单位", "unit", Text(64), width=24), Column("单位编码", "code", Text(32), width=14)]
    for i, card in enumerate(board.cards):
        name = str(card.kpi.name)
        columns += [Column(f"{name}", f"v{i}", DecimalNumber(2, -1_000_000, 1_000_000), width=12),
                    Column(f"{name}·目标", f"t{i}", DecimalNumber(2, -1_000_000, 1_000_000), width=12),
                    Column(f"{name}·样本数", f"n{i}", Integer(), width=10),
                    Column(f"{name}·状态", f"s{i}", Text(16), width=10)]
    spec = SheetSpec("驾驶舱", tuple(columns))

    def record(name: str, code: str, cells: list[Cell]) -> dict:
        out = {"unit": name, "code": code}
        for i, cell in enumerate(cells):
            value = cell.measure.value
            out.update({f"v{i}": None if value is None else round(value, 2), f"t{i}": cell.target.value,
                        f"n{i}": cell.measure.n, f"s{i}": str(cell.status_label)})
        return out

    records = [record(board.unit.name, board.unit.code, [c.cell for c in board.cards])]
    records += [record(row.unit.name, row.unit.code, row.cells) for row in board.rows]
    sheets = [(spec, records)]
    if outlets:
        sheets.append(_outlet_sheet(outlets))
    filename = f"cockpit-{board.unit.code}-{board.year}-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(lambda target: write_workbook(target, sheets), filename)


def _outlet_sheet(outlets: OutletTable) -> tuple[SheetSpec, list[dict]]:
    """本单位网点: an outlet a row; per view its fact as shown, whether judged (达标 / 未达标) and what it
    rests on."""
    columns = [Column("网点编码", "code", Text(32), width=14), Column("网点名称", "name", Text(64), width=20)]
    for i, view in enumerate(outlets.views):
        name = str(view.name)
        columns += [Column(name, f"v{i}", Text(64), width=16), Column(f"{name}·判定", f"s{i}", Text(8), width=8),
                    Column(f"{name}·说明", f"n{i}", Text(200), width=30)]
    judged = {Fact.MET: _("达标"), Fact.MISSED: _("未达标")}
    records = []
    for outlet, facts in outlets.rows:
        record = {"code": outlet.code, "name": outlet.name}
        for i, fact in enumerate(facts):
            record.update({f"v{i}": str(fact.value) if fact else "", f"s{i}": str(judged.get(fact.status, ""))
                           if fact else "", f"n{i}": str(fact.note) if fact else ""})
        records.append(record)
    return SheetSpec("本单位网点", tuple(columns)), records


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest) -> HttpResponse:
    """A unit's own targets for a year, one field per KPI (blank: follow the unit above), with the
    target each KPI follows now and the history of changes. ?format=xlsx downloads the unit's and its
    children's own targets as the import's sheet (指标分解表)."""
    require(request.user, Capability.SET_TARGETS)
    unit = managed_unit(request.user, (request.POST.get("unit") or request.GET.get("unit") or "").strip())
    year = year_param(request)
    if request.method == "GET" and request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        return xlsx_response(lambda target: write_workbook(target, [(targets.target_sheet(),
                                                                     targets.target_records(unit, year))]),
                             f"targets-{unit.code}-{year}.xlsx")
    kpis = registry.kpis()
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {kpi.code: request.POST.get(f"kpi-{kpi.code}", "") for kpi in kpis}
        try:
            written = targets.targets_set(actor=request.user, unit=unit, year=year, values=posted,
                                          note=request.POST.get("note", "").strip()[:200])
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("已保存 %(n)d 项目标。") % {"n": len(written)} if written
                             else _("目标没有变化。"))
            return redirect(f"{reverse('dashboard:targets')}?unit={unit.code}&year={year}")
    current = targets.Targets(unit, year, [])
    parent = targets.Targets(unit.parent, year, []) if unit.parent_id else None
    rows = []
    for kpi in kpis:
        own = current.own(kpi.code)
        rows.append({"kpi": kpi, "own": own, "value": posted.get(kpi.code, "" if own is None else own),
                     "inherited": parent.of_unit(kpi.code) if parent else targets.NONE,
                     "errors": errors.get(kpi.code, [])})
    return render(request, "dashboard/targets.html", {
        "section": "targets", "unit": unit, "year": year, "rows": rows, "units": unit_choices(request.user),
        "form_errors": errors.get("year", []) + errors.get("__all__", []),
        "history": targets.history(unit, year)[:50], "kpi_names": {k.code: k.name for k in kpis},
    })


@login_required
@require_http_methods(["GET", "POST"])
def target_import(request: HttpRequest) -> HttpResponse:
    """The own targets of a unit and its children (or any units of the manager's subtree) for a year,
    from the sheet the targets page downloads. All or nothing; 只检查 runs every check and writes nothing."""
    require(request.user, Capability.SET_TARGETS)
    unit = managed_unit(request.user, (request.POST.get("unit") or request.GET.get("unit") or "").strip())
    year = year_param(request)
    report = None
    if request.method == "POST":
        source = posted_workbook(request)
        if source is not None:
            report = targets.targets_import(source=source, actor=request.user, year=year,
                                            note=request.POST.get("note", "").strip()[:200],
                                            dry_run=request.POST.get("dry_run") == "1")
            if report.written:
                messages.success(request, report.summary())
                return redirect(f"{reverse('dashboard:targets')}?unit={unit.code}&year={year}")
    return render(request, "dashboard/target_import.html", {
        "section": "targets", "unit": unit, "year": year, "report": report,
        "kpis": registry.kpis(), "sheet": targets.SHEET_NAME})
