"""GET /api/v1/cockpit and PUT /api/v1/cockpit/targets."""
import json

from postqc.api.services import token_issue
from postqc.dashboard.models import Target


def bearer(person) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(staff=person, label='test')[0]}"}


def test_the_cockpit_through_the_api(city, client):
    org = city.org
    body = client.get("/api/v1/cockpit", **bearer(org.dora)).json()
    assert body["unit"] == "JLS" and body["year"] == 2026
    kpis = {k["code"]: k for k in body["kpis"]}
    assert kpis["surveys.index"]["target"] == {"value": "80.00", "set_by_unit": "", "own": False, "from_data": True}
    assert [c["unit"] for c in kpis["learning.participation"]["children"]] == ["CY", "JH"]
    assert kpis["learning.accuracy"]["status"] == "thin" and kpis["learning.accuracy"]["n"] == 5
    county = client.get("/api/v1/cockpit", {"unit": "JH"}, **bearer(org.charlie)).json()
    assert county["unit_name"] == "蛟河市分公司"
    assert client.get("/api/v1/cockpit", {"unit": "CY"}, **bearer(org.charlie)).status_code == 404
    assert client.get("/api/v1/cockpit", **bearer(org.bob)).status_code == 403
    listed = client.get("/api/v1/cockpit/kpis", **bearer(org.dora)).json()
    assert listed[0]["code"] == "surveys.index" and listed[0]["max"] == "100"


def test_setting_targets_through_the_api(city, client):
    org = city.org
    put = lambda person, body: client.put("/api/v1/cockpit/targets", json.dumps(body),  # noqa: E731
                                          content_type="application/json", **bearer(person))
    bad = put(org.charlie, {"unit": "JH", "year": 2026, "targets": {"learning.participation": 101,
                                                                    "learning.accuracy": 80}})
    assert bad.status_code == 422 and "learning.participation" in bad.json()["fields"]
    assert not Target.objects.exists()
    assert put(org.charlie, {"unit": "CY", "year": 2026, "targets": {"learning.accuracy": 80}}).status_code == 404
    assert put(org.hank, {"unit": "CY-BJL", "year": 2026, "targets": {"learning.accuracy": 80}}).status_code == 403
    ok = put(org.charlie, {"unit": "JH", "year": 2026, "targets": {"learning.accuracy": 80}, "note": "API"})
    assert ok.status_code == 200 and ok.json() == {"written": 1}
    assert put(org.charlie, {"unit": "JH", "year": 2026, "targets": {"learning.accuracy": None}}).json() == {"written": 1}
    assert list(Target.objects.order_by("pk").values_list("value", flat=True)) == [80, None]
