"""Manager pages of surveys: permissions, scoping, the questionnaire and its frozen weights, the
plan, review, responses and their export, paper import, QR posters."""
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from postqc.surveys import services
from postqc.surveys.models import Quota, Response, Survey

from .view_fixtures import collecting_survey, submit  # noqa: F401  (the "survey" fixture)


def url(name, *args):
    return reverse(f"surveys_manage:{name}", args=args)


@pytest.fixture
def admin(org):
    """sam, 系统管理员 of the city: the one persona who runs the city's survey."""
    return org.sam


# --- Permissions and scope ----------------------------------------------------------------------


def test_clerk_cannot_open_the_manager_pages(as_, org, survey):
    client = as_(org.bob)
    for target in (url("survey_list"), url("survey_detail", survey.code), url("report", survey.code),
                   url("poster_list")):
        assert client.get(target).status_code == 403, target


def test_a_leader_reads_but_does_not_write(as_, org, survey):
    client = as_(org.dora)
    assert client.get(url("survey_detail", survey.code)).status_code == 200
    assert client.get(url("survey_create")).status_code == 403
    assert client.post(url("survey_close", survey.code)).status_code == 403
    response = submit(survey, org.o_cy, base=5, channel=Response.Channel.QR, device_hash="d" * 64)
    assert client.post(url("response_review", survey.code, response.code), {"decision": "approve"}).status_code == 403


def test_a_county_manager_opens_the_city_survey_but_sees_only_their_county(as_, org, survey):
    cy = submit(survey, org.o_cy)
    jh = submit(survey, org.o_jh)
    client = as_(org.charlie)
    page = client.get(url("response_list", survey.code)).content.decode()
    assert "黄松甸营业所" in page and "北京路营业所" not in page
    assert client.get(url("response_detail", survey.code, cy.code)).status_code == 404
    assert client.get(url("response_detail", survey.code, jh.code)).status_code == 200


def test_charlie_cannot_open_posters_of_chuanying_outlets(as_, org, survey):
    client = as_(org.charlie)
    assert client.get(url("poster", org.o_cy.code)).status_code == 404
    assert client.get(url("unit_posters", org.cy.code)).status_code == 404
    assert "北京路营业所" not in client.get(url("poster_list")).content.decode()


def test_a_survey_of_another_county_is_404(as_, org):
    own = services.survey_create_from_template(code="JH-2019", title="蛟河2019", year=2019, unit=org.jh)
    assert as_(org.alice).get(url("survey_detail", own.code)).status_code == 404
    assert as_(org.charlie).get(url("survey_detail", own.code)).status_code == 200


# --- The questionnaire ----------------------------------------------------------------------------


def test_quality_manager_creates_a_survey_from_the_template(as_, org):
    client = as_(org.alice)
    response = client.post(url("survey_create"), {"code": "CY-2019", "title": "船营区2019年调查", "year": "2019",
                                                  "unit": org.cy.code, "target_index": "85"})
    created = Survey.objects.get(code="CY-2019")
    assert response.url == url("survey_detail", "CY-2019")
    assert created.unit == org.cy and created.items.count() == 23 and created.target_index == Decimal("85.00")


def test_a_survey_code_the_urls_need_is_refused(as_, org):
    page = as_(org.alice).post(url("survey_create"), {"code": "posters", "title": "x", "year": "2019",
                                                      "unit": org.cy.code})
    assert "系统保留字" in page.content.decode()
    assert not Survey.objects.exists()


def test_copy_from_last_year_keeps_the_item_codes(as_, org, admin, survey):
    client = as_(admin)
    assert client.get(url("survey_copy")).status_code == 200
    client.post(url("survey_copy"), {"source": survey.code, "code": "JLS-2020", "year": "2020"})
    copy = Survey.objects.get(code="JLS-2020")
    assert copy.copied_from == survey
    assert list(copy.items.values_list("code", flat=True)) == list(survey.items.values_list("code", flat=True))


def test_weights_are_editable_until_collection_freezes_them(as_, org, admin):
    draft = services.survey_create_from_template(code="JLS-2020", title="2020年调查", year=2020, unit=org.jls)
    client = as_(admin)
    page = client.get(url("survey_detail", draft.code)).content.decode()
    assert "保存权重" in page and "未冻结" in page
    weights = {f"w_{d.code}": str(d.weight) for d in draft.dimensions.all()}
    weights.update(w_FAC="0.1500", w_CTR="0.1500")
    client.post(url("survey_weights", draft.code), weights)
    assert draft.dimensions.get(code="FAC").weight == Decimal("0.15")

    bad = {**weights, "w_FAC": "0.5000"}
    client.post(url("survey_weights", draft.code), bad)
    assert draft.dimensions.get(code="FAC").weight == Decimal("0.15"), "a sum other than 1 is refused"

    client.post(url("survey_start", draft.code))
    draft.refresh_from_db()
    assert draft.status == Survey.Status.COLLECTING and draft.is_frozen
    page = client.get(url("survey_detail", draft.code)).content.decode()
    assert "保存权重" not in page and "已冻结" in page
    client.post(url("survey_weights", draft.code), weights)
    assert draft.dimensions.get(code="FAC").weight == Decimal("0.15")
    assert "已冻结" in client.get(url("survey_detail", draft.code)).content.decode()


def test_closing_collection(as_, org, admin, survey):
    as_(admin).post(url("survey_close", survey.code))
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED


# --- The plan -------------------------------------------------------------------------------------


def test_plan_progress_counts_approved_and_pending_per_unit(as_, org, admin, survey):
    submit(survey, org.o_cy)
    submit(survey, org.o_cy)
    pending = submit(survey, org.o_cy, channel=Response.Channel.QR, device_hash="e" * 64)
    Response.objects.filter(pk=pending.pk).update(status=Response.Status.PENDING, flags=["speeder"])
    page = as_(admin).get(url("plan", survey.code)).content.decode()
    assert "2 / 450" in page
    assert '<progress class="sv-bar" value="2" max="250"' in page
    county = as_(org.charlie).get(url("plan", survey.code)).content.decode()
    assert "蛟河市分公司" in county and "船营区分公司" not in county


def test_the_plan_progress_downloads_as_excel_within_scope(as_, org, admin, survey):
    submit(survey, org.o_cy)
    submit(survey, org.o_cy, channel=Response.Channel.QR, device_hash="e" * 64)

    def rows(user):
        response = as_(user).get(url("plan", survey.code), {"format": "xlsx"})
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        return [[c.value for c in r] for r in sheet.iter_rows()]

    city = rows(admin)
    assert city[0] == ["单位编码", "单位", "配额", "计划", "有效", "待审核", "完成率(%)", "访员代填", "扫码自填", "纸质录入"]
    assert city[1:] == [["CY", "船营区分公司", "合计", 250, 2, 0, 0.8, 0, 1, 1],  # as the page: approved by channel
                        ["JH", "蛟河市分公司", "合计", 200, 0, 0, 0, 0, 0, 0]]
    assert {r[0] for r in rows(org.charlie)[1:]} == {"JH"}  # 蛟河's manager: none of 船营's
    assert 'href="?format=xlsx"' in as_(admin).get(url("plan", survey.code)).content.decode()


def test_the_plan_table_saves_every_cell(as_, org, admin, survey):
    cy_all = f"q_{org.cy.pk}_all"
    data = {cy_all: "300", f"q_{org.cy.pk}_qr": "100", f"q_{org.jh.pk}_all": "200"}
    as_(admin).post(url("plan_save", survey.code), data)
    assert Quota.objects.get(survey=survey, unit=org.cy, channel="").target == 300
    assert Quota.objects.get(survey=survey, unit=org.cy, channel="qr").target == 100
    assert Quota.objects.filter(survey=survey).count() == 3


def test_a_county_manager_cannot_change_the_city_plan(as_, org, survey):
    assert as_(org.charlie).post(url("plan_save", survey.code), {f"q_{org.jh.pk}_all": "5"}).status_code == 403
    assert Quota.objects.get(survey=survey, unit=org.jh, channel="").target == 200


# --- Review ---------------------------------------------------------------------------------------


@pytest.fixture
def flagged(org, survey):
    response = submit(survey, org.o_cy, channel=Response.Channel.QR, device_hash="f" * 64)
    Response.objects.filter(pk=response.pk).update(status=Response.Status.PENDING, flags=["speeder", "straightline"])
    return response


def test_review_queue_shows_flags_and_answers(as_, org, admin, survey, flagged):
    page = as_(admin).get(url("review_queue", survey.code)).content.decode()
    assert "答题过快" in page and "全部同分" in page
    assert "SF01" in page and "判为无效" in page


def test_approve_counts_the_response(as_, org, admin, survey, flagged):
    back = url("review_queue", survey.code)
    response = as_(admin).post(url("response_review", survey.code, flagged.code), {"decision": "approve", "next": back})
    assert response.url == back
    flagged.refresh_from_db()
    assert flagged.status == Response.Status.APPROVED and flagged.reviewed_by == admin


def test_reject_needs_a_reason(as_, org, admin, survey, flagged):
    client = as_(admin)
    client.post(url("response_review", survey.code, flagged.code), {"decision": "reject"})
    flagged.refresh_from_db()
    assert flagged.status == Response.Status.PENDING
    client.post(url("response_review", survey.code, flagged.code), {"decision": "reject", "reason": "同一人重复填写"})
    flagged.refresh_from_db()
    assert flagged.status == Response.Status.REJECTED and flagged.review_reason == "同一人重复填写"


def test_review_from_outside_the_subtree_is_404(as_, org, survey, flagged):
    assert as_(org.charlie).post(url("response_review", survey.code, flagged.code),
                                 {"decision": "approve"}).status_code == 404


# --- Responses ------------------------------------------------------------------------------------


def test_responses_list_query_count_does_not_grow_with_rows(as_, org, admin, survey, django_assert_max_num_queries):
    client = as_(admin)
    submit(survey, org.o_cy)
    client.get(url("response_list", survey.code))  # warm the session and the permission caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url("response_list", survey.code))
    for n in range(12):
        submit(survey, org.o_jh if n % 2 else org.o_cy, interviewer=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url("response_list", survey.code))
    assert "共 13 份" in page.content.decode()


def test_responses_filter_by_status_and_unit(as_, org, admin, survey, flagged):
    submit(survey, org.o_jh)
    client = as_(admin)
    page = client.get(url("response_list", survey.code), {"status": "pending"}).content.decode()
    assert "共 1 份" in page
    page = client.get(url("response_list", survey.code), {"unit": org.jh.code}).content.decode()
    assert "共 1 份" in page and "黄松甸营业所" in page


def test_responses_export_has_a_column_per_item_and_only_the_managers_subtree(as_, org, survey):
    submit(survey, org.o_cy)
    submit(survey, org.o_jh, base=3)
    response = as_(org.charlie).get(url("response_export", survey.code))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    for code in ("OV01", "EX01", "SF01", "SF21"):
        assert any(h and h.rstrip("*") == code for h in header), code
    assert len(rows) == 2, "charlie sees his county's response only"
    assert rows[1][header.index("网点编码*")] == "O-JH-1"


# --- Paper import ---------------------------------------------------------------------------------


def _paper(survey, rows):
    items = list(survey.items.order_by("position").values_list("code", flat=True))
    wb = Workbook()
    ws = wb.active
    ws.title = "问卷"
    ws.append(["网点编码", "访问日期", "问卷编号", *items])
    for outlet, number, score in rows:
        ws.append([outlet, "2019-05-06", number, *([score, score + 1] * 20)[:len(items)]])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "paper.xlsx"
    return out


def test_paper_import_writes_rows_and_reports_errors_by_row_and_column(as_, org, admin, survey):
    client = as_(admin)
    bad = client.post(url("response_import", survey.code), {"file": _paper(survey, [("O-CY-1", "1", 3),
                                                                                    ("O-NOPE", "2", 3)])})
    html = bad.content.decode()
    assert "网点“O-NOPE”不存在" in html and "未写入" in html
    assert not Response.objects.exists()
    client.post(url("response_import", survey.code), {"file": _paper(survey, [("O-CY-1", "1", 3), ("O-JH-1", "2", 4)])})
    assert Response.objects.filter(channel=Response.Channel.PAPER).count() == 2


def test_paper_import_template_downloads(as_, org, admin, survey):
    response = as_(admin).get(url("import_template", survey.code))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames[0] == "问卷"


# --- Posters --------------------------------------------------------------------------------------


def test_poster_carries_the_qr_code_of_the_absolute_short_url(as_, org, survey):
    page = as_(org.alice).get(url("poster", org.o_cy.code))
    html = page.content.decode()
    token = services.outlet_link_for(outlet=org.o_cy).token
    assert f"http://testserver/s/{token}" in html
    assert "扫码评价我们的服务" in html and "北京路营业所" in html
    assert '<svg viewBox="0 0' in html and "<script>" not in html and 'style="' not in html


def test_a_units_posters_print_one_per_outlet(as_, org, admin, survey):
    html = as_(admin).get(url("unit_posters", org.jls.code)).content.decode()
    assert html.count('class="poster"') == 2


def test_poster_list_shows_links_once_made(as_, org, survey):
    client = as_(org.alice)
    assert "打开海报时生成" in client.get(url("poster_list")).content.decode()
    client.get(url("poster", org.o_cy.code))
    assert "/s/" in client.get(url("poster_list")).content.decode()


def test_only_the_unit_running_the_survey_imports_paper(as_, org, survey):
    client = as_(org.charlie)
    assert client.get(url("response_import", survey.code)).status_code == 403
    assert "纸质问卷导入" not in client.get(url("response_list", survey.code)).content.decode()
