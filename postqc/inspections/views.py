"""网点达标 pages: 达标率 by unit and the outlets' standing (/manage/inspections/), checklists and their
versions, recording an inspection (a 抽查 on the manager pages, a 自查 on the phone), its result."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from postqc.core.access import get_offered_or_404, get_scoped_or_404, offered_to, require, scoped
from postqc.core.downloads import sheet_response, xlsx_response, year_param
from postqc.core.excel import Column, DecimalNumber, SheetSpec, Text, write_template
from postqc.core.forms import posted_workbook
from postqc.learning.stats import managed_unit, unit_choices
from postqc.org.models import Outlet, Staff, Unit
from postqc.org.roles import Capability
from postqc.org.views.manage.common import page_of

from . import checklists, rectification, selectors, services
from .models import Checklist, ChecklistVersion, Finding, Inspection, Result



# --- 达标率 ------------------------------------------------------------------------------------------

STANDING_SHEET = SheetSpec("网点达标", (
    Column("网点编码", "code", Text(32), width=14),
    Column("网点名称", "name", Text(64), width=24),
    Column("所属单位", "unit", Text(64), width=20),
    Column("等级", "grade", Text(8), width=8),
    Column("抽查日期", "date", Text(10), width=12),
    Column("合格率(%)", "rate", DecimalNumber(2, 0, 100), width=10),
    Column("否决项不合格", "critical", DecimalNumber(0, 0, 1000), width=12),
    Column("结论", "verdict", Text(8), width=8),
    Column("最近自查", "self", Text(10), width=12),
))


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The 达标率 of a unit and its children in a year, and every outlet's counted inspection."""
    require(request.user, Capability.VIEW_MANAGE)
    unit = managed_unit(request.user, request.GET.get("unit", "").strip())
    year = year_param(request)
    total, by_child, rows = selectors.compliance_by_child(unit, year)
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        records = [{"code": r.outlet.code, "name": r.outlet.name, "unit": r.outlet.unit.name,
                    "grade": r.outlet.get_grade_display(),
                    "date": f"{r.counted.inspected_on:%Y-%m-%d}" if r.counted else "",
                    "rate": r.counted.rate if r.counted else None,
                    "critical": r.counted.critical_failed if r.counted else None,
                    "verdict": (_("达标") if r.counted.passed else _("不达标")) if r.counted else _("未抽查"),
                    "self": f"{r.last_self.inspected_on:%Y-%m-%d}" if r.last_self else ""} for r in rows]
        return sheet_response(STANDING_SHEET, records, f"outlet-compliance-{unit.code}-{year}.xlsx")
    show_all = request.GET.get("all") == "1"
    attention = [r for r in rows if r.counted is None or not r.counted.passed]
    children = [(child, by_child.get(child.pk, selectors.Compliance()))
                for child in Unit.objects.filter(parent=unit, is_active=True).order_by("sort_order", "code")
                if child.pk in by_child]
    return render(request, "inspections/overview.html", {
        "section": "inspections", "unit": unit, "year": year, "total": total, "children": children,
        "rows": rows if show_all else attention, "show_all": show_all, "attention": len(attention),
        "outlet_count": len(rows),
        "units": unit_choices(request.user), "query": urlencode({"unit": unit.code, "year": year}),
    })


PRIORITY_SHEET = SheetSpec("抽查优先", (
    Column("序号", "rank", DecimalNumber(0, 1, 10**6), width=6),
    Column("网点编码", "code", Text(32), width=14),
    Column("网点名称", "name", Text(64), width=24),
    Column("所属单位", "unit", Text(64), width=20),
    Column("等级", "grade", Text(8), width=8),
    Column("本年度抽查", "date", Text(10), width=12),
    Column("优先分", "score", DecimalNumber(0, 0, 1000), width=8),
    Column("原因", "reasons", Text(500), width=60),
))


@login_required
@require_GET
def priorities(request: HttpRequest) -> HttpResponse:
    """抽查优先: the outlets of a unit, most in need of a spot check first, with the reasons."""
    require(request.user, Capability.VIEW_MANAGE)
    unit = managed_unit(request.user, request.GET.get("unit", "").strip())
    year = year_param(request)
    survey, rows = selectors.priorities(unit, year, timezone.localdate())
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        records = [{"rank": n, "code": p.outlet.code, "name": p.outlet.name, "unit": p.outlet.unit.name,
                    "grade": p.outlet.get_grade_display(),
                    "date": f"{p.counted.inspected_on:%Y-%m-%d}" if p.counted else "", "score": p.score,
                    "reasons": "；".join(p.reasons())} for n, p in enumerate(rows, start=1)]
        return sheet_response(PRIORITY_SHEET, records, f"inspection-priorities-{unit.code}-{year}.xlsx")
    page = page_of(request, rows)
    return render(request, "inspections/priorities.html", {
        "section": "inspection_priorities", "unit": unit, "year": year, "survey": survey, "page": page,
        "points": {"not_inspected": selectors.NOT_INSPECTED_POINTS, "failed": selectors.FAILED_POINTS,
                   "critical": selectors.CRITICAL_POINTS, "overdue": selectors.OVERDUE_POINTS,
                   "overdue_cap": selectors.OVERDUE_CAP, "drop": selectors.DROP_POINTS,
                   "below": selectors.BELOW_CITY_POINTS, "survey_cap": selectors.SURVEY_CAP},
        "units": unit_choices(request.user), "query": urlencode({"unit": unit.code, "year": year}),
    })


# --- Inspections ---------------------------------------------------------------------------------------


@login_required
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    """检查记录: the inspections of my subtree in a year, by kind and result; `format=xlsx` exports
    exactly what the filters select."""
    require(request.user, Capability.VIEW_MANAGE)
    year = year_param(request)
    kind, passed = request.GET.get("kind", ""), request.GET.get("passed", "")
    qs = selectors.inspections_for(scoped(Inspection.objects.all(), request.user), kind=kind, passed=passed,
                                   year=year)
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        return sheet_response(INSPECTION_SHEET, map(_inspection_record, qs.iterator(chunk_size=2000)),
                              f"inspections-{year}.xlsx")
    page = page_of(request, qs)
    return render(request, "inspections/inspection_list.html", {
        "section": "inspection_list", "page": page, "year": year, "kind": kind, "passed": passed,
        "kinds": Inspection.Kind.choices, "query": urlencode({"year": year, "kind": kind, "passed": passed})})


INSPECTION_SHEET = SheetSpec("检查记录", (
    Column("检查日期", "date", Text(10), width=12),
    Column("网点编码", "code", Text(32), width=14),
    Column("网点名称", "name", Text(64), width=24),
    Column("所属单位", "unit", Text(64), width=20),
    Column("等级", "grade", Text(8), width=8),
    Column("类型", "kind", Text(8), width=8),
    Column("检查表", "checklist", Text(100), width=24),
    Column("适用项", "applicable", DecimalNumber(0, 0, 10000), width=8),
    Column("合格项", "met", DecimalNumber(0, 0, 10000), width=8),
    Column("否决项不合格", "critical", DecimalNumber(0, 0, 10000), width=12),
    Column("合格率(%)", "rate", DecimalNumber(2, 0, 100), width=10),
    Column("结论", "verdict", Text(8), width=8),
    Column("检查人", "inspector", Text(64), width=12),
    Column("检查意见", "note", Text(2000), width=40),
))


def _inspection_record(i: Inspection) -> dict:
    """One inspection as a row of INSPECTION_SHEET: the outlet's unit and grade as they were that day."""
    return {"date": f"{i.inspected_on:%Y-%m-%d}", "code": i.outlet.code, "name": i.outlet.name, "unit": i.unit.name,
            "grade": i.get_grade_display(), "kind": i.get_kind_display(),
            "checklist": f"{i.version.checklist.name} v{i.version.number}", "applicable": i.applicable, "met": i.met,
            "critical": i.critical_failed, "rate": i.rate, "verdict": _("达标") if i.passed else _("不达标"),
            "inspector": i.inspector.name, "note": i.note}


def _results_from(post, version: ChecklistVersion) -> dict[str, tuple[str, str]]:
    return {item.code: (post.get(f"r-{item.code}", ""), post.get(f"n-{item.code}", ""))
            for item in version.items.all()}


def _sections(version: ChecklistVersion, values: dict[str, tuple[str, str]], errors: dict[str, list[str]]):
    """The version's items grouped by section, in order, each with what was entered and its error."""
    sections: list[tuple[str, list[dict]]] = []
    for item in version.items.select_related("clause"):
        if not sections or sections[-1][0] != item.section:
            sections.append((item.section, []))
        value, note = values.get(item.code, ("", ""))
        sections[-1][1].append({"item": item, "value": value, "note": note, "errors": errors.get(item.code, [])})
    return sections


def _record(request: HttpRequest, outlet: Outlet, kind: str, template: str, done, extra: dict) -> HttpResponse:
    """The inspection form of `outlet` (GET), or recording it (POST) and going to `done(inspection)`."""
    version = checklists.version_for(outlet)
    values: dict[str, tuple[str, str]] = {}
    errors: dict[str, list[str]] = {}
    form = {"inspected_on": f"{timezone.localdate():%Y-%m-%d}", "note": ""}
    if request.method == "POST" and version is not None:
        values = _results_from(request.POST, version)
        form = {"inspected_on": request.POST.get("inspected_on", ""), "note": request.POST.get("note", "")}
        try:
            on = dt.date.fromisoformat(form["inspected_on"])
        except ValueError:
            errors["inspected_on"] = [_("请填写检查日期（年-月-日）。")]
            on = None
        if on is not None:
            try:
                inspection = services.inspection_submit(outlet=outlet, kind=kind, inspector=request.user,
                                                        inspected_on=on, results=values, note=form["note"])
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"outlet": exc.messages}
            else:
                messages.success(request, _("检查已提交：%(v)s。") % {
                    "v": _("达标") if inspection.passed else _("不达标")})
                return redirect(done(inspection))
    item_errors = sum(len(v) for k, v in errors.items() if k not in ("inspected_on", "note", "outlet", "kind"))
    return render(request, template, {
        "outlet": outlet, "version": version, "kind": kind, "form": form, "errors": errors,
        "item_errors": item_errors, "sections": _sections(version, values, errors) if version else [],
        "values": Result.Value.choices, **extra})


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest) -> HttpResponse:
    """A 抽查 (spot check) of an outlet, recorded by quality staff at a desk or on a laptop on site."""
    require(request.user, Capability.VIEW_MANAGE)
    require(request.user, Capability.MANAGE_INSPECTIONS)
    outlet = get_scoped_or_404(Outlet.objects.select_related("unit"), request.user,
                               code=request.GET.get("outlet", "").strip())
    return _record(request, outlet, Inspection.Kind.SPOT, "inspections/inspection_form.html",
                   lambda i: reverse("inspections:inspection_detail", args=[i.code]), {"section": "inspections"})


@login_required
@require_GET
def inspection_detail(request: HttpRequest, code) -> HttpResponse:
    require(request.user, Capability.VIEW_MANAGE)
    inspection = get_scoped_or_404(Inspection.objects.select_related("outlet__unit", "inspector", "version__checklist"),
                                   request.user, code=code)
    results = list(inspection.results.select_related("item__clause").order_by("item__position"))
    return render(request, "inspections/inspection_detail.html", {
        "section": "inspections", "inspection": inspection, "results": results,
        "failed": [r for r in results if r.value == Result.Value.NOT_MET]})


# --- Checklists --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def checklist_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_MANAGE)
    errors: dict[str, list[str]] = {}
    form = {"code": "", "name": "", "grade": ""}
    if request.method == "POST":
        require(request.user, Capability.MANAGE_INSPECTIONS)
        form = {k: request.POST.get(k, "").strip() for k in form}
        try:
            made = checklists.checklist_create(code=form["code"], name=form["name"], grade=form["grade"],
                                               unit=request.user.unit, actor=request.user)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("已建立检查表，请导入检查项目。"))
            return redirect("inspections:checklist_detail", code=made.code)
    lists = offered_to(Checklist.objects.select_related("current", "unit"), request.user)
    return render(request, "inspections/checklist_list.html", {
        "section": "checklists", "checklists": lists, "form": form, "errors": errors,
        "grades": Outlet.Grade.choices})


@login_required
@require_http_methods(["GET", "POST"])
def checklist_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A checklist's versions and the items of one (?version=N, default the one in force, else the
    newest); managers import a new draft from Excel and publish it."""
    require(request.user, Capability.VIEW_MANAGE)
    checklist = get_offered_or_404(Checklist.objects.select_related("unit", "current"), request.user, code=code)
    report = None
    if request.method == "POST":
        require(request.user, Capability.MANAGE_INSPECTIONS)
        source = posted_workbook(request)
        if source is not None:
            try:
                report, version = checklists.version_import(
                    checklist=checklist, source=source, actor=request.user,
                    pass_rate=request.POST.get("pass_rate", "90"), note=request.POST.get("note", "").strip())
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                if version is not None:
                    messages.success(request, _("已导入第 %(n)d 版草稿（%(i)d 项），核对后发布。") % {
                        "n": version.number, "i": report.created})
                    return redirect(f"{reverse('inspections:checklist_detail', args=[code])}?version={version.number}")
    versions = list(checklist.versions.select_related("created_by"))
    try:
        wanted = int(request.GET.get("version") or 0)
    except ValueError:
        wanted = 0
    shown = next((v for v in versions if v.number == wanted), None) or checklist.current or (versions[0] if versions
                                                                                              else None)
    sections = _sections(shown, {}, {}) if shown else []
    return render(request, "inspections/checklist_detail.html", {
        "section": "checklists", "checklist": checklist, "versions": versions, "shown": shown, "sections": sections,
        "report": report})


def _version_or_404(request: HttpRequest, code: str, number: int) -> ChecklistVersion:
    """A version of a checklist offered to me (my unit's or one above: publishing checks the scope)."""
    checklist = get_offered_or_404(Checklist.objects.all(), request.user, code=code)
    version = checklist.versions.select_related("checklist").filter(number=number).first()
    if version is None:
        raise Http404(f"{code} has no version {number}.")
    return version


@login_required
@require_POST
def checklist_publish(request: HttpRequest, code: str, number: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_INSPECTIONS)
    version = _version_or_404(request, code, number)
    try:
        checklists.version_publish(version=version, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("第 %(n)d 版已发布，此后的检查按此版进行。") % {"n": number})
    return redirect(f"{reverse('inspections:checklist_detail', args=[code])}?version={number}")


@login_required
@require_GET
def checklist_template(request: HttpRequest) -> FileResponse:
    require(request.user, Capability.VIEW_MANAGE)
    return xlsx_response(lambda target: write_template(target, [checklists.ITEMS_SHEET], title=_("网点检查表导入模板")),
                         "checklist-template.xlsx")


@login_required
@require_GET
def checklist_export(request: HttpRequest, code: str, number: int) -> FileResponse:
    require(request.user, Capability.VIEW_MANAGE)
    version = _version_or_404(request, code, number)
    records = [{"code": i.code, "section": i.section, "text": i.text, "clause": i.clause.code if i.clause else "",
                "critical": i.critical, "allow_na": i.allow_na} for i in version.items.select_related("clause")]
    return sheet_response(checklists.ITEMS_SHEET, records, f"checklist-{code}-v{number}.xlsx")


# --- 自查 on the phone ----------------------------------------------------------------------------------


@login_required
@require_GET
def self_list(request: HttpRequest) -> HttpResponse:
    """The outlets I may self-inspect (my subtree's), with this year's latest 自查 and 抽查."""
    require(request.user, Capability.SELF_INSPECT)
    rows = selectors.standings(request.user.unit, timezone.localdate().year)
    return render(request, "inspections/staff/self_list.html", {"tab": "home", "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def self_new(request: HttpRequest, outlet: str) -> HttpResponse:
    require(request.user, Capability.SELF_INSPECT)
    found = get_scoped_or_404(Outlet.objects.select_related("unit"), request.user, code=outlet)
    return _record(request, found, Inspection.Kind.SELF, "inspections/staff/self_form.html",
                   lambda i: reverse("inspections_staff:self_result", args=[i.code]), {"tab": "home"})


@login_required
@require_GET
def self_result(request: HttpRequest, code) -> HttpResponse:
    require(request.user, Capability.SELF_INSPECT)
    inspection = get_scoped_or_404(Inspection.objects.select_related("outlet", "version__checklist"), request.user,
                                   code=code)
    failed = list(inspection.results.filter(value=Result.Value.NOT_MET).select_related("item__clause")
                  .order_by("item__position"))
    return render(request, "inspections/staff/self_result.html", {"tab": "home", "inspection": inspection,
                                                                  "failed": failed})


# --- 整改 (findings) -----------------------------------------------------------------------------------

FINDING_SHEET = SheetSpec("整改事项", (
    Column("网点编码", "outlet_code", Text(32), width=14),
    Column("网点名称", "outlet", Text(64), width=22),
    Column("项目编号", "item", Text(16), width=10),
    Column("问题", "problem", Text(500), width=40),
    Column("否决项", "critical", Text(4), width=8),
    Column("整改责任人", "assignee", Text(32), width=12),
    Column("验证人", "verifier", Text(32), width=12),
    Column("整改期限", "deadline", Text(10), width=12),
    Column("状态", "status", Text(8), width=10),
    Column("逾期", "overdue", Text(4), width=8),
    Column("一年内同类问题次数", "repeats", DecimalNumber(0, 0, 1000), width=10),
))


@login_required
@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_MANAGE)
    status, overdue, repeat = request.GET.get("status", ""), request.GET.get("overdue") == "1", \
        request.GET.get("repeat") == "1"
    outlet = request.GET.get("outlet", "").strip()
    qs = rectification.findings_for(scoped(Finding.objects.all(), request.user), status=status, overdue=overdue,
                                    repeat=repeat, outlet=outlet)
    today = timezone.localdate()
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        records = [{"outlet_code": f.outlet.code, "outlet": f.outlet.name, "item": f.item_code,
                    "problem": f"{f.result.item.text}：{f.result.note}", "critical": "是" if f.critical else "否",
                    "assignee": f.assignee.name, "verifier": f.verifier.name, "deadline": f"{f.deadline:%Y-%m-%d}",
                    "status": f.get_status_display(),
                    "overdue": "是" if f.status != Finding.Status.CLOSED and f.deadline < today else "否",
                    "repeats": f.repeats} for f in qs]
        return sheet_response(FINDING_SHEET, records, f"findings-{timezone.localdate():%Y%m%d}.xlsx")
    page = page_of(request, qs)
    query = urlencode({k: v for k, v in (("status", status), ("overdue", "1" if overdue else ""),
                                         ("repeat", "1" if repeat else ""), ("outlet", outlet)) if v})
    return render(request, "inspections/finding_list.html", {
        "section": "findings", "page": page, "status": status, "overdue": overdue, "repeat": repeat,
        "outlet": outlet, "statuses": [("unclosed", _("未销号")), *Finding.Status.choices], "today": today,
        "query": query})


def _finding_action(request: HttpRequest, finding: Finding) -> str | None:
    """Run the POSTed action on `finding`; an error message, or None when it went through."""
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        if action == "submit":
            rectification.finding_submit(finding=finding, actor=request.user, note=note)
        elif action in ("accept", "return"):
            deadline = request.POST.get("deadline", "")
            rectification.finding_verify(finding=finding, actor=request.user, accepted=action == "accept", note=note,
                                         deadline=dt.date.fromisoformat(deadline) if deadline else None)
        elif action == "reassign":
            assignee = scoped(Staff.objects.all(), request.user).filter(
                employee_no=request.POST.get("assignee", "").strip()).first()
            if assignee is None:
                return _("本单位及下级单位没有这个工号的员工。")
            rectification.finding_reassign(finding=finding, actor=request.user, assignee=assignee, note=note,
                                           deadline=dt.date.fromisoformat(request.POST.get("deadline", "")))
        else:
            return _("未知的操作。")
    except ValueError:
        return _("请填写日期（年-月-日）。")
    except ValidationError as exc:
        return " ".join(exc.messages)
    except PermissionDenied as exc:
        return str(exc)
    return None


def _finding_page(request: HttpRequest, code, template: str, extra: dict) -> HttpResponse:
    finding = rectification.finding_for(request.user, code)
    error = None
    if request.method == "POST":
        error = _finding_action(request, finding)
        if error is None:
            messages.success(request, _("已记录。"))
            return redirect(request.path)
    events = list(finding.events.select_related("actor", "assignee"))
    today = timezone.localdate()
    user = request.user
    return render(request, template, {
        "finding": finding, "events": events, "error": error, "today": today,
        "overdue": finding.status != Finding.Status.CLOSED and finding.deadline < today,
        "can_submit": finding.status == Finding.Status.OPEN and user.pk == finding.assignee_id,
        "can_verify": finding.status == Finding.Status.SUBMITTED and rectification.may_verify(user, finding),
        "can_reassign": finding.status != Finding.Status.CLOSED and user.can(Capability.MANAGE_INSPECTIONS),
        "next_week": f"{today + dt.timedelta(days=7):%Y-%m-%d}", **extra})


@login_required
@require_http_methods(["GET", "POST"])
def finding_detail(request: HttpRequest, code) -> HttpResponse:
    require(request.user, Capability.VIEW_MANAGE)
    return _finding_page(request, code, "inspections/finding_detail.html", {"section": "findings"})


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """我的整改 on the phone: what I must fix, and what I must verify."""
    require(request.user, Capability.USE_STAFF_APP)
    fix, verify = rectification.my_tasks(request.user)
    return render(request, "inspections/staff/tasks.html", {"tab": "home", "fix": fix, "verify": verify,
                                                            "today": timezone.localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def my_task(request: HttpRequest, code) -> HttpResponse:
    require(request.user, Capability.USE_STAFF_APP)
    return _finding_page(request, code, "inspections/staff/task.html", {"tab": "home"})
