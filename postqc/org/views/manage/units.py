"""Units: the org tree below the manager's own unit."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from postqc.core.access import get_scoped_or_404, scoped
from postqc.org import selectors, services
from postqc.org.forms import UnitFilterForm, UnitForm, add_service_error
from postqc.org.models import Outlet, Unit, Vehicle
from postqc.org.roles import Capability

from .common import Column, require_edit, require_manage, set_active_then_redirect, sorted_page

COLUMNS = [
    Column(gettext_lazy("单位编码"), "code", "code"),
    Column(gettext_lazy("单位名称"), "name", "name"),
    Column(gettext_lazy("层级类型"), "kind", "depth,sort_order,code"),
    Column(gettext_lazy("上级单位"), "parent", "parent__code"),
    Column(gettext_lazy("电话")),
    Column(gettext_lazy("网点（含下级）"), "outlets", "outlet_count", num=True),
    Column(gettext_lazy("在职员工（含下级）"), "staff", "staff_count", num=True),
    Column(gettext_lazy("状态"), "active", "is_active"),
]


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    require_manage(request)
    filters = UnitFilterForm(request.user, request.GET)
    page, headers = sorted_page(request, selectors.unit_list(request.user, **filters.filters()), COLUMNS, "kind")
    return render(request, "org/manage/unit_list.html",
                  {"section": "units", "filters": filters, "page": page, "headers": headers})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_manage(request)
    unit = get_scoped_or_404(selectors.unit_list(request.user, active=None), request.user, code=code)
    below = selectors.units_under(unit)
    return render(request, "org/manage/unit_detail.html", {
        "section": "units",
        "unit": unit,
        "path": selectors.unit_path(unit, request.user),
        "children": selectors.unit_list(request.user).filter(parent=unit).order_by("sort_order", "code"),
        "outlets": Outlet.objects.filter(unit=unit).order_by("code"),
        "vehicle_count": scoped(Vehicle.objects.filter(unit__in=below, is_active=True), request.user).count(),
    })


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    require_edit(request, Capability.EDIT_UNITS)
    initial = {"parent": request.GET.get("parent", "")}
    form = UnitForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(code=form.cleaned_data["code"], parent=form.cleaned_data["parent"],
                                        **form.particulars())
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已新增单位 %(name)s。") % {"name": unit.name})
            return redirect("org:unit_detail", code=unit.code)
    return render(request, "org/manage/unit_form.html", {"section": "units", "form": form, "unit": None})


@login_required
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    require_edit(request, Capability.EDIT_UNITS)
    unit = get_scoped_or_404(Unit.objects.select_related("parent"), request.user, code=code)
    initial = {"parent": unit.parent, **{k: getattr(unit, k) for k in services.UNIT_EDITABLE_FIELDS}}
    form = UnitForm(request.user, request.POST or None, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                new_parent = form.cleaned_data.get("parent")
                if new_parent is not None and new_parent.pk != unit.parent_id:
                    unit = services.unit_move(unit=unit, new_parent=new_parent)
                services.unit_update(unit=unit, **form.particulars())
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("org:unit_detail", code=unit.code)
    return render(request, "org/manage/unit_form.html", {"section": "units", "form": form, "unit": unit})


def _set_active(request: HttpRequest, code: str, active: bool) -> HttpResponse:
    require_edit(request, Capability.EDIT_UNITS)
    unit = get_scoped_or_404(Unit.objects.all(), request.user, code=code)
    return set_active_then_redirect(request, lambda: services.unit_set_active(unit=unit, active=active),
                                    _("已启用。") if active else _("已停用。"), "org:unit_detail", code=unit.code)


@login_required
@require_POST
def unit_deactivate(request: HttpRequest, code: str) -> HttpResponse:
    return _set_active(request, code, active=False)


@login_required
@require_POST
def unit_reactivate(request: HttpRequest, code: str) -> HttpResponse:
    return _set_active(request, code, active=True)
