"""An outlet's quality at a glance (dashboard.outlets): the outlet's page, the cockpit of the unit it
is attached to (the last step of the drill-down) and the API gather what every module knows of it —
its satisfaction figure, its latest 抽查, its open findings, its people's practice and competition,
its 邮驿站 — scoped like everything else, in a fixed number of queries however many outlets.

O-CY-1 (北京路营业所, 船营): 40 customers rated it, its 抽查 failed on a 否决项 and the finding is
overdue, bob practised and took the city's competition. O-JH-1 (黄松甸营业所, 蛟河): 5 customers,
never spot-checked, hosts an open 邮驿站; erin did not take the competition.
"""
import datetime as dt
import io
import random
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from postqc.api.services import token_issue
from postqc.contests.services import attempt_start, attempt_submit, exam_create
from postqc.dashboard.outlets import Fact, outlet_facts, outlet_views
from postqc.inspections.models import Finding
from postqc.inspections.services import inspection_submit
from postqc.inspections.tests.conftest import NOW, TODAY, clauses, frozen, lists, results  # noqa: F401 — fixtures
from postqc.learning.practice import practice_answer
from postqc.learning.tests.factories import make_question
from postqc.org.models import Outlet
from postqc.org.services import outlet_create
from postqc.stations.services import station_create
from postqc.stations.tests.conftest import station_data
from postqc.surveys.tests.survey_factories import at, put, tiny_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(org, lists, clauses):
    survey = tiny_survey(org.jls, code="S2026", year=2026, target="60")
    rng = random.Random(3)
    for _ in range(40):
        put(survey, org.o_cy, {"OV": 4, "A1": rng.choice((4, 5)), "A2": 4, "B1": 4}, when=at())
    for _ in range(5):
        put(survey, org.o_jh, {"OV": 3, "A1": 3, "A2": 3, "B1": 3}, when=at())
    inspection_submit(outlet=org.o_cy, kind="spot", inspector=org.sam, inspected_on=TODAY,
                      results=results(A1=("not_met", "未公示")))
    Finding.objects.filter(outlet=org.o_cy).update(deadline=TODAY.replace(day=1))  # past its deadline
    for right in (True, True, False):
        practice_answer(staff=org.bob, question=clauses["question"], response=["B"] if right else ["A"],
                        mode="random", client_id=uuid.uuid4(), at=NOW)
    station_create(actor=org.charlie, **station_data(code="YZ-JH-1", name="黄松甸邮驿站", unit=org.jh_hsd,
                                                     outlet=org.o_jh, address="黄松甸镇"))
    make_question(clauses["question"].bank, answer=("C",), pool="reserved")
    contest = exam_create(kind="contest", title="全市知识竞赛", unit=org.jls, time_limit_seconds=1800, actor=org.sam,
                          rules=[{"question_type": "single", "count": 1, "points": 10}], publish=True,
                          attempts_allowed=1, opens_at=NOW - dt.timedelta(hours=1),
                          closes_at=NOW + dt.timedelta(days=1))
    attempt_submit(attempt=attempt_start(exam=contest, staff=org.bob)[0])
    return survey


def facts_of(outlet):
    return {view.code: facts.get(outlet.pk) for view, facts in outlet_facts([outlet], NOW)}


def test_every_module_says_what_it_knows_of_an_outlet(org, story):
    cy = facts_of(org.o_cy)
    assert cy["surveys.index"].status == Fact.MET and cy["surveys.index"].value.endswith("分")  # 40 ≥ 30, above 60
    assert "n = 40" in cy["surveys.index"].note
    assert cy["inspections.spot"].status == Fact.MISSED and cy["inspections.spot"].value.startswith("不达标")
    assert "否决项不合格 1 项" in cy["inspections.spot"].note
    assert (cy["inspections.findings"].value, cy["inspections.findings"].status) == ("未销号 1 项", Fact.MISSED)
    assert cy["inspections.findings"].note == "其中逾期 1 项"
    assert cy["learning.outlet"].value == "1 / 1 人参与" and "66.7%" in cy["learning.outlet"].note  # bob: 2 of 3
    assert cy["stations.outlet"] is None  # hosts none
    # The competition the cockpit shows for the outlet's unit, of the outlet's own eligible staff;
    # still open, so said to be (and not judged).
    assert (cy["contests.outlet"].value, cy["contests.outlet"].status) == ("1 / 1 人参赛", "")
    assert cy["contests.outlet"].note == "全市知识竞赛（进行中）"
    assert cy["contests.outlet"].url.endswith("/results/?unit=CY-BJL")
    jh = facts_of(org.o_jh)
    assert jh["surveys.index"].status == "" and jh["surveys.index"].note.startswith("样本不足（n = 5）")
    assert (jh["inspections.spot"].value, jh["inspections.spot"].status) == ("本年度未抽查", "")
    assert jh["inspections.findings"].value == "无未销号事项"
    assert (jh["stations.outlet"].value, jh["stations.outlet"].status) == ("开放", Fact.MET)
    assert jh["contests.outlet"].value == "0 / 1 人参赛"
    assert [v.code for v in outlet_views()][:4] == ["surveys.index", "inspections.spot", "inspections.facilities",
                                                    "inspections.findings"]


def test_the_outlets_page_shows_its_quality(org, story, as_):
    page = as_(org.alice).get("/manage/outlets/O-CY-1/").content.decode()
    assert 'id="quality"' in page and "质量概况" in page
    assert "不达标" in page and "未销号 1 项" in page and "其中逾期 1 项" in page and "1 / 1 人参与" in page
    assert "1 / 1 人参赛" in page and "全市知识竞赛（进行中）" in page
    assert "/manage/inspections/findings/?status=unclosed&amp;outlet=O-CY-1" in page
    findings = as_(org.alice).get("/manage/inspections/findings/?status=unclosed&outlet=O-CY-1").content.decode()
    assert "未公示" in findings
    assert "未公示" not in as_(org.alice).get("/manage/inspections/findings/?outlet=O-JH-1").content.decode()
    assert as_(org.charlie).get("/manage/outlets/O-CY-1/").status_code == 404  # another county's outlet


def test_the_cockpit_of_a_unit_with_outlets_ends_the_drill_down_on_them(org, story, as_):
    alice = as_(org.alice)
    branch = alice.get("/manage/?unit=CY-BJL").content.decode()
    assert 'id="outlets"' in branch and 'href="/manage/outlets/O-CY-1/#quality"' in branch and "不达标" in branch
    assert 'id="outlets"' not in alice.get("/manage/?unit=CY").content.decode()  # 船营 has none of its own
    assert as_(org.charlie).get("/manage/?unit=CY-BJL").status_code == 404


def test_the_api_gives_the_same_facts_scoped(org, story, client):
    token = token_issue(staff=org.alice, label="t")[0]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = client.get("/api/v1/cockpit/outlets?unit=CY-BJL", **auth).json()
    assert [o["outlet"] for o in listed] == ["O-CY-1"]
    facts = {f["view"]: f for f in listed[0]["facts"]}
    assert facts["inspections.spot"]["status"] == "missed" and facts["stations.outlet"]["value"] is None
    one = client.get("/api/v1/cockpit/outlets/O-CY-1", **auth).json()
    assert one["facts"] == listed[0]["facts"]
    assert client.get("/api/v1/cockpit/outlets/O-JH-1", **auth).status_code == 404
    assert client.get("/api/v1/cockpit/outlets?unit=JH-HSD", **auth).status_code == 404


def test_more_outlets_cost_no_more_queries(org, story, as_):
    client = as_(org.alice)
    client.get("/manage/?unit=CY-BJL")
    with CaptureQueriesContext(connection) as one:
        client.get("/manage/?unit=CY-BJL")
    for n in range(6):
        outlet = outlet_create(code=f"O-CY-N{n}", name=f"新网点{n}", unit=org.cy_bjl, grade="1", address="船营",
                               area_type=Outlet.AreaType.CITY, operation=Outlet.Operation.SELF,
                               open_days_per_week=7, services=["letters"])
        inspection_submit(outlet=outlet, kind="spot", inspector=org.sam, inspected_on=TODAY, results=results())
        put(story, outlet, {"OV": 4, "A1": 4, "A2": 4, "B1": 4}, when=at())
    with CaptureQueriesContext(connection) as seven:
        page = client.get("/manage/?unit=CY-BJL").content.decode()
    assert page.count('#quality"') == 7
    assert len(seven.captured_queries) == len(one.captured_queries)


def test_the_cockpits_excel_has_the_outlets_sheet(org, story, as_):
    response = as_(org.alice).get("/manage/?unit=CY-BJL&format=xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["驾驶舱", "本单位网点"]
    rows = [[c.value for c in r] for r in book["本单位网点"].iter_rows()]
    header, (row,) = rows[0], rows[1:]
    assert header[:2] == ["网点编码", "网点名称"] and "最近抽查·判定" in header
    cells = dict(zip(header, row))
    assert (cells["网点编码"], cells["最近抽查·判定"], cells["整改"]) == ("O-CY-1", "未达标", "未销号 1 项")
    assert cells["整改·说明"] == "其中逾期 1 项" and cells["邮驿站"] in ("", None)
    district = load_workbook(io.BytesIO(b"".join(as_(org.alice).get("/manage/?unit=CY&format=xlsx").streaming_content)))
    assert district.sheetnames == ["驾驶舱"]  # 船营 has no outlets of its own
