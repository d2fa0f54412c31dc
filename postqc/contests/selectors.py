"""Reads of the exam engine: what a person is offered, their attempts, the paper as they see it
(never with an answer), and the result as far as the exam's reveal setting allows."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from postqc.core.access import offered_to, scoped, visible_unit_ids
from postqc.core.numerals import counting_numeral
from postqc.learning.models import QuestionVersion

from . import boards
from .models import Attempt, AttemptItem, BlueprintRule, BoardEntry, Exam
from .answering import OPTIONED
from .audience import eligible_to
from .services import to_displayed_keys

IN_PROGRESS = Attempt.Status.IN_PROGRESS
OPEN, UPCOMING, FINISHED = "open", "upcoming", "finished"
STATES = (OPEN, UPCOMING, FINISHED)
COMPETITIONS = (Exam.Kind.CONTEST, Exam.Kind.EXAM)  # the 竞赛 tab; mock exams live under 学习


def _rule_totals(qs: QuerySet[Exam]) -> QuerySet[Exam]:
    rules = BlueprintRule.objects.filter(exam=OuterRef("pk")).values("exam").order_by()
    money = DecimalField(max_digits=7, decimal_places=2)
    return qs.annotate(
        question_count=Coalesce(Subquery(rules.annotate(n=Sum("count")).values("n")), 0),
        max_score=Coalesce(Subquery(rules.annotate(
            s=Sum(ExpressionWrapper(F("count") * F("points"), output_field=money))).values("s")),
            Decimal(0), output_field=money),
    )


def state_filter(state: str, at: dt.datetime) -> Q:
    """open: open now (no window counts as always open); upcoming: opens later; finished: closed."""
    if state == OPEN:
        return (Q(opens_at__isnull=True) | Q(opens_at__lte=at)) & (Q(closes_at__isnull=True) | Q(closes_at__gt=at))
    if state == UPCOMING:
        return Q(opens_at__gt=at)
    if state == FINISHED:
        return Q(closes_at__lte=at)
    raise ValueError(f"unknown state {state!r}; one of {', '.join(STATES)}")


def exam_state(exam: Exam, at: dt.datetime | None = None) -> str:
    at = at or timezone.now()
    if exam.opens_at and at < exam.opens_at:
        return UPCOMING
    if exam.closes_at and at >= exam.closes_at:
        return FINISHED
    return OPEN


def exams_offered(user, *, kind: str | None = None, kinds=None, state: str | None = None,
                  at: dt.datetime | None = None) -> QuerySet[Exam]:
    """Published exams whose audience includes `user` (audience.eligible_to), with their paper size
    and, for this person: attempts used, best finished score, the attempt in progress, and the
    counted result on the board (score, time) with its rank. One query however many exams."""
    at = at or timezone.now()
    qs = eligible_to(Exam.objects.filter(status=Exam.Status.PUBLISHED), user).select_related("unit")
    if kind:
        qs = qs.filter(kind=kind)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if state:
        qs = qs.filter(state_filter(state, at))
    # Subqueries on (exam, staff) rather than a join: a competition's thousands of other attempts stay unread.
    mine = Attempt.objects.filter(exam=OuterRef("pk"), staff=user).values("exam").order_by()
    active = Attempt.objects.filter(exam=OuterRef("pk"), staff=user, status=IN_PROGRESS).values("code")[:1]
    entry = BoardEntry.objects.filter(exam=OuterRef("pk"), staff=user)
    return with_rank(_rule_totals(qs).annotate(
        my_attempts=Coalesce(Subquery(mine.annotate(n=Count("pk")).values("n")), 0),
        my_best=Subquery(mine.exclude(status=IN_PROGRESS).annotate(best=Max("score")).values("best")),
        my_active=Subquery(active),
        my_score=Subquery(entry.values("score")[:1]),
        my_duration=Subquery(entry.values("duration_seconds")[:1]),
        my_submitted=Subquery(entry.values("submitted_at")[:1]),
    ), user).order_by(F("opens_at").desc(nulls_last=True), "-created_at", "-pk")


def with_rank(qs: QuerySet[Exam], user) -> QuerySet[Exam]:
    """Annotate `my_ahead`: the board entries of the exam ranked ahead of mine in the boards'
    order (boards.ORDER: a higher score, or the same in less time, or the same both and submitted
    earlier, or all that and a lower staff id); my rank is my_ahead + 1 when my_score is set."""
    same = dict(score=OuterRef("my_score"), duration_seconds=OuterRef("my_duration"))
    ahead = BoardEntry.objects.filter(exam=OuterRef("pk")).filter(
        Q(score__gt=OuterRef("my_score"))
        | Q(score=OuterRef("my_score"), duration_seconds__lt=OuterRef("my_duration"))
        | Q(**same, submitted_at__lt=OuterRef("my_submitted"))
        | Q(**same, submitted_at=OuterRef("my_submitted"), staff_id__lt=user.pk)
    ).values("exam").order_by().annotate(n=Count("pk")).values("n")
    return qs.annotate(my_ahead=Coalesce(Subquery(ahead), 0))


@dataclass
class MyCompetitions:
    """The 竞赛 tab: what is open now (with my attempt in progress), what opens later, what is over."""

    open: list[Exam]
    upcoming: list[Exam]
    finished: list[Exam]

    def __bool__(self) -> bool:
        return bool(self.open or self.upcoming or self.finished)


FINISHED_SHOWN = 20


def my_competitions(user, *, at: dt.datetime | None = None) -> MyCompetitions:
    """Competitions and exams for `user`, split by state at `at`: open (closing soonest first),
    upcoming (opening soonest first), finished (latest first, the last FINISHED_SHOWN). One query."""
    at = at or timezone.now()
    exams = list(exams_offered(user, kinds=COMPETITIONS, at=at))
    mine = MyCompetitions([], [], [])
    for exam in exams:
        getattr(mine, exam_state(exam, at)).append(exam)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    mine.open.sort(key=lambda e: (e.closes_at or far, e.pk))
    mine.upcoming.sort(key=lambda e: (e.opens_at, e.pk))
    mine.finished = mine.finished[:FINISHED_SHOWN]
    return mine


def open_competition_count(user, *, at: dt.datetime | None = None) -> int:
    """How many competitions and exams are open now for `user` (the 首页 card). One query."""
    at = at or timezone.now()
    qs = eligible_to(Exam.objects.filter(status=Exam.Status.PUBLISHED, kind__in=COMPETITIONS), user)
    return qs.filter(state_filter(OPEN, at)).count()


@dataclass(frozen=True)
class Standing:
    """A person's counted result in a competition (the board entry) and its rank."""

    entry: BoardEntry
    rank: int


_UNREAD = object()


def my_standing(exam: Exam, user, *, entry=_UNREAD) -> Standing | None:
    """The person's board entry (which attempt counts) with its rank on the board, or None.
    `entry`: their entry as the submit that just committed left it (None: they have none), so
    it need not be read again."""
    if entry is _UNREAD:
        entry = BoardEntry.objects.filter(exam=exam, staff=user).first()
    rank = boards.place_of(exam, user.pk) if entry is not None else None
    return Standing(entry=entry, rank=rank) if rank is not None else None


def competition_for_me_or_404(user, code) -> Exam:
    """A published competition or exam whose audience includes `user`, with the annotations of
    `exams_offered`; anyone outside the audience gets a 404, as if it did not exist."""
    exam = exams_offered(user, kinds=COMPETITIONS).filter(code=code).first()
    if exam is None:
        raise Http404("No competition for you has this code.")
    return exam


def exams_for_manager(user, *, kind: str) -> QuerySet[Exam]:
    """Exams of the user's subtree with paper size, attempt and participant counts, newest first."""
    qs = scoped(Exam.objects.filter(kind=kind).select_related("unit", "created_by"), user)
    return _rule_totals(qs).annotate(
        attempt_count=Count("attempts", filter=~Q(attempts__status=IN_PROGRESS)),
        people_count=Count("attempts__staff", distinct=True),
        active_count=Count("attempts", filter=Q(attempts__status=IN_PROGRESS)),
    ).order_by("-created_at", "-pk")


def exams_from_above(user, *, kinds=COMPETITIONS) -> QuerySet[Exam]:
    """Published or archived competitions and exams organised by a unit above the user's, whose
    audience may include the user's subtree: a county's managers follow their own people's results
    in the city's competition. Counts are of the user's subtree's attempts only; newest first."""
    mine = Q(attempts__staff__unit_id__in=visible_unit_ids(user))
    qs = (offered_to(Exam.objects.filter(kind__in=kinds), user).exclude(unit_id=user.unit_id)
          .filter(status__in=[Exam.Status.PUBLISHED, Exam.Status.ARCHIVED]).select_related("unit", "created_by"))
    return _rule_totals(qs).annotate(
        attempt_count=Count("attempts", filter=mine & ~Q(attempts__status=IN_PROGRESS)),
        people_count=Count("attempts__staff", filter=mine, distinct=True),
        active_count=Count("attempts", filter=mine & Q(attempts__status=IN_PROGRESS)),
    ).order_by("-created_at", "-pk")


def exam_rules(exam: Exam) -> list[BlueprintRule]:
    return list(exam.rules.select_related("bank", "tag", "clause"))


def my_attempts(user, *, exam: Exam | None = None, kind: str | None = None) -> QuerySet[Attempt]:
    qs = Attempt.objects.filter(staff=user).select_related("exam")
    if exam is not None:
        qs = qs.filter(exam=exam)
    if kind:
        qs = qs.filter(exam__kind=kind)
    return qs.order_by("-started_at", "-pk")


def my_attempt_or_none(user, code) -> Attempt | None:
    """The person's own attempt with this code; anyone else's does not exist for them."""
    return Attempt.objects.select_related("exam").filter(staff=user, code=code).first()


# --- The paper ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperQuestion:
    """One question as the person sees it: options in displayed order under displayed keys, and
    their own answer in those keys. Deliberately no answer, no 解析, no correctness."""

    position: int
    type: str
    type_label: str
    stem: str
    image_url: str
    points: Decimal
    options: list[tuple[str, str]]
    response: list[str] | None

    @property
    def answered(self) -> bool:
        return self.response is not None

    @property
    def chosen(self) -> set[str]:
        return set(self.response or ())

    @property
    def text(self) -> str:
        return self.response[0] if self.type == QuestionVersion.Type.FILL and self.response else ""


def _displayed_options(item: AttemptItem) -> list[tuple[str, str]]:
    from postqc.learning.models import OPTION_KEYS

    if item.version.type in OPTIONED:
        return [(OPTION_KEYS[shown], item.version.options[index]) for shown, index in enumerate(item.option_order)]
    return []


def _paper_question(item: AttemptItem) -> PaperQuestion:
    version = item.version
    return PaperQuestion(
        position=item.position, type=version.type, type_label=str(QuestionVersion.Type(version.type).label),
        stem=version.stem, image_url=version.image.url if version.image else "", points=item.points,
        options=_displayed_options(item),
        response=None if item.response is None else to_displayed_keys(item, item.response),
    )


def attempt_paper(attempt: Attempt) -> list[PaperQuestion]:
    """The attempt's paper in order, in one query (none for an attempt just started: services._start
    hands its items over)."""
    started = getattr(attempt, "started_items", None)
    if started is not None:
        return [_paper_question(item) for item in sorted(started, key=lambda item: item.position)]
    items = AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position")
    return [_paper_question(item) for item in items]


@dataclass(frozen=True)
class PaperSection:
    """A run of questions of one type and value, as a paper prints it: 一、单选题（共 5 题，每题 2 分）."""

    numeral: str  # 一、二、… in Chinese, 1, 2, … in English (core.numerals)
    type: str
    type_label: str
    points: Decimal
    questions: list

    @property
    def count(self) -> int:
        return len(self.questions)


def paper_sections(paper: list) -> list[PaperSection]:
    """Group consecutive questions (PaperQuestion or ResultQuestion) of one type and value."""
    sections: list[PaperSection] = []
    for entry in paper:
        q = getattr(entry, "question", entry)
        last = sections[-1] if sections else None
        if last is None or last.type != q.type or last.points != q.points:
            last = PaperSection(counting_numeral(len(sections) + 1), q.type, q.type_label, q.points, [])
            sections.append(last)
        last.questions.append(entry)
    return sections


def paper_question(item: AttemptItem) -> PaperQuestion:
    return _paper_question(item)


def answered_count(attempt: Attempt) -> int:
    return AttemptItem.objects.filter(attempt=attempt, response__isnull=False).count()


# --- The result --------------------------------------------------------------------------------------


def reveal_allowed(attempt: Attempt, at: dt.datetime | None = None) -> bool:
    """Whether the correct answers and 解析 may be shown for this finished attempt."""
    if attempt.status == IN_PROGRESS:
        return False
    exam = attempt.exam
    if exam.reveal == Exam.Reveal.AFTER_SUBMIT:
        return True
    if exam.reveal == Exam.Reveal.AFTER_CLOSE:
        at = at or timezone.now()
        return bool(exam.closes_at and at >= exam.closes_at)
    return False


def marks_allowed(attempt: Attempt, at: dt.datetime | None = None) -> bool:
    """Whether right/wrong may be shown question by question. In a 竞赛 or 考试 only together with
    the answers: a mark on a 判断 question is its answer, and competitors talk to each other. A
    mock exam shows marks after submitting (its questions are practice questions anyway)."""
    if attempt.status == IN_PROGRESS:
        return False
    if attempt.exam.kind == Exam.Kind.MOCK:
        return True
    return reveal_allowed(attempt, at)


@dataclass(frozen=True)
class ResultQuestion:
    question: PaperQuestion
    is_correct: bool | None  # None when marks are not shown
    awarded: Decimal | None
    answer: list[str] | None = None  # displayed keys, or the accepted texts of a 填空; only when revealed
    explanation: str | None = None
    clauses: list[tuple[str, str]] = field(default_factory=list)  # (code, heading) when revealed


@dataclass(frozen=True)
class Result:
    attempt: Attempt
    revealed: bool
    marked: bool
    items: list[ResultQuestion]

    @property
    def passed(self) -> bool | None:
        """Judged on the paper score: a speed bonus does not make a pass."""
        pass_score = self.attempt.exam.pass_score
        if pass_score is None or self.attempt.score is None:
            return None
        return self.attempt.paper_score >= pass_score

    @property
    def wrong_count(self) -> int:
        return len(self.items) - self.attempt.correct_count


def attempt_result(attempt: Attempt, *, at: dt.datetime | None = None) -> Result:
    """Score of a finished attempt; per-question right/wrong as `marks_allowed` says; the correct
    answers, 解析 and the clauses each question tests only as the exam's reveal setting allows.
    Constant queries."""
    if attempt.status == IN_PROGRESS:
        raise ValueError("an attempt in progress has no result yet")
    revealed = reveal_allowed(attempt, at)
    marked = marks_allowed(attempt, at)
    items = getattr(attempt, "graded_items", None)  # just submitted: services._finish hands them over
    if items is None:
        items = AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position")
        if revealed:
            items = items.prefetch_related("version__clauses")
    elif revealed:
        prefetch_related_objects([item.version for item in items], "clauses")
    rows = []
    headings = _clause_headings(items) if revealed else {}
    for item in items:
        question = _paper_question(item)
        mark = (bool(item.is_correct), item.awarded or Decimal(0)) if marked else (None, None)
        if revealed:
            answer = to_displayed_keys(item, item.version.answer)
            clauses = [(c.code, headings.get(c.pk, "")) for c in item.version.clauses.all()]
            rows.append(ResultQuestion(question, *mark, answer, item.version.explanation, clauses))
        else:
            rows.append(ResultQuestion(question, *mark))
    return Result(attempt=attempt, revealed=revealed, marked=marked, items=rows)


def _clause_headings(items) -> dict[int, str]:
    """Clause id → its latest heading, for the clauses of these items, in one query."""
    from postqc.standards.models import ClauseRevision

    ids = {c.pk for item in items for c in item.version.clauses.all()}
    if not ids:
        return {}
    rows = (ClauseRevision.objects.filter(clause_id__in=ids)
            .order_by("clause_id", "-version__effective_on", "-pk").values_list("clause_id", "heading"))
    headings: dict[int, str] = {}
    for clause_id, heading in rows:
        headings.setdefault(clause_id, heading)
    return headings
