"""A courier logs a delivery run on a 375 px phone, in Debian's Chromium: a slip first, then the run."""
import pytest

from postqc.browser_tests.conftest import _chromium, browser, phone, pytest_runtest_makereport, sign_in  # noqa: F401
from postqc.delivery.models import DeliveryRecord

pytestmark = pytest.mark.browser


@pytest.fixture
def frozen():
    """The live server keeps real time here (the form's date is today's)."""
    yield None


def expect():
    from playwright.sync_api import expect

    return expect


def test_a_courier_logs_a_run_on_a_phone(phone, sign_in, live_server, org, segs):
    sign_in(phone, "D001", org.password)
    phone.get_by_role("link", name="登记投递").tap()
    expect()(phone.get_by_role("heading", name="登记投递")).to_be_visible()
    expect()(phone.get_by_label("段道")).to_have_value("S-CY-1")
    expect()(phone.get_by_label("楼下信报箱/智能信包箱")).to_be_checked()  # the segment's own point
    phone.get_by_label("平常邮件").fill("120")
    phone.get_by_label("给据邮件").fill("30")
    phone.get_by_label("其中妥投").fill("160")  # more than handed out
    phone.get_by_label("其中时限内").fill("148")
    phone.get_by_role("button", name="登记这一趟").tap()
    expect()(phone.get_by_text("妥投件数（160）不能多于交投件数（150）。")).to_be_visible()
    assert not DeliveryRecord.objects.exists()
    phone.get_by_label("其中妥投").fill("149")
    phone.get_by_label("异常说明（选填）").fill("1 件收件人不在，已留通知单")
    phone.get_by_role("button", name="登记这一趟").tap()
    expect()(phone.get_by_text("已登记 S-CY-1 段")).to_be_visible()
    expect()(phone.get_by_text("今天已投 1 趟")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375, "nothing wider than the phone"
    record = DeliveryRecord.objects.get()
    assert (record.segment.code, record.delivered, record.on_time, record.recorded_by) == ("S-CY-1", 149, 148, org.dave)

    # then he corrects it from the list below the form: the reason first, the old record kept
    phone.locator(".dlv-recent-row").first.tap()
    expect()(phone.get_by_role("heading", name="更正投递记录")).to_be_visible()
    phone.get_by_label("其中妥投").fill("150")
    phone.get_by_label("其中时限内").fill("150")
    phone.get_by_role("button", name="保存更正").tap()
    expect()(phone.get_by_text("请写明更正原因。")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375, "nothing wider than the phone"
    phone.get_by_label("更正原因").fill("通知单那件当天已取走")
    phone.get_by_role("button", name="保存更正").tap()
    expect()(phone.get_by_text("原记录保留")).to_be_visible()
    current = DeliveryRecord.current.get()
    assert (current.delivered, current.supersedes_id, DeliveryRecord.objects.count()) == (150, record.pk, 2)


def test_a_courier_withdraws_a_run_logged_on_the_wrong_day(phone, sign_in, live_server, org, segs):
    import datetime as dt

    from django.utils import timezone

    from .conftest import run

    wrong = run(segs["cy1"], timezone.localdate() - dt.timedelta(days=1), recorded_by=org.dave)
    sign_in(phone, "D001", org.password)
    phone.goto(f"{live_server.url}/m/delivery/runs/{wrong.pk}/correct/")
    phone.get_by_text("这一趟没有投递？撤销这条记录").tap()
    phone.get_by_label("撤销原因").fill("那天休息，登记错了日期")
    phone.get_by_role("button", name="撤销这条记录").tap()
    expect()(phone.get_by_text("原记录保留")).to_be_visible()
    wrong.refresh_from_db()
    assert wrong.withdrawn_by == org.dave and not DeliveryRecord.current.exists()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375, "nothing wider than the phone"
