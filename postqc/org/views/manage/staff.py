"""Staff accounts: particulars, roles, sign-in state."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from postqc.core.access import get_scoped_or_404, scoped
from postqc.org import selectors, services
from postqc.org.forms import PasswordResetForm, StaffFilterForm, StaffForm, add_service_error
from postqc.org.models import Staff, Vehicle
from postqc.org.roles import PRIVILEGED_ROLES, Capability

from .common import Column, require_edit, require_manage, set_active_then_redirect, sorted_page

COLUMNS = [
    Column(gettext_lazy("工号"), "no", "employee_no"),
    Column(gettext_lazy("姓名"), "name", "name"),
    Column(gettext_lazy("手机号")),
    Column(gettext_lazy("所属单位"), "unit", "unit__code"),
    Column(gettext_lazy("所在网点"), "outlet", "outlet__code"),
    Column(gettext_lazy("角色")),
    Column(gettext_lazy("状态"), "active", "is_active"),
    Column(gettext_lazy("最近登录"), "login", "last_login"),
]


def _staff(request: HttpRequest, employee_no: str) -> Staff:
    qs = Staff.objects.select_related("unit", "outlet").prefetch_related("role_links")
    return get_scoped_or_404(qs, request.user, employee_no=employee_no)


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    require_manage(request)
    filters = StaffFilterForm(request.user, request.GET)
    page, headers = sorted_page(request, selectors.staff_list(request.user, **filters.filters()), COLUMNS, "no")
    return render(request, "org/manage/staff_list.html",
                  {"section": "staff", "filters": filters, "page": page, "headers": headers})


@login_required
def staff_detail(request: HttpRequest, employee_no: str) -> HttpResponse:
    require_manage(request)
    person = _staff(request, employee_no)
    user = request.user
    guarded = bool(person.roles & PRIVILEGED_ROLES) and not user.can(Capability.ASSIGN_PRIVILEGED_ROLES)
    return render(request, "org/manage/staff_detail.html", {
        "section": "staff",
        "person": person,
        "path": [*selectors.unit_path(person.unit, user), person.unit],
        "vehicles": scoped(Vehicle.objects.filter(courier=person), user).select_related("unit").order_by("plate_no"),
        "is_self": person.pk == user.pk,
        "account_guarded": guarded,
    })


@login_required
def staff_create(request: HttpRequest) -> HttpResponse:
    require_edit(request, Capability.EDIT_STAFF)
    initial = {"unit": request.GET.get("unit", ""), "outlet": request.GET.get("outlet", "")}
    form = StaffForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.staff_create(employee_no=data["employee_no"], roles=data["roles"],
                                           password=data["new_password1"] or None, actor=request.user,
                                           **form.particulars())
        except ValidationError as e:
            add_service_error(form, e)
        except PermissionDenied as e:
            add_service_error(form, e, field="roles")
        else:
            messages.success(request, _("已新增员工 %(person)s。") % {"person": person})
            return redirect("org:staff_detail", employee_no=person.employee_no)
    return render(request, "org/manage/staff_form.html", {"section": "staff", "form": form, "person": None})


@login_required
def staff_edit(request: HttpRequest, employee_no: str) -> HttpResponse:
    require_edit(request, Capability.EDIT_STAFF)
    person = _staff(request, employee_no)
    initial = {"name": person.name, "phone": person.phone, "unit": person.unit, "outlet": person.outlet,
               "roles": sorted(person.roles)}
    form = StaffForm(request.user, request.POST or None, staff=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(staff=person, actor=request.user, roles=form.cleaned_data["roles"],
                                  **form.particulars())
        except ValidationError as e:
            add_service_error(form, e)
        except PermissionDenied as e:
            add_service_error(form, e, field="roles")
        else:
            messages.success(request, _("已保存。"))
            return redirect("org:staff_detail", employee_no=person.employee_no)
    return render(request, "org/manage/staff_form.html", {"section": "staff", "form": form, "person": person})


def _set_active(request: HttpRequest, employee_no: str, active: bool) -> HttpResponse:
    require_edit(request, Capability.EDIT_STAFF)
    person = _staff(request, employee_no)
    services.check_privileged_account_change(actor=request.user, staff=person)
    return set_active_then_redirect(
        request, lambda: services.staff_set_active(staff=person, active=active, actor=request.user),
        _("账号已启用。") if active else _("账号已停用，该员工不能再登录。"),
        "org:staff_detail", employee_no=person.employee_no)


@login_required
@require_POST
def staff_deactivate(request: HttpRequest, employee_no: str) -> HttpResponse:
    return _set_active(request, employee_no, active=False)


@login_required
@require_POST
def staff_reactivate(request: HttpRequest, employee_no: str) -> HttpResponse:
    return _set_active(request, employee_no, active=True)


@login_required
def staff_reset_password(request: HttpRequest, employee_no: str) -> HttpResponse:
    """A manager sets a temporary password; the person must choose their own at the next sign-in."""
    require_edit(request, Capability.EDIT_STAFF)
    person = _staff(request, employee_no)
    services.check_privileged_account_change(actor=request.user, staff=person)
    form = PasswordResetForm(request.POST or None, staff=person)
    if request.method == "POST" and form.is_valid():
        services.staff_reset_password(staff=person, new_password=form.cleaned_data["new_password1"])
        messages.success(request, _("已为 %(person)s 设置临时密码，请当面告知；其下次登录须修改密码。")
                         % {"person": person})
        return redirect("org:staff_detail", employee_no=person.employee_no)
    return render(request, "org/manage/staff_password.html", {"section": "staff", "form": form, "person": person})
