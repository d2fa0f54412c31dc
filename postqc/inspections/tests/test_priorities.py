"""抽查优先: where to spot-check next. An outlet not inspected this year, one that failed (on a 否决项),
its overdue findings, and — the loop design.md closes — a satisfaction dimension of its district /
county that dropped since the previous survey or lies below the city, each add points. The page,
its Excel sheet and the API list the outlets most in need first, with the reasons, scoped."""
import io
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from postqc.api.services import token_issue
from postqc.inspections import selectors
from postqc.inspections.models import Finding
from postqc.inspections.services import inspection_submit
from postqc.org.models import Outlet
from postqc.org.services import outlet_create
from postqc.surveys.selectors import inspection_signals
from postqc.surveys.tests.survey_factories import at, put, tiny_survey

from .conftest import TODAY, results

PAGE = reverse("inspections:priorities")


def answers(survey, outlet, n, rng, a_mean):
    """n responses at `outlet`, dimension A (甲) around a_mean on the 1–5 scale, B (乙) around 4."""
    for i in range(n):
        a = max(1, min(5, round(rng.gauss(a_mean, 0.6))))
        put(survey, outlet, {"OV": 4, "A1": a, "A2": a, "B1": max(1, min(5, round(rng.gauss(4, 0.6))))},
            when=at(i % 3))


@pytest.fixture
def surveys(org):
    """Last year 船营 and 蛟河 both rated 甲 about 4.5; this year 船营's 甲 fell to about 2.5."""
    rng = random.Random(5)
    before = tiny_survey(org.jls, code="S2025", year=2025)
    now = tiny_survey(org.jls, code="S2026", year=2026)
    answers(before, org.o_cy, 40, rng, 4.5)
    answers(before, org.o_jh, 40, rng, 4.5)
    answers(now, org.o_cy, 40, rng, 2.5)
    answers(now, org.o_jh, 40, rng, 4.5)
    return before, now


@pytest.fixture
def third(org):
    """A second 船营 outlet, spot-checked and passed."""
    outlet = outlet_create(code="O-CY-2", name="河南街营业所", unit=org.cy_bjl, grade="1", address="河南街",
                           area_type=Outlet.AreaType.CITY, operation=Outlet.Operation.SELF, open_days_per_week=7,
                           services=["letters"])
    inspection_submit(outlet=outlet, kind="spot", inspector=org.sam, inspected_on=TODAY, results=results())
    return outlet


def test_a_dimension_that_dropped_and_lies_below_the_city_is_a_signal_for_its_stratum(org, surveys):
    survey, signals = inspection_signals(org.jls)
    assert survey == surveys[1]
    assert set(signals) == {org.cy.pk}  # 蛟河 held steady and is above the city
    (a,) = signals[org.cy.pk]
    assert a.code == "A" and a.drop < -40 and a.below_city < -20  # (2.5 − 4.5) × 25 on the 0–100 scale


def test_the_outlets_most_in_need_come_first_with_their_reasons(org, lists, surveys, third):
    inspection_submit(outlet=org.o_cy, kind="spot", inspector=org.sam, inspected_on=TODAY,
                      results=results(A1=("not_met", "未公示")))
    Finding.objects.filter(outlet=org.o_cy).update(deadline=TODAY.replace(day=1))  # past its deadline
    survey, rows = selectors.priorities(org.jls, 2026, TODAY)
    assert survey.code == "S2026"
    by_code = {p.outlet.code: p for p in rows}
    assert [p.outlet.code for p in rows] == ["O-CY-1", "O-JH-1", "O-CY-2"]
    # failed on a 否决项 (30 + 10), one finding overdue (10), 甲 dropped (15) and below the city (10)
    assert by_code["O-CY-1"].score == 75 and by_code["O-CY-1"].overdue == 1
    assert by_code["O-JH-1"].score == 40 and by_code["O-JH-1"].reasons() == ["本年度未抽查"]  # never checked
    assert by_code["O-CY-2"].score == 25  # passed, but its district's 甲 fell
    reasons = by_code["O-CY-1"].reasons()
    assert reasons[:2] == ["最近抽查不达标（否决项 1 项）", "整改逾期 1 项"]
    assert reasons[2].startswith("满意度「维度甲」较上次调查下降") and reasons[3].startswith("满意度「维度甲」低于全市")


def test_without_a_survey_the_inspections_alone_decide(org, lists):
    inspection_submit(outlet=org.o_jh, kind="spot", inspector=org.sam, inspected_on=TODAY, results=results())
    survey, rows = selectors.priorities(org.jls, 2026, TODAY)
    assert survey is None and [(p.outlet.code, p.score) for p in rows] == [("O-CY-1", 40), ("O-JH-1", 0)]


def test_the_page_the_sheet_and_the_api(org, lists, surveys, third, as_, client):
    page = as_(org.alice).get(PAGE).content.decode()
    assert "抽查优先" in page and "本年度未抽查" in page and "较上次调查下降" in page
    assert "测试调查 S2026" in page  # the survey the signals come from, by its title
    assert 'href="/manage/inspections/new/?outlet=O-CY-1"' in page
    sheet = load_workbook(io.BytesIO(b"".join(as_(org.sam).get(PAGE, {"format": "xlsx"}).streaming_content))).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:3] == ["序号", "网点编码", "网点名称"] and [r[1] for r in rows[1:]] == ["O-CY-1", "O-JH-1", "O-CY-2"]

    token = token_issue(staff=org.alice, label="t")[0]
    got = client.get("/api/v1/inspections/priorities", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert got["survey"] == "S2026" and [o["outlet"] for o in got["outlets"]] == ["O-CY-1", "O-CY-2"]  # 船营 only
    assert got["outlets"][0]["signals"][0]["dimension"] == "A" and got["outlets"][0]["score"] == 65


def test_scoping_and_roles(org, lists, surveys, as_):
    charlie = as_(org.charlie)
    assert charlie.get(PAGE, {"unit": "CY"}).status_code == 404
    page = charlie.get(PAGE).content.decode()
    assert "黄松甸营业所" in page and "北京路营业所" not in page
    assert as_(org.bob).get(PAGE).status_code == 403
    assert as_(org.dora).get(PAGE).status_code == 200


def test_the_page_asks_the_same_queries_for_more_outlets(org, lists, surveys, as_, django_assert_max_num_queries):
    client = as_(org.sam)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE)
    for n in range(8):
        outlet_create(code=f"O-NEW-{n}", name=f"新网点{n}", unit=org.cy_bjl, grade="1", address="船营",
                      area_type=Outlet.AreaType.CITY, operation=Outlet.Operation.SELF, open_days_per_week=7,
                      services=["letters"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(PAGE).content.decode().count("新网点") == 8
