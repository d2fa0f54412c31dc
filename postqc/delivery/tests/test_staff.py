"""The courier's run log on the phone (/m/delivery/): own segments, today prefilled, the week at a glance."""
import datetime as dt

import pytest

from postqc.delivery.models import DeliveryRecord

from .conftest import TODAY, run

pytestmark = pytest.mark.django_db


def test_a_courier_sees_only_his_segments_and_logs_a_run(org, segs, as_):
    run(segs["cy1"], dt.date(2026, 11, 23))
    run(segs["cy1"], dt.date(2026, 11, 24))
    client = as_(org.dave)
    home = client.get("/m/").content.decode()
    assert "登记投递" in home
    page = client.get("/m/delivery/").content.decode()
    assert "S-CY-1" in page and "S-CY-2" in page and "S-JH-1" not in page
    assert f'value="{TODAY:%Y-%m-%d}"' in page  # today prefilled
    assert "<b>2</b> / 7 天" in page  # the week so far against the city rule
    posted = client.post("/m/delivery/", {"segment": "S-CY-1", "delivered_on": f"{TODAY:%Y-%m-%d}", "ordinary": "90",
                                          "tracked": "12", "delivered": "101", "on_time": "101",
                                          "handover_point": "mailbox", "note": ""})
    assert posted.status_code == 302
    record = DeliveryRecord.objects.get(delivered_on=TODAY)
    assert (record.segment, record.recorded_by, record.delivered, record.source) == (segs["cy1"], org.dave, 101, "phone")
    assert "今天已投 1 趟" in client.get(posted["Location"]).content.decode()


def test_mistakes_are_shown_beside_their_fields_and_nothing_is_written(org, segs, as_):
    page = as_(org.dave).post("/m/delivery/", {"segment": "S-CY-1", "delivered_on": f"{TODAY:%Y-%m-%d}",
                                               "ordinary": "10", "tracked": "", "delivered": "20", "on_time": "1",
                                               "handover_point": "mailbox"})
    html = page.content.decode()
    assert page.status_code == 200 and "请修改标出的项目" in html and "应为 0–100000 的整数" in html
    assert not DeliveryRecord.objects.exists()
    other = as_(org.dave).post("/m/delivery/", {"segment": "S-JH-1", "delivered_on": f"{TODAY:%Y-%m-%d}",
                                                "ordinary": "1", "tracked": "0", "delivered": "1", "on_time": "1"})
    assert "请选择段道" in other.content.decode() and not DeliveryRecord.objects.exists()


def test_who_sees_the_page(org, segs, as_):
    assert as_(org.bob).get("/m/delivery/").status_code == 403  # a clerk
    assert "登记投递" not in as_(org.bob).get("/m/").content.decode()
    head = as_(org.hank).get("/m/delivery/").content.decode()
    assert "S-CY-1" in head and "S-JH-1" not in head  # a branch head: his subtree's segments
