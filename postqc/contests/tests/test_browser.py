"""A mock exam on a phone, from start to result, in Debian's Chromium."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from postqc.browser_tests.conftest import _chromium, browser, phone, pytest_runtest_makereport, sign_in  # noqa: F401
from postqc.contests.models import Attempt, AttemptItem
from postqc.contests.services import to_displayed_keys

pytestmark = pytest.mark.browser


@pytest.fixture
def frozen():
    """The live server keeps real time here: the page's clock and the server's must agree."""
    yield None


def expect():
    from playwright.sync_api import expect

    return expect


def start_exam(phone, sign_in, live_server, org):
    sign_in(phone, "B001", org.password)
    phone.goto(f"{live_server.url}/m/mock/")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="开始考试").tap()
    expect()(phone).to_have_url(re.compile(r"/m/attempts/[0-9a-f-]+/$"))
    return Attempt.objects.get(staff=org.bob)


def test_a_clerk_takes_a_mock_exam_from_start_to_result(phone, sign_in, live_server, org, mock_exam):
    attempt = start_exam(phone, sign_in, live_server, org)
    first = AttemptItem.objects.select_related("version").get(attempt=attempt, position=1)
    right = to_displayed_keys(first, first.version.answer)[0]
    question = phone.locator("#q-1")
    question.locator("label.exam-opt", has_text=re.compile(f"^{right}")).tap()
    expect()(question.locator(".exam-saved")).to_have_text("已保存")
    expect()(phone.locator("#answered-count")).to_have_text("1")
    expect()(phone.locator("#nav-1")).to_have_class("answered")
    assert AttemptItem.objects.get(pk=first.pk).response == ["B"]

    fill = phone.locator("#q-12 input[type=text]")
    fill.fill("挂号信")
    fill.press("Enter")
    expect()(phone.locator("#q-12 .exam-saved")).to_have_text("已保存")
    expect()(phone.locator("#answered-count")).to_have_text("2")

    # A dropped connection: resume on reload, answers still there.
    phone.reload()
    expect()(phone.locator("#q-1 input:checked")).to_have_value(right)
    expect()(phone.locator("#q-12 input[type=text]")).to_have_value("挂号信")
    assert phone.locator("[data-clock]").inner_text().startswith(("29:", "30:"))

    asked = []
    phone.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    phone.locator(".exam-bar").get_by_role("button", name="交卷").tap()
    expect()(phone).to_have_url(re.compile(r"/result/$"))
    assert asked[0].startswith("还有 11 题未作答")
    expect()(phone.locator(".score-value b")).to_have_text("4")
    expect()(phone.locator("#q-1")).to_contain_text("正确答案：")
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.score == 4


def test_when_the_clock_reaches_zero_the_page_submits_itself(phone, sign_in, live_server, org, mock_exam):
    attempt = start_exam(phone, sign_in, live_server, org)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + dt.timedelta(seconds=3))
    phone.reload()
    expect()(phone).to_have_url(re.compile(r"/result/$"), timeout=15_000)
    attempt.refresh_from_db()
    assert attempt.status in (Attempt.Status.SUBMITTED, Attempt.Status.EXPIRED)
