"""/api/v1/stations: 邮驿站.

Public (no token): the finder (GET /stations) and one station (GET /stations/{code}) — what a
visitor needs and no personal data (no staff, no usage figures). With a token: logging visits and
supplies checks at a station of one's subtree (`log_station_visits`), and the monthly usage report
(`view_manage`). Stations outside the subtree answer 404.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from postqc.core.access import get_scoped_or_404, require
from postqc.learning.stats import managed_unit
from postqc.org.roles import Capability

from . import hours as hours_mod
from . import selectors, services
from .models import Amenity, Group, Station, Visit

router = Router(tags=["stations"])


class IssueOut(Schema):
    amenity: str
    state: str = Field(..., description="out_of_order or out_of_stock")
    note: str
    on: str


class StationOut(Schema):
    code: str
    name: str
    district: str | None = Field(..., description="The district or county it is in")
    address: str
    latitude: float | None
    longitude: float | None
    phone: str
    status: str = Field(..., description="open or suspended")
    status_reason: str
    open_now: bool = Field(..., description="Open at this moment, on the local clock (Asia/Shanghai)")
    distance_km: float | None = Field(None, description="From the lat/lng asked with, when given")
    hours: dict[str, list[list[str]]] = Field(..., description="ISO weekday '1'…'7' → [['08:00','17:30'], …]; "
                                                               "an absent day is closed")
    amenities: list[str]
    amenity_note: str
    groups: list[str]
    issues: list[IssueOut] = Field(..., description="Amenities reported out of order or out of stock")


class FinderQuery(Schema):
    lat: float | None = Field(None, ge=-90, le=90, description="The visitor's latitude: nearest first")
    lng: float | None = Field(None, ge=-180, le=180)
    amenity: str = Field("", description="Only stations with this amenity working, e.g. hot_water")
    open_now: bool = False
    district: str = Field("", description="A district or county unit code (without lat/lng)")


class VisitIn(Schema):
    group: str = Field(..., description="One of: " + ", ".join(Group.values))
    count: int = Field(..., description="People, 1–500")
    services: list[str] = Field([], description="Amenity codes used")
    visited_on: dt.date | None = Field(None, description="Default today (Asia/Shanghai)")
    note: str = ""


class VisitOut(Schema):
    id: int
    station: str
    group: str
    count: int
    services: list[str]
    visited_on: dt.date
    note: str
    recorded_by: str


class WithdrawIn(Schema):
    reason: str = Field("", description="Why it is taken back (up to 200 characters)")


class WithdrawalOut(Schema):
    visit_id: int
    station: str
    group: str
    count: int
    visited_on: dt.date
    recorded_by: str
    withdrawn_by: str
    withdrawn_at: dt.datetime
    reason: str


class CheckIn(Schema):
    amenity: str
    state: str = Field(..., description="ok, out_of_order or out_of_stock")
    note: str = ""


class UsageRowOut(Schema):
    code: str
    name: str
    unit: str
    by_group: dict[str, int]
    people: int


class UsageOut(Schema):
    unit: str
    month: str
    by_group: dict[str, int]
    people: int
    stations: list[UsageRowOut]


def _station(s: Station, *, km: float | None = None, open_now: bool | None = None) -> dict:
    if open_now is None:
        open_now = s.status == Station.Status.OPEN and hours_mod.is_open_at(s.hours, timezone.now())
    return {"code": s.code, "name": s.name, "district": s.district_name or None, "address": s.address,
            "latitude": float(s.latitude) if s.latitude is not None else None,
            "longitude": float(s.longitude) if s.longitude is not None else None, "phone": s.phone,
            "status": s.status, "status_reason": s.status_reason, "open_now": open_now,
            "distance_km": round(km, 2) if km is not None else None, "hours": s.hours, "amenities": s.amenities,
            "amenity_note": s.amenity_note, "groups": s.groups, "issues": s.issue_list}


@router.get("/stations", response=list[StationOut], auth=None, summary="Find 邮驿站 (public): nearest first, or by district")
def finder(request: HttpRequest, query: Query[FinderQuery]):
    lat, lng = (query.lat, query.lng) if query.lat is not None and query.lng is not None else (None, None)
    found = selectors.find(lat=lat, lng=lng, amenity=query.amenity if query.amenity in Amenity.values else "",
                           open_now=query.open_now, district="" if lat is not None else query.district.strip())
    return [_station(f.station, km=f.km, open_now=f.open_now) for f in found]


@router.get("/station-usage", response=UsageOut, summary="服务台账月报: people served in a month, by station and group")
def usage(request: HttpRequest, unit: str = "", month: str = Query("", description="YYYY-MM, default this month")):
    require(request.user, Capability.VIEW_MANAGE)
    found = managed_unit(request.user, unit.strip())
    try:
        when = dt.datetime.strptime(month, "%Y-%m").date() if month else timezone.localdate()
    except ValueError:
        from ninja.errors import HttpError

        raise HttpError(422, "month: write it as YYYY-MM, e.g. 2026-11") from None
    report = selectors.usage_report(found, when.year, when.month)
    return {"unit": found.code, "month": f"{when:%Y-%m}", "by_group": report.total.by_group,
            "people": report.total.people,
            "stations": [{"code": s.code, "name": s.name, "unit": s.unit.code, "by_group": u.by_group,
                          "people": u.people} for s, u in report.stations]}


@router.get("/stations/{code}", response=StationOut, auth=None, summary="One 邮驿站 (public)")
def station_get(request: HttpRequest, code: str):
    found = get_object_or_404(Station.objects.exclude(status=Station.Status.CLOSED).select_related("district"),
                              code=code)
    return _station(found)


def _visit(v: Visit) -> dict:
    return {"id": v.pk, "station": v.station.code, "group": v.group, "count": v.count, "services": v.services,
            "visited_on": v.visited_on, "note": v.note, "recorded_by": v.recorded_by.employee_no}


@router.post("/stations/{code}/visits", response={201: VisitOut}, summary="Log visits at a station (服务台账)")
def visit_create(request: HttpRequest, code: str, payload: VisitIn):
    """Needs `log_station_visits`; the station must be open and in my subtree. Errors are named by field."""
    require(request.user, Capability.LOG_STATION_VISITS)
    station = get_scoped_or_404(Station.objects.all(), request.user, code=code)
    visit = services.visit_log(station=station, actor=request.user, group=payload.group, count=payload.count,
                               services=payload.services, visited_on=payload.visited_on, note=payload.note)
    return Status(201, _visit(visit))


@router.get("/stations/{code}/visits", response=list[VisitOut], summary="A station's latest visits (50)")
def visit_list(request: HttpRequest, code: str):
    if not (request.user.can(Capability.LOG_STATION_VISITS) or request.user.can(Capability.VIEW_MANAGE)):
        raise PermissionDenied("Your roles do not allow: log_station_visits or view_manage")
    station = get_scoped_or_404(Station.objects.all(), request.user, code=code)
    return [_visit(v) for v in station.visits.select_related("station", "recorded_by")[:50]]


@router.post("/stations/{code}/visits/{visit_id}/withdraw", response=WithdrawalOut,
             summary="Take back a wrong visit entry (撤销)")
def visit_withdraw(request: HttpRequest, code: str, visit_id: int, payload: WithdrawIn):
    """The person who logged it, within 7 days, or a `manage_stations` manager of its subtree. The entry
    leaves every tally and report; the withdrawal, with what it said, is kept."""
    if not (request.user.can(Capability.LOG_STATION_VISITS) or request.user.can(Capability.MANAGE_STATIONS)):
        raise PermissionDenied("Your roles do not allow: log_station_visits or manage_stations")
    station = get_scoped_or_404(Station.objects.all(), request.user, code=code)
    visit = get_object_or_404(station.visits.all(), pk=visit_id)
    w = services.visit_withdraw(visit=visit, actor=request.user, reason=payload.reason)
    return {"visit_id": w.visit_id, "station": station.code, "group": w.group, "count": w.count,
            "visited_on": w.visited_on, "recorded_by": visit.recorded_by.employee_no,
            "withdrawn_by": request.user.employee_no, "withdrawn_at": w.withdrawn_at, "reason": w.reason}


@router.post("/stations/{code}/checks", response={201: IssueOut}, summary="Record a supplies / amenity check")
def check_create(request: HttpRequest, code: str, payload: CheckIn):
    require(request.user, Capability.LOG_STATION_VISITS)
    station = get_scoped_or_404(Station.objects.all(), request.user, code=code)
    check = services.amenity_check(station=station, amenity=payload.amenity, state=payload.state, note=payload.note,
                                   actor=request.user)
    return Status(201, {"amenity": check.amenity, "state": check.state, "note": check.note,
                        "on": f"{timezone.localdate(check.at):%Y-%m-%d}"})
