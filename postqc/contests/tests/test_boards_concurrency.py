"""On PostgreSQL: many people answering and submitting at once leave the board — BoardEntry and,
with Redis, the sorted set — equal to the truth recomputed from the Attempt rows."""
import functools
import random
import uuid

import pytest
from django.conf import settings
from django.db import connection

from postqc.conftest import needs_postgres, race
from postqc.contests import boards, integrity
from postqc.contests.models import Attempt, AttemptItem, BoardEntry, Exam, IntegrityFlag
from postqc.contests.services import attempt_answer, attempt_start, attempt_submit

from .conftest import T0
from .test_boards import CONTEST_RULES, SECOND, person, right, wrong

pytestmark = [needs_postgres(), pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PEOPLE = 16


@pytest.fixture
def contest(make_exam):
    exam = make_exam(kind="contest", rules=CONTEST_RULES, attempts_allowed=2, counting="best")
    yield exam
    if settings.REDIS_URL:
        for pk, code in Exam.objects.values_list("pk", "code"):
            boards.RedisBoard(pk, code).drop()


def sit(exam, staff, seed):
    """One person's competition: answer every question (some twice, some resent), submit; half of
    them try a second time. Returns nothing; the database is the record."""
    rng = random.Random(seed)
    for number in range(rng.choice([1, 2])):
        start = T0 + number * 600 * SECOND
        attempt, _ = attempt_start(exam=exam, staff=staff, at=start)
        items = list(attempt.items.select_related("version").order_by("position"))
        for i, item in enumerate(items, start=1):
            at = start + i * 5 * SECOND
            client_id = uuid.uuid4()
            response = right(item) if rng.random() < 0.7 else wrong(item)
            attempt_answer(attempt=attempt, position=item.position, response=response, client_id=client_id, at=at)
            if rng.random() < 0.2:  # a resend after a dropped connection: the same client id
                attempt_answer(attempt=attempt, position=item.position, response=response, client_id=client_id,
                               at=at + SECOND)
        attempt_submit(attempt=attempt, at=start + rng.randint(80, 300) * SECOND)


def test_many_people_answering_and_submitting_at_once_leave_the_board_equal_to_the_truth(org, contest):
    people = [person(org.cy_bjl if i % 2 else org.jh_hsd) for i in range(PEOPLE)]
    queue = list(enumerate(people))

    def one(_thread):
        i, staff = queue.pop()
        sit(contest, staff, seed=i)
        return staff.pk

    if settings.REDIS_URL:
        boards.rebuild(contest)  # an empty board, built: from here on only the incremental writes feed it
    results = race(one, n=PEOPLE)
    assert not [r for r in results if isinstance(r, Exception)], results

    attempts = list(Attempt.objects.filter(exam=contest))
    assert all(a.status == Attempt.Status.SUBMITTED for a in attempts)
    for a in attempts:  # scored exactly once, from the answers as saved
        awarded = sum(i.awarded for i in AttemptItem.objects.filter(attempt=a))
        assert a.score == awarded
    truth = {}
    for staff in people:
        counted = boards.counted_attempt([a for a in attempts if a.staff_id == staff.pk], contest.counting)
        truth[staff.pk] = (counted.pk, counted.score, counted.duration_seconds, counted.submitted_at)
    entries = {e.staff_id: (e.attempt_id, e.score, e.duration_seconds, e.submitted_at)
               for e in BoardEntry.objects.filter(exam=contest)}
    assert entries == truth

    expected = sorted(truth.items(), key=lambda kv: (-kv[1][1], kv[1][2], kv[1][3], kv[0]))
    db = boards.DatabaseBoard(contest.pk)
    assert [(r.rank, r.staff_id) for r in db.top(100)] == [(rank, pk) for rank, (pk, _) in
                                                          enumerate(expected, start=1)]
    if settings.REDIS_URL:
        # Written through and copied after each commit, never rebuilt: it must already agree.
        cache = boards.RedisBoard(contest.pk, contest.code)
        assert cache.redis.zcard(cache.zset) == cache.redis.hlen(cache.hash) - 1 == PEOPLE  # consistent, not rebuilt
        assert cache.top(100) == db.top(100)
        for staff in people:
            assert cache.around(staff.pk, 5) == db.around(staff.pk, 5)


def test_reviews_and_submits_of_the_same_person_at_once_keep_the_board_right(org, make_exam):
    """A confirm on one attempt racing the submit of the person's next attempt: whichever commits
    last, the entry is computed from both (the Staff row lock orders them)."""
    exam = make_exam(kind="contest", rules=CONTEST_RULES, attempts_allowed=0, counting="best")
    if settings.REDIS_URL:
        boards.rebuild(exam)
    try:
        for round_ in range(4):
            first, _ = attempt_start(exam=exam, staff=org.bob, at=T0 + round_ * 1000 * SECOND)
            first = attempt_submit(attempt=first, at=T0 + (round_ * 1000 + 60) * SECOND)
            flag = IntegrityFlag.objects.create(attempt=first, kind=IntegrityFlag.Kind.FAST_ANSWER, detail={})
            second, _ = attempt_start(exam=exam, staff=org.bob, at=T0 + (round_ * 1000 + 100) * SECOND)
            items = list(second.items.select_related("version"))
            for item in items:
                attempt_answer(attempt=second, position=item.position, response=right(item), client_id=uuid.uuid4(),
                               at=T0 + (round_ * 1000 + 110) * SECOND)
            jobs = [functools.partial(integrity.flag_confirm, flag=flag, reason="确认", actor=org.sam),
                    functools.partial(attempt_submit, attempt=second, at=T0 + (round_ * 1000 + 200) * SECOND)]
            results = race(lambda _thread, jobs=jobs: jobs.pop()(), n=2)
            assert not [r for r in results if isinstance(r, Exception)], results
            attempts = list(Attempt.objects.filter(exam=exam, staff=org.bob))
            counted = boards.counted_attempt(attempts, exam.counting)
            entry = BoardEntry.objects.get(exam=exam, staff=org.bob)
            assert (entry.attempt_id, entry.score) == (counted.pk, counted.score)
            if settings.REDIS_URL:
                cache = boards.RedisBoard(exam.pk, exam.code)
                assert cache.around(org.bob.pk, 0) == boards.DatabaseBoard(exam.pk).around(org.bob.pk, 0)
    finally:
        connection.close()
        if settings.REDIS_URL:
            boards.RedisBoard(exam.pk, exam.code).drop()
