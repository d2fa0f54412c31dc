"""邮驿站 manager pages (/manage/stations/): the station list with its problems, create / edit, a
station's usage and history, status changes and supplies checks, Excel in and out, the monthly
usage report by unit, station and group."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from postqc.core.access import get_scoped_or_404, require, scoped
from postqc.core.downloads import sheet_response, xlsx_response
from postqc.core.excel import write_template
from postqc.core.forms import posted_workbook
from postqc.learning.stats import managed_unit, unit_choices
from postqc.org.models import Outlet, Unit
from postqc.org.roles import Capability
from postqc.org.views.manage.common import page_of

from . import excel, selectors, services
from . import hours as hours_mod
from .models import Amenity, AmenityCheck, Group, Station

# --- The list ------------------------------------------------------------------------------------


@login_required
@require_GET
def station_list(request: HttpRequest) -> HttpResponse:
    """My subtree's stations, filtered by status, amenity and reported problems; ?format=xlsx exports
    them in the import layout."""
    require(request.user, Capability.VIEW_MANAGE)
    status, amenity = request.GET.get("status", ""), request.GET.get("amenity", "")
    issues, q = request.GET.get("issues") == "1", request.GET.get("q", "").strip()
    qs = selectors.stations_for(scoped(Station.objects.all(), request.user), status=status,
                                amenity=amenity if amenity in Amenity.values else "", issues=issues, q=q)
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        return sheet_response(excel.STATION_SHEET, (excel.station_record(s) for s in qs),
                              f"stations-{timezone.localdate():%Y%m%d}.xlsx")
    page = page_of(request, qs)
    query = urlencode({k: v for k, v in (("status", status), ("amenity", amenity), ("issues", "1" if issues else ""),
                                         ("q", q)) if v})
    return render(request, "stations/station_list.html", {
        "section": "stations", "page": page, "status": status, "amenity": amenity, "issues": issues, "q": q,
        "statuses": Station.Status.choices, "amenities": Amenity.choices, "query": query})


# --- Create and edit ---------------------------------------------------------------------------------


def _form_from(post, user) -> tuple[dict, dict]:
    """(what was entered, for the template) and (the data for services), from a POSTed station form."""
    form = {k: post.get(k, "").strip() for k in ("code", "name", "unit", "outlet", "address", "latitude", "longitude",
                                                  "phone", "amenity_note")}
    form.update({f"hours_{d}": post.get(f"hours_{d}", "").strip() for d in hours_mod.WEEKDAYS})
    form["amenities"], form["groups"] = post.getlist("amenities"), post.getlist("groups")
    unit = scoped(Unit.objects.all(), user).filter(code=form["unit"]).first() if form["unit"] else None
    outlet = (scoped(Outlet.objects.select_related("unit"), user).filter(code=form["outlet"]).first()
              if form["outlet"] else None)
    data = {k: form[k] for k in ("code", "name", "address", "latitude", "longitude", "phone", "amenity_note",
                                 "amenities", "groups")}
    data.update(unit=unit, outlet=outlet)
    return form, data


def _form_of(station: Station) -> dict:
    return {"code": station.code, "name": station.name, "unit": station.unit.code,
            "outlet": station.outlet.code if station.outlet else "", "address": station.address,
            "latitude": station.latitude or "", "longitude": station.longitude or "", "phone": station.phone,
            "amenity_note": station.amenity_note, "amenities": station.amenities, "groups": station.groups,
            **{f"hours_{d}": hours_mod.day_text(station.hours.get(d)) or _("休息") for d in hours_mod.WEEKDAYS}}


def _form_of_outlet(outlet: Outlet) -> dict:
    """A new station at an outlet starts from the outlet's details and hours (on its open days)."""
    day = (f"{outlet.opens_at:%H:%M}-{outlet.closes_at:%H:%M}" if outlet.opens_at and outlet.closes_at
           else "08:30-17:00")
    days = outlet.open_days_per_week or 5
    return {"code": f"YZ-{outlet.code}", "name": _("%(o)s邮驿站") % {"o": outlet.name}, "unit": outlet.unit.code,
            "outlet": outlet.code, "address": outlet.address, "latitude": outlet.latitude or "",
            "longitude": outlet.longitude or "", "phone": outlet.phone, "amenity_note": "",
            "amenities": [Amenity.HOT_WATER, Amenity.CHARGING, Amenity.SEATING], "groups": list(Group.values),
            **{f"hours_{d}": day if int(d) <= days else _("休息") for d in hours_mod.WEEKDAYS}}


def _parse_form_hours(form: dict, data: dict, errors: dict) -> None:
    try:
        data["hours"] = hours_mod.parse_week({d: form[f"hours_{d}"] for d in hours_mod.WEEKDAYS})
    except ValidationError as exc:
        errors.update(exc.message_dict)
        data["hours"] = {}


def _form_context(request, form: dict, errors: dict, station: Station | None) -> dict:
    outlets = scoped(Outlet.objects.exclude(status=Outlet.Status.CLOSED), request.user).order_by("unit__code", "code")
    return {"section": "stations", "form": form, "errors": errors, "station": station,
            "units": unit_choices(request.user), "outlets": outlets.values_list("code", "name"),
            "amenity_choices": Amenity.choices, "group_choices": Group.choices,
            "days": [{"day": d, "label": label, "key": f"hours_{d}", "value": form.get(f"hours_{d}", ""),
                      "errors": errors.get(f"hours_{d}", [])}
                     for d, label in zip(hours_mod.WEEKDAYS, hours_mod.WEEKDAY_LABELS, strict=True)]}


@login_required
@require_http_methods(["GET", "POST"])
def station_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_STATIONS)
    errors: dict = {}
    if request.method == "POST":
        form, errors, saved = _save_checked(request, None)
        if saved is not None:
            messages.success(request, _("已建立邮驿站 %(n)s。") % {"n": saved.name})
            return redirect("stations:station_detail", code=saved.code)
    else:
        outlet = (get_scoped_or_404(Outlet.objects.select_related("unit"), request.user, code=request.GET["outlet"])
                  if request.GET.get("outlet") else None)
        form = _form_of_outlet(outlet) if outlet else {"unit": request.user.unit.code, "amenities": [], "groups": [],
                                                       **{f"hours_{d}": "" for d in hours_mod.WEEKDAYS}}
    return render(request, "stations/station_form.html", _form_context(request, form, errors, None))


def _save_checked(request: HttpRequest, station: Station | None) -> tuple[dict, dict, Station | None]:
    """The form's own errors (hours, unknown unit or outlet) stop the save before the service runs."""
    form, data = _form_from(request.POST, request.user)
    errors: dict[str, list[str]] = {}
    _parse_form_hours(form, data, errors)
    if form["unit"] and data["unit"] is None:
        errors["unit"] = [_("您的管理范围内没有这个单位。")]
    if form["outlet"] and data["outlet"] is None:
        errors["outlet"] = [_("您的管理范围内没有这个网点。")]
    try:
        services.clean_station(data, actor=request.user, instance=station)
    except ValidationError as exc:
        for key, messages_ in exc.message_dict.items():
            if key == "hours" and any(k.startswith("hours_") for k in errors):
                continue
            errors.setdefault(key, messages_)
    if errors:
        return form, errors, None
    if station is None:
        return form, errors, services.station_create(actor=request.user, **data)
    return form, errors, services.station_update(station=station, actor=request.user, **data)


@login_required
@require_http_methods(["GET", "POST"])
def station_edit(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, Capability.MANAGE_STATIONS)
    station = get_scoped_or_404(Station.objects.select_related("unit", "outlet"), request.user, code=code)
    if station.status == Station.Status.CLOSED:
        messages.error(request, _("已撤销的站点不能再修改。"))
        return redirect("stations:station_detail", code=code)
    errors: dict = {}
    form = _form_of(station)
    if request.method == "POST":
        form, errors, saved = _save_checked(request, station)
        if saved is not None:
            messages.success(request, _("已保存。"))
            return redirect("stations:station_detail", code=saved.code)
    return render(request, "stations/station_form.html", _form_context(request, form, errors, station))


# --- A station -----------------------------------------------------------------------------------


@login_required
@require_GET
def station_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A station: its details, problems, people served (12 months, this month by group), the latest
    visits (and entries taken back), supplies checks and status history."""
    require(request.user, Capability.VIEW_MANAGE)
    station = get_scoped_or_404(Station.objects.select_related("unit", "outlet", "district"), request.user, code=code)
    today = timezone.localdate()
    series, this_month = selectors.station_usage(station, today)
    peak = max((p for _m, p in series), default=0) or 1
    groups = dict(Group.choices)
    return render(request, "stations/station_detail.html", {
        "section": "stations", "station": station, "week": hours_mod.week_rows(station.hours),
        "open_now": station.status == Station.Status.OPEN and hours_mod.is_open_at(station.hours, timezone.now()),
        "series": series, "peak": peak, "this_month": this_month,
        "month_groups": [(groups[g], n) for g, n in zip(Group.values, this_month.cells(), strict=True)],
        "visits": station.visits.select_related("recorded_by")[:20],
        "withdrawals": station.withdrawals.select_related("recorded_by", "withdrawn_by")[:20],
        "checks": station.checks.select_related("checked_by")[:20],
        "history": station.status_changes.select_related("actor"),
        "statuses": Station.Status.choices, "states": AmenityCheck.State.choices,
        "amenity_choices": [(a, l) for a, l in Amenity.choices if a in station.amenities],
        "report_url": f"{reverse('stations:report')}?{urlencode({'unit': station.unit.code, 'month': f'{today:%Y-%m}'})}",
    })


def _post_action(request: HttpRequest, code: str, action) -> HttpResponse:
    station = get_scoped_or_404(Station.objects.all(), request.user, code=code)
    try:
        action(station)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已记录。"))
    return redirect("stations:station_detail", code=code)


@login_required
@require_POST
def station_status(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, Capability.MANAGE_STATIONS)
    return _post_action(request, code, lambda s: services.station_set_status(
        station=s, status=request.POST.get("status", ""), reason=request.POST.get("reason", ""), actor=request.user))


@login_required
@require_POST
def visit_withdraw(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A manager takes back a wrong entry, with a reason (services.visit_withdraw)."""
    require(request.user, Capability.MANAGE_STATIONS)
    return _post_action(request, code, lambda s: services.visit_withdraw(
        visit=get_object_or_404(s.visits.all(), pk=pk), actor=request.user, reason=request.POST.get("reason", "")))


@login_required
@require_POST
def station_check(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, Capability.LOG_STATION_VISITS)
    return _post_action(request, code, lambda s: services.amenity_check(
        station=s, amenity=request.POST.get("amenity", ""), state=request.POST.get("state", ""),
        note=request.POST.get("note", ""), actor=request.user))


# --- Excel ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def station_import(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_STATIONS)
    report = None
    if request.method == "POST":
        source = posted_workbook(request)
        if source is not None:
            report = excel.stations_import(source=source, actor=request.user)
            if report.written:
                messages.success(request, _("导入完成：新建 %(c)d 个，更新 %(u)d 个站点。") % {
                    "c": report.created, "u": report.updated})
                return redirect("stations:station_list")
    return render(request, "stations/station_import.html", {"section": "stations", "report": report})


@login_required
@require_GET
def station_template(request: HttpRequest) -> FileResponse:
    require(request.user, Capability.VIEW_MANAGE)
    return xlsx_response(lambda target: write_template(target, [excel.STATION_SHEET], title=_("邮驿站导入模板")),
                         "stations-template.xlsx")


# --- The monthly usage report ----------------------------------------------------------------------------


def _month_param(request: HttpRequest) -> tuple[int, int]:
    """?month=YYYY-MM (2000–2100), else this month."""
    try:
        when = dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        when = timezone.localdate()
    if not 2000 <= when.year <= 2100:
        when = timezone.localdate()
    return when.year, when.month


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """服务台账月报: a unit's people served in a month, by child unit, by station and by group."""
    require(request.user, Capability.VIEW_MANAGE)
    unit = managed_unit(request.user, request.GET.get("unit", "").strip())
    year, month = _month_param(request)
    data = selectors.usage_report(unit, year, month)
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        return sheet_response(excel.usage_sheet(), excel.usage_records(data),
                              f"station-usage-{unit.code}-{year}{month:02d}.xlsx")
    return render(request, "stations/report.html", {
        "section": "station_report", "unit": unit, "report": data, "month": f"{year}-{month:02d}",
        "group_labels": [label for _v, label in Group.choices], "units": unit_choices(request.user),
        "query": urlencode({"unit": unit.code, "month": f"{year}-{month:02d}"})})
