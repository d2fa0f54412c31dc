"""A manager's figures of a unit's staff (scoped to the manager's subtree): participation, the
weakest clauses, predicted recall per clause."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, FloatField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from postqc.core.access import get_scoped_or_404, visible_unit_ids
from postqc.org.models import Staff, Unit, UnitClosure
from postqc.standards.models import Clause

from ..models import Answer, Bank, Question, ReviewCard
from .common import (
    ACCURACY_DAYS,
    ACTIVE_DAYS,
    WEAK_DAYS,
    WEAK_LIMIT,
    WEAK_MIN_ANSWERS,
    ClausePlace,
    Tally,
    WeekBar,
    _bars,
    _question_clauses,
    _weekly,
    clause_places,
    local_week_start,
    recall,
)

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


def outlet_participation(outlet_ids: list[int], *, at: dt.datetime | None = None) -> dict[int, Participation]:
    """Headcount, active in the last 7 / 30 days and 30-day accuracy of the active staff working at each
    outlet (Staff.outlet), by outlet id; the unit figures' definitions. Two queries. The caller has
    checked that the person looking may see the outlets."""
    at = at or timezone.now()
    out = {pk: Participation() for pk in outlet_ids}
    for outlet_id, n in (Staff.objects.filter(is_active=True, outlet_id__in=outlet_ids).values("outlet_id")
                         .annotate(n=Count("pk")).order_by().values_list("outlet_id", "n")):
        out[outlet_id].headcount = n
    since_7, since_30 = at - dt.timedelta(days=ACTIVE_DAYS[0]), at - dt.timedelta(days=ACTIVE_DAYS[1])
    since_acc = at - dt.timedelta(days=ACCURACY_DAYS)
    for row in (Answer.objects.filter(staff__is_active=True, staff__outlet_id__in=outlet_ids,
                                      answered_at__gt=min(since_30, since_acc), answered_at__lte=at)
                .values("staff__outlet_id").order_by()
                .annotate(a30=Count("staff_id", distinct=True, filter=Q(answered_at__gt=since_30)),
                          a7=Count("staff_id", distinct=True, filter=Q(answered_at__gt=since_7)),
                          n=Count("pk", filter=Q(answered_at__gt=since_acc)),
                          right=Count("pk", filter=Q(is_correct=True, answered_at__gt=since_acc)))):
        p = out[row["staff__outlet_id"]]
        p.active_30, p.active_7, p.answers, p.right = row["a30"], row["a7"], row["n"], row["right"]
    return out


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
