"""Races on PostgreSQL: many requests submitting (or starting) the same attempt at once."""
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from postqc.conftest import needs_postgres, race
from postqc.contests import services
from postqc.contests.models import Attempt, AttemptItem
from postqc.contests.services import attempt_answer, attempt_start, attempt_submit, to_displayed_keys

from .conftest import T0

pytestmark = [needs_postgres(), pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 12


def test_many_threads_submitting_the_same_attempt_score_it_exactly_once(org, mock_exam, monkeypatch):
    attempt, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    for item in attempt.items.select_related("version"):
        response = to_displayed_keys(item, item.version.answer)[:1 if item.version.type == "fill" else None]
        attempt_answer(attempt=attempt, position=item.position, response=response, client_id=uuid.uuid4(), at=T0)
    scored = []
    real = services._score
    monkeypatch.setattr(services, "_score", lambda a: (scored.append(a.pk), real(a))[1])

    results = race(lambda _i: attempt_submit(attempt=attempt, at=T0 + services.dt.timedelta(minutes=3)), n=THREADS)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert scored == [attempt.pk]
    assert {(r.status, r.score, r.submitted_at) for r in results} == {
        (Attempt.Status.SUBMITTED, Decimal("26.00"), T0 + services.dt.timedelta(minutes=3))}


def test_many_threads_starting_for_one_person_end_on_one_attempt(org, mock_exam):
    results = race(lambda _i: attempt_start(exam=mock_exam, staff=org.bob, at=T0)[0].pk, n=THREADS)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    assert Attempt.objects.filter(staff=org.bob).count() == 1


def test_answers_racing_a_submit_are_scored_if_and_only_if_acknowledged(org, mock_exam):
    """Every position answered in its own thread while another thread submits: the share lock of the
    answer statement against the submit's row lock means an acknowledged answer is in the score and a
    refused one (AttemptClosed) is not — never an answer saved after the paper was scored."""
    attempt, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    items = list(attempt.items.select_related("version").order_by("position"))
    rights = {item.position: to_displayed_keys(item, item.version.answer)[:1 if item.version.type == "fill" else None]
              for item in items}
    at = T0 + services.dt.timedelta(minutes=1)

    def act(i):
        if i == len(items):
            return attempt_submit(attempt=attempt, at=at)
        item = items[i]
        return attempt_answer(attempt=attempt, position=item.position, response=rights[item.position],
                              client_id=uuid.uuid4(), at=at)

    results = race(act, n=len(items) + 1)

    acknowledged = {r.position for r in results[:-1] if isinstance(r, AttemptItem)}
    refused = [r for r in results[:-1] if isinstance(r, services.AttemptClosed)]
    assert len(acknowledged) + len(refused) == len(items), results
    attempt.refresh_from_db()
    scored = set(attempt.items.filter(is_correct=True).values_list("position", flat=True))
    assert scored == acknowledged
    assert attempt.correct_count == len(acknowledged)
    assert set(attempt.items.filter(response__isnull=False).values_list("position", flat=True)) == acknowledged


def test_submits_of_different_people_do_not_wait_for_each_other(org, mock_exam, monkeypatch):
    """A submit locks its attempt, not the exam: thousands hand in at the close, and none waits for
    another's submit to commit (the exam row used to be locked too, which queued them all)."""
    mine, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    theirs, _ = attempt_start(exam=mock_exam, staff=org.erin, at=T0)
    inside, release = threading.Event(), threading.Event()
    real = services._score

    def slow(attempt):
        if attempt.pk == mine.pk:  # hold my submit's transaction open, locks taken
            inside.set()
            release.wait(10)
        return real(attempt)

    monkeypatch.setattr(services, "_score", slow)
    later = T0 + services.dt.timedelta(minutes=3)

    def submit_mine():
        try:
            attempt_submit(attempt=mine, at=later)
        finally:
            connection.close()

    thread = threading.Thread(target=submit_mine)
    thread.start()
    try:
        assert inside.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting on my submit would fail here
        assert attempt_submit(attempt=theirs, at=later).status == Attempt.Status.SUBMITTED
    finally:
        release.set()
        thread.join(10)
    assert Attempt.objects.get(pk=mine.pk).status == Attempt.Status.SUBMITTED
