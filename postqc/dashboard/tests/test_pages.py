"""The cockpit page, its Excel download and the targets page, as a person uses them."""
import io

from django.urls import reverse
from openpyxl import load_workbook

from postqc.dashboard.models import Target
from postqc.org.models import Unit
from postqc.org.services import unit_create

HOME = reverse("dashboard:home")
TARGETS = reverse("dashboard:targets")


def test_a_leader_sees_every_kpi_against_its_target_and_drills_down(city, as_):
    org = city.org
    page = as_(org.dora).get(HOME).content.decode()
    for text in ("驾驶舱", "满意度指数", "学习参与率", "练习正确率", "竞赛参与率", "目标 80.00", "调查规划目标",
                 "样本不足", "全市知识竞赛", "船营区分公司", "蛟河市分公司", "组织概况"):
        assert text in page, text
    county = as_(org.dora).get(HOME, {"unit": "JH"}).content.decode()
    assert "黄松甸支局" in county and "← 吉林市分公司" in county and "组织概况" not in county


def test_a_county_sees_its_own_cockpit_and_never_another_countys(city, as_):
    org = city.org
    assert as_(org.charlie).get(HOME).status_code == 200
    assert as_(org.charlie).get(HOME, {"unit": "CY"}).status_code == 404
    assert as_(org.charlie).get(HOME, {"unit": "JLS"}).status_code == 404
    assert as_(org.bob).get(HOME).status_code == 403  # a clerk has no management pages


def test_the_page_asks_the_same_number_of_queries_however_many_children(city, as_, django_assert_max_num_queries):
    org = city.org
    client = as_(org.dora)
    client.get(HOME)  # warm the per-process memos
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(HOME).status_code == 200
    for n in range(12):
        unit_create(code=f"NEW-{n}", name=f"新区{n}", kind=Unit.Kind.DISTRICT, parent=org.jls)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(HOME).content.decode().count("新区") == 12 + 12  # each name in the table and the picker


def test_the_excel_download_holds_the_unit_and_each_child(city, as_):
    org = city.org
    response = as_(org.dora).get(HOME, {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert header[:2] == ["单位", "单位编码"] and "满意度指数" in header and "学习参与率·目标" in header
    assert [r[1] for r in rows[1:]] == ["JLS", "CY", "JH"]
    participation = header.index("学习参与率")
    assert round(rows[1][participation], 2) == round(200 / 9, 2)
    assert rows[3][header.index("满意度指数·状态")] == "样本不足"
    assert as_(org.hank).get(HOME, {"format": "xlsx"}).status_code == 200  # branch heads may export


def test_setting_targets_on_the_page(city, as_):
    org = city.org
    client = as_(org.charlie)
    form = client.get(TARGETS).content.decode()
    assert "蛟河市分公司" in form and 'name="kpi-learning.participation"' in form
    bad = client.post(TARGETS, {"unit": "JH", "year": "2026", "kpi-learning.participation": "150",
                                "kpi-learning.accuracy": "85"})
    assert bad.status_code == 200 and "学习参与率 的目标应在 0–100 之间" in bad.content.decode()
    assert 'value="150"' in bad.content.decode()  # what the person typed is kept
    assert not Target.objects.exists()
    good = client.post(TARGETS, {"unit": "JH", "year": "2026", "kpi-learning.participation": "45",
                                 "kpi-learning.accuracy": "", "note": "县分公司自加压力"})
    assert good.status_code == 302 and good["Location"] == f"{TARGETS}?unit=JH&year=2026"
    page = client.get(good["Location"]).content.decode()
    assert "县分公司自加压力" in page and "45.00" in page
    assert as_(org.charlie).post(TARGETS, {"unit": "CY", "year": "2026",
                                           "kpi-learning.participation": "45"}).status_code == 404
    assert as_(org.hank).get(TARGETS).status_code == 403
    assert list(Target.objects.values_list("unit__code", "kpi", "value")) == [("JH", "learning.participation", 45)]
