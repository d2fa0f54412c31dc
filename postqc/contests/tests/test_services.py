"""The exam engine's rules: papers, the server's clock, saving answers, scoring exactly once."""
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from postqc.contests import services
from postqc.contests.models import Attempt, AttemptItem, BlueprintRule, Exam
from postqc.contests.services import (
    AttemptClosed, attempt_answer, attempt_start, attempt_submit, attempts_expire_overdue, exam_create,
    exam_publish, to_displayed_keys,
)
from postqc.learning.models import OPTION_KEYS, Question
from postqc.learning.tests.factories import make_bank, make_clause, make_question

from .conftest import RULES, T0

MINUTE = dt.timedelta(minutes=1)


def right_answer(item: AttemptItem) -> list[str]:
    """The correct response in the keys the person was shown."""
    return to_displayed_keys(item, item.version.answer)[:1] if item.version.type == "fill" else \
        to_displayed_keys(item, item.version.answer)


def wrong_answer(item: AttemptItem) -> list[str]:
    kind = item.version.type
    if kind == "true_false":
        return ["F"] if item.version.answer == ["T"] else ["T"]
    if kind == "fill":
        return ["平常信"]
    right = set(right_answer(item))
    return [next(k for k in OPTION_KEYS[: len(item.option_order)] if k not in right)]


def answer_all(attempt, at, *, right=True):
    for item in attempt.items.select_related("version"):
        response = right_answer(item) if right else wrong_answer(item)
        attempt_answer(attempt=attempt, position=item.position, response=response, client_id=uuid.uuid4(), at=at)


# --- Setting up --------------------------------------------------------------------------------------


def test_a_mock_exam_is_created_with_its_blueprint_and_a_paper_seed(org, mock_exam):
    assert mock_exam.status == Exam.Status.PUBLISHED and mock_exam.kind == "mock"
    rules = list(mock_exam.rules.values_list("position", "question_type", "count", "points", "pool"))
    assert rules == [(1, "single", 5, Decimal("2.00"), "practice"), (2, "multiple", 3, Decimal("3.00"), "practice"),
                     (3, "true_false", 3, Decimal("1.00"), "practice"), (4, "fill", 2, Decimal("2.00"), "practice")]
    assert mock_exam.paper_seed > 0 and mock_exam.created_by == org.sam


def test_a_rule_asking_for_more_questions_than_exist_names_its_line_and_the_count(org, bank):
    rules = [*RULES[:2], {"question_type": "fill", "count": 9, "points": 1}]
    with pytest.raises(ValidationError) as exc:
        exam_create(kind="mock", title="模拟", unit=org.jls, time_limit_seconds=600, rules=rules, actor=org.sam)
    assert exc.value.message_dict["rules"] == ["第 3 行（填空）：只有 6 道符合条件的可用试题，需要 9 道。"]
    assert not Exam.objects.exists() and not BlueprintRule.objects.exists()


def test_a_mock_exam_may_not_draw_from_the_reserved_pool(org, bank):
    rules = [{"question_type": "single", "count": 2, "points": 1, "pool": "reserved"}]
    with pytest.raises(ValidationError) as exc:
        exam_create(kind="mock", title="模拟", unit=org.jls, time_limit_seconds=600, rules=rules, actor=org.sam)
    assert "第 1 行（单选）" in exc.value.message_dict["rules"][0]
    assert "竞赛专用题不用于模拟考试" in exc.value.message_dict["rules"][0]


def test_a_rule_may_only_name_a_bank_offered_to_the_exams_unit(org, bank):
    county_bank = make_bank(org.jh, code="JH-SW")
    for _ in range(3):
        make_question(county_bank, type="single")
    rules = [{"question_type": "single", "count": 2, "points": 1, "bank": county_bank}]
    with pytest.raises(ValidationError) as exc:
        exam_create(kind="mock", title="模拟", unit=org.cy, time_limit_seconds=600, rules=rules, actor=org.alice)
    assert "未启用或不向主办单位开放" in exc.value.message_dict["rules"][0]
    # 蛟河's own exam may use it.
    exam = exam_create(kind="mock", title="模拟", unit=org.jh, time_limit_seconds=600, rules=rules, actor=org.charlie)
    assert exam.rules.get().bank == county_bank


def test_rules_filter_by_tag_clause_and_difficulty(org, bank):
    clause = make_clause(org.jls, code="YZF-3")
    sub = make_clause(org.jls, code="YZF-3.2", heading="第三条第二款")
    tagged = [make_question(bank, type="single", tags=("查询",), difficulty=4) for _ in range(2)]
    cited = [make_question(bank, type="single", clauses=(clause,)), make_question(bank, type="single", clauses=(sub,))]
    exam = exam_create(kind="mock", title="专项", unit=org.jls, time_limit_seconds=600, actor=org.sam, rules=[
        {"question_type": "single", "count": 2, "points": 1, "tag": tagged[0].current.tags.get()},
        {"question_type": "single", "count": 2, "points": 1, "clause": clause},
    ], publish=True)
    attempt, _ = attempt_start(exam=exam, staff=org.bob)
    drawn = set(attempt.items.values_list("version__question_id", flat=True))
    assert drawn == {q.pk for q in tagged + cited}
    with pytest.raises(ValidationError) as exc:
        exam_create(kind="mock", title="难题", unit=org.jls, time_limit_seconds=600, actor=org.sam, rules=[
            {"question_type": "single", "count": 3, "points": 1, "difficulty_min": 4, "difficulty_max": 5}])
    assert exc.value.message_dict["rules"] == ["第 1 行（单选）：只有 2 道符合条件的可用试题，需要 3 道。"]


def test_only_content_editors_of_the_unit_set_up_exams(org, bank):
    with pytest.raises(PermissionDenied):
        exam_create(kind="mock", title="模拟", unit=org.cy_bjl, time_limit_seconds=600, rules=RULES, actor=org.hank)
    with pytest.raises(PermissionDenied):
        exam_create(kind="mock", title="模拟", unit=org.cy, time_limit_seconds=600, rules=RULES, actor=org.charlie)


def test_publishing_checks_the_blueprint_against_the_bank_as_it_is_now(org, make_exam):
    exam = make_exam(publish=False)
    Question.objects.filter(current__type="fill").update(status=Question.Status.RETIRED)
    with pytest.raises(ValidationError) as exc:
        exam_publish(exam=exam, actor=org.sam)
    assert exc.value.message_dict["rules"] == ["第 4 行（填空）：只有 0 道符合条件的可用试题，需要 2 道。"]


# --- The paper ---------------------------------------------------------------------------------------


def test_starting_fixes_the_paper_with_exact_versions_and_option_orders(org, mock_exam):
    attempt, created = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    assert created and attempt.max_score == Decimal("26.00") and attempt.number == 1
    items = list(attempt.items.select_related("version"))
    assert [i.version.type for i in items] == ["single"] * 5 + ["multiple"] * 3 + ["true_false"] * 3 + ["fill"] * 2
    assert len({i.version_id for i in items}) == 13
    for item in items:
        assert item.version_id == item.version.question.current_id
        if item.version.type in ("single", "multiple"):
            assert sorted(item.option_order) == list(range(len(item.version.options)))
        else:
            assert item.option_order == []


def test_a_mock_exam_never_draws_reserved_questions_and_a_contest_draws_only_them(org, make_exam):
    mock = make_exam(rules=[{"question_type": "single", "count": 12, "points": 1}])
    attempt, _ = attempt_start(exam=mock, staff=org.bob, at=T0)
    assert set(attempt.items.values_list("version__question__pool", flat=True)) == {"practice"}
    contest = make_exam(kind="contest", title="知识竞赛", rules=[{"question_type": "single", "count": 8, "points": 1}])
    assert contest.rules.get().pool == "reserved"
    attempt, _ = attempt_start(exam=contest, staff=org.bob, at=T0)
    assert set(attempt.items.values_list("version__question__pool", flat=True)) == {"reserved"}


def test_a_mock_exam_refuses_to_draw_reserved_questions_even_if_a_rule_was_altered(org, make_exam):
    mock = make_exam()
    BlueprintRule.objects.filter(exam=mock, question_type="single").update(pool="reserved")
    with pytest.raises(ValidationError, match="模拟考试只能从练习题中抽题"):
        attempt_start(exam=mock, staff=org.bob, at=T0)
    assert not Attempt.objects.exists()


def test_one_paper_for_all_gives_everyone_the_same_questions(org, make_exam):
    exam = make_exam(paper_mode="same", rules=[{"question_type": "single", "count": 5, "points": 1}])
    papers = [set(attempt_start(exam=exam, staff=p, at=T0)[0].items.values_list("version_id", flat=True))
              for p in (org.bob, org.dave, org.erin, org.carl)]
    assert all(paper == papers[0] for paper in papers)


def test_a_draw_per_person_gives_different_papers(org, make_exam):
    exam = make_exam(paper_mode="per_person", rules=[{"question_type": "single", "count": 5, "points": 1}])
    papers = [frozenset(attempt_start(exam=exam, staff=p, at=T0)[0].items.values_list("version_id", flat=True))
              for p in (org.bob, org.dave, org.erin, org.carl)]
    assert len(set(papers)) > 1


def test_without_shuffling_everyone_sees_the_same_order_and_options(org, make_exam):
    exam = make_exam(paper_mode="same", shuffle_questions=False, shuffle_options=False)
    first, _ = attempt_start(exam=exam, staff=org.bob, at=T0)
    second, _ = attempt_start(exam=exam, staff=org.erin, at=T0)
    rows = lambda a: list(a.items.values_list("version_id", "option_order"))  # noqa: E731
    assert rows(first) == rows(second)
    assert all(order == sorted(order) for _, order in rows(first))
    singles = list(first.items.filter(version__type="single").values_list("version__question__sort_order", flat=True))
    assert singles == sorted(singles)  # in the bank's order


def test_rules_that_overlap_never_draw_the_same_question_twice(org, make_exam):
    exam = make_exam(rules=[{"question_type": "single", "count": 6, "points": 1},
                            {"question_type": "single", "count": 6, "points": 1}])
    attempt, _ = attempt_start(exam=exam, staff=org.bob, at=T0)
    assert len(set(attempt.items.values_list("version_id", flat=True))) == 12


# --- Starting, resuming, the clock -----------------------------------------------------------------------


def test_the_deadline_is_start_plus_the_time_allowed(org, make_exam):
    exam = make_exam(time_limit_seconds=1800)
    attempt, _ = attempt_start(exam=exam, staff=org.bob, at=T0)
    assert attempt.started_at == T0 and attempt.deadline == T0 + 30 * MINUTE


def test_the_deadline_is_the_close_when_that_comes_first(org, make_exam):
    exam = make_exam(time_limit_seconds=1800, opens_at=T0 - 60 * MINUTE, closes_at=T0 + 10 * MINUTE)
    attempt, _ = attempt_start(exam=exam, staff=org.bob, at=T0)
    assert attempt.deadline == T0 + 10 * MINUTE


def test_an_exam_is_taken_only_inside_its_window(org, make_exam):
    exam = make_exam(opens_at=T0, closes_at=T0 + 60 * MINUTE)
    with pytest.raises(ValidationError, match="尚未开始"):
        attempt_start(exam=exam, staff=org.bob, at=T0 - MINUTE)
    with pytest.raises(ValidationError, match="已结束"):
        attempt_start(exam=exam, staff=org.bob, at=T0 + 60 * MINUTE)
    assert not Attempt.objects.exists()


def test_starting_again_resumes_the_same_attempt_and_paper(org, mock_exam):
    attempt, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    paper = list(attempt.items.values_list("position", "version_id", "option_order"))
    again, created = attempt_start(exam=mock_exam, staff=org.bob, at=T0 + 5 * MINUTE)
    assert not created and again.pk == attempt.pk and again.deadline == attempt.deadline
    assert list(again.items.values_list("position", "version_id", "option_order")) == paper
    assert Attempt.objects.count() == 1


def test_the_database_allows_one_active_attempt_per_person_and_exam(org, mock_exam):
    attempt, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(exam=mock_exam, staff=org.bob, number=2, started_at=T0, deadline=attempt.deadline)


def test_a_person_can_start_again_after_submitting_when_attempts_are_unlimited(org, mock_exam):
    first, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    attempt_submit(attempt=first, at=T0 + MINUTE)
    second, created = attempt_start(exam=mock_exam, staff=org.bob, at=T0 + 2 * MINUTE)
    assert created and second.number == 2 and second.pk != first.pk


def test_attempts_allowed_is_enforced(org, make_exam):
    exam = make_exam(attempts_allowed=2)
    for n in range(2):
        attempt, _ = attempt_start(exam=exam, staff=org.bob, at=T0 + n * MINUTE)
        attempt_submit(attempt=attempt, at=T0 + n * MINUTE + dt.timedelta(seconds=30))
    with pytest.raises(ValidationError, match="用完这场考试的 2 次作答机会"):
        attempt_start(exam=exam, staff=org.bob, at=T0 + 5 * MINUTE)
    assert Attempt.objects.filter(staff=org.bob).count() == 2


def test_a_county_mock_exam_is_not_offered_to_another_county(org, make_exam):
    exam = make_exam(unit=org.jh, actor=org.charlie)
    attempt, _ = attempt_start(exam=exam, staff=org.erin, at=T0)
    assert attempt.staff == org.erin
    with pytest.raises(PermissionDenied):
        attempt_start(exam=exam, staff=org.bob, at=T0)


def test_a_draft_is_offered_to_no_one(org, make_exam):
    exam = make_exam(publish=False)
    with pytest.raises(PermissionDenied):
        attempt_start(exam=exam, staff=org.bob, at=T0)


# --- Answers ----------------------------------------------------------------------------------------------


def test_an_answer_is_saved_in_original_keys_and_reveals_nothing(org, mock_exam):
    attempt, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    item = attempt.items.select_related("version").get(position=1)
    displayed = right_answer(item)
    saved = attempt_answer(attempt=attempt, position=1, response=displayed, client_id=uuid.uuid4(), at=T0 + MINUTE)
    assert saved.response == ["B"] and saved.answered_at == T0 + MINUTE
    assert saved.is_correct is None and saved.awarded is None


def test_a_resent_answer_changes_nothing_and_a_new_one_replaces_it(org, mock_exam):
    attempt, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    item = attempt.items.select_related("version").get(position=1)
    client_id = uuid.uuid4()
    attempt_answer(attempt=attempt, position=1, response=wrong_answer(item), client_id=client_id, at=T0 + MINUTE)
    first = AttemptItem.objects.get(pk=item.pk)
    # The resend arrives late, even with other content: the first answer under that id stands.
    attempt_answer(attempt=attempt, position=1, response=right_answer(item), client_id=client_id,
                   at=T0 + 2 * MINUTE)
    resent = AttemptItem.objects.get(pk=item.pk)
    assert (resent.response, resent.answered_at) == (first.response, first.answered_at)
    attempt_answer(attempt=attempt, position=1, response=right_answer(item), client_id=uuid.uuid4(),
                   at=T0 + 3 * MINUTE)
    assert AttemptItem.objects.get(pk=item.pk).response == ["B"]


def test_an_empty_answer_clears_the_question(org, mock_exam):
    attempt, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    attempt_answer(attempt=attempt, position=1, response=["A"], client_id=uuid.uuid4(), at=T0)
    attempt_answer(attempt=attempt, position=1, response=[], client_id=uuid.uuid4(), at=T0)
    assert AttemptItem.objects.get(attempt=attempt, position=1).response is None


def test_a_malformed_answer_is_refused_naming_the_question(org, mock_exam):
    attempt, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    with pytest.raises(ValidationError) as exc:
        attempt_answer(attempt=attempt, position=1, response=["A", "B"], client_id=uuid.uuid4(), at=T0)
    assert "第 1 题" in exc.value.message_dict["response"][0]
    with pytest.raises(ValidationError):
        attempt_answer(attempt=attempt, position=1, response=["Z"], client_id=uuid.uuid4(), at=T0)
    with pytest.raises(ValidationError) as exc:
        attempt_answer(attempt=attempt, position=99, response=["A"], client_id=uuid.uuid4(), at=T0)
    assert "position" in exc.value.message_dict


def test_shuffled_options_are_mapped_back_and_graded_right(org, make_exam):
    exam = make_exam(shuffle_options=True, rules=[{"question_type": "single", "count": 12, "points": 1},
                                                  {"question_type": "multiple", "count": 8, "points": 1}])
    attempt, _ = attempt_start(exam=exam, staff=org.bob, at=T0)
    items = list(attempt.items.select_related("version"))
    assert any(i.option_order != sorted(i.option_order) for i in items)  # 20 shuffles: some moved
    for item in items:
        shown = [OPTION_KEYS[i] for i in range(len(item.option_order))]
        displayed = [shown[item.option_order.index(OPTION_KEYS.index(k))] for k in item.version.answer]
        attempt_answer(attempt=attempt, position=item.position, response=displayed, client_id=uuid.uuid4(), at=T0)
    result = attempt_submit(attempt=attempt, at=T0 + MINUTE)
    assert result.correct_count == 20 and result.score == Decimal("20.00")


def test_answers_within_the_grace_count_and_after_it_are_refused(org, make_exam):
    exam = make_exam(time_limit_seconds=600, grace_seconds=15)
    attempt, _ = attempt_start(exam=exam, staff=org.bob, at=T0)
    deadline = attempt.deadline
    item = attempt.items.select_related("version").get(position=1)
    saved = attempt_answer(attempt=attempt, position=1, response=right_answer(item), client_id=uuid.uuid4(),
                           at=deadline + dt.timedelta(seconds=15))
    assert saved.response == ["B"]
    with pytest.raises(AttemptClosed):
        attempt_answer(attempt=attempt, position=2, response=["A"], client_id=uuid.uuid4(),
                       at=deadline + dt.timedelta(seconds=16))
    attempt.refresh_from_db()
    # The refused answer first made the server submit the attempt, with what was saved.
    assert attempt.status == Attempt.Status.EXPIRED and attempt.correct_count == 1
    assert attempt.submitted_at == deadline and attempt.duration_seconds == 600


def test_no_answer_is_taken_after_submitting(org, mock_exam):
    attempt, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    attempt_submit(attempt=attempt, at=T0 + MINUTE)
    with pytest.raises(AttemptClosed):
        attempt_answer(attempt=attempt, position=1, response=["A"], client_id=uuid.uuid4(), at=T0 + 2 * MINUTE)


# --- Submitting and scoring ------------------------------------------------------------------------------------


def test_submitting_grades_every_question_and_counts_unanswered_as_wrong(org, mock_exam):
    attempt, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    items = {i.position: i for i in attempt.items.select_related("version")}
    for position in (1, 2, 6, 9, 12):  # two 单选 right, a 多选 right, a 判断 right, a 填空 right (variant)
        response = right_answer(items[position])
        if items[position].version.type == "fill":
            response = [" 挂号函件 "]
        attempt_answer(attempt=attempt, position=position, response=response, client_id=uuid.uuid4(), at=T0)
    attempt_answer(attempt=attempt, position=3, response=wrong_answer(items[3]), client_id=uuid.uuid4(), at=T0)
    done = attempt_submit(attempt=attempt, at=T0 + 7 * MINUTE)
    assert done.status == Attempt.Status.SUBMITTED and done.submitted_at == T0 + 7 * MINUTE
    assert done.correct_count == 5 and done.score == Decimal("10.00") and done.duration_seconds == 420
    marks = dict(attempt.items.values_list("position", "is_correct"))
    assert [p for p, ok in marks.items() if ok] == [1, 2, 6, 9, 12]
    assert marks[3] is False and marks[4] is False
    assert attempt.items.get(position=4).awarded == Decimal("0.00")


def test_submitting_twice_scores_once(org, mock_exam, monkeypatch):
    attempt, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0)
    answer_all(attempt, T0)
    calls = []
    real = services._score
    monkeypatch.setattr(services, "_score", lambda a: (calls.append(a.pk), real(a)))
    first = attempt_submit(attempt=attempt, at=T0 + MINUTE)
    again = attempt_submit(attempt=attempt, at=T0 + 2 * MINUTE)
    assert calls == [attempt.pk]
    assert again.submitted_at == first.submitted_at == T0 + MINUTE and again.score == Decimal("26.00")


def test_a_late_submit_by_the_person_becomes_the_servers_at_the_deadline(org, make_exam):
    exam = make_exam(time_limit_seconds=600)
    attempt, _ = attempt_start(exam=exam, staff=org.bob, at=T0)
    done = attempt_submit(attempt=attempt, at=T0 + 20 * MINUTE)
    assert done.status == Attempt.Status.EXPIRED and done.submitted_at == attempt.deadline


def test_the_server_submits_overdue_attempts_with_what_was_saved(org, make_exam):
    exam = make_exam(time_limit_seconds=600, grace_seconds=15)
    gone, _ = attempt_start(exam=exam, staff=org.bob, at=T0)
    item = gone.items.select_related("version").get(position=1)
    attempt_answer(attempt=gone, position=1, response=right_answer(item), client_id=uuid.uuid4(), at=T0 + MINUTE)
    in_grace, _ = attempt_start(exam=exam, staff=org.dave, at=T0 + dt.timedelta(seconds=10))
    running, _ = attempt_start(exam=exam, staff=org.erin, at=T0 + 5 * MINUTE)

    now = gone.deadline + dt.timedelta(seconds=20)  # bob's grace is over, dave's is not
    assert attempts_expire_overdue(now=now) == 1
    gone.refresh_from_db()
    assert gone.status == Attempt.Status.EXPIRED and gone.score == Decimal("2.00") and gone.correct_count == 1
    assert gone.submitted_at == gone.deadline and gone.duration_seconds == 600
    assert Attempt.objects.get(pk=in_grace.pk).status == Attempt.Status.IN_PROGRESS
    assert Attempt.objects.get(pk=running.pk).status == Attempt.Status.IN_PROGRESS
    assert attempts_expire_overdue(now=now) == 0  # nothing scored twice
    assert attempts_expire_overdue(now=now + 20 * MINUTE) == 2


def test_starting_after_the_time_ran_out_submits_the_old_attempt_first(org, make_exam):
    exam = make_exam(time_limit_seconds=600)
    old, _ = attempt_start(exam=exam, staff=org.bob, at=T0)
    new, created = attempt_start(exam=exam, staff=org.bob, at=T0 + 60 * MINUTE)
    old.refresh_from_db()
    assert created and new.pk != old.pk and old.status == Attempt.Status.EXPIRED


def test_the_expire_command_and_task_submit_overdue_attempts(org, make_exam):
    import time_machine
    from django.core.management import call_command

    from postqc.contests.tasks import expire_attempts_task

    exam = make_exam(time_limit_seconds=600)
    first, _ = attempt_start(exam=exam, staff=org.bob, at=T0)
    second, _ = attempt_start(exam=exam, staff=org.dave, at=T0)
    with time_machine.travel(T0 + 30 * MINUTE, tick=False):
        from io import StringIO

        out = StringIO()
        Attempt.objects.filter(pk=second.pk).update(deadline=T0 + 60 * MINUTE)
        call_command("expire_attempts", stdout=out)
        assert "1" in out.getvalue()
        assert Attempt.objects.get(pk=first.pk).status == Attempt.Status.EXPIRED
    with time_machine.travel(T0 + 90 * MINUTE, tick=False):
        assert expire_attempts_task() == 1
    assert Attempt.objects.get(pk=second.pk).status == Attempt.Status.EXPIRED
