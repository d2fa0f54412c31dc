"""The 车辆 sheet of the org workbook: vehicles in and out of Excel with the rules of the vehicle
form — a 自备公助 vehicle names its courier, who is an active 投递员 at or under the vehicle's unit
once the file's 员工 rows are in — errors by row and column, nothing written, the importer's subtree."""
import datetime as dt
import io

from postqc.org.exporters import org_export
from postqc.org.importers import org_import
from postqc.org.models import Vehicle
from postqc.org.services import vehicle_create

from .xlsx import org_workbook, read_sheets


def car(plate="吉B·T0001", ownership="自备公助", kind="电动三轮车", unit="CY-BJL-TD", courier="D001", **extra):
    return {"车牌/编号": plate, "产权": ownership, "车型": kind, "所属单位编码": unit, "使用投递员工号": courier, **extra}


def errors(report):
    return sorted((e.sheet, e.row, e.column, e.message) for e in report.errors)


def test_vehicles_come_in_with_their_courier_unit_and_date(org):
    report = org_import(org_workbook(车辆=[car(plate="吉b·t0001", 配备日期="2025-03-01"),
                                           car(plate="JLS-VAN-01", ownership="公司车辆", kind="厢式货车", unit="CY",
                                               courier="", 状态="停用")]), actor=org.alice)
    assert report.ok and report.written, report.errors
    van, tricycle = Vehicle.objects.order_by("plate_no")
    assert (van.plate_no, van.courier, van.unit, van.is_active) == ("JLS-VAN-01", None, org.cy, False)
    assert (tricycle.plate_no, tricycle.courier, tricycle.unit, tricycle.acquired_on) == (
        "吉B·T0001", org.dave, org.cy_td, dt.date(2025, 3, 1))  # capitals, as the form keeps them


def test_bad_vehicle_rows_are_named_by_row_and_column_and_nothing_is_written(org):
    vehicle_create(plate_no="吉B·T0009", ownership="company", vehicle_type="van", unit=org.jh)
    report = org_import(org_workbook(车辆=[
        car(courier=""),                                      # row 2: 自备公助 without a courier
        car(plate="吉B·T0002", courier="B001"),               # row 3: bob is a 营业员
        car(plate="吉B·T0003", courier="NOBODY"),             # row 4: no such 工号
        car(plate="吉B·T0004", unit="CY-BJL-TD", courier="C002"),  # row 5: carl is 蛟河's
        car(plate="吉B·T0005", kind="拖拉机"),                 # row 6: not a vehicle type
        car(plate="吉B·T0006"), car(plate="吉b·t0006"),       # rows 7, 8: the same plate twice
        car(plate="吉B·T0009", unit="CY", courier=""),        # row 9: 蛟河's vehicle
    ]), actor=org.alice)
    assert not report.written and Vehicle.objects.count() == 1
    assert errors(report) == [
        ("车辆", 2, "使用投递员工号", "自备公助车辆须填写使用投递员工号"),
        ("车辆", 3, "使用投递员工号", "B001 不是投递员"),
        ("车辆", 4, "使用投递员工号", "工号“NOBODY”不存在（系统中和本文件的员工表中都没有）"),
        ("车辆", 5, "使用投递员工号", "员工 C002 不在你的管辖范围内"),
        ("车辆", 6, "车型", report.errors[4].message),
        ("车辆", 7, "车牌/编号", "车牌/编号“吉B·T0006”在本表中重复出现（第 7、8 行）"),
        ("车辆", 8, "车牌/编号", "车牌/编号“吉B·T0006”在本表中重复出现（第 7、8 行）"),
        ("车辆", 9, "车牌/编号", "车辆 吉B·T0009 不在你的管辖范围内"),
    ]
    assert "拖拉机" in report.errors[4].message


def test_a_courier_of_another_unit_is_refused_to_the_city_too(org):
    report = org_import(org_workbook(车辆=[car(unit="CY-BJL-TD", courier="C002")]), actor=org.sam)
    assert errors(report) == [("车辆", 2, "使用投递员工号", "C002 属于单位 JH-HSD，不在车辆所属单位 CY-BJL-TD 之下")]


def test_a_courier_the_same_file_creates_rides_the_vehicle_and_a_bad_one_stops_it(org):
    person = {"工号": "D002", "姓名": "新投递员", "所属单位编码": "CY-BJL-TD", "角色": "投递员"}
    report = org_import(org_workbook(员工=[person], 车辆=[car(courier="D002")]), actor=org.alice)
    assert report.ok and report.written, report.errors
    assert Vehicle.objects.get().courier.employee_no == "D002"
    bad = org_import(org_workbook(员工=[{**person, "工号": "D003", "角色": "飞行员"}],
                                  车辆=[car(plate="吉B·T0002", courier="D003")]), actor=org.alice)
    assert ("车辆", 2, "使用投递员工号", "D003 所在行（员工表第 2 行）有错误，本行无法导入") in errors(bad)
    assert Vehicle.objects.count() == 1


def test_an_export_reimports_unchanged_and_an_edit_hands_the_vehicle_over(org):
    vehicle_create(plate_no="吉B·T0001", ownership="subsidised", vehicle_type="e_tricycle", unit=org.cy_td,
                   courier=org.dave, acquired_on=dt.date(2025, 3, 1))
    vehicle_create(plate_no="吉B·T0099", ownership="company", vehicle_type="van", unit=org.jh)
    buffer = io.BytesIO()
    org_export(buffer, user=org.alice, what="vehicles")
    rows = read_sheets(buffer.getvalue())["车辆"]
    assert rows == [{"车牌/编号": "吉B·T0001", "产权": "自备公助", "车型": "电动三轮车", "所属单位编码": "CY-BJL-TD",
                     "使用投递员工号": "D001", "配备日期": "2025-03-01", "状态": "在用"}]  # not 蛟河's van
    again = org_import(buffer.getvalue(), actor=org.alice)
    assert again.ok and again.as_dict()["counts"]["车辆"] == {"created": 0, "updated": 0, "unchanged": 1, "skipped": 0}
    person = {"工号": "D002", "姓名": "接班投递员", "所属单位编码": "CY-BJL-TD", "角色": "投递员"}
    handed = org_import(org_workbook(员工=[person], 车辆=[car(courier="D002", 状态="停用", 配备日期="2025-03-01")]),
                        actor=org.alice)
    assert handed.ok and handed.written, handed.errors
    vehicle = Vehicle.objects.get(plate_no="吉B·T0001")
    assert (vehicle.courier.employee_no, vehicle.is_active, vehicle.acquired_on) == ("D002", False, dt.date(2025, 3, 1))
