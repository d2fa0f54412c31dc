"""The person's own figures: done / right / wrong, mastery per bank and per chapter, the weekly goal."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from postqc.core.access import ancestor_unit_ids

from ..models import Answer, Bank, Question, ReviewCard
from ..scheduling import policy_for
from .common import Tally, WeekBar, _bars, _question_clauses, _weekly, clause_places, local_week_start, recall

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
