"""The statistics math against a hand-computed example, and its scoping.

Four people of 船营 (CY) and erin of 蛟河 (JH) answer three 单选 questions of a city bank.
First attempts (1 = right):

          q1  q2  q3     where            when (before NOW)
    p1     1   1   1     CY-BJL           2 days
    p2     1   1   0     CY-BJL           10 days
    p3     1   0   0     CY-BJL-TD        40 days
    p4     0   0   1     CY itself        3 days, then q1 again (right) 1 day before
    erin   0   -   -     JH-HSD           1 day

q1 tests clause FWGF-1.1, q2 FWGF-1.2 (both in chapter FWGF-1), q3 FWGF-2.3 (chapter FWGF-2).
"""
import datetime as dt
import math
import uuid

import pytest
from django.http import Http404
from django.utils import timezone

from postqc.learning import stats
from postqc.learning.models import Answer, LearningPolicy, ReviewCard
from postqc.learning.practice import answer_submit, review_push_clause
from postqc.learning.scheduling import retrievability
from postqc.org.roles import Role
from postqc.org.services import staff_create
from postqc.standards.models import Clause

from .factories import make_bank, make_question, publish_standard

# Thursday 26 November 2026, 10:00 in Jilin (02:00 UTC); that week began Monday 23 November 00:00.
NOW = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.timezone.utc)
RIGHT, WRONG = ["B"], ["A"]
FIRSTS = {  # person → (marks on q1, q2, q3), days before NOW
    "p1": ((1, 1, 1), 2),
    "p2": ((1, 1, 0), 10),
    "p3": ((1, 0, 0), 40),
    "p4": ((0, 0, 1), 3),
}


def submit(person, question, right, at, mode="sequential", duration_ms=5000):
    return answer_submit(staff=person, question=question, response=RIGHT if right else WRONG, mode=mode,
                         client_id=uuid.uuid4(), duration_ms=duration_ms, at=at)


@pytest.fixture
def world(org):
    publish_standard(org.jls)
    clause = {c.code: c for c in Clause.objects.all()}
    bank = make_bank(org.jls, code="CITY")
    qs = [make_question(bank, clauses=[clause[code]]) for code in ("FWGF-1.1", "FWGF-1.2", "FWGF-2.3")]

    def person(no, unit):
        made = staff_create(employee_no=no, name=no, unit=unit, roles=[Role.CLERK], password="x-Pass-123456")
        made.must_change_password = False
        made.save(update_fields=["must_change_password"])
        return made

    people = {"p1": person("P1", org.cy_bjl), "p2": person("P2", org.cy_bjl), "p3": person("P3", org.cy_td),
              "p4": person("P4", org.cy)}
    for name, (marks, days) in FIRSTS.items():
        for i, (q, mark) in enumerate(zip(qs, marks, strict=True)):
            submit(people[name], q, mark, NOW - dt.timedelta(days=days, minutes=10 - i))
    submit(people["p4"], qs[0], 1, NOW - dt.timedelta(days=1))  # a later right answer: not a first attempt
    submit(org.erin, qs[0], 0, NOW - dt.timedelta(days=1))
    return type("World", (), {"org": org, "bank": bank, "q": qs, "clause": clause, **people})


# --- Item analysis ---------------------------------------------------------------------------------------


def test_facility_and_discrimination_match_the_hand_computed_example(world):
    analysis = stats.item_analysis(world.org.alice, bank=world.bank)
    rows = {r.code: r for r in analysis.rows}
    q1, q2, q3 = (rows[q.code] for q in world.q)
    assert (analysis.people, analysis.first_attempts) == (4, 12)  # erin is not in 船营
    # Facility = share right on first attempts: q1 3/4, q2 2/4, q3 2/4 (p4's later right q1 does not count).
    assert (q1.n, q1.right, q1.facility) == (4, 3, 0.75)
    assert (q2.facility, q3.facility) == (0.5, 0.5)
    # Rest score = the person's share right on their two other first attempts.
    # q1: x = (1, 1, 1, 0), rest = (1, .5, 0, .5); deviations x (.25, .25, .25, -.75), rest (.5, 0, -.5, 0):
    #     Σ dx·dy = .125 + 0 - .125 + 0 = 0  →  r = 0.
    assert q1.discrimination == pytest.approx(0.0, abs=1e-12)
    # q2: x = (1, 1, 0, 0), rest = (1, .5, .5, .5); means .5 and .625; dx (.5, .5, -.5, -.5),
    #     dy (.375, -.125, -.125, -.125): Σ dx·dy = .25, Σ dx² = 1, Σ dy² = .1875  →  r = .25 / √.1875 = 1/√3.
    assert q2.discrimination == pytest.approx(1 / math.sqrt(3))
    # q3: x = (1, 0, 0, 1), rest = (1, 1, .5, 0); dx (.5, -.5, -.5, .5), dy (.375, .375, -.125, -.625):
    #     Σ dx·dy = -.25, Σ dx² = 1, Σ dy² = .6875  →  r = -.25 / √.6875 = -1/√11.
    assert q3.discrimination == pytest.approx(-1 / math.sqrt(11))
    assert not any(r.flags for r in analysis.rows)  # n = 4 is below ITEM_MIN_N: no flags


def test_with_enough_first_attempts_low_and_negative_discrimination_are_flagged(world, monkeypatch):
    monkeypatch.setattr(stats.items, "ITEM_MIN_N", 4)  # where item_flags reads it
    rows = {r.code: r for r in stats.item_analysis(world.org.alice, bank=world.bank).rows}
    assert rows[world.q[0].code].flags == ["low_discrimination"]  # r = 0
    assert rows[world.q[1].code].flags == []  # r = .58, facility .5
    assert rows[world.q[2].code].flags == ["negative_discrimination"]
    assert rows[world.q[2].code].flag_labels == ["区分度为负：可能有歧义或答案有误"]


def test_flags_follow_the_named_thresholds():
    flags = stats.item_flags
    assert flags(n=29, facility=0.1, discrimination=-0.5) == []
    assert flags(n=30, facility=0.5, discrimination=0.1) == []
    assert flags(n=30, facility=0.5, discrimination=0.09) == ["low_discrimination"]
    assert flags(n=30, facility=0.19, discrimination=0.3) == ["too_hard"]
    assert flags(n=30, facility=0.96, discrimination=None) == ["too_easy"]
    assert flags(n=30, facility=0.95, discrimination=0.3) == []


def test_only_first_attempts_count_a_later_right_answer_changes_nothing(world):
    before = {r.code: (r.n, r.facility, r.discrimination) for r in stats.item_analysis(
        world.org.alice, bank=world.bank).rows}
    for _ in range(3):
        submit(world.p4, world.q[1], 1, NOW)
        submit(world.p3, world.q[2], 1, NOW)
    after = {r.code: (r.n, r.facility, r.discrimination) for r in stats.item_analysis(
        world.org.alice, bank=world.bank).rows}
    assert after == before


def test_first_attempt_ties_on_time_are_broken_by_id(world):
    late = world.q[0]
    at = NOW - dt.timedelta(hours=1)
    person = staff_create(employee_no="P5", name="P5", unit=world.org.cy_bjl, roles=[Role.CLERK],
                          password="x-Pass-123456")
    submit(person, late, 0, at)
    submit(person, late, 1, at)
    row = next(r for r in stats.item_analysis(world.org.alice, bank=world.bank).rows if r.code == late.code)
    assert (row.n, row.right) == (5, 3)


def test_a_county_manager_analyses_the_city_bank_on_their_own_staff_only(world):
    analysis = stats.item_analysis(world.org.charlie, bank=world.bank)
    assert (analysis.people, [(r.code, r.n, r.right) for r in analysis.rows]) == (1, [(world.q[0].code, 1, 0)])
    assert world.bank in stats.banks_for_stats(world.org.charlie)
    cy_bank = make_bank(world.org.cy, code="CYB")
    assert cy_bank not in stats.banks_for_stats(world.org.charlie)
    assert cy_bank in stats.banks_for_stats(world.org.alice)


def test_pearson_is_undefined_when_a_side_does_not_vary():
    assert stats.pearson([1, 1, 1], [0.2, 0.5, 0.9]) is None
    assert stats.pearson([1], [1]) is None
    assert stats.pearson([0, 1], [0, 1]) == pytest.approx(1)


# --- Participation -----------------------------------------------------------------------------------------


def test_participation_counts_match_the_example_and_roll_up_to_child_units(world):
    data = stats.unit_participation(world.org.alice, at=NOW)
    total = data.total
    # 船营: alice, bob, hank, dave, p1–p4 = 8 people; p1 and p4 answered in the last 7 days, p2 in the last 30.
    assert (total.headcount, total.active_7, total.active_30) == (8, 2, 3)
    assert (total.rate_7, total.rate_30) == (2 / 8, 3 / 8)
    # Last 30 days: p1 3 answers (3 right), p2 3 (2 right), p4 4 (2 right) → 7 / 10.
    assert (total.answers, total.right, total.accuracy) == (10, 7, 0.7)
    rows = {r.label: r for r in data.rows}
    assert list(rows) == ["北京路支局", "船营区分公司"]  # the one child, then the staff of 船营 itself
    bjl, own = rows["北京路支局"], rows["船营区分公司"]
    assert (bjl.headcount, bjl.active_7, bjl.active_30, bjl.answers, bjl.right) == (6, 1, 2, 6, 5)
    assert (own.headcount, own.active_7, own.active_30, own.answers, own.right) == (2, 1, 1, 4, 2)


def test_the_city_sees_each_county_and_a_county_sees_none_of_the_others(world):
    city = stats.unit_participation(world.org.dora, at=NOW)
    rows = {r.label: (r.headcount, r.active_7) for r in city.rows}
    assert rows == {"船营区分公司": (8, 2), "蛟河市分公司": (3, 1), "吉林市分公司": (2, 0)}
    assert (city.total.headcount, city.total.active_7) == (13, 3)
    with pytest.raises(Http404):
        stats.unit_participation(world.org.charlie, unit=world.org.cy, at=NOW)
    with pytest.raises(Http404):
        stats.managed_unit(world.org.charlie, "CY")
    assert stats.managed_unit(world.org.alice, "CY-BJL") == world.org.cy_bjl


def test_weekly_active_staff_counts_each_person_once_a_week(world):
    weeks = stats.unit_participation(world.org.alice, at=NOW).weeks
    assert len(weeks) == stats.WEEKS_SHOWN and weeks[-1].start == dt.date(2026, 11, 23)
    by_week = {w.start: w.value for w in weeks if w.value}
    # p1 (Tue 24th) and p4 (Mon 23rd and Wed 25th): two people; p2 on Mon 16th; p3 on Sat 17 October.
    assert by_week == {dt.date(2026, 11, 23): 2, dt.date(2026, 11, 16): 1, dt.date(2026, 10, 12): 1}
    assert [w.share for w in weeks if w.value] == [0.5, 0.5, 1.0]


def test_inactive_staff_leave_the_headcount_and_the_active_counts(world):
    world.p1.is_active = False
    world.p1.save(update_fields=["is_active"])
    total = stats.unit_participation(world.org.alice, at=NOW).total
    assert (total.headcount, total.active_7, total.active_30) == (7, 1, 2)


# --- Clauses -------------------------------------------------------------------------------------------------


def test_weakest_clauses_rank_by_accuracy_with_a_minimum_number_of_answers(world):
    rows = stats.weakest_clauses(world.org.alice, unit=world.org.cy, min_answers=2, at=NOW)
    # FWGF-1.2 (q2): p1 R, p2 R, p3 W, p4 W → 2/4; FWGF-2.3 (q3): p1 R, p2 W, p3 W, p4 R → 2/4 (tie: clause order);
    # FWGF-1.1 (q1): p1 R, p2 R, p3 R, p4 W then R → 4/5. erin's wrong q1 is not 船营's.
    assert [(r.place.code, r.answers, r.right) for r in rows] == [
        ("FWGF-1.2", 4, 2), ("FWGF-2.3", 4, 2), ("FWGF-1.1", 5, 4)]
    assert rows[0].place.heading == "第二条 延时服务" and rows[0].place.chapter_code == "FWGF-1"
    assert [r.place.code for r in stats.weakest_clauses(world.org.alice, unit=world.org.cy, min_answers=5,
                                                        at=NOW)] == ["FWGF-1.1"]
    # The last 30 days only: p3's answers (40 days ago) drop out.
    recent = stats.weakest_clauses(world.org.alice, unit=world.org.cy, min_answers=2, days=30, at=NOW)
    assert [(r.place.code, r.answers, r.right) for r in recent] == [
        ("FWGF-1.2", 3, 2), ("FWGF-2.3", 3, 2), ("FWGF-1.1", 4, 3)]


def test_predicted_recall_per_clause_is_the_mean_retrievability_of_the_units_cards(world):
    chapters = stats.predicted_recall_by_clause(world.org.alice, unit=world.org.cy, at=NOW)
    assert [(c.chapter_code, [r.place.code for r in c.clauses]) for c in chapters] == [
        ("FWGF-1", ["FWGF-1.1", "FWGF-1.2"]), ("FWGF-2", ["FWGF-2.3"])]
    q1_cards = ReviewCard.objects.filter(question=world.q[0], staff__unit__code__startswith="CY")
    expected = sum(retrievability(c, at=NOW) for c in q1_cards) / 4
    row = chapters[0].clauses[0]
    assert (row.cards, row.staff_with_card, row.headcount, row.coverage) == (4, 4, 8, 0.5)
    assert row.recall == pytest.approx(expected)
    assert 0 < row.recall < 1


def test_cards_pushed_but_never_reviewed_count_zero_and_widen_the_coverage(world):
    review_push_clause(clause=world.clause["FWGF-2.3"], unit=world.org.cy, reason="检查发现问题", at=NOW)
    chapters = stats.predicted_recall_by_clause(world.org.alice, unit=world.org.cy, at=NOW)
    row = chapters[1].clauses[0]
    reviewed = ReviewCard.objects.filter(question=world.q[2], last_review__isnull=False)
    assert (row.cards, row.staff_with_card, row.coverage) == (8, 8, 1.0)
    assert row.recall == pytest.approx(sum(retrievability(c, at=NOW) for c in reviewed) / 8)


def test_recall_is_the_fsrs_retrievability_of_the_card(world):
    for card in ReviewCard.objects.all():
        for days in (0, 1, 5, 30, 400):
            at = NOW + dt.timedelta(days=days)
            assert stats.recall(card.stability, card.last_review, at) == pytest.approx(retrievability(card, at=at))
    assert stats.recall(None, None, NOW) == 0.0


# --- The person ----------------------------------------------------------------------------------------------


def test_personal_summary_counts_banks_chapters_and_mastery(world):
    s = stats.personal_summary(world.p2, at=NOW)
    assert (s.done, s.answers, s.right, s.wrong) == (3, 3, 2, 1)
    assert s.accuracy == pytest.approx(2 / 3)
    [bank] = s.banks
    assert (bank.code, bank.questions, bank.done, bank.answers, bank.right) == ("CITY", 3, 3, 3, 2)
    cards = list(ReviewCard.objects.filter(staff=world.p2))
    assert bank.mastery == pytest.approx(sum(retrievability(c, at=NOW) for c in cards) / 3)
    chapters = {c.code: c for c in s.chapters}
    assert list(chapters) == ["FWGF-1", "FWGF-2"]
    assert (chapters["FWGF-1"].name, chapters["FWGF-1"].done, chapters["FWGF-1"].right) == ("第一章 营业时间", 2, 2)
    assert (chapters["FWGF-2"].done, chapters["FWGF-2"].wrong, chapters["FWGF-2"].accuracy) == (1, 1, 0.0)
    q3_card = ReviewCard.objects.get(staff=world.p2, question=world.q[2])
    assert chapters["FWGF-2"].mastery == pytest.approx(retrievability(q3_card, at=NOW))


def test_a_never_reviewed_card_counts_zero_in_mastery(world):
    review_push_clause(clause=world.clause["FWGF-2.3"], unit=world.org.cy, reason="检查发现问题", at=NOW)
    s = stats.personal_summary(world.org.bob, at=NOW)
    assert (s.done, s.answers) == (0, 0)
    assert s.banks[0].mastery == 0.0 and s.chapters[0].mastery == 0.0


def test_the_weekly_goal_counts_answers_since_monday_midnight_in_jilin(world):
    LearningPolicy.objects.create(unit=world.org.cy, weekly_goal=5)
    bob = world.org.bob
    q = world.q[0]
    monday = timezone.make_aware(dt.datetime(2026, 11, 23, 0, 30))  # Sunday 16:30 UTC
    sunday = timezone.make_aware(dt.datetime(2026, 11, 22, 23, 30))
    submit(bob, q, 1, sunday)
    submit(bob, q, 1, monday)
    submit(bob, q, 0, monday + dt.timedelta(hours=1))
    s = stats.personal_summary(bob, at=NOW)
    assert (s.goal, s.this_week, s.goal_left) == (5, 2, 3)
    assert s.goal_share == pytest.approx(0.4)
    weeks = {w.start: w.value for w in s.weeks}
    assert weeks[dt.date(2026, 11, 23)] == 2 and weeks[dt.date(2026, 11, 16)] == 1
    assert [w.met for w in s.weeks] == [False] * 8
    for _ in range(3):
        submit(bob, q, 1, NOW - dt.timedelta(hours=1))
    s = stats.personal_summary(bob, at=NOW)
    assert (s.this_week, s.goal_left, s.goal_share, s.weeks[-1].met) == (5, 0, 1.0, True)


def test_without_answers_the_summary_is_empty_and_shares_are_undefined(org):
    s = stats.personal_summary(org.carl, at=NOW)
    assert (s.done, s.answers, s.accuracy, s.this_week, s.goal) == (0, 0, None, 0, 100)
    assert s.chapters == [] and all(b.mastery is None for b in s.banks)


def test_the_personal_summary_costs_the_same_queries_however_much_was_practised(world, django_assert_num_queries):
    with django_assert_num_queries(7):
        stats.personal_summary(world.p3, at=NOW)
    for q in world.q:
        for _ in range(5):
            submit(world.p3, q, 1, NOW - dt.timedelta(hours=2))
    assert Answer.objects.filter(staff=world.p3).count() == 18
    with django_assert_num_queries(7):
        stats.personal_summary(world.p3, at=NOW)
