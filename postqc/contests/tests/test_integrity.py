"""Integrity: each flag with the cases that raise it and those that must not, the device cookie,
and the review — every transition, the forbidden ones, and the pages."""
import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from postqc.conftest import needs_redis
from postqc.contests import boards, integrity
from postqc.contests.models import Attempt, AttemptItem, BoardEntry, IntegrityFlag
from postqc.contests.services import attempt_answer, attempt_start, attempt_submit

from .conftest import T0
from .test_boards import CONTEST_RULES, SECOND, _drop_redis_boards, finish, person, right, take, wrong  # noqa: F401

Kind = IntegrityFlag.Kind
Status = IntegrityFlag.Status


@pytest.fixture
def contest(make_exam):
    # One paper for all in one order, so that the same positions answered wrongly make the same
    # sheet; two attempts allowed.
    return make_exam(kind="contest", title="普遍服务知识竞赛", rules=CONTEST_RULES, attempts_allowed=2,
                     paper_mode="same", shuffle_questions=False, shuffle_options=False, counting="best")


def kinds(attempt):
    return {f.kind for f in IntegrityFlag.objects.filter(attempt=attempt)}


def check(attempt):
    return integrity.attempt_check(attempt)


# --- Fast answers ----------------------------------------------------------------------------------------


def test_answers_faster_than_the_reading_floor_flag_the_attempt(org, contest):
    attempt = take(contest, org.bob, step=1)  # a question a second: under 1.5 s + 40 ms a character
    check(attempt)
    flag = IntegrityFlag.objects.get(attempt=attempt, kind=Kind.FAST_ANSWER)
    assert flag.status == Status.OPEN
    assert flag.detail["fast"] == flag.detail["answered"] == flag.detail["questions"] == 12
    first = flag.detail["items"][0]
    assert first["ms"] == 1000 and first["floor_ms"] > 1500


def test_answers_given_in_reading_time_raise_no_flag(org, contest):
    attempt = take(contest, org.bob, step=10)
    assert check(attempt) == [] and kinds(attempt) == set()


def test_two_fast_answers_on_a_long_paper_are_not_enough(org, contest):
    attempt, _ = attempt_start(exam=contest, staff=org.bob, at=T0)
    items = list(attempt.items.select_related("version").order_by("position"))
    at = T0
    for i, item in enumerate(items):
        at += (1 if i < 2 else 10) * SECOND  # the first two fast, the rest in reading time
        attempt_answer(attempt=attempt, position=item.position, response=right(item), client_id=uuid.uuid4(), at=at)
    attempt = attempt_submit(attempt=attempt, at=at + SECOND)
    assert integrity.fast_answers(attempt, list(attempt.items.select_related("version"))) is None


def test_the_fast_answer_threshold_is_three_or_a_fifth_of_a_short_paper():
    assert [integrity.fast_threshold(n) for n in (1, 5, 10, 14, 15, 50)] == [2, 2, 2, 3, 3, 3]


def test_the_reading_floor_grows_with_the_text(org, contest):
    attempt = take(contest, org.bob)
    item = attempt.items.select_related("version").first()
    chars = len(item.version.stem) + sum(len(o) for o in item.version.options)
    assert integrity.reading_floor_ms(contest, item.version) == 1500 + 40 * chars


# --- Identical sheets ----------------------------------------------------------------------------------------


def test_identical_sheets_with_the_same_mistakes_flag_both_people(org, contest):
    bob = take(contest, org.bob, wrong_at={2, 5})
    check(bob)
    assert kinds(bob) == set()  # alone it is nothing
    erin = take(contest, org.erin, wrong_at={2, 5})
    check(erin)
    mine = IntegrityFlag.objects.get(attempt=erin, kind=Kind.IDENTICAL_SEQUENCE)
    theirs = IntegrityFlag.objects.get(attempt=bob, kind=Kind.IDENTICAL_SEQUENCE)
    assert mine.detail == {"questions": 12, "wrong": 2, "with": [str(bob.code)]}
    assert theirs.detail["with"] == [str(erin.code)]
    carl = take(contest, org.carl, wrong_at={2, 5})
    check(carl)
    theirs.refresh_from_db()
    assert theirs.detail["with"] == [str(erin.code), str(carl.code)]


def test_identical_sheets_are_found_however_the_questions_were_shuffled(org, make_exam):
    exam = make_exam(kind="contest", rules=CONTEST_RULES, paper_mode="same", shuffle_questions=True,
                     shuffle_options=True)
    a, b = take(exam, org.bob), take(exam, org.erin)
    assert [i.version_id for i in a.items.order_by("position")] != [i.version_id for i in b.items.order_by("position")]
    # Both chose the same wrong option of the same 单选 (answer B), wherever it stood on each paper.
    version = a.items.filter(version__type="single").order_by("position").first().version_id
    AttemptItem.objects.filter(attempt__in=[a, b], version_id=version).update(response=["A"], is_correct=False)
    check(a)
    check(b)
    assert kinds(a) == kinds(b) == {Kind.IDENTICAL_SEQUENCE}


def test_two_perfect_sheets_are_never_flagged_as_identical(org, contest):
    a, b = take(contest, org.bob), take(contest, org.erin)
    check(a)
    check(b)
    assert kinds(a) == kinds(b) == set()
    assert Attempt.objects.get(pk=a.pk).sequence_digest == ""


def test_different_mistakes_raise_no_identical_flag(org, contest):
    a, b = take(contest, org.bob, wrong_at={2}), take(contest, org.erin, wrong_at={3})
    check(a)
    check(b)
    assert kinds(b) == set()


def test_mostly_blank_sheets_are_not_compared(org, contest):
    attempts = []
    for staff in (org.bob, org.erin):
        attempt, _ = attempt_start(exam=contest, staff=staff, at=T0)
        for item in list(attempt.items.select_related("version").order_by("position"))[:9]:
            attempt_answer(attempt=attempt, position=item.position, response=right(item), client_id=uuid.uuid4(),
                           at=T0 + 10 * item.position * SECOND)
        attempts.append(attempt_submit(attempt=attempt, at=T0 + 200 * SECOND))
    for attempt in attempts:
        check(attempt)
    assert kinds(attempts[1]) == set()


def test_a_person_handing_in_the_same_sheet_twice_is_not_flagged(org, contest):
    first = take(contest, org.bob, wrong_at={1})
    second = take(contest, org.bob, wrong_at={1}, start=T0 + dt.timedelta(minutes=10))
    check(first)
    check(second)
    assert kinds(second) == set()


# --- Shared devices ----------------------------------------------------------------------------------------


def test_two_people_on_one_device_are_both_flagged(org, contest):
    bob = take(contest, org.bob, device="d" * 64)
    check(bob)
    assert kinds(bob) == set()
    erin = take(contest, org.erin, device="d" * 64, wrong_at={1})
    check(erin)
    assert IntegrityFlag.objects.get(attempt=erin, kind=Kind.SHARED_DEVICE).detail == {"with": [str(bob.code)]}
    assert IntegrityFlag.objects.get(attempt=bob, kind=Kind.SHARED_DEVICE).detail == {"with": [str(erin.code)]}


def test_one_person_on_one_device_twice_or_people_on_their_own_devices_raise_nothing(org, contest):
    a = take(contest, org.bob, device="a" * 64)
    b = take(contest, org.bob, device="a" * 64, start=T0 + dt.timedelta(minutes=10))
    c = take(contest, org.erin, device="c" * 64, wrong_at={1})
    d = take(contest, org.carl, wrong_at={2})  # no device recorded (an API client without an id)
    for attempt in (a, b, c, d):
        check(attempt)
    assert {k for x in (a, b, c, d) for k in kinds(x)} == set()


def test_checks_run_after_the_submit_commits_and_never_on_mock_exams(org, contest, mock_exam,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        attempt = take(contest, org.bob, step=1)
    assert kinds(attempt) == {Kind.FAST_ANSWER}
    with django_capture_on_commit_callbacks(execute=True):
        mock_attempt = take(mock_exam, org.bob, step=1)  # answered just as fast
    assert kinds(mock_attempt) == set()


# --- The device cookie -------------------------------------------------------------------------------------


def test_a_device_without_a_cookie_gets_one_and_keeps_its_hash(settings):
    settings.SESSION_COOKIE_SECURE = True
    seen = {}

    @integrity.remembers_device
    def view(request):
        from django.http import HttpResponse

        seen["hash"] = integrity.device_hash(request)
        return HttpResponse("ok")

    response = view(RequestFactory().get("/"))
    cookie = response.cookies[integrity.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert len(seen["hash"]) == 64 and cookie.value not in seen["hash"]
    again = RequestFactory().get("/", HTTP_COOKIE=f"{integrity.DEVICE_COOKIE}={cookie.value}")
    assert view(again).cookies.get(integrity.DEVICE_COOKIE) is None
    first = seen["hash"]
    view(RequestFactory().get("/", HTTP_COOKIE=f"{integrity.DEVICE_COOKIE}={cookie.value}"))
    assert seen["hash"] == first


def test_an_api_client_names_its_device_by_header_and_the_hash_depends_on_the_secret_key(settings):
    request = RequestFactory().get("/", HTTP_X_DEVICE_ID="install-0123456789abcdef")
    one = integrity.device_hash(request)
    assert integrity.device_hash(RequestFactory().get("/", HTTP_X_DEVICE_ID="install-0123456789abcdef")) == one
    settings.SECRET_KEY = "another-secret-key-for-another-installation"
    assert integrity.device_hash(RequestFactory().get("/", HTTP_X_DEVICE_ID="install-0123456789abcdef")) != one
    assert integrity.device_hash(RequestFactory().get("/", HTTP_X_DEVICE_ID="short")) != one  # too short: minted


# --- Review ----------------------------------------------------------------------------------------------------


@pytest.fixture
def flagged(org, contest):
    """bob's attempt (80 points) with an open fast-answer flag; sam of the city reviews."""
    attempt = finish(contest, org.bob, score=80, duration=300)
    flag = IntegrityFlag.objects.create(attempt=attempt, kind=Kind.FAST_ANSWER, detail={
        "fast": 5, "answered": 12, "questions": 12, "threshold": 3,
        "items": [{"position": p, "ms": 400, "floor_ms": 2000} for p in range(1, 6)]})
    return flag


def test_confirming_excludes_the_attempt_and_takes_it_off_the_board_keeping_its_history(org, flagged):
    finish(flagged.attempt.exam, org.erin, score=70, duration=300)
    assert boards.rank_of(flagged.attempt.exam, org.bob).rank == 1
    flag = integrity.flag_confirm(flag=flagged, reason="后台记录显示一秒一题", actor=org.sam, at=T0)
    attempt = Attempt.objects.get(pk=flagged.attempt_id)
    assert attempt.excluded_at == T0 and attempt.score == 80  # kept, with its answers and score
    assert (flag.status, flag.reason, flag.reviewed_by, flag.reviewed_at) == (Status.CONFIRMED, "后台记录显示一秒一题",
                                                                               org.sam, T0)
    assert not BoardEntry.objects.filter(staff=org.bob).exists()
    assert boards.rank_of(attempt.exam, org.erin).rank == 1
    assert boards.turnout(attempt.exam).participants == 1


def test_with_best_counting_a_confirmed_attempt_lets_the_persons_other_attempt_count(org, flagged):
    other = finish(flagged.attempt.exam, org.bob, score=60, duration=300, number=2)
    assert BoardEntry.objects.get(staff=org.bob).attempt_id == flagged.attempt_id
    integrity.flag_confirm(flag=flagged, reason="确认", actor=org.sam)
    assert BoardEntry.objects.get(staff=org.bob).attempt == other


def test_with_first_counting_a_confirmed_first_attempt_leaves_nothing_to_count(org, make_exam):
    exam = make_exam(kind="contest", rules=CONTEST_RULES, attempts_allowed=2, counting="first")
    first = finish(exam, org.bob, score=90, duration=100)
    finish(exam, org.bob, score=95, duration=100, number=2)
    flag = IntegrityFlag.objects.create(attempt=first, kind=Kind.SHARED_DEVICE, detail={"with": []})
    integrity.flag_confirm(flag=flag, reason="同机代答", actor=org.sam)
    assert not BoardEntry.objects.filter(exam=exam).exists()


def test_dismissing_keeps_the_attempt_on_the_board(org, flagged):
    flag = integrity.flag_dismiss(flag=flagged, reason="本人业务熟练，现场复测通过", actor=org.sam)
    assert flag.status == Status.DISMISSED and flag.reviewed_by == org.sam
    assert Attempt.objects.get(pk=flagged.attempt_id).excluded_at is None
    assert BoardEntry.objects.get(staff=org.bob).attempt_id == flagged.attempt_id


@pytest.mark.parametrize("first, then", [("dismiss", "confirm"), ("confirm", "dismiss"), ("confirm", "confirm"),
                                         ("dismiss", "dismiss")])
def test_a_settled_flag_cannot_be_settled_again(org, flagged, first, then):
    getattr(integrity, f"flag_{first}")(flag=flagged, reason="第一次复核", actor=org.sam)
    with pytest.raises(ValidationError, match="已复核"):
        getattr(integrity, f"flag_{then}")(flag=flagged, reason="改主意了", actor=org.sam)
    flag = IntegrityFlag.objects.get(pk=flagged.pk)
    assert flag.reason == "第一次复核"
    assert (Attempt.objects.get(pk=flagged.attempt_id).excluded_at is not None) == (first == "confirm")


@pytest.mark.parametrize("reason", ["", "   ", "长" * 201])
def test_a_review_needs_a_reason_of_reasonable_length(org, flagged, reason):
    for decide in (integrity.flag_confirm, integrity.flag_dismiss):
        with pytest.raises(ValidationError) as caught:
            decide(flag=flagged, reason=reason, actor=org.sam)
        assert "reason" in caught.value.message_dict
    assert IntegrityFlag.objects.get(pk=flagged.pk).status == Status.OPEN


@pytest.mark.parametrize("who", ["bob", "hank", "dora", "alice", "charlie"])
def test_only_content_editors_of_the_organising_subtree_review(org, flagged, who):
    # The competition is the city's: alice (船营) and charlie (蛟河) edit content, but below the city.
    with pytest.raises(PermissionDenied):
        integrity.flag_confirm(flag=flagged, reason="确认", actor=getattr(org, who))
    with pytest.raises(PermissionDenied):
        integrity.flag_dismiss(flag=flagged, reason="排除", actor=getattr(org, who))
    assert IntegrityFlag.objects.get(pk=flagged.pk).status == Status.OPEN
    assert Attempt.objects.get(pk=flagged.attempt_id).excluded_at is None


def test_flags_are_never_deleted_by_a_review(org, flagged):
    integrity.flag_confirm(flag=flagged, reason="确认", actor=org.sam)
    assert IntegrityFlag.objects.filter(pk=flagged.pk).exists()


@needs_redis()
def test_a_confirmed_attempt_leaves_the_redis_board_after_the_commit(org, flagged, django_capture_on_commit_callbacks):
    exam = flagged.attempt.exam
    finish(exam, org.erin, score=70, duration=300)
    assert [r.staff_id for r in boards.top(exam)] == [org.bob.pk, org.erin.pk]  # built from the database
    with django_capture_on_commit_callbacks(execute=True):
        integrity.flag_confirm(flag=flagged, reason="确认", actor=org.sam)
    redis_board = boards.RedisBoard(exam.pk, exam.code)
    assert [r.staff_id for r in redis_board.top(10)] == [org.erin.pk]


# --- Review pages ------------------------------------------------------------------------------------------


def test_the_review_list_shows_open_flags_with_what_was_found(org, flagged, as_):
    page = as_(org.sam).get(f"/manage/contests/boards/{flagged.attempt.exam.code}/review/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "鲍勃" in text and "答题过快" in text and "5 题答得比阅读下限还快" in text and "第 1 题 0.4 秒" in text
    assert "<script>" not in text and "style=" not in text
    everywhere = as_(org.sam).get("/manage/contests/boards/review/")
    assert "鲍勃" in everywhere.content.decode()


def test_confirming_on_the_page_needs_a_reason_and_then_settles_the_flag(org, flagged, as_):
    exam = flagged.attempt.exam
    url = f"/manage/contests/boards/{exam.code}/review/{flagged.attempt.code}/fast_answer/"
    client = as_(org.sam)
    response = client.post(url, {"decision": "confirm", "reason": ""}, follow=True)
    assert response.status_code == 200 and "复核意见" in response.content.decode()
    assert IntegrityFlag.objects.get(pk=flagged.pk).status == Status.OPEN
    response = client.post(url, {"decision": "confirm", "reason": "一秒一题",
                                 "next": f"/manage/contests/boards/{exam.code}/review/?status=all"})
    assert response.status_code == 302 and response["Location"].endswith("?status=all")
    assert IntegrityFlag.objects.get(pk=flagged.pk).status == Status.CONFIRMED
    settled = client.get(f"/manage/contests/boards/{exam.code}/review/?status=confirmed").content.decode()
    assert "一秒一题" in settled and "成绩已取消" in settled
    again = client.post(url, {"decision": "dismiss", "reason": "撤销"}, follow=True)
    assert "已复核" in again.content.decode()
    assert IntegrityFlag.objects.get(pk=flagged.pk).status == Status.CONFIRMED


def test_the_review_pages_refuse_other_roles_and_other_subtrees(org, flagged, as_):
    exam = flagged.attempt.exam
    url = f"/manage/contests/boards/{exam.code}/review/"
    decide = f"{url}{flagged.attempt.code}/fast_answer/"
    assert as_(org.dora).get(url).status_code == 403  # a leader reads results but does not review
    assert as_(org.bob).post(decide, {"decision": "dismiss", "reason": "x"}).status_code == 403
    assert as_(org.alice).get(url).status_code == 404  # the city's competition is above 船营
    assert as_(org.alice).post(decide, {"decision": "dismiss", "reason": "x"}).status_code == 404
    assert as_(org.sam).post(f"{url}{uuid.uuid4()}/fast_answer/", {"decision": "dismiss", "reason": "x"}
                             ).status_code == 404
    assert "鲍勃" not in as_(org.alice).get("/manage/contests/boards/review/").content.decode()
    assert IntegrityFlag.objects.get(pk=flagged.pk).status == Status.OPEN


def test_the_review_list_reads_a_constant_number_of_queries(org, contest, as_, django_assert_num_queries):
    def flag_someone(staff, other):
        attempt = finish(contest, staff, score=70, duration=200)
        IntegrityFlag.objects.create(attempt=attempt, kind=Kind.SHARED_DEVICE, detail={"with": [str(other.code)]})
        return attempt

    first = flag_someone(org.bob, finish(contest, org.erin, score=60, duration=100))
    client = as_(org.sam)
    url = f"/manage/contests/boards/{contest.code}/review/"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(6):
        flag_someone(person(org.jh_hsd), first)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).content.decode().count("同一设备上还有") == 7
