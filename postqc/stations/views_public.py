"""The public 邮驿站 finder (/stations, no sign-in, phone first, small pages on a weak network).

Where the visitor is comes from the browser's geolocation, sent as ?lat=&lng= by stations/finder.js
once the visitor allows it; the server measures the distances. Without it the list goes by district.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import hours as hours_mod
from . import selectors
from .models import Amenity, Station


def position(lat: str | None, lng: str | None) -> tuple[float | None, float | None]:
    """(lat, lng) when both are numbers in range, else (None, None)."""
    try:
        la, ln = float(lat), float(lng)
    except (TypeError, ValueError):
        return None, None
    if not (-90 <= la <= 90 and -180 <= ln <= 180):
        return None, None
    return la, ln


@require_GET
def finder(request: HttpRequest) -> HttpResponse:
    lat, lng = position(request.GET.get("lat"), request.GET.get("lng"))
    amenity = request.GET.get("amenity", "")
    amenity = amenity if amenity in Amenity.values and amenity != Amenity.OTHER else ""
    open_now = request.GET.get("open") == "1"
    district = request.GET.get("district", "").strip() if lat is None else ""
    found = selectors.find(lat=lat, lng=lng, amenity=amenity, open_now=open_now, district=district)
    groups: list[tuple[str, list]] = []
    if lat is None:  # by district: a heading per district
        for f in found:
            name = f.station.district_name
            if not groups or groups[-1][0] != name:
                groups.append((name, []))
            groups[-1][1].append(f)
    keep = {k: v for k, v in (("amenity", amenity), ("open", "1" if open_now else "")) if v}
    if lat is not None:
        keep.update(lat=f"{lat:.5f}", lng=f"{lng:.5f}")
    return render(request, "stations/public/finder.html", {
        "found": found, "groups": groups, "located": lat is not None, "amenity": amenity, "open_now": open_now,
        "district": district, "districts": selectors.districts_with_stations(),
        "amenities": [(a, l) for a, l in Amenity.choices if a != Amenity.OTHER], "near_km": selectors.NEAR_KM,
        "query": urlencode(keep), "now": timezone.localtime()})


@require_GET
def station(request: HttpRequest, code: str) -> HttpResponse:
    found = get_object_or_404(Station.objects.exclude(status=Station.Status.CLOSED).select_related("district"),
                              code=code)
    lat, lng = position(request.GET.get("lat"), request.GET.get("lng"))
    km = None
    if lat is not None and found.latitude is not None:
        km = selectors.haversine_km(lat, lng, float(found.latitude), float(found.longitude))
    today = timezone.localtime().isoweekday()
    issues = {i["amenity"]: i for i in found.issue_list}
    return render(request, "stations/public/station.html", {
        "station": found, "week": hours_mod.week_rows(found.hours), "today": today, "km": km,
        "open_now": found.status == Station.Status.OPEN and hours_mod.is_open_at(found.hours, timezone.now()),
        "amenities": [(label, issues.get(a)) for a, label in Amenity.choices
                      if a in found.amenities and a != Amenity.OTHER]})
