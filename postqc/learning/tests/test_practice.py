import datetime as dt
import uuid

import pytest
import time_machine
from django.utils import timezone
from fsrs import Rating

from postqc.learning.grading import InvalidResponse
from postqc.learning.models import Answer, LearningPolicy, ReviewCard, WrongEntry
from postqc.learning.practice import (
    answer_submit,
    favorite_toggle,
    next_favorite,
    next_random,
    next_review,
    next_sequential,
    next_wrong,
    practice_questions,
    review_push_clause,
    review_remaining_today,
)
from postqc.learning.scheduling import Policy, rating_for

from postqc.conftest import needs_postgres, prepare_threshold, prepared_statements

from .factories import make_bank, make_clause, make_question

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def answer(person, q, resp, *, mode="sequential", duration_ms=5000, hinted=False, at=None, client_id=None):
    return answer_submit(staff=person, question=q, response=list(resp), mode=mode,
                         client_id=client_id or uuid.uuid4(), duration_ms=duration_ms, hinted=hinted, at=at or NOW)


@pytest.fixture
def bank(org):
    return make_bank(org.jls, code="CITY")


# --- FSRS mapping -------------------------------------------------------------------------


def test_wrong_is_again_right_is_good_slow_or_hinted_is_hard():
    p = Policy(slow_answer_seconds=40)
    assert rating_for(correct=False, duration_ms=1000, hinted=False, policy=p) == Rating.Again
    assert rating_for(correct=False, duration_ms=90000, hinted=True, policy=p) == Rating.Again  # never Hard
    assert rating_for(correct=True, duration_ms=1000, hinted=False, policy=p) == Rating.Good
    assert rating_for(correct=True, duration_ms=41000, hinted=False, policy=p) == Rating.Hard
    assert rating_for(correct=True, duration_ms=1000, hinted=True, policy=p) == Rating.Hard


def test_a_right_answer_schedules_further_out_than_a_wrong_one(org, bank):
    q1, q2 = make_question(bank), make_question(bank)
    answer(org.bob, q1, "B")
    answer(org.bob, q2, "A")
    good = ReviewCard.objects.get(staff=org.bob, question=q1)
    again = ReviewCard.objects.get(staff=org.bob, question=q2)
    assert good.due > again.due > NOW
    assert Answer.objects.get(staff=org.bob, question=q1).rating == Rating.Good
    assert Answer.objects.get(staff=org.bob, question=q2).rating == Rating.Again


def test_due_queue_follows_the_clock(org, bank):
    q = make_question(bank)
    result = answer(org.bob, q, "B")
    with time_machine.travel(result.due - dt.timedelta(seconds=1), tick=False):
        assert next_review(org.bob) is None
    with time_machine.travel(result.due + dt.timedelta(seconds=1), tick=False):
        assert next_review(org.bob) == q


def test_graduated_card_comes_back_after_days_not_minutes(org, bank):
    q = make_question(bank)
    at = NOW
    for _ in range(3):
        r = answer(org.bob, q, "B", mode="review", at=at)
        at = r.due
    card = ReviewCard.objects.get(staff=org.bob, question=q)
    assert card.state == ReviewCard.State.REVIEW
    assert card.due - card.last_review >= dt.timedelta(days=1)


def test_red_line_questions_are_held_to_a_higher_retention(org, bank):
    normal = make_question(bank)
    red = make_question(bank, red_line=True)
    at = NOW
    due = {}
    for q in (normal, red):
        at = NOW
        for _ in range(4):
            at = answer(org.bob, q, "B", at=at).due
        due[q.pk] = ReviewCard.objects.get(staff=org.bob, question=q)
    assert due[red.pk].due - due[red.pk].last_review < due[normal.pk].due - due[normal.pk].last_review


def test_daily_review_limit_caps_the_queue(org, bank):
    LearningPolicy.objects.create(unit=org.jls, daily_review_limit=2)
    qs = [make_question(bank) for _ in range(4)]
    for q in qs:
        ReviewCard.objects.create(staff=org.bob, question=q, due=NOW - dt.timedelta(hours=1), step=0)
    with time_machine.travel(NOW, tick=False):
        assert review_remaining_today(org.bob) == 2
        first = next_review(org.bob)
        answer(org.bob, first, "B", mode="review", at=timezone.now())
        assert review_remaining_today(org.bob) == 1
        second = next_review(org.bob)
        answer(org.bob, second, "B", mode="review", at=timezone.now())
        assert next_review(org.bob) is None


# --- 错题本 ----------------------------------------------------------------------------------


def test_wrong_answer_adds_to_wrong_book_and_two_right_in_a_row_clear_it(org, bank):
    q = make_question(bank)
    assert answer(org.bob, q, "A").wrong_book == "added"
    assert next_wrong(org.bob) == q
    assert answer(org.bob, q, "B", mode="wrong").wrong_book == "kept"
    assert next_wrong(org.bob) == q
    assert answer(org.bob, q, "B", mode="wrong").wrong_book == "cleared"
    assert next_wrong(org.bob) is None


def test_a_wrong_answer_in_between_restarts_the_streak(org, bank):
    q = make_question(bank)
    answer(org.bob, q, "A")
    answer(org.bob, q, "B")
    answer(org.bob, q, "C")
    answer(org.bob, q, "B")
    assert WrongEntry.objects.get(staff=org.bob, question=q).cleared_at is None
    assert answer(org.bob, q, "B").wrong_book == "cleared"


def test_clear_streak_is_configurable_per_unit(org, bank):
    LearningPolicy.objects.create(unit=org.cy, wrong_clear_streak=3)
    q = make_question(bank)
    answer(org.bob, q, "A")
    answer(org.bob, q, "B")
    answer(org.bob, q, "B")
    assert next_wrong(org.bob) == q
    assert answer(org.bob, q, "B").wrong_book == "cleared"
    # charlie's county keeps the city default of 2
    answer(org.charlie, q, "A")
    answer(org.charlie, q, "B")
    assert answer(org.charlie, q, "B").wrong_book == "cleared"


def test_right_first_time_never_enters_the_wrong_book(org, bank):
    q = make_question(bank)
    assert answer(org.bob, q, "B").wrong_book == ""
    assert not WrongEntry.objects.exists()


# --- Resends ----------------------------------------------------------------------------------


def test_a_resent_answer_is_recognised_not_counted_twice(org, bank):
    q = make_question(bank)
    cid = uuid.uuid4()
    first = answer(org.bob, q, "A", client_id=cid)
    again = answer(org.bob, q, "A", client_id=cid)
    assert not first.replayed and again.replayed
    assert again.answer.pk == first.answer.pk
    assert Answer.objects.count() == 1
    assert WrongEntry.objects.get().wrong_count == 1
    assert ReviewCard.objects.get().reps == 1


def test_malformed_response_writes_nothing(org, bank):
    q = make_question(bank)
    with pytest.raises(InvalidResponse):
        answer(org.bob, q, "Z")
    with pytest.raises(InvalidResponse):
        answer(org.bob, q, ["A", "B"])
    assert not Answer.objects.exists() and not ReviewCard.objects.exists()


# --- What is offered -------------------------------------------------------------------------------


def test_reserved_and_unpublished_questions_never_appear_in_practice(org, bank):
    visible = make_question(bank)
    make_question(bank, pool="reserved")
    make_question(bank, status="review")
    assert list(practice_questions(org.bob)) == [visible]


def test_a_county_bank_is_not_offered_to_another_county(org):
    county_bank = make_bank(org.jh, code="JH-OWN")
    make_question(county_bank)
    assert practice_questions(org.bob).count() == 0
    assert practice_questions(org.erin).count() == 1


def test_sequential_practice_resumes_after_the_last_question_and_wraps(org, bank):
    q1, q2, q3 = make_question(bank), make_question(bank), make_question(bank)
    assert next_sequential(org.bob, bank=bank, after=None) == q1
    assert next_sequential(org.bob, bank=bank, after=q2) == q3
    assert next_sequential(org.bob, bank=bank, after=q3) == q1


def test_random_practice_draws_from_the_offered_questions(org, bank):
    import random

    qs = {make_question(bank).pk for _ in range(5)}
    draws = {next_random(org.bob, rng=random.Random(i)).pk for i in range(40)}
    assert draws == qs


def test_favourites_toggle_and_list(org, bank):
    q1, q2 = make_question(bank), make_question(bank)
    assert favorite_toggle(staff=org.bob, question=q2) is True
    assert next_favorite(org.bob) == q2
    assert favorite_toggle(staff=org.bob, question=q2) is False
    assert next_favorite(org.bob) is None
    del q1


# --- Push ---------------------------------------------------------------------------------------------


def test_push_puts_a_clauses_questions_in_every_queue_of_the_unit_only(org, bank):
    clause = make_clause(org.jls)
    other = make_clause(org.jls, code="YZF-1.3")
    q = make_question(bank, clauses=[clause])
    make_question(bank, clauses=[other])
    later = NOW + dt.timedelta(days=30)
    ReviewCard.objects.create(staff=org.bob, question=q, due=later, step=0, stability=5.0, difficulty=5.0,
                              state=ReviewCard.State.REVIEW, last_review=NOW - dt.timedelta(days=1))
    push = review_push_clause(clause=clause, unit=org.cy, reason="检查不达标", at=NOW)
    cy_people = {org.alice.pk, org.bob.pk, org.hank.pk, org.dave.pk}
    assert set(ReviewCard.objects.filter(question=q, due__lte=NOW).values_list("staff_id", flat=True)) == cy_people
    assert not ReviewCard.objects.filter(staff=org.charlie).exists()
    kept = ReviewCard.objects.get(staff=org.bob, question=q)
    assert kept.stability == 5.0  # memory state kept, only made due
    assert push.cards == 4
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        assert next_review(org.dave) == q


@needs_postgres()
def test_on_postgresql_an_answers_read_and_write_are_prepared_once_per_connection(org, bank):
    """recording.py's two statements go through core.db.hot_cursor(): past the threshold each is a
    prepared statement of the connection (one per statement text, whatever the values)."""
    q = make_question(bank)
    for n in range(prepare_threshold() + 1):
        answer(org.bob, q, "AB"[n % 2], mode="random", at=NOW + dt.timedelta(minutes=n))

    assert len(prepared_statements(ReviewCard._meta.db_table)) == 2  # the read, and the write (a WITH … CTE)
    assert len(prepared_statements(Answer._meta.db_table)) == 1
