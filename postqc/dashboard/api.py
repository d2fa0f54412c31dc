"""/api/v1/cockpit: the cockpit's figures of a unit and its children against targets, and setting a
unit's targets. Scoped: another subtree's unit answers 404."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from postqc.core.access import get_scoped_or_404, require
from postqc.learning.stats import managed_unit
from postqc.org.models import Outlet
from postqc.org.roles import Capability

from . import registry, targets
from .cockpit import Cell, cockpit
from .outlets import attached_outlets, outlet_table

router = Router(tags=["cockpit"])


class TargetOut(Schema):
    value: Decimal | None = Field(..., description="The target in force (None: none)")
    set_by_unit: str = Field("", description="The unit whose target it is (empty for the data's own, e.g. a plan target)")
    own: bool = Field(..., description="Set by this unit itself")
    from_data: bool = Field(..., description="The data's own target, e.g. the survey's plan target")


class CellOut(Schema):
    value: float | None
    n: int
    low: float | None = Field(None, description="95 % interval, for sample estimates")
    high: float | None = None
    target: TargetOut
    status: str = Field(..., description="met, missed, no_target, no_data, thin (too few observations) or open (not settled yet: a competition still open)")


class ChildOut(CellOut):
    unit: str
    unit_name: str


class KpiOut(CellOut):
    code: str
    name: str
    module: str
    unit_of_measure: str
    higher_is_better: bool
    source: str = Field(..., description="What it was measured on (a survey, a competition, a period)")
    children: list[ChildOut]


class CockpitOut(Schema):
    unit: str
    unit_name: str
    year: int
    at: datetime
    kpis: list[KpiOut]


class CockpitQuery(Schema):
    unit: str = Field("", description="A unit code in my subtree (default: my unit)")


class TargetsIn(Schema):
    unit: str = Field(..., description="A unit code in my subtree")
    year: int = Field(..., description="2000–2100")
    targets: dict[str, Decimal | None] = Field(..., description="KPI code → target; null clears the unit's own target")
    note: str = Field("", max_length=200)


class KpiInfoOut(Schema):
    code: str
    name: str
    module: str
    unit_of_measure: str
    higher_is_better: bool
    min: Decimal = Field(..., description="The lowest target allowed")
    max: Decimal = Field(..., description="The highest target allowed")
    help: str = Field(..., description="How it is computed")


class TargetsSetOut(Schema):
    written: int = Field(..., description="How many targets changed (unchanged ones are not written)")


def _cell(cell: Cell) -> dict:
    t = cell.target
    return {"value": cell.measure.value, "n": cell.measure.n, "low": cell.measure.low, "high": cell.measure.high,
            "status": cell.status,
            "target": {"value": t.value, "set_by_unit": t.unit_name, "own": t.own, "from_data": t.from_data}}


@router.get("/cockpit", response=CockpitOut, summary="The cockpit: every KPI of a unit and its children now, against this year's targets")
def cockpit_get(request: HttpRequest, query: Query[CockpitQuery]):
    require(request.user, Capability.VIEW_MANAGE)
    unit = managed_unit(request.user, query.unit.strip())
    board = cockpit(request.user, unit)
    kpis = []
    for i, card in enumerate(board.cards):
        k = card.kpi
        kpis.append({**_cell(card.cell), "code": k.code, "name": str(k.name), "module": str(k.module),
                     "unit_of_measure": str(k.unit), "higher_is_better": k.higher_is_better,
                     "source": str(card.figures.source),
                     "children": [{**_cell(row.cells[i]), "unit": row.unit.code, "unit_name": row.unit.name}
                                  for row in board.rows]})
    return {"unit": unit.code, "unit_name": unit.name, "year": board.year, "at": board.at, "kpis": kpis}


@router.put("/cockpit/targets", response=TargetsSetOut, summary="Set a unit's own targets for a year")
def targets_put(request: HttpRequest, payload: TargetsIn):
    """All or nothing; errors are named by KPI code. Needs `set_targets`."""
    require(request.user, Capability.SET_TARGETS)
    unit = managed_unit(request.user, payload.unit.strip())
    written = targets.targets_set(actor=request.user, unit=unit, year=payload.year, values=payload.targets,
                                  note=payload.note.strip())
    return {"written": len(written)}


@router.get("/cockpit/kpis", response=list[KpiInfoOut], summary="The KPIs the cockpit knows: code, name, unit, bounds")
def kpi_list(request: HttpRequest):
    require(request.user, Capability.VIEW_MANAGE)
    return [{"code": k.code, "name": str(k.name), "module": str(k.module), "unit_of_measure": str(k.unit),
             "higher_is_better": k.higher_is_better, "min": k.bounds[0], "max": k.bounds[1], "help": str(k.help)}
            for k in registry.kpis()]


class OutletFactOut(Schema):
    view: str = Field(..., description="The view's code, e.g. inspections.spot")
    name: str
    module: str
    value: str | None = Field(..., description="As shown; null when the module has nothing on the outlet")
    status: str = Field("", description="met, missed or empty (not judged)")
    note: str = ""


class OutletQualityOut(Schema):
    outlet: str
    outlet_name: str
    unit: str
    facts: list[OutletFactOut]


class OutletsQuery(Schema):
    unit: str = Field("", description="A unit code in my subtree (default: my unit); its own outlets are listed")


def _quality(outlets: list[Outlet]) -> list[dict]:
    table = outlet_table(outlets, timezone.now())
    return [{"outlet": outlet.code, "outlet_name": outlet.name, "unit": outlet.unit.code,
             "facts": [{"view": view.code, "name": str(view.name), "module": str(view.module),
                        "value": str(fact.value) if fact else None, "status": fact.status if fact else "",
                        "note": str(fact.note) if fact else ""} for view, fact in zip(table.views, facts)]}
            for outlet, facts in table.rows]


@router.get("/cockpit/outlets", response=list[OutletQualityOut],
            summary="The outlets attached to a unit itself, each with every module's latest fact (网点质量概况)")
def outlets_get(request: HttpRequest, query: Query[OutletsQuery]):
    require(request.user, Capability.VIEW_MANAGE)
    unit = managed_unit(request.user, query.unit.strip())
    return _quality(attached_outlets(unit))


@router.get("/cockpit/outlets/{code}", response=OutletQualityOut,
            summary="One outlet of my subtree with every module's latest fact (网点质量概况)")
def outlet_get(request: HttpRequest, code: str):
    require(request.user, Capability.VIEW_MANAGE)
    outlet = get_scoped_or_404(Outlet.objects.select_related("unit"), request.user, code=code)
    return _quality([outlet])[0]
