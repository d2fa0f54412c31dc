"""A leader at a desk reads the cockpit, drills down to a county and sets a target, in Debian's Chromium."""
import re

import pytest

from postqc.browser_tests.conftest import _chromium, browser, desktop, pytest_runtest_makereport, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def expect():
    from playwright.sync_api import expect

    return expect


def test_a_leader_reads_the_cockpit_drills_down_and_sets_a_target(desktop, sign_in, live_server, city):
    org = city.org
    sign_in(desktop, "L001", org.password)
    expect()(desktop).to_have_url(f"{live_server.url}/manage/")
    index_card = desktop.locator(".cp-card", has=desktop.get_by_role("heading", name="满意度指数"))
    expect()(index_card).to_contain_text("目标 80.00分")
    expect()(index_card).to_contain_text("n = 50")

    desktop.locator(".cp-grid").get_by_role("link", name="蛟河市分公司").click()
    expect()(desktop).to_have_url(re.compile(r"/manage/\?unit=JH$"))
    expect()(desktop.locator(".page-head .count")).to_contain_text("蛟河市分公司")
    expect()(desktop.locator(".cp-grid")).to_contain_text("黄松甸支局")

    desktop.get_by_role("link", name="设定目标").click()
    field = desktop.get_by_label("学习参与率")
    field.fill("150")
    desktop.get_by_role("button", name="保存").click()
    expect()(desktop.get_by_text("学习参与率 的目标应在 0–100 之间。")).to_be_visible()
    desktop.get_by_label("学习参与率").fill("30")
    desktop.get_by_label("修改说明").fill("县分公司自定")
    desktop.get_by_role("button", name="保存").click()
    expect()(desktop.get_by_text("已保存 1 项目标。")).to_be_visible()
    expect()(desktop.locator("table").last).to_contain_text("县分公司自定")

    desktop.get_by_role("link", name="回到驾驶舱").click()
    card = desktop.locator(".cp-card", has=desktop.get_by_role("heading", name="学习参与率"))
    expect()(card).to_contain_text("目标 30.0%")
    expect()(card.locator(".badge")).to_have_text("达标")  # erin of JH's 3 staff practised: 33.3 % ≥ 30 %
