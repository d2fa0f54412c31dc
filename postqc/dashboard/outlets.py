"""An outlet's quality at a glance (网点质量概况): the last step of the cockpit's drill-down.

The cockpit measures units (registry.py); below a 支局 the leader wants the outlets themselves: was
it inspected and did it pass, what is still to rectify, what do its customers say, do its people
practise, is its 邮驿站 open. Every app that knows something about an outlet registers a view of
it in its own `kpis.py`, as it registers its KPIs:

    from postqc.dashboard.outlets import Fact, OutletView, register_outlet_view

    def _facts(outlets, at) -> dict[int, Fact]:
        ...  # a fixed number of queries for all the outlets, never one per outlet
        return {outlet.pk: Fact(_("达标"), status=Fact.MET, note=..., url=...), ...}

    register_outlet_view(OutletView(code="inspections.spot", name=_("最近抽查"), module=_("网点达标"),
                                    order=20, facts=_facts))

`facts(outlets, at)` gets the outlets (already allowed to the person looking) and the moment, and
returns a Fact for each outlet it has something to say about; an outlet left out shows "—". The
outlet's page lists every view; the cockpit of a unit that has outlets of its own adds a table of
them, a column per view, each outlet linking to its page.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from postqc.org.models import Outlet, Unit


@dataclass(frozen=True)
class Fact:
    """What one view says of one outlet: `value` shown as is (already formatted), `status` MET or
    MISSED when it is judged (shown green or red) and "" when not, `note` what it rests on, `url`
    the page it comes from."""

    MET = "met"
    MISSED = "missed"

    value: str
    status: str = ""
    note: str = ""
    url: str = ""


@dataclass(frozen=True)
class OutletView:
    code: str  # stable, e.g. "inspections.spot" (the API names it)
    name: str  # shown (a lazy translation)
    module: str  # the part of the platform it belongs to
    facts: Callable[[list, dt.datetime], dict[int, Fact]]
    order: int = 100  # place on the page and in the table, smaller first


_views: dict[str, OutletView] = {}


def register_outlet_view(view: OutletView) -> OutletView:
    """Add a view to the outlet's page and the cockpit's outlet table. Registering a code twice is a
    mistake."""
    if view.code in _views and _views[view.code] is not view:
        raise ValueError(f"outlet view {view.code!r} is registered twice")
    _views[view.code] = view
    return view


def outlet_views() -> list[OutletView]:
    return sorted(_views.values(), key=lambda v: v.order)


def outlet_facts(outlets: list, at: dt.datetime) -> list[tuple[OutletView, dict[int, Fact]]]:
    """Every view with its facts of `outlets`: each view's fixed number of queries, whatever the
    number of outlets."""
    if not outlets:
        return [(view, {}) for view in outlet_views()]
    return [(view, view.facts(outlets, at)) for view in outlet_views()]


@dataclass(frozen=True)
class OutletTable:
    """Every view, and per outlet its fact of each view in the same order (None: nothing to say)."""

    views: list[OutletView]
    rows: list[tuple[Outlet, list[Fact | None]]]


def outlet_table(outlets: list[Outlet], at: dt.datetime) -> OutletTable:
    """outlet_facts() laid out as the cockpit's table, the outlet's card and the API show it."""
    found = outlet_facts(outlets, at)
    return OutletTable([view for view, _facts in found],
                       [(outlet, [facts.get(outlet.pk) for _view, facts in found]) for outlet in outlets])


def attached_outlets(unit: Unit) -> list[Outlet]:
    """The outlets attached to `unit` itself (a 支局's, a 营业部's), not closed, by code: the cockpit's
    last drill-down step. The caller has checked that the person may see `unit`."""
    return list(Outlet.objects.filter(unit=unit).exclude(status=Outlet.Status.CLOSED).select_related("unit")
                .order_by("code"))
