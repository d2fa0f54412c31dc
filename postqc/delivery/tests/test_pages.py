"""The manager pages: overview with drill-down, segments (filters, export, import), a segment's runs,
the rules page; scoping across two counties; query counts that do not grow with the rows."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from postqc.core.excel import write_workbook
from postqc.delivery.models import FrequencyRule, HandoverPoint, Segment
from postqc.delivery.segment_io import SEGMENT_SHEET

from .conftest import TODAY, days, make_segment, run

pytestmark = pytest.mark.django_db
NOV = {"period": "month", "on": "2026-11-10"}


def test_the_overview_rolls_up_by_child_and_lists_failing_segments(org, segs, as_):
    for day in days(dt.date(2026, 10, 26), dt.date(2026, 11, 22)):
        run(segs["cy1"], day)
    run(segs["cy2"], dt.date(2026, 11, 3), point=HandoverPoint.AGENT)
    page = as_(org.alice).get("/manage/delivery/", {"unit": "CY", **NOV})
    assert page.status_code == 200
    html = page.content.decode()
    assert "北京路支局" in html and "频次达标率（4 / 8 段道周）" in html
    assert "S-CY-2" in html and "S-CY-1" not in html  # only the failing ones until ?all=1
    assert "S-CY-1" in as_(org.alice).get("/manage/delivery/", {"unit": "CY", "all": "1", **NOV}).content.decode()
    sheet = as_(org.alice).get("/manage/delivery/", {"unit": "CY", "format": "xlsx", **NOV})
    rows = list(load_workbook(io.BytesIO(b"".join(sheet.streaming_content))).active.values)
    assert rows[0][0] == "段道编码" and {r[0] for r in rows[1:]} == {"S-CY-1", "S-CY-2"}
    detail = as_(org.alice).get("/manage/delivery/segments/S-CY-2/", NOV).content.decode()
    assert "代投点（商户代收）" in detail and "不合规交接 1 趟" in detail


def test_charlie_in_another_county_sees_none_of_it(org, segs, as_):
    charlie = as_(org.charlie)
    assert charlie.get("/manage/delivery/", {"unit": "CY"}).status_code == 404
    assert charlie.get("/manage/delivery/segments/S-CY-1/").status_code == 404
    listed = charlie.get("/manage/delivery/segments/").content.decode()
    assert "S-JH-1" in listed and "S-CY-1" not in listed
    overview = charlie.get("/manage/delivery/", {"all": "1", **NOV}).content.decode()
    assert "S-JH-1" in overview and "S-CY-1" not in overview
    assert charlie.get("/manage/delivery/rules/", {"unit": "CY"}).status_code == 404
    assert as_(org.dave).get("/manage/delivery/").status_code == 403  # couriers have no manager pages


def test_the_segment_list_filters_and_asks_the_same_queries_for_more_rows(org, segs, as_):
    client = as_(org.sam)
    assert "S-JH-1" not in client.get("/manage/delivery/segments/", {"area": "city"}).content.decode()
    assert "S-CY-2" in client.get("/manage/delivery/segments/", {"q": "CY-2"}).content.decode()
    with CaptureQueriesContext(connection) as few:
        client.get("/manage/delivery/segments/")
    for n in range(25):
        make_segment(f"S-MORE-{n}", org.cy_td, "city", org.dave, HandoverPoint.MAILBOX)
    with CaptureQueriesContext(connection) as many:
        assert "S-MORE-1" in client.get("/manage/delivery/segments/").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_overview_asks_the_same_queries_for_more_segments(org, segs, as_):
    client = as_(org.sam)
    with CaptureQueriesContext(connection) as few:
        client.get("/manage/delivery/", {"all": "1", **NOV})
    for n in range(25):
        s = make_segment(f"S-MORE-{n}", org.jh_hsd, "township", org.carl, HandoverPoint.TOWNSHIP_POINT)
        run(s, dt.date(2026, 11, 3))
    with CaptureQueriesContext(connection) as many:
        client.get("/manage/delivery/", {"all": "1", **NOV})
    assert len(many.captured_queries) == len(few.captured_queries)


def _workbook(rows) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, [(SEGMENT_SHEET, rows)])
    return buffer.getvalue()


ROW = {"code": "S-NEW-1", "name": "新段", "unit": "CY-BJL-TD", "area_type": "city", "courier": "D001",
       "handover_point": "mailbox", "planned_per_week": 14, "households": 1200, "in_service_from": dt.date(2026, 11, 1)}


def test_importing_segments_all_or_nothing_and_exporting_them(org, segs, as_):
    client = as_(org.alice)
    bad = _workbook([ROW, {**ROW, "code": "S-NEW-2", "unit": "JH-HSD", "courier": "B001", "planned_per_week": 0},
                     {**ROW, "code": "S-JH-1"}, {**ROW, "code": "S-NEW-3", "unit": "CY"}])
    page = client.post("/manage/delivery/segments/", {"file": SimpleUploadedFile("s.xlsx", bad)})
    html = page.content.decode()
    assert "不在您的管辖范围内" in html and "每周计划投递次数" in html and "管辖范围以外" in html
    assert "段道只能属于投递部或支局" in html
    assert not Segment.objects.filter(code__startswith="S-NEW").exists()
    good = _workbook([ROW, {**ROW, "code": "S-CY-2", "name": "改名", "handover_point": "door"}])
    client.post("/manage/delivery/segments/", {"file": SimpleUploadedFile("s.xlsx", good)})
    made = Segment.objects.get(code="S-NEW-1")
    assert (made.unit, made.courier, made.planned_per_week, made.area_type) == (org.cy_td, org.dave, 14, "city")
    assert Segment.objects.get(code="S-CY-2").name == "改名"
    export = client.get("/manage/delivery/segments/", {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.values)
    assert rows[0][0] == "段道编码*" and {r[0] for r in rows[1:]} == {"S-CY-1", "S-CY-2", "S-NEW-1"}
    again = client.post("/manage/delivery/segments/", {"file": SimpleUploadedFile(
        "s.xlsx", b"".join(client.get("/manage/delivery/segments/", {"format": "xlsx"}).streaming_content))})
    assert "新增 0，更新 0，未变化 3" in again.content.decode()  # an export re-imports unchanged
    template = client.get("/manage/delivery/segments/template/")
    assert template.status_code == 200
    assert as_(org.hank).post("/manage/delivery/segments/", {"file": SimpleUploadedFile("s.xlsx", good)}
                              ).status_code == 403


def test_the_rules_page_shows_the_rules_in_force_and_adds_a_row(org, as_):
    client = as_(org.alice)
    page = client.get("/manage/delivery/rules/", {"unit": "CY"}).content.decode()
    assert "平台默认" in page and "D+1" in page
    bad = client.post("/manage/delivery/rules/?unit=CY", {"kind": "frequency", "area_type": "city",
                                                          "days_per_week": "9", "runs_per_week": "9",
                                                          "effective_from": "2026-01-01", "note": ""})
    html = bad.content.decode()
    assert 'data-field="days_per_week"' in html and 'data-field="effective_from"' in html and 'data-field="note"' in html
    assert FrequencyRule.objects.count() == 3
    ok = client.post("/manage/delivery/rules/?unit=CY", {"kind": "frequency", "area_type": "city", "days_per_week": "6",
                                                         "runs_per_week": "12", "effective_from": f"{TODAY:%Y-%m-%d}",
                                                         "note": "区公司：城区每周6天每天2次"})
    assert ok.status_code == 302
    rule = FrequencyRule.objects.get(unit=org.cy)
    assert (rule.days_per_week, rule.runs_per_week, rule.set_by) == (6, 12, org.alice)
    assert "城区每周6天每天2次" in client.get("/manage/delivery/rules/", {"unit": "CY"}).content.decode()
    depth = client.post("/manage/delivery/rules/?unit=CY", {"kind": "depth", "area_type": "village",
                                                            "accepted": ["door", "village_point"], "tracked_to_door": "1",
                                                            "effective_from": f"{TODAY:%Y-%m-%d}", "note": "省要求"})
    assert depth.status_code == 302
    assert as_(org.hank).post("/manage/delivery/rules/", {"kind": "frequency"}).status_code == 403
    assert as_(org.hank).get("/manage/delivery/rules/").status_code == 200  # branch heads read them


def test_a_manager_corrects_a_run_on_the_segment_page(org, segs, as_):
    from postqc.delivery.models import DeliveryRecord

    run(segs["cy1"], dt.date(2026, 11, 3), ordinary=50, tracked=0, delivered=50, on_time=5)
    client = as_(org.alice)
    url = "/manage/delivery/segments/S-CY-1/2026-11-03/1/correct/"
    assert url in client.get("/manage/delivery/segments/S-CY-1/", NOV).content.decode()
    bad = client.post(url, {"ordinary": "50", "tracked": "0", "delivered": "50", "on_time": "50",
                            "handover_point": "mailbox", "reason": ""})
    assert 'data-field="reason"' in bad.content.decode() and DeliveryRecord.objects.count() == 1
    done = client.post(url, {"ordinary": "50", "tracked": "0", "delivered": "50", "on_time": "50",
                             "handover_point": "mailbox", "reason": "扫描系统重传"})
    assert done.status_code == 302 and DeliveryRecord.objects.count() == 2
    assert DeliveryRecord.current.get().on_time == 50
    assert as_(org.charlie).get(url).status_code == 404
    assert as_(org.hank).get(url).status_code == 403  # a branch head reads but corrects only recent runs he may log


@pytest.mark.parametrize("on", ["0001-01-01", "9999-12-31", "2026-02-30", "x"])
def test_a_day_out_of_any_period_we_report_falls_back_to_the_default_period(org, segs, as_, client, on):
    # 0001-01-01 / 9999-12-31 could not be turned into aware datetimes: a 500 before core.downloads.day_param.
    page = as_(org.alice).get("/manage/delivery/", {"unit": "CY", "period": "week", "on": on})
    assert page.status_code == 200
    default = as_(org.alice).get("/manage/delivery/", {"unit": "CY", "period": "week"})
    assert page.context["period"] == default.context["period"]
