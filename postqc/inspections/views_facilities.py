"""/manage/inspections/facilities/: 设施设备台账 — the register of a unit's outlets (coverage per kind,
the outlets not 配齐, Excel out and in) and one outlet's facilities (the form and their history)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from postqc.core.access import get_scoped_or_404, require
from postqc.core.downloads import xlsx_response
from postqc.core.excel import write_template, write_workbook
from postqc.core.forms import posted_workbook
from postqc.learning.stats import managed_unit, unit_choices
from postqc.org.models import Outlet
from postqc.org.roles import Capability
from postqc.org.views.manage.common import PAGE_SIZE

from . import facilities

SECTION = "facilities"
STATES = (("attention", gettext_lazy("未配齐")), ("all", gettext_lazy("全部网点")))


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """A unit's register: per kind how many outlets must have it and have it in service, what is
    faulty; the outlets not 配齐 (or all) with what each has. ?format=xlsx downloads the register."""
    require(request.user, Capability.VIEW_MANAGE)
    unit = managed_unit(request.user, request.GET.get("unit", "").strip())
    page_data = facilities.register_of(unit)
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        sheets = facilities.register_workbook(page_data.states, page_data.kinds)
        return xlsx_response(lambda target: write_workbook(target, sheets), f"facilities-{unit.code}.xlsx")
    state = request.GET.get("state", "attention")
    rows = page_data.states if state == "all" else [s for s in page_data.states if not s.complete]
    paginator = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.elided_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    for s in page:
        s.cells = [(k, s.records.get(k.pk), k.required_for(s.outlet.grade), k in s.missing) for k in page_data.kinds]
    return render(request, "inspections/facilities/register.html", {
        "section": SECTION, "unit": unit, "units": unit_choices(request.user), "data": page_data, "page": page,
        "state": state, "states": STATES, "attention": sum(1 for s in page_data.states if not s.complete),
        "query": urlencode({"unit": unit.code, "state": state}), "unit_query": urlencode({"unit": unit.code}),
    })


@login_required
@require_http_methods(["GET", "POST"])
def outlet_facilities(request: HttpRequest, code: str) -> HttpResponse:
    """One outlet's facilities, a row per kind (the form, for those who edit outlets), and their history."""
    require(request.user, Capability.VIEW_MANAGE)
    outlet = get_scoped_or_404(Outlet.objects.select_related("unit"), request.user, code=code)
    kinds = facilities.kinds()
    errors: dict[str, list[str]] = {}
    posted: dict[str, dict] = {}
    if request.method == "POST":
        require(request.user, Capability.EDIT_OUTLETS)
        posted = {k.code: {f: request.POST.get(f"{k.code}-{f}", "") for f in ("quantity", "status", "installed_on",
                                                                               "note")} for k in kinds}
        try:
            changed = facilities.facilities_save(actor=request.user, outlet=outlet, entries=posted)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("已保存 %(n)d 项设施的变更。") % {"n": changed} if changed else _("设施没有变化。"))
            return redirect("inspections:facility_outlet", code=outlet.code)
    state = facilities.outlet_states([outlet], kinds)[outlet.pk]
    rows = []
    for kind in kinds:
        record = state.records.get(kind.pk)
        values = posted.get(kind.code) or ({"quantity": record.quantity, "status": record.status,
                                            "installed_on": record.installed_on or "", "note": record.note}
                                           if record else {"quantity": "", "status": "", "installed_on": "", "note": ""})
        rows.append({"kind": kind, "record": record, "values": values, "required": kind.required_for(outlet.grade),
                     "missing": kind in state.missing, "faulty": kind in state.faulty,
                     "errors": errors.get(kind.code, [])})
    return render(request, "inspections/facilities/outlet.html", {
        "section": SECTION, "outlet": outlet, "state": state, "rows": rows, "statuses": facilities.Status.choices,
        "history": facilities.changes_of(outlet),
    })


@login_required
@require_http_methods(["GET", "POST"])
def facility_import(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.EDIT_OUTLETS)
    report = None
    if request.method == "POST":
        source = posted_workbook(request)
        if source is not None:
            report = facilities.facilities_import(source=source, actor=request.user,
                                                  dry_run=request.POST.get("dry_run") == "1")
            if report.written:
                messages.success(request, report.summary())
                return redirect("inspections:facilities")
    return render(request, "inspections/facilities/import.html", {
        "section": SECTION, "report": report, "kinds": facilities.kinds()})


@login_required
@require_GET
def facility_template(request: HttpRequest) -> FileResponse:
    require(request.user, Capability.VIEW_MANAGE)
    return xlsx_response(lambda target: write_template(target, [facilities.FACILITY_SHEET], title=_("设施设备导入模板")),
                         "facilities-template.xlsx")
