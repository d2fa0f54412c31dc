"""Reads of the exam engine: what a person is offered, their attempts, the paper as they see it
(never with an answer), and the result as far as the exam's reveal setting allows."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from postqc.core.access import offered_to, scoped
from postqc.learning.models import QuestionVersion

from .models import Attempt, AttemptItem, BlueprintRule, Exam
from .services import OPTIONED, to_displayed_keys

IN_PROGRESS = Attempt.Status.IN_PROGRESS
OPEN, UPCOMING, FINISHED = "open", "upcoming", "finished"
STATES = (OPEN, UPCOMING, FINISHED)


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


def exams_offered(user, *, kind: str | None = None, state: str | None = None,
                  at: dt.datetime | None = None) -> QuerySet[Exam]:
    """Published exams offered to `user` (owned by their unit or above), with their paper size
    and, for this person: attempts used, best finished score and the attempt in progress."""
    at = at or timezone.now()
    qs = offered_to(Exam.objects.filter(status=Exam.Status.PUBLISHED), user)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state_filter(state, at))
    # Subqueries on (exam, staff) rather than a join: a competition's thousands of other attempts stay unread.
    mine = Attempt.objects.filter(exam=OuterRef("pk"), staff=user).values("exam").order_by()
    active = Attempt.objects.filter(exam=OuterRef("pk"), staff=user, status=IN_PROGRESS).values("code")[:1]
    return _rule_totals(qs).annotate(
        my_attempts=Coalesce(Subquery(mine.annotate(n=Count("pk")).values("n")), 0),
        my_best=Subquery(mine.exclude(status=IN_PROGRESS).annotate(best=Max("score")).values("best")),
        my_active=Subquery(active),
    ).order_by(F("opens_at").desc(nulls_last=True), "-created_at", "-pk")


def exams_for_manager(user, *, kind: str) -> QuerySet[Exam]:
    """Exams of the user's subtree with paper size, attempt and participant counts, newest first."""
    qs = scoped(Exam.objects.filter(kind=kind).select_related("unit", "created_by"), user)
    return _rule_totals(qs).annotate(
        attempt_count=Count("attempts", filter=~Q(attempts__status=IN_PROGRESS)),
        people_count=Count("attempts__staff", distinct=True),
        active_count=Count("attempts", filter=Q(attempts__status=IN_PROGRESS)),
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
    """The attempt's paper in order, in one query."""
    items = AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position")
    return [_paper_question(item) for item in items]


CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class PaperSection:
    """A run of questions of one type and value, as a paper prints it: 一、单选题（共 5 题，每题 2 分）."""

    numeral: str
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
            n = len(sections)
            numeral = CHINESE_NUMERALS[n] if n < len(CHINESE_NUMERALS) else str(n + 1)
            last = PaperSection(numeral, q.type, q.type_label, q.points, [])
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


@dataclass(frozen=True)
class ResultQuestion:
    question: PaperQuestion
    is_correct: bool
    awarded: Decimal
    answer: list[str] | None = None  # displayed keys, or the accepted texts of a 填空; only when revealed
    explanation: str | None = None
    clauses: list[tuple[str, str]] = field(default_factory=list)  # (code, heading) when revealed


@dataclass(frozen=True)
class Result:
    attempt: Attempt
    revealed: bool
    items: list[ResultQuestion]

    @property
    def passed(self) -> bool | None:
        pass_score = self.attempt.exam.pass_score
        if pass_score is None or self.attempt.score is None:
            return None
        return self.attempt.score >= pass_score

    @property
    def wrong_count(self) -> int:
        return len(self.items) - self.attempt.correct_count


def attempt_result(attempt: Attempt, *, at: dt.datetime | None = None) -> Result:
    """Score and per-question right/wrong of a finished attempt; the correct answers, 解析 and
    the clauses each question tests only as the exam's reveal setting allows. Constant queries."""
    if attempt.status == IN_PROGRESS:
        raise ValueError("an attempt in progress has no result yet")
    revealed = reveal_allowed(attempt, at)
    items = AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position")
    if revealed:
        items = items.prefetch_related("version__clauses")
    rows = []
    headings = _clause_headings(items) if revealed else {}
    for item in items:
        question = _paper_question(item)
        if revealed:
            answer = to_displayed_keys(item, item.version.answer)
            clauses = [(c.code, headings.get(c.pk, "")) for c in item.version.clauses.all()]
            rows.append(ResultQuestion(question, bool(item.is_correct), item.awarded or Decimal(0), answer,
                                       item.version.explanation, clauses))
        else:
            rows.append(ResultQuestion(question, bool(item.is_correct), item.awarded or Decimal(0)))
    return Result(attempt=attempt, revealed=revealed, items=rows)


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
