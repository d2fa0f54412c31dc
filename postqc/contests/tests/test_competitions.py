"""Competitions (竞赛) and exams (考试) on the one engine: setting up, who takes part, the deadline
rules, scoring and ranking, and what a result may show."""
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postqc.contests import boards, selectors
from postqc.contests.audience import eligible_staff, eligible_to, exam_is_eligible
from postqc.contests.models import Attempt, BlueprintRule, BoardEntry, Exam
from postqc.contests.services import (
    AttemptClosed, attempt_answer, attempt_start, attempt_submit, attempts_expire_overdue, exam_archive, exam_create,
    exam_publish, exam_update, speed_bonus,
)
from postqc.org.services import staff_set_active, staff_update

from .conftest import RESERVED, T0
from .test_services import right_answer, wrong_answer

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def answer(attempt, at, *, right=True, only=None):
    for item in attempt.items.select_related("version"):
        if only is not None and item.position not in only:
            continue
        attempt_answer(attempt=attempt, position=item.position,
                       response=right_answer(item) if right else wrong_answer(item), client_id=uuid.uuid4(), at=at)


def take(exam, person, *, start, seconds, right=True):
    attempt, _ = attempt_start(exam=exam, staff=person, at=start)
    answer(attempt, start + dt.timedelta(seconds=seconds - 1), right=right)
    return attempt_submit(attempt=attempt, at=start + dt.timedelta(seconds=seconds))


# --- Setting up -----------------------------------------------------------------------------------------


def test_a_competition_draws_from_the_reserved_pool_by_default_and_a_mock_exam_from_practice(org, make_contest,
                                                                                           make_exam):
    contest = make_contest()
    assert list(contest.rules.values_list("pool", flat=True)) == ["reserved"]
    mock = make_exam(rules=[{"question_type": "single", "count": 5, "points": 2}])
    assert list(mock.rules.values_list("pool", flat=True)) == ["practice"]
    attempt, _ = attempt_start(exam=contest, staff=org.bob, at=T0)
    assert set(attempt.items.values_list("version__question__pool", flat=True)) == {"reserved"}


def test_an_audience_outside_the_organising_unit_is_refused_naming_the_field(org, bank):
    with pytest.raises(ValidationError) as exc:
        exam_create(kind="contest", title="船营竞赛", unit=org.cy, time_limit_seconds=600, rules=RESERVED,
                    actor=org.alice, audience_units=[org.cy_bjl, org.jh], audience_roles=["clerk", "boss"],
                    invitees=[org.erin])
    errors = exc.value.message_dict
    assert errors["audience_units"] == ["参赛单位 蛟河市分公司 不在主办单位 船营区分公司 之下。"]
    assert errors["audience_roles"] == ["参赛岗位 boss 无效。"]
    assert errors["invitees"] == ["指定人员 艾琳（E001） 不是主办单位 船营区分公司 的在职员工。"]
    assert not Exam.objects.exists()


def test_every_setup_error_comes_at_once_by_field_and_rule_line(org, bank):
    rules = [*RESERVED, {"question_type": "true_false", "count": 3, "points": 1}]  # no reserved 判断 exist
    with pytest.raises(ValidationError) as exc:
        exam_create(kind="contest", title=" ", unit=org.jls, time_limit_seconds=30, rules=rules, actor=org.sam,
                    opens_at=T0, closes_at=T0 - HOUR, prize_people=-1)
    errors = exc.value.message_dict
    assert errors["title"] == ["请填写名称。"] and errors["time_limit_seconds"] == ["答题时长至少 1 分钟。"]
    assert errors["closes_at"] == ["结束时间应晚于开始时间。"]
    assert errors["rules"] == ["第 2 行（判断）：只有 0 道符合条件的可用试题，需要 3 道。"]
    assert errors["prize_people"] == ["奖项名额应为 0 到 1000 之间的整数。"]


def test_a_mock_exam_takes_no_audience_no_prizes_and_no_speed_bonus(org, bank):
    with pytest.raises(ValidationError) as exc:
        exam_create(kind="mock", title="模拟", unit=org.jls, time_limit_seconds=600,
                    rules=[{"question_type": "single", "count": 2, "points": 1}], actor=org.sam,
                    audience_roles=["clerk"], speed_bonus=True, prize_people=3)
    assert set(exc.value.message_dict) == {"audience_units", "speed_bonus", "prize_people"}


def test_only_content_editors_of_the_organising_subtree_set_up_competitions(org, bank):
    with pytest.raises(PermissionDenied):
        exam_create(kind="contest", title="竞赛", unit=org.cy, time_limit_seconds=600, rules=RESERVED, actor=org.hank)
    with pytest.raises(PermissionDenied):
        exam_create(kind="contest", title="竞赛", unit=org.cy, time_limit_seconds=600, rules=RESERVED,
                    actor=org.charlie)


def test_before_anyone_starts_everything_may_change(org, make_contest):
    contest = make_contest(publish=False)
    updated = exam_update(exam=contest, actor=org.sam, title="决赛", time_limit_seconds=900, kind="exam",
                          audience_roles=["clerk"], audience_units=[org.cy],
                          rules=[{"question_type": "single", "count": 4, "points": 5}])
    assert (updated.title, updated.time_limit_seconds, updated.kind, updated.audience_roles) == (
        "决赛", 900, "exam", ["clerk"])
    assert list(updated.audience_units.all()) == [org.cy]
    assert list(BlueprintRule.objects.filter(exam=contest).values_list("count", "points", "pool")) == [
        (4, Decimal("5.00"), "reserved")]


def test_after_someone_started_the_paper_time_and_audience_are_frozen(org, make_contest):
    contest = make_contest()
    attempt_start(exam=contest, staff=org.bob, at=T0)
    with pytest.raises(ValidationError) as exc:
        exam_update(exam=contest, actor=org.sam, time_limit_seconds=900, audience_roles=["clerk"],
                    rules=RESERVED, closes_at=T0 + HOUR)
    errors = exc.value.message_dict
    assert errors["time_limit_seconds"] == ["已有人作答，不能再修改这一项。"]
    assert errors["audience_roles"] == ["已有人作答，不能再修改这一项。"]
    assert errors["rules"] == ["已有人作答，不能再修改抽题规则。"]
    assert errors["closes_at"] == ["已有人作答，结束时间只能推后。"]
    later = exam_update(exam=contest, actor=org.sam, title="知识竞赛（延期）", closes_at=T0 + 48 * HOUR,
                        prize_people=5, pass_score=6, audience_roles=[], time_limit_seconds=1800)
    assert (later.title, later.closes_at, later.prize_people, later.pass_score) == (
        "知识竞赛（延期）", T0 + 48 * HOUR, 5, 6)


def test_an_archived_competition_does_not_change_and_a_mock_stays_a_mock(org, make_contest, make_exam):
    contest = exam_archive(exam=make_contest(), actor=org.sam)
    with pytest.raises(ValidationError):
        exam_update(exam=contest, actor=org.sam, title="x")
    with pytest.raises(ValidationError) as exc:
        exam_update(exam=make_exam(), actor=org.sam, kind="contest")
    assert "kind" in exc.value.message_dict


# --- Who takes part -------------------------------------------------------------------------------------


def who(exam, org) -> set[str]:
    people = [org.alice, org.bob, org.hank, org.dave, org.charlie, org.carl, org.erin, org.dora, org.sam]
    return {p.name for p in people if exam_is_eligible(exam, p)}


def test_with_no_audience_named_the_whole_organising_subtree_takes_part(org, make_contest):
    assert who(make_contest(), org) == {"艾丽", "鲍勃", "韩克", "戴维", "查理", "卡尔", "艾琳", "朵拉", "萨姆"}
    assert who(make_contest(unit=org.jh, actor=org.charlie), org) == {"查理", "卡尔", "艾琳"}


def test_audience_units_take_their_subtrees_and_roles_narrow_them(org, make_contest):
    contest = make_contest(audience_units=[org.cy_bjl, org.jh_hsd], audience_roles=["clerk", "courier"])
    assert who(contest, org) == {"鲍勃", "戴维", "卡尔", "艾琳"}
    assert who(make_contest(audience_roles=["branch_head"]), org) == {"韩克"}


def test_named_invitees_take_part_alone_whatever_the_units_and_roles(org, make_contest):
    contest = make_contest(invitees=[org.erin, org.hank], audience_roles=["courier"], audience_units=[org.cy_td])
    assert who(contest, org) == {"艾琳", "韩克"}


def test_the_organising_unit_bounds_the_audience_even_for_someone_moved_away(org, make_contest):
    contest = make_contest(unit=org.cy, actor=org.alice, invitees=[org.bob])
    assert who(contest, org) == {"鲍勃"}
    staff_update(staff=org.bob, actor=org.sam, unit=org.jh_hsd, outlet=None)
    org.bob.refresh_from_db()
    assert not exam_is_eligible(contest, org.bob)


def test_someone_deactivated_is_out(org, make_contest):
    contest = make_contest()
    staff_set_active(staff=org.dave, active=False, actor=org.sam)
    org.dave.refresh_from_db()
    assert not exam_is_eligible(contest, org.dave)


def test_eligible_to_agrees_with_the_boards_headcount_and_the_start_check(org, make_contest):
    for settings in ({}, {"audience_roles": ["clerk"]}, {"audience_units": [org.cy]}, {"invitees": [org.erin]},
                     {"audience_units": [org.jh], "audience_roles": ["courier", "clerk"]}):
        contest = make_contest(**settings)
        people = [org.alice, org.bob, org.hank, org.dave, org.charlie, org.carl, org.erin, org.dora, org.sam]
        mine = {p.pk for p in people if eligible_to(Exam.objects.filter(pk=contest.pk), p).exists()}
        assert mine == set(eligible_staff(contest).values_list("pk", flat=True)), settings
        # the start's check, answered from the exam's memoised audience, says the same
        assert mine == {p.pk for p in people if exam_is_eligible(contest, p)}, settings


def test_someone_outside_the_audience_cannot_start(org, make_contest):
    contest = make_contest(audience_roles=["courier"])
    with pytest.raises(PermissionDenied):
        attempt_start(exam=contest, staff=org.bob, at=T0)
    assert attempt_start(exam=contest, staff=org.dave, at=T0)[1] is True


# --- The window and the deadline (frozen time) ---------------------------------------------------------


def test_a_competition_is_refused_before_it_opens_and_after_it_closes(org, make_contest):
    contest = make_contest(opens_at=T0 + HOUR, closes_at=T0 + 2 * HOUR)
    with pytest.raises(ValidationError, match="尚未开始"):
        attempt_start(exam=contest, staff=org.bob, at=T0 + 59 * MINUTE)
    assert attempt_start(exam=contest, staff=org.bob, at=T0 + HOUR)[1] is True
    with pytest.raises(ValidationError, match="已结束"):
        attempt_start(exam=contest, staff=org.dave, at=T0 + 2 * HOUR)


def test_the_deadline_is_the_close_when_it_comes_before_the_time_allowed(org, make_contest, frozen):
    contest = make_contest(closes_at=T0 + 10 * MINUTE, time_limit_seconds=1800, grace_seconds=15)
    late, _ = attempt_start(exam=contest, staff=org.bob, at=T0)
    early, _ = attempt_start(exam=contest, staff=org.dave, at=T0 - 50 * MINUTE)
    assert late.deadline == T0 + 10 * MINUTE and early.deadline == T0 - 20 * MINUTE
    # bob answers inside the grace after the close; one more second and it is refused.
    frozen.move_to(T0 + 10 * MINUTE + dt.timedelta(seconds=15))
    answer(late, None, only={1})
    frozen.move_to(T0 + 10 * MINUTE + dt.timedelta(seconds=16))
    with pytest.raises(AttemptClosed):
        answer(late, None, only={2})
    late.refresh_from_db()
    assert (late.status, late.submitted_at, late.duration_seconds, late.correct_count) == (
        Attempt.Status.EXPIRED, T0 + 10 * MINUTE, 600, 1)


def test_at_the_close_the_server_submits_every_attempt_left_open(org, make_contest, frozen):
    contest = make_contest(closes_at=T0 + 10 * MINUTE)
    phone_gone, _ = attempt_start(exam=contest, staff=org.bob, at=T0)
    answer(phone_gone, T0 + MINUTE, only={1, 2})
    assert attempts_expire_overdue(now=T0 + 10 * MINUTE + dt.timedelta(seconds=14)) == 0
    assert attempts_expire_overdue(now=T0 + 10 * MINUTE + dt.timedelta(seconds=16)) == 1
    phone_gone.refresh_from_db()
    assert phone_gone.status == Attempt.Status.EXPIRED and phone_gone.score == Decimal("4.00")
    entry = BoardEntry.objects.get(exam=contest, staff=org.bob)
    assert (entry.score, entry.duration_seconds) == (Decimal("4.00"), 600)


def test_one_active_attempt_per_person_resumed_from_any_device(org, make_contest):
    contest = make_contest(attempts_allowed=2)
    first, created = attempt_start(exam=contest, staff=org.bob, at=T0, device_hash="a" * 64)
    again, resumed = attempt_start(exam=contest, staff=org.bob, at=T0 + MINUTE, device_hash="b" * 64)
    assert created and not resumed and again.pk == first.pk and again.device_hash == "a" * 64


# --- Scoring and ranking -----------------------------------------------------------------------------------


def test_ranking_is_score_then_time_used_then_submit_time(org, make_contest):
    contest = make_contest()
    take(contest, org.bob, start=T0, seconds=300)  # 10 points in 5 minutes
    take(contest, org.dave, start=T0, seconds=200, right=False)  # 0 points, fast
    take(contest, org.erin, start=T0 + MINUTE, seconds=240)  # 10 points in 4 minutes
    take(contest, org.carl, start=T0 + 2 * MINUTE, seconds=240)  # the same, submitted later
    order = [s.name for s in boards.top(contest, 10)]
    assert order == ["艾琳", "卡尔", "鲍勃", "戴维"]
    mine = selectors.exams_offered(org.carl, kinds=selectors.COMPETITIONS).get(pk=contest.pk)
    assert (mine.my_score, mine.my_ahead + 1) == (Decimal("10.00"), 2)
    assert selectors.my_standing(contest, org.carl).rank == 2


def test_the_speed_bonus_is_up_to_a_tenth_of_the_paper_score_by_the_time_left():
    assert speed_bonus(paper_score=Decimal(80), duration_seconds=0, time_limit_seconds=1800) == Decimal("8.00")
    assert speed_bonus(paper_score=Decimal(80), duration_seconds=900, time_limit_seconds=1800) == Decimal("4.00")
    assert speed_bonus(paper_score=Decimal(80), duration_seconds=1800, time_limit_seconds=1800) == Decimal(0)
    assert speed_bonus(paper_score=Decimal(0), duration_seconds=10, time_limit_seconds=1800) == Decimal(0)
    assert speed_bonus(paper_score=Decimal(7), duration_seconds=601, time_limit_seconds=1800) == Decimal("0.46")


def test_with_the_speed_bonus_on_the_score_carries_it_and_the_pass_mark_ignores_it(org, make_contest):
    contest = make_contest(speed_bonus=True, time_limit_seconds=1000, pass_score=10)
    attempt, _ = attempt_start(exam=contest, staff=org.bob, at=T0)
    answer(attempt, T0 + MINUTE, only={1, 2, 3, 4})  # 8 of 10 points
    done = attempt_submit(attempt=attempt, at=T0 + dt.timedelta(seconds=500))
    assert (done.paper_score, done.bonus, done.score) == (Decimal("8.00"), Decimal("0.40"), Decimal("8.40"))
    assert BoardEntry.objects.get(exam=contest, staff=org.bob).score == Decimal("8.40")
    assert selectors.attempt_result(done).passed is False


def test_without_the_speed_bonus_time_only_breaks_ties(org, make_contest):
    contest = make_contest(time_limit_seconds=1000)
    done = take(contest, org.bob, start=T0, seconds=100)
    assert (done.score, done.bonus) == (Decimal("10.00"), Decimal(0))


# --- What a result shows --------------------------------------------------------------------------------------


def test_a_competition_that_never_reveals_hides_right_and_wrong_per_question(org, make_contest):
    contest = make_contest(reveal="never")
    done = take(contest, org.bob, start=T0, seconds=60)
    result = selectors.attempt_result(done)
    assert (result.revealed, result.marked) == (False, False)
    assert all(row.is_correct is None and row.awarded is None and row.answer is None for row in result.items)
    assert done.score == Decimal("10.00")  # the total is still theirs


def test_after_close_marks_and_answers_come_together_when_it_closes(org, make_contest):
    contest = make_contest(reveal="after_close", closes_at=T0 + HOUR)
    done = take(contest, org.bob, start=T0, seconds=60)
    assert selectors.attempt_result(done, at=T0 + 59 * MINUTE).marked is False
    later = selectors.attempt_result(done, at=T0 + HOUR)
    assert later.marked and later.revealed and all(row.is_correct for row in later.items)


def test_a_mock_exam_still_shows_marks_without_answers(org, make_exam):
    exam = make_exam(reveal="never")
    attempt, _ = attempt_start(exam=exam, staff=org.bob, at=T0)
    result = selectors.attempt_result(attempt_submit(attempt=attempt, at=T0 + MINUTE))
    assert result.marked and not result.revealed


def test_my_competitions_split_open_upcoming_and_finished(org, make_contest, make_exam):
    make_exam(title="模拟")  # a mock exam is not on the 竞赛 tab
    make_contest(title="进行中", closes_at=T0 + 2 * HOUR)
    make_contest(title="将开始", opens_at=T0 + 3 * HOUR, closes_at=T0 + 5 * HOUR)
    over = make_contest(title="已结束", publish=False, opens_at=T0 - 5 * HOUR, closes_at=T0 - 3 * HOUR)
    exam_publish(exam=over, actor=org.sam, at=T0 - 6 * HOUR)
    make_contest(title="别人的", unit=org.jh, actor=org.charlie)
    mine = selectors.my_competitions(org.bob, at=T0)
    assert ([e.title for e in mine.open], [e.title for e in mine.upcoming], [e.title for e in mine.finished]) == (
        ["进行中"], ["将开始"], ["已结束"])
    assert selectors.open_competition_count(org.bob, at=T0) == 1
    assert selectors.open_competition_count(org.erin, at=T0) == 2
