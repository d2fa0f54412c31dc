"""达标率 (compliance) and the outlets' standing, for a unit and a year.

Which inspection counts: an outlet's latest 抽查 (spot check by a unit above it) in the year.
自查 (self-inspections) are shown but do not count: an outlet does not mark its own exam. The
达标率 of a unit is the share of its inspected outlets (open or suspended, not closed) whose
counted inspection passed; how many of its outlets were inspected at all is shown beside it
(覆盖率).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from postqc.org.models import Outlet, Unit, UnitClosure

from .models import Finding, Inspection


@dataclass
class Compliance:
    outlets: int = 0
    inspected: int = 0
    passed: int = 0

    @property
    def rate(self) -> float | None:
        """达标率: passed ÷ inspected, in percent."""
        return self.passed * 100 / self.inspected if self.inspected else None

    @property
    def coverage(self) -> float | None:
        """覆盖率: inspected ÷ outlets, in percent."""
        return self.inspected * 100 / self.outlets if self.outlets else None

    def add(self, inspection: Inspection | None) -> None:
        self.outlets += 1
        if inspection is not None:
            self.inspected += 1
            self.passed += inspection.passed


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def outlets_in(unit: Unit) -> QuerySet[Outlet]:
    subtree = UnitClosure.objects.filter(ancestor=unit).values("descendant_id")
    return Outlet.objects.filter(unit_id__in=subtree).exclude(status=Outlet.Status.CLOSED)


def latest_of_year(kind: str, year: int):
    """A subquery of the outlet's (OuterRef "pk") latest inspection of `kind` in `year`."""
    first, last = _year_range(year)
    return (Inspection.objects.filter(outlet_id=OuterRef("pk"), kind=kind, inspected_on__gte=first,
                                      inspected_on__lte=last)
            .order_by("-inspected_on", "-created_at").values("pk")[:1])


@dataclass
class OutletStanding:
    outlet: Outlet
    counted: Inspection | None  # the latest 抽查 of the year
    last_self: Inspection | None  # the latest 自查 of the year


def standings(unit: Unit, year: int) -> list[OutletStanding]:
    """Every open or suspended outlet under `unit` with its counted inspection and its latest
    self-inspection of `year`. Two queries."""
    outlets = list(outlets_in(unit).select_related("unit")
                   .annotate(counted_id=Subquery(latest_of_year(Inspection.Kind.SPOT, year)),
                             self_id=Subquery(latest_of_year(Inspection.Kind.SELF, year)))
                   .order_by("unit__sort_order", "unit__code", "code"))
    ids = {o.counted_id for o in outlets} | {o.self_id for o in outlets}
    found = Inspection.objects.select_related("inspector").in_bulk([pk for pk in ids if pk])
    return [OutletStanding(o, found.get(o.counted_id), found.get(o.self_id)) for o in outlets]


def compliance_by_child(unit: Unit, year: int) -> tuple[Compliance, dict[int, Compliance], list[OutletStanding]]:
    """The 达标率 of `unit` and of each of its children (each with its subtree), and the standings
    they come from. Three queries."""
    rows = standings(unit, year)
    child_of = dict(UnitClosure.objects.filter(ancestor__parent=unit, descendant_id__in={r.outlet.unit_id for r in rows})
                    .values_list("descendant_id", "ancestor_id"))
    total, children = Compliance(), {}
    for row in rows:
        total.add(row.counted)
        if row.outlet.unit_id in child_of:
            children.setdefault(child_of[row.outlet.unit_id], Compliance()).add(row.counted)
    return total, children, rows


def inspections_for(queryset: QuerySet[Inspection], *, kind: str = "", passed: str = "",
                    year: int | None = None) -> QuerySet[Inspection]:
    """A (scoped) inspection list narrowed by kind, result and year, newest first."""
    if kind in Inspection.Kind.values:
        queryset = queryset.filter(kind=kind)
    if passed in ("1", "0"):
        queryset = queryset.filter(passed=passed == "1")
    if year:
        first, last = _year_range(year)
        queryset = queryset.filter(inspected_on__gte=first, inspected_on__lte=last)
    return queryset.select_related("outlet", "unit", "inspector", "version__checklist").order_by("-inspected_on", "-pk")


@dataclass
class OnTime:
    """整改按期完成: of the findings first due in the year before today, how many were closed (verified)
    by that first deadline — sending a fix back or reassigning it moves its deadline, not this one."""

    due: int = 0
    on_time: int = 0

    @property
    def rate(self) -> float | None:
        return self.on_time * 100 / self.due if self.due else None


def on_time_by_child(unit: Unit, year: int, today: dt.date) -> tuple[OnTime, dict[int, OnTime]]:
    """整改按期完成率 of `unit` and of each of its children. Two queries."""
    first, last = _year_range(year)
    subtree = UnitClosure.objects.filter(ancestor=unit).values("descendant_id")
    per_unit = list(Finding.objects.filter(unit_id__in=subtree, due__gte=first,
                                           due__lte=min(today - dt.timedelta(days=1), last))
                    .annotate(closed_on=TruncDate("closed_at")).order_by().values("unit_id")
                    .annotate(due_n=Count("pk"), on_time=Count("pk", filter=Q(status=Finding.Status.CLOSED,
                                                                              closed_on__lte=F("due")))))
    child_of = dict(UnitClosure.objects.filter(ancestor__parent=unit, descendant_id__in=[r["unit_id"] for r in per_unit])
                    .values_list("descendant_id", "ancestor_id"))
    total, children = OnTime(), {}
    for row in per_unit:
        for t in [total] + ([children.setdefault(child_of[row["unit_id"]], OnTime())]
                            if row["unit_id"] in child_of else []):
            t.due += row["due_n"]
            t.on_time += row["on_time"]
    return total, children


# --- 抽查优先 (where to inspect next) ------------------------------------------------------------------

# The points behind an outlet's priority: what the quality staff weigh when they plan the next round
# of spot checks. The survey closes the loop of design.md: a dimension of the outlet's district /
# county that dropped, or lies below the city, raises the priority of every outlet there.
NOT_INSPECTED_POINTS = 40  # no 抽查 this year
FAILED_POINTS = 30  # the latest 抽查 of the year failed …
CRITICAL_POINTS = 10  # … on a 否决项
OVERDUE_POINTS, OVERDUE_CAP = 10, 30  # each finding past its deadline and not closed
DROP_POINTS, BELOW_CITY_POINTS, SURVEY_CAP = 15, 10, 30  # per survey dimension signal


@dataclass
class Priority:
    outlet: Outlet
    counted: Inspection | None  # the latest 抽查 of the year
    overdue: int  # findings past their deadline, not closed
    signals: list  # surveys.selectors.InspectionSignal of the outlet's stratum

    @property
    def score(self) -> int:
        score = 0
        if self.counted is None:
            score += NOT_INSPECTED_POINTS
        elif not self.counted.passed:
            score += FAILED_POINTS + (CRITICAL_POINTS if self.counted.critical_failed else 0)
        score += min(OVERDUE_CAP, OVERDUE_POINTS * self.overdue)
        survey = sum((DROP_POINTS if s.drop is not None else 0) + (BELOW_CITY_POINTS if s.below_city is not None else 0)
                     for s in self.signals)
        return score + min(SURVEY_CAP, survey)

    def reasons(self) -> list[str]:
        """What the points are for, as shown on the page, in the Excel sheet and the API."""
        out = []
        if self.counted is None:
            out.append(_("本年度未抽查"))
        elif not self.counted.passed:
            out.append(_("最近抽查不达标（否决项 %(n)d 项）") % {"n": self.counted.critical_failed}
                       if self.counted.critical_failed else _("最近抽查不达标"))
        if self.overdue:
            out.append(ngettext("整改逾期 %(n)d 项", "整改逾期 %(n)d 项", self.overdue) % {"n": self.overdue})
        for s in self.signals:
            if s.drop is not None:
                out.append(_("满意度「%(d)s」较上次调查下降 %(v).1f 分") % {"d": s.name, "v": -s.drop})
            if s.below_city is not None:
                out.append(_("满意度「%(d)s」低于全市 %(v).1f 分") % {"d": s.name, "v": -s.below_city})
        return out


def priorities(unit: Unit, year: int, today: dt.date) -> tuple[object, list[Priority]]:
    """Every open or suspended outlet under `unit`, most in need of a spot check first: the survey the
    signals come from (None without one) and the outlets with their points (Priority). A fixed number
    of queries: the standings (two), the overdue findings, the strata, and the survey's index (two)."""
    from postqc.surveys.selectors import inspection_signals

    rows = standings(unit, year)
    overdue = dict(Finding.objects.filter(outlet__in=outlets_in(unit), deadline__lt=today)
                   .exclude(status=Finding.Status.CLOSED).order_by()
                   .values("outlet_id").annotate(n=Count("pk")).values_list("outlet_id", "n"))
    survey, signals = inspection_signals(unit)
    stratum_of = dict(UnitClosure.objects.filter(descendant_id__in={r.outlet.unit_id for r in rows},
                                                 ancestor_id__in=list(signals))
                      .values_list("descendant_id", "ancestor_id")) if signals else {}
    found = [Priority(r.outlet, r.counted, overdue.get(r.outlet.pk, 0),
                      signals.get(stratum_of.get(r.outlet.unit_id), [])) for r in rows]
    found.sort(key=lambda p: -p.score)  # stable: tree order within a score
    return survey, found
