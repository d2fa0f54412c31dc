"""The public finder: nearest first (bounding box, then haversine), by district otherwise, the
amenity and open-now filters, each station's page; no sign-in, small pages."""
import pytest
from django.urls import reverse

from postqc.stations.selectors import bounding_box, find, haversine_km
from postqc.stations.services import amenity_check, station_create, station_set_status

from .conftest import CY, JH, station_data

FINDER = reverse("stations_public:finder")


def test_haversine_matches_known_distances():
    assert haversine_km(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(1067, abs=3)  # Beijing–Shanghai
    assert haversine_km(*CY, *JH) == pytest.approx(66, abs=2)
    assert haversine_km(*CY, *CY) == 0


def test_the_bounding_box_holds_the_circle():
    low_lat, high_lat, low_lng, high_lng = bounding_box(43.8, 126.5, 10)
    assert float(high_lat) - 43.8 == pytest.approx(10 / 111.2, rel=0.01)
    assert float(high_lng) - 126.5 > float(high_lat) - 43.8  # a degree of longitude is shorter up north
    assert haversine_km(43.8, 126.5, 43.8, float(high_lng)) == pytest.approx(10, rel=0.01)


@pytest.fixture
def more(org, stations):
    """Two more stations in 船营: 2 km and 30 km north of st_cy; one far away in 蛟河 without coordinates."""
    near = station_create(actor=org.alice, **station_data(code="YZ-CY-2", name="近站", unit=org.cy_bjl,
                                                          latitude=str(CY[0] + 0.018), longitude=str(CY[1])))
    far = station_create(actor=org.alice, **station_data(code="YZ-CY-3", name="远站", unit=org.cy,
                                                         latitude=str(CY[0] + 0.27), longitude=str(CY[1])))
    blind = station_create(actor=org.charlie, **station_data(code="YZ-JH-2", name="无坐标站", unit=org.jh,
                                                             latitude="", longitude=""))
    return {"near": near, "far": far, "blind": blind}


def test_stations_come_nearest_first_within_the_box(stations, more):
    found = find(lat=CY[0] + 0.02, lng=CY[1], km=100)  # 200 m south of 近站
    assert [f.station.code for f in found] == ["YZ-CY-2", "YZ-CY-1", "YZ-CY-3", "YZ-JH-1"]
    assert found[0].km == pytest.approx(0.22, abs=0.01) and found[1].km == pytest.approx(2.2, abs=0.05)
    assert [f.station.code for f in find(lat=CY[0] + 0.02, lng=CY[1], km=10)] == ["YZ-CY-2", "YZ-CY-1"]
    # 60 km by default: 船营 is 66 km from 黄松甸; a station with no coordinates is never "near"
    assert [f.station.code for f in find(lat=JH[0], lng=JH[1])] == ["YZ-JH-1"]
    assert [f.station.code for f in find(lat=JH[0], lng=JH[1], km=100)] == ["YZ-JH-1", "YZ-CY-1", "YZ-CY-2", "YZ-CY-3"]


def test_without_a_position_by_district(org, stations, more):
    assert [f.station.code for f in find()] == ["YZ-CY-1", "YZ-CY-2", "YZ-CY-3", "YZ-JH-1", "YZ-JH-2"]
    assert [f.station.code for f in find(district="JH")] == ["YZ-JH-1", "YZ-JH-2"]


def test_open_now_and_amenity_filters(org, stations, more):
    # Wednesday 10:00: 船营's weekday hours are open, 黄松甸 is between its morning and evening opening
    assert {f.station.code for f in find(open_now=True)} == {"YZ-CY-1", "YZ-CY-2", "YZ-CY-3", "YZ-JH-2"}
    assert [f.station.code for f in find(amenity="microwave")] == ["YZ-CY-1"]
    amenity_check(station=stations["cy"], amenity="microwave", state="out_of_order", note="坏了", actor=org.bob)
    assert find(amenity="microwave") == []  # a broken microwave is no microwave to the visitor
    station_set_status(station=more["near"], status="suspended", reason="装修", actor=org.alice)
    station_set_status(station=more["far"], status="closed", reason="撤并", actor=org.alice)
    listed = {f.station.code: f.open_now for f in find()}
    assert "YZ-CY-3" not in listed and listed["YZ-CY-2"] is False  # closed: gone; suspended: shown, not open


def test_the_finder_page_by_district_and_by_distance(client, org, stations, more, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        page = client.get(FINDER)
    text = page.content.decode()
    assert page.status_code == 200 and "船营区" in text and "蛟河市" in text and text.index("北京路邮驿站") < text.index("黄松甸邮驿站")
    assert "<script" not in text.split("</head>")[1]  # no inline script in the body
    assert len(page.content) < 30_000
    near = client.get(FINDER, {"lat": CY[0] + 0.02, "lng": CY[1], "open": "1"}).content.decode()
    assert near.index("近站") < near.index("北京路邮驿站") < near.index("远站") and "222 米" in near
    assert "黄松甸邮驿站" not in near  # not open now
    assert client.get(FINDER, {"lat": "north", "lng": "x"}).status_code == 200  # junk position: by district


def test_a_station_page_has_hours_phone_and_problems(client, org, stations):
    amenity_check(station=stations["cy"], amenity="microwave", state="out_of_order", note="不加热", actor=org.bob)
    page = client.get(reverse("stations_public:station", args=["YZ-CY-1"])).content.decode()
    assert "08:00-17:30" in page and "周日" in page and "休息" in page and "开放中" in page
    assert 'href="tel:0432-62000000"' in page and "<s>微波炉</s>" in page and "不加热" in page
    assert "鲍勃" not in page  # no staff names on public pages
    station_set_status(station=stations["cy"], status="closed", reason="撤并", actor=org.alice)
    assert client.get(reverse("stations_public:station", args=["YZ-CY-1"])).status_code == 404
