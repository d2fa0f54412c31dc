"""`postqc import_org` and `postqc export_org`: the same import and export as the pages, from a shell."""
import io

import pytest
from django.core.management import CommandError, call_command

from postqc.org.models import Outlet, Staff, Unit

from .xlsx import org_workbook, outlet, person, read_sheets, unit


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def xlsx(tmp_path):
    def write(data: bytes, name: str = "org.xlsx") -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return write


def test_a_good_file_imports_as_the_given_person(org, xlsx):
    path = xlsx(org_workbook(网点=[outlet("O-NEW")], 员工=[person("X001", 所在网点编码="O-NEW")]))
    out, err = run("import_org", path, "--as", "A001")
    assert "导入完成" in out and err == ""
    assert Staff.objects.get(employee_no="X001").outlet.code == "O-NEW"


def test_every_error_is_printed_as_sheet_row_column_reason_and_the_command_fails(org, xlsx):
    path = xlsx(org_workbook(网点=[outlet("O-NEW", 每周营业天数=9)], 员工=[person("X001", 手机号="12"), person("X002")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_org", path, "--as", "A001", stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "网点 第 2 行 每周营业天数: 9 超出范围，应为 1–7 的整数",
        "员工 第 2 行 手机号: “12”不是有效的手机号（应为 1 开头的 11 位数字）",
    ]
    assert not Staff.objects.filter(employee_no="X002").exists()


def test_skip_invalid_imports_the_good_rows_and_succeeds(org, xlsx):
    path = xlsx(org_workbook(员工=[person("X001", 手机号="12"), person("X002")]))
    out, err = run("import_org", path, "--as", "A001", "--skip-invalid")
    assert "员工 第 2 行 手机号" in err and "跳过 1" in out
    assert list(Staff.objects.filter(employee_no__startswith="X").values_list("employee_no", flat=True)) == ["X002"]


def test_skip_invalid_with_nothing_good_still_fails(org, xlsx):
    path = xlsx(org_workbook(员工=[person("X001", 手机号="12")]))
    with pytest.raises(CommandError):
        run("import_org", path, "--as", "A001", "--skip-invalid")


def test_a_dry_run_writes_nothing(org, xlsx):
    path = xlsx(org_workbook(员工=[person("X001")]))
    out, _err = run("import_org", path, "--as", "A001", "--dry-run")
    assert "仅校验" in out and not Staff.objects.filter(employee_no="X001").exists()


def test_acting_as_a_person_limits_the_import_to_their_subtree(org, xlsx):
    path = xlsx(org_workbook(员工=[person("X001", unit="JH")]))
    with pytest.raises(CommandError):
        run("import_org", path, "--as", "A001")
    assert not Staff.objects.filter(employee_no="X001").exists()


def test_a_person_without_the_import_role_is_refused(org, xlsx):
    with pytest.raises(CommandError, match="不能导入"):
        run("import_org", xlsx(org_workbook(员工=[person("X001")])), "--as", "B001")


def test_an_unknown_person_or_file_is_a_clear_error(org, xlsx, tmp_path):
    with pytest.raises(CommandError, match="no such employee"):
        run("import_org", xlsx(org_workbook(员工=[person("X001")])), "--as", "NOBODY")
    with pytest.raises(CommandError, match="No such file"):
        run("import_org", str(tmp_path / "missing.xlsx"))


def test_a_text_file_renamed_xlsx_fails_with_a_clear_message(org, xlsx):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_org", xlsx("工号,姓名\n".encode()), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().strip() == "不是有效的 Excel 文件，请上传 .xlsx 格式的工作簿。"


def test_without_as_the_system_loads_an_empty_database_from_its_root(db, xlsx):
    path = xlsx(org_workbook(
        单位=[unit("JLS", parent="JL", 层级类型="市分公司"), unit("JL", parent="", 层级类型="省分公司"),
              unit("CY", parent="JLS", 层级类型="区分公司")],
        网点=[outlet("O-1", unit="CY")],
        员工=[person("S001", unit="JLS", 角色="系统管理员")],
    ))
    run("import_org", path)
    assert Unit.objects.get(code="CY").depth == 2 and Outlet.objects.count() == 1
    admin = Staff.objects.get(employee_no="S001")
    assert admin.is_staff and admin.must_change_password


def test_only_one_root_may_be_created(db, xlsx):
    path = xlsx(org_workbook(单位=[unit("A", parent="", 层级类型="省分公司"), unit("B", parent="", 层级类型="省分公司")]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_org", path, stdout=io.StringIO(), stderr=err)
    assert err.getvalue().strip() == "单位 第 3 行 上级单位编码: 新建单位须填写上级单位编码"


def test_export_org_writes_what_the_person_may_see(org, tmp_path):
    path = tmp_path / "out.xlsx"
    run("export_org", str(path), "--as", "C001")
    sheets = read_sheets(path.read_bytes())
    assert [r["单位编码"] for r in sheets["单位"]] == ["JH", "JH-HSD"]


def test_export_org_without_as_exports_everything_and_reimports(org, tmp_path):
    path = tmp_path / "all.xlsx"
    run("export_org", str(path), "--what", "units")
    assert [r["单位编码"] for r in read_sheets(path.read_bytes())["单位"]][:2] == ["JL", "JLS"]
    out, _err = run("import_org", str(path))
    assert "未变化 7" in out


def test_export_org_refuses_a_person_without_the_export_role(org, tmp_path):
    with pytest.raises(CommandError, match="do not allow"):
        run("export_org", str(tmp_path / "x.xlsx"), "--as", "B001")
