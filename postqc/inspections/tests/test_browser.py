"""A clerk self-inspects her outlet on a phone, in Debian's Chromium: a forgotten note first."""
import pytest

from postqc.browser_tests.conftest import _chromium, browser, phone, pytest_runtest_makereport, sign_in  # noqa: F401
from postqc.inspections.models import Inspection

pytestmark = pytest.mark.browser


@pytest.fixture
def frozen():
    """The live server keeps real time here (the form's date is today's)."""
    yield None


def expect():
    from playwright.sync_api import expect

    return expect


def test_a_clerk_self_inspects_on_a_phone(phone, sign_in, live_server, org, lists):
    sign_in(phone, "B001", org.password)
    phone.get_by_role("link", name="网点自查").tap()
    phone.get_by_role("link", name="北京路营业所").tap()
    phone.get_by_role("radiogroup", name="B2").get_by_label("不合格", exact=True).check()
    phone.get_by_role("button", name="未填的全部标为合格").tap()  # the rest are met; B2 stays not met
    expect()(phone.get_by_role("radiogroup", name="A1").get_by_label("合格", exact=True)).to_be_checked()
    expect()(phone.get_by_role("radiogroup", name="B2").get_by_label("不合格", exact=True)).to_be_checked()
    phone.get_by_role("button", name="提交检查结果").tap()
    expect()(phone.get_by_text("B2 不合格：请写明发现的问题。")).to_be_visible()
    phone.get_by_label("B2 说明").fill("座椅坏了一把")
    phone.get_by_role("button", name="提交检查结果").tap()
    expect()(phone.get_by_text("合格率 75.00%（3 / 4 项）")).to_be_visible()
    expect()(phone.locator(".ins-big .badge")).to_have_text("达标")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "nothing wider than the phone"
    assert Inspection.objects.get().inspector == org.bob


def test_a_clerk_reads_a_bulletin_on_a_phone(phone, sign_in, live_server, org):
    from postqc.inspections import accountability as acc

    bulletin = acc.bulletin_save(actor=org.sam, unit=org.jls, kind="criticism", title="十一月普遍服务质量通报",
                                 body="现将检查情况通报如下。", entries=[acc.EntryDraft(
                                     tone="criticism", text="北京路营业所公示资费未更新，整改逾期。", outlet=org.o_cy,
                                     person=org.hank)])
    acc.bulletin_issue(bulletin=bulletin, actor=org.sam)
    sign_in(phone, "B001", org.password)
    expect()(phone.get_by_role("link", name="通报 1 份未读")).to_be_visible()
    phone.get_by_role("link", name="通报 1 份未读").tap()
    phone.get_by_role("link", name="未读 十一月普遍服务质量通报").tap()
    expect()(phone.get_by_text("北京路营业所公示资费未更新，整改逾期。")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375, "nothing wider than the phone"
    phone.get_by_role("link", name="返回通报列表").tap()
    expect()(phone.get_by_text("未读")).to_have_count(0)
