"""The 邮驿站 pages as people use them: managers at a desk, clerks at the station on a phone."""
import datetime as dt
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from postqc.stations.models import Station, Visit
from postqc.stations.services import amenity_check, station_create, visit_log

from .conftest import TODAY, station_data

LIST = reverse("stations:station_list")
REPORT = reverse("stations:report")


def test_the_list_asks_the_same_number_of_queries_for_more_stations(org, stations, as_, django_assert_max_num_queries):
    client = as_(org.sam)
    visit_log(station=stations["cy"], actor=org.bob, group="rider", count=4)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(12):
        st = station_create(actor=org.alice, **station_data(code=f"YZ-MORE-{n}", name=f"新站{n}", unit=org.cy_bjl))
        visit_log(station=st, actor=org.bob, group="sanitation", count=2)
        amenity_check(station=st, amenity="hot_water", state="out_of_stock", note="桶装水用完", actor=org.bob)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(LIST).content.decode()
    assert page.count("新站") == 12 and page.count("热水缺货") == 12


def test_the_list_filters_and_scopes(org, stations, as_):
    amenity_check(station=stations["jh"], amenity="toilet", state="out_of_order", note="堵了", actor=org.erin)
    visit_log(station=stations["cy"], actor=org.bob, group="rider", count=4)
    visit_log(station=stations["cy"], actor=org.bob, group="rider", count=3, visited_on=TODAY - dt.timedelta(days=30))
    sam = as_(org.sam).get(LIST).content.decode()
    assert "北京路邮驿站" in sam and "黄松甸邮驿站" in sam and "卫生间故障" in sam
    assert ">4</td>" in sam  # served in the last 30 days (the visit 30 days ago is out)
    issues = as_(org.sam).get(LIST, {"issues": "1"}).content.decode()
    assert "黄松甸邮驿站" in issues and "北京路邮驿站" not in issues
    assert "北京路邮驿站" in as_(org.sam).get(LIST, {"amenity": "microwave"}).content.decode()
    assert "北京路邮驿站" not in as_(org.sam).get(LIST, {"amenity": "toilet"}).content.decode()
    assert "黄松甸邮驿站" not in as_(org.alice).get(LIST).content.decode()  # 船营 does not see 蛟河
    assert as_(org.alice).get(reverse("stations:station_detail", args=["YZ-JH-1"])).status_code == 404
    assert as_(org.bob).get(LIST).status_code == 403  # clerks have no manager pages


def test_creating_a_station_on_the_page(org, as_):
    client = as_(org.alice)
    form = client.get(reverse("stations:station_new"), {"outlet": "O-CY-1"}).content.decode()
    assert 'value="YZ-O-CY-1"' in form and "北京路营业所邮驿站" in form
    data = {"code": "YZ-P1", "name": "北京路站", "outlet": "O-CY-1", "unit": "", "address": "", "latitude": "43.84",
            "longitude": "126.54", "phone": "", "amenity_note": "", "amenities": ["hot_water", "seating"],
            "groups": ["sanitation"], **{f"hours_{d}": "08:00-17:00" for d in range(1, 6)}, "hours_6": "半天",
            "hours_7": "休息"}
    bad = client.post(reverse("stations:station_new"), data)
    text = bad.content.decode()
    assert bad.status_code == 200 and "周六" in text and "不是有效的时间段" in text and not Station.objects.exists()
    assert 'value="北京路站"' in text  # what was typed is kept
    good = client.post(reverse("stations:station_new"), {**data, "hours_6": "09:00-12:00"})
    assert good.status_code == 302 and good["Location"] == reverse("stations:station_detail", args=["YZ-P1"])
    st = Station.objects.get()
    assert st.hours["6"] == [["09:00", "12:00"]] and st.unit == org.cy_bjl
    assert as_(org.charlie).post(reverse("stations:station_new"), {**data, "code": "YZ-P2"}).status_code == 200
    assert Station.objects.count() == 1  # charlie may not use 船营's outlet: an error on the form


def test_a_station_detail_shows_usage_and_changes_status(org, stations, as_):
    visit_log(station=stations["cy"], actor=org.bob, group="sanitation", count=5, note="帮忙扫雪")
    visit_log(station=stations["cy"], actor=org.bob, group="rider", count=2, visited_on=TODAY - dt.timedelta(days=27))
    client = as_(org.alice)
    url = reverse("stations:station_detail", args=["YZ-CY-1"])
    page = client.get(url).content.decode()
    assert "帮忙扫雪" in page and "鲍勃" in page and "2025-12" in page and "2026-11" in page
    assert client.post(reverse("stations:station_status", args=["YZ-CY-1"]), {"status": "suspended", "reason": ""}).status_code == 302
    assert Station.objects.get(code="YZ-CY-1").status == "open"  # no reason: refused
    client.post(reverse("stations:station_status", args=["YZ-CY-1"]), {"status": "suspended", "reason": "停暖检修"})
    page = client.get(url).content.decode()
    assert "停暖检修" in page and Station.objects.get(code="YZ-CY-1").status == "suspended"
    assert as_(org.dora).post(reverse("stations:station_status", args=["YZ-CY-1"]),
                              {"status": "open"}).status_code == 403


def test_the_monthly_report_by_unit_station_and_group(org, stations, as_):
    visit_log(station=stations["cy"], actor=org.bob, group="sanitation", count=5)
    visit_log(station=stations["cy"], actor=org.bob, group="sanitation", count=2, visited_on=TODAY - dt.timedelta(days=1))
    visit_log(station=stations["cy"], actor=org.bob, group="rider", count=3)
    visit_log(station=stations["jh"], actor=org.erin, group="elderly", count=4)
    visit_log(station=stations["jh"], actor=org.erin, group="elderly", count=9, visited_on=dt.date(2026, 10, 31))
    client = as_(org.dora)
    page = client.get(REPORT, {"month": "2026-11"})
    report = page.context["report"]
    assert report.total.people == 14 and report.total.by_group == {"sanitation": 7, "rider": 3, "elderly": 4}
    assert {child.code: u.people for child, u in report.children} == {"CY": 10, "JH": 4}
    assert {s.code: u.people for s, u in report.stations} == {"YZ-CY-1": 10, "YZ-JH-1": 4}
    assert client.get(REPORT, {"month": "2026-10"}).context["report"].total.people == 9
    sheet = load_workbook(io.BytesIO(b"".join(client.get(REPORT, {"month": "2026-11", "format": "xlsx"})
                                             .streaming_content))).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:5] == ["所属单位", "站点编码", "站点名称", "状态", "环卫工人"]
    assert rows[1][1] == "YZ-CY-1" and rows[1][4] == 7 and rows[-1][2] == "合计" and rows[-1][-2] == 14
    assert as_(org.alice).get(REPORT, {"unit": "JH"}).status_code == 404


def test_a_clerk_logs_visits_on_the_phone(org, stations, as_):
    client = as_(org.bob)
    home = client.get(reverse("stations_staff:list"))
    assert home.status_code == 302 and home["Location"] == reverse("stations_staff:log", args=["YZ-CY-1"])  # one station
    url = reverse("stations_staff:log", args=["YZ-CY-1"])
    page = client.get(url).content.decode()
    assert 'value="2026-11-25"' in page and "环卫工人" in page and "微波炉" in page and "黄松甸" not in page
    bad = client.post(url, {"count": "2", "visited_on": "2026-11-25"})
    assert bad.status_code == 200 and "请选择服务人群" in bad.content.decode() and not Visit.objects.exists()
    done = client.post(url, {"group": "sanitation", "count": "3", "count_other": "", "services": ["hot_water"],
                             "visited_on": "2026-11-25", "note": "扫雪"})
    assert done.status_code == 302
    client.post(url, {"group": "rider", "count": "1", "count_other": "12", "visited_on": "2026-11-25"})
    assert sorted(Visit.objects.values_list("group", "count")) == [("rider", 12), ("sanitation", 3)]
    assert "已登记 <b>15</b> 人次" in client.get(url).content.decode()
    assert as_(org.erin).get(url).status_code == 404
    assert as_(org.dora).get(url).status_code == 403


def test_staff_report_a_broken_amenity_from_the_phone(org, stations, as_):
    client = as_(org.bob)
    client.post(reverse("stations_staff:check", args=["YZ-CY-1"]), {"amenity": "charging", "state": "out_of_stock",
                                                                    "note": "充电线丢了"})
    assert Station.objects.get(code="YZ-CY-1").amenity_issues["charging"]["state"] == "out_of_stock"
    assert "手机充电缺货" in client.get(reverse("stations_staff:log", args=["YZ-CY-1"])).content.decode()


def test_the_report_and_the_staff_list_ask_the_same_queries_for_more_stations(org, stations, as_,
                                                                               django_assert_max_num_queries):
    manager = as_(org.sam)
    visit_log(station=stations["cy"], actor=org.bob, group="rider", count=1)
    manager.get(REPORT)
    with CaptureQueriesContext(connection) as few:
        manager.get(REPORT)
    for n in range(8):
        st = station_create(actor=org.alice, **station_data(code=f"YZ-R-{n}", name=f"报表站{n}", unit=org.cy_bjl))
        for group in ("rider", "sanitation", "elderly"):
            visit_log(station=st, actor=org.bob, group=group, count=n + 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = manager.get(REPORT).content.decode()
    assert page.count("报表站") == 8
    clerk = as_(org.hank)
    with CaptureQueriesContext(connection) as listed:
        text = clerk.get(reverse("stations_staff:list")).content.decode()
    assert text.count("报表站") == 8 and "今天 3 人次" in text
    station_create(actor=org.alice, **station_data(code="YZ-R-X", name="报表站X", unit=org.cy_bjl))
    with django_assert_max_num_queries(len(listed.captured_queries)):
        assert clerk.get(reverse("stations_staff:list")).content.decode().count("报表站") == 9


def test_the_staff_home_offers_the_log_only_where_there_is_a_station(org, as_):
    assert "邮驿站台账" not in as_(org.bob).get(reverse("staff:home")).content.decode()
    station_create(actor=org.alice, **station_data(outlet=org.o_cy))  # at 北京路营业所 (船营)
    assert "邮驿站台账" in as_(org.bob).get(reverse("staff:home")).content.decode()
    assert "邮驿站台账" not in as_(org.erin).get(reverse("staff:home")).content.decode()  # 蛟河 has none
