"""Tracking fixtures on the shared org personas (postqc/conftest.py): 船营 (CY, its delivery unit
CY-BJL-TD with courier dave) and 蛟河 (JH, JH-HSD with courier carl), at a fixed time."""
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from postqc.tracking import s10
from postqc.tracking.ingest import ingest_rows

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 18, 0))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def num(serial: int, indicator: str = "RR") -> str:
    return s10.make(indicator, serial)


def rows(*events: dict) -> list[tuple[int, dict]]:
    """Event dicts as the rows of a file (row 2 onwards)."""
    return [(i, e) for i, e in enumerate(events, start=2)]


def story(number: str) -> list[dict]:
    """A registered letter posted at 船营 for Beijing, 原址查无此单位 there, returned, delivered back by dave."""
    return [
        {"number": number, "code": "EMA", "time": "2026-11-10 09:30", "office": "CY", "location": "吉林市船营区",
         "mail_class": "信函", "route": "跨省", "postage": "5.00", "outlet": "O-CY-1",
         "sender": "刘进富", "addressee": "北京某刊社编辑部"},
        {"number": number, "code": "EDD", "time": "2026-11-10 20:00", "office": "132000", "location": "吉林市邮区中心局"},
        {"number": number, "code": "EMG", "time": "2026-11-13 08:00", "office": "100001", "location": "北京市东城区"},
        {"number": number, "code": "EMH", "time": "2026-11-13 10:00", "office": "100001", "location": "北京市东城区",
         "reason": "原址查无此单位", "action": "退回寄件人"},
        {"number": number, "code": "EMG", "time": "2026-11-18 08:00", "office": "CY-BJL-TD", "location": "北京路投递部"},
        {"number": number, "code": "EMI", "time": "2026-11-18 10:00", "office": "CY-BJL-TD", "location": "北京路投递部",
         "courier": "D001"},
    ]


def delivered(number: str, office: str = "CY-BJL-TD", day: int = 20, posted: int = 19, route: str = "同城") -> list[dict]:
    return [
        {"number": number, "code": "EMA", "time": f"2026-11-{posted:02d} 09:00", "office": office, "route": route,
         "postage": "3.00"},
        {"number": number, "code": "EMG", "time": f"2026-11-{day:02d} 07:00", "office": office},
        {"number": number, "code": "EMI", "time": f"2026-11-{day:02d} 11:00", "office": office},
    ]


@pytest.fixture
def ingest():
    def run(*events, **kw):
        return ingest_rows(rows(*events), **kw)
    return run


def failed(number: str, office: str = "CY-BJL-TD") -> list[dict]:
    """Posted on the 20th, an attempt on the 21st failed (收件人不在, held for collection): still not delivered."""
    return [
        {"number": number, "code": "EMA", "time": "2026-11-20 09:00", "office": office, "route": "同城"},
        {"number": number, "code": "EMG", "time": "2026-11-21 07:00", "office": office},
        {"number": number, "code": "EMH", "time": "2026-11-21 10:00", "office": office, "reason": "收件人不在",
         "action": "留局待领，已留投递通知"},
        {"number": number, "code": "EDH", "time": "2026-11-21 11:00", "office": office},
    ]


def unreturnable(number: str, office: str = "CY-BJL-TD") -> list[dict]:
    """Posted in April, no such address and no sender's address either: due for destruction."""
    return [
        {"number": number, "code": "EMA", "time": "2026-04-01 09:00", "office": office, "route": "同城"},
        {"number": number, "code": "EMH", "time": "2026-04-02 10:00", "office": office, "reason": "地址不详",
         "action": "无法退回，按无着邮件处理"},
    ]


STORY, ON_TIME, LATE, FAILED, GONE, JH_ITEM = (num(n) for n in range(1, 7))


@pytest.fixture
def traffic(org, ingest):
    """船营: the seed story, one on time, one late, one failed attempt, one unreturnable; 蛟河: one on time."""
    report = ingest(*story(STORY), *delivered(ON_TIME), *delivered(LATE, day=22), *failed(FAILED),
                    *unreturnable(GONE), *delivered(JH_ITEM, office="JH-HSD"))
    assert report.ok, report.errors
    return report
