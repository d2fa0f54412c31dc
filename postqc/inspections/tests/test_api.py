"""/api/v1/inspections: compliance, an outlet's checklist, recording and reading an inspection."""
import json

from postqc.api.services import token_issue
from postqc.inspections.models import Inspection

from .conftest import TODAY, results


def bearer(person) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(staff=person, label='test')[0]}"}


def post(client, person, body):
    return client.post("/api/v1/inspections", json.dumps(body), content_type="application/json", **bearer(person))


def body(outlet="O-CY-1", kind="spot", **changes):
    return {"outlet": outlet, "kind": kind, "inspected_on": TODAY.isoformat(), "note": "API",
            "results": [{"item": code, "value": value, "note": note}
                        for code, (value, note) in results(**changes).items()]}


def test_recording_and_reading_an_inspection(org, lists, client):
    checklist = client.get("/api/v1/inspections/checklist", {"outlet": "O-CY-1"}, **bearer(org.bob)).json()
    assert checklist["checklist"] == "G1" and [i["code"] for i in checklist["items"]] == ["A1", "A2", "B1", "B2"]
    assert checklist["items"][0] == {"code": "A1", "section": "标识公示", "text": "公示服务种类和营业时间",
                                     "clause": "JLFW-2.9", "critical": True, "allow_na": False}
    made = post(client, org.alice, body(A2=("not_met", "牌子掉了")))
    assert made.status_code == 201
    out = made.json()
    assert (out["applicable"], out["met"], out["rate"], out["passed"]) == (4, 3, "75.00", True)
    again = client.get(f"/api/v1/inspections/{out['code']}", **bearer(org.alice)).json()
    assert again["results"][1] == {"item": "A2", "value": "not_met", "note": "牌子掉了"}
    assert client.get(f"/api/v1/inspections/{out['code']}", **bearer(org.charlie)).status_code == 404


def test_bad_input_is_named_and_nothing_is_written(org, lists, client):
    bad = post(client, org.alice, body(A1=("not_met", ""), B1=("perhaps", "")))
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"A1", "B1"}
    assert post(client, org.bob, body()).status_code == 403  # a clerk does not spot-check
    assert post(client, org.charlie, body()).status_code == 404  # another county's outlet
    assert post(client, org.bob, body(kind="self")).status_code == 201
    assert list(Inspection.objects.values_list("kind", flat=True)) == ["self"]


def test_compliance_through_the_api(org, lists, client):
    post(client, org.sam, body(A1=("not_met", "未公示")))
    post(client, org.sam, body(outlet="O-JH-1"))
    out = client.get("/api/v1/inspections/compliance", **bearer(org.dora)).json()
    assert out["total"] == {"outlets": 2, "inspected": 2, "passed": 1, "rate": 50.0, "coverage": 100.0}
    assert {c["unit"]: c["rate"] for c in out["children"]} == {"CY": 0.0, "JH": 100.0}
    assert {o["outlet"]: o["passed"] for o in out["outlets"]} == {"O-CY-1": False, "O-JH-1": True}
    assert client.get("/api/v1/inspections/compliance", {"unit": "CY"}, **bearer(org.charlie)).status_code == 404
