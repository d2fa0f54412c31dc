"""Multi-row reads of the learning app."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from postqc.core.access import scoped

from .models import Answer, Bank, Question, QuestionVersion

# --- Question bank (manager pages) ---------------------------------------------------------------


def banks_for_manager(user) -> QuerySet[Bank]:
    """The banks of the user's subtree with their question counts, in one query."""
    status = Question.Status
    return (
        scoped(Bank.objects.select_related("unit"), user)
        .annotate(
            n_questions=Count("questions", filter=~Q(questions__status=status.RETIRED)),
            n_review=Count("questions", filter=Q(questions__status=status.REVIEW)),
            n_reserved=Count("questions", filter=Q(questions__pool=Question.Pool.RESERVED)
                             & ~Q(questions__status=status.RETIRED)),
        )
        .order_by("unit__depth", "code")
    )


def bank_questions(bank: Bank, *, q: str = "", type: str = "", tag: str = "", clause: str = "",
                   difficulty: int | None = None, status: str = "", pool: str = "",
                   red_line: bool | None = None) -> QuerySet[Question]:
    """The bank's questions filtered on their current version. `clause` matches a code and the
    codes under it ("YZF-3" finds YZF-3.15); `q` searches the stem."""
    qs = Question.objects.filter(bank=bank).select_related("current")
    if q:
        qs = qs.filter(Q(current__stem__icontains=q) | Q(code__iexact=q))
    if type:
        qs = qs.filter(current__type=type)
    if difficulty:
        qs = qs.filter(current__difficulty=difficulty)
    if status:
        qs = qs.filter(status=status)
    if pool:
        qs = qs.filter(pool=pool)
    if red_line is not None:
        qs = qs.filter(current__red_line=red_line)
    if tag:
        tagged = QuestionVersion.tags.through.objects.filter(questionversion_id=OuterRef("current_id"), tag__name=tag)
        qs = qs.filter(Exists(tagged))
    if clause:
        cited = QuestionVersion.clauses.through.objects.filter(questionversion_id=OuterRef("current_id")).filter(
            Q(clause__code=clause) | Q(clause__code__startswith=clause + "."))
        qs = qs.filter(Exists(cited))
    return qs


def bank_tags(bank: Bank) -> list[str]:
    """The tags the bank's current versions carry, for the filter."""
    tags = QuestionVersion.tags.through.objects.filter(
        questionversion_id__in=Question.objects.filter(bank=bank).values("current_id"))
    return list(tags.order_by("tag__name").values_list("tag__name", flat=True).distinct())


@dataclass(frozen=True)
class QuestionStats:
    """Answers given in practice, and the facility of the question: the share of people who got
    it right on their first attempt (Moodle's facility index on first attempts; marks are 0/1)."""

    answers: int = 0
    first_attempts: int = 0
    first_correct: int = 0

    @property
    def facility(self) -> float | None:
        return self.first_correct / self.first_attempts if self.first_attempts else None


def _first_attempt() -> Exists:
    """True for an answer that is its person's first on its question (ties broken by id)."""
    earlier = Answer.objects.filter(staff=OuterRef("staff"), question=OuterRef("question")).filter(
        Q(answered_at__lt=OuterRef("answered_at")) | Q(answered_at=OuterRef("answered_at"), pk__lt=OuterRef("pk")))
    return ~Exists(earlier)


def _stats(rows: Iterable[dict], key: str) -> dict[int, QuestionStats]:
    return {row[key]: QuestionStats(row["answers"], row["firsts"], row["first_right"]) for row in rows}


def question_stats(question_ids: Iterable[int]) -> dict[int, QuestionStats]:
    """Per question: answers, first attempts and first-attempt correct answers, in one aggregate query."""
    first = _first_attempt()
    rows = (
        Answer.objects.filter(question_id__in=list(question_ids))
        .values("question_id")
        .annotate(answers=Count("pk"), firsts=Count("pk", filter=Q(first)),
                  first_right=Count("pk", filter=Q(first) & Q(is_correct=True)))
        .order_by()
    )
    return _stats(rows, "question_id")


def version_stats(question: Question) -> dict[int, QuestionStats]:
    """The same figures per version of one question (version id → stats), in one query."""
    first = _first_attempt()
    rows = (
        Answer.objects.filter(question=question)
        .values("version_id")
        .annotate(answers=Count("pk"), firsts=Count("pk", filter=Q(first)),
                  first_right=Count("pk", filter=Q(first) & Q(is_correct=True)))
        .order_by()
    )
    return _stats(rows, "version_id")


def review_queue(user) -> QuerySet[Question]:
    """Questions flagged 待复核 in the banks of the user's subtree, oldest flag first."""
    return (
        scoped(Question.objects.filter(status=Question.Status.REVIEW), user)
        .select_related("current", "bank")
        .prefetch_related("current__clauses")
        .order_by("flagged_at", "pk")
    )
