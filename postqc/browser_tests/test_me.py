"""The 我的 tab on a phone: switching language and signing out."""
import re

import pytest

pytestmark = pytest.mark.browser


def expect():
    from playwright.sync_api import expect

    return expect


def open_me(phone, sign_in, org):
    sign_in(phone, "B001", org.password)
    phone.get_by_role("navigation", name="主导航").get_by_role("link", name="我的").tap()


def test_clerk_switches_to_english_and_back(phone, sign_in, live_server, org):
    open_me(phone, sign_in, org)
    phone.get_by_role("button", name="English").tap()
    expect()(phone.locator("html")).to_have_attribute("lang", "en")
    expect()(phone).to_have_url(f"{live_server.url}/m/me/")
    phone.get_by_role("button", name="简体中文").tap()
    expect()(phone.locator("html")).to_have_attribute("lang", "zh-hans")


def test_clerk_signs_out_and_the_h5_asks_for_sign_in_again(phone, sign_in, live_server, org):
    open_me(phone, sign_in, org)
    phone.get_by_role("button", name="退出登录").tap()
    expect()(phone).to_have_url(f"{live_server.url}/accounts/login/")
    phone.goto(f"{live_server.url}/m/")
    expect()(phone).to_have_url(re.compile(r"/accounts/login/\?next=/m/$"))
