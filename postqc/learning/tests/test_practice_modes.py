"""Practice sessions (modes.py) and the services the practice screens add to the core: the resume point
of 顺序练习, idempotent favourites, topic counts and progress lines."""
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from postqc.learning import modes
from postqc.learning.models import Favorite, PracticeCursor
from postqc.learning.practice import favorite_set, practice_answer
from postqc.standards.models import Clause

from .factories import make_bank, make_question, publish_standard


@pytest.fixture
def bank(org):
    return make_bank(org.jls, code="CITY")


@pytest.fixture
def standard(org):
    return publish_standard(org.jls)


def clause(code):
    return Clause.objects.get(code=code)


def answer(person, q, resp, *, mode="sequential", client_id=None, chapter=None):
    return practice_answer(staff=person, question=q, response=list(resp), mode=mode,
                           client_id=client_id or uuid.uuid4(), chapter=chapter)


def test_a_sequential_answer_moves_the_resume_point_of_its_bank(org, bank):
    q1, q2 = make_question(bank), make_question(bank)
    answer(org.bob, q1, "B")
    answer(org.bob, q2, "A")
    assert PracticeCursor.objects.get(staff=org.bob, bank=bank, chapter=None).last_question == q2


def test_answers_in_other_modes_leave_the_resume_point_alone(org, bank):
    q = make_question(bank)
    for mode in ("random", "topic", "wrong", "favorite", "review"):
        answer(org.bob, q, "B", mode=mode)
    assert not PracticeCursor.objects.exists()


def test_a_resend_does_not_move_the_resume_point_back(org, bank):
    q1, q2 = make_question(bank), make_question(bank)
    cid = uuid.uuid4()
    answer(org.bob, q1, "B", client_id=cid)
    answer(org.bob, q2, "B")
    assert answer(org.bob, q1, "B", client_id=cid).replayed
    assert PracticeCursor.objects.get(staff=org.bob).last_question == q2


def test_a_chapter_keeps_its_own_resume_point(org, bank, standard):
    q = make_question(bank, clauses=[clause("FWGF-1.1")])
    answer(org.bob, q, "B", chapter=clause("FWGF-1"))
    assert PracticeCursor.objects.get(staff=org.bob).chapter == clause("FWGF-1")


def test_favorite_set_is_idempotent_both_ways(org, bank):
    q = make_question(bank)
    assert favorite_set(staff=org.bob, question=q, on=True) is True
    assert favorite_set(staff=org.bob, question=q, on=True) is True
    assert Favorite.objects.count() == 1
    assert favorite_set(staff=org.bob, question=q, on=False) is False
    assert favorite_set(staff=org.bob, question=q, on=False) is False
    assert not Favorite.objects.exists()


# --- Sessions ----------------------------------------------------------------------------------------------


def test_a_chapter_means_the_clause_and_everything_under_it(org, standard):
    ids, heading = modes.clause_subtree(clause("FWGF-1"))
    assert heading == "第一章 营业时间"
    assert set(ids) == {clause(c).pk for c in ("FWGF-1", "FWGF-1.1", "FWGF-1.2")}
    assert modes.clause_subtree(clause("FWGF-1.2"))[0] == (clause("FWGF-1.2").pk,)


def test_sequential_without_a_bank_takes_the_last_practised_then_the_first_offered(org, bank):
    county = make_bank(org.cy, code="CY-OWN")
    assert modes.session_from(org.bob, mode="sequential").bank == bank  # the city's bank comes first
    answer(org.bob, make_question(county), "B")
    assert modes.session_from(org.bob, mode="sequential").bank == county


def test_a_session_refuses_what_is_not_offered(org, bank, standard):
    make_bank(org.jh, code="JH-OWN")
    with pytest.raises(Http404):
        modes.session_from(org.bob, mode="random", bank="JH-OWN")
    with pytest.raises(Http404):
        modes.session_from(org.bob, mode="topic", clause="NOPE-1")
    with pytest.raises(ValidationError):
        modes.session_from(org.bob, mode="topic")
    with pytest.raises(ValidationError):
        modes.session_from(org.bob, mode="anything")


def test_progress_lines(org, bank):
    q1, q2 = make_question(bank), make_question(bank)
    seq = modes.session_from(org.bob, mode="sequential", bank="CITY")
    assert modes.progress(org.bob, seq, q2).text == "顺序练习 第 2/2 题"
    rnd = modes.session_from(org.bob, mode="random")
    assert modes.progress(org.bob, rnd, q1).text == "随机练习 · 共 2 题"
    answer(org.bob, q1, "A", mode="random")
    wrong = modes.session_from(org.bob, mode="wrong")
    assert modes.progress(org.bob, wrong, q1).text == "错题本 剩余 1 题"
    review = modes.session_from(org.bob, mode="review")
    assert modes.progress(org.bob, review, None).text == "今日复习 剩余 0 题"


def test_topic_tree_counts_each_question_once_per_chapter(org, bank, standard):
    make_question(bank, clauses=[clause("FWGF-1.1"), clause("FWGF-1.2")])
    make_question(bank, clauses=[clause("FWGF-1.2")])
    make_question(bank, clauses=[clause("FWGF-2.3")], pool="reserved")
    make_question(bank)
    (std,) = modes.topic_tree(org.bob)
    assert std.code == "FWGF"
    assert [(c.code, c.count) for c in std.chapters] == [("FWGF-1", 2)]  # chapter 2's only question is reserved
    assert [(c.code, c.count) for c in std.chapters[0].flat()] == [("FWGF-1.1", 1), ("FWGF-1.2", 2)]


def test_topic_tree_of_a_bank_counts_only_that_bank(org, bank, standard):
    other = make_bank(org.jls, code="OTHER")
    make_question(other, clauses=[clause("FWGF-2.3")])
    make_question(bank, clauses=[clause("FWGF-1.1")])
    (std,) = modes.topic_tree(org.bob, bank=bank)
    assert [c.code for c in std.chapters] == ["FWGF-1"]


def test_tag_counts(org, bank):
    make_question(bank, tags=["查询", "赔偿"])
    make_question(bank, tags=["查询"])
    make_question(bank, tags=["查询"], pool="reserved")
    assert modes.tag_counts(org.bob) == [("查询", 2), ("赔偿", 1)]


def test_clause_refs_carry_the_current_heading(org, bank, standard):
    q = make_question(bank, clauses=[clause("FWGF-2.3"), clause("FWGF-1.1")])
    assert [(c.code, c.heading) for c in modes.clause_refs(q.current)] == [
        ("FWGF-1.1", "第一条 公示"), ("FWGF-2.3", "第三条 查询时限")]
