"""撤销: a wrong 服务台账 entry is taken back by the person who logged it (within 7 days) or by a
station manager of its subtree; it leaves the tallies and the report, and what it said is kept."""
import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from postqc.conftest import PASSWORD
from postqc.org.roles import Role
from postqc.org.services import staff_create
from postqc.stations import selectors
from postqc.stations.models import Visit, VisitWithdrawal
from postqc.stations.services import WITHDRAW_DAYS, visit_log, visit_withdraw

from .conftest import TODAY
from .test_api import bearer


def test_the_person_who_logged_it_takes_it_back_and_the_withdrawal_keeps_what_it_said(org, stations):
    wrong = visit_log(station=stations["cy"], actor=org.bob, group="rider", count=12, services=["hot_water"],
                      note="多按了一个 2")
    visit_log(station=stations["cy"], actor=org.bob, group="rider", count=1)
    withdrawal = visit_withdraw(visit=wrong, actor=org.bob, reason="应为 1 人次")
    assert not Visit.objects.filter(pk=wrong.pk).exists()
    kept = VisitWithdrawal.objects.get()
    assert (kept.visit_id, kept.group, kept.count, kept.services, kept.note, kept.visited_on) == (
        wrong.pk, "rider", 12, ["hot_water"], "多按了一个 2", TODAY)
    assert (kept.recorded_by, kept.withdrawn_by, kept.reason, kept.unit_id) == (org.bob, org.bob, "应为 1 人次",
                                                                               stations["cy"].unit_id)
    assert kept.recorded_at == wrong.created_at and withdrawal == kept
    report = selectors.usage_report(org.cy, TODAY.year, TODAY.month)
    assert (report.total.people, report.total.entries) == (1, 1)  # the report counts the right entry only


def test_only_the_logger_within_the_window_or_a_station_manager_may(org, stations, frozen):
    other = staff_create(employee_no="B002", name="白露", unit=org.bob.unit, roles=[Role.CLERK], outlet=org.o_cy,
                         password=PASSWORD)
    visit = visit_log(station=stations["cy"], actor=org.bob, group="public", count=2)
    with pytest.raises(PermissionDenied):
        visit_withdraw(visit=visit, actor=other)  # a colleague at the same counter
    frozen.shift(dt.timedelta(days=WITHDRAW_DAYS, minutes=1))
    with pytest.raises(PermissionDenied, match="7 天内"):
        visit_withdraw(visit=visit, actor=org.bob)  # too late for the logger himself
    visit_withdraw(visit=visit, actor=org.hank, reason="重复登记")  # 支局长: manage_stations in his subtree
    assert not Visit.objects.exists() and VisitWithdrawal.objects.get().withdrawn_by == org.hank
    far = visit_log(station=stations["jh"], actor=org.erin, group="elderly", count=1)
    with pytest.raises(PermissionDenied):
        visit_withdraw(visit=far, actor=org.alice)  # 船营's manager, a 蛟河 station


def test_on_the_phone_my_recent_entries_have_a_take_back_button(org, stations, as_):
    client = as_(org.bob)
    url = reverse("stations_staff:log", args=["YZ-CY-1"])
    client.post(url, {"group": "sanitation", "count": "3", "visited_on": "2026-11-25"})
    visit = Visit.objects.get()
    page = client.get(url).content.decode()
    withdraw = reverse("stations_staff:withdraw", args=["YZ-CY-1", visit.pk])
    assert "我最近登记的" in page and withdraw in page and "已登记 <b>3</b> 人次" in page
    assert "我最近登记的" not in as_(org.hank).get(url).content.decode()  # only one's own entries are listed
    done = client.post(withdraw, follow=True).content.decode()
    assert "已撤销" in done and "已登记 <b>0</b> 人次" in done and not Visit.objects.exists()
    assert client.post(withdraw).status_code == 404  # a second tap: gone already
    assert as_(org.erin).post(reverse("stations_staff:withdraw", args=["YZ-CY-1", 1])).status_code == 404


def test_a_manager_takes_one_back_with_a_reason_and_sees_it_listed(org, stations, as_):
    visit = visit_log(station=stations["cy"], actor=org.bob, group="driver", count=5)
    detail = reverse("stations:station_detail", args=["YZ-CY-1"])
    action = reverse("stations:visit_withdraw", args=["YZ-CY-1", visit.pk])
    assert action in as_(org.alice).get(detail).content.decode()
    assert as_(org.bob).post(action).status_code == 403  # the manager page needs manage_stations
    assert as_(org.charlie).post(action).status_code == 404
    page = as_(org.alice).post(action, {"reason": "司机误登为 5 人"}, follow=True).content.decode()
    assert "撤销的台账" in page and "司机误登为 5 人" in page and "艾丽" in page
    assert not Visit.objects.exists()


def test_the_api_takes_back_an_entry(client, org, stations):
    visit = visit_log(station=stations["cy"], actor=org.bob, group="rider", count=2)
    url = f"/api/v1/stations/YZ-CY-1/visits/{visit.pk}/withdraw"
    assert client.post(url, json.dumps({}), content_type="application/json", **bearer(org.erin)).status_code == 404
    done = client.post(url, json.dumps({"reason": "录错了"}), content_type="application/json", **bearer(org.bob))
    assert done.status_code == 200
    assert done.json() | {"withdrawn_at": ""} == {
        "visit_id": visit.pk, "station": "YZ-CY-1", "group": "rider", "count": 2, "visited_on": "2026-11-25",
        "recorded_by": "B001", "withdrawn_by": "B001", "withdrawn_at": "", "reason": "录错了"}
    again = client.post(url, json.dumps({}), content_type="application/json", **bearer(org.bob))
    assert again.status_code == 404
