"""The public /track on a 375 px phone: a customer types a number and reads its events in Chinese;
a mistyped check digit is explained. Set POSTQC_SCREENSHOTS=<folder> to keep screenshots."""
import os
from pathlib import Path

import pytest

from postqc.tracking import s10
from postqc.tracking.ingest import ingest_rows
from postqc.tracking.tests.conftest import rows, story

pytestmark = pytest.mark.browser

NUMBER = s10.make("RR", 27140639)


def shot(page, name: str) -> None:
    folder = os.environ.get("POSTQC_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_customer_tracks_a_returned_letter_on_the_phone(org, phone, live_server):
    from playwright.sync_api import expect

    assert ingest_rows(rows(*story(NUMBER))).ok
    phone.goto(f"{live_server.url}/track")
    phone.get_by_label("邮件号").fill(f"{NUMBER[:2].lower()} {NUMBER[2:]}")
    phone.get_by_role("button", name="查询").click()
    expect(phone.get_by_text("已退回寄件人")).to_be_visible()
    expect(phone.get_by_text("原因：原址查无此单位；处理：退回寄件人")).to_be_visible()
    expect(phone.locator(".trace li").first).to_contain_text("妥投")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 375
    assert "刘进富" not in phone.content()
    shot(phone, "track-result")
    phone.get_by_label("邮件号").fill(NUMBER[:10] + str((int(NUMBER[10]) + 1) % 10) + "CN")
    phone.get_by_role("button", name="查询").click()
    expect(phone.get_by_role("alert")).to_contain_text("校验码错误")
    shot(phone, "track-error")
