"""A small city with something for every KPI of the cockpit, at a fixed moment.

Active staff of the org fixture: 9 (CY subtree: alice, bob, hank, dave; JH subtree: charlie,
carl, erin; the city itself: dora, sam). In the last 30 days bob and erin practised (bob 3 answers,
2 right; erin 2 answers, 0 right); bob took the city's competition. Satisfaction: a tiny survey
with 40 responses at the CY outlet and 10 at the JH outlet, plan target 80.
"""
import datetime as dt
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from postqc.contests.services import attempt_start, attempt_submit, exam_create
from postqc.learning.practice import answer_submit
from postqc.learning.tests.factories import make_bank, make_question
from postqc.surveys.tests.survey_factories import put, tiny_survey

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 10, 0))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def city(org):
    bank = make_bank(org.jls, code="JLS-PF")
    question = make_question(bank, answer=("B",))
    for _ in range(5):
        make_question(bank, answer=("C",), pool="reserved")
    for response, at_days in ((["B"], 1), (["B"], 2), (["A"], 3)):
        answer_submit(staff=org.bob, question=question, response=response, mode="random", client_id=uuid.uuid4(),
                      duration_ms=5000, at=NOW - dt.timedelta(days=at_days))
    for at_days in (1, 40):  # the second is older than 30 days: not counted
        answer_submit(staff=org.erin, question=question, response=["A"], mode="random", client_id=uuid.uuid4(),
                      duration_ms=5000, at=NOW - dt.timedelta(days=at_days))
    answer_submit(staff=org.erin, question=question, response=["A"], mode="random", client_id=uuid.uuid4(),
                  duration_ms=5000, at=NOW - dt.timedelta(days=2))
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):  # held last week, closed yesterday
        contest = exam_create(kind="contest", title="全市知识竞赛", unit=org.jls, time_limit_seconds=1800,
                              rules=[{"question_type": "single", "count": 3, "points": 10}], actor=org.sam,
                              publish=True, attempts_allowed=1, opens_at=NOW - dt.timedelta(days=3),
                              closes_at=NOW - dt.timedelta(days=1))
        attempt_submit(attempt=attempt_start(exam=contest, staff=org.bob)[0])
    survey = tiny_survey(org.jls, target="80")
    for i in range(40):
        put(survey, org.o_cy, {"OV": 5, "A1": 4 + i % 2, "A2": 4, "B1": 5})
    for i in range(10):
        put(survey, org.o_jh, {"OV": 3, "A1": 3, "A2": 2 + i % 2, "B1": None})
    return type("City", (), {"org": org, "survey": survey, "contest": contest, "question": question})


def close(a, b, places=6) -> bool:
    return a is not None and b is not None and abs(a - b) < 10 ** -places


TARGET_80 = Decimal("80.00")
