"""Multi-row reads of the surveys app, scoped by core.access."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import NormalDist

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractQuarter

from postqc.core.access import ancestor_unit_ids, scoped, visible_unit_ids
from postqc.org.models import Unit, UnitClosure

from .models import Quota, Response, Survey


def surveys_for(user) -> QuerySet[Survey]:
    """Surveys a user may open: those run by their unit, a unit above it (the city's survey,
    whose responses they see for their own subtree) or a unit below it."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "unit_id", None) is None:
        return Survey.objects.none()
    return (Survey.objects.filter(Q(unit__in=visible_unit_ids(user)) | Q(unit__in=ancestor_unit_ids(user)))
            .select_related("unit").order_by("-year", "code"))


@dataclass
class PlanRow:
    unit: Unit
    channel: str
    quarter: int | None
    target: int
    approved: int
    pending: int

    @property
    def percent(self) -> float:
        """Approved responses as a share of the target, in percent (may exceed 100)."""
        return round(100 * self.approved / self.target, 1) if self.target else 0.0


def plan_progress(survey: Survey, user) -> list[PlanRow]:
    """The sample plan against what was collected: one row per quota of a unit in the user's
    subtree, with its approved and pending responses. Three queries whatever the size."""
    quotas = list(scoped(Quota.objects.filter(survey=survey), user).select_related("unit")
                  .order_by("unit__sort_order", "unit__code", "channel", "quarter"))
    if not quotas:
        return []
    below = defaultdict(set)  # quota unit id → unit ids under it
    for anc, desc in UnitClosure.objects.filter(ancestor_id__in={q.unit_id for q in quotas}).values_list(
            "ancestor_id", "descendant_id"):
        below[anc].add(desc)
    counts = (Response.objects.filter(survey=survey, status__in=[Response.Status.APPROVED, Response.Status.PENDING])
              .annotate(quarter=ExtractQuarter("submitted_at"))
              .values("outlet__unit_id", "channel", "quarter", "status").annotate(n=Count("id")))
    counts = list(counts)
    rows = []
    for q in quotas:
        tally = {Response.Status.APPROVED: 0, Response.Status.PENDING: 0}
        for c in counts:
            if (c["outlet__unit_id"] in below[q.unit_id] and (not q.channel or c["channel"] == q.channel)
                    and (q.quarter is None or c["quarter"] == q.quarter)):
                tally[c["status"]] += c["n"]
        rows.append(PlanRow(q.unit, q.channel, q.quarter, q.target, tally[Response.Status.APPROVED],
                            tally[Response.Status.PENDING]))
    return rows


def review_queue(survey: Survey, user) -> QuerySet[Response]:
    """Pending responses in the user's subtree, oldest first."""
    return (scoped(Response.objects.filter(survey=survey, status=Response.Status.PENDING), user)
            .select_related("outlet", "stratum", "interviewer").order_by("submitted_at", "pk"))


RESPONSE_FILTERS = frozenset({"status", "channel", "unit", "outlet", "flag", "date_from", "date_to"})


def responses(survey: Survey, user, filters: dict | None = None) -> QuerySet[Response]:
    """The survey's responses in the user's subtree, newest first. Filters: status, channel,
    unit (a Unit or id: that unit's subtree), outlet (Outlet or id), flag (one of qc.FLAGS),
    date_from / date_to (dates, Asia/Shanghai, inclusive)."""
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    qs = scoped(Response.objects.filter(survey=survey), user)
    if "status" in filters:
        qs = qs.filter(status=filters["status"])
    if "channel" in filters:
        qs = qs.filter(channel=filters["channel"])
    if "unit" in filters:
        unit_id = getattr(filters["unit"], "pk", filters["unit"])
        qs = qs.filter(outlet__unit__in=UnitClosure.objects.filter(ancestor_id=unit_id).values("descendant_id"))
    if "outlet" in filters:
        qs = qs.filter(outlet_id=getattr(filters["outlet"], "pk", filters["outlet"]))
    if "flag" in filters:
        # JSON lists are stored as text on every backend; a quoted flag name matches one element.
        qs = qs.filter(flags__icontains=f'"{filters["flag"]}"')
    if "date_from" in filters:
        qs = qs.filter(submitted_at__date__gte=filters["date_from"])
    if "date_to" in filters:
        qs = qs.filter(submitted_at__date__lte=filters["date_to"])
    return qs.select_related("outlet", "stratum", "interviewer").order_by("-submitted_at", "-pk")


@dataclass(frozen=True)
class WeakDimension:
    code: str
    name: str
    unit_score: float
    city_score: float
    diff: float
    significant: bool
    below_target: bool


def weak_dimensions(unit: Unit, survey: Survey | None = None) -> list[WeakDimension]:
    """A unit's weak dimensions in the latest survey with approved data for it (or `survey`):
    those significantly below the city (the 95% interval of the difference excludes 0) or below
    the survey's target. Weakest first."""
    from . import index

    return index.weak_dimensions(unit, survey)


def previous_survey(survey: Survey, among: QuerySet[Survey]) -> Survey | None:
    """Last year's survey to compare `survey` with, among `among` (e.g. surveys_for(user)): the one it
    was copied from, else the latest earlier survey of the same unit."""
    if survey.copied_from_id:
        found = among.filter(pk=survey.copied_from_id).first()
        if found is not None:
            return found
    return among.filter(unit_id=survey.unit_id, year__lt=survey.year).order_by("-year", "-pk").first()


SIGNAL_ALPHA = 0.05  # inspection_signals: the family-wise error rate of a survey's signals


@dataclass(frozen=True)
class InspectionSignal:
    """A dimension of a sample stratum (a district / county-level unit) that raises the inspection
    priority of its outlets: significantly lower than in the previous survey (`drop`, negative), or
    significantly below the city (`below_city`, negative). None where that test did not fire."""

    code: str
    name: str
    score: float
    drop: float | None
    below_city: float | None


def inspection_signals(unit: Unit) -> tuple[Survey | None, dict[int, list[InspectionSignal]]]:
    """The latest survey with approved responses from `unit`'s subtree, and per stratum id the
    dimensions that dropped significantly since the previous survey (the one it was copied from,
    else the latest earlier one of its unit) or lie significantly below the whole survey's: the
    difference's interval, √(se₁² + se₂²), wholly below 0 at the 5 % level corrected for the number
    of tests (strata × dimensions, Bonferroni): seven dimensions in nine strata are 63 tests, and at
    an uncorrected 95 % a few strata would be raised by chance every year. Two index statements,
    whatever the number of strata: the previous survey's table, and this one's with the city
    (index.overview, one pass)."""
    from . import index

    survey = index.latest_survey_for(unit)
    if survey is None:
        return None, {}
    previous = previous_survey(survey, Survey.objects.all())
    whole, table = index.overview(survey)
    before = {row.key: row for row in index.compute(previous, by="unit").rows} if previous else {}
    z = NormalDist().inv_cdf(1 - SIGNAL_ALPHA / (2 * max(1, len(table.rows) * len(table.dimensions))))

    def lower(diff) -> bool:  # the corrected interval lies below 0
        return diff.value is not None and diff.se is not None and diff.value + z * diff.se < 0

    signals: dict[int, list[InspectionSignal]] = {}
    for row in table.rows:
        for code, name, _weight in table.dimensions:
            own = row.dims.get(code, index.EMPTY)
            if own.value is None:
                continue
            drop = (index.difference(own, before[row.key].dims.get(code, index.EMPTY))[0]
                    if row.key in before else index.EMPTY)
            gap = index.difference(own, whole.dims.get(code, index.EMPTY))[0]
            dropped, below = lower(drop), lower(gap)
            if dropped or below:
                signals.setdefault(int(row.key), []).append(InspectionSignal(
                    code, name, own.value, drop.value if dropped else None, gap.value if below else None))
    return survey, signals
