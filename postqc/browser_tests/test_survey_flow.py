"""Satisfaction surveys in the browser: a customer answers an outlet's QR survey on a 375 px phone
and a manager sees it counted; an interviewer fills one in for a customer; the report draws its
charts. Set POSTQC_SCREENSHOTS=<folder> to keep screenshots of the pages for a look."""
import os
import random
import re
from pathlib import Path

import pytest

from postqc.surveys import services
from postqc.surveys.tests.view_fixtures import approved_responses, start

pytestmark = pytest.mark.browser


def expect():
    from playwright.sync_api import expect

    return expect


def shot(page, name: str, *, full_page: bool = True) -> None:
    folder = os.environ.get("POSTQC_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


@pytest.fixture
def survey(org):
    return start(services.survey_create_from_template(code="JLS-2019", title="2019年度邮政普遍服务满意度调查",
                                                      year=2019, unit=org.jls, target_index=86))


def fits_the_screen(page, width=375) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth") <= width


def answer_everything(page, survey, *, score=4):
    """Tap a score on every rated question (不适用 on one that allows it), then the profile."""
    for n, item in enumerate(survey.items.order_by("position")):
        question = page.locator(f"#q-{item.code}")
        if item.allow_na and n == 12:
            question.get_by_text("不适用").tap()
        else:
            question.locator(".sv-opt").nth(score - 1 - (n % 3 == 0)).tap()
    page.locator("#p-sex").get_by_text("女", exact=True).tap()
    page.locator("#p-age").get_by_text("30–39岁").tap()
    page.locator("#p-services").get_by_text("包裹", exact=True).tap()


def test_customer_answers_by_qr_and_the_manager_sees_it_counted(phone, desktop, sign_in, live_server, org, survey):
    from postqc.surveys.models import Response

    token = services.outlet_link_for(outlet=org.o_cy).token
    page = phone
    page.goto(f"{live_server.url}/s/{token}")
    expect()(page.get_by_role("heading", name=survey.title)).to_be_visible()
    expect()(page.get_by_text("北京路营业所")).to_be_visible()
    assert fits_the_screen(page)
    first = page.locator("#q-OV01 .sv-opt").first
    assert first.bounding_box()["height"] >= 48, "a score is a comfortable thumb target"
    shot(page, "public-375-empty")

    page.get_by_role("button", name="提交问卷").tap()
    expect()(page.get_by_text(re.compile(r"还有 \d+ 题没有作答"))).to_be_visible()
    assert Response.objects.count() == 0, "nothing is sent while answers are missing"

    answer_everything(page, survey)
    expect()(page.locator("[data-sv-count]")).to_have_text(re.compile(r"已答 2[0-9]/2[0-9]"))
    page.get_by_label("意见和建议").fill("营业厅很干净，希望周末多开一个窗口。")
    shot(page, "public-375-filled")
    page.locator("#q-SF08").scroll_into_view_if_needed()
    shot(page, "public-375-screen", full_page=False)
    page.get_by_role("button", name="提交问卷").tap()
    expect()(page.get_by_role("heading", name="感谢您的评价！")).to_be_visible()
    assert fits_the_screen(page)
    shot(page, "public-375-thanks")

    stored = Response.objects.get()
    assert stored.channel == Response.Channel.QR and stored.comment.startswith("营业厅很干净")
    assert stored.duration_seconds is not None

    page.goto(f"{live_server.url}/s/{token}")
    expect()(page.get_by_role("heading", name="今日已提交")).to_be_visible()

    manager = desktop
    sign_in(manager, "S001", org.password)
    manager.goto(f"{live_server.url}/manage/surveys/")
    manager.get_by_role("link", name="进度").first.click()
    expect()(manager.get_by_role("heading", name="完成进度")).to_be_visible()
    row = manager.locator("table.sv-progress tbody tr", has_text="船营区分公司")
    expect()(row.locator("td").nth(3)).to_have_text(str(1 if stored.status == Response.Status.APPROVED else 0))
    shot(manager, "plan-desktop")
    manager.get_by_role("link", name="问卷明细").click()
    expect()(manager.get_by_text("共 1 份")).to_be_visible()
    expect()(manager.get_by_role("cell", name=re.compile("北京路营业所"))).to_be_visible()
    shot(manager, "responses-desktop")


def test_interviewer_fills_in_for_a_customer_on_the_staff_h5(phone, sign_in, live_server, org, survey):
    from postqc.surveys.models import Response

    page = phone
    sign_in(page, "B001", org.password)
    page.get_by_role("link", name=re.compile("满意度调查")).tap()
    expect()(page).to_have_url(f"{live_server.url}/m/survey/")
    page.get_by_role("searchbox", name="搜索网点").fill("北京路")
    page.get_by_role("link", name=re.compile("北京路营业所")).tap()
    expect()(page.get_by_role("heading", name=survey.title)).to_be_visible()
    assert fits_the_screen(page)
    answer_everything(page, survey, score=5)
    shot(page, "interviewer-375")
    page.get_by_role("button", name="提交问卷").tap()
    expect()(page.get_by_role("heading", name="已提交")).to_be_visible()
    expect()(page.get_by_text("我今天 1 份")).to_be_visible()
    shot(page, "interviewer-375-done")
    assert Response.objects.get().interviewer == org.bob

    page.get_by_role("link", name="下一位客户").tap()
    expect()(page.locator("[data-sv-count]")).to_have_text(re.compile(r"已答 0/"))


def test_a_dropped_submission_is_resent_and_counted_once(phone, live_server, org, survey):
    from postqc.surveys.models import Response

    page = phone
    dropped = []

    def deliver_then_drop(route):
        if not dropped and route.request.method == "POST":
            route.fetch()  # the server gets it; the phone never hears back
            dropped.append(route.request.post_data)
            route.abort("connectionreset")
        else:
            route.continue_()

    token = services.outlet_link_for(outlet=org.o_cy).token
    page.route(f"**/s/{token}", deliver_then_drop)
    page.goto(f"{live_server.url}/s/{token}")
    answer_everything(page, survey)
    page.get_by_role("button", name="提交问卷").tap()
    expect()(page.get_by_text("网络不稳定，问卷还没送达。")).to_be_visible()
    assert Response.objects.count() == 1
    page.get_by_role("button", name="重新提交").tap()
    expect()(page.get_by_role("heading", name="感谢您的评价！")).to_be_visible()
    assert Response.objects.count() == 1


def test_the_report_draws_its_charts(desktop, sign_in, live_server, org, survey):
    rng = random.Random(7)
    approved_responses(survey, org.o_cy, 40, base=4, rng=rng)
    approved_responses(survey, org.o_jh, 18, base=4, rng=rng)
    page = desktop
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "S001", org.password)
    page.goto(f"{live_server.url}/manage/surveys/{survey.code}/report/")
    for name in ("years", "dims", "units", "quadrant"):
        expect()(page.locator(f'[data-source="chart-{name}"] svg')).to_have_count(1)
    expect()(page.get_by_text("不排名").first).to_be_visible()
    shot(page, "report-desktop")
    page.emulate_media(media="print")
    expect()(page.locator(".sidenav")).to_be_hidden()
    shot(page, "report-print")
    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/manage/surveys/posters/{org.o_cy.code}/")
    expect()(page.get_by_text("扫码评价我们的服务")).to_be_visible()
    shot(page, "poster")
    page.goto(f"{live_server.url}/manage/surveys/{survey.code}/")
    shot(page, "survey-detail")
