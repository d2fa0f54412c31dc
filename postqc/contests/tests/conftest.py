"""Fixtures of the exam engine tests: a city bank with every question type, and a mock exam on it.

The bank (JLS-PF, owned by the city) holds 12 单选 (answer B of 甲乙丙丁), 8 多选 (answer AC),
8 判断 (answer 对), 6 填空 (accepting 挂号信 or 挂号函件), all in the practice pool, and 8 单选 reserved
for competitions (answer C). The mock exam draws 5 单选 ×2, 3 多选 ×3, 3 判断 ×1, 2 填空 ×2 = 26 points.
"""
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from postqc.contests.services import exam_create
from postqc.learning.tests.factories import make_bank, make_question

T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0, 0))



@pytest.fixture(autouse=True)
def frozen():
    """The clock stands still at T0 (a Monday morning) unless a test moves it or passes `at=`."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


RULES = [
    {"question_type": "single", "count": 5, "points": 2},
    {"question_type": "multiple", "count": 3, "points": 3},
    {"question_type": "true_false", "count": 3, "points": 1},
    {"question_type": "fill", "count": 2, "points": 2},
]


@pytest.fixture
def bank(org):
    bank = make_bank(org.jls, code="JLS-PF")
    for _ in range(12):
        make_question(bank, type="single", answer=("B",))
    for _ in range(8):
        make_question(bank, type="multiple", answer=("A", "C"))
    for _ in range(8):
        make_question(bank, type="true_false", answer=("T",))
    for _ in range(6):
        make_question(bank, type="fill", answer=("挂号信", "挂号函件"))
    for _ in range(8):
        make_question(bank, type="single", answer=("C",), pool="reserved")
    return bank


@pytest.fixture
def make_exam(org, bank):
    """make_exam(**overrides) → a published exam of the city (a mock exam unless kind= says otherwise)."""

    def make(*, kind="mock", rules=None, unit=None, actor=None, **settings):
        settings.setdefault("attempts_allowed", 0)
        return exam_create(kind=kind, title=settings.pop("title", "普遍服务知识模拟考试"), unit=unit or org.jls,
                           time_limit_seconds=settings.pop("time_limit_seconds", 1800), rules=rules or RULES,
                           actor=actor or org.sam, publish=settings.pop("publish", True), **settings)

    return make


@pytest.fixture
def mock_exam(make_exam):
    return make_exam()


RESERVED = [{"question_type": "single", "count": 5, "points": 2}]  # from the 8 reserved 单选: a 10-point paper


@pytest.fixture
def make_contest(make_exam):
    """make_contest(**overrides) → a published city competition on RESERVED, one attempt each, open
    from T0 − 1 h to T0 + 1 day."""

    def make(**settings):
        settings.setdefault("title", "普遍服务知识竞赛")
        settings.setdefault("rules", RESERVED)
        settings.setdefault("opens_at", T0 - dt.timedelta(hours=1))
        settings.setdefault("closes_at", T0 + dt.timedelta(days=1))
        settings.setdefault("attempts_allowed", 1)
        return make_exam(kind=settings.pop("kind", "contest"), **settings)

    return make
