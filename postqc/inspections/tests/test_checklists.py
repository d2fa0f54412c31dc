"""Checklists: Excel in and out, all or nothing, versions, which one applies, who may."""
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from postqc.core.excel import write_workbook
from postqc.inspections.checklists import (
    ITEMS_SHEET,
    checklist_create,
    version_create,
    version_for,
    version_import,
    version_publish,
)
from postqc.inspections.models import ChecklistItem, ChecklistVersion

from .conftest import ROWS

HEADERS = ["项目编号", "类别", "检查内容", "依据条款", "否决项", "可不适用"]


def workbook(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "检查项目"
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_excel_file_makes_a_draft_version(org, clauses):
    checklist = checklist_create(code="G2", name="二级网点检查表", grade="2", unit=org.jls, actor=org.sam)
    data = workbook([["A1", "标识公示", "公示营业时间", "JLFW-2.9", "是", "否"],
                     ["B1", "设施设备", "自助设备可用", None, "否", "是"],
                     ["B2", "设施设备", "配备座椅", "", None, None]])
    report, version = version_import(checklist=checklist, source=data, actor=org.sam, pass_rate="85", note="首版")
    assert report.ok and report.created == 3 and version.status == ChecklistVersion.Status.DRAFT
    items = list(version.items.values_list("code", "section", "clause__code", "critical", "allow_na"))
    assert items == [("A1", "标识公示", "JLFW-2.9", True, False), ("B1", "设施设备", None, False, True),
                     ("B2", "设施设备", None, False, False)]
    assert version.pass_rate == 85 and version.note == "首版"


def test_every_bad_row_is_named_and_nothing_is_written(org, clauses):
    checklist = checklist_create(code="G2", name="二级网点检查表", grade="2", unit=org.jls, actor=org.sam)
    data = workbook([["A1", "标识公示", "公示营业时间", "JLFW-9.99", "是", "否"],
                     ["A1", "标识公示", "重复的编号", None, "否", "否"],
                     ["B1", None, "没有类别", None, "也许", "否"]])
    report, version = version_import(checklist=checklist, source=data, actor=org.sam)
    assert version is None and not ChecklistVersion.objects.filter(checklist=checklist).exists()
    found = {(e.row, e.column): e.message for e in report.errors}
    assert "JLFW-9.99" in found[(2, "依据条款")]
    assert "与第 2 行重复" in found[(3, "项目编号")]
    assert (4, "类别") in found and (4, "否决项") in found
    assert len(report.errors) == len(found)  # each cell named once
    report, version = version_import(checklist=checklist, source=b"not a workbook", actor=org.sam)
    assert version is None and "Excel" in report.errors[0].message


def test_an_export_reimports_as_the_same_items(org, lists):
    version = lists["1"].current
    records = [{"code": i.code, "section": i.section, "text": i.text, "clause": i.clause.code if i.clause else "",
                "critical": i.critical, "allow_na": i.allow_na} for i in version.items.all()]
    out = io.BytesIO()
    write_workbook(out, [(ITEMS_SHEET, records)])
    report, again = version_import(checklist=lists["1"], source=out.getvalue(), actor=org.sam)
    assert report.ok and again.number == 2
    fields = ("code", "section", "text", "clause_id", "critical", "allow_na")
    assert list(again.items.values_list(*fields)) == list(version.items.values_list(*fields))


def test_publishing_retires_the_version_in_force(org, lists):
    checklist = lists["1"]
    first = checklist.current
    second = version_create(checklist=checklist, rows=ROWS[:2], actor=org.sam)
    with pytest.raises(ValidationError):
        version_publish(version=first, actor=org.sam)  # only a draft
    version_publish(version=second, actor=org.sam)
    first.refresh_from_db()
    checklist.refresh_from_db()
    assert checklist.current == second and first.status == ChecklistVersion.Status.RETIRED
    assert ChecklistItem.objects.filter(version=first).count() == 4  # kept for the old inspections


def test_the_nearest_units_checklist_applies(org, lists):
    assert version_for(org.o_jh) == lists["3"].current
    county = checklist_create(code="JH-G3", name="蛟河三级网点检查表", grade="3", unit=org.jh, actor=org.charlie)
    draft = version_create(checklist=county, rows=ROWS[:2], actor=org.charlie)
    assert version_for(org.o_jh) == lists["3"].current  # a draft does not apply
    version_publish(version=draft, actor=org.charlie)
    assert version_for(org.o_jh) == draft
    assert version_for(org.o_cy) == lists["1"].current  # 船营 still follows the city


def test_who_may_manage_checklists(org, lists):
    with pytest.raises(PermissionDenied):
        checklist_create(code="X", name="x", grade="1", unit=org.jls, actor=org.charlie)  # above 蛟河
    with pytest.raises(PermissionDenied):
        checklist_create(code="X", name="x", grade="1", unit=org.jh, actor=org.dora)  # leaders read only
    with pytest.raises(PermissionDenied):
        version_create(checklist=lists["1"], rows=ROWS, actor=org.charlie)
    with pytest.raises(ValidationError) as raised:
        checklist_create(code="G1", name="", grade="4", unit=org.jls, actor=org.sam)
    assert set(raised.value.message_dict) == {"code", "name", "grade"}
    with pytest.raises(ValidationError) as raised:
        version_create(checklist=lists["1"], rows=ROWS, actor=org.sam, pass_rate="120")
    assert "pass_rate" in raised.value.message_dict
