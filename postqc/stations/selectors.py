"""Reads of 邮驿站: the public finder (distance, open now), the managers' list, a station's usage and
the monthly usage report by unit, station and group — aggregated in the database, no N+1."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from postqc.org.models import Unit, UnitClosure

from .hours import is_open_at
from .models import Group, Station, Visit

EARTH_RADIUS_KM = 6371.0088
NEAR_KM = 60  # the finder's bounding box: a visitor further than this from every station is told so


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, km: float) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(min lat, max lat, min lng, max lng) of a box holding every point within `km` of (lat, lng)."""
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    dlng = math.degrees(km / (EARTH_RADIUS_KM * max(math.cos(math.radians(lat)), 0.01)))
    q = Decimal("0.000001")
    return (Decimal(lat - dlat).quantize(q), Decimal(lat + dlat).quantize(q),
            Decimal(lng - dlng).quantize(q), Decimal(lng + dlng).quantize(q))


def public_stations() -> QuerySet[Station]:
    """What the public may see: stations not closed (a suspended one shows as such)."""
    return (Station.objects.exclude(status=Station.Status.CLOSED)
            .select_related("district").order_by("district__sort_order", "district__code", "code"))


@dataclass
class Found:
    station: Station
    km: float | None = None
    open_now: bool = False

    @property
    def meters(self) -> int | None:
        return round(self.km * 1000) if self.km is not None else None


def find(*, lat: float | None = None, lng: float | None = None, amenity: str = "", open_now: bool = False,
         district: str = "", at: dt.datetime | None = None, km: float = NEAR_KM) -> list[Found]:
    """The finder: with a position, the stations within `km` nearest first (a bounding box in the
    database narrows them, haversine orders them); without one, by district then code. `amenity`
    keeps stations that have it and have not reported it out of order or out of stock; `open_now`
    keeps stations open at `at` (now) on the local clock. One query."""
    at = at or timezone.now()
    qs = public_stations()
    if district:
        qs = qs.filter(district__code=district)
    located = lat is not None and lng is not None
    if located:
        low_lat, high_lat, low_lng, high_lng = bounding_box(lat, lng, km)
        qs = qs.filter(latitude__gte=low_lat, latitude__lte=high_lat, longitude__gte=low_lng,
                       longitude__lte=high_lng)
    found = []
    for station in qs:
        if amenity and (amenity not in station.amenities or amenity in station.amenity_issues):
            continue
        is_open = station.status == Station.Status.OPEN and is_open_at(station.hours, at)
        if open_now and not is_open:
            continue
        distance = None
        if located:
            distance = haversine_km(lat, lng, float(station.latitude), float(station.longitude))
            if distance > km:
                continue
        found.append(Found(station, distance, is_open))
    if located:
        found.sort(key=lambda f: (f.km, f.station.code))
    return found


def districts_with_stations() -> list[tuple[str, str]]:
    """(code, name) of the districts and counties that have a public station, in tree order."""
    ids = public_stations().values("district_id")
    return [(code, name.removesuffix("分公司")) for code, name in
            Unit.objects.filter(pk__in=ids).order_by("sort_order", "code").values_list("code", "name")]


# --- Managers -----------------------------------------------------------------------------------


def stations_for(queryset: QuerySet[Station], *, status: str = "", amenity: str = "", issues: bool = False,
                 q: str = "", today: dt.date | None = None) -> QuerySet[Station]:
    """A (scoped) station list narrowed by status, amenity, reported problems and a search, each with
    its people served in the last 30 days. One query."""
    today = today or timezone.localdate()
    if status in Station.Status.values:
        queryset = queryset.filter(status=status)
    if amenity:
        queryset = queryset.filter(amenities__contains=[amenity]) if _json_contains() else \
            queryset.filter(amenities__icontains=f'"{amenity}"')
    if issues:
        queryset = queryset.exclude(amenity_issues={})
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(address__icontains=q))
    since = today - dt.timedelta(days=29)
    return (queryset.select_related("unit", "outlet")
            .annotate(people_30d=Sum("visits__count", filter=Q(visits__visited_on__gte=since,
                                                                visits__visited_on__lte=today)))
            .order_by("unit__sort_order", "unit__code", "code"))


def _json_contains() -> bool:
    """JSON containment (`__contains=[…]`) works on PostgreSQL; SQLite has no such lookup."""
    from django.db import connection

    return connection.vendor == "postgresql"


@dataclass
class Usage:
    """People served, by group, and the entries they come from."""

    by_group: dict[str, int] = field(default_factory=dict)
    entries: int = 0

    @property
    def people(self) -> int:
        return sum(self.by_group.values())

    def add(self, group: str, people: int, entries: int) -> None:
        self.by_group[group] = self.by_group.get(group, 0) + people
        self.entries += entries

    def cells(self) -> list[int]:
        return [self.by_group.get(g, 0) for g in Group.values]


def month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, last


@dataclass
class UsageReport:
    unit: Unit
    first: dt.date
    last: dt.date
    total: Usage
    children: list[tuple[Unit, Usage]]
    stations: list[tuple[Station, Usage]]


def usage_report(unit: Unit, year: int, month: int) -> UsageReport:
    """服务台账月报: the people served in a month by `unit` (its subtree), by each child unit and by each
    station, each split by group. Every station of the subtree that was not closed before the month
    is listed, served or not. Four queries."""
    first, last = month_range(year, month)
    subtree = UnitClosure.objects.filter(ancestor=unit).values("descendant_id")
    rows = list(Visit.objects.filter(unit_id__in=subtree, visited_on__gte=first, visited_on__lte=last)
                .order_by().values("station_id", "unit_id", "group")
                .annotate(people=Sum("count"), entries=Count("pk")))
    stations = list(Station.objects.filter(unit_id__in=subtree).filter(
        Q(status__in=(Station.Status.OPEN, Station.Status.SUSPENDED)) | Q(pk__in={r["station_id"] for r in rows}))
        .select_related("unit").order_by("unit__sort_order", "unit__code", "code"))
    unit_ids = {r["unit_id"] for r in rows} | {s.unit_id for s in stations}
    child_of = dict(UnitClosure.objects.filter(ancestor__parent=unit, descendant_id__in=unit_ids)
                    .values_list("descendant_id", "ancestor_id"))
    children_units = {u.pk: u for u in Unit.objects.filter(pk__in=set(child_of.values()))}
    total, by_station, by_child = Usage(), {s.pk: Usage() for s in stations}, {}
    for r in rows:
        total.add(r["group"], r["people"], r["entries"])
        by_station.setdefault(r["station_id"], Usage()).add(r["group"], r["people"], r["entries"])
        if r["unit_id"] in child_of:
            by_child.setdefault(child_of[r["unit_id"]], Usage()).add(r["group"], r["people"], r["entries"])
    for s in stations:  # a child with stations but no visits is listed with zeros
        if s.unit_id in child_of:
            by_child.setdefault(child_of[s.unit_id], Usage())
    children = sorted(((children_units[pk], u) for pk, u in by_child.items()),
                      key=lambda pair: (pair[0].sort_order, pair[0].code))
    return UsageReport(unit, first, last, total, children, [(s, by_station[s.pk]) for s in stations])


def station_usage(station: Station, today: dt.date, months: int = 12) -> tuple[list[tuple[dt.date, int]], Usage]:
    """A station's people served per month over the last `months` months (oldest first, empty months
    as 0), and this month's by group. Two queries."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    start = dt.date(index // 12, index % 12 + 1, 1)
    per_month = dict(station.visits.filter(visited_on__gte=start, visited_on__lte=today)
                     .annotate(month=TruncMonth("visited_on")).order_by().values("month")
                     .annotate(people=Sum("count")).values_list("month", "people"))
    per_month = {(m.date() if isinstance(m, dt.datetime) else m): p for m, p in per_month.items()}
    series, cursor = [], start
    while cursor <= today:
        series.append((cursor, per_month.get(cursor, 0)))
        cursor = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    this_month = Usage()
    for row in (station.visits.filter(visited_on__gte=today.replace(day=1), visited_on__lte=today)
                .order_by().values("group").annotate(people=Sum("count"), entries=Count("pk"))):
        this_month.add(row["group"], row["people"], row["entries"])
    return series, this_month


def open_rate_by_child(unit: Unit) -> tuple[tuple[int, int], dict[int, tuple[int, int]]]:
    """(open, not closed) stations of `unit`'s subtree and of each child's; two queries."""
    subtree = UnitClosure.objects.filter(ancestor=unit).values("descendant_id")
    per_unit = list(Station.objects.filter(unit_id__in=subtree).exclude(status=Station.Status.CLOSED)
                    .order_by().values("unit_id")
                    .annotate(n=Count("pk"), open=Count("pk", filter=Q(status=Station.Status.OPEN))))
    child_of = dict(UnitClosure.objects.filter(ancestor__parent=unit, descendant_id__in=[r["unit_id"] for r in per_unit])
                    .values_list("descendant_id", "ancestor_id"))
    total = [0, 0]
    children: dict[int, list[int]] = {}
    for r in per_unit:
        total[0] += r["open"]
        total[1] += r["n"]
        if r["unit_id"] in child_of:
            c = children.setdefault(child_of[r["unit_id"]], [0, 0])
            c[0] += r["open"]
            c[1] += r["n"]
    return (total[0], total[1]), {k: (v[0], v[1]) for k, v in children.items()}
