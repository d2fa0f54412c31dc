"""The cockpit's KPIs (驾驶舱指标): every app registers the figures it owns, the cockpit shows them.

An app adds a KPI by declaring it in its own `kpis.py` (imported when the apps are ready, see
DashboardConfig.ready):

    from postqc.dashboard.registry import Figures, Kpi, Measure, register

    def _participation(ctx) -> Figures:
        data = ctx.memo("learning.participation", lambda: unit_participation(ctx.user, unit=ctx.unit, at=ctx.at))
        return Figures(total=Measure(...), children={child_id: Measure(...), ...})

    register(Kpi(code="learning.participation", name=..., module=..., unit="%", measure=_participation))

`measure(ctx)` returns the figure of `ctx.unit` (everything under it) and of each of its direct
children (each with everything under it) in a fixed number of queries, whatever the number of
children: the cockpit calls every KPI once per page. Figures are in display units (a rate in
percent, 0–100). The cockpit compares them with the target in force (dashboard.targets) and
knows nothing else about the app: later modules (网点达标率, 整改按期率, 投递时限达标率, …) join by
registering, with no change here.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from postqc.org.models import Unit


@dataclass(frozen=True)
class Measure:
    """One unit's figure. `value` None: nothing to measure (no one eligible, no responses yet).
    `n` is what it rests on (people, answers, responses); `low`/`high` a 95 % interval when the
    figure is a sample estimate; `enough` False when `n` is too small to compare with a target;
    `settled` False while the figure can only grow until what it measures ends (the turnout of a
    competition still open): shown, not yet compared with a target."""

    value: float | None
    n: int = 0
    low: float | None = None
    high: float | None = None
    enough: bool = True
    settled: bool = True


@dataclass(frozen=True)
class Figures:
    """What a KPI measured for a unit: its own figure and its children's (by child unit id); `source`
    says what it was measured on (a survey, a competition, a period); `default_target` is the target
    the data itself carries (a survey's plan target), used where no one has set one; `url` is the
    page the figure comes from, for drilling through."""

    total: Measure
    children: dict[int, Measure] = field(default_factory=dict)
    source: str = ""
    default_target: Decimal | None = None
    url: str = ""


@dataclass
class Context:
    """What a KPI's `measure` gets: the person looking (already allowed to see `unit`), the unit, its
    direct children and the moment. `memo` lets several KPIs of one app share one computation."""

    user: Any
    unit: Unit
    children: list[Unit]
    at: dt.datetime
    _memo: dict[str, Any] = field(default_factory=dict)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


@dataclass(frozen=True)
class Kpi:
    code: str  # stable: targets are stored under it, e.g. "surveys.index"
    name: str  # shown (a lazy translation)
    module: str  # the part of the platform it belongs to, shown as the card's group
    unit: str  # "%" or "分" (points)
    measure: Callable[[Context], Figures]
    higher_is_better: bool = True
    decimals: int = 1
    bounds: tuple[Decimal, Decimal] = (Decimal(0), Decimal(100))  # what a target may be
    help: str = ""  # how it is computed, one sentence
    order: int = 100  # place on the cockpit, smaller first (the headline satisfaction index leads)


_kpis: dict[str, Kpi] = {}


def register(kpi: Kpi) -> Kpi:
    """Add a KPI to the cockpit (in registration order). Registering a code twice is a mistake."""
    if kpi.code in _kpis and _kpis[kpi.code] is not kpi:
        raise ValueError(f"KPI {kpi.code!r} is registered twice")
    _kpis[kpi.code] = kpi
    return kpi


def kpis() -> list[Kpi]:
    """Every registered KPI, in cockpit order."""
    return sorted(_kpis.values(), key=lambda k: k.order)


def get(code: str) -> Kpi | None:
    return _kpis.get(code)
