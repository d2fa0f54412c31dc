"""The main flows of signing in, in a real browser: a clerk on a phone, a manager at a desk."""
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser

TAB_LABELS = ["首页", "学习", "竞赛", "我的"]


def expect():
    from playwright.sync_api import expect

    return expect


def test_clerk_signs_in_on_a_phone_and_reaches_home_then_me(phone, sign_in, live_server, org):
    sign_in(phone, "B001", org.password)
    expect()(phone).to_have_url(f"{live_server.url}/m/")
    expect()(phone.get_by_text("你好，鲍勃")).to_be_visible()

    tabbar = phone.get_by_role("navigation", name="主导航")
    expect()(tabbar.get_by_role("link")).to_have_text(TAB_LABELS)
    expect()(tabbar.get_by_role("link", name="首页")).to_have_class(re.compile(r"\bactive\b"))
    box = tabbar.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(740, abs=1), "the tab bar sits at the bottom of the screen"

    tabbar.get_by_role("link", name="我的").tap()
    expect()(phone).to_have_url(f"{live_server.url}/m/me/")
    expect()(phone.locator(".profile-name")).to_have_text("鲍勃")
    expect()(phone.get_by_text("B001")).to_be_visible()
    expect()(phone.get_by_role("link", name="管理端")).to_have_count(0)


def test_imported_clerk_sets_a_password_at_first_sign_in(phone, sign_in, live_server, org):
    org.bob.must_change_password = True
    org.bob.save(update_fields=["must_change_password"])
    sign_in(phone, "B001", org.password)
    expect()(phone).to_have_url(re.compile(r"/accounts/password/\?next="))
    phone.get_by_label("当前密码").fill(org.password)
    phone.get_by_label(re.compile(r"^新密码")).fill("Blue-Lantern-77")
    phone.get_by_label("再次输入新密码").fill("Blue-Lantern-77")
    phone.get_by_role("button", name="保存新密码").tap()
    expect()(phone).to_have_url(f"{live_server.url}/m/")
    expect()(phone.get_by_text("密码已修改。")).to_be_visible()


def test_manager_signs_in_at_a_desk_and_opens_the_outlet_list(desktop, sign_in, live_server, org):
    sign_in(desktop, "A001", org.password)
    expect()(desktop).to_have_url(f"{live_server.url}/manage/")
    desktop.get_by_role("navigation", name="管理导航").get_by_role("link", name="普服网点").click()
    expect()(desktop).to_have_url(f"{live_server.url}{reverse('org:outlet_list')}")
    expect()(desktop.get_by_text("O-CY-1")).to_be_visible()
    expect()(desktop.get_by_text("O-JH-1")).to_have_count(0)
