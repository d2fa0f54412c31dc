"""The boards: ranking order with ties, Redis and the database agreeing, around-me at the edges,
the unit board's per-capita arithmetic, the pages, the API and the rebuild command."""
import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from postqc.api.services import token_issue
from postqc.conftest import PASSWORD, needs_redis
from postqc.contests import boards
from postqc.contests.audience import eligible_staff, exam_is_eligible
from postqc.contests.models import Attempt, BoardEntry, Exam
from postqc.contests.services import attempt_answer, attempt_start, attempt_submit, to_displayed_keys
from postqc.org.models import Staff, Unit
from postqc.org.roles import Role
from postqc.org.services import staff_create, unit_create

from .conftest import T0

SECOND = dt.timedelta(seconds=1)
CONTEST_RULES = [
    {"question_type": "single", "count": 10, "points": 2, "pool": "practice"},
    {"question_type": "true_false", "count": 2, "points": 1, "pool": "practice"},
]
_people = iter(range(1, 10**6))


def person(unit, *, roles=(Role.CLERK,), name=None) -> Staff:
    n = next(_people)
    staff = staff_create(employee_no=f"P{n:05d}", name=name or f"员工{n}", unit=unit, roles=list(roles),
                         password=PASSWORD)
    staff.must_change_password = False
    staff.save(update_fields=["must_change_password"])
    return staff


def finish(exam, staff, *, score, duration, at=T0, number=1, excluded=False) -> Attempt:
    """A finished attempt with this result (no paper), recorded on the board the way a submit does."""
    attempt = Attempt.objects.create(
        exam=exam, staff=staff, number=number, status=Attempt.Status.SUBMITTED, started_at=at - duration * SECOND,
        deadline=at + dt.timedelta(hours=1), submitted_at=at, score=Decimal(score), max_score=Decimal(100),
        duration_seconds=duration, excluded_at=at if excluded else None)
    boards.board_refresh(exam=exam, staff_id=staff.pk)
    return attempt


def right(item) -> list[str]:
    answer = to_displayed_keys(item, item.version.answer)
    return answer[:1] if item.version.type == "fill" else answer


def wrong(item) -> list[str]:
    if item.version.type == "true_false":
        return ["F" if item.version.answer == ["T"] else "T"]
    good = set(to_displayed_keys(item, item.version.answer))
    return [next(k for k in "ABCDEFGH"[:len(item.option_order)] if k not in good)]


def take(exam, staff, *, wrong_at=(), start=T0, step=10, device=""):
    """Start, answer every question (`step` seconds apart; the positions in `wrong_at` wrongly),
    submit: the finished attempt."""
    attempt, _ = attempt_start(exam=exam, staff=staff, at=start, device_hash=device)
    items = list(attempt.items.select_related("version").order_by("position"))
    for i, item in enumerate(items, start=1):
        attempt_answer(attempt=attempt, position=item.position, client_id=uuid.uuid4(), at=start + i * step * SECOND,
                       response=wrong(item) if item.position in wrong_at else right(item))
    return attempt_submit(attempt=attempt, at=start + (len(items) + 1) * step * SECOND)


@pytest.fixture
def contest(make_exam):
    return make_exam(kind="contest", title="普遍服务知识竞赛", rules=CONTEST_RULES, attempts_allowed=1)


@pytest.fixture(autouse=True)
def _drop_redis_boards(db, settings):
    """Redis outlives the test's transaction: drop the boards the test made there."""
    url = settings.REDIS_URL
    yield
    if url:
        settings.REDIS_URL = url
        for pk, code in Exam.objects.values_list("pk", "code"):
            boards.RedisBoard(pk, code).drop()


@pytest.fixture(params=["database", pytest.param("redis", marks=needs_redis())])
def backend(request, settings):
    """Run the test on each board backend."""
    if request.param == "database":
        settings.REDIS_URL = ""
    return request.param


def ranking(rows):
    return [(r.rank, r.staff_id) for r in rows]


# --- Order ----------------------------------------------------------------------------------------------


def test_score_ranks_first_then_time_used_then_submit_time_then_the_staff_id(org, contest, backend):
    a, b, c, d, e = (person(org.cy_bjl) for _ in range(5))
    finish(contest, a, score=80, duration=300, at=T0)
    finish(contest, b, score=90, duration=600, at=T0)  # the best score wins however slow
    finish(contest, c, score=80, duration=200, at=T0 + 5 * SECOND)  # same score, less time: ahead of a
    finish(contest, d, score=80, duration=300, at=T0 - 5 * SECOND)  # same score and time, submitted earlier
    finish(contest, e, score=80, duration=300, at=T0)  # a tie on everything: the lower staff id first

    assert ranking(boards.top(contest, 10)) == [(1, b.pk), (2, c.pk), (3, d.pk), (4, a.pk), (5, e.pk)]
    assert [(r.score, r.duration_seconds) for r in boards.top(contest, 2)] == [(Decimal(90), 600), (Decimal(80), 200)]
    assert boards.rank_of(contest, a).rank == 4
    assert boards.participants(contest) == 5


def test_the_redis_packing_keeps_the_ranking_order_for_any_rows():
    # Redis orders by (score, member) ascending and ZREV* reverses it; the packing must reproduce
    # boards.ORDER exactly. Checked on the packing alone, without a Redis server.
    row = st.tuples(st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2),
                    st.integers(min_value=0, max_value=10**7 - 1),
                    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2100, 1, 1)),
                    st.integers(min_value=1, max_value=10**11))

    @hsettings(max_examples=300, deadline=None)
    @given(st.lists(row, min_size=2, max_size=30, unique_by=lambda r: r[3]))
    def check(rows):
        rows = [(score, duration, at.replace(tzinfo=dt.UTC), staff) for score, duration, at, staff in rows]
        expected = sorted(rows, key=lambda r: (-r[0], r[1], r[2], r[3]))
        packed = sorted(rows, key=lambda r: boards.pack(*r), reverse=True)
        assert packed == expected
        for rank, r in enumerate(rows, start=1):
            score, member = boards.pack(*r)
            assert boards.unpack(rank, member.encode(), str(score).encode()) == boards.Row(rank, r[3], r[0], r[1], r[2])

    check()


@needs_redis()
def test_redis_and_the_database_give_identical_boards_for_the_same_data(org, contest, settings,
                                                                          django_capture_on_commit_callbacks):
    people = [person(org.cy_bjl if i % 2 else org.jh_hsd) for i in range(40)]
    for i, p in enumerate(people):  # many ties: 4 scores × 3 durations × 2 submit times
        finish(contest, p, score=[70, 80, 80, 90][i % 4], duration=[300, 300, 420][i % 3], at=T0 + (i % 2) * SECOND)
    db, cache = boards.DatabaseBoard(contest.pk), boards.RedisBoard(contest.pk, contest.code)
    try:
        assert cache.rebuild() == 40

        def same():
            assert cache.top(100) == db.top(100)
            assert cache.count() == db.count()
            for p in people:
                for k in (0, 1, 5):
                    assert cache.around(p.pk, k) == db.around(p.pk, k), (p.pk, k)

        same()
        # Incremental changes after each commit: a new entry, a changed one, a removed one.
        with django_capture_on_commit_callbacks(execute=True):
            finish(contest, person(org.cy_bjl), score=85, duration=300)
            Attempt.objects.filter(staff=people[0]).update(score=Decimal(99))
            boards.board_refresh(exam=contest, staff_id=people[0].pk)
            Attempt.objects.filter(staff=people[1]).update(excluded_at=T0)
            boards.board_refresh(exam=contest, staff_id=people[1].pk)
        same()
        assert db.around(people[0].pk, 0)[0].rank == 1
        assert cache.around(people[1].pk, 0) == [] == db.around(people[1].pk, 0)
    finally:
        cache.drop()


@needs_redis()
def test_a_redis_board_that_is_missing_or_damaged_is_rebuilt_from_the_database_on_reading(org, contest):
    people = [person(org.cy_bjl) for _ in range(3)]
    for i, p in enumerate(people):
        finish(contest, p, score=90 - i, duration=100)
    cache = boards.RedisBoard(contest.pk, contest.code)
    try:
        assert ranking(cache.top(10)) == [(1, people[0].pk), (2, people[1].pk), (3, people[2].pk)]
        cache.redis.zrem(cache.zset, cache.redis.hget(cache.hash, people[0].pk))  # the two keys now disagree
        assert ranking(cache.top(10)) == [(1, people[0].pk), (2, people[1].pk), (3, people[2].pk)]
        cache.drop()
        assert cache.count() == 3
    finally:
        cache.drop()


@needs_redis()
def test_a_change_during_a_rebuild_is_copied_again_after_the_swap(org, contest):
    a, b = person(org.cy_bjl), person(org.cy_bjl)
    finish(contest, a, score=50, duration=100)
    cache = boards.RedisBoard(contest.pk, contest.code)
    try:
        cache.rebuild()
        cache.redis.set(cache.lock, "another-process")  # a rebuild is running elsewhere
        finish(contest, b, score=60, duration=100)
        cache.sync(b.pk)
        assert cache.redis.smembers(cache.touched) == {str(b.pk).encode()}
        assert cache.rebuild() is None  # that other rebuild holds the lock
        cache.redis.delete(cache.lock)
        assert cache.rebuild() == 2
        assert ranking(cache.top(5)) == [(1, b.pk), (2, a.pk)]
        assert not cache.redis.exists(cache.touched, cache.lock)
    finally:
        cache.drop()


def test_an_unreachable_redis_never_fails_a_submit_and_the_database_serves_the_board(org, contest, settings,
                                                                                    caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    take(contest, org.bob)
    assert BoardEntry.objects.filter(exam=contest, staff=org.bob).exists()
    assert ranking(boards.top(contest)) == [(1, org.bob.pk)]
    assert boards.rank_of(contest, org.bob).rank == 1
    assert "writing staff" in caplog.text and "reading the database" in caplog.text


# --- Around me ------------------------------------------------------------------------------------------


@pytest.fixture
def twenty(org, contest):
    people = [person(org.cy_bjl) for _ in range(20)]
    for i, p in enumerate(people):
        finish(contest, p, score=100 - i, duration=60)
    return people


def test_around_me_shows_five_above_and_five_below(contest, twenty, backend):
    rows = boards.around(contest, twenty[9])
    assert [r.rank for r in rows] == list(range(5, 16))
    assert [r.staff_id for r in rows] == [p.pk for p in twenty[4:15]]
    assert rows[5].name == twenty[9].name and rows[5].unit_name == "北京路支局"


def test_around_me_at_rank_one_shows_only_the_people_below(contest, twenty, backend):
    assert [r.rank for r in boards.around(contest, twenty[0])] == [1, 2, 3, 4, 5, 6]
    assert [r.rank for r in boards.around(contest, twenty[2])] == list(range(1, 9))


def test_around_me_at_the_last_place_shows_only_the_people_above(contest, twenty, backend):
    assert [r.rank for r in boards.around(contest, twenty[-1])] == [15, 16, 17, 18, 19, 20]
    assert boards.rank_of(contest, twenty[-1]).rank == 20


def test_someone_without_a_counted_result_has_no_place(org, contest, twenty, backend):
    assert boards.around(contest, org.bob) == []
    assert boards.rank_of(contest, org.bob) is None


def test_top_n_is_bounded(contest, twenty, backend):
    assert len(boards.top(contest, 3)) == 3
    assert boards.top(contest, 0) == []
    assert len(boards.top(contest, 10_000)) == 20


# --- The counted result ------------------------------------------------------------------------------


@pytest.mark.parametrize("counting, expected", [("best", 2), ("first", 1), ("last", 3)])
def test_the_counting_rule_chooses_the_attempt_on_the_board(org, make_exam, counting, expected):
    exam = make_exam(kind="contest", rules=CONTEST_RULES, attempts_allowed=3, counting=counting)
    scores = {1: 70, 2: 90, 3: 80}
    attempts = {n: finish(exam, org.bob, score=s, duration=100, number=n) for n, s in scores.items()}
    entry = BoardEntry.objects.get(exam=exam, staff=org.bob)
    assert entry.attempt == attempts[expected]
    assert entry.score == scores[expected]
    assert entry.unit == org.cy_bjl


def test_among_equal_best_scores_the_faster_attempt_counts(org, make_exam):
    exam = make_exam(kind="contest", rules=CONTEST_RULES, attempts_allowed=3, counting="best")
    finish(exam, org.bob, score=90, duration=300, number=1)
    faster = finish(exam, org.bob, score=90, duration=200, number=2)
    assert BoardEntry.objects.get(exam=exam, staff=org.bob).attempt == faster


def test_an_excluded_attempt_never_counts(org, make_exam):
    exam = make_exam(kind="contest", rules=CONTEST_RULES, attempts_allowed=3, counting="best")
    finish(exam, org.bob, score=99, duration=100, number=1, excluded=True)
    kept = finish(exam, org.bob, score=60, duration=100, number=2)
    assert BoardEntry.objects.get(exam=exam, staff=org.bob).attempt == kept


def test_submitting_a_competition_records_the_board_in_the_same_transaction(org, contest):
    attempt = take(contest, org.bob, wrong_at={1})
    entry = BoardEntry.objects.get(exam=contest, staff=org.bob)
    assert (entry.attempt, entry.score, entry.duration_seconds) == (attempt, Decimal(20), attempt.duration_seconds)
    assert entry.submitted_at == attempt.submitted_at


def test_mock_exams_have_no_board(org, mock_exam):
    attempt, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    attempt_submit(attempt=attempt, at=T0 + 60 * SECOND)
    assert not BoardEntry.objects.exists()


# --- Eligibility and the unit board ------------------------------------------------------------------------


def audiences(org):
    return [
        {},
        {"audience_units": [org.cy_bjl, org.jh_hsd]},
        {"audience_roles": [Role.COURIER]},
        {"audience_units": [org.cy], "audience_roles": [Role.CLERK, Role.BRANCH_HEAD]},
        {"invitees": [org.bob, org.carl]},
    ]


@pytest.mark.parametrize("index", range(5))
def test_the_eligible_headcount_is_exactly_who_may_take_part(org, make_exam, index):
    inactive = person(org.cy_bjl)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    roleless = Staff.objects.create(employee_no="NOROLE", name="无角色", unit=org.cy_bjl)
    exam = make_exam(kind="contest", rules=CONTEST_RULES, **audiences(org)[index])
    everyone = list(Staff.objects.all())
    assert set(eligible_staff(exam)) == {s for s in everyone if exam_is_eligible(exam, s)}
    assert inactive not in eligible_staff(exam) and roleless not in eligible_staff(exam)


def test_a_small_branch_where_most_took_part_beats_a_big_one_per_capita(org, make_exam):
    # 蛟河 organises; its children are 黄松甸支局 (carl, erin + one more: 3 people) and a new
    # 10-person branch. charlie works at 蛟河 itself: its own row (本级).
    small = org.jh_hsd
    third = person(small)
    big = unit_create(code="JH-XZ", name="新站支局", kind=Unit.Kind.BRANCH, parent=org.jh)
    big_staff = [person(big) for _ in range(10)]
    exam = make_exam(kind="contest", rules=CONTEST_RULES, unit=org.jh, actor=org.charlie)
    finish(exam, org.carl, score=90, duration=100)
    finish(exam, org.erin, score=80, duration=100)
    for p, s in zip(big_staff, [95, 95, 90, 90, 85, 85], strict=False):
        finish(exam, p, score=s, duration=100)

    rows = boards.units(exam)
    assert [(r.code, r.own) for r in rows] == [("JH-HSD", False), ("JH-XZ", False), ("JH", True)]
    hsd, xz, jh = rows
    # 黄松甸: (90 + 80 + 0) ÷ 3 = 56.67, 2 of 3 took part; 新站: 540 ÷ 10 = 54.00, 6 of 10.
    assert (hsd.headcount, hsd.participants, hsd.total, hsd.per_capita) == (3, 2, Decimal(170), Decimal("56.67"))
    assert (hsd.participation, hsd.participation_percent) == (Decimal("0.6667"), Decimal("66.7"))
    assert (xz.headcount, xz.participants, xz.total, xz.per_capita) == (10, 6, Decimal(540), Decimal("54.00"))
    assert xz.participation == Decimal("0.6")
    assert (jh.headcount, jh.participants, jh.per_capita, jh.participation) == (1, 0, Decimal(0), Decimal(0))
    assert third in eligible_staff(exam)
    turnout = boards.turnout(exam)
    assert (turnout.participants, turnout.eligible, turnout.percent) == (8, 14, Decimal("57.1"))


def test_the_unit_board_can_group_a_level_deeper(org, make_exam):
    exam = make_exam(kind="contest", rules=CONTEST_RULES)  # organised by the city
    finish(exam, org.bob, score=80, duration=100)
    finish(exam, org.dave, score=60, duration=100)
    by_district = {r.code: r for r in boards.units(exam)}
    assert by_district["CY"].headcount == 4 and by_district["CY"].total == 140  # alice, bob, hank, dave
    by_branch = {r.code: r for r in boards.units(exam, level=2)}
    assert by_branch["CY-BJL"].headcount == 3 and by_branch["CY-BJL"].per_capita == Decimal("46.67")
    assert by_branch["CY"].own and by_branch["CY"].headcount == 1  # alice, at 船营 itself
    with pytest.raises(ValueError):
        boards.units(exam, level=4)


def test_a_submit_clears_the_cached_unit_board(org, contest):
    before = {r.code: r.participants for r in boards.units(contest)}
    finish(contest, org.bob, score=80, duration=100)
    after = {r.code: r.participants for r in boards.units(contest)}
    assert before["CY"] == 0 and after["CY"] == 1


def test_the_unit_board_reads_a_constant_number_of_queries(org, contest, django_assert_num_queries):
    finish(contest, org.bob, score=80, duration=100)
    boards.forget_units(contest)
    with django_assert_num_queries(3):
        boards.units(contest)
    for _ in range(6):
        finish(contest, person(org.jh_hsd), score=70, duration=100)
    boards.forget_units(contest)
    with django_assert_num_queries(3):
        boards.units(contest)


# --- Pages -------------------------------------------------------------------------------------------------


def test_the_staff_board_shows_my_rank_my_neighbours_the_top_and_the_units(org, contest, as_, backend):
    others = [person(org.cy_bjl) for _ in range(12)]
    for i, p in enumerate(others):
        finish(contest, p, score=100 - i, duration=60)
    finish(contest, org.bob, score=Decimal("88.5"), duration=75)
    page = as_(org.bob).get(f"/m/contests/boards/{contest.code}/")
    assert page.status_code == 200
    mine = page.context["mine"]
    assert (mine.rank, mine.score) == (13, Decimal("88.5"))
    assert [r.rank for r in page.context["near"]] == list(range(8, 14))
    assert len(page.context["top"]) == 10
    text = page.content.decode()
    assert "88.5" in text and "1:15" in text and "北京路支局" in text and "船营区分公司" in text
    assert "<script>" not in text and "style=" not in text


def test_the_board_in_the_api_costs_the_same_queries_whatever_the_board_and_hides_from_outsiders(
        org, contest, client, make_exam, backend, django_assert_num_queries):
    url = f"/api/v1/exams/{contest.code}/board?around=me&top=3"
    headers = {"Authorization": f"Bearer {token_issue(staff=org.bob, label='test')[0]}"}
    finish(contest, org.bob, score=80, duration=75)
    client.get(url, headers=headers)  # the audience and the ancestors memoised, as on a busy server
    counts = []
    for size in (3, 15):
        for _ in range(size):
            finish(contest, person(org.cy_bjl), score=90, duration=60)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url, headers=headers).json()
        counts.append(len(queries))
        assert body["me"]["rank"] == body["participants"] and len(body["top"]) == 3
    # The exam by its code and the names of the rows shown (top and around me, at once); without
    # Redis the board's own reads too (the count, the top, my entry, how many are ahead, the rows
    # around me).
    assert counts[0] == counts[1] == (2 if backend == "redis" else 7), counts
    couriers = make_exam(kind="contest", rules=CONTEST_RULES, audience_roles=[Role.COURIER])
    assert client.get(f"/api/v1/exams/{couriers.code}/board", headers=headers).status_code == 404


def test_the_staff_board_is_a_404_outside_the_audience(org, make_exam, as_):
    couriers = make_exam(kind="contest", rules=CONTEST_RULES, audience_roles=[Role.COURIER])
    assert as_(org.bob).get(f"/m/contests/boards/{couriers.code}/").status_code == 404
    assert as_(org.dave).get(f"/m/contests/boards/{couriers.code}/").status_code == 200


def test_the_staff_board_opens_for_the_organising_managers_outside_the_audience(org, make_exam, as_):
    # The manager page links to it (员工端排行榜); a manager who is not a participant sees the board
    # without a row of their own, and a manager of another county still gets a 404.
    cy_couriers = make_exam(kind="contest", rules=CONTEST_RULES, unit=org.cy, actor=org.alice,
                            audience_roles=[Role.COURIER])
    url = f"/m/contests/boards/{cy_couriers.code}/"
    manage = as_(org.alice).get(f"/manage/contests/{cy_couriers.code}/")
    assert manage.status_code == 200 and url in manage.content.decode()
    page = as_(org.alice).get(url)
    assert page.status_code == 200 and page.context["mine"] is None
    assert "不在参赛范围内" in page.content.decode()
    assert f'class="back" href="/manage/contests/{cy_couriers.code}/"' in page.content.decode()
    assert as_(org.charlie).get(url).status_code == 404
    assert as_(org.bob).get(url).status_code == 404


def test_the_big_screen_refreshes_itself_without_inline_script(org, contest, as_):
    finish(contest, org.bob, score=90, duration=100)
    page = as_(org.dora).get(f"/manage/contests/boards/{contest.code}/screen/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'hx-get="/manage/contests/boards/{contest.code}/screen/live/"' in text
    assert 'hx-trigger="every 5s"' in text and "face-screen" in text
    assert "鲍勃" in text and "<script>" not in text and "style=" not in text
    live = as_(org.dora).get(f"/manage/contests/boards/{contest.code}/screen/live/")
    assert live.status_code == 200 and "鲍勃" in live.content.decode() and b"<html" not in live.content


def test_the_big_screen_is_for_managers_of_the_organising_subtree(org, make_exam, as_):
    cy_contest = make_exam(kind="contest", rules=CONTEST_RULES, unit=org.cy, actor=org.alice)
    assert as_(org.bob).get(f"/manage/contests/boards/{cy_contest.code}/screen/").status_code == 403
    assert as_(org.charlie).get(f"/manage/contests/boards/{cy_contest.code}/screen/").status_code == 404
    assert as_(org.hank).get(f"/manage/contests/boards/{cy_contest.code}/screen/").status_code == 404
    assert as_(org.alice).get(f"/manage/contests/boards/{cy_contest.code}/screen/").status_code == 200


# --- API ---------------------------------------------------------------------------------------------------


def api_get(client, person_, path, **params):
    token = token_issue(staff=person_, label="test")[0]
    return client.get(f"/api/v1{path}", params, headers={"Authorization": f"Bearer {token}"})


def test_the_board_api_gives_the_top_and_my_place_around_me(org, contest, client):
    people = [person(org.cy_bjl) for _ in range(8)]
    for i, p in enumerate(people):
        finish(contest, p, score=100 - i, duration=60)
    finish(contest, org.bob, score=50, duration=60)
    body = api_get(client, org.bob, f"/exams/{contest.code}/board", around="me", top=3).json()
    assert body["participants"] == 9
    assert [r["rank"] for r in body["top"]] == [1, 2, 3]
    assert body["me"]["rank"] == 9 and body["me"]["me"] is True and body["me"]["score"] == 50
    assert [r["rank"] for r in body["around"]] == [4, 5, 6, 7, 8, 9]
    assert set(body["top"][0]) == {"rank", "name", "unit", "score", "duration_seconds", "submitted_at", "me"}
    plain = api_get(client, org.bob, f"/exams/{contest.code}/board").json()
    assert len(plain["top"]) == 9 and plain["me"] is None and plain["around"] == []


def test_the_units_api_gives_per_capita_and_participation(org, contest, client):
    finish(contest, org.bob, score=80, duration=60)
    body = api_get(client, org.erin, f"/exams/{contest.code}/units").json()
    cy = next(u for u in body if u["unit_code"] == "CY")
    assert (cy["headcount"], cy["participants"], cy["total_score"], cy["per_capita"]) == (4, 1, 80, 20)
    assert cy["participation"] == 0.25
    assert api_get(client, org.erin, f"/exams/{contest.code}/units", level=2).status_code == 200
    assert api_get(client, org.erin, f"/exams/{contest.code}/units", level=9).status_code == 422


def test_the_board_api_is_a_404_outside_the_audience_and_for_mock_exams(org, make_exam, mock_exam, client):
    couriers = make_exam(kind="contest", rules=CONTEST_RULES, audience_roles=[Role.COURIER])
    assert api_get(client, org.bob, f"/exams/{couriers.code}/board").status_code == 404
    assert api_get(client, org.bob, f"/exams/{couriers.code}/units").status_code == 404
    assert api_get(client, org.bob, f"/exams/{mock_exam.code}/board").status_code == 404
    assert api_get(client, org.bob, f"/exams/{uuid.uuid4()}/board").status_code == 404


def test_the_board_api_is_in_the_openapi_docs(org, client):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    assert "/api/v1/exams/{code}/board" in schema["paths"] and "/api/v1/exams/{code}/units" in schema["paths"]


# --- The rebuild command -----------------------------------------------------------------------------------


def test_rebuilding_without_redis_says_there_is_nothing_to_rebuild(settings, db):
    settings.REDIS_URL = ""
    with pytest.raises(CommandError, match="REDIS_URL"):
        call_command("rebuild_boards")


@needs_redis()
def test_rebuild_boards_rebuilds_the_named_or_every_board(org, contest, capsys):
    finish(contest, org.bob, score=80, duration=60)
    cache = boards.RedisBoard(contest.pk, contest.code)
    try:
        cache.drop()
        call_command("rebuild_boards", str(contest.code))
        assert f"{contest.code} 普遍服务知识竞赛: 1 row(s)" in capsys.readouterr().out
        assert cache.redis.hexists(cache.hash, boards.BUILT)
        call_command("rebuild_boards")
        assert "1 row(s)" in capsys.readouterr().out
        with pytest.raises(CommandError, match="No competition"):
            call_command("rebuild_boards", str(uuid.uuid4()))
        with pytest.raises(CommandError, match="UUID"):
            call_command("rebuild_boards", "nonsense")
    finally:
        cache.drop()
