import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from postqc.learning.models import Question
from postqc.standards.models import Standard, StandardVersion
from postqc.standards.services import standard_import_markdown, version_publish

from .conftest import V2019, V2021, md
from .test_import_excel import GOOD, workbook


def url(name, *args):
    return reverse(f"standards_manage:{name}", args=args)


def upload(client, name, content, **fields):
    return client.post(url("upload"), {"file": SimpleUploadedFile(name, content), **fields})


@pytest.fixture
def draft_2021(published, org):
    return standard_import_markdown(text=V2021, unit=org.jls, actor=None)


@pytest.mark.parametrize("name", ["standard_list", "upload", "excel_template"])
def test_clerks_and_couriers_cannot_open_manager_pages(published, org, as_, name):
    for person in (org.bob, org.dave):
        assert as_(person).get(url(name)).status_code == 403


def test_clerk_gets_403_on_a_standard_and_its_versions(draft_2021, org, as_):
    client = as_(org.bob)
    assert client.get(url("standard_detail", "JLQC")).status_code == 403
    assert client.get(url("version_diff", "JLQC", "2021")).status_code == 403
    assert client.post(url("version_publish", "JLQC", "2021")).status_code == 403


def test_branch_head_reads_but_cannot_upload_or_publish(draft_2021, org, as_):
    client = as_(org.sam)
    version_publish(version=standard_import_markdown(text=md(code="CYR"), unit=org.cy_bjl, actor=None), actor=None)
    client = as_(org.hank)
    assert client.get(url("standard_detail", "CYR")).status_code == 200
    assert client.get(url("upload")).status_code == 403
    assert client.post(url("version_publish", "CYR", "2019")).status_code == 403


def test_manager_list_is_scoped_to_the_subtree(published, org, as_, django_assert_num_queries):
    version_publish(version=standard_import_markdown(text=md(code="CYR", title="船营补充规定"), unit=org.cy,
                                                     actor=None), actor=None)
    alice = as_(org.alice).get(url("standard_list")).content.decode()
    assert "船营补充规定" in alice and "吉林市分公司营业服务规范" not in alice
    charlie = as_(org.charlie)
    assert "船营补充规定" not in charlie.get(url("standard_list")).content.decode()
    assert charlie.get(url("standard_detail", "CYR")).status_code == 404
    assert charlie.get(url("version_detail", "CYR", "2019")).status_code == 404
    sam = as_(org.sam)
    sam.get(url("standard_list"))
    with django_assert_num_queries(6):  # session, user, roles, count, page with versions and counts, unit of user
        page = sam.get(url("standard_list")).content.decode()
    assert "船营补充规定" in page and "吉林市分公司营业服务规范" in page


def test_upload_markdown_creates_a_draft_and_shows_its_diff(published, org, as_, make_question):
    make_question("Q-1", ["JLQC-2.3"])
    client = as_(org.sam)
    response = upload(client, "jlqc-2021.md", V2021.encode(), unit="JLS")
    assert response.status_code == 302
    assert response["Location"] == url("version_diff", "JLQC", "2021")
    page = client.get(response["Location"]).content.decode()
    assert "修订对比：2019 版 → 2021 版" in page
    assert "<del>在规定时限</del>" in page and "<ins>自收到查询之日起 15 日</ins>" in page
    assert "节假日前一天可延时营业。" in page  # the removed clause
    assert "用户投诉应当在 7 日内处理完毕。" in page  # the added one
    assert "1 道关联了修改或删除条款的试题将标记为待复核" in page
    assert "营业场所应在醒目位置公示营业时间。" not in page, "unchanged clauses only on request"
    assert "营业场所应在醒目位置公示营业时间。" in client.get(response["Location"] + "?all=1").content.decode()


def test_upload_in_gb18030_is_read(org, as_):
    response = upload(as_(org.sam), "std.md", md(title="国标编码的标准").encode("gb18030"), unit="JLS")
    assert response.status_code == 302
    assert Standard.objects.get(code="JLQC").title == "国标编码的标准"


def test_a_malformed_upload_lists_its_problems_and_writes_nothing(org, as_):
    response = upload(as_(org.sam), "bad.md", md("# 第一章\n", kind="规章").encode(), unit="JLS")
    assert response.status_code == 200
    page = response.content.decode()
    assert "文件有 2 处问题，未导入任何内容" in page
    assert "第 4 行：类别“规章”无效" in page and "第 8 行：标题缺少条款编码锚点" in page
    assert not Standard.objects.exists()


def test_upload_excel_needs_the_particulars(org, as_):
    client = as_(org.sam)
    response = upload(client, "clauses.xlsx", workbook(GOOD), unit="JLS")
    assert response.status_code == 200 and "导入 Excel 时必须填写。" in response.content.decode()
    response = upload(client, "clauses.xlsx", workbook(GOOD), unit="JLS", code="JLTD", title="投递服务规范",
                      kind="company_rule", label="2024", effective_on="2024-01-01")
    assert response.status_code == 302
    assert StandardVersion.objects.get(standard__code="JLTD").revisions.count() == 5


def test_upload_refuses_other_file_types_and_units_outside_the_subtree(org, as_):
    client = as_(org.alice)
    response = upload(client, "rules.docx", b"PK\x03\x04", unit="CY")
    assert "请上传 .md 或 .xlsx 文件" in response.content.decode()
    response = upload(client, "std.md", md().encode(), unit="JH")
    assert response.status_code == 200 and not Standard.objects.exists()


def test_publishing_from_the_page_flags_questions_and_keeps_history(draft_2021, org, as_, make_question):
    q = make_question("Q-1", ["JLQC-2.3"])
    client = as_(org.sam)
    response = client.post(url("version_publish", "JLQC", "2021"))
    assert response.status_code == 302
    q.refresh_from_db()
    assert q.status == Question.Status.REVIEW
    page = client.get(url("standard_detail", "JLQC")).content.decode()
    assert "已废止" in page and "现行" in page
    old = client.get(url("version_detail", "JLQC", "2019")).content.decode()
    assert "用户查询给据邮件，应当在规定时限内答复。" in old, "the superseded wording stays readable"


def test_publishing_twice_is_refused_with_a_message(published, org, as_):
    response = as_(org.sam).post(url("version_publish", "JLQC", "2019"), follow=True)
    assert "只有草稿可以发布" in response.content.decode()


def test_a_draft_can_be_deleted_from_the_page(draft_2021, org, as_):
    response = as_(org.sam).post(url("version_delete", "JLQC", "2021"))
    assert response["Location"] == url("standard_detail", "JLQC")
    assert list(StandardVersion.objects.values_list("label", flat=True)) == ["2019"]


def test_diff_against_an_older_version_on_request(published, org, as_):
    version_publish(version=standard_import_markdown(text=V2021, unit=org.jls, actor=None), actor=None)
    third = V2019.replace('version: "2019"', 'version: "2023"').replace("2019-03-01", "2023-01-01")
    version_publish(version=standard_import_markdown(text=third, unit=org.jls, actor=None), actor=None)
    client = as_(org.sam)
    assert "修订对比：2021 版 → 2023 版" in client.get(url("version_diff", "JLQC", "2023")).content.decode()
    page = client.get(url("version_diff", "JLQC", "2023"), {"against": "2019"}).content.decode()
    assert "修订对比：2019 版 → 2023 版" in page and "两个版本的条款内容相同。" in page


def test_the_excel_template_downloads(org, as_):
    response = as_(org.alice).get(url("excel_template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["条款"]
    assert [c.value for c in sheet[1]] == ["条款编码*", "上级条款编码", "标题*", "正文"]
