"""The demo 模拟考试, loaded after the org, standards and learning demos.

One test, in a rolled-back transaction: the whole demo takes seconds to load, and data committed
for a module would outlive it (tags are shared) and disturb other apps' tests.
"""
from io import StringIO

import pytest
from django.core.management import call_command

from postqc.contests import demo
from postqc.contests.models import Attempt, AttemptItem, Exam


@pytest.fixture
def frozen():
    """The demo writes attempts in the weeks before now: real time."""
    yield None


def test_the_demo_mock_exam_loads_once_with_finished_attempts_and_resets(db):
    out = StringIO()
    call_command("load_demo", stdout=out)

    exam = Exam.objects.get(title="普遍服务知识模拟考试")
    assert (exam.kind, exam.unit.code, exam.status, exam.time_limit_seconds, exam.attempts_allowed, exam.reveal) == (
        "mock", "JLS", "published", 1800, 0, "after_submit")
    assert sum(r.count * r.points for r in exam.rules.all()) == 100
    attempts = Attempt.objects.filter(exam=exam)
    assert attempts.count() == 8 and not attempts.filter(status="in_progress").exists()
    assert all(a.duration_seconds <= 1800 and 0 <= a.score <= 100 for a in attempts)
    assert len({a.score for a in attempts}) > 3
    items = AttemptItem.objects.filter(attempt__exam=exam)
    assert set(items.values_list("version__question__pool", flat=True)) == {"practice"}
    assert items.filter(is_correct=True).count() > items.filter(is_correct=False).count()
    assert "演示作答 8 次" in out.getvalue()

    again = StringIO()
    demo.load(stdout=again, seed=1)
    assert "已存在，未重复加载" in again.getvalue()
    assert Exam.objects.count() == 1 and Attempt.objects.count() == 8

    demo.reset(stdout=StringIO())
    assert not Exam.objects.exists() and not Attempt.objects.exists()
