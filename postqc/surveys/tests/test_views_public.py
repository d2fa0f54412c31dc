"""The customer's survey behind an outlet's QR code: anonymous, one per device per outlet per
day, rate-limited, CSRF-protected, small."""
import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from postqc.surveys import services
from postqc.surveys.models import Response
from postqc.surveys.views_public import DEVICE_COOKIE, RATE_LIMIT

from .view_fixtures import collecting_survey, form_data  # noqa: F401  (the "survey" fixture)

# A weekday at 10:00 in Jilin, inside any outlet's hours.
MORNING = dt.datetime(2019, 5, 6, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def link(outlet):
    return reverse("surveys_public:survey", args=[services.outlet_link_for(outlet=outlet).token])


@pytest.fixture
def customer():
    return Client(enforce_csrf_checks=True)


def post(client, url, data):
    """Post like the browser does: the CSRF token from the page's form."""
    page = client.get(url).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def test_unknown_token_is_404(client, survey):
    assert client.get(reverse("surveys_public:survey", args=["no-such-token"])).status_code == 404


def test_the_page_opens_the_outlets_current_survey_anonymously(client, org, survey):
    page = client.get(link(org.o_cy))
    html = page.content.decode()
    assert page.status_code == 200
    assert "北京路营业所" in html and survey.title in html and 'name="r_SF21"' in html
    cookie = page.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"] == 365 * 24 * 3600
    assert "<script>" not in html and 'style="' not in html, "the CSP forbids inline code"


def test_first_load_is_small(client, org, survey):
    """≤ 150 KB on a phone: the page and what it loads (measured uncompressed, so with room to spare)."""
    from django.contrib.staticfiles import finders

    html = client.get(link(org.o_cy)).content
    assets = ["core/css/app.css", "core/js/app.js", "vendor/htmx-2.0.11/htmx.min.js", "surveys/survey.css",
              "surveys/survey.js"]
    total = len(html) + sum(len(open(finders.find(a), "rb").read()) for a in assets)
    assert total <= 150 * 1024, total


def test_no_collecting_survey_is_a_polite_page(client, org):
    page = client.get(link(org.o_cy))
    assert page.status_code == 200
    assert "暂时没有进行中的调查" in page.content.decode()


@time_machine.travel(MORNING, tick=False)
def test_customer_submits_and_is_thanked(customer, org, survey):
    url = link(org.o_cy)
    response = post(customer, url, form_data(survey))
    assert response.status_code == 302 and response.url.endswith("/thanks")
    stored = Response.objects.get()
    assert stored.channel == Response.Channel.QR and stored.interviewer is None
    assert len(stored.device_hash) == 64 and stored.status == Response.Status.APPROVED
    assert "感谢您的评价" in customer.get(response.url).content.decode()


@time_machine.travel(MORNING, tick=False)
def test_second_response_from_the_same_device_the_same_day_is_turned_away(customer, org, survey):
    url = link(org.o_cy)
    post(customer, url, form_data(survey))
    again = post(customer, url, form_data(survey))  # a new questionnaire, not a resend
    assert again.status_code == 302 and again.url == url
    assert "今日已提交" in customer.get(url).content.decode()
    assert Response.objects.count() == 1


@time_machine.travel(MORNING, tick=False)
def test_the_same_device_may_rate_another_outlet_and_come_back_tomorrow(customer, org, survey):
    post(customer, link(org.o_cy), form_data(survey))
    assert post(customer, link(org.o_jh), form_data(survey)).url.endswith("/thanks")
    with time_machine.travel(MORNING + dt.timedelta(days=1), tick=False):
        assert post(customer, link(org.o_cy), form_data(survey)).url.endswith("/thanks")
    assert Response.objects.count() == 3


@time_machine.travel(MORNING, tick=False)
def test_a_resend_lands_on_the_thank_you_page_once(customer, org, survey):
    url = link(org.o_cy)
    data = form_data(survey)
    post(customer, url, data)
    assert post(customer, url, data).url.endswith("/thanks")
    assert Response.objects.count() == 1


@time_machine.travel(MORNING, tick=False)
def test_submissions_are_rate_limited_by_ip(org, survey):
    url = link(org.o_cy)
    for n in range(RATE_LIMIT):
        fresh = Client()  # a new device each time: only the IP is shared
        assert fresh.post(url, form_data(survey)).status_code == 302, n
    blocked = Client().post(url, form_data(survey))
    assert blocked.status_code == 429
    assert "提交过于频繁" in blocked.content.decode()
    assert Response.objects.count() == RATE_LIMIT


def test_posting_without_the_csrf_token_is_refused(customer, org, survey):
    assert customer.post(link(org.o_cy), form_data(survey)).status_code == 403
    assert not Response.objects.exists()


@time_machine.travel(MORNING, tick=False)
def test_a_missing_answer_comes_back_with_the_reason(customer, org, survey):
    data = form_data(survey)
    del data["r_OV01"]
    page = post(customer, link(org.o_cy), data)
    assert page.status_code == 422
    assert "请作答此题。" in page.content.decode()
    assert not Response.objects.exists()


def test_a_closed_outlet_gets_the_polite_page(client, org, survey):
    from postqc.org.services import outlet_set_status

    outlet_set_status(outlet=org.o_cy, status="closed", note="撤并")
    assert "暂时没有进行中的调查" in client.get(link(org.o_cy)).content.decode()
