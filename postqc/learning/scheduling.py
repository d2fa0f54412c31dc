"""FSRS glue: a person's memory state per question, scheduled by the `fsrs` package (v6).

Auto-graded answers map to ratings as domain.md says: wrong → Again, right → Good,
right but slow or hinted → Hard. Wrong is never Hard. Red-line (必知必会) questions
are scheduled for a higher desired retention. Datetimes handed to fsrs are UTC.
Fuzzing is off so a schedule is reproducible (and testable with frozen time).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from fsrs import Card, Rating, Scheduler, State

from postqc.core.memo import LocalMemo

from .models import LearningPolicy, ReviewCard

UTC = dt.timezone.utc


@dataclass(frozen=True)
class Policy:
    wrong_clear_streak: int = 2
    daily_review_limit: int = 50
    daily_new_limit: int = 20
    desired_retention: float = 0.90
    red_line_retention: float = 0.95
    slow_answer_seconds: int = 40
    weekly_goal: int = 100


POLICY_TTL = 60  # seconds the answer path reuses a unit's rules; saving any LearningPolicy forgets them all
# Per process in front of the shared cache (core/memo.py): another process applies changed rules
# (e.g. how many right answers clear the 错题本) to answers given in the next 10 s at most.
_policy_memo = LocalMemo("learning.policy", ttl=10)


def _policy_key(unit_id: int) -> str:
    return f"learning:policy:{unit_id}"


def cached_policy_for(unit_id: int | None) -> Policy:
    """`policy_for`, kept in the cache per unit (every answer asks)."""
    if unit_id is None:
        return Policy()
    return _policy_memo.get(unit_id, lambda: _cached_policy_for(unit_id))


def _cached_policy_for(unit_id: int) -> Policy:
    policy = cache.get(_policy_key(unit_id))
    if policy is None:
        policy = policy_for(unit_id)
        cache.set(_policy_key(unit_id), policy, POLICY_TTL)
    return policy


@receiver([post_save, post_delete], sender=LearningPolicy, dispatch_uid="learning-policy-forget")
def _forget_policies(sender, instance, **kwargs) -> None:
    """A unit's rules apply to every unit under it: forget the cached rules of the whole subtree."""
    from postqc.org.models import UnitClosure

    keys = [_policy_key(u) for u in UnitClosure.objects.filter(ancestor_id=instance.unit_id)
            .values_list("descendant_id", flat=True)]
    _policy_memo.clear()
    cache.delete_many(keys)
    transaction.on_commit(lambda: (_policy_memo.clear(), cache.delete_many(keys)))


def policy_for(unit_id: int | None) -> Policy:
    """The learning rules of the nearest unit at or above `unit_id` that set any; else the defaults."""
    if unit_id is None:
        return Policy()
    # Closure rows where the policy's unit is an ancestor of unit_id; the shallowest is the nearest.
    row = (
        LearningPolicy.objects.filter(unit__descendant_links__descendant_id=unit_id)
        .order_by("unit__descendant_links__depth")
        .first()
    )
    if row is None:
        return Policy()
    return Policy(
        wrong_clear_streak=row.wrong_clear_streak,
        daily_review_limit=row.daily_review_limit,
        daily_new_limit=row.daily_new_limit,
        desired_retention=row.desired_retention,
        red_line_retention=row.red_line_retention,
        slow_answer_seconds=row.slow_answer_seconds,
        weekly_goal=row.weekly_goal,
    )


def rating_for(*, correct: bool, duration_ms: int | None, hinted: bool, policy: Policy) -> Rating:
    if not correct:
        return Rating.Again
    if hinted or (duration_ms is not None and duration_ms > policy.slow_answer_seconds * 1000):
        return Rating.Hard
    return Rating.Good


@lru_cache(maxsize=32)
def _scheduler(retention: float) -> Scheduler:
    return Scheduler(desired_retention=retention, enable_fuzzing=False)


def scheduler_for(*, red_line: bool, policy: Policy) -> Scheduler:
    return _scheduler(policy.red_line_retention if red_line else policy.desired_retention)


def to_fsrs(card: ReviewCard) -> Card:
    return Card(
        card_id=card.pk or 0,  # fsrs sleeps to invent an id when given None
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due.astimezone(UTC),
        last_review=card.last_review.astimezone(UTC) if card.last_review else None,
    )


def apply_review(card: ReviewCard, *, rating: Rating, at: dt.datetime, scheduler: Scheduler,
                 duration_ms: int | None = None) -> ReviewCard:
    """Run one FSRS review on `card` (in memory); the caller saves it."""
    was_review = card.state == ReviewCard.State.REVIEW
    reviewed, _log = scheduler.review_card(to_fsrs(card), rating, review_datetime=at.astimezone(UTC),
                                           review_duration=duration_ms)
    card.state = reviewed.state.value
    card.step = reviewed.step
    card.stability = reviewed.stability
    card.difficulty = reviewed.difficulty
    card.due = reviewed.due
    card.last_review = reviewed.last_review
    card.reps += 1
    if was_review and rating == Rating.Again:
        card.lapses += 1
    return card


def retrievability(card: ReviewCard, *, at: dt.datetime, scheduler: Scheduler | None = None) -> float:
    """Predicted probability of recalling the answer at `at` (0 for a card never reviewed)."""
    if card.last_review is None or card.stability is None:
        return 0.0
    return (scheduler or _scheduler(0.9)).get_card_retrievability(to_fsrs(card), current_datetime=at.astimezone(UTC))
