"""Universal-service outlets (普服网点): particulars, grade history, status."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from postqc.core.access import get_scoped_or_404, scoped
from postqc.dashboard.outlets import outlet_table
from postqc.org import selectors, services
from postqc.org.forms import GradeChangeForm, OutletFilterForm, OutletForm, OutletStatusForm, add_service_error
from postqc.org.models import Outlet, Staff
from postqc.org.roles import Capability

from .common import Column, require_edit, require_manage, sorted_page

COLUMNS = [
    Column(gettext_lazy("网点编码"), "code", "code"),
    Column(gettext_lazy("网点名称"), "name", "name"),
    Column(gettext_lazy("所属单位"), "unit", "unit__code"),
    Column(gettext_lazy("等级"), "grade", "grade"),
    Column(gettext_lazy("区域类型"), "area", "area_type"),
    Column(gettext_lazy("经营方式"), "operation", "operation"),
    Column(gettext_lazy("营业时间")),
    Column(gettext_lazy("电话")),
    Column(gettext_lazy("在职人数"), "staff", "staff_count", num=True),
    Column(gettext_lazy("状态"), "status", "status"),
]


def _outlet(request: HttpRequest, code: str) -> Outlet:
    return get_scoped_or_404(Outlet.objects.select_related("unit"), request.user, code=code)


@login_required
def outlet_list(request: HttpRequest) -> HttpResponse:
    require_manage(request)
    filters = OutletFilterForm(request.user, request.GET)
    page, headers = sorted_page(request, selectors.outlet_list(request.user, **filters.filters()), COLUMNS, "code")
    return render(request, "org/manage/outlet_list.html",
                  {"section": "outlets", "filters": filters, "page": page, "headers": headers})


def _render_detail(request: HttpRequest, outlet: Outlet, *, grade_form: GradeChangeForm | None = None,
                   status_form: OutletStatusForm | None = None) -> HttpResponse:
    quality = outlet_table([outlet], timezone.now())
    return render(request, "org/manage/outlet_detail.html", {
        "section": "outlets",
        "outlet": outlet,
        "path": [*selectors.unit_path(outlet.unit, request.user), outlet.unit],
        "history": outlet.grade_changes.select_related("recorded_by").order_by("-effective_on", "-id"),
        "staff": scoped(Staff.objects.filter(outlet=outlet), request.user)
                 .select_related("unit").prefetch_related("role_links").order_by("-is_active", "employee_no"),
        "quality": list(zip(quality.views, quality.rows[0][1])),
        "grade_form": grade_form or GradeChangeForm(outlet=outlet),
        "status_form": status_form or OutletStatusForm(outlet=outlet),
    })


@login_required
def outlet_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_manage(request)
    return _render_detail(request, _outlet(request, code))


@login_required
def outlet_create(request: HttpRequest) -> HttpResponse:
    require_edit(request, Capability.EDIT_OUTLETS)
    initial = {"unit": request.GET.get("unit", ""), "open_days_per_week": 6,
               "services": ["letters", "printed", "parcels", "remittance"]}
    form = OutletForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outlet = services.outlet_create(actor=request.user, effective_on=data["effective_on"], code=data["code"],
                                            grade=data["grade"], **form.particulars())
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已新增网点 %(name)s。") % {"name": outlet.name})
            return redirect("org:outlet_detail", code=outlet.code)
    return render(request, "org/manage/outlet_form.html", {"section": "outlets", "form": form, "outlet": None})


@login_required
def outlet_edit(request: HttpRequest, code: str) -> HttpResponse:
    require_edit(request, Capability.EDIT_OUTLETS)
    outlet = _outlet(request, code)
    initial = {name: getattr(outlet, name) for name in OutletForm.EDITABLE}
    form = OutletForm(request.user, request.POST or None, outlet=outlet, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.outlet_update(outlet=outlet, actor=request.user, **form.particulars())
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("org:outlet_detail", code=outlet.code)
    return render(request, "org/manage/outlet_form.html", {"section": "outlets", "form": form, "outlet": outlet})


@login_required
@require_POST
def outlet_grade_change(request: HttpRequest, code: str) -> HttpResponse:
    """Record a dated 等级变更 (e.g. 三级 → 二级 under a 文号); the history keeps every change."""
    require_edit(request, Capability.EDIT_OUTLETS)
    outlet = _outlet(request, code)
    form = GradeChangeForm(request.POST, outlet=outlet)
    if form.is_valid():
        try:
            services.outlet_change_grade(outlet=outlet, actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已登记等级变更：现为%(grade)s。") % {"grade": outlet.get_grade_display()})
            return redirect("org:outlet_detail", code=outlet.code)
    return _render_detail(request, outlet, grade_form=form)


@login_required
@require_POST
def outlet_status(request: HttpRequest, code: str) -> HttpResponse:
    """Open, suspend or close (撤并) an outlet; closing needs the approval reference."""
    require_edit(request, Capability.EDIT_OUTLETS)
    outlet = _outlet(request, code)
    form = OutletStatusForm(request.POST, outlet=outlet)
    if form.is_valid():
        try:
            services.outlet_set_status(outlet=outlet, status=form.cleaned_data["status"],
                                       note=form.cleaned_data["note"])
        except ValidationError as e:
            if hasattr(e, "error_dict") and "status_note" in e.error_dict:
                e = ValidationError({"note": e.error_dict["status_note"]})
            add_service_error(form, e)
        else:
            messages.success(request, _("网点状态已改为%(status)s。") % {"status": outlet.get_status_display()})
            return redirect("org:outlet_detail", code=outlet.code)
    return _render_detail(request, outlet, status_form=form)
