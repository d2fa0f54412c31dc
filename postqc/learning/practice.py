"""Practice on the phone: what question comes next in each mode, and what answering does.

One answer (`answer_submit`) records the Answer against the exact question version and
updates the 错题本 and the person's FSRS card, all or nothing, in one read and one write
statement (recording.py). A resend of the same answer (same client id) returns the first
result and changes nothing.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from postqc.core.access import offered_to

from . import recording
from .grading import InvalidResponse, clean_response, is_correct
from .models import Answer, Bank, Favorite, Question, QuestionVersion, ReviewCard, ReviewPush, WrongEntry
from .scheduling import apply_review, cached_policy_for, policy_for, rating_for, scheduler_for

Mode = Answer.Mode


# --- What may be practised ------------------------------------------------------------


def practice_questions(user, *, bank: Bank | None = None) -> QuerySet:
    """Published practice-pool questions of the banks offered to `user` (own unit or above).
    Competition-reserved questions never appear in practice."""
    banks = offered_to(Bank.objects.filter(is_active=True), user)
    if bank is not None:
        banks = banks.filter(pk=bank.pk)
    return Question.objects.filter(
        bank__in=banks, status=Question.Status.PUBLISHED, pool=Question.Pool.PRACTICE, current__isnull=False
    )


def questions_for_topic(qs: QuerySet, *, clause_ids=None, tag: str | None = None) -> QuerySet:
    if clause_ids is not None:
        qs = qs.filter(current__clauses__in=clause_ids)
    if tag:
        qs = qs.filter(current__tags__name=tag)
    return qs.distinct()


def start_of_local_day(at: dt.datetime) -> dt.datetime:
    local = timezone.localtime(at)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


# --- Next question per mode -----------------------------------------------------------------


def next_sequential(user, *, bank: Bank, after: Question | None, clause_ids=None) -> Question | None:
    """顺序练习: the next question in the bank's order after `after` (wrapping to the start)."""
    qs = practice_questions(user, bank=bank)
    if clause_ids is not None:
        qs = questions_for_topic(qs, clause_ids=clause_ids)
    qs = qs.order_by("sort_order", "id")
    if after is not None:
        following = qs.filter(Q(sort_order__gt=after.sort_order) | Q(sort_order=after.sort_order, id__gt=after.id))
        nxt = following.first()
        if nxt is not None:
            return nxt
    return qs.first()


def next_random(user, *, bank: Bank | None = None, rng: random.Random | None = None,
                exclude_ids: list[int] | None = None) -> Question | None:
    """随机练习: a uniformly random practice question (by offset, not ORDER BY RANDOM())."""
    qs = practice_questions(user, bank=bank)
    if exclude_ids:
        qs = qs.exclude(pk__in=exclude_ids)
    ids = list(qs.values_list("pk", flat=True))
    if not ids:
        return None
    return Question.objects.get(pk=(rng or random).choice(ids))


def next_topic(user, *, after: Question | None, clause_ids=None, tag: str | None = None) -> Question | None:
    """专项练习 (by clause, chapter or tag): the topic's questions in bank order."""
    qs = questions_for_topic(practice_questions(user), clause_ids=clause_ids, tag=tag).order_by("bank_id", "sort_order", "id")
    if after is not None:
        following = qs.filter(
            Q(bank_id__gt=after.bank_id)
            | Q(bank_id=after.bank_id, sort_order__gt=after.sort_order)
            | Q(bank_id=after.bank_id, sort_order=after.sort_order, id__gt=after.id)
        )
        nxt = following.first()
        if nxt is not None:
            return nxt
    return qs.first()


def open_wrong_entries(user) -> QuerySet:
    return WrongEntry.objects.filter(staff=user, cleared_at__isnull=True, question__in=practice_questions(user))


def next_wrong(user, *, after: Question | None = None) -> Question | None:
    """错题本: open entries, most recently missed first; `after` moves past one just answered."""
    entries = open_wrong_entries(user).order_by("-last_wrong_at", "-id")
    if after is not None:
        entries = entries.exclude(question=after)
    entry = entries.select_related("question").first()
    return entry.question if entry else None


def favorite_questions(user) -> QuerySet:
    favs = Favorite.objects.filter(staff=user, question=OuterRef("pk"))
    return practice_questions(user).filter(Exists(favs))


def next_favorite(user, *, after: Question | None = None) -> Question | None:
    qs = favorite_questions(user).order_by("sort_order", "id")
    if after is not None:
        nxt = qs.filter(Q(sort_order__gt=after.sort_order) | Q(sort_order=after.sort_order, id__gt=after.id)).first()
        if nxt is not None:
            return nxt
    return qs.first()


def due_cards(user, *, at: dt.datetime | None = None) -> QuerySet:
    at = at or timezone.now()
    return ReviewCard.objects.filter(staff=user, due__lte=at, question__in=practice_questions(user)).order_by("due", "id")


def review_done_today(user, *, at: dt.datetime | None = None) -> int:
    at = at or timezone.now()
    return Answer.objects.filter(staff=user, mode=Mode.REVIEW, answered_at__gte=start_of_local_day(at)).count()


def review_remaining_today(user, *, at: dt.datetime | None = None) -> int:
    """How many due reviews the person still gets today: due cards, capped by the daily limit."""
    at = at or timezone.now()
    limit = policy_for(user.unit_id).daily_review_limit
    left = max(0, limit - review_done_today(user, at=at))
    return min(left, due_cards(user, at=at).count())


def next_review(user, *, at: dt.datetime | None = None, after: Question | None = None) -> Question | None:
    """每日复习: the most overdue card, while today's limit lasts."""
    at = at or timezone.now()
    if review_remaining_today(user, at=at) <= 0:
        return None
    cards = due_cards(user, at=at)
    if after is not None:
        cards = cards.exclude(question=after)
    card = cards.select_related("question").first()
    return card.question if card else None


# --- Answering ----------------------------------------------------------------------------------


@dataclass
class AnswerResult:
    answer: Answer
    correct: bool
    version: QuestionVersion
    replayed: bool = False
    wrong_book: str = ""  # "added", "kept", "cleared" or ""
    due: dt.datetime | None = None
    extra: dict = field(default_factory=dict)


# How often answer_submit reads again when the card changed under it (another answer of the same
# person to the same question at the same moment: two devices). The first try takes no lock; the
# next ones lock the card first, so they can only lose to a card created meanwhile (once).
WRITE_ATTEMPTS = 3


def answer_submit(*, staff, question: Question, response: list[str], mode: str, client_id: uuid.UUID,
                  duration_ms: int | None = None, hinted: bool = False, at: dt.datetime | None = None,
                  cursor: recording.Cursor | None = None) -> AnswerResult:
    """Record one practice answer. The rule it enforces:
    - graded on the server against the question's current version, which the Answer keeps;
    - a wrong answer opens (or re-opens) the 错题本 entry; N right answers in a row (policy,
      default 2) clear it;
    - the FSRS card is reviewed: wrong → Again, right → Good, right but slow/hinted → Hard;
    - `cursor`: 顺序练习's resume point moves to this question;
    - the same client_id again returns the first result and writes nothing.
    Raises grading.InvalidResponse for a malformed response (nothing written).

    It costs one read and one write statement (recording.py says how they stay consistent without
    a lock); a concurrent answer to the same question by the same person makes it read again."""
    at = at or timezone.now()
    version = question.current
    try:
        cleaned = clean_response(version, response)
    except InvalidResponse:
        previous = _previous(staff, client_id)
        if previous is not None:  # a resend of an answer to an older version of the question
            return _replayed(previous)
        raise
    correct = is_correct(version, cleaned)
    policy = cached_policy_for(staff.unit_id)
    rating = rating_for(correct=correct, duration_ms=duration_ms, hinted=hinted, policy=policy)
    answer = Answer(staff=staff, question=question, version=version, mode=mode, response=cleaned, is_correct=correct,
                    duration_ms=duration_ms, hinted=hinted, rating=int(rating), client_id=client_id, answered_at=at)
    scheduler = scheduler_for(red_line=version.red_line, policy=policy)
    for attempt in range(WRITE_ATTEMPTS):
        with transaction.atomic() if attempt else contextlib.nullcontext():
            if attempt:  # lost a race: this time hold the card's row lock from the read to the write
                recording.lock_card(staff.pk, question.pk)
            state = recording.read_state(staff.pk, question.pk, at=at)
            apply_review(state.card, rating=rating, at=at, scheduler=scheduler, duration_ms=duration_ms)
            book = recording.wrong_book_step(state.entry, correct=correct, at=at,
                                             clear_streak=policy.wrong_clear_streak)
            answer_id = recording.write(answer, state, write_entry=bool(book), cursor=cursor)
        if answer_id is not None:
            answer.pk = answer_id
            answer._state.adding = False
            return AnswerResult(answer=answer, correct=correct, version=version, wrong_book=book, due=state.card.due)
        previous = _previous(staff, client_id)
        if previous is not None:
            return _replayed(previous)
    raise RuntimeError(f"The answer of staff {staff.pk} to question {question.pk} lost {WRITE_ATTEMPTS} races in a row.")


def _previous(staff, client_id: uuid.UUID) -> Answer | None:
    return Answer.objects.filter(staff=staff, client_id=client_id).select_related("version").first()


def _replayed(answer: Answer) -> AnswerResult:
    card = ReviewCard.objects.filter(staff_id=answer.staff_id, question_id=answer.question_id).first()
    return AnswerResult(answer=answer, correct=answer.is_correct, version=answer.version, replayed=True,
                        due=card.due if card else None)


def practice_answer(*, staff, question: Question, response: list[str], mode: str, client_id: uuid.UUID,
                    duration_ms: int | None = None, hinted: bool = False, chapter=None,
                    at: dt.datetime | None = None) -> AnswerResult:
    """One answer given on a practice screen (page or API): `answer_submit`, and in 顺序练习 the
    person's resume point in the question's bank (and in `chapter` when practising one) moves to
    the question answered, in the same statement. A resend moves nothing: it may arrive after the
    person went on."""
    cursor = None
    if mode == Mode.SEQUENTIAL:
        cursor = recording.Cursor(bank_id=question.bank_id, chapter_id=chapter.pk if chapter is not None else None)
    return answer_submit(staff=staff, question=question, response=response, mode=mode, client_id=client_id,
                         duration_ms=duration_ms, hinted=hinted, at=at, cursor=cursor)


# --- Favourites ------------------------------------------------------------------------------


@transaction.atomic
def favorite_toggle(*, staff, question: Question) -> bool:
    """Star or unstar a question; returns whether it is now a favourite."""
    deleted, _ = Favorite.objects.filter(staff=staff, question=question).delete()
    if deleted:
        return False
    Favorite.objects.get_or_create(staff=staff, question=question)
    return True


@transaction.atomic
def favorite_set(*, staff, question: Question, on: bool) -> bool:
    """Star (`on`) or unstar a question whatever its state: sending it twice changes nothing."""
    if on:
        Favorite.objects.get_or_create(staff=staff, question=question)
    else:
        Favorite.objects.filter(staff=staff, question=question).delete()
    return on


# --- Pushing a clause into review queues ------------------------------------------------------------


@transaction.atomic
def review_push_clause(*, clause, unit, reason: str, pushed_by=None, at: dt.datetime | None = None) -> ReviewPush:
    """Put every practice question testing `clause` into the review queue of every active person
    in `unit`'s subtree, due now (a failed inspection calls this). Existing cards become due now
    without losing their memory state; people who never saw a question get a new card due now."""
    from postqc.org.models import Staff, UnitClosure

    at = at or timezone.now()
    question_ids = list(
        Question.objects.filter(status=Question.Status.PUBLISHED, pool=Question.Pool.PRACTICE,
                                current__clauses=clause).values_list("pk", flat=True).distinct()
    )
    staff_ids = list(
        Staff.objects.filter(is_active=True, unit__in=UnitClosure.objects.filter(ancestor=unit).values("descendant_id"))
        .values_list("pk", flat=True)
    )
    touched = 0
    if question_ids and staff_ids:
        touched = ReviewCard.objects.filter(staff_id__in=staff_ids, question_id__in=question_ids, due__gt=at).update(due=at)
        have = set(ReviewCard.objects.filter(staff_id__in=staff_ids, question_id__in=question_ids)
                   .values_list("staff_id", "question_id"))
        new = [
            ReviewCard(staff_id=s, question_id=q, state=ReviewCard.State.LEARNING, step=0, due=at)
            for s in staff_ids for q in question_ids if (s, q) not in have
        ]
        ReviewCard.objects.bulk_create(new, batch_size=2000)
        touched += len(new)
    return ReviewPush.objects.create(clause=clause, unit=unit, reason=reason, pushed_by=pushed_by, cards=touched)
