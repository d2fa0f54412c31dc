"""Excel export: scoped to the user's subtree, the import layout (so it re-imports), a
constant number of queries, and the download view's permissions."""
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postqc.org.exporters import org_export
from postqc.org.importers import org_import
from postqc.org.models import Outlet, OutletGradeChange, Staff, Unit

from .xlsx import read_sheets


def export(user, what="all") -> bytes:
    buffer = io.BytesIO()
    org_export(buffer, user=user, what=what)
    return buffer.getvalue()


def test_an_export_holds_the_users_subtree_in_the_import_layout(org):
    sheets = read_sheets(export(org.alice))
    assert list(sheets) == ["单位", "网点", "员工", "车辆"]
    assert [r["单位编码"] for r in sheets["单位"]] == ["CY", "CY-BJL", "CY-BJL-TD"]
    assert sheets["单位"][0]["上级单位编码"] == "JLS"
    [o_cy] = sheets["网点"]
    assert (o_cy["网点编码"], o_cy["所属单位编码"], o_cy["网点等级"], o_cy["区域类型"], o_cy["业务范围"]) == (
        "O-CY-1", "CY-BJL", "一级", "城市", "信件、包裹、印刷品、汇兑")
    bob = next(r for r in sheets["员工"] if r["工号"] == "B001")
    assert (bob["所属单位编码"], bob["所在网点编码"], bob["角色"], bob["状态"]) == ("CY-BJL", "O-CY-1", "营业员", "在职")


def test_charlies_export_contains_none_of_alices_county(org):
    data = export(org.charlie)
    sheets = read_sheets(data)
    assert [r["单位编码"] for r in sheets["单位"]] == ["JH", "JH-HSD"]
    assert [r["网点编码"] for r in sheets["网点"]] == ["O-JH-1"]
    assert sorted(r["工号"] for r in sheets["员工"]) == ["C001", "C002", "E001"]
    for text in ("CY", "船营", "北京路", "A001", "B001"):
        assert text not in str(sheets)


def test_an_export_reimports_cleanly_with_nothing_changed(org):
    before = {m: m.objects.count() for m in (Unit, Outlet, OutletGradeChange, Staff)}
    report = org_import(export(org.sam), actor=org.sam)
    assert report.ok and report.written, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 6 + 2 + 9)
    assert {m: m.objects.count() for m in before} == before


def test_a_quality_managers_export_reimports_as_that_manager(org):
    report = org_import(export(org.alice), actor=org.alice)
    assert report.ok and (report.created, report.updated) == (0, 0)


def test_an_edited_export_updates_only_what_changed(org):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(export(org.alice)))
    ws = wb["网点"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("网点等级*") + 1, value="二级")
    ws.cell(row=2, column=headers.index("开门时间") + 1, value="08:00")
    buffer = io.BytesIO()
    wb.save(buffer)

    report = org_import(buffer.getvalue(), actor=org.alice)
    assert report.ok and report.as_dict()["counts"]["网点"] == {"created": 0, "updated": 1, "unchanged": 0,
                                                              "skipped": 0}
    org.o_cy.refresh_from_db()
    assert (org.o_cy.grade, org.o_cy.opens_at.strftime("%H:%M")) == ("2", "08:00")
    assert org.o_cy.grade_changes.count() == 2


@pytest.mark.parametrize("what, sheets", [("units", ["单位"]), ("outlets", ["网点"]), ("staff", ["员工"]),
                                          ("vehicles", ["车辆"])])
def test_one_sheet_can_be_exported_alone(org, what, sheets):
    assert list(read_sheets(export(org.alice, what))) == sheets


def test_an_export_costs_the_same_queries_however_many_rows(org, grow):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            export(org.alice)
        return len(ctx)

    small = queries()
    grow(40)
    assert queries() == small


def test_the_export_view_downloads_the_users_subtree(as_, org):
    response = as_(org.charlie).get("/manage/export/?what=staff")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    sheets = read_sheets(b"".join(response.streaming_content))
    assert sorted(r["工号"] for r in sheets["员工"]) == ["C001", "C002", "E001"]


def test_the_export_view_refuses_an_unknown_kind(as_, org):
    assert as_(org.alice).get("/manage/export/?what=cars").status_code == 400


def test_a_clerk_may_not_export(as_, org):
    assert as_(org.bob).get("/manage/export/").status_code == 403


def test_a_branch_head_may_export_but_not_import(as_, org):
    client = as_(org.hank)
    assert client.get("/manage/export/?what=outlets").status_code == 200
    assert client.get("/manage/import/").status_code == 403


def test_the_export_needs_a_signed_in_user(client, org):
    response = client.get("/manage/export/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
