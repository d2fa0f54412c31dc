"""/api/v1/delivery: compliance, segments, rules, logging a run, importing records."""
import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from postqc.api.services import token_issue
from postqc.delivery.models import DeliveryRecord

from .conftest import TODAY, days, run
from .test_ingest import GOOD, csv

pytestmark = pytest.mark.django_db


def bearer(person) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(staff=person, label='test')[0]}"}


def test_compliance_by_unit(org, segs, client):
    for day in days(dt.date(2026, 11, 16), dt.date(2026, 11, 22)):
        run(segs["cy1"], day, ordinary=10, tracked=0, delivered=10, on_time=9)
    out = client.get("/api/v1/delivery/compliance", {"unit": "CY", "period": "week", "on": "2026-11-18"},
                     **bearer(org.alice)).json()
    assert (out["unit"], out["period"], out["first"]) == ("CY", "week", "2026-11-16")
    assert out["total"]["weeks"] == 2 and out["total"]["weeks_met"] == 1 and out["total"]["frequency_rate"] == 50
    assert out["total"]["time_rate"] == 90
    assert out["children"][0]["unit"] == "CY-BJL"
    assert {s["segment"]: s["failing"] for s in out["segments"]} == {"S-CY-1": True, "S-CY-2": True}
    assert client.get("/api/v1/delivery/compliance", {"unit": "CY"}, **bearer(org.charlie)).status_code == 404
    assert client.get("/api/v1/delivery/compliance", **bearer(org.dave)).status_code == 403


def test_segments_and_rules(org, segs, client):
    listed = client.get("/api/v1/delivery/segments", **bearer(org.charlie)).json()
    assert [s["code"] for s in listed] == ["S-JH-1"] and listed[0]["courier"] == "C002"
    assert [s["code"] for s in client.get("/api/v1/delivery/segments", {"unit": "CY-BJL-TD", "q": "CY-2"},
                                          **bearer(org.sam)).json()] == ["S-CY-2"]
    rules = client.get("/api/v1/delivery/rules", {"unit": "CY"}, **bearer(org.alice)).json()
    assert rules["frequency"]["city"]["days_per_week"] == 7 and "village_point" in rules["depth"]["village"]["accepted"]
    assert {"mail_class": "letter", "route": "local", "days": 1} in rules["time_limits"]


def test_logging_a_run(org, segs, client):
    body = {"segment": "S-CY-1", "delivered_on": TODAY.isoformat(), "ordinary": 100, "tracked": 20,
            "delivered": 119, "on_time": 118, "note": "1 件拒收"}
    made = client.post("/api/v1/delivery/runs", json.dumps(body), content_type="application/json", **bearer(org.dave))
    assert made.status_code == 201
    assert made.json() == {**body, "run_no": 1, "courier": "D001", "handover_point": "mailbox", "source": "api",
                           "correction_reason": "", "withdrawn": False, "withdrawal_reason": ""}
    bad = client.post("/api/v1/delivery/runs", json.dumps({**body, "delivered": 999, "handover_point": "roof"}),
                      content_type="application/json", **bearer(org.dave))
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"delivered", "handover_point"}
    other = client.post("/api/v1/delivery/runs", json.dumps({**body, "segment": "S-JH-1"}),
                        content_type="application/json", **bearer(org.dave))
    assert other.status_code == 404
    assert DeliveryRecord.objects.count() == 1


def test_importing_records(org, segs, client):
    out = client.post("/api/v1/delivery/records/import",
                      {"file": SimpleUploadedFile("runs.csv", csv(*GOOD))}, **bearer(org.alice))
    assert out.status_code == 202 and out.json()["status"] == "succeeded" and out.json()["result"]["created"] == 3
    bad = client.post("/api/v1/delivery/records/import",
                      {"file": SimpleUploadedFile("runs.csv", csv("S-CY-1,2026-11-23,9,,1,0,1,1,,"))},
                      **bearer(org.alice)).json()
    assert bad["status"] == "failed" and bad["result"]["errors"][0]["column"] == "频次"
    assert client.post("/api/v1/delivery/records/import", {"file": SimpleUploadedFile("runs.csv", csv(*GOOD))},
                       **bearer(org.dave)).status_code == 403
    assert DeliveryRecord.objects.count() == 3


def test_correcting_a_run(org, segs, client):
    run(segs["cy1"], TODAY, ordinary=10, tracked=0, delivered=10, on_time=1)
    body = {"segment": "S-CY-1", "delivered_on": TODAY.isoformat(), "run_no": 1, "ordinary": 10, "tracked": 0,
            "delivered": 10, "on_time": 10, "handover_point": "mailbox", "reason": "录错"}
    out = client.post("/api/v1/delivery/runs/correct", json.dumps(body), content_type="application/json",
                      **bearer(org.dave))
    assert out.status_code == 201 and out.json()["on_time"] == 10 and out.json()["correction_reason"] == "录错"
    again = client.post("/api/v1/delivery/runs/correct", json.dumps({**body, "run_no": 2}),
                        content_type="application/json", **bearer(org.dave))
    assert again.status_code == 404
    assert DeliveryRecord.objects.count() == 2 and DeliveryRecord.current.count() == 1


def test_compliance_for_a_day_out_of_range_is_the_default_period(org, segs, client):
    default = client.get("/api/v1/delivery/compliance", {"unit": "CY", "period": "week"}, **bearer(org.alice)).json()
    for on in ("0001-01-01", "9999-12-31"):
        out = client.get("/api/v1/delivery/compliance", {"unit": "CY", "period": "week", "on": on}, **bearer(org.alice))
        assert out.status_code == 200 and out.json()["first"] == default["first"]
