"""A courier looks for a 邮驿站 on his phone, in Debian's Chromium: by district first, then nearest
first once he lets the page know where he is, then a station's page with its phone number."""
import pytest

from postqc.browser_tests.conftest import CHROMIUM_ARGS, PHONE, _chromium, browser, pytest_runtest_makereport  # noqa: F401
from postqc.stations.services import amenity_check, station_create

from .conftest import CY, station_data

pytestmark = pytest.mark.browser


@pytest.fixture
def frozen():
    """The live server keeps real time here."""
    yield None


def expect():
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def located_phone(request, browser):
    """A 375 px phone that shares its position: 200 m south of 近站, 2 km north of 北京路邮驿站."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE,
                                  geolocation={"latitude": CY[0] + 0.016, "longitude": CY[1]},
                                  permissions=["geolocation"])
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        from pathlib import Path

        artifacts = Path(request.config.rootpath) / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / "stations_finder.png"), full_page=True)
    context.close()


def test_finding_the_nearest_station_on_a_phone(located_phone, live_server, org, stations):
    station_create(actor=org.alice, **station_data(code="YZ-CY-2", name="近站", unit=org.cy_bjl,
                                                   latitude=str(CY[0] + 0.018), longitude=str(CY[1])))
    amenity_check(station=stations["cy"], amenity="microwave", state="out_of_order", note="不加热", actor=org.bob)
    page = located_phone
    page.goto(f"{live_server.url}/stations")
    expect()(page.get_by_text("共 3 个邮驿站，按区县列出")).to_be_visible()
    cards = page.locator(".stn-name")
    expect()(cards).to_have_text(["北京路邮驿站", "近站", "黄松甸邮驿站"])
    page.get_by_role("button", name="按离我最近排序").tap()
    expect()(page.get_by_text("您附近 60 公里内有 2 个邮驿站")).to_be_visible()
    expect()(cards).to_have_text(["近站", "北京路邮驿站"])
    expect()(page.locator(".stn-km")).to_have_text(["222 米", "1.8 公里"])
    assert "lat=" in page.url and "lng=" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "nothing wider than the phone"
    page.get_by_role("link", name="北京路邮驿站").tap()
    expect()(page.get_by_role("heading", name="北京路邮驿站")).to_be_visible()
    expect()(page.get_by_text("距您约 1.8 公里")).to_be_visible()
    expect()(page.get_by_role("link", name="0432-62000000")).to_have_attribute("href", "tel:0432-62000000")
    expect()(page.get_by_text("故障：不加热")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_clerk_takes_back_a_wrong_entry_on_her_phone(request, browser, live_server, org, stations):
    from postqc.browser_tests.conftest import PHONE as SIZE
    from postqc.conftest import PASSWORD

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **SIZE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("工号").fill("B001")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
        page.goto(f"{live_server.url}/m/stations/YZ-CY-1/")
        page.get_by_text("骑手").first.tap()
        page.get_by_label("其他人数").fill("12")
        page.get_by_role("button", name="登记", exact=True).tap()
        expect()(page.locator(".stn-tally")).to_contain_text("已登记 12 人次")
        page.get_by_role("button", name="撤销这条台账").tap()
        expect()(page.get_by_text("已撤销")).to_be_visible()
        expect()(page.locator(".stn-tally")).to_contain_text("已登记 0 人次")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, "nothing wider than the phone"
    finally:
        from pathlib import Path

        artifacts = Path(request.config.rootpath) / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / "stations_withdraw.png"), full_page=True)
        context.close()
