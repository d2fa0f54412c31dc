"""Question bank services: the rules of a question, versioning, review and the bulk path."""
import datetime as dt
import uuid

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from postqc.learning import services
from postqc.learning.models import Answer, Question, QuestionVersion, ReviewCard
from postqc.learning.services import QuestionData, question_check, stem_key
from postqc.learning.tests.factories import make_clause

pytestmark = pytest.mark.django_db
T = QuestionVersion.Type


@pytest.fixture
def bank(org):
    make_clause(org.jls, code="YZF-3.15")
    make_clause(org.jls, code="YZF-3.16", heading="第十六条")
    return services.bank_create(code="JLS-PF", name="普遍服务知识题库", unit=org.jls, actor=org.sam)


def single(**overrides):
    fields = dict(type=T.SINGLE, stem="普遍服务范围内的包裹，单件重量不超过多少千克？", options=["5", "10", "20"],
                  answer=["B"], explanation="《邮政法》第十五条。", difficulty=2, tags=["普遍服务范围"],
                  clause_codes=["YZF-3.15"], roles=["clerk"])
    fields.update(overrides)
    return fields


def problems(**overrides):
    return dict(question_check(QuestionData(**single(**overrides)))[1])


# --- Banks ---------------------------------------------------------------------------------------


def test_a_manager_creates_banks_only_for_units_in_their_subtree(org):
    services.bank_create(code="CY-OWN", name="船营自编题库", unit=org.cy, actor=org.alice)
    with pytest.raises(PermissionDenied):
        services.bank_create(code="JH-OWN", name="蛟河题库", unit=org.jh, actor=org.alice)


def test_a_bank_code_is_short_and_plain(org):
    with pytest.raises(ValidationError) as err:
        services.bank_create(code="城市 题库", name="x", unit=org.jls)
    assert "code" in err.value.message_dict


# --- The rules of one question ------------------------------------------------------------------------


def test_a_well_formed_single_choice_question_has_no_problems():
    assert problems() == {}


def test_a_choice_question_needs_two_to_eight_options_without_gaps():
    assert "options" in problems(options=["只有一个"], answer=["A"])
    assert "options" in problems(options=[str(i) for i in range(9)], answer=["A"])
    assert "option_B" in problems(options=["甲", "", "丙"], answer=["A"])


def test_trailing_empty_options_are_ignored():
    data, found = question_check(QuestionData(**single(options=["5", "10", "", ""])))
    assert found == [] and data.options == ["5", "10"]


def test_a_single_choice_answer_names_exactly_one_existing_option():
    assert "超出选项范围" in problems(answer=["D"])["answer"]
    assert "只能有一个" in problems(answer=["A", "B"])["answer"]
    assert "answer" in problems(answer=[])


def test_a_multiple_choice_question_has_at_least_two_right_options():
    assert "至少要有两个" in problems(type=T.MULTIPLE, answer=["A"])["answer"]
    data, found = question_check(QuestionData(**single(type=T.MULTIPLE, answer=["C", "A", "A"])))
    assert found == [] and data.answer == ["A", "C"]


def test_a_true_false_question_has_no_options_and_answers_t_or_f():
    assert "options" in problems(type=T.TRUE_FALSE, answer=["T"])
    assert problems(type=T.TRUE_FALSE, options=[], answer=["T"]) == {}
    assert "answer" in problems(type=T.TRUE_FALSE, options=[], answer=["是"])


def test_a_fill_in_question_shows_its_blank_and_accepts_variants():
    ok = dict(type=T.FILL, options=[], stem="包裹单件重量不超过（　）千克。", answer=["10", "十"])
    assert problems(**ok) == {}
    assert problems(**{**ok, "stem": "包裹单件重量不超过＿＿千克。"}) == {}
    assert "stem" in problems(**{**ok, "stem": "包裹单件重量不超过多少千克？"})
    assert "answer" in problems(**{**ok, "answer": [" ", ""]})


def test_every_question_needs_an_explanation_a_difficulty_and_known_roles():
    assert "explanation" in problems(explanation="  ")
    assert "difficulty" in problems(difficulty=6)
    assert "roles" in problems(roles=["clerk", "astronaut"])


def test_duplicate_stems_ignore_width_spacing_and_final_punctuation():
    assert stem_key(T.SINGLE, "包裹 重量（ ）是多少？") == stem_key(T.SINGLE, "包裹重量()是多少")
    assert stem_key(T.SINGLE, "包裹重量") != stem_key(T.MULTIPLE, "包裹重量")


def test_create_checks_the_clauses_exist_and_the_stem_is_new_in_the_bank(bank, org):
    services.question_create(bank=bank, actor=org.sam, **single())
    with pytest.raises(ValidationError) as err:
        services.question_create(bank=bank, actor=org.sam, **single(stem="普遍服务范围内的包裹，单件重量 不超过多少千克"))
    assert "题库中已有相同题干" in str(err.value.message_dict["stem"])
    with pytest.raises(ValidationError) as err:
        services.question_create(bank=bank, actor=org.sam, **single(stem="新题", clause_codes=["YZF-9.99"]))
    assert "YZF-9.99" in str(err.value.message_dict["clause_codes"])


# --- Versions ----------------------------------------------------------------------------------------------


def test_create_makes_version_one_with_its_links(bank, org):
    q = services.question_create(bank=bank, actor=org.sam, **single())
    assert q.status == Question.Status.PUBLISHED and q.code == "JLS-PF-00001"
    v = q.current
    assert v.number == 1 and v.created_by == org.sam and v.answer == ["B"]
    assert [t.name for t in v.tags.all()] == ["普遍服务范围"]
    assert [c.code for c in v.clauses.all()] == ["YZF-3.15"]


def answer(question, version, person):
    return Answer.objects.create(staff=person, question=question, version=version, mode=Answer.Mode.RANDOM,
                                 response=["B"], is_correct=True, client_id=uuid.uuid4(), answered_at=timezone.now())


def test_editing_a_published_question_makes_a_new_version_and_old_answers_keep_theirs(bank, org):
    q = services.question_create(bank=bank, actor=org.sam, **single())
    v1 = q.current
    old = answer(q, v1, org.bob)
    v2 = services.question_edit(question=q, actor=org.alice, **single(options=["5", "10", "20", "30"],
                                                                        clause_codes=["YZF-3.15", "YZF-3.16"]))
    q.refresh_from_db()
    old.refresh_from_db()
    assert v2.number == 2 and q.current == v2 and v2.created_by == org.alice
    assert old.version == v1
    v1.refresh_from_db()
    assert v1.options == ["5", "10", "20"] and [c.code for c in v1.clauses.all()] == ["YZF-3.15"]
    assert {c.code for c in v2.clauses.all()} == {"YZF-3.15", "YZF-3.16"}


def test_an_edit_that_changes_nothing_makes_no_version(bank, org):
    q = services.question_create(bank=bank, actor=org.sam, **single())
    services.question_edit(question=q, actor=org.sam, **single(stem=" 普遍服务范围内的包裹，单件重量不超过多少千克？ "))
    assert q.versions.count() == 1


def test_a_draft_nobody_answered_is_edited_in_place(bank, org):
    q = services.question_create(bank=bank, actor=org.sam, publish=False, **single())
    services.question_edit(question=q, actor=org.sam, **single(explanation="新的解析"))
    assert q.versions.count() == 1 and q.versions.get().explanation == "新的解析"


def test_changing_only_the_pool_changes_the_question_not_its_version(bank, org):
    q = services.question_create(bank=bank, actor=org.sam, **single())
    services.question_edit(question=q, actor=org.sam, **single(pool=Question.Pool.RESERVED))
    q.refresh_from_db()
    assert q.pool == Question.Pool.RESERVED and q.versions.count() == 1


# --- Status transitions -----------------------------------------------------------------------------------


def test_publish_retire_and_the_forbidden_moves(bank, org):
    q = services.question_create(bank=bank, actor=org.sam, publish=False, **single())
    assert services.question_publish(question=q).status == Question.Status.PUBLISHED
    with pytest.raises(ValidationError):
        services.question_publish(question=q)
    assert services.question_retire(question=q).status == Question.Status.RETIRED
    with pytest.raises(ValidationError):
        services.question_retire(question=q)
    with pytest.raises(ValidationError):
        services.question_republish(question=q)
    assert services.question_publish(question=q).status == Question.Status.PUBLISHED


def test_a_retired_question_does_not_block_a_new_one_with_its_stem(bank, org):
    q = services.question_create(bank=bank, actor=org.sam, **single())
    services.question_retire(question=q)
    services.question_create(bank=bank, actor=org.sam, **single())


@time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
def test_republishing_a_reviewed_question_restarts_everyones_memory_state(bank, org):
    q = services.question_create(bank=bank, actor=org.sam, **single())
    later = timezone.now() + dt.timedelta(days=30)
    for person in (org.bob, org.erin):
        ReviewCard.objects.create(staff=person, question=q, state=ReviewCard.State.REVIEW, step=None, stability=25.0,
                                  difficulty=4.2, due=later, last_review=timezone.now(), reps=7, lapses=1)
    with pytest.raises(ValidationError):
        services.question_republish(question=q)  # only a 待复核 question is republished
    assert services.questions_flag_for_clauses(clauses=q.current.clauses.all(), reason="YZF-3.15 已修订") == 1
    q.refresh_from_db()
    assert q.status == Question.Status.REVIEW

    assert services.question_republish(question=q, actor=org.alice) == 2
    q.refresh_from_db()
    assert q.status == Question.Status.PUBLISHED and q.review_reason == "" and q.flagged_at is None
    for card in ReviewCard.objects.filter(question=q):
        assert (card.state, card.step, card.stability, card.difficulty, card.last_review, card.reps, card.lapses) == (
            ReviewCard.State.LEARNING, 0, None, None, None, 0, 0)
        assert card.due == timezone.now()


# --- Many at once -----------------------------------------------------------------------------------------


def test_bulk_create_writes_questions_versions_links_and_current(bank, org, django_assert_max_num_queries):
    items = [QuestionData(**single(stem=f"第 {i} 道题？", tags=["甲", f"标签{i % 3}"])) for i in range(30)]
    items, found = services.questions_validate(bank=bank, items=items)
    assert not any(found)
    with django_assert_max_num_queries(8 + 5 * 3):  # set-up, then five statements per chunk of 10
        assert services.questions_bulk_create(bank=bank, items=items, actor=org.sam, chunk_size=10) == 30
    qs = Question.objects.filter(bank=bank).select_related("current")
    assert qs.count() == 30 and all(q.current.number == 1 for q in qs)
    assert sorted(q.sort_order for q in qs) == list(range(1, 31))
    assert qs.get(code="JLS-PF-00007").current.tags.filter(name="标签0").exists()


def test_a_batch_reports_duplicates_of_earlier_items_by_their_label(bank):
    items = [QuestionData(**single()), QuestionData(**single(stem="普遍服务范围内的包裹，单件重量不超过多少千克"))]
    _items, found = services.questions_validate(bank=bank, items=items, labels=["第 2 行", "第 3 行"])
    assert found[0] == [] and found[1] == [("stem", "与第 2 行题干重复")]
