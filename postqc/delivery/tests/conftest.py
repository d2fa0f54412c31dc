"""Segments on the personas' tree, at a fixed moment: Wednesday 2026-11-25, 10:00 in Shanghai.

    CY-BJL-TD 北京路投递部 (船营): S-CY-1 city (dave, mailbox), S-CY-2 city (dave, mail room)
    JH-HSD 黄松甸支局 (蛟河):     S-JH-1 village (carl, village point)

Full weeks before the frozen day: … 11-09–11-15, 11-16–11-22; 11-23–11-29 is under way.
"""
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from postqc.delivery.models import AreaType, DeliveryRecord, HandoverPoint, Segment
from postqc.delivery.selectors import monday

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 10, 0))
TODAY = dt.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_segment(code, unit, area, courier, point, since=dt.date(2026, 1, 1), **extra):
    return Segment.objects.create(code=code, name=f"{code} 段", unit=unit, area_type=area, courier=courier,
                                  handover_point=point, planned_per_week=7, households=500, in_service_from=since,
                                  **extra)


@pytest.fixture
def segs(org):
    return {
        "cy1": make_segment("S-CY-1", org.cy_td, AreaType.CITY, org.dave, HandoverPoint.MAILBOX),
        "cy2": make_segment("S-CY-2", org.cy_td, AreaType.CITY, org.dave, HandoverPoint.MAIL_ROOM),
        "jh1": make_segment("S-JH-1", org.jh_hsd, AreaType.VILLAGE, org.carl, HandoverPoint.VILLAGE_POINT),
    }


def run(segment, day, run_no=1, *, ordinary=10, tracked=5, delivered=None, on_time=None, point=None, **extra):
    delivered = ordinary + tracked if delivered is None else delivered
    return DeliveryRecord.objects.create(
        segment=segment, unit_id=segment.unit_id, delivered_on=day, week_of=monday(day), run_no=run_no,
        courier=segment.courier, ordinary=ordinary, tracked=tracked, delivered=delivered,
        on_time=delivered if on_time is None else on_time, handover_point=point or segment.handover_point,
        source=DeliveryRecord.Source.PHONE, **extra)


def days(first: dt.date, last: dt.date, weekdays=range(7)):
    out, day = [], first
    while day <= last:
        if day.weekday() in weekdays:
            out.append(day)
        day += dt.timedelta(days=1)
    return out
