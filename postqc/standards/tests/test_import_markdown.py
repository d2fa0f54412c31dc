import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from postqc.standards.importing import StandardImportError, clause_hash
from postqc.standards.models import Clause, ClauseRevision, Standard, StandardVersion
from postqc.standards.services import standard_import_markdown

from .conftest import V2019, V2021, md

DATA = Path(__file__).resolve().parents[1] / "data"


def problems_of(excinfo) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in excinfo.value.problems]


def test_markdown_import_creates_a_draft_with_the_clause_tree(org):
    version = standard_import_markdown(text=V2019, unit=org.jls, actor=org.sam)

    standard = version.standard
    assert (standard.code, standard.title, standard.kind, standard.issuer, standard.unit) == (
        "JLQC", "吉林市分公司营业服务规范", Standard.Kind.COMPANY_RULE, "吉林市分公司", org.jls)
    assert (version.label, version.effective_on, version.status) == ("2019", dt.date(2019, 3, 1),
                                                                      StandardVersion.Status.DRAFT)
    assert standard.current_version is None, "a draft is not current until published"
    revs = list(version.revisions.select_related("clause", "parent__clause").order_by("sort_order"))
    assert [(r.clause.code, r.depth, r.parent.clause.code if r.parent else None) for r in revs] == [
        ("JLQC-1", 0, None), ("JLQC-1.1", 1, "JLQC-1"), ("JLQC-1.2", 1, "JLQC-1"),
        ("JLQC-2", 0, None), ("JLQC-2.3", 1, "JLQC-2"), ("JLQC-2.4", 1, "JLQC-2"), ("JLQC-2.4.1", 2, "JLQC-2.4")]
    assert [r.sort_order for r in revs] == sorted(r.sort_order for r in revs)
    assert revs[1].heading == "第一条 公示" and revs[1].body == "营业场所应在醒目位置公示营业时间。"
    assert revs[0].body == ""
    assert {r.change for r in revs} == {ClauseRevision.Change.ADDED}
    assert revs[1].body_hash == clause_hash("第一条 公示", "营业场所应在醒目位置公示营业时间。")


def test_body_keeps_paragraphs_and_drops_surrounding_blank_lines(org):
    text = md("# 第一章 {#JLQC-1}\n\n\n第一段。\n\n\n\n第二段，\n接着写。\n\n\n")
    rev = standard_import_markdown(text=text, unit=org.jls, actor=None).revisions.get()
    assert rev.body == "第一段。\n\n第二段，\n接着写。"


def test_hash_ignores_spacing_but_not_wording():
    assert clause_hash("第四条", "保价邮件丢失的，按保价额赔偿。") == clause_hash(" 第四条 ", "保价邮件丢失的，  按保价额赔偿。  \n\n")
    assert clause_hash("第四条", "按保价额赔偿。") != clause_hash("第四条", "按实际损失赔偿。")


def test_a_new_version_is_compared_with_the_current_one(published, org):
    version = standard_import_markdown(text=V2021, unit=org.jls, actor=None)
    changes = dict(version.revisions.values_list("clause__code", "change"))
    assert changes == {"JLQC-1": "unchanged", "JLQC-1.1": "unchanged", "JLQC-2": "unchanged",
                       "JLQC-2.3": "changed", "JLQC-2.4": "unchanged", "JLQC-2.4.1": "unchanged",
                       "JLQC-2.5": "added"}
    assert version.notes == "查询时限改为 15 日"
    assert Clause.objects.filter(standard=published.standard).count() == 8, "clause identities are reused by code"


def test_kind_may_be_the_chinese_label_and_dates_may_be_written_the_chinese_way(org):
    version = standard_import_markdown(text=md(kind="法律法规", effective_on="2015年4月24日"), unit=org.jls, actor=None)
    assert version.standard.kind == Standard.Kind.LAW and version.effective_on == dt.date(2015, 4, 24)


def test_reimporting_a_draft_replaces_it(org):
    standard_import_markdown(text=md(), unit=org.jls, actor=None)
    body = "# 第一章 {#JLQC-1}\n## 第九条 {#JLQC-1.9}\n改过的正文\n"
    version = standard_import_markdown(text=md(body), unit=org.jls, actor=None)
    assert StandardVersion.objects.count() == 1
    codes = version.revisions.order_by("sort_order").values_list("clause__code", flat=True)
    assert list(codes) == ["JLQC-1", "JLQC-1.9"]
    assert not Clause.objects.filter(code="JLQC-1.1").exists(), "a clause only the replaced draft had is gone"


def test_every_data_file_imports(org):
    files = sorted(DATA.glob("*.md"))
    assert files
    for path in files:
        version = standard_import_markdown(text=path.read_text(encoding="utf-8"), unit=org.jls, actor=None)
        assert version.revisions.count() > 5, path.name


@pytest.mark.parametrize(("text", "expected"), [
    ("", [(1, "文件是空的")]),
    ("  \n\n", [(1, "文件是空的")]),
    ("# 第一章 {#A-1}\n", [(1, "文件应以 --- 包围的文件头开始（code、title、kind、version、effective_on）")]),
    ("---\ncode: A\n# 第一章 {#A-1}\n", [(1, "文件头缺少结束的 --- 行")]),
    (md("# 第一章\n正文\n"), [(8, "标题缺少条款编码锚点，应写成“# 第一章 {#条款编码}”")]),
    (md("# 第一章 {#}\n"), [(8, "标题缺少条款编码锚点，应写成“# 第一章 {#条款编码}”")]),
    (md("# 第一章 {#JLQC 1}\n"), [(8, "条款编码“JLQC 1”无效：只能包含字母、数字、点、下划线和连字符，最长 48 位")]),
    (md("# 第一章 {#JLQC-1}\n## 第一条 {#JLQC-1.1}\n## 第二条 {#JLQC-1.1}\n"),
     [(10, "条款编码“JLQC-1.1”与第 9 行重复")]),
    (md("# 第一章 {#JLQC-1}\n### 第一条 {#JLQC-1.1}\n"), [(9, "标题层级跳级：此处应为 ## 而不是 ###")]),
    (md("## 第一条 {#JLQC-1.1}\n"), [(8, "标题层级跳级：此处应为 # 而不是 ##")]),
    (md("前言\n# 第一章 {#JLQC-1}\n"), [(8, "第一个条款标题之前不能有正文")]),
    (md("\n\n"), [(8, "文件中没有条款：每个条款以“# 标题 {#条款编码}”开始")]),
    (md(effective_on="2019-02-30"), [(6, "日期“2019-02-30”无效，应为 YYYY-MM-DD，如 2015-04-24")]),
    (md(effective_on="明年"), [(6, "日期“明年”无效，应为 YYYY-MM-DD，如 2015-04-24")]),
    (md(kind="规章"), [(4, "类别“规章”无效，可选：law（法律法规）、industry_standard（行业标准）、company_rule（企业制度）、"
                          "operating_procedure（操作规范）")]),
    (md(title=None), [(1, "缺少必填项 title")]),
    (md(owner="市公司"), [(7, "未知的文件头字段“owner”，可用：code、title、kind、issuer、version、effective_on、source、notes")]),
    (md(version='"2019/1"'), [(5, "版本号“2019/1”不能包含空格或 / ? # % \\ 字符")]),
])
def test_malformed_markdown_is_refused_naming_the_line(org, text, expected):
    with pytest.raises(StandardImportError) as excinfo:
        standard_import_markdown(text=text, unit=org.jls, actor=None)
    assert problems_of(excinfo) == expected
    assert not Standard.objects.exists() and not Clause.objects.exists()


def test_every_problem_is_reported_at_once(org):
    text = md("# 第一章\n## 第一条 {#JLQC-1.1}\n## 第二条 {#JLQC-1.1}\n", kind="规章")
    with pytest.raises(StandardImportError) as excinfo:
        standard_import_markdown(text=text, unit=org.jls, actor=None)
    assert [line for line, _ in problems_of(excinfo)] == [4, 8, 10]
    assert "第 8 行：标题缺少条款编码锚点" in excinfo.value.messages[1]


def test_a_clause_code_of_another_standard_is_refused(published, org):
    text = md("# 第一章 {#OTHER-1}\n## 第一条 {#JLQC-1.1}\n正文\n", code="OTHER")
    with pytest.raises(StandardImportError) as excinfo:
        standard_import_markdown(text=text, unit=org.jls, actor=None)
    assert problems_of(excinfo) == [(9, "条款编码“JLQC-1.1”已被标准 JLQC 使用")]
    assert not Standard.objects.filter(code="OTHER").exists()


def test_a_published_version_cannot_be_overwritten(published, org):
    with pytest.raises(StandardImportError) as excinfo:
        standard_import_markdown(text=V2019, unit=org.jls, actor=None)
    assert problems_of(excinfo) == [(6, "版本“2019”已发布，不能覆盖；修订请使用新的版本号")]


def test_a_standard_of_another_unit_is_refused(published, org):
    with pytest.raises(StandardImportError) as excinfo:
        standard_import_markdown(text=V2021, unit=org.cy, actor=None)
    assert problems_of(excinfo) == [(2, "标准编码“JLQC”已被吉林市分公司的标准使用")]


def test_importing_needs_the_edit_content_role_and_the_unit_in_scope(org):
    with pytest.raises(PermissionDenied):
        standard_import_markdown(text=md(), unit=org.cy, actor=org.hank)  # 支局长: no edit_content
    with pytest.raises(PermissionDenied):
        standard_import_markdown(text=md(), unit=org.cy, actor=org.charlie)  # 蛟河 quality: CY is not theirs
    assert standard_import_markdown(text=md(), unit=org.cy, actor=org.alice).standard.unit == org.cy
