"""服务台账 on the phone (/m/stations/): staff at a station log visits in a few taps, and report an
amenity out of order or out of stock."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from postqc.core.access import get_scoped_or_404, require, scoped
from postqc.org.roles import Capability

from . import services
from .models import Amenity, AmenityCheck, Group, Station

MINE = 10  # my latest entries shown with 撤销 on the log page


@login_required
@require_GET
def station_list(request: HttpRequest) -> HttpResponse:
    """The open stations of my subtree, my own outlet's first, with today's people served."""
    require(request.user, Capability.LOG_STATION_VISITS)
    today = timezone.localdate()
    stations = list(scoped(Station.objects.filter(status=Station.Status.OPEN), request.user)
                    .annotate(today_people=Sum("visits__count", filter=Q(visits__visited_on=today)))
                    .order_by("code"))
    mine = request.user.outlet_id
    stations.sort(key=lambda s: (s.outlet_id != mine or mine is None, s.code))
    if len(stations) == 1:
        return redirect("stations_staff:log", code=stations[0].code)
    return render(request, "stations/staff/list.html", {"tab": "home", "stations": stations})


@login_required
@require_http_methods(["GET", "POST"])
def log(request: HttpRequest, code: str) -> HttpResponse:
    """One visit entry: a group, how many, what they used, the day (today). After saving, the same
    form again (the next person is often right behind), with today's tally."""
    require(request.user, Capability.LOG_STATION_VISITS)
    station = get_scoped_or_404(Station.objects.all(), request.user, code=code)
    today = timezone.localdate()
    form = {"group": "", "count": "1", "count_other": "", "services": [], "visited_on": f"{today:%Y-%m-%d}", "note": ""}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        other = request.POST.get("count_other", "").strip()
        form = {"group": request.POST.get("group", ""), "count": other or request.POST.get("count", "").strip(),
                "count_other": other,
                "services": request.POST.getlist("services"), "visited_on": request.POST.get("visited_on", "").strip(),
                "note": request.POST.get("note", "")}
        try:
            visit = services.visit_log(station=station, actor=request.user, group=form["group"], count=form["count"],
                                       services=form["services"], visited_on=form["visited_on"] or None,
                                       note=form["note"])
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("已登记：%(g)s %(n)d 人次。") % {"g": visit.get_group_display(), "n": visit.count})
            return redirect("stations_staff:log", code=code)
    tally = list(station.visits.filter(visited_on=today).order_by().values("group")
                 .annotate(people=Sum("count"), entries=Count("pk")))
    labels = dict(Group.choices)
    since = timezone.now() - dt.timedelta(days=services.WITHDRAW_DAYS)
    mine = station.visits.filter(recorded_by=request.user, created_at__gte=since).order_by("-created_at", "-pk")[:MINE]
    return render(request, "stations/staff/log.html", {
        "mine": mine, "withdraw_days": services.WITHDRAW_DAYS,
        "tab": "home", "station": station, "form": form, "errors": errors, "today": today,
        "groups": Group.choices, "services": [(a, l) for a, l in Amenity.choices if a in station.amenities],
        "tally": [(labels[r["group"]], r["people"]) for r in tally], "tally_total": sum(r["people"] for r in tally),
        "issues": station.issue_list, "states": AmenityCheck.State.choices,
        "count_choices": (1, 2, 3, 5, 10)})


@login_required
@require_POST
def withdraw(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """撤销 a wrong entry (services.visit_withdraw says who may)."""
    require(request.user, Capability.LOG_STATION_VISITS)
    station = get_scoped_or_404(Station.objects.all(), request.user, code=code)
    visit = get_object_or_404(station.visits.all(), pk=pk)
    try:
        services.visit_withdraw(visit=visit, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤销：%(d)s %(g)s %(n)d 人次。") % {
            "d": f"{visit.visited_on:%m-%d}", "g": visit.get_group_display(), "n": visit.count})
    return redirect("stations_staff:log", code=code)


@login_required
@require_POST
def check(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, Capability.LOG_STATION_VISITS)
    station = get_scoped_or_404(Station.objects.all(), request.user, code=code)
    try:
        services.amenity_check(station=station, amenity=request.POST.get("amenity", ""),
                               state=request.POST.get("state", ""), note=request.POST.get("note", ""),
                               actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("设施情况已记录。"))
    return redirect("stations_staff:log", code=code)
