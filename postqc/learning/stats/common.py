"""What the person's, the units' and the items' statistics share: the thresholds of
docs/statistics.md, the FSRS forgetting curve, weekly counts and bars, and where a clause sits
in its standard."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from fsrs import Scheduler

from postqc.standards.models import ClauseRevision, Standard

from ..models import QuestionVersion

# --- Thresholds (docs/statistics.md) -------------------------------------------------------------

WEEKS_SHOWN = 8  # the personal weekly bars and the managers' weekly-active trend
ACTIVE_DAYS = (7, 30)  # "active" = answered at least once in the last 7 / 30 days
ACCURACY_DAYS = 30  # the overview's accuracy is over the same 30 days
WEAK_DAYS = 90  # the weakest clauses are ranked on the last 90 days of answers
WEAK_MIN_ANSWERS = 20  # a clause needs this many answers in the window to be ranked
WEAK_LIMIT = 20
ITEM_MIN_N = 30  # an item is flagged only with at least this many first attempts
DISCRIMINATION_LOW = 0.1  # below: the item does not separate strong from weak people (ambiguous?)
FACILITY_LOW = 0.2  # below: too hard (or a wrong key)
FACILITY_HIGH = 0.95  # above: too easy to tell anyone apart

# FSRS forgetting curve of the `fsrs` package (v6): R(t) = (1 + FACTOR · t / S) ^ DECAY, t in whole
# days since the last review, S the stability in days. The curve does not depend on the desired
# retention (that only sets the next interval), so one scheduler's parameters serve every card.
_DECAY = -Scheduler(enable_fuzzing=False).parameters[20]
_FACTOR = 0.9 ** (1 / _DECAY) - 1


def recall(stability: float | None, last_review: dt.datetime | None, at: dt.datetime) -> float:
    """Predicted probability of recalling a card's answer at `at`: Scheduler.get_card_retrievability's
    formula on the stored stability and last review. A card never reviewed (pushed into the
    queue before the person ever answered) is 0."""
    if stability is None or last_review is None:
        return 0.0
    days = max(0, (at - last_review).days)
    return (1 + _FACTOR * days / stability) ** _DECAY


def local_week_start(at: dt.datetime) -> dt.datetime:
    """Monday 00:00 of the week holding `at`, in the site's time zone (Asia/Shanghai)."""
    local = timezone.localtime(at)
    return (local - dt.timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)


def _weekly(qs: QuerySet, *, this_monday: dt.datetime, field: str = "pk", distinct: bool = False) -> dict[dt.date, int]:
    """{local Monday: count of `field` in that week} over the WEEKS_SHOWN weeks up to this one, in one
    query: a conditional COUNT per week over an index range of answered_at (no per-row date function)."""
    mondays = [this_monday - dt.timedelta(weeks=i) for i in range(WEEKS_SHOWN - 1, -1, -1)]
    ends = [*mondays[1:], this_monday + dt.timedelta(weeks=1)]
    counts = qs.filter(answered_at__gte=mondays[0], answered_at__lt=ends[-1]).aggregate(**{
        f"w{i}": Count(field, distinct=distinct, filter=Q(answered_at__gte=start, answered_at__lt=end))
        for i, (start, end) in enumerate(zip(mondays, ends, strict=True))})
    return {monday.date(): counts[f"w{i}"] for i, monday in enumerate(mondays)}


@dataclass
class Tally:
    """Answers and right answers; `accuracy` is right ÷ answers (None without answers)."""

    answers: int = 0
    right: int = 0

    @property
    def wrong(self) -> int:
        return self.answers - self.right

    @property
    def accuracy(self) -> float | None:
        return self.right / self.answers if self.answers else None


@dataclass(frozen=True)
class WeekBar:
    start: dt.date  # the week's Monday
    value: int
    share: float  # value ÷ the largest bar (or the goal), for the bar's length
    met: bool = False  # the weekly goal was reached


def _bars(counts: dict[dt.date, int], this_monday: dt.datetime, *, floor: int = 0, goal: int = 0) -> list[WeekBar]:
    weeks = [(this_monday - dt.timedelta(weeks=i)).date() for i in range(WEEKS_SHOWN - 1, -1, -1)]
    top = max([floor, *(counts.get(w, 0) for w in weeks)]) or 1
    return [WeekBar(start=w, value=counts.get(w, 0), share=counts.get(w, 0) / top,
                    met=bool(goal) and counts.get(w, 0) >= goal) for w in weeks]


# --- Clause outlines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClausePlace:
    """Where a clause sits in its standard's current version."""

    code: str
    heading: str
    depth: int
    order: tuple[str, str, int]  # (standard kind, standard code, sort order): the library's order
    standard_code: str
    standard_title: str
    chapter_code: str
    chapter_heading: str
    chapter_order: tuple[str, str, int]


def clause_places(clause_ids) -> dict[int, ClausePlace]:
    """{clause id: its place} for the clauses in the current version of their standard (a clause the
    current version dropped has no place). Chapter = its top-level ancestor. Two queries; Python
    walks the parents of the standards involved (the size of the library, not of the answers)."""
    clause_ids = set(clause_ids)
    if not clause_ids:
        return {}
    versions = Standard.objects.filter(clauses__in=clause_ids).values("current_version_id")
    rows = list(ClauseRevision.objects.filter(version_id__in=versions)
                .values_list("pk", "clause_id", "parent_id", "depth", "heading", "sort_order", "clause__code",
                             "version__standard__code", "version__standard__title", "version__standard__kind"))
    by_rev = {row[0]: row for row in rows}
    places = {}
    for rev, clause_id, parent, depth, heading, order, code, std_code, std_title, kind in rows:
        if clause_id not in clause_ids:
            continue
        top = by_rev[rev]
        while top[2] is not None:
            top = by_rev[top[2]]
        places[clause_id] = ClausePlace(code=code, heading=heading, depth=depth, order=(kind, std_code, order),
                                        standard_code=std_code, standard_title=std_title, chapter_code=top[6],
                                        chapter_heading=top[4], chapter_order=(kind, std_code, top[5]))
    return places


def _question_clauses(questions: QuerySet) -> dict[int, list[int]]:
    """{question id: clause ids its current version tests}, one query."""
    links = QuestionVersion.clauses.through.objects.filter(questionversion_id__in=questions.values("current_id"))
    out: dict[int, list[int]] = defaultdict(list)
    for question_id, clause_id in links.values_list("questionversion__question_id", "clause_id"):
        out[question_id].append(clause_id)
    return out
