"""Two stations in two counties at a fixed moment (Wednesday 25 November 2026, 10:00 in Jilin).

st_cy (YZ-CY-1) at 北京路营业所 (O-CY-1, 船营, alice's and bob's subtree), open 08:00–17:30 on weekdays,
09:00–16:00 on Saturday, closed on Sunday; st_jh (YZ-JH-1) at 黄松甸营业所 (O-JH-1, 蛟河, charlie's and
erin's), open 07:00–09:00 and 16:00–19:00 every day. They are about 65 km apart.
"""
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from postqc.stations.services import station_create

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 10, 0))
TODAY = dt.date(2026, 11, 25)
CY = (43.842000, 126.540000)
JH = (43.724000, 127.344000)
WEEKDAYS_CY = {**{str(d): [["08:00", "17:30"]] for d in range(1, 6)}, "6": [["09:00", "16:00"]]}
SPLIT_JH = {str(d): [["07:00", "09:00"], ["16:00", "19:00"]] for d in range(1, 8)}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def station_data(**changes) -> dict:
    return {"code": "YZ-NEW", "name": "新站", "unit": None, "outlet": None, "address": "船营区某路 1 号",
            "latitude": "43.850000", "longitude": "126.550000", "phone": "0432-62000000", "hours": WEEKDAYS_CY,
            "amenities": ["hot_water", "seating"], "amenity_note": "", "groups": ["sanitation", "rider"], **changes}


@pytest.fixture
def stations(org):
    st_cy = station_create(actor=org.alice, **station_data(
        code="YZ-CY-1", name="北京路邮驿站", outlet=org.o_cy, address="", latitude=str(CY[0]), longitude=str(CY[1]),
        amenities=["hot_water", "microwave", "charging", "seating", "climate"],
        groups=["sanitation", "rider", "driver", "public"]))
    st_jh = station_create(actor=org.charlie, **station_data(
        code="YZ-JH-1", name="黄松甸邮驿站", outlet=org.o_jh, address="", latitude=str(JH[0]), longitude=str(JH[1]),
        hours=SPLIT_JH, amenities=["hot_water", "charging", "toilet"], groups=["sanitation", "elderly", "public"]))
    return {"cy": st_cy, "jh": st_jh}
