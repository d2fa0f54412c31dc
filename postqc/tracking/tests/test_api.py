"""/api/v1/tracking: one item (token, scoped), recording an event from a scanner, the public lookup."""
from django.core.cache import cache

from postqc.api.services import token_issue
from postqc.tracking.models import TrackedItem, TrackingEvent

from .conftest import FAILED, JH_ITEM, STORY, num


def auth(person):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(staff=person, label='test')[0]}"}


def test_one_item_with_its_events(traffic, org, client):
    r = client.get(f"/api/v1/tracking/items/{STORY}", **auth(org.dave))
    body = r.json()
    assert r.status_code == 200
    assert (body["status"], body["unit"], body["return_record"]["reason"]) == ("returned", "CY-BJL-TD", "no_such_org")
    emh = next(e for e in body["events"] if e["code"] == "EMH")
    assert (emh["reason_label"], emh["action_label"], emh["unit"]) == ("原址查无此单位", "退回寄件人", None)
    assert client.get(f"/api/v1/tracking/items/{STORY}", **auth(org.charlie)).status_code == 404
    assert client.get(f"/api/v1/tracking/items/{JH_ITEM}", **auth(org.charlie)).status_code == 200
    r = client.get("/api/v1/tracking/items/RR123456780CN", **auth(org.dave))
    assert r.status_code == 400 and "校验码错误" in r.json()["error"]
    assert client.get(f"/api/v1/tracking/items/{STORY}").status_code == 401


def test_a_courier_records_a_delivery_from_his_scanner(traffic, org, client):
    event = {"number": FAILED, "code": "EMI", "time": "2026-11-25T10:30:00", "office": "CY-BJL-TD",
             "location": "北京路"}
    r = client.post("/api/v1/tracking/events", event, content_type="application/json", **auth(org.dave))
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "delivered" and r.json()["on_time"] is False  # due the 21st
    assert TrackingEvent.objects.get(item__number=FAILED, code="EMI").courier == org.dave
    again = client.post("/api/v1/tracking/events", event, content_type="application/json", **auth(org.dave))
    assert again.status_code == 200 and TrackingEvent.objects.filter(item__number=FAILED, code="EMI").count() == 1


def test_an_event_is_checked_like_a_file_row(traffic, org, client):
    bad = {"number": FAILED, "code": "EMH", "time": "2026-11-25T10:30:00", "office": "CY-BJL-TD"}
    r = client.post("/api/v1/tracking/events", bad, content_type="application/json", **auth(org.dave))
    assert r.status_code == 422
    assert set(r.json()["fields"]) == {"reason", "action"}
    carl = client.post("/api/v1/tracking/events", {**bad, "reason": "拒收", "action": "退回寄件人"},
                       content_type="application/json", **auth(org.carl))
    assert carl.status_code == 422 and "不属于本单位" in carl.json()["fields"]["number"][0]  # 蛟河's courier, a 船营 item
    assert client.post("/api/v1/tracking/events", {**bad, "reason": "拒收", "action": "退回"},
                       content_type="application/json", **auth(org.bob)).status_code == 403  # a clerk
    assert not TrackingEvent.objects.filter(item__number=FAILED, code="EMH", occurred_at__day=25).exists()


def test_the_public_lookup_needs_no_token_and_is_cached(traffic, client, settings):
    cache.clear()
    r = client.get(f"/api/v1/tracking/public/{STORY}")
    body = r.json()
    assert r.status_code == 200 and body["status_label"] == "已退回寄件人"
    assert body["events"][0]["name"] == "妥投" and "原址查无此单位" in {e["reason"] for e in body["events"]}
    assert set(body["events"][0]) == {"code", "name", "at", "location", "reason", "action"}
    TrackedItem.objects.filter(number=STORY).update(status="delivered")
    assert client.get(f"/api/v1/tracking/public/{STORY}").json()["status"] == "returned"  # from the cache
    assert client.get("/api/v1/tracking/public/RR123456780CN").status_code == 400
    assert client.get(f"/api/v1/tracking/public/{num(999)}").status_code == 404
    settings.TRACKING_PUBLIC_RATE_LIMIT = 1
    cache.clear()
    client.get(f"/api/v1/tracking/public/{STORY}")
    assert client.get(f"/api/v1/tracking/public/{STORY}").status_code == 429
