"""The demo 模拟考试, competitions and exam, loaded after the org, standards and learning demos.

One test, in a rolled-back transaction: the whole demo takes seconds to load, and data committed
for a module would outlive it (tags are shared) and disturb other apps' tests.
"""
from io import StringIO

import pytest
from django.core.management import call_command

from django.utils import timezone

from postqc.contests import boards, certificates, demo
from postqc.contests.models import Attempt, AttemptItem, BoardEntry, Exam, IntegrityFlag


@pytest.fixture
def frozen():
    """The demo writes attempts in the weeks before now: real time."""
    yield None


def test_the_demo_exams_load_once_with_finished_attempts_and_reset(db, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the integrity checks run after the commit
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

    check_competitions(out.getvalue())

    exams, attempts = Exam.objects.count(), Attempt.objects.count()
    again = StringIO()
    demo.load(stdout=again, seed=1)
    assert "已存在，未重复加载" in again.getvalue()
    assert (Exam.objects.count(), Attempt.objects.count()) == (exams, attempts) == (5, attempts)

    demo.reset(stdout=StringIO())
    assert not Exam.objects.exists() and not Attempt.objects.exists()


def check_competitions(out: str) -> None:
    now = timezone.now()
    finished = Exam.objects.get(title="2018年普遍服务知识竞赛")
    assert (finished.kind, finished.status, finished.unit.code, finished.prize_people, finished.prize_units) == (
        "contest", "published", "JLS", 10, 3)
    assert finished.closes_at < now and finished.closes_at.year == 2018
    attempts = Attempt.objects.filter(exam=finished)
    assert 290 <= attempts.count() <= 310 and not attempts.filter(status="in_progress").exists()
    assert attempts.values("staff__unit").distinct().count() > 50  # across the city
    assert set(AttemptItem.objects.filter(attempt__exam=finished).values_list("version__question__pool",
                                                                               flat=True)) == {"reserved"}
    top = boards.top(finished, 10)
    assert top[0].name == "曹磊" and top[0].unit_name == "黄松甸支局" and top[0].score == 100
    fastest = BoardEntry.objects.filter(exam=finished).order_by("duration_seconds").first()
    assert fastest.staff.name == "曹磊" and BoardEntry.objects.filter(exam=finished, score=100).count() == 1
    assert "第一名 曹磊" in out
    awarded = certificates.exam_certificates(finished)
    assert len(awarded) == 13 and awarded[0].recipient == "曹磊" and awarded[0].date == "二〇一八年九月二十八日"
    assert IntegrityFlag.objects.filter(attempt__exam=finished, kind="shared_device").count() == 2

    live = Exam.objects.get(title__endswith="年普遍服务标准知识竞赛")
    assert live.opens_at < now - timezone.timedelta(hours=12) and live.closes_at > now + timezone.timedelta(days=13)
    assert live.speed_bonus and Attempt.objects.filter(exam=live).count() == 60
    assert not Attempt.objects.filter(exam=live, staff__employee_no__in=demo.DEMO_LOGINS).exists()
    assert all(a.submitted_at <= now for a in Attempt.objects.filter(exam=live))

    upcoming = Exam.objects.get(title="蛟河市分公司营业员业务知识竞赛")
    assert upcoming.opens_at > now and upcoming.unit.code == "JLS-JH" and not upcoming.attempts.exists()

    exam = Exam.objects.get(title="营业员上岗资格考试")
    assert (exam.kind, exam.pass_score, exam.audience_roles) == ("exam", 80, ["clerk", "branch_head"])
    assert exam.opens_at < now < exam.closes_at and Attempt.objects.filter(exam=exam).count() == 40
