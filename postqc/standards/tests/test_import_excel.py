import datetime as dt
import io

import pytest
from openpyxl import Workbook

from postqc.core.excel import write_template
from postqc.standards.importing import CLAUSE_SHEET, StandardImportError
from postqc.standards.models import Clause, Standard
from postqc.standards.services import standard_import_excel

PARTICULARS = dict(code="JLTD", title="投递服务规范", kind="company_rule", label="2024",
                   effective_on=dt.date(2024, 1, 1), issuer="吉林市分公司")
HEADER = ["条款编码*", "上级条款编码", "标题*", "正文"]


def workbook(rows, *, header=HEADER, sheet="条款") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


GOOD = [
    ["JLTD-1", None, "第一章 投递频次", None],
    ["JLTD-1.1", "JLTD-1", "第一条 城区", "城区每日投递不少于两次。"],
    ["JLTD-2", None, "第二章 妥投", ""],
    ["JLTD-1.2", "JLTD-1", "第二条 农村", "乡镇每周投递不少于五次。\n行政村每周不少于三次。"],
    ["JLTD-2.1", "JLTD-2", "第三条 签收", "给据邮件应当由收件人签收。"],
]


def test_excel_import_builds_the_tree_in_reading_order(org):
    version = standard_import_excel(file=workbook(GOOD), unit=org.jls, actor=org.sam, **PARTICULARS)

    assert (version.standard.code, version.standard.title, version.label) == ("JLTD", "投递服务规范", "2024")
    revs = list(version.revisions.select_related("clause", "parent__clause").order_by("sort_order"))
    assert [(r.clause.code, r.depth, r.parent.clause.code if r.parent else None) for r in revs] == [
        ("JLTD-1", 0, None), ("JLTD-1.1", 1, "JLTD-1"), ("JLTD-1.2", 1, "JLTD-1"),
        ("JLTD-2", 0, None), ("JLTD-2.1", 1, "JLTD-2")]
    assert revs[2].body == "乡镇每周投递不少于五次。\n行政村每周不少于三次。"


def test_the_first_sheet_is_read_when_none_is_called_clauses(org):
    version = standard_import_excel(file=workbook(GOOD, sheet="Sheet1"), unit=org.jls, actor=None, **PARTICULARS)
    assert version.revisions.count() == 5


def test_the_downloadable_template_imports_with_its_example_row_ignored(org):
    buffer = io.BytesIO()
    write_template(buffer, [CLAUSE_SHEET], title="模板")
    with pytest.raises(StandardImportError) as excinfo:
        standard_import_excel(file=buffer.getvalue(), unit=org.jls, actor=None, **PARTICULARS)
    assert [p.message for p in excinfo.value.problems] == ["文件中没有数据行（只有表头或是空表）。"]


@pytest.mark.parametrize(("rows", "header", "expected"), [
    ([["JLTD-1", None, None, "正文"]], HEADER, [(2, "标题", "必填项不能为空")]),
    ([["JLTD 1", None, "第一章", ""]], HEADER, [(2, "条款编码", "只能包含字母、数字、点、下划线和连字符")]),
    ([["JLTD-1", None, "第一章", ""], ["JLTD-1", None, "第二章", ""]], HEADER,
     [(3, "条款编码", "条款编码“JLTD-1”与第 2 行重复")]),
    ([["JLTD-1.1", "JLTD-1", "第一条", "正文"], ["JLTD-1", None, "第一章", ""]], HEADER,
     [(2, "上级条款编码", "上级条款“JLTD-1”不在本行之前的行中")]),
    ([["JLTD-1", "正文"]], ["条款编码*", "正文"], [(1, "标题", "缺少必填列“标题”")]),
])
def test_malformed_excel_is_refused_naming_row_and_column(org, rows, header, expected):
    """`expected`: (row, column, part of the message)."""
    with pytest.raises(StandardImportError) as excinfo:
        standard_import_excel(file=workbook(rows, header=header), unit=org.jls, actor=None, **PARTICULARS)
    problems = excinfo.value.problems
    assert [(p.line, p.column) for p in problems] == [(line, column) for line, column, _ in expected]
    assert all(part in p.message for p, (_, _, part) in zip(problems, expected, strict=True)), problems
    assert not Standard.objects.exists() and not Clause.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(org):
    with pytest.raises(StandardImportError) as excinfo:
        standard_import_excel(file=b"# not a workbook", unit=org.jls, actor=None, **PARTICULARS)
    assert excinfo.value.problems[0].message.startswith("不是有效的 Excel 文件")


def test_bad_particulars_are_reported_with_the_rows(org):
    with pytest.raises(StandardImportError) as excinfo:
        standard_import_excel(file=workbook([["JLTD-1", None, None, ""]]), unit=org.jls, actor=None,
                              **{**PARTICULARS, "kind": "规章", "title": ""})
    assert [(p.line, p.column) for p in excinfo.value.problems] == [(None, "名称"), (None, "类别"), (2, "标题")]
