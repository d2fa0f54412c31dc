"""Delivery vehicles: 自备公助 (the courier's own, company-subsidised) and company vehicles.

Vehicles go with the people who ride them, so editing them needs EDIT_STAFF.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from postqc.core.access import get_scoped_or_404
from postqc.org import selectors, services
from postqc.org.forms import VehicleFilterForm, VehicleForm, add_service_error
from postqc.org.models import Vehicle
from postqc.org.roles import Capability

from .common import Column, require_edit, require_manage, sorted_page

COLUMNS = [
    Column(gettext_lazy("车牌/编号"), "plate", "plate_no"),
    Column(gettext_lazy("产权"), "ownership", "ownership"),
    Column(gettext_lazy("车型"), "type", "vehicle_type"),
    Column(gettext_lazy("所属单位"), "unit", "unit__code"),
    Column(gettext_lazy("使用投递员"), "courier", "courier__employee_no"),
    Column(gettext_lazy("配备日期"), "acquired", "acquired_on"),
    Column(gettext_lazy("状态"), "active", "is_active"),
    Column(""),
]


def _vehicle(request: HttpRequest, pk: int) -> Vehicle:
    return get_scoped_or_404(Vehicle.objects.select_related("unit", "courier"), request.user, pk=pk)


@login_required
def vehicle_list(request: HttpRequest) -> HttpResponse:
    require_manage(request)
    filters = VehicleFilterForm(request.user, request.GET)
    page, headers = sorted_page(request, selectors.vehicle_list(request.user, **filters.filters()), COLUMNS, "plate")
    return render(request, "org/manage/vehicle_list.html",
                  {"section": "vehicles", "filters": filters, "page": page, "headers": headers})


@login_required
def vehicle_create(request: HttpRequest) -> HttpResponse:
    require_edit(request, Capability.EDIT_STAFF)
    initial = {"unit": request.GET.get("unit", ""), "courier": request.GET.get("courier", "")}
    form = VehicleForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            vehicle = services.vehicle_create(**form.particulars())
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已登记车辆 %(plate)s。") % {"plate": vehicle.plate_no})
            return redirect("org:vehicle_list")
    return render(request, "org/manage/vehicle_form.html", {"section": "vehicles", "form": form, "vehicle": None})


@login_required
def vehicle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_edit(request, Capability.EDIT_STAFF)
    vehicle = _vehicle(request, pk)
    initial = {name: getattr(vehicle, name) for name in VehicleForm.FIELDS}
    form = VehicleForm(request.user, request.POST or None, vehicle=vehicle, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.vehicle_update(vehicle=vehicle, **form.particulars())
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("org:vehicle_list")
    return render(request, "org/manage/vehicle_form.html", {"section": "vehicles", "form": form, "vehicle": vehicle})


def _set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    require_edit(request, Capability.EDIT_STAFF)
    vehicle = services.vehicle_set_active(vehicle=_vehicle(request, pk), active=active)
    messages.success(request, (_("车辆 %(plate)s 已恢复在用。") if active else _("车辆 %(plate)s 已停用。"))
                     % {"plate": vehicle.plate_no})
    return redirect("org:vehicle_edit", pk=vehicle.pk)


@login_required
@require_POST
def vehicle_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@login_required
@require_POST
def vehicle_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)
