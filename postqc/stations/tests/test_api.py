"""/api/v1/stations: the public finder and station (no token, no personal data), logging visits and
checks with a token, the monthly usage report."""
import json

from postqc.api.services import token_issue
from postqc.stations.models import Visit
from postqc.stations.services import visit_log

from .conftest import CY


def bearer(person) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(staff=person, label='test')[0]}"}


def test_the_public_finder_needs_no_token_and_tells_no_names(client, org, stations):
    visit_log(station=stations["cy"], actor=org.bob, group="rider", count=2)
    listed = client.get("/api/v1/stations")
    assert listed.status_code == 200
    body = listed.json()
    assert [s["code"] for s in body] == ["YZ-CY-1", "YZ-JH-1"] and body[0]["district"] == "船营区"
    assert body[0]["open_now"] is True and body[1]["open_now"] is False  # Wednesday 10:00
    assert body[0]["hours"]["6"] == [["09:00", "16:00"]] and body[0]["distance_km"] is None
    text = listed.content.decode()
    assert "鲍勃" not in text and "B001" not in text and "count" not in text  # no staff, no usage
    near = client.get("/api/v1/stations", {"lat": CY[0], "lng": CY[1] + 0.01, "open_now": "true"}).json()
    assert [s["code"] for s in near] == ["YZ-CY-1"] and near[0]["distance_km"] == 0.8
    assert client.get("/api/v1/stations", {"amenity": "toilet"}).json()[0]["code"] == "YZ-JH-1"
    one = client.get("/api/v1/stations/YZ-JH-1").json()
    assert one["name"] == "黄松甸邮驿站" and one["hours"]["3"] == [["07:00", "09:00"], ["16:00", "19:00"]]
    assert client.get("/api/v1/stations/NOPE").status_code == 404
    assert client.get("/api/v1/stations", {"lat": "200", "lng": "0"}).status_code == 422


def post(client, person, code, body):
    return client.post(f"/api/v1/stations/{code}/visits", json.dumps(body), content_type="application/json",
                       **bearer(person))


def test_logging_a_visit_with_a_token(client, org, stations):
    made = post(client, org.bob, "YZ-CY-1", {"group": "sanitation", "count": 3, "services": ["hot_water"]})
    assert made.status_code == 201
    assert made.json() | {"id": 0} == {"id": 0, "station": "YZ-CY-1", "group": "sanitation", "count": 3,
                                       "services": ["hot_water"], "visited_on": "2026-11-25", "note": "",
                                       "recorded_by": "B001"}
    bad = post(client, org.bob, "YZ-CY-1", {"group": "tourists", "count": 0})
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"group", "count"}
    assert post(client, org.erin, "YZ-CY-1", {"group": "rider", "count": 1}).status_code == 404  # another county
    assert post(client, org.dora, "YZ-CY-1", {"group": "rider", "count": 1}).status_code == 403
    assert client.post("/api/v1/stations/YZ-CY-1/visits", "{}", content_type="application/json").status_code == 401
    assert Visit.objects.count() == 1
    listed = client.get("/api/v1/stations/YZ-CY-1/visits", **bearer(org.alice)).json()
    assert [v["count"] for v in listed] == [3]


def test_a_supplies_check_with_a_token_shows_publicly(client, org, stations):
    made = client.post("/api/v1/stations/YZ-CY-1/checks", json.dumps({"amenity": "microwave", "state": "out_of_order",
                                                                      "note": "不加热"}),
                       content_type="application/json", **bearer(org.bob))
    assert made.status_code == 201
    issues = client.get("/api/v1/stations/YZ-CY-1").json()["issues"]
    assert issues == [{"amenity": "microwave", "state": "out_of_order", "note": "不加热", "on": "2026-11-25"}]


def test_the_usage_report_for_managers(client, org, stations):
    visit_log(station=stations["cy"], actor=org.bob, group="sanitation", count=5)
    visit_log(station=stations["jh"], actor=org.erin, group="elderly", count=4)
    out = client.get("/api/v1/station-usage", {"month": "2026-11"}, **bearer(org.sam)).json()
    assert out["people"] == 9 and out["by_group"] == {"sanitation": 5, "elderly": 4}
    assert {s["code"]: s["people"] for s in out["stations"]} == {"YZ-CY-1": 5, "YZ-JH-1": 4}
    assert client.get("/api/v1/station-usage", {"unit": "JH"}, **bearer(org.alice)).status_code == 404
    assert client.get("/api/v1/station-usage", {"month": "11/2026"}, **bearer(org.sam)).status_code == 422
    assert client.get("/api/v1/station-usage", **bearer(org.bob)).status_code == 403
