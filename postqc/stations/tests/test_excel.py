"""The station register in Excel: the template, an import (all or nothing, errors by row and column),
an update through the export, the monthly usage report."""
import io

from openpyxl import Workbook, load_workbook

from postqc.stations.excel import STATION_SHEET, stations_import
from postqc.stations.models import Station, StationStatusChange
from postqc.stations.services import station_set_status

HEADERS = [c.header for c in STATION_SHEET.columns]


def workbook(rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "邮驿站"
    ws.append(HEADERS)
    for row in rows:
        ws.append([row.get(h, "") for h in HEADERS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(**changes) -> dict:
    return {"站点编码": "YZ-X1", "站点名称": "北京路二号站", "所属单位编码": "", "依托网点编码": "O-CY-1", "地址": "",
            "纬度": 43.85, "经度": 126.55, "联系电话": "0432-62000001", **{d: "08:00-17:00" for d in
                                                                          ("周一", "周二", "周三", "周四", "周五")},
            "周六": "09:00-12:00,13:00-16:00", "周日": "休息", "服务设施": "热水、手机充电、其他", "其他设施说明": "针线包",
            "服务人群": "环卫工人、快递外卖骑手", "状态": "开放", "状态说明": "", **changes}


def test_importing_new_stations(org):
    report = stations_import(source=workbook([row(), row(**{"站点编码": "YZ-X2", "站点名称": "船营独立站", "依托网点编码": "",
                                                            "所属单位编码": "CY", "地址": "船营区某街 9 号",
                                                            "状态": "暂停开放", "状态说明": "装修"})]), actor=org.alice)
    assert report.errors == [] and report.written and report.created == 2
    x1 = Station.objects.get(code="YZ-X1")
    assert (x1.unit, x1.outlet, x1.address) == (org.cy_bjl, org.o_cy, "船营区北京路 1 号")
    assert x1.hours["6"] == [["09:00", "12:00"], ["13:00", "16:00"]] and "7" not in x1.hours
    assert x1.amenities == ["hot_water", "charging", "other"] and x1.amenity_note == "针线包"
    x2 = Station.objects.get(code="YZ-X2")
    assert (x2.status, x2.status_reason, x2.district) == ("suspended", "装修", org.cy)
    assert x2.status_changes.count() == 2


def test_every_bad_cell_is_named_and_nothing_is_written(org):
    report = stations_import(source=workbook([
        row(),
        row(**{"站点编码": "YZ-X1"}),  # the same code twice
        row(**{"站点编码": "YZ-X3", "周三": "17:00-08:00", "服务设施": "热水、按摩椅", "纬度": "北纬"}),
        row(**{"站点编码": "YZ-X4", "依托网点编码": "O-JH-1"}),  # another county's outlet
        row(**{"站点编码": "YZ-X5", "服务设施": "热水、其他", "其他设施说明": "", "状态": "暂停开放"}),
    ]), actor=org.alice)
    where = {(e.row, e.column) for e in report.errors}
    assert {(3, "站点编码"), (4, "周三"), (4, "服务设施"), (4, "纬度"), (5, "依托网点编码"), (6, "其他设施说明"),
            (6, "状态说明")} <= where
    assert all(e.row != 2 for e in report.errors)  # the good row is not blamed
    assert not report.written and not Station.objects.exists() and not StationStatusChange.objects.exists()


def test_not_a_workbook_is_one_error(org):
    report = stations_import(source=b"not excel", actor=org.alice)
    assert len(report.errors) == 1 and not report.written


def test_the_export_reimports_as_an_update(org, stations, as_):
    client = as_(org.alice)
    response = client.get("/manage/stations/", {"format": "xlsx"})
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:3] == ["站点编码*", "站点名称*", "所属单位编码"] and [r[0] for r in rows[1:]] == ["YZ-CY-1"]  # alice's only
    sheet.cell(row=2, column=2, value="北京路爱心驿站")
    sheet.cell(row=2, column=HEADERS.index("周日") + 1, value="10:00-14:00")
    out = io.BytesIO()
    sheet.parent.save(out)
    report = stations_import(source=out.getvalue(), actor=org.alice)
    assert report.errors == [] and report.updated == 1 and report.created == 0
    st = Station.objects.get(code="YZ-CY-1")
    assert st.name == "北京路爱心驿站" and st.hours["7"] == [["10:00", "14:00"]] and st.hours["1"] == [["08:00", "17:30"]]
    # charlie cannot update 船营's station by importing the same file
    report = stations_import(source=out.getvalue(), actor=org.charlie)
    assert [(e.row, e.column) for e in report.errors] == [(2, "站点编码")]
    # nor can anyone once it is closed
    station_set_status(station=st, status="closed", reason="撤并", actor=org.alice)
    report = stations_import(source=out.getvalue(), actor=org.alice)
    assert [(e.row, e.column) for e in report.errors] == [(2, "站点编码")] and "已撤销" in report.errors[0].message
    assert client.get(f"/manage/stations/{st.code}/edit/").status_code == 302


def test_the_template_downloads_with_its_notes(org, as_):
    response = as_(org.alice).get("/manage/stations/template/")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[0] == "邮驿站" and "说明" in book.sheetnames
    assert [c.value for c in book["邮驿站"][1]][:2] == ["站点编码*", "站点名称*"]
