"""The single-segment form (/manage/delivery/segments/new/, …/<code>/edit/) and 停用 / 恢复在用: the import's
checks (services.segment_resolve + segment_check), errors beside their fields, nothing written on error,
scoping across two counties, who may edit."""
import datetime as dt
import io

import pytest

from postqc.core.excel import write_workbook
from postqc.delivery.models import Segment
from postqc.delivery.segment_io import SEGMENT_SHEET, segments_import
from postqc.org.models import Vehicle

pytestmark = pytest.mark.django_db


@pytest.fixture
def vehicles(org):
    return {"cy": Vehicle.objects.create(plate_no="吉B-CY001", ownership="subsidised", vehicle_type="e_tricycle",
                                         unit=org.cy_td, courier=org.dave),
            "jh": Vehicle.objects.create(plate_no="吉B-JH001", ownership="company", vehicle_type="van", unit=org.jh_hsd)}


def good(org, **change):
    data = {"code": "S-CY-9", "name": "江城段", "unit": org.cy_td.code, "area_type": "city",
            "courier": org.dave.employee_no, "vehicle": "吉B-CY001", "handover_point": "mailbox",
            "planned_per_week": "14", "households": "800", "in_service_from": "2026-11-01", "is_active": "1"}
    return {**data, **change}


def test_a_manager_creates_a_segment_from_the_form(org, vehicles, as_):
    client = as_(org.alice)
    listed = client.get("/manage/delivery/segments/").content.decode()
    assert 'href="/manage/delivery/segments/new/"' in listed
    assert client.get("/manage/delivery/segments/new/").status_code == 200
    posted = client.post("/manage/delivery/segments/new/", good(org))
    assert posted.status_code == 302 and posted["Location"] == "/manage/delivery/segments/S-CY-9/"
    s = Segment.objects.select_related("unit", "courier", "vehicle").get(code="S-CY-9")
    assert (s.name, s.unit, s.area_type, s.courier, s.vehicle, s.handover_point, s.planned_per_week, s.households,
            s.in_service_from, s.is_active) == ("江城段", org.cy_td, "city", org.dave, vehicles["cy"], "mailbox", 14, 800,
                                                dt.date(2026, 11, 1), True)


def test_a_manager_edits_a_segment_its_code_stays_and_updated_at_moves(org, segs, vehicles, as_, frozen):
    client = as_(org.alice)
    assert 'href="/manage/delivery/segments/S-CY-1/edit/"' in client.get("/manage/delivery/segments/").content.decode()
    page = client.get("/manage/delivery/segments/S-CY-1/edit/").content.decode()
    assert 'value="S-CY-1 段"' in page and 'value="D001"' in page  # the form opens with the segment's values
    before = Segment.objects.get(code="S-CY-1").updated_at
    frozen.shift(dt.timedelta(hours=1))
    posted = client.post("/manage/delivery/segments/S-CY-1/edit/",
                         good(org, code="ANOTHER", name="北京路一段（调整）", area_type="township", courier=""))
    assert posted.status_code == 302
    s = Segment.objects.get(pk=segs["cy1"].pk)
    assert (s.code, s.name, s.area_type, s.courier, s.vehicle, s.planned_per_week) == (
        "S-CY-1", "北京路一段（调整）", "township", None, vehicles["cy"], 14)
    assert s.updated_at > before and not Segment.objects.filter(code="ANOTHER").exists()


BAD = [
    ("code", {"code": ""}, "请填写段道编码"),
    ("code", {"code": "S-CY-1"}, "段道编码 S-CY-1 已存在"),
    ("code", {"code": "X" * 33}, "段道编码不超过 32 个字符"),
    ("name", {"name": "  "}, "请填写段道名称"),
    ("unit", {"unit": ""}, "请选择所属单位"),
    ("unit", {"unit": "CY"}, "段道只能属于投递部或支局"),
    ("unit", {"unit": "JH-HSD"}, "单位 JH-HSD 不存在或不在您的管辖范围内"),
    ("area_type", {"area_type": "town"}, "区域类型应为城市、乡镇或农村"),
    ("courier", {"courier": "B001"}, "不是投递员"),
    ("courier", {"courier": "C002"}, "投递员须是本单位及下级单位的员工"),
    ("courier", {"courier": "X999"}, "没有工号为 X999 的员工"),
    ("vehicle", {"vehicle": "吉B-JH001"}, "车辆须属于本单位及下级单位"),
    ("vehicle", {"vehicle": "NOPE-1"}, "没有编号为 NOPE-1 的车辆"),
    ("handover_point", {"handover_point": ""}, "请选择交接方式"),
    ("planned_per_week", {"planned_per_week": "0"}, "每周计划投递次数应为 1–42 的整数"),
    ("planned_per_week", {"planned_per_week": "abc"}, "每周计划投递次数应为 1–42 的整数"),
    ("households", {"households": "-1"}, "服务户数/投递点数应为 0–1000000 的整数"),
    ("in_service_from", {"in_service_from": "2026-13-01"}, "请填写启用日期"),
]


@pytest.mark.parametrize("field,change,message", BAD, ids=[f"{f}-{i}" for i, (f, _c, _m) in enumerate(BAD)])
def test_every_field_error_is_named_beside_its_field_and_nothing_is_written(org, segs, vehicles, as_, field, change,
                                                                           message):
    before = list(Segment.objects.order_by("pk").values())
    data = good(org, name="保留我输入的名称", **change) if field != "name" else good(org, **change)
    page = as_(org.alice).post("/manage/delivery/segments/new/", data)
    html = page.content.decode()
    assert page.status_code == 200 and "请修改标出的项目" in html
    assert f'<small class="error-text" data-field="{field}">' in html and message in html
    assert list(Segment.objects.order_by("pk").values()) == before  # nothing written
    if field != "name":
        assert 'value="保留我输入的名称"' in html  # what was typed is kept
    if field in ("courier", "vehicle", "planned_per_week"):
        assert f'value="{change[field]}"' in html


def test_all_the_errors_show_at_once(org, segs, vehicles, as_):
    html = as_(org.alice).post("/manage/delivery/segments/new/",
                               good(org, courier="X999", planned_per_week="50", name="")).content.decode()
    assert "没有工号为 X999 的员工" in html and "每周计划投递次数应为 1–42 的整数" in html and "请填写段道名称" in html
    assert not Segment.objects.filter(code="S-CY-9").exists()


def test_the_form_and_the_import_give_the_same_errors(org, segs, vehicles):
    buffer = io.BytesIO()
    write_workbook(buffer, [(SEGMENT_SHEET, [{**good(org, courier="X999", vehicle="NOPE-1", unit="JH-HSD"),
                                              "planned_per_week": 14, "households": 800,
                                              "in_service_from": dt.date(2026, 11, 1)}])])
    report = segments_import(buffer.getvalue(), actor=org.alice)
    reasons = {e.column: e.message for e in report.errors}
    assert reasons["所属单位编码"] == "单位 JH-HSD 不存在或不在您的管辖范围内"
    assert reasons["投递员工号"] == "没有工号为 X999 的员工" and reasons["车辆编号"] == "没有编号为 NOPE-1 的车辆"


def test_a_segment_goes_out_of_use_and_back_nothing_deleted(org, segs, as_):
    client = as_(org.alice)
    detail = client.get("/manage/delivery/segments/S-CY-1/").content.decode()
    assert 'action="/manage/delivery/segments/S-CY-1/active/"' in detail and "修改段道" in detail
    assert client.post("/manage/delivery/segments/S-CY-1/active/", {"active": "0"}).status_code == 302
    assert Segment.objects.get(code="S-CY-1").is_active is False
    listed = client.get("/manage/delivery/segments/").content.decode()
    assert 'href="/manage/delivery/segments/S-CY-1/"' not in listed  # the list shows those in use by default
    assert 'href="/manage/delivery/segments/S-CY-1/"' in client.get("/manage/delivery/segments/",
                                                                     {"active": "0"}).content.decode()
    assert "恢复在用" in client.get("/manage/delivery/segments/S-CY-1/").content.decode()
    client.post("/manage/delivery/segments/S-CY-1/active/", {"active": "1"})
    assert Segment.objects.get(code="S-CY-1").is_active is True and Segment.objects.count() == 3


def test_another_countys_segment_answers_404(org, segs, vehicles, as_):
    charlie = as_(org.charlie)
    assert charlie.get("/manage/delivery/segments/S-CY-1/edit/").status_code == 404
    assert charlie.post("/manage/delivery/segments/S-CY-1/edit/", good(org, name="改")).status_code == 404
    assert charlie.post("/manage/delivery/segments/S-CY-1/active/", {"active": "0"}).status_code == 404
    assert Segment.objects.get(code="S-CY-1").is_active and Segment.objects.get(code="S-CY-1").name == "S-CY-1 段"
    # his own county works, and its unit list offers only his subtree's delivery units and branches
    form = charlie.get("/manage/delivery/segments/new/").content.decode()
    assert 'value="JH-HSD"' in form and 'value="CY-BJL-TD"' not in form
    page = charlie.post("/manage/delivery/segments/new/", good(org, unit="CY-BJL-TD", courier="", vehicle=""))
    assert "不在您的管辖范围内" in page.content.decode() and not Segment.objects.filter(code="S-CY-9").exists()
    posted = charlie.post("/manage/delivery/segments/S-JH-1/edit/",
                          good(org, unit="JH-HSD", area_type="village", courier="C002", vehicle="吉B-JH001",
                               handover_point="village_point", planned_per_week="3"))
    assert posted.status_code == 302 and Segment.objects.get(code="S-JH-1").vehicle == vehicles["jh"]


def test_a_branch_head_reads_but_cannot_edit(org, segs, as_):
    hank = as_(org.hank)
    listed = hank.get("/manage/delivery/segments/")
    assert listed.status_code == 200 and "S-CY-1" in listed.content.decode()
    assert "/edit/" not in listed.content.decode() and "新建段道" not in listed.content.decode()
    detail = hank.get("/manage/delivery/segments/S-CY-1/").content.decode()
    assert "/active/" not in detail and "修改段道" not in detail
    assert hank.get("/manage/delivery/segments/new/").status_code == 403
    assert hank.get("/manage/delivery/segments/S-CY-1/edit/").status_code == 403
    assert hank.post("/manage/delivery/segments/new/", good(org)).status_code == 403
    assert hank.post("/manage/delivery/segments/S-CY-1/edit/", good(org, name="改")).status_code == 403
    assert hank.post("/manage/delivery/segments/S-CY-1/active/", {"active": "0"}).status_code == 403
    assert Segment.objects.get(code="S-CY-1").name == "S-CY-1 段" and Segment.objects.count() == 3
