"""The cockpit (驾驶舱): every registered KPI of a unit and of each of its children, against targets."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postqc.org.models import Unit

from . import registry
from .targets import InForce, Targets

MET, MISSED, NO_TARGET, NO_DATA, THIN, OPEN = "met", "missed", "no_target", "no_data", "thin", "open"
STATUS_LABELS = {MET: _("达标"), MISSED: _("未达标"), NO_TARGET: _("未设目标"), NO_DATA: _("无数据"),
                 THIN: _("样本不足"), OPEN: _("进行中")}


def shown(kpi: registry.Kpi, value: float) -> Decimal:
    """A figure at the precision the cockpit shows it with: what is compared and subtracted."""
    return Decimal(str(round(value, kpi.decimals)))


def status(kpi: registry.Kpi, measure: registry.Measure, target: InForce) -> str:
    """met / missed against the target in force; no_data without a figure; thin when the figure rests
    on too few observations to judge; open while it is not settled (it can only grow until what it
    measures ends); no_target when none is set."""
    if measure.value is None:
        return NO_DATA
    if not measure.enough:
        return THIN
    if not measure.settled:
        return OPEN
    if target.value is None:
        return NO_TARGET
    value = shown(kpi, measure.value)
    met = value >= target.value if kpi.higher_is_better else value <= target.value
    return MET if met else MISSED


@dataclass(frozen=True)
class Cell:
    kpi: registry.Kpi
    measure: registry.Measure
    target: InForce
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def judged(self) -> bool:
        """Compared with a target: met or missed."""
        return self.status in (MET, MISSED)

    @property
    def gap(self) -> Decimal | None:
        """The figure as shown minus the target (negative: below it)."""
        if self.measure.value is None or self.target.value is None:
            return None
        return shown(self.kpi, self.measure.value) - self.target.value


@dataclass(frozen=True)
class Card:
    kpi: registry.Kpi
    figures: registry.Figures
    cell: Cell


@dataclass(frozen=True)
class ChildRow:
    unit: Unit
    cells: list[Cell]  # in the order of Cockpit.cards


@dataclass(frozen=True)
class Cockpit:
    unit: Unit
    year: int
    at: dt.datetime
    cards: list[Card]
    rows: list[ChildRow]

    @property
    def met(self) -> int:
        return sum(card.cell.status == MET for card in self.cards)

    @property
    def judged(self) -> int:
        return sum(card.cell.judged for card in self.cards)


def children_of(unit: Unit) -> list[Unit]:
    """The active child units, the operating ones first and the departments (职能部门) after them."""
    children = Unit.objects.filter(parent=unit, is_active=True).order_by("sort_order", "code")
    return sorted(children, key=lambda c: c.kind == Unit.Kind.DEPARTMENT)


def cockpit(user, unit: Unit, *, at: dt.datetime | None = None) -> Cockpit:
    """The cockpit of `unit` at `at` (default now; the caller has checked that `user` may see it): each
    KPI's figure and the target in force for that year, and the same for each active child unit.
    Each KPI measures once for all the children; targets take two queries."""
    at = at or timezone.now()
    year = timezone.localtime(at).year
    children = children_of(unit)
    ctx = registry.Context(user=user, unit=unit, children=children, at=at)
    targets = Targets(unit, year, children)
    cards, columns = [], []
    for kpi in registry.kpis():
        figures = kpi.measure(ctx)
        target = targets.of_unit(kpi.code, figures.default_target)
        cards.append(Card(kpi, figures, Cell(kpi, figures.total, target, status(kpi, figures.total, target))))
        column = []
        for child in children:
            measure = figures.children.get(child.pk, registry.Measure(None))
            child_target = targets.of_child(kpi.code, child, figures.default_target)
            column.append(Cell(kpi, measure, child_target, status(kpi, measure, child_target)))
        columns.append(column)
    rows = [ChildRow(child, [column[i] for column in columns]) for i, child in enumerate(children)]
    return Cockpit(unit=unit, year=year, at=at, cards=cards, rows=rows)
