"""投递质量 pages: compliance by unit and segment (/manage/delivery/), segments, the rules, the record
import; and the courier's run log on the phone (/m/delivery/)."""
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

from postqc.core.access import get_scoped_or_404, require, scoped
from postqc.core.downloads import sheet_response, xlsx_response
from postqc.core.excel import Column, DecimalNumber, SheetSpec, Text, write_template
from postqc.core.forms import TableImportForm, check_table_upload, check_upload_size, posted_workbook
from postqc.core.jobs import start_upload_job
from postqc.core.models import Job
from postqc.learning.stats import managed_unit, unit_choices
from postqc.org.models import Unit
from postqc.org.roles import Capability, Role
from postqc.org.views.manage.common import page_of

from . import rules, selectors, services
from .ingest import RECORD_SHEET
from .models import AreaType, DeliveryRecord, DepthRule, FrequencyRule, HandoverPoint, MailClass, Route, Segment, \
    TimeLimitRule
from .segment_io import SEGMENT_SHEET, segment_records, segments_import
from .tasks import IMPORT_KIND, import_records_task

RECENT_JOBS = 5


def _period(request: HttpRequest) -> selectors.Period:
    return selectors.period_from(request.GET.get("period", ""), request.GET.get("on", ""), timezone.localdate())


def _pct(value: float | None):
    return round(value, 2) if value is not None else None


# --- Compliance ------------------------------------------------------------------------------------

STANDING_SHEET = SheetSpec("段道达标", (
    Column("段道编码", "code", Text(32), width=14),
    Column("段道名称", "name", Text(64), width=20),
    Column("所属单位", "unit", Text(64), width=18),
    Column("区域类型", "area", Text(8), width=8),
    Column("投递员", "courier", Text(32), width=10),
    Column("统计周数", "weeks", DecimalNumber(0, 0, 100), width=8),
    Column("频次达标周数", "weeks_met", DecimalNumber(0, 0, 100), width=10),
    Column("交接方式", "point", Text(32), width=20),
    Column("深度达标", "depth", Text(4), width=8),
    Column("不合规交接趟次", "bad_runs", DecimalNumber(0, 0, 100000), width=10),
    Column("趟次", "runs", DecimalNumber(0, 0, 100000), width=8),
    Column("妥投件数", "delivered", DecimalNumber(0, 0, 10**9), width=10),
    Column("时限内妥投", "on_time", DecimalNumber(0, 0, 10**9), width=10),
    Column("时限达标率(%)", "time_rate", DecimalNumber(2, 0, 100), width=10),
))


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The three rates of a unit and its children for a period, and the segments failing anything."""
    require(request.user, Capability.VIEW_MANAGE)
    unit = managed_unit(request.user, request.GET.get("unit", "").strip())
    period = _period(request)
    today = timezone.localdate()
    total, by_child, rows = selectors.compliance_by_child(unit, period, today)
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        records = [{"code": r.segment.code, "name": r.segment.name, "unit": r.unit.name,
                    "area": r.terms.area_type_label, "courier": r.courier.name if r.courier else "",
                    "weeks": r.figures.weeks, "weeks_met": r.figures.weeks_met,
                    "point": r.terms.handover_point_label, "depth": _("是") if r.depth_ok else _("否"),
                    "bad_runs": r.figures.bad_runs, "runs": r.figures.runs, "delivered": r.figures.delivered,
                    "on_time": r.figures.on_time, "time_rate": _pct(r.figures.time_rate)} for r in rows]
        return sheet_response(STANDING_SHEET, records, f"delivery-compliance-{unit.code}-{period.param}.xlsx")
    show_all = request.GET.get("all") == "1"
    failing = [r for r in rows if r.failing]
    moved = [r.segment.pk for r in rows if r.moved]  # now in another unit: linked if the person may open it
    mine = set(scoped(Segment.objects.filter(pk__in=moved), request.user).values_list("pk", flat=True)
               ) if moved else set()
    for r in rows:
        r.linked = not r.moved or r.segment.pk in mine
    children = [(child, by_child[child.pk]) for child in
                Unit.objects.filter(parent=unit, pk__in=list(by_child)).order_by("sort_order", "code")]
    query = urlencode({"unit": unit.code, "period": period.kind, "on": period.param})
    return render(request, "delivery/overview.html", {
        "section": "delivery", "unit": unit, "period": period, "total": total, "children": children,
        "rows": rows if show_all else failing, "show_all": show_all, "failing": len(failing),
        "segment_count": len(rows), "weeks": period.weeks(today), "units": unit_choices(request.user),
        "query": query, "periods": (("week", _("周")), ("month", _("月")), ("year", _("年"))),
        "prev": _shift(period, -1), "next": _shift(period, 1) if _shift(period, 1).first <= today else None,
    })


def _shift(period: selectors.Period, step: int) -> selectors.Period:
    if period.kind == "week":
        return selectors.Period.of("week", period.first + dt.timedelta(days=7 * step))
    if period.kind == "year":
        return selectors.Period.of("year", dt.date(period.first.year + step, 1, 1))
    month = period.first.month - 1 + step
    return selectors.Period.of("month", dt.date(period.first.year + month // 12, month % 12 + 1, 1))


SEGMENT_CHANGES_SHOWN = 20  # the newest changes on the segment's page; the API gives them all


@login_required
@require_GET
def segment_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A segment, its figures for the period, its runs (newest first, paged) and its latest changes."""
    require(request.user, Capability.VIEW_MANAGE)
    segment = get_scoped_or_404(Segment.objects.select_related("unit", "courier", "vehicle"), request.user, code=code)
    period = _period(request)
    today = timezone.localdate()
    standing = next(iter(selectors.standings(Segment.objects.filter(pk=segment.pk), period, today)), None)
    runs = (DeliveryRecord.current.filter(segment=segment, delivered_on__gte=period.first,
                                          delivered_on__lte=period.last)
            .select_related("courier", "recorded_by").order_by("-delivered_on", "-run_no"))
    judged = standing.terms if standing else selectors.Terms.of(segment)  # as judged in the period
    book = rules.RuleBook([judged.unit_id])
    depth = book.depth(judged.unit_id, judged.area_type, period.last)
    page = page_of(request, runs)
    for record in page:
        record.point_ok = depth is None or depth.accepts(record.handover_point)
    changes = segment.changes.select_related("changed_by")[:SEGMENT_CHANGES_SHOWN]
    return render(request, "delivery/segment_detail.html", {
        "section": "delivery_segments", "segment": segment, "period": period, "standing": standing, "page": page,
        "changes": changes, "changes_total": segment.changes.count(),
        "frequency": book.frequency(judged.unit_id, judged.area_type, period.last), "depth": depth,
        "query": urlencode({"period": period.kind, "on": period.param}),
        "periods": (("week", _("周")), ("month", _("月")), ("year", _("年")))})


def _correction_form(request: HttpRequest, record: DeliveryRecord) -> tuple[dict, dict[str, list[str]], bool]:
    """The 更正 form of a run, on the manager's page and the courier's phone alike: the recorded figures
    (GET), or the posted ones passed to services.run_correct — (form, errors by field, corrected)."""
    form = {"ordinary": record.ordinary, "tracked": record.tracked, "delivered": record.delivered,
            "on_time": record.on_time, "handover_point": record.handover_point, "note": record.note, "reason": ""}
    if request.method != "POST":
        return form, {}, False
    form = {k: request.POST.get(k, "").strip() for k in form}
    try:
        services.run_correct(actor=request.user, record=record, ordinary=_int_or_none(form["ordinary"]),
                             tracked=_int_or_none(form["tracked"]), delivered=_int_or_none(form["delivered"]),
                             on_time=_int_or_none(form["on_time"]), handover_point=form["handover_point"],
                             note=form["note"], reason=form["reason"])
    except ValidationError as exc:
        return form, exc.message_dict, False
    return form, {}, True


@login_required
@require_http_methods(["GET", "POST"])
def run_correct(request: HttpRequest, code: str, day: str, run_no: int) -> HttpResponse:
    """更正 a run: the form with the recorded figures (GET); POST adds the corrected run, keeps the old."""
    require(request.user, Capability.VIEW_MANAGE)
    segment = get_scoped_or_404(Segment.objects.select_related("unit"), request.user, code=code)
    on = _date_or_none(day)
    record = DeliveryRecord.current.filter(segment=segment, delivered_on=on, run_no=run_no).select_related(
        "courier", "recorded_by").first()
    if record is None:
        raise Http404("No such run.")
    if not services.may_correct(request.user, record):
        raise PermissionDenied(_("您不能更正这条记录。"))
    form, errors, corrected = _correction_form(request, record)
    if corrected:
        messages.success(request, _("已更正，原记录保留在历史中。"))
        return redirect("delivery:segment_detail", code=segment.code)
    history = list(DeliveryRecord.objects.filter(segment=segment, delivered_on=on, run_no=run_no)
                   .select_related("recorded_by", "withdrawn_by").order_by("recorded_at", "pk"))
    return render(request, "delivery/run_correct.html", {
        "section": "delivery_segments", "segment": segment, "record": record, "form": form, "errors": errors,
        "points": HandoverPoint.choices, "history": history})


@login_required
@require_POST
def run_withdraw(request: HttpRequest, code: str, day: str, run_no: int) -> HttpResponse:
    """撤销 a run that did not take place, with the reason (services.run_withdraw); the record stays."""
    require(request.user, Capability.VIEW_MANAGE)
    segment = get_scoped_or_404(Segment.objects.all(), request.user, code=code)
    record = DeliveryRecord.current.filter(segment=segment, delivered_on=_date_or_none(day), run_no=run_no).first()
    if record is None:
        raise Http404("No such run.")
    try:
        services.run_withdraw(actor=request.user, record=record, reason=request.POST.get("withdrawal_reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("delivery:run_correct", code=code, day=day, run_no=run_no)
    messages.success(request, _("已撤销，原记录保留在历史中。"))
    return redirect("delivery:segment_detail", code=segment.code)


# --- Segments --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def segment_list(request: HttpRequest) -> HttpResponse:
    """The segments of my subtree, filtered; export; import from Excel (POST, all or nothing)."""
    require(request.user, Capability.VIEW_MANAGE)
    report = None
    if request.method == "POST":
        require(request.user, Capability.MANAGE_DELIVERY)
        source = posted_workbook(request)
        if source is not None:
            report = segments_import(source, actor=request.user,
                                     skip_invalid=request.POST.get("skip_invalid") == "1",
                                     dry_run=request.POST.get("dry_run") == "1")
            if report.ok or report.changed:
                messages.success(request, report.summary())
    area, q, active = request.GET.get("area", ""), request.GET.get("q", "").strip(), request.GET.get("active", "1")
    qs = selectors.segment_list(scoped(Segment.objects.all(), request.user), area=area, q=q, active=active)
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        return sheet_response(SEGMENT_SHEET, segment_records(qs), f"delivery-segments-{timezone.localdate():%Y%m%d}.xlsx")
    page = page_of(request, qs)
    query = urlencode({k: v for k, v in (("area", area), ("q", q), ("active", active)) if v})
    return render(request, "delivery/segment_list.html", {
        "section": "delivery_segments", "page": page, "area": area, "q": q, "active": active, "query": query,
        "areas": AreaType.choices, "report": report})


SEGMENT_FIELDS = ("code", "name", "unit", "area_type", "courier", "vehicle", "handover_point", "planned_per_week",
                  "households", "in_service_from", "is_active")


def _segment_form(segment: Segment | None) -> dict:
    if segment is None:
        return {f: "" for f in SEGMENT_FIELDS} | {"in_service_from": f"{timezone.localdate():%Y-%m-%d}",
                                                 "is_active": "1"}
    return {"code": segment.code, "name": segment.name, "unit": segment.unit.code, "area_type": segment.area_type,
            "courier": segment.courier.employee_no if segment.courier else "",
            "vehicle": segment.vehicle.plate_no if segment.vehicle else "", "handover_point": segment.handover_point,
            "planned_per_week": str(segment.planned_per_week), "households": str(segment.households),
            "in_service_from": f"{segment.in_service_from:%Y-%m-%d}", "is_active": "1" if segment.is_active else "0"}


@login_required
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """新建 / 修改 a segment (manage_delivery, my subtree): the same checks as the Excel import
    (services.segment_resolve + segment_check), errors beside their fields, what was typed kept."""
    require(request.user, Capability.MANAGE_DELIVERY)
    segment = None
    if code is not None:
        segment = get_scoped_or_404(Segment.objects.select_related("unit", "courier", "vehicle"), request.user,
                                    code=code)
    form = _segment_form(segment)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = {f: request.POST.get(f, "").strip() for f in (*SEGMENT_FIELDS, "note")}
        if segment is not None:
            form["code"] = segment.code
        raw = {**form, "planned_per_week": _int_or_none(form["planned_per_week"]),
               "households": _int_or_none(form["households"]),
               "in_service_from": _date_or_none(form["in_service_from"]), "is_active": form["is_active"] != "0"}
        values, missing = services.segment_resolve(raw, services.segment_refs(
            request.user, units=[form["unit"]], couriers=[form["courier"]], vehicles=[form["vehicle"]]))
        # every field's error at once: a code naming nothing, and the rest of the checks
        errors = {**services.segment_check(actor=request.user, values=values, existing=segment), **missing}
        if not errors:
            try:
                saved = services.segment_save(actor=request.user, values=values, existing=segment, note=form["note"])
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(request, _("已保存段道 %(c)s。") % {"c": saved.code})
                return redirect("delivery:segment_detail", code=saved.code)
    units = scoped(Unit.objects.filter(kind__in=services.SEGMENT_UNIT_KINDS), request.user).order_by("code")
    return render(request, "delivery/segment_form.html", {
        "section": "delivery_segments", "segment": segment, "form": form, "errors": errors,
        "units": units.only("code", "name", "kind"), "areas": AreaType.choices, "points": HandoverPoint.choices},
        status=200)


@login_required
@require_http_methods(["POST"])
def segment_active(request: HttpRequest, code: str) -> HttpResponse:
    """停用 (active=0) / 恢复在用 (active=1) a segment of my subtree; nothing is deleted."""
    require(request.user, Capability.MANAGE_DELIVERY)
    segment = get_scoped_or_404(Segment.objects.select_related("unit", "courier", "vehicle"), request.user, code=code)
    active = request.POST.get("active") == "1"
    try:
        services.segment_set_active(actor=request.user, segment=segment, active=active,
                                    note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(m for msgs in exc.message_dict.values() for m in msgs))
    else:
        messages.success(request, _("段道 %(c)s 已恢复在用。") % {"c": segment.code} if active
                         else _("段道 %(c)s 已停用：不再登记投递，此后不计入达标率；历史记录保留。") % {"c": segment.code})
    return redirect("delivery:segment_detail", code=segment.code)


@login_required
@require_GET
def segment_template(request: HttpRequest) -> FileResponse:
    require(request.user, Capability.VIEW_MANAGE)
    return xlsx_response(lambda target: write_template(target, [SEGMENT_SHEET], title=_("投递段道导入模板")),
                         "delivery-segments-template.xlsx")


# --- Rules -----------------------------------------------------------------------------------------


def _int_or_none(text: str):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _date_or_none(text: str):
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def rule_list(request: HttpRequest) -> HttpResponse:
    """The rules in force for a unit, every rule row that ever applied to it, and (manage_delivery)
    the forms that add a new row: POST kind=frequency|depth|time."""
    require(request.user, Capability.VIEW_MANAGE)
    unit = managed_unit(request.user, request.GET.get("unit", "").strip())
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    kind = request.POST.get("kind", "")
    form = {k: request.POST.get(k, "") for k in ("area_type", "days_per_week", "runs_per_week", "effective_from",
                                                 "note", "mail_class", "route", "days", "tracked_to_door")}
    form["accepted"] = request.POST.getlist("accepted")
    if not form["effective_from"]:
        form["effective_from"] = f"{today:%Y-%m-%d}"
    if request.method == "POST":
        require(request.user, Capability.MANAGE_DELIVERY)
        common = {"actor": request.user, "unit": unit, "effective_from": _date_or_none(form["effective_from"]),
                  "note": form["note"]}
        try:
            if kind == "frequency":
                services.frequency_rule_set(area_type=form["area_type"], days_per_week=_int_or_none(form["days_per_week"]),
                                            runs_per_week=_int_or_none(form["runs_per_week"]), **common)
            elif kind == "depth":
                services.depth_rule_set(area_type=form["area_type"], accepted=form["accepted"],
                                        tracked_to_door=form["tracked_to_door"] == "1", **common)
            elif kind == "time":
                services.time_limit_set(mail_class=form["mail_class"], route=form["route"],
                                        days=_int_or_none(form["days"]), **common)
            else:
                errors = {"kind": [_("未知的规则类型。")]}
        except ValidationError as exc:
            errors = exc.message_dict
        if not errors:
            messages.success(request, _("已保存：新规则自 %(d)s 起生效，原规则保留为历史记录。") % {"d": form["effective_from"]})
            return redirect(f"{reverse('delivery:rules')}?{urlencode({'unit': unit.code})}")
    in_force = rules.rules_in_force(unit, today)
    ancestry = list(unit.ancestor_links.values_list("ancestor_id", flat=True))
    history = {
        "frequency": FrequencyRule.objects.filter(_unit_q(ancestry)).select_related("unit", "set_by")
        .order_by("area_type", "-effective_from", "-set_at"),
        "depth": DepthRule.objects.filter(_unit_q(ancestry)).select_related("unit", "set_by")
        .order_by("area_type", "-effective_from", "-set_at"),
        "time": TimeLimitRule.objects.filter(_unit_q(ancestry)).select_related("unit", "set_by")
        .order_by("mail_class", "route", "-effective_from", "-set_at"),
    }
    limits = in_force["time_limits"]
    point_labels = dict(HandoverPoint.choices)
    return render(request, "delivery/rules.html", {
        "section": "delivery_rules", "unit": unit, "units": unit_choices(request.user), "today": today,
        "frequency": [(label, in_force["frequency"][value]) for value, label in AreaType.choices],
        "depth": [(label, in_force["depth"][value],
                   [point_labels[p] for p in in_force["depth"][value].accepted] if in_force["depth"][value] else [])
                  for value, label in AreaType.choices],
        "limits": [(mc_label, [(r_label, limits.days(mc, r)) for r, r_label in Route.choices])
                   for mc, mc_label in MailClass.choices],
        "routes": Route.choices, "mail_classes": MailClass.choices, "areas": AreaType.choices,
        "points": HandoverPoint.choices, "history": history, "errors": errors, "kind": kind, "form": form,
        "point_labels": point_labels,
    })


def _unit_q(ancestry: list[int]):
    from django.db.models import Q

    return Q(unit__isnull=True) | Q(unit_id__in=ancestry)


# --- Record import ---------------------------------------------------------------------------------


def start_record_import(*, actor, upload, skip_invalid: bool, dry_run: bool) -> Job:
    """Store the upload and start its import job (the page and the API share this)."""
    require(actor, Capability.MANAGE_DELIVERY)
    try:
        check_table_upload(upload)
        check_upload_size(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    return start_upload_job(kind=IMPORT_KIND, task=import_records_task, actor=actor, upload=upload,
                            params={"skip_invalid": skip_invalid, "dry_run": dry_run})


@login_required
@require_http_methods(["GET", "POST"])
def record_import(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: store the file, start the import Job, go to its page."""
    require(request.user, Capability.MANAGE_DELIVERY)
    form = TableImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_record_import(actor=request.user, upload=form.cleaned_data["file"],
                                  skip_invalid=form.cleaned_data["skip_invalid"], dry_run=form.cleaned_data["dry_run"])
        return redirect("jobs:detail", code=job.code)
    recent = Job.objects.filter(kind=IMPORT_KIND, created_by=request.user).order_by("-created_at")[:RECENT_JOBS]
    return render(request, "delivery/record_import.html", {"section": "delivery_import", "form": form,
                                                           "recent": recent, "columns": RECORD_SHEET.columns})


@login_required
@require_GET
def record_template(request: HttpRequest) -> FileResponse:
    require(request.user, Capability.VIEW_MANAGE)
    return xlsx_response(lambda target: write_template(target, [RECORD_SHEET], title=_("投递记录导入模板")),
                         "delivery-records-template.xlsx")


# --- The courier's run log on the phone ----------------------------------------------------------------


def loggable_segments(user):
    """The segments I log runs for: a courier's own; a branch head's or manager's, their subtree's."""
    qs = scoped(Segment.objects.filter(is_active=True), user).select_related("unit").order_by("code")
    if user.roles - {Role.COURIER, Role.CLERK, Role.OFFICE}:
        return qs
    return qs.filter(courier=user)


@login_required
@require_http_methods(["GET", "POST"])
def log_run(request: HttpRequest) -> HttpResponse:
    """登记投递: pick the segment (mine, the first preselected), today prefilled, the counts, the
    handover point (the segment's own preselected); below it, my week at a glance."""
    require(request.user, Capability.LOG_DELIVERY)
    today = timezone.localdate()
    segments = list(loggable_segments(request.user)[:200])
    by_code = {s.code: s for s in segments}
    errors: dict[str, list[str]] = {}
    form = {"segment": request.GET.get("segment", "") or (segments[0].code if segments else ""),
            "delivered_on": f"{today:%Y-%m-%d}", "ordinary": "", "tracked": "", "delivered": "", "on_time": "",
            "handover_point": "", "note": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        segment = by_code.get(form["segment"])
        if segment is None:
            errors["segment"] = [_("请选择段道。")]
        else:
            try:
                record = services.run_log(
                    actor=request.user, segment=segment, delivered_on=_date_or_none(form["delivered_on"]),
                    ordinary=_int_or_none(form["ordinary"]), tracked=_int_or_none(form["tracked"]),
                    delivered=_int_or_none(form["delivered"]), on_time=_int_or_none(form["on_time"]),
                    handover_point=form["handover_point"], note=form["note"])
            except ValidationError as exc:
                errors = exc.message_dict
            except PermissionDenied as exc:
                errors = {"segment": [str(exc)]}
            else:
                messages.success(request, _("已登记 %(s)s %(d)s 第 %(n)d 趟。") % {
                    "s": segment.name, "d": record.delivered_on.strftime("%m-%d"), "n": record.run_no})
                return redirect(f"{reverse('delivery_staff:log')}?{urlencode({'segment': segment.code})}")
    chosen = by_code.get(form["segment"])
    recent = list(correctable_runs(request.user).select_related("segment").order_by(
        "-delivered_on", "-run_no", "segment__code")[:RECENT_RUNS])
    return render(request, "delivery/staff/log.html", {"recent": recent,
        "tab": "home", "segments": segments, "form": form, "errors": errors, "chosen": chosen,
        "points": HandoverPoint.choices, "today": today, "earliest": today - dt.timedelta(days=services.LOG_BACK_DAYS),
        "week": selectors.week_at_a_glance(segments, today), "week_of": selectors.monday(today)})


RECENT_RUNS = 30


def correctable_runs(user):
    """The runs in force I may correct on the phone: of my loggable segments, logged by me or run as
    the segment's courier by me, within the last LOG_BACK_DAYS days."""
    from django.db.models import Q

    earliest = timezone.localdate() - dt.timedelta(days=services.LOG_BACK_DAYS)
    return DeliveryRecord.current.filter(Q(courier=user) | Q(recorded_by=user), delivered_on__gte=earliest,
                                         segment__in=loggable_segments(user))


@login_required
@require_http_methods(["GET", "POST"])
def correct_own_run(request: HttpRequest, pk: int) -> HttpResponse:
    """更正 one of my runs of the last week on the phone (services.run_correct: the old record is kept,
    marked superseded; the reason is required). Someone else's run, or an older one, is a 404."""
    require(request.user, Capability.LOG_DELIVERY)
    record = correctable_runs(request.user).select_related("segment").filter(pk=pk).first()
    if record is None:
        raise Http404("No such run.")
    try:
        form, errors, corrected = _correction_form(request, record)
    except PermissionDenied:
        raise Http404("No such run.") from None
    if corrected:
        messages.success(request, _("已更正 %(s)s %(d)s 第 %(n)d 趟，原记录保留。") % {
            "s": record.segment.name, "d": record.delivered_on.strftime("%m-%d"), "n": record.run_no})
        return redirect("delivery_staff:log")
    return render(request, "delivery/staff/correct.html", {
        "tab": "home", "record": record, "form": form, "errors": errors, "points": HandoverPoint.choices})


@login_required
@require_POST
def withdraw_own_run(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销 one of my runs of the last week that did not take place (services.run_withdraw; the reason is
    required). Someone else's run, or an older one, is a 404."""
    require(request.user, Capability.LOG_DELIVERY)
    record = correctable_runs(request.user).select_related("segment").filter(pk=pk).first()
    if record is None:
        raise Http404("No such run.")
    try:
        services.run_withdraw(actor=request.user, record=record, reason=request.POST.get("withdrawal_reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("delivery_staff:correct", pk=pk)
    except PermissionDenied:
        raise Http404("No such run.") from None
    messages.success(request, _("已撤销 %(s)s %(d)s 第 %(n)d 趟，原记录保留。") % {
        "s": record.segment.name, "d": record.delivered_on.strftime("%m-%d"), "n": record.run_no})
    return redirect("delivery_staff:log")
