"""Interviewer mode on the staff H5: who may collect, for which outlets, and a resend that is
recognised instead of counted twice."""
import uuid

import pytest
from django.urls import reverse

from postqc.surveys import services
from postqc.surveys.models import Response

from .view_fixtures import collecting_survey, form_data  # noqa: F401  (the "survey" fixture)


def fill_url(survey, outlet):
    return reverse("surveys:fill", args=[survey.code, outlet.code])


def test_staff_home_offers_the_survey_only_while_one_is_collecting(as_, org):
    client = as_(org.bob)
    assert "满意度调查" not in client.get(reverse("staff:home")).content.decode()
    s = services.survey_create_from_template(code="JLS-2019", title="2019年度调查", year=2019, unit=org.jls)
    assert "满意度调查" not in client.get(reverse("staff:home")).content.decode(), "a draft is not offered"
    services.survey_start_collection(survey=s)
    page = client.get(reverse("staff:home")).content.decode()
    assert reverse("surveys:home") in page


def test_couriers_do_not_get_interviewer_mode(as_, org, survey):
    client = as_(org.dave)
    assert reverse("surveys:home") not in client.get(reverse("staff:home")).content.decode()
    assert client.get(reverse("surveys:home")).status_code == 403


def test_clerk_picks_an_outlet_of_their_own_subtree_only(as_, org, survey):
    page = as_(org.bob).get(reverse("surveys:home")).content.decode()
    assert "北京路营业所" in page and "黄松甸营业所" not in page
    assert as_(org.bob).get(fill_url(survey, org.o_jh)).status_code == 404


def test_outlet_search_narrows_the_list(as_, org, survey):
    page = as_(org.alice).get(reverse("surveys:home"), {"q": "黄松甸"}).content.decode()
    assert "没有找到符合条件的网点" in page


def test_interviewer_submits_and_sees_the_submitted_page(as_, org, survey):
    client = as_(org.bob)
    page = client.get(fill_url(survey, org.o_cy))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="r_SF01"' in html and 'name="client_id"' in html and "data-sv" in html
    response = client.post(fill_url(survey, org.o_cy), form_data(survey))
    stored = Response.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("surveys:done", args=[survey.code, stored.code])
    assert stored.channel == Response.Channel.INTERVIEWER and stored.interviewer == org.bob
    assert stored.outlet == org.o_cy and stored.stratum == org.cy
    assert 150 <= stored.duration_seconds <= 210, "the signed serving time gives the duration"
    assert stored.profile == {"sex": "f", "age": "30_39", "services": ["letters", "parcels"]}
    done = client.get(response.url).content.decode()
    assert "已提交" in done and "下一位客户" in done


def test_a_resend_with_the_same_client_id_is_recognised_not_counted_twice(as_, org, survey):
    client = as_(org.bob)
    data = form_data(survey, client_id=uuid.uuid4())
    first = client.post(fill_url(survey, org.o_cy), data)
    again = client.post(fill_url(survey, org.o_cy), data)
    assert Response.objects.count() == 1
    assert again.url == first.url + "?again=1"
    assert "没有重复计数" in client.get(again.url).content.decode()


def test_a_missing_answer_is_shown_on_its_question_and_nothing_is_stored(as_, org, survey):
    data = form_data(survey)
    del data["r_SF05"]
    data["r_SF12"] = "na"  # 不适用 is fine where allowed
    data["r_SF04"] = "na"  # … and refused where not
    page = as_(org.bob).post(fill_url(survey, org.o_cy), data)
    assert page.status_code == 422
    html = page.content.decode()
    assert html.count("sv-q sv-missing") == 2
    assert "请作答此题。" in html
    assert 'value="na" checked' in html, "the answers given stay chosen"
    assert not Response.objects.exists()


def test_a_forged_start_time_is_ignored(as_, org, survey):
    as_(org.bob).post(fill_url(survey, org.o_cy), form_data(survey, started="1700000000"))
    assert Response.objects.get().duration_seconds is None


def test_the_submitted_page_is_the_interviewers_own(as_, org, survey):
    as_(org.bob).post(fill_url(survey, org.o_cy), form_data(survey))
    url = reverse("surveys:done", args=[survey.code, Response.objects.get().code])
    assert as_(org.hank).get(url).status_code == 404


def test_progress_shows_my_units_plan(as_, org, survey):
    client = as_(org.bob)
    client.post(fill_url(survey, org.o_cy), form_data(survey))
    page = client.get(reverse("surveys:home")).content.decode()
    assert "船营区分公司 样本计划" in page
    assert "<strong>1</strong> / 250" in page
    assert "我今天 1 份" in page


def test_the_last_outlet_is_offered_first(as_, org, survey):
    client = as_(org.alice)
    client.get(fill_url(survey, org.o_cy))
    page = client.get(reverse("surveys:home")).content.decode()
    assert "上次的网点" in page


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_a_survey_not_collecting_says_so(as_, org, survey, status):
    survey.status = status
    survey.save(update_fields=["status"])
    page = as_(org.bob).get(fill_url(survey, org.o_cy))
    assert "不在采集期内" in page.content.decode()
