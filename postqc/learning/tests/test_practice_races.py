"""Races on PostgreSQL: the one-statement answer write (recording.py) under concurrent answers."""
import uuid

import pytest
from postqc.conftest import needs_postgres, race
from postqc.learning.models import Answer, ReviewCard, WrongEntry
from postqc.learning.practice import answer_submit

from .factories import make_bank, make_question

pytestmark = [needs_postgres(), pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 10


def test_concurrent_answers_to_one_question_are_each_reviewed_once(org):
    """Two devices of one person answering the same question at once: every answer is recorded and
    the card and 错题本 count every one of them (no update is lost to the read-then-write)."""
    question = make_question(make_bank(org.jls, code="CITY"))  # 单选, key B

    results = race(lambda i: answer_submit(staff=org.bob, question=question, response=["A"], mode="random",
                                           client_id=uuid.uuid4(), duration_ms=3000), n=THREADS)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Answer.objects.filter(staff=org.bob, question=question).count() == THREADS
    card = ReviewCard.objects.get(staff=org.bob, question=question)
    assert card.reps == THREADS
    assert WrongEntry.objects.get(staff=org.bob, question=question).wrong_count == THREADS
    assert sorted(r.wrong_book for r in results) == ["added"] + ["kept"] * (THREADS - 1)


def test_the_same_answer_resent_at_once_is_recorded_once(org):
    question = make_question(make_bank(org.jls, code="CITY"))
    client_id = uuid.uuid4()

    results = race(lambda i: answer_submit(staff=org.bob, question=question, response=["B"], mode="random",
                                           client_id=client_id, duration_ms=3000), n=THREADS)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Answer.objects.filter(staff=org.bob, client_id=client_id).count() == 1
    assert ReviewCard.objects.get(staff=org.bob, question=question).reps == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * (THREADS - 1)
    assert len({r.answer.pk for r in results}) == 1
