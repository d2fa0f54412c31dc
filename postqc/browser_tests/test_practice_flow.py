"""Practice on a 360 px phone: answer wrong, find it in the 错题本, answer it right twice, see it leave;
and an answer lost to a dropped connection, resent, is counted once."""
import re

import pytest

from postqc.browser_tests.conftest import PHONE, _page

pytestmark = pytest.mark.browser

NARROW_PHONE = {**PHONE, "viewport": {"width": 360, "height": 740}}
STEM = "用户查询国内给据邮件，应当自交寄之日起多长时间内提出？"


def expect():
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def phone360(request, browser):
    """A 360×740 touch-screen phone: the narrowest the staff H5 is made for."""
    yield from _page(request, browser, NARROW_PHONE)


@pytest.fixture
def question(org):
    from postqc.learning.tests.factories import make_bank, make_question, publish_standard
    from postqc.standards.models import Clause

    publish_standard(org.jls)
    bank = make_bank(org.jls, code="CITY", name="普遍服务知识题库")
    q = make_question(bank, stem=STEM, options=("十日", "一年", "三个月", "三十日"), answer=("B",),
                      explanation="国内给据邮件的查询期限为自交寄之日起一年。",
                      clauses=[Clause.objects.get(code="FWGF-2.3")])
    make_question(bank, stem="营业场所应当在哪里公示营业时间？", options=("醒目位置", "柜台内侧"), answer=("A",))
    return q


def fits_the_screen(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth") <= 360


def test_wrong_answer_goes_to_the_wrong_book_and_two_right_answers_take_it_out(phone360, sign_in, live_server, org,
                                                                               question):
    page = phone360
    sign_in(page, "B001", org.password)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="学习").tap()
    expect()(page).to_have_url(f"{live_server.url}/m/learn/")
    assert fits_the_screen(page)

    page.get_by_role("link", name="顺序练习").tap()
    expect()(page.locator(".pq-progress")).to_have_text("顺序练习 第 1/2 题")
    expect()(page.get_by_text(STEM)).to_be_visible()
    option = page.get_by_role("button", name="A 十日", exact=True)
    assert option.bounding_box()["height"] >= 48, "an option is a comfortable thumb target"
    assert fits_the_screen(page)

    option.tap()  # one tap answers a 单选
    expect()(page.get_by_role("status").first).to_contain_text("回答错误")
    expect()(page.locator(".pq-answer")).to_have_text("B")
    expect()(page.get_by_text("国内给据邮件的查询期限为自交寄之日起一年。")).to_be_visible()
    expect()(page.get_by_text("已收入错题本。")).to_be_visible()
    expect()(page.get_by_role("link", name=re.compile("FWGF-2.3"))).to_be_visible()

    page.get_by_role("link", name="‹ 学习").tap()
    page.get_by_role("link", name=re.compile("错题本")).tap()
    expect()(page.get_by_text("1 道错题")).to_be_visible()
    page.get_by_role("link", name=re.compile(re.escape(STEM))).tap()

    expect()(page.locator(".pq-progress")).to_have_text("错题本 剩余 1 题")
    page.get_by_role("button", name="B 一年", exact=True).tap()
    expect()(page.get_by_text("已连续答对 1 次，再答对 1 次移出错题本。")).to_be_visible()
    page.get_by_role("link", name="下一题").tap()

    expect()(page.get_by_text(STEM)).to_be_visible()  # the only wrong question comes back
    page.get_by_role("button", name="B 一年", exact=True).tap()
    expect()(page.get_by_text("已移出错题本 🎉")).to_be_visible()
    page.get_by_role("link", name="下一题").tap()
    expect()(page.get_by_text("错题本是空的")).to_be_visible()

    page.goto(f"{live_server.url}/m/learn/wrong/")
    expect()(page.get_by_text("错题本是空的")).to_be_visible()


def test_an_answer_lost_to_a_dropped_connection_is_resent_and_counted_once(phone360, sign_in, live_server, org,
                                                                          question):
    from postqc.learning.models import Answer

    page = phone360
    sign_in(page, "B001", org.password)
    dropped = []

    def deliver_then_drop(route):
        # The server gets the answer; the phone never hears back.
        if not dropped:
            route.fetch()
            dropped.append(route.request.post_data)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/answer/", deliver_then_drop)
    page.goto(f"{live_server.url}/m/learn/practice/sequential/")
    page.get_by_role("button", name="B 一年", exact=True).tap()
    expect()(page.get_by_text("网络不稳定，答案还没送达。")).to_be_visible()
    assert Answer.objects.filter(staff=org.bob).count() == 1

    page.get_by_role("button", name="重新提交").tap()
    expect()(page.get_by_role("status").first).to_contain_text("回答正确")
    expect()(page.get_by_text("没有重复计数")).to_be_visible()
    assert Answer.objects.filter(staff=org.bob).count() == 1
    assert re.search(r"client_id=[0-9a-f-]{36}", dropped[0])
    assert int(re.search(r"duration_ms=(\d+)", dropped[0]).group(1)) > 0
