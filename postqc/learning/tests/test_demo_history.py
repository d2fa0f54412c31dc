"""The demo practice history: deterministic, and every row consistent with the rules practice applies.

One test in a rolled-back transaction, on the org, standards and learning demos. A smaller
population than the real demo's keeps it quick; the rules checked do not depend on its size.
"""
import datetime as dt
from collections import defaultdict
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine

from django.utils import timezone

from postqc.learning import demo, demo_history, stats
from postqc.learning.grading import is_correct
from postqc.learning.models import Answer, Bank, PracticeCursor, QuestionVersion, ReviewCard, WrongEntry
from postqc.learning.scheduling import Policy, rating_for
from postqc.org import demo as org_demo
from postqc.org.models import Staff
from postqc.standards import demo as standards_demo

END = dt.date(2026, 11, 27)  # a fixed last day: the same seed and the same last day give the same history


def snapshot() -> list[tuple]:
    """Every answer by natural keys (primary keys differ between loads)."""
    return list(Answer.objects.order_by("staff__employee_no", "answered_at", "question__code").values_list(
        "staff__employee_no", "question__code", "version__number", "mode", "response", "is_correct", "duration_ms",
        "rating", "client_id", "answered_at"))


def test_the_demo_history_is_deterministic_and_follows_the_practice_rules(db, monkeypatch):
    monkeypatch.setattr(demo_history, "ACTIVE_SHARE", (0.08, 0.12))
    monkeypatch.setattr(demo_history, "ANSWERS", (50, 160))
    out = StringIO()
    for module in (org_demo, standards_demo, demo):
        module.load(stdout=out, seed=7)
    demo_history.load(stdout=out, seed=7, end=END)
    assert "练习记录" in out.getvalue()
    first = snapshot()
    people = {row[0] for row in first}
    assert len(people) > 100 and len(first) > 5000
    assert demo_history.NAMED <= people  # the named clerks, couriers and department staff
    roles = set(Staff.objects.filter(employee_no__in=people).values_list("role_links__role", flat=True))
    assert roles <= {"clerk", "courier", "office"} and "office" in roles
    office = Staff.objects.filter(role_links__role="office", is_active=True)
    practised = office.filter(employee_no__in=people).count()
    assert 0.1 < practised / office.count() < 0.45  # fewer than the clerks and couriers, not none
    assert {row[3] for row in first} >= {"sequential", "random", "wrong", "review"}
    end = timezone.make_aware(dt.datetime.combine(END, dt.time(23, 59, 59)))
    start = timezone.make_aware(dt.datetime.combine(END - dt.timedelta(days=demo_history.HISTORY_DAYS - 1),
                                                    dt.time(0, 0)))
    assert all(start <= row[-1] <= end for row in first)
    assert max(row[-1] for row in first) > end - dt.timedelta(days=2)  # most people are still at it
    assert len({row[-2] for row in first}) == len(first)  # client ids are unique

    # Answers are graded by the one grading rule, and rated by the FSRS mapping.
    versions = {v.pk: v for v in QuestionVersion.objects.filter(question__bank__code__in=demo_history.BANK_CODES)}
    policy = Policy()
    answers = list(Answer.objects.order_by("answered_at", "pk").values_list(
        "staff_id", "question_id", "version_id", "response", "is_correct", "duration_ms", "hinted", "rating",
        "answered_at"))
    for _staff, _q, version_id, response, correct, duration, hinted, rating in (a[:8] for a in answers):
        assert is_correct(versions[version_id], response) == correct
        assert rating == rating_for(correct=correct, duration_ms=duration, hinted=hinted, policy=policy)
    assert 0.6 < sum(a[4] for a in answers) / len(answers) < 0.95

    # Every card: one review per answer, last reviewed at the last answer.
    history = defaultdict(list)
    for staff_id, question_id, *_rest, correct, _duration, _hinted, _rating, at in answers:
        history[(staff_id, question_id)].append((at, correct))
    cards = {(c.staff_id, c.question_id): c for c in ReviewCard.objects.all()}
    assert set(cards) == set(history)
    for key, card in cards.items():
        assert card.reps == len(history[key])
        assert card.last_review == history[key][-1][0]
        assert card.stability and card.due > card.last_review

    # Every 错题本 entry: open ⇔ a wrong answer not yet followed by two right ones in a row.
    entries = {(e.staff_id, e.question_id): e for e in WrongEntry.objects.all()}
    assert set(entries) == {key for key, done in history.items() if not all(c for _at, c in done)}
    for key, entry in entries.items():
        done = history[key]
        last_wrong = max(i for i, (_at, c) in enumerate(done) if not c)
        after = [at for at, _c in done[last_wrong + 1:]]
        assert entry.wrong_count == sum(1 for _at, c in done if not c)
        assert entry.last_wrong_at == done[last_wrong][0]
        assert entry.right_streak == min(len(after), policy.wrong_clear_streak)
        assert entry.cleared_at == (after[policy.wrong_clear_streak - 1] if len(after) >= 2 else None)
    assert any(e.cleared_at is None for e in entries.values()) and any(e.cleared_at for e in entries.values())
    assert PracticeCursor.objects.filter(bank__code="JLS-PF").count() > 50

    # The statistics have something to show: facility spread, and most items discriminate.
    manager = Staff.objects.get(employee_no="22020004")  # 王丽娟, the city's quality manager
    analysis = stats.item_analysis(manager, bank=Bank.objects.get(code="JLS-PF"))
    measured = [r for r in analysis.rows if r.n >= 30 and r.discrimination is not None]
    assert measured and sum(r.discrimination > 0.1 for r in measured) > 0.8 * len(measured)

    # Loading again changes nothing; reset and load with the same seed gives the same history.
    again = StringIO()
    demo_history.load(stdout=again, seed=7, end=END)
    assert "已存在" in again.getvalue() and snapshot() == first
    demo_history.reset(stdout=again)
    assert not Answer.objects.exists() and not ReviewCard.objects.exists() and not WrongEntry.objects.exists()
    demo_history.load(stdout=again, seed=7, end=END)
    assert snapshot() == first


def test_the_history_ends_the_day_before_the_demo_is_loaded():
    """Whenever the demo is loaded, its last practice is recent: "active in the last 7 days" is not empty."""
    with time_machine.travel(dt.datetime(2027, 3, 2, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        assert demo_history.window() == (dt.date(2026, 10, 3), dt.date(2027, 3, 1))  # local dates, not UTC's
    assert demo_history.window(dt.date(2026, 11, 27)) == (dt.date(2026, 7, 1), dt.date(2026, 11, 27))

