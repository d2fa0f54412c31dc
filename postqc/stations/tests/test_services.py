"""Stations, their status history, supplies checks and the usage log: the rules and who may do what."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postqc.stations.models import AmenityCheck, Station, StationStatusChange, Visit
from postqc.stations.services import amenity_check, station_create, station_set_status, station_update, visit_log

from .conftest import TODAY, station_data


def test_a_station_at_an_outlet_takes_its_unit_address_and_district(org, stations):
    st = Station.objects.select_related("unit", "district").get(code="YZ-CY-1")
    assert st.unit == org.cy_bjl and st.district == org.cy and st.district_name == "船营区"
    assert st.address == "船营区北京路 1 号" and st.latitude == Decimal("43.842000")
    assert st.status == "open"
    first = st.status_changes.get()
    assert (first.from_status, first.to_status, first.actor) == ("", "open", org.alice)


def test_bad_input_is_named_by_field_and_nothing_is_written(org):
    with pytest.raises(ValidationError) as caught:
        station_create(actor=org.alice, **station_data(
            code="new", name="", address="", latitude="91", longitude="", hours={"1": [["17:00", "08:00"]]},
            amenities=["hot_water", "jacuzzi", "other"], groups=[], unit=org.cy))
    errors = caught.value.message_dict
    assert set(errors) >= {"code", "name", "address", "latitude", "hours_1", "amenities", "amenity_note", "groups"}
    assert not Station.objects.exists() and not StationStatusChange.objects.exists()


def test_coordinates_come_in_pairs_and_a_week_needs_an_open_day(org):
    with pytest.raises(ValidationError) as caught:
        station_create(actor=org.alice, **station_data(unit=org.cy, latitude="43.8", longitude="", hours={}))
    assert set(caught.value.message_dict) == {"latitude", "hours"}


def test_an_outlet_and_a_different_unit_do_not_go_together(org):
    with pytest.raises(ValidationError) as caught:
        station_create(actor=org.alice, **station_data(unit=org.cy, outlet=org.o_cy))
    assert "北京路支局" in caught.value.message_dict["unit"][0]


def test_managers_manage_only_their_own_subtree(org, stations):
    with pytest.raises(ValidationError) as caught:  # charlie (蛟河) cannot open one in 船营
        station_create(actor=org.charlie, **station_data(unit=org.cy))
    assert "本单位及下级单位" in caught.value.message_dict["unit"][0]
    with pytest.raises(PermissionDenied):
        station_update(station=stations["cy"], actor=org.charlie, **station_data(name="改名", unit=org.cy))
    with pytest.raises(PermissionDenied):  # a clerk logs visits but does not manage stations
        station_create(actor=org.bob, **station_data(unit=org.cy_bjl))
    with pytest.raises(PermissionDenied):  # a leader reads, does not manage
        station_set_status(station=stations["cy"], status="suspended", reason="装修", actor=org.dora)


def test_status_changes_are_kept_and_need_a_reason(org, stations):
    st = stations["cy"]
    with pytest.raises(ValidationError) as caught:
        station_set_status(station=st, status="suspended", reason="", actor=org.alice)
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError):
        station_set_status(station=st, status="open", reason="", actor=org.alice)  # already open
    station_set_status(station=st, status="suspended", reason="营业厅装修", actor=org.hank)
    station_set_status(station=st, status="open", reason="", actor=org.alice)
    station_set_status(station=st, status="closed", reason="网点撤并", actor=org.alice)
    with pytest.raises(ValidationError, match="不能重新开放"):
        station_set_status(station=st, status="open", reason="", actor=org.alice)
    st.refresh_from_db()
    assert (st.status, st.status_reason) == ("closed", "网点撤并")
    with pytest.raises(ValidationError, match="不能再修改"):
        station_update(station=st, actor=org.alice, **station_data(name="改名", outlet=org.o_cy))
    assert list(st.status_changes.order_by("at", "pk").values_list("from_status", "to_status", "reason")) == [
        ("", "open", "建站"), ("open", "suspended", "营业厅装修"), ("suspended", "open", ""),
        ("open", "closed", "网点撤并")]


def test_an_edit_changes_details_not_code_or_status(org, stations):
    st = station_update(station=stations["cy"], actor=org.alice, **station_data(
        code="IGNORED", name="北京路爱心驿站", outlet=org.o_cy, hours={"1": [["07:30", "18:00"]]}))
    st.refresh_from_db()
    assert (st.code, st.name, st.hours, st.status) == ("YZ-CY-1", "北京路爱心驿站", {"1": [["07:30", "18:00"]]}, "open")


def test_a_supplies_check_shows_until_the_amenity_is_ok_again(org, stations):
    st = stations["cy"]
    with pytest.raises(ValidationError) as caught:
        amenity_check(station=st, amenity="toilet", state="out_of_order", note="", actor=org.bob)
    assert set(caught.value.message_dict) == {"amenity", "note"}
    amenity_check(station=st, amenity="microwave", state="out_of_order", note="不加热", actor=org.bob)
    st.refresh_from_db()
    assert st.issue_list == [{"amenity": "microwave", "label": "微波炉", "state": "out_of_order", "state_label": "故障",
                              "note": "不加热", "on": "2026-11-25"}]
    amenity_check(station=st, amenity="microwave", state="ok", actor=org.bob)
    st.refresh_from_db()
    assert st.issue_list == [] and AmenityCheck.objects.filter(station=st).count() == 2  # history kept
    with pytest.raises(PermissionDenied):
        amenity_check(station=st, amenity="microwave", state="ok", actor=org.erin)


def test_a_visit_defaults_to_today_and_is_checked(org, stations):
    visit = visit_log(station=stations["cy"], actor=org.bob, group="sanitation", count=3,
                      services=["hot_water", "climate"], note="扫雪")
    assert (visit.visited_on, visit.unit, visit.recorded_by, visit.services) == (TODAY, org.cy_bjl, org.bob,
                                                                              ["hot_water", "climate"])
    with pytest.raises(ValidationError) as caught:
        visit_log(station=stations["cy"], actor=org.bob, group="tourists", count=0, services=["toilet"],
                  visited_on=TODAY + dt.timedelta(days=1))
    assert set(caught.value.message_dict) == {"group", "count", "services", "visited_on"}
    with pytest.raises(ValidationError, match="31 天以内"):
        visit_log(station=stations["cy"], actor=org.bob, group="rider", count=1, visited_on=TODAY - dt.timedelta(days=40))
    assert Visit.objects.count() == 1


def test_only_staff_of_the_subtree_log_visits_at_an_open_station(org, stations):
    with pytest.raises(PermissionDenied):
        visit_log(station=stations["cy"], actor=org.erin, group="rider", count=1)  # 蛟河's clerk
    with pytest.raises(PermissionDenied):
        visit_log(station=stations["cy"], actor=org.dora, group="rider", count=1)  # a leader does not log
    visit_log(station=stations["cy"], actor=org.hank, group="rider", count=1)  # the branch head may
    with pytest.raises(PermissionDenied):  # a courier of the 投递部 under the branch: the station is above him
        visit_log(station=stations["cy"], actor=org.dave, group="rider", count=1)
    station_set_status(station=stations["cy"], status="suspended", reason="停电", actor=org.alice)
    stations["cy"].refresh_from_db()
    with pytest.raises(ValidationError, match="暂停开放"):
        visit_log(station=stations["cy"], actor=org.bob, group="rider", count=1)
