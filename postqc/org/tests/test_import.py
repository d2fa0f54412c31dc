"""Excel import of units, outlets and staff: good files, every kind of malformed file, the
all-or-nothing rule, skip-invalid, upserts, scope and roles, and the upload page."""
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from postqc.core.models import Job
from postqc.org.exporters import org_template
from postqc.org.importers import org_import
from postqc.org.models import Outlet, OutletGradeChange, Staff, StaffRole, Unit, UnitClosure
from postqc.org.roles import Role

from .xlsx import STAFF_HEADERS, org_workbook, outlet, person, unit, workbook


def errors(report) -> list[tuple]:
    return [(e.sheet, e.row, e.column, e.message) for e in report.errors]


def counts() -> dict:
    return {m.__name__: m.objects.count() for m in (Unit, UnitClosure, Outlet, OutletGradeChange, Staff, StaffRole)}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- A good file ---------------------------------------------------------------------------------


def test_a_good_file_creates_units_outlets_and_staff(org):
    data = org_workbook(
        单位=[unit("CY-XY", 排序=5, 地址="向阳街 8 号", 电话="0432-6200000"),
              unit("CY-XY-TD", parent="CY-XY", 层级类型="投递部")],
        网点=[outlet("O-XY", unit="CY-XY", 经度=126.553, 纬度=43.8378, 业务范围="信件、包裹、报刊发行")],
        员工=[person("X001", unit="CY-XY", 所在网点编码="O-XY"),
              person("X002", unit="CY-XY-TD", 角色="投递员、营业员", 状态="停用", 手机号=13912345678)],
    )

    report = org_import(data, actor=org.sam)

    assert report.ok and report.written
    assert (report.created, report.updated) == (5, 0)
    xy = Unit.objects.get(code="CY-XY")
    assert (xy.parent, xy.depth, xy.sort_order, xy.kind) == (org.cy, 3, 5, Unit.Kind.BRANCH)
    assert set(UnitClosure.objects.filter(descendant__code="CY-XY-TD").values_list("ancestor__code", flat=True)) == {
        "CY-XY-TD", "CY-XY", "CY", "JLS", "JL"}
    o = Outlet.objects.get(code="O-XY")
    assert (o.unit, o.grade, o.area_type, o.opens_at, o.closes_at) == (xy, "2", "city", dt.time(8, 30), dt.time(17))
    assert o.services == ["letters", "parcels", "newspapers"]
    assert str(o.longitude) == "126.553000"
    history = OutletGradeChange.objects.get(outlet=o)
    assert (history.from_grade, history.to_grade, history.recorded_by) == ("", "2", org.sam)
    x1, x2 = Staff.objects.get(employee_no="X001"), Staff.objects.get(employee_no="X002")
    assert (x1.unit, x1.outlet, x1.roles, x1.is_active) == (xy, o, {Role.CLERK}, True)
    assert (x2.roles, x2.is_active, x2.phone) == ({Role.COURIER, Role.CLERK}, False, "13912345678")
    for p in (x1, x2):
        assert p.must_change_password and not p.has_usable_password()


def test_a_parent_may_be_defined_later_in_the_same_file(org):
    data = org_workbook(单位=[unit("CY-B", parent="CY-A"), unit("CY-A", parent="CY")])
    assert org_import(data, actor=org.sam).ok
    assert Unit.objects.get(code="CY-B").parent.code == "CY-A"


def test_a_title_row_above_the_header_and_numbers_typed_as_numbers_are_read(org):
    data = workbook({"员工": [["船营区分公司员工名册"], STAFF_HEADERS,
                              [22010001, "张三", 13800000001, "CY-BJL", "", "投递员", ""]]})
    report = org_import(data, actor=org.alice)
    assert report.ok, errors(report)
    assert Staff.objects.get(employee_no="22010001").phone == "13800000001"


def test_the_blank_template_imports_nothing_because_its_example_rows_are_skipped(org):
    buffer = io.BytesIO()
    org_template(buffer)
    report = org_import(buffer.getvalue(), actor=org.sam)
    assert errors(report) == [("", None, "", "文件中没有数据行（只有表头或是空表）。")]


def test_the_template_has_required_marks_a_help_sheet_and_dropdowns():
    buffer = io.BytesIO()
    org_template(buffer)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    assert wb.sheetnames == ["单位", "网点", "员工", "车辆", "说明"]
    assert [c.value for c in wb["员工"][1]] == STAFF_HEADERS
    dropdowns = {str(dv.sqref): dv.formula1 for dv in wb["网点"].data_validations.dataValidation}
    assert dropdowns["D2:D1048576"] == '"一级,二级,三级"'
    notes = [[c.value for c in row] for row in wb["说明"].iter_rows()]
    assert ["网点", "网点等级", "是", "", "一级、二级、三级"] in [[v or "" for v in r] for r in notes]


def test_new_rows_are_written_in_bulk_not_one_query_per_row(org):
    def queries(n, tag):
        data = org_workbook(网点=[outlet(f"O-{tag}{i}") for i in range(n)],
                            员工=[person(f"{tag}{i}", 所在网点编码=f"O-{tag}{i}") for i in range(n)])
        with CaptureQueriesContext(connection) as ctx:
            assert org_import(data, actor=org.alice).ok
        return len(ctx)

    queries(1, "W")  # the first import also reads the importer's roles
    assert queries(3, "A") == queries(40, "B")  # (SQLite splits an insert past 999 parameters into batches)


# --- Malformed files ---------------------------------------------------------------------------


def test_a_missing_required_column_is_one_error_naming_it(org):
    data = workbook({"员工": [["工号", "姓名", "所属单位编码"], ["X001", "张三", "CY-BJL"]]})
    before = counts()
    report = org_import(data, actor=org.alice)
    assert errors(report) == [("员工", 1, "角色", "缺少必填列“角色”")]
    assert counts() == before


def test_unknown_extra_columns_are_ignored_and_mentioned(org):
    data = workbook({"员工": [["序号", *STAFF_HEADERS, "备注"], [1, "X001", "张三", "", "CY-BJL", "", "营业员", "", "新入职"]]})
    report = org_import(data, actor=org.alice)
    assert report.ok and report.created == 1
    assert "已忽略无法识别的列：序号、备注" in report.summary()


def test_a_column_given_twice_is_an_error(org):
    data = workbook({"员工": [[*STAFF_HEADERS, "姓名"], ["X001", "张三", "", "CY-BJL", "", "营业员", "", "李四"]]})
    assert errors(org_import(data, actor=org.alice)) == [("员工", 1, "姓名", "列“姓名”出现了两次")]


@pytest.mark.parametrize("sheet, row, column, message", [
    ("网点", outlet("O-X", 网点等级="四级"), "网点等级", "“四级”不是有效值，可选：一级、二级、三级"),
    ("网点", outlet("O-X", 每周营业天数=9), "每周营业天数", "9 超出范围，应为 1–7 的整数"),
    ("网点", outlet("O-X", 开门时间="8点半"), "开门时间", "“8点半”不是有效时间，格式应为 HH:MM，如 08:30"),
    ("网点", outlet("O-X", 开门时间="18:00"), "关门时间", "关门时间应晚于开门时间"),
    ("网点", outlet("O-X", 经度=43.8), "经度", "43.8 超出范围，应在 73–136 之间"),
    ("网点", outlet("O-X", 业务范围="信件、外卖"), "业务范围", None),
    ("网点", outlet("O-X", 状态="已撤并"), "状态说明", "撤并普服网点须经批准，请填写批准文号或说明"),
    ("员工", person("X001", 手机号="1380000"), "手机号", "“1380000”不是有效的手机号（应为 1 开头的 11 位数字）"),
    ("员工", person("X001", 角色="营业员、厨师"), "角色", None),
    ("员工", person("X 001"), "工号", "“X 001”不是有效编码：只能包含字母、数字、点、下划线和连字符"),
    ("员工", person("X001", 姓名=""), "姓名", "必填项不能为空"),
    ("员工", person("X001", 姓名="很" * 40), "姓名", "不能超过 32 个字符（现有 40 个）"),
])
def test_a_bad_value_is_reported_with_its_row_column_and_reason_and_nothing_is_written(org, sheet, row, column,
                                                                                      message):
    good = {"网点": outlet("O-GOOD"), "员工": person("GOOD1")}[sheet]
    before = counts()
    report = org_import(org_workbook(**{sheet: [good, row]}), actor=org.alice)
    [(got_sheet, got_row, got_column, got_message)] = errors(report)
    assert (got_sheet, got_row, got_column) == (sheet, 3, column)
    if message:
        assert got_message == message
    assert not report.written and counts() == before


def test_duplicate_codes_are_reported_on_every_duplicate_row(org):
    report = org_import(org_workbook(员工=[person("X001"), person("X002"), person("X001")]), actor=org.alice)
    assert errors(report) == [
        ("员工", 2, "工号", "工号“X001”在本表中重复出现（第 2、4 行）"),
        ("员工", 4, "工号", "工号“X001”在本表中重复出现（第 2、4 行）"),
    ]


def test_an_unknown_unit_code_is_an_error_naming_it(org):
    report = org_import(org_workbook(员工=[person("X001", unit="NOPE")]), actor=org.alice)
    assert errors(report) == [("员工", 2, "所属单位编码", "单位编码“NOPE”不存在（系统中和本文件的单位表中都没有）")]


def test_an_unknown_outlet_code_is_an_error_naming_it(org):
    report = org_import(org_workbook(员工=[person("X001", 所在网点编码="O-NOPE")]), actor=org.alice)
    assert errors(report) == [("员工", 2, "所在网点编码", "网点编码“O-NOPE”不存在（系统中和本文件的网点表中都没有）")]


def test_records_outside_the_importers_subtree_are_refused(org):
    data = org_workbook(
        网点=[outlet("O-JH-1", unit="JH-HSD"), outlet("O-X", unit="JH")],
        员工=[person("E001", unit="CY-BJL"), person("X001", 所在网点编码="O-JH-1")],
    )
    assert errors(org_import(data, actor=org.alice)) == [
        ("网点", 2, "网点编码", "网点 O-JH-1 不在你的管辖范围内"),
        ("网点", 3, "所属单位编码", "单位 JH 不在你的管辖范围内"),
        ("员工", 2, "工号", "员工 E001 不在你的管辖范围内"),
        ("员工", 3, "所在网点编码", "网点 O-JH-1 不在你的管辖范围内"),
    ]


def test_a_parent_outside_the_importers_subtree_is_refused(org):
    report = org_import(org_workbook(单位=[unit("NEW", parent="JL", 层级类型="市分公司")]), actor=org.sam)
    assert errors(report) == [("单位", 2, "上级单位编码", "单位 JL 不在你的管辖范围内")]


def test_an_outlet_must_be_under_the_persons_unit(org):
    report = org_import(org_workbook(员工=[person("X001", unit="CY-BJL-TD", 所在网点编码="O-CY-1")]), actor=org.alice)
    assert errors(report) == [("员工", 2, "所在网点编码", "网点 O-CY-1 属于单位 CY-BJL，不在所属单位 CY-BJL-TD 之下")]


def test_an_empty_file_is_refused(org):
    report = org_import(b"", actor=org.alice)
    assert errors(report) == [("", None, "", "文件是空的（0 字节），不是有效的 Excel 文件。")]


def test_a_sheet_with_only_its_header_is_refused(org):
    report = org_import(workbook({"员工": [STAFF_HEADERS]}), actor=org.alice)
    assert errors(report) == [("", None, "", "文件中没有数据行（只有表头或是空表）。")]


def test_a_text_file_renamed_xlsx_is_not_a_valid_excel_file(org, tmp_path):
    fake = tmp_path / "staff.xlsx"
    fake.write_text("工号,姓名\nX001,张三\n", encoding="utf-8")
    report = org_import(str(fake), actor=org.alice)
    assert [e.message for e in report.errors] == ["不是有效的 Excel 文件，请上传 .xlsx 格式的工作簿。"]


def test_a_broken_zip_is_not_a_valid_excel_file(org):
    report = org_import(b"PK\x03\x04 not really a zip", actor=org.alice)
    assert [e.message for e in report.errors] == ["不是有效的 Excel 文件，请上传 .xlsx 格式的工作簿。"]


def test_a_workbook_without_any_known_sheet_is_refused(org):
    report = org_import(workbook({"Sheet1": [STAFF_HEADERS, ["X001"]]}), actor=org.alice)
    assert [e.message for e in report.errors] == ["工作簿中没有可导入的工作表，工作表名应为：单位、网点、员工、车辆"]


# --- Roles and capabilities ----------------------------------------------------------------------


def test_a_privileged_role_granted_by_a_non_sysadmin_is_a_row_error(org):
    before = counts()
    report = org_import(org_workbook(员工=[person("X001"), person("X002", 角色="营业员、质量管理员")]), actor=org.alice)
    assert errors(report) == [("员工", 3, "角色", "只有系统管理员可以授予质量管理员、领导或系统管理员角色。")]
    assert counts() == before


def test_a_non_sysadmin_cannot_take_a_privileged_role_away_either(org):
    report = org_import(org_workbook(员工=[person("A001", unit="CY", 姓名="艾丽", 角色="营业员")]), actor=org.alice)
    assert [e.column for e in report.errors] == ["角色"]


def test_a_sysadmin_grants_privileged_roles(org):
    assert org_import(org_workbook(员工=[person("X001", 角色="领导")]), actor=org.sam).ok
    assert Staff.objects.get(employee_no="X001").roles == {Role.LEADER}


def test_a_quality_manager_may_not_create_units(org):
    report = org_import(org_workbook(单位=[unit("CY-X")]), actor=org.alice)
    assert errors(report) == [("单位", 2, "单位编码", "你的角色不能新建单位")]


def test_nobody_deactivates_themselves_by_import(org):
    report = org_import(org_workbook(员工=[person("S001", unit="JLS", 姓名="萨姆", 角色="系统管理员", 状态="停用")]),
                        actor=org.sam)
    assert errors(report) == [("员工", 2, "状态", "不能停用自己的账号")]


def test_a_clerk_cannot_import_at_all(org):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        org_import(org_workbook(员工=[person("X001")]), actor=org.bob)


# --- All-or-nothing, skip-invalid, dry run -----------------------------------------------------------


def bad_and_good():
    """Two good new units, one bad; an outlet and a person under the bad unit; one good person."""
    return org_workbook(
        单位=[unit("CY-A"), unit("CY-B", 层级类型="不存在的类型"), unit("CY-C", parent="CY-A")],
        网点=[outlet("O-B", unit="CY-B"), outlet("O-A", unit="CY-A")],
        员工=[person("X001", unit="CY-B"), person("X002", unit="CY-A", 所在网点编码="O-B"), person("X003", unit="CY-C")],
    )


def test_a_file_with_a_bad_row_writes_nothing_and_lists_every_error(org):
    before = counts()
    report = org_import(bad_and_good(), actor=org.sam)
    assert not report.written and counts() == before
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("单位", 3, "层级类型"), ("网点", 2, "所属单位编码"), ("员工", 2, "所属单位编码"), ("员工", 3, "所在网点编码")]
    assert report.errors[1].message == "CY-B 所在行（单位表第 3 行）有错误，本行无法导入"
    assert report.summary().startswith("发现 4 处错误，未写入任何数据。")


def test_skip_invalid_writes_only_the_good_rows_and_reports_the_rest(org):
    report = org_import(bad_and_good(), actor=org.sam, skip_invalid=True)
    assert report.written and len(report.errors) == 4
    assert set(Unit.objects.filter(code__startswith="CY-").exclude(code__startswith="CY-BJL")
               .values_list("code", flat=True)) == {"CY-A", "CY-C"}
    assert set(Outlet.objects.filter(code__in=["O-A", "O-B"]).values_list("code", flat=True)) == {"O-A"}
    assert set(Staff.objects.filter(employee_no__startswith="X").values_list("employee_no", flat=True)) == {"X003"}
    assert report.as_dict()["counts"]["员工"] == {"created": 1, "updated": 0, "unchanged": 0, "skipped": 2}


def test_a_loop_of_new_units_is_an_error_on_each_of_them(org):
    report = org_import(org_workbook(单位=[unit("CY-A", parent="CY-B"), unit("CY-B", parent="CY-A")]), actor=org.sam)
    assert [(e.row, e.column) for e in report.errors] == [(2, "上级单位编码"), (3, "上级单位编码")]
    assert "上级单位关系形成循环" in report.errors[0].message


def test_a_dry_run_counts_and_reports_but_writes_nothing(org):
    before = counts()
    report = org_import(org_workbook(员工=[person("X001"), person("B001", unit="CY-BJL", 所在网点编码="O-CY-1",
                                                                  姓名="鲍勃", 角色="营业员")]),
                        actor=org.alice, dry_run=True)
    assert report.ok and not report.written and counts() == before
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert report.summary().startswith("仅校验，未写入。校验通过。")


# --- Upserts ---------------------------------------------------------------------------------------


def test_an_existing_code_is_updated_and_a_grade_change_is_recorded_with_todays_date(org):
    data = org_workbook(网点=[outlet("O-JH-1", unit="JH-HSD", 网点名称="黄松甸营业所（新址）", 网点等级="二级",
                                    区域类型="乡镇", 每周营业天数=6)])
    report = org_import(data, actor=org.charlie)
    assert report.ok and (report.created, report.updated) == (0, 1)
    org.o_jh.refresh_from_db()
    assert (org.o_jh.name, org.o_jh.grade) == ("黄松甸营业所（新址）", "2")
    change = OutletGradeChange.objects.filter(outlet=org.o_jh).latest("id")
    assert (change.from_grade, change.to_grade, change.reason, change.effective_on, change.recorded_by) == (
        "3", "2", "Excel 导入", dt.date.today(), org.charlie)


def test_an_existing_person_is_updated_through_the_services(org):
    data = org_workbook(员工=[person("D001", unit="CY-BJL", 姓名="戴维", 角色="投递员、营业员", 所在网点编码="O-CY-1",
                                  手机号="13900000009")])
    assert org_import(data, actor=org.alice).ok
    org.dave.refresh_from_db()
    org.dave.__dict__.pop("roles", None)
    assert (org.dave.unit, org.dave.outlet, org.dave.phone, org.dave.roles) == (
        org.cy_bjl, org.o_cy, "13900000009", {Role.COURIER, Role.CLERK})
    assert org.dave.has_usable_password()  # an update never touches the password


def test_an_absent_optional_column_leaves_the_field_alone(org):
    data = workbook({"员工": [["工号", "姓名", "所属单位编码", "角色"], ["B001", "鲍勃", "CY-BJL", "营业员"]]})
    report = org_import(data, actor=org.alice)
    assert report.ok and report.unchanged == 1
    org.bob.refresh_from_db()
    assert org.bob.outlet == org.o_cy


def test_an_import_does_not_move_units(org):
    report = org_import(org_workbook(单位=[unit("CY-BJL", parent="JH", 单位名称="北京路支局")]), actor=org.sam)
    assert errors(report) == [("单位", 2, "上级单位编码",
                               "导入不调整隶属关系：单位 CY-BJL 现在的上级单位是 CY；如需调整请在单位页面操作")]


def test_closing_an_outlet_by_import_needs_the_approval_note(org):
    data = org_workbook(网点=[outlet("O-CY-1", 网点名称="北京路营业所", 网点等级="一级", 状态="已撤并", 状态说明="吉邮〔2025〕12 号")])
    assert org_import(data, actor=org.alice).ok
    org.o_cy.refresh_from_db()
    assert (org.o_cy.status, org.o_cy.status_note) == ("closed", "吉邮〔2025〕12 号")


# --- The upload page ----------------------------------------------------------------------------


def test_the_upload_page_creates_a_job_and_the_job_page_shows_the_errors(as_, org):
    client = as_(org.alice)
    assert client.get("/manage/import/").status_code == 200
    upload = io.BytesIO(org_workbook(员工=[person("X001"), person("X002", 手机号="12345")]))
    upload.name = "员工.xlsx"
    response = client.post("/manage/import/", {"file": upload})
    job = Job.objects.get(kind="org_import")
    assert response.status_code == 302 and response.url == f"/manage/jobs/{job.code}/"
    assert (job.status, job.created_by, job.unit) == (Job.Status.FAILED, org.alice, org.cy)
    assert job.result["errors"] == [{"sheet": "员工", "row": 3, "column": "手机号",
                                     "message": "“12345”不是有效的手机号（应为 1 开头的 11 位数字）"}]
    page = client.get(response.url).content.decode()
    assert "不是有效的手机号" in page and "未写入任何数据" in page
    assert not Staff.objects.filter(employee_no="X001").exists()


def test_the_upload_page_imports_a_good_file_with_skip_invalid(as_, org, settings):
    client = as_(org.alice)
    upload = io.BytesIO(org_workbook(员工=[person("X001"), person("X002", 手机号="12345")]))
    upload.name = "员工.xlsx"
    client.post("/manage/import/", {"file": upload, "skip_invalid": "on"})
    job = Job.objects.get(kind="org_import")
    assert job.status == Job.Status.SUCCEEDED and job.result["created"] == 1
    assert Staff.objects.filter(employee_no="X001").exists()
    assert not (settings.MEDIA_ROOT / job.params["path"]).exists()  # the upload is deleted after the job
    assert "员工.xlsx" in client.get("/manage/import/").content.decode()


def test_a_non_excel_upload_is_refused_on_the_form(as_, org):
    upload = io.BytesIO("工号,姓名\n".encode())
    upload.name = "员工.xlsx"
    response = as_(org.alice).post("/manage/import/", {"file": upload})
    assert response.status_code == 200 and "不是有效的 Excel 文件" in response.content.decode()
    assert not Job.objects.exists()


def test_a_clerk_gets_403_on_the_import_page(as_, org):
    client = as_(org.bob)
    assert client.get("/manage/import/").status_code == 403
    assert client.get("/manage/import/template/").status_code == 403


def test_the_template_downloads_as_xlsx(as_, org):
    response = as_(org.alice).get("/manage/import/template/")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames == ["单位", "网点", "员工", "车辆", "说明"]


def test_progress_rises_to_the_row_count_while_rows_are_checked_and_written(org, monkeypatch):
    monkeypatch.setattr("postqc.org.importers.base.PROGRESS_EVERY", 10)
    calls = []
    data = org_workbook(员工=[person(f"X{i:03d}") for i in range(30)])
    assert org_import(data, actor=org.alice, progress=lambda done, total: calls.append((done, total))).ok
    assert calls[0] == (0, 30) and calls[-1] == (30, 30) and len(calls) > 4
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)
    assert {t for _d, t in calls} == {30}


def test_an_import_job_never_runs_without_the_person_who_started_it(org):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from postqc.core.jobs import enqueue, job_create
    from postqc.org.tasks import import_org_task

    job = job_create(kind="org_import", created_by=None, unit=org.cy)
    path = default_storage.save(f"imports/{job.code}.xlsx", ContentFile(org_workbook(员工=[person("X001")])))
    job.params = {"path": path}
    job.save()
    enqueue(import_org_task, job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "已无导入权限" in job.message
    assert not Staff.objects.filter(employee_no="X001").exists()
    assert not default_storage.exists(path)


# --- services.staff_bulk_update: how the import writes changed staff ----------------------------


def test_bulk_update_applies_particulars_roles_and_status_in_a_few_queries(org, grow):
    from postqc.org.services import staff_bulk_update

    def update(people, tag):
        with CaptureQueriesContext(connection) as ctx:
            staff_bulk_update(changes=[(p, {"phone": "13900000000", "name": f"{tag}{p.pk}", "roles": [Role.CLERK],
                                            "outlet": None, "is_active": False}) for p in people], actor=org.alice)
        return len(ctx)

    grow(30)
    few = list(Staff.objects.filter(employee_no__in=["GS0", "GS1"]))
    many = list(Staff.objects.filter(employee_no__startswith="GS").exclude(employee_no__in=["GS0", "GS1"]))
    assert update(few, "甲") == update(many, "乙")
    person = Staff.objects.get(employee_no="GS5")
    assert (person.phone, person.is_active, person.roles) == ("13900000000", False, {Role.CLERK})


def test_bulk_update_checks_every_rule_before_writing_anything(org):
    from django.core.exceptions import PermissionDenied, ValidationError

    from postqc.org.services import staff_bulk_update

    with pytest.raises(ValidationError, match="戴维（D001）：网点不在该员工所属单位之下"):
        staff_bulk_update(changes=[(org.bob, {"name": "鲍勃二"}), (org.dave, {"outlet": org.o_cy})], actor=org.alice)
    with pytest.raises(PermissionDenied, match="只有系统管理员"):
        staff_bulk_update(changes=[(org.bob, {"roles": [Role.LEADER]})], actor=org.alice)
    with pytest.raises(ValidationError, match="不能停用自己的账号"):
        staff_bulk_update(changes=[(org.alice, {"is_active": False})], actor=org.alice)
    with pytest.raises(PermissionDenied):
        staff_bulk_update(changes=[(org.alice, {"is_active": False})], actor=org.hank)
    assert Staff.objects.get(pk=org.bob.pk).name == "鲍勃"
