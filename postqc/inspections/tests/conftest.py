"""A city checklist for 一级 and 三级 outlets (the org fixture's O-CY-1 is 一级, O-JH-1 三级), at a fixed day.

Items (the same for both grades): A1 公示 (critical, clause JLFW-2.9), A2 营业时间牌 (clause JLFW-2.10),
B1 自助设备 (may be not applicable), B2 座椅. Pass rate 75 %.
"""
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from postqc.inspections.checklists import checklist_create, version_create, version_publish
from postqc.learning.tests.factories import make_bank, make_clause, make_question
from postqc.org.roles import Role
from postqc.org.services import staff_create

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 10, 0))
TODAY = dt.date(2026, 11, 25)
ROWS = [
    {"code": "A1", "section": "标识公示", "text": "公示服务种类和营业时间", "clause": "JLFW-2.9", "critical": True},
    {"code": "A2", "section": "标识公示", "text": "门前设置营业时间牌", "clause": "JLFW-2.10"},
    {"code": "B1", "section": "设施设备", "text": "自助设备正常可用", "allow_na": True},
    {"code": "B2", "section": "设施设备", "text": "配备座椅", "clause": ""},
]
ALL_MET = {"A1": ("met", ""), "A2": ("met", ""), "B1": ("met", ""), "B2": ("met", "")}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clauses(org):
    made = {code: make_clause(org.jls, code=code, standard_code="JLFW", heading=code) for code in ("JLFW-2.9",
                                                                                                   "JLFW-2.10")}
    bank = make_bank(org.jls, code="JLS-PF")
    made["question"] = make_question(bank, clauses=[made["JLFW-2.9"]])
    return made


@pytest.fixture
def city_quality(org):
    """A quality manager of the city, above 船营's 艾丽 (org's alice): who repeats escalate to."""
    person = staff_create(employee_no="Q001", name="全市质管", unit=org.jls, roles=[Role.QUALITY],
                          password=org.password)
    person.must_change_password = False
    person.save(update_fields=["must_change_password"])
    return person


@pytest.fixture
def lists(org, clauses):
    out = {}
    for code, grade in (("G1", "1"), ("G3", "3")):
        checklist = checklist_create(code=code, name=f"{grade}级网点检查表", grade=grade, unit=org.jls, actor=org.sam)
        version = version_create(checklist=checklist, rows=ROWS, actor=org.sam, pass_rate=75)
        version_publish(version=version, actor=org.sam)
        checklist.refresh_from_db()
        out[grade] = checklist
    return out


def results(**changes) -> dict:
    """ALL_MET with some items changed: results(A2=("not_met", "牌子掉了"))."""
    return {**ALL_MET, **changes}
