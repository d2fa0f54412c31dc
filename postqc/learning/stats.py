"""Learning statistics: a person's own figures, and (scoped) a manager's figures of a unit's staff.

docs/statistics.md explains every figure, its formula and its thresholds; the names below are
the ones it uses. Everything here only reads. Counting happens in the database (grouped,
conditional aggregates on indexed filters: answers by person and time, by question, by unit);
Python only folds bounded sets — one person's questions, a bank's first attempts, a unit's
FSRS cards — and each function's docstring says its bound. The query count of every function
is constant: it does not grow with staff, answers or questions.

"The unit's staff" is the active staff whose unit is the unit or any unit under it, now: a
person who moved keeps their history and it counts where they are today.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, FloatField, Q, QuerySet, Window
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from fsrs import Scheduler

from postqc.core.access import ancestor_unit_ids, get_scoped_or_404, visible_unit_ids
from postqc.org.models import Staff, Unit, UnitClosure
from postqc.org.roles import Capability
from postqc.standards.models import Clause, ClauseRevision, Standard

from .models import Answer, Bank, Question, QuestionVersion, ReviewCard
from .scheduling import policy_for

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


@dataclass
class Mastery(Tally):
    """A bank's or chapter's figures for one person. `done` = distinct questions answered;
    `mastery` = mean predicted recall over the person's FSRS cards there (None without cards)."""

    code: str = ""
    name: str = ""
    group: str = ""  # the chapter's standard; the bank's owning unit
    questions: int = 0  # practice questions there (banks only)
    done: int = 0
    cards: int = 0
    recall_sum: float = 0.0

    @property
    def mastery(self) -> float | None:
        return self.recall_sum / self.cards if self.cards else None


@dataclass(frozen=True)
class WeekBar:
    start: dt.date  # the week's Monday
    value: int
    share: float  # value ÷ the largest bar (or the goal), for the bar's length
    met: bool = False  # the weekly goal was reached


@dataclass
class PersonalSummary(Tally):
    done: int = 0
    banks: list[Mastery] = field(default_factory=list)
    chapters: list[Mastery] = field(default_factory=list)
    goal: int = 0
    this_week: int = 0
    weeks: list[WeekBar] = field(default_factory=list)

    @property
    def goal_share(self) -> float:
        return min(1.0, self.this_week / self.goal) if self.goal else 1.0

    @property
    def goal_left(self) -> int:
        return max(0, self.goal - self.this_week)


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


# --- The person ----------------------------------------------------------------------------------------


def personal_summary(user, *, at: dt.datetime | None = None) -> PersonalSummary:
    """done / right / wrong / accuracy over all the person's answers; per bank (the banks offered to
    them and any they answered) and per chapter (the top-level clause of the clauses a question's
    current version tests; a question citing two chapters counts in both) the same with mastery;
    this week's answers against the weekly goal (LearningPolicy.weekly_goal, weeks start Monday
    00:00 Asia/Shanghai) and the last WEEKS_SHOWN weeks. Eight queries; Python folds one row per
    question the person answered or holds a card for."""
    at = at or timezone.now()
    mine = Answer.objects.filter(staff=user)
    per_question = list(mine.values("question_id", "question__bank_id").order_by()
                        .annotate(n=Count("pk"), right=Count("pk", filter=Q(is_correct=True))))
    cards = list(ReviewCard.objects.filter(staff=user)
                 .values_list("question_id", "question__bank_id", "stability", "last_review"))
    bank_ids = {row["question__bank_id"] for row in per_question} | {c[1] for c in cards}
    practicable = Q(questions__status=Question.Status.PUBLISHED, questions__pool=Question.Pool.PRACTICE)
    banks = (Bank.objects.filter(Q(pk__in=bank_ids) | Q(is_active=True, unit__in=ancestor_unit_ids(user)))
             .select_related("unit").annotate(n_questions=Count("questions", filter=practicable))
             .order_by("unit__depth", "code"))
    by_bank = {b.pk: Mastery(code=b.code, name=b.name, group=b.unit.name, questions=b.n_questions) for b in banks}

    clauses_of = _question_clauses(Question.objects.filter(pk__in=mine.values("question_id"))
                                   | Question.objects.filter(pk__in=ReviewCard.objects.filter(staff=user)
                                                             .values("question_id")))
    places = clause_places(c for ids in clauses_of.values() for c in ids)
    chapters: dict[str, Mastery] = {}
    order: dict[str, tuple] = {}

    def chapters_of(question_id: int) -> list[Mastery]:
        found = {}
        for clause_id in clauses_of.get(question_id, ()):
            place = places.get(clause_id)
            if place is None:
                continue
            if place.chapter_code not in chapters:
                chapters[place.chapter_code] = Mastery(code=place.chapter_code, name=place.chapter_heading,
                                                       group=place.standard_title)
                order[place.chapter_code] = place.chapter_order
            found[place.chapter_code] = chapters[place.chapter_code]
        return list(found.values())

    summary = PersonalSummary()
    for row in per_question:
        targets = [by_bank[row["question__bank_id"]], *chapters_of(row["question_id"])]
        for t in (summary, *targets):
            t.answers += row["n"]
            t.right += row["right"]
            t.done += 1
    for question_id, bank_id, stability, last_review in cards:
        r = recall(stability, last_review, at)
        for t in (by_bank[bank_id], *chapters_of(question_id)):
            t.cards += 1
            t.recall_sum += r
    summary.banks = list(by_bank.values())
    summary.chapters = sorted(chapters.values(), key=lambda m: order[m.code])

    summary.goal = policy_for(user.unit_id).weekly_goal
    this_monday = local_week_start(at)
    counts = _weekly(mine, this_monday=this_monday)
    summary.this_week = counts.get(this_monday.date(), 0)
    summary.weeks = _bars(counts, this_monday, floor=summary.goal, goal=summary.goal)
    return summary


def _bars(counts: dict[dt.date, int], this_monday: dt.datetime, *, floor: int = 0, goal: int = 0) -> list[WeekBar]:
    weeks = [(this_monday - dt.timedelta(weeks=i)).date() for i in range(WEEKS_SHOWN - 1, -1, -1)]
    top = max([floor, *(counts.get(w, 0) for w in weeks)]) or 1
    return [WeekBar(start=w, value=counts.get(w, 0), share=counts.get(w, 0) / top,
                    met=bool(goal) and counts.get(w, 0) >= goal) for w in weeks]


# --- Managers: which unit ---------------------------------------------------------------------------


def managed_unit(manager, code: str = "") -> Unit:
    """The unit `code` inside the manager's subtree (another unit: Http404), or the manager's own unit."""
    if not code:
        return Unit.objects.get(pk=manager.unit_id)
    return get_scoped_or_404(Unit.objects.all(), manager, code=code)


def unit_choices(manager) -> list[tuple[str, str]]:
    """(code, indented name) of every active unit in the manager's subtree, in tree order (one query)."""
    units = list(Unit.objects.filter(pk__in=visible_unit_ids(manager), is_active=True)
                 .order_by("depth", "sort_order", "code").values_list("pk", "parent_id", "code", "name", "depth"))
    children = defaultdict(list)
    ids = {u[0] for u in units}
    roots = []
    for unit in units:
        (children[unit[1]] if unit[1] in ids else roots).append(unit)
    out = []
    stack = list(reversed(roots))
    base = min((u[4] for u in units), default=0)
    while stack:
        pk, _parent, code, name, depth = stack.pop()
        out.append((code, "\u3000" * (depth - base) + name))
        stack.extend(reversed(children[pk]))
    return out


def _subtree(unit: Unit) -> QuerySet:
    return UnitClosure.objects.filter(ancestor=unit).values("descendant_id")


def _unit_staff(unit: Unit) -> QuerySet:
    return Staff.objects.filter(is_active=True, unit__in=_subtree(unit))


def _unit_answers(unit: Unit) -> QuerySet:
    return Answer.objects.filter(staff__is_active=True, staff__unit__in=_subtree(unit))


def _check(manager, unit: Unit) -> Unit:
    """`unit` itself when it lies in the manager's subtree; Http404 otherwise (never a 403)."""
    return get_scoped_or_404(Unit.objects.all(), manager, pk=unit.pk)


# --- Participation ---------------------------------------------------------------------------------


@dataclass
class Participation(Tally):
    """A unit's (or one of its children's) participation. `answers`/`right` are of the last
    ACCURACY_DAYS days."""

    unit: Unit | None = None
    label: str = ""
    headcount: int = 0
    active_7: int = 0
    active_30: int = 0

    @property
    def rate_7(self) -> float | None:
        return self.active_7 / self.headcount if self.headcount else None

    @property
    def rate_30(self) -> float | None:
        return self.active_30 / self.headcount if self.headcount else None


@dataclass
class UnitParticipation:
    total: Participation
    rows: list[Participation]  # one per child unit, then the unit's own staff when it has any
    weeks: list[WeekBar]  # distinct staff who answered, per week


def unit_participation(manager, *, unit: Unit | None = None, at: dt.datetime | None = None) -> UnitParticipation:
    """Headcount, active in the last 7 / 30 days, participation rates and 30-day accuracy of the unit's
    staff, in total and per child unit (each child with everything under it), and the weekly number
    of active staff over WEEKS_SHOWN weeks. Six queries whatever the number of staff or answers:
    staff are counted per unit and answers grouped per unit in the database, then the few hundred
    unit rows are rolled up to the children through the closure table."""
    unit = _check(manager, unit or managed_unit(manager))
    at = at or timezone.now()
    children = list(Unit.objects.filter(parent=unit).order_by("sort_order", "code"))
    child_of = dict(UnitClosure.objects.filter(ancestor__parent=unit).values_list("descendant_id", "ancestor_id"))
    heads = dict(_unit_staff(unit).values("unit_id").annotate(n=Count("pk")).order_by().values_list("unit_id", "n"))
    since_7, since_30 = at - dt.timedelta(days=ACTIVE_DAYS[0]), at - dt.timedelta(days=ACTIVE_DAYS[1])
    since_acc = at - dt.timedelta(days=ACCURACY_DAYS)
    recent = (_unit_answers(unit).filter(answered_at__gt=min(since_30, since_acc), answered_at__lte=at)
              .values("staff__unit_id").order_by()
              .annotate(a30=Count("staff_id", distinct=True, filter=Q(answered_at__gt=since_30)),
                        a7=Count("staff_id", distinct=True, filter=Q(answered_at__gt=since_7)),
                        n=Count("pk", filter=Q(answered_at__gt=since_acc)),
                        right=Count("pk", filter=Q(is_correct=True, answered_at__gt=since_acc))))
    rows = {c.pk: Participation(unit=c, label=c.name) for c in children}
    own = Participation(unit=unit, label=unit.name)
    total = Participation(unit=unit, label=unit.name)

    def target(unit_id: int) -> Participation:
        return rows[child_of[unit_id]] if unit_id in child_of else own

    for unit_id, n in heads.items():
        for t in (total, target(unit_id)):
            t.headcount += n
    for row in recent:
        for t in (total, target(row["staff__unit_id"])):
            t.active_30 += row["a30"]
            t.active_7 += row["a7"]
            t.answers += row["n"]
            t.right += row["right"]
    listed = list(rows.values())
    if own.headcount or own.active_30:
        listed.append(own)
    this_monday = local_week_start(at)
    counts = _weekly(_unit_answers(unit).filter(answered_at__lte=at), this_monday=this_monday, field="staff_id",
                     distinct=True)
    return UnitParticipation(total=total, rows=listed, weeks=_bars(counts, this_monday))


# --- Clauses -------------------------------------------------------------------------------------------


@dataclass
class ClauseTally(Tally):
    clause_id: int = 0
    place: ClausePlace | None = None


def weakest_clauses(manager, *, unit: Unit, limit: int = WEAK_LIMIT, min_answers: int = WEAK_MIN_ANSWERS,
                    days: int = WEAK_DAYS, at: dt.datetime | None = None) -> list[ClauseTally]:
    """The clauses the unit's staff answer worst: accuracy of their answers of the last `days` days on
    questions whose answered version tests the clause, lowest first, among clauses with at least
    `min_answers` answers (fewer say little). Grouped, filtered, ordered and cut in the database;
    then one query for the clauses' places. Ties: more answers first."""
    unit = _check(manager, unit)
    at = at or timezone.now()
    rows = list(_unit_answers(unit)
                .filter(answered_at__gt=at - dt.timedelta(days=days), answered_at__lte=at,
                        version__clauses__isnull=False)
                .values("version__clauses").order_by()
                .annotate(n=Count("pk"), right=Count("pk", filter=Q(is_correct=True)))
                .filter(n__gte=min_answers)
                .annotate(acc=Cast("right", FloatField()) / Cast("n", FloatField()))
                .order_by("acc", "-n", "version__clauses")[:limit])
    places = clause_places(r["version__clauses"] for r in rows)
    return [ClauseTally(answers=r["n"], right=r["right"], clause_id=r["version__clauses"],
                        place=places.get(r["version__clauses"]) or _fallback_place(r["version__clauses"]))
            for r in rows]


def _fallback_place(clause_id: int) -> ClausePlace:
    """A clause the current version of its standard dropped: its code only."""
    clause = Clause.objects.select_related("standard").get(pk=clause_id)
    order = (clause.standard.kind, clause.standard.code, 0)
    return ClausePlace(code=clause.code, heading="", depth=0, order=order, standard_code=clause.standard.code,
                       standard_title=clause.standard.title, chapter_code=clause.code, chapter_heading="",
                       chapter_order=order)


@dataclass
class ClauseRecall:
    clause_id: int
    place: ClausePlace
    questions: int = 0  # practice questions testing the clause with at least one card in the unit
    cards: int = 0
    recall_sum: float = 0.0
    staff_with_card: int = 0
    headcount: int = 0

    @property
    def recall(self) -> float | None:
        return self.recall_sum / self.cards if self.cards else None

    @property
    def coverage(self) -> float | None:
        return self.staff_with_card / self.headcount if self.headcount else None


@dataclass
class ChapterRecall:
    standard_title: str
    chapter_code: str
    chapter_heading: str
    clauses: list[ClauseRecall]


def predicted_recall_by_clause(manager, *, unit: Unit, at: dt.datetime | None = None,
                               bank: Bank | None = None) -> list[ChapterRecall]:
    """Per clause tested by a practice question: the mean predicted recall (FSRS retrievability at
    `at`) over the unit's staff's cards on the clause's questions — cards never reviewed count 0 —
    and coverage, the share of the unit's staff holding a card on any of them. Grouped by chapter
    in the standard's order. Five queries. Cost: the recall is computed in Python, one float
    formula per card, so it is bounded by the unit's staff × the practice questions (a whole city
    of 2,000 people who each practised a 400-question bank: 800,000 cards, about a second);
    the cards stream from the database in chunks, not held in memory."""
    unit = _check(manager, unit)
    at = at or timezone.now()
    headcount = _unit_staff(unit).count()
    cards = ReviewCard.objects.filter(staff__is_active=True, staff__unit__in=_subtree(unit),
                                      question__status=Question.Status.PUBLISHED,
                                      question__pool=Question.Pool.PRACTICE)
    if bank is not None:
        cards = cards.filter(question__bank=bank)
    sums: dict[int, list] = defaultdict(lambda: [0, 0.0])
    for question_id, stability, last_review in cards.values_list("question_id", "stability",
                                                                 "last_review").iterator(chunk_size=5000):
        s = sums[question_id]
        s[0] += 1
        s[1] += recall(stability, last_review, at)
    clauses_of = _question_clauses(Question.objects.filter(pk__in=cards.values("question_id")))
    covered = dict(cards.filter(question__current__clauses__isnull=False).values("question__current__clauses")
                   .order_by().annotate(n=Count("staff_id", distinct=True))
                   .values_list("question__current__clauses", "n"))
    places = clause_places(covered)
    out: dict[int, ClauseRecall] = {}
    for question_id, clause_ids in clauses_of.items():
        n, total = sums.get(question_id, (0, 0.0))
        for clause_id in clause_ids:
            if clause_id not in places:
                continue
            row = out.setdefault(clause_id, ClauseRecall(clause_id=clause_id, place=places[clause_id],
                                                         staff_with_card=covered.get(clause_id, 0),
                                                         headcount=headcount))
            row.questions += 1
            row.cards += n
            row.recall_sum += total
    chapters: dict[str, ChapterRecall] = {}
    for row in sorted(out.values(), key=lambda r: r.place.order):
        p = row.place
        chapter = chapters.setdefault(p.chapter_code, ChapterRecall(p.standard_title, p.chapter_code,
                                                                    p.chapter_heading, []))
        chapter.clauses.append(row)
    return list(chapters.values())


# --- Item analysis ------------------------------------------------------------------------------------------


FLAG_LABELS = {
    "negative_discrimination": _("区分度为负：可能有歧义或答案有误"),
    "low_discrimination": _("区分度低：可能有歧义"),
    "too_hard": _("过难"),
    "too_easy": _("过易"),
}


@dataclass
class ItemRow:
    """One question version's first attempts. marks are 0/1, so facility is the share right."""

    question_id: int
    code: str
    version: int
    is_current: bool
    type: str
    stem: str
    sort_order: int
    n: int = 0
    right: int = 0
    discrimination: float | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def facility(self) -> float | None:
        return self.right / self.n if self.n else None

    @property
    def flag_pairs(self) -> list[tuple[str, str]]:
        return [(f, str(FLAG_LABELS[f])) for f in self.flags]

    @property
    def flag_labels(self) -> list[str]:
        return [label for _f, label in self.flag_pairs]


@dataclass
class ItemAnalysis:
    bank: Bank
    unit: Unit
    people: int  # staff with at least one first attempt in the bank
    first_attempts: int
    rows: list[ItemRow]

    @property
    def flagged(self) -> int:
        return sum(1 for r in self.rows if r.flags)


def banks_for_stats(manager) -> QuerySet[Bank]:
    """The banks whose item analysis a manager may see: those of their subtree, and those offered to
    their staff from above (the city bank, for a county) — computed on their own staff only."""
    return (Bank.objects.filter(Q(unit__in=visible_unit_ids(manager)) | Q(unit__in=ancestor_unit_ids(manager)))
            .select_related("unit").order_by("unit__depth", "code"))


def first_attempts(answers: QuerySet) -> QuerySet:
    """Each person's first answer on each question among `answers` (earliest answered_at, then
    lowest id): one query with ROW_NUMBER() over (staff, question)."""
    ranked = answers.annotate(rank=Window(RowNumber(), partition_by=[F("staff_id"), F("question_id")],
                                          order_by=[F("answered_at").asc(), F("pk").asc()]))
    return ranked.filter(rank=1)


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """The Pearson correlation of two equal-length lists; None when either does not vary (or n < 2)."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def item_flags(*, n: int, facility: float | None, discrimination: float | None) -> list[str]:
    """The warnings of one item (docs/statistics.md): none below ITEM_MIN_N first attempts."""
    if n < ITEM_MIN_N or facility is None:
        return []
    flags = []
    if discrimination is not None and discrimination < 0:
        flags.append("negative_discrimination")
    elif discrimination is not None and discrimination < DISCRIMINATION_LOW:
        flags.append("low_discrimination")
    if facility < FACILITY_LOW:
        flags.append("too_hard")
    elif facility > FACILITY_HIGH:
        flags.append("too_easy")
    return flags


def item_analysis(manager, *, bank: Bank, unit: Unit | None = None) -> ItemAnalysis:
    """Facility and discrimination of every question version of `bank` answered by the unit's staff,
    on FIRST attempts only (each person's first answer on each question; later answers — after
    seeing the 解析 — would measure memory, not the item).

    Moodle defines discrimination as the correlation between the item's mark and the mark on the
    rest of the test. Practice has no fixed test: people answer different subsets of the bank. So
    the "test" is the person's first attempts across the bank, and the rest-of-test mark is their
    proportion right on their OTHER first attempts (people with no other first attempt are left
    out of the correlation, not of n and facility). Facility = mean mark ÷ max mark = share right.

    Two queries (the first attempts, then the bank's versions); Python folds the first attempts,
    bounded by the bank's questions × the unit's staff."""
    unit = _check(manager, unit or managed_unit(manager))
    answers = _unit_answers(unit).filter(question__bank=bank)
    if not manager.can(Capability.EDIT_CONTENT):
        answers = answers.exclude(question__pool=Question.Pool.RESERVED)
    firsts = list(first_attempts(answers).values_list("staff_id", "question_id", "version_id", "is_correct"))
    per_person: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # staff → [first attempts, right]
    for staff_id, _q, _v, correct in firsts:
        p = per_person[staff_id]
        p[0] += 1
        p[1] += bool(correct)
    versions = {pk: row for pk, *row in QuestionVersion.objects.filter(question__bank=bank).values_list(
        "pk", "question_id", "question__code", "number", "question__current_id", "type", "stem",
        "question__sort_order")}
    rows: dict[int, ItemRow] = {}
    pairs: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for staff_id, _q, version_id, correct in firsts:
        question_id, code, number, current_id, type_, stem, order = versions[version_id]
        row = rows.get(version_id)
        if row is None:
            row = rows[version_id] = ItemRow(question_id=question_id, code=code, version=number,
                                             is_current=current_id == version_id, type=type_, stem=stem,
                                             sort_order=order)
        x = 1 if correct else 0
        row.n += 1
        row.right += x
        count, right = per_person[staff_id]
        if count > 1:
            xs, ys = pairs[version_id]
            xs.append(x)
            ys.append((right - x) / (count - 1))
    for version_id, row in rows.items():
        row.discrimination = pearson(*pairs[version_id]) if version_id in pairs else None
        row.flags = item_flags(n=row.n, facility=row.facility, discrimination=row.discrimination)
    ordered = sorted(rows.values(), key=lambda r: (r.sort_order, r.question_id, r.version))
    return ItemAnalysis(bank=bank, unit=unit, people=len(per_person), first_attempts=len(firsts), rows=ordered)
