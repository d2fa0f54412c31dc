"""The surveys' write rules: the shipped questionnaire, copying a year, frozen weights, collection
(validation naming the item, the client id's resend, one QR answer per device per outlet per day),
review and the sample plan."""
from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postqc.org.models import Outlet
from postqc.org.services import outlet_update
from postqc.standards.models import Clause, Standard
from postqc.surveys import selectors, services
from postqc.surveys.models import Dimension, Item, Rating, Response, Survey

from .survey_factories import answers, at, submit
from .survey_factories import survey as survey  # noqa: F401  (the fixture)


# --- The questionnaire -------------------------------------------------------------------------------


def test_the_shipped_questionnaire_follows_the_2016_precedent(org):
    standard = Standard.objects.create(code="JLFW", title="营业服务规范", kind="company_rule", unit=org.jls)
    Clause.objects.create(standard=standard, code="JLFW-3.13")
    survey = services.survey_create_from_template(code="S", title="调查", year=2019, unit=org.jls)
    assert list(survey.parts.values_list("title", flat=True)) == ["一、总体评价", "二、服务评价", "三、受访者信息"]
    assert list(survey.dimensions.values_list("name", flat=True)) == [
        "邮政设施", "营业服务", "投递服务", "查询服务", "邮件丢失或损毁", "邮件赔偿", "投诉处理"]
    assert sum(survey.dimensions.values_list("weight", flat=True)) == Decimal(1)
    rated = survey.items.filter(dimension__isnull=False)
    assert list(rated.values_list("code", flat=True)) == [f"SF{n:02d}" for n in range(1, 22)]
    assert set(rated.filter(allow_na=True).values_list("dimension__name", flat=True)) >= {"查询服务", "邮件赔偿", "投诉处理"}
    overall = survey.items.get(is_overall=True)
    assert (overall.code, overall.dimension, overall.part.code) == ("OV01", None, "P1")
    assert overall.scale_labels == {"1": "很不满意", "2": "不满意", "3": "一般", "4": "满意", "5": "很满意"}
    assert list(survey.profile_questions.values_list("text", flat=True)) == ["性别", "年龄段", "文化程度", "职业", "使用过的业务"]
    assert survey.profile_questions.get(code="services").multiple
    # Linked where the clause exists, and only there.
    assert survey.items.get(code="SF04").clause.code == "JLFW-3.13"
    assert survey.items.get(code="SF05").clause is None


def test_copying_a_survey_keeps_item_codes_weights_and_plan_as_a_draft(survey, org):
    copy = services.survey_copy(source=survey, code="SQ2020", year=2020, actor=org.sam)
    assert (copy.status, copy.frozen_at, copy.copied_from, copy.title) == (
        Survey.Status.DRAFT, None, survey, "2020年度邮政普遍服务满意度调查")
    assert list(copy.items.values_list("code", "text", "weight", "allow_na")) == list(
        survey.items.values_list("code", "text", "weight", "allow_na"))
    assert list(copy.dimensions.values_list("code", "weight")) == list(survey.dimensions.values_list("code", "weight"))
    assert {(i.code, i.dimension.code if i.dimension else None) for i in copy.items.select_related("dimension")} == {
        (i.code, i.dimension.code if i.dimension else None) for i in survey.items.select_related("dimension")}
    assert list(copy.quotas.values_list("unit_id", "target")) == list(survey.quotas.values_list("unit_id", "target"))
    with pytest.raises(ValidationError) as error:
        services.survey_copy(source=survey, code="SQ2020", year=2020)
    assert "code" in error.value.message_dict


def test_frozen_weights_and_structure_refuse_every_edit(survey, org):
    assert survey.is_frozen and survey.status == Survey.Status.COLLECTING
    with pytest.raises(ValidationError, match="冻结"):
        services.dimension_set_weights(survey=survey, weights={"FAC": "0.2", "CTR": "0.1"})
    with pytest.raises(ValidationError, match="冻结"):
        services.item_update(item=survey.items.get(code="SF01"), text="改过的题目")
    with pytest.raises(ValidationError, match="冻结"):
        services.survey_update(survey=survey, code="NEW")
    assert list(survey.dimensions.values_list("weight", flat=True))[:2] == [Decimal("0.1"), Decimal("0.2")]
    services.survey_update(survey=survey, title="新名称", target_index="86.5")  # not structure: allowed
    survey.refresh_from_db()
    assert (survey.title, survey.target_index) == ("新名称", Decimal("86.50"))


def test_weights_must_sum_to_one_and_name_known_dimensions(org):
    survey = services.survey_create_from_template(code="D", title="草稿", year=2019, unit=org.jls)
    with pytest.raises(ValidationError) as error:
        services.dimension_set_weights(survey=survey, weights={"FAC": "0.3"})
    assert "weights" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.dimension_set_weights(survey=survey, weights={"XYZ": "0.1", "FAC": "-1"})
    assert set(error.value.message_dict) == {"XYZ", "FAC"}
    services.dimension_set_weights(survey=survey, weights={"FAC": "0.2", "QRY": "0.0"})
    assert dict(survey.dimensions.values_list("code", "weight"))["FAC"] == Decimal("0.2")
    Dimension.objects.filter(survey=survey, code="CTR").update(weight=Decimal("0.9"))
    with pytest.raises(ValidationError):
        services.survey_start_collection(survey=survey)
    assert Survey.objects.get(pk=survey.pk).frozen_at is None


def test_managing_a_survey_needs_the_capability_and_the_unit_in_scope(org):
    with pytest.raises(PermissionDenied):
        services.survey_create_from_template(code="X", title="x", year=2019, unit=org.jls, actor=org.dora)
    with pytest.raises(PermissionDenied):
        services.survey_create_from_template(code="X", title="x", year=2019, unit=org.jls, actor=org.charlie)
    own = services.survey_create_from_template(code="JH19", title="蛟河", year=2019, unit=org.jh, actor=org.charlie)
    with pytest.raises(PermissionDenied):
        services.survey_update(survey=own, title="改", actor=org.alice)


# --- Collection --------------------------------------------------------------------------------------


def test_a_submission_stores_every_rating_with_its_stratum_and_is_approved_when_unflagged(survey, org):
    response, replayed = submit(survey, org.o_cy, ratings=answers(survey, SF17=None, SF18=None))
    assert not replayed
    assert response.status == Response.Status.APPROVED and response.flags == []
    assert response.stratum_id == org.cy.pk  # the district above 北京路支局
    assert Rating.objects.filter(response=response).count() == 23
    assert Rating.objects.get(response=response, item__code="SF17").value is None
    assert submit(survey, org.o_jh)[0].stratum_id == org.jh.pk


def test_bad_answers_are_refused_naming_each_item(survey, org):
    bad = answers(survey, SF05=7, SF06="x")
    del bad["SF01"]
    bad["SF02"] = None  # 不适用 on an item that does not allow it
    bad["ZZ99"] = 3
    with pytest.raises(ValidationError) as error:
        submit(survey, org.o_cy, ratings=bad)
    errors = error.value.message_dict
    assert errors["SF05"] == ["评分须在 1–5 之间"]
    assert set(errors) == {"SF01", "SF02", "SF05", "SF06", "ZZ99"}
    with pytest.raises(ValidationError) as error:
        submit(survey, org.o_cy, profile={"sex": "x", "services": ["letters", "boats"], "pet": "cat"})
    assert set(error.value.message_dict) == {"sex", "services", "pet"}
    assert not Response.objects.exists()


def test_a_resend_with_the_same_client_id_returns_the_first_response(survey, org):
    client_id = uuid.uuid4()
    first, replayed = submit(survey, org.o_cy, client_id=client_id)
    again, replayed_again = submit(survey, org.o_cy, client_id=str(client_id), ratings=answers(survey, base=2))
    assert (replayed, replayed_again) == (False, True)
    assert again.pk == first.pk and Response.objects.count() == 1
    with pytest.raises(ValidationError) as error:
        submit(survey, org.o_cy, client_id="not-a-uuid")
    assert "client_id" in error.value.message_dict


def test_a_device_answers_an_outlet_once_a_day_by_qr(survey, org):
    device = services.device_hash_for("cookie-value-0123456789", org.o_cy)
    submit(survey, org.o_cy, channel=Response.Channel.QR, device_hash=device, submitted_at=at(0, 9))
    with pytest.raises(ValidationError) as error:
        submit(survey, org.o_cy, channel=Response.Channel.QR, device_hash=device, submitted_at=at(0, 15))
    assert "device" in error.value.message_dict
    submit(survey, org.o_cy, channel=Response.Channel.QR, device_hash=device, submitted_at=at(1, 9))  # next day
    other_outlet = services.device_hash_for("cookie-value-0123456789", org.o_jh)
    assert other_outlet != device
    submit(survey, org.o_jh, channel=Response.Channel.QR, device_hash=other_outlet, submitted_at=at(0, 9))
    with pytest.raises(ValidationError):
        submit(survey, org.o_cy, channel=Response.Channel.QR, device_hash="")
    assert Response.objects.count() == 3


def test_qr_needs_an_open_outlet_and_collection_needs_a_collecting_survey(survey, org):
    outlet_update(outlet=org.o_cy, status=Outlet.Status.SUSPENDED)
    with pytest.raises(ValidationError):
        submit(survey, org.o_cy, channel=Response.Channel.QR, device_hash="d" * 64)
    services.survey_close(survey=survey)
    with pytest.raises(ValidationError, match="采集期"):
        submit(survey, org.o_jh)


def test_interviewers_collect_only_with_the_capability_and_in_their_subtree(survey, org):
    response, _ = submit(survey, org.o_cy, channel=Response.Channel.INTERVIEWER, interviewer=org.bob)
    assert response.interviewer == org.bob and response.device_hash  # the interviewer is the device
    with pytest.raises(PermissionDenied):
        submit(survey, org.o_cy, channel=Response.Channel.INTERVIEWER, interviewer=org.dave)  # a courier
    with pytest.raises(PermissionDenied):
        submit(survey, org.o_jh, channel=Response.Channel.INTERVIEWER, interviewer=org.bob)  # another county


def test_a_flagged_response_waits_for_review_and_a_rejection_needs_a_reason(survey, org):
    straight = {code: 5 for code in answers(survey)}
    response, _ = submit(survey, org.o_cy, ratings=straight)
    assert (response.status, response.flags) == (Response.Status.PENDING, ["straightline"])
    assert list(selectors.review_queue(survey, org.alice)) == [response]
    assert list(selectors.review_queue(survey, org.charlie)) == []
    with pytest.raises(ValidationError):
        services.response_review(response=response, approve=False, actor=org.alice)
    with pytest.raises(PermissionDenied):
        services.response_review(response=response, approve=True, actor=org.charlie)
    services.response_review(response=response, approve=False, reason="全部同分，电话回访未接通", actor=org.alice)
    response.refresh_from_db()
    assert (response.status, response.reviewed_by, response.review_reason) == (
        Response.Status.REJECTED, org.alice, "全部同分，电话回访未接通")


# --- Plan and reads ----------------------------------------------------------------------------------


def test_the_plan_shows_progress_per_unit_in_scope(survey, org):
    for _n in range(3):
        submit(survey, org.o_cy)
    submit(survey, org.o_jh)
    submit(survey, org.o_jh, ratings={code: 4 for code in answers(survey)})  # straight line: pending
    rows = {r.unit.code: r for r in selectors.plan_progress(survey, org.sam)}
    assert (rows["CY"].target, rows["CY"].approved, rows["CY"].pending) == (250, 3, 0)
    assert (rows["JH"].target, rows["JH"].approved, rows["JH"].pending, rows["JH"].percent) == (200, 1, 1, 0.5)
    assert [r.unit.code for r in selectors.plan_progress(survey, org.charlie)] == ["JH"]
    services.quota_set(survey=survey, unit=org.cy, target=0)
    assert [r.unit.code for r in selectors.plan_progress(survey, org.sam)] == ["JH"]
    with pytest.raises(ValidationError):
        services.quota_set(survey=survey, unit=org.jl, target=10)  # above the survey's unit


def test_surveys_for_offers_the_city_survey_to_a_county_and_filters_responses(survey, org):
    assert list(selectors.surveys_for(org.charlie)) == [survey]
    submit(survey, org.o_cy, submitted_at=at(0))
    submit(survey, org.o_jh, submitted_at=at(1), ratings={code: 3 for code in answers(survey)})
    assert selectors.responses(survey, org.charlie).count() == 1
    assert selectors.responses(survey, org.sam, {"flag": "straightline"}).count() == 1
    assert selectors.responses(survey, org.sam, {"unit": org.cy}).count() == 1
    assert selectors.responses(survey, org.sam, {"date_from": at(1).date()}).count() == 1


def test_the_qr_link_is_made_once_and_opens_the_current_survey(survey, org):
    link = services.outlet_link_for(outlet=org.o_cy)
    assert services.outlet_link_for(outlet=org.o_cy).token == link.token and len(link.token) == 24
    assert services.current_survey_for(org.o_cy) == survey
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    assert services.current_survey_for(org.o_cy) is None


def test_item_update_edits_a_draft_but_never_the_code(org):
    survey = services.survey_create_from_template(code="D", title="草稿", year=2019, unit=org.jls)
    item = survey.items.get(code="SF01")
    services.item_update(item=item, text="营业时间方便", weight=Decimal("2"))
    assert Item.objects.get(pk=item.pk).text == "营业时间方便"
    with pytest.raises(ValidationError) as error:
        services.item_update(item=item, code="SF99")
    assert "code" in error.value.message_dict
