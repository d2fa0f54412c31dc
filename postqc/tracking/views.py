"""给据邮件跟踪 pages: the overview of a unit for a period (/manage/tracking/), items, one item's
trace, exception lists, queries (查询), returns (退回), the event ingest; and the public /track."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from axes.helpers import get_client_ip_address

from postqc.core.access import get_scoped_or_404, require, scoped
from postqc.core.downloads import day_param, sheet_response, xlsx_response
from postqc.core.excel import Column, SheetSpec, Text, write_template
from postqc.core.forms import TableImportForm
from postqc.core.jobs import start_upload_job
from postqc.core.models import Job
from postqc.learning.stats import managed_unit, unit_choices
from postqc.org.models import Unit
from postqc.org.roles import Capability
from postqc.org.views.manage.common import page_of

from . import s10, selectors, services
from .ingest import EVENT_SHEET
from .models import ItemQuery, ItemReturn, Reason, TrackedItem
from .tasks import INGEST_KIND, ingest_events_task

PERIOD_DAYS = 30


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """?from=&to= (local dates), default the last 30 days to today."""
    last = day_param(request.GET.get("to")) or timezone.localdate()
    first = day_param(request.GET.get("from")) or last - dt.timedelta(days=PERIOD_DAYS - 1)
    if first > last:
        first, last = last, first
    return first, last


def _manager(request: HttpRequest) -> None:
    require(request.user, Capability.VIEW_MANAGE)


def _local(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


# --- Overview --------------------------------------------------------------------------------------------

OVERVIEW_SHEET = SheetSpec("给据邮件统计", (
    Column("单位", "unit", Text(64), width=20),
    Column("收寄", "items", Text(12), width=8),
    Column("妥投", "delivered", Text(12), width=8),
    Column("应妥投", "due", Text(12), width=8),
    Column("按时妥投", "on_time", Text(12), width=10),
    Column("按时妥投率(%)", "rate", Text(12), width=12),
    Column("投递未成功", "attempts", Text(12), width=10),
    Column("退回", "returns", Text(12), width=8),
    Column("未答复查询", "open_queries", Text(12), width=10),
    Column("逾期未答复", "overdue_replies", Text(12), width=10),
))


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    _manager(request)
    unit = managed_unit(request.user, request.GET.get("unit", "").strip())
    first, last = _period(request)
    total, by_child = selectors.figures_by_child(unit, first, last)
    children = [(child, by_child[child.pk]) for child in Unit.objects.filter(parent=unit).order_by("sort_order", "code")
                if child.pk in by_child]
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        records = [{"unit": u.name, "items": f.items, "delivered": f.delivered, "due": f.due, "on_time": f.on_time,
                    "rate": f"{f.rate:.1f}" if f.rate is not None else "", "attempts": f.attempts,
                    "returns": f.returns, "open_queries": f.open_queries, "overdue_replies": f.overdue_replies}
                   for u, f in [(unit, total), *children]]
        return sheet_response(OVERVIEW_SHEET, records, f"tracking-{unit.code}-{first}-{last}.xlsx")
    return render(request, "tracking/overview.html", {
        "section": "tracking", "unit": unit, "first": first, "last": last, "total": total, "children": children,
        "units": unit_choices(request.user),
        "query": urlencode({"unit": unit.code, "from": first.isoformat(), "to": last.isoformat()})})


# --- Items -----------------------------------------------------------------------------------------------

ITEM_SHEET = SheetSpec("给据邮件", (
    Column("邮件号", "number", Text(32), width=16),
    Column("邮件类别", "mail_class", Text(16), width=10),
    Column("寄达范围", "route", Text(16), width=10),
    Column("收寄时间", "posted_at", Text(20), width=18),
    Column("投递单位", "unit", Text(64), width=18),
    Column("状态", "status", Text(16), width=12),
    Column("应妥投日期", "due_on", Text(10), width=12),
    Column("妥投时间", "delivered_at", Text(20), width=18),
    Column("按时", "on_time", Text(8), width=8),
    Column("未妥投次数", "attempts", Text(8), width=10),
    Column("最近未妥投原因", "reason", Text(16), width=14),
))


def _item_records(items) -> list[dict]:
    return [{"number": i.number, "mail_class": i.get_mail_class_display(), "route": i.get_route_display(),
             "posted_at": _local(i.posted_at), "unit": i.unit.name, "status": i.get_status_display(),
             "due_on": f"{i.due_on}" if i.due_on else "", "delivered_at": _local(i.delivered_at),
             "on_time": {True: _("是"), False: _("否")}.get(i.on_time, ""), "attempts": i.attempts,
             "reason": str(Reason(i.last_reason).label) if getattr(i, "last_reason", None) else ""} for i in items]


@login_required
@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    """Items of my subtree, filtered; a full valid number goes straight to its page."""
    _manager(request)
    raw = request.GET.get("q", "").strip()
    number = s10.normalise(raw)
    if number:
        try:
            s10.parse(number)
        except s10.NumberError:
            pass
        else:
            if scoped(TrackedItem.objects.filter(number=number), request.user).exists():
                return redirect("tracking:item_detail", number=number)
    status, late = request.GET.get("status", ""), request.GET.get("late", "")
    first = last = None
    if request.GET.get("from") or request.GET.get("to"):
        first, last = _period(request)
    qs = selectors.items_for(scoped(TrackedItem.objects.all(), request.user), status=status, number=number,
                             first=first, last=last, late=late)
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        return _export(qs, "tracked-items.xlsx")
    return render(request, "tracking/item_list.html", {
        "section": "tracking_items", "page": page_of(request, qs), "q": raw, "status": status, "late": late,
        "first": first, "last": last, "statuses": TrackedItem.Status.choices,
        "query": urlencode({k: v for k, v in request.GET.items() if k != "page"})})


def _export(qs, filename: str) -> FileResponse:
    def write(target):
        from postqc.core.excel import write_workbook

        write_workbook(target, [(ITEM_SHEET, _item_records(qs.iterator(chunk_size=2000)))])
    return xlsx_response(write, filename)


QUERY_FORM_FIELDS = ("enquirer", "received_on", "question")


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request: HttpRequest, number: str) -> HttpResponse:
    """An item's trace (any staff of its delivering unit's subtree, e.g. the courier who found the
    letter); a quality manager records a customer's query here."""
    require(request.user, Capability.USE_STAFF_APP)
    item = get_scoped_or_404(TrackedItem.objects.select_related("unit", "posting_outlet", "posting_unit"),
                             request.user, number=s10.normalise(number))
    errors: dict[str, list[str]] = {}
    form = {"enquirer": "sender", "received_on": f"{timezone.localdate()}", "question": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in QUERY_FORM_FIELDS}
        try:
            received_on = dt.date.fromisoformat(form["received_on"])
        except ValueError:
            errors = {"received_on": [_("请填写受理日期（年-月-日）。")]}
        else:
            try:
                services.query_open(item=item, actor=request.user, enquirer=form["enquirer"], received_on=received_on,
                                    question=form["question"])
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(request, _("查询已受理，答复期限 30 天。"))
                return redirect("tracking:item_detail", number=item.number)
    t = selectors.trace(item)
    return render(request, "tracking/item_detail.html", {
        "section": "tracking_items", "t": t, "item": item, "form": form, "errors": errors,
        "enquirers": ItemQuery.Enquirer.choices, "can_manage": request.user.can(Capability.MANAGE_TRACKING)})


# --- Exceptions ------------------------------------------------------------------------------------------

EXCEPTION_TITLES = {"failed": _l("投递未成功、尚未妥投"), "overdue": _l("超过时限未妥投"),
                    "destroy": _l("无法退回满 6 个月待监销")}


@login_required
@require_GET
def exception_list(request: HttpRequest) -> HttpResponse:
    _manager(request)
    kind = request.GET.get("kind", "failed")
    if kind not in selectors.EXCEPTIONS:
        kind = "failed"
    qs = selectors.exceptions_for(scoped(TrackedItem.objects.all(), request.user), kind)
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        return _export(qs, f"tracking-{kind}.xlsx")
    page = page_of(request, qs)
    for item in page.object_list:
        item.reason_label = Reason(item.last_reason).label if item.last_reason else ""
    return render(request, "tracking/exception_list.html", {
        "section": "tracking_exceptions", "page": page, "kind": kind,
        "kinds": list(EXCEPTION_TITLES.items()), "title": EXCEPTION_TITLES[kind]})


# --- Queries ---------------------------------------------------------------------------------------------

QUERY_SHEET = SheetSpec("邮件查询", (
    Column("邮件号", "number", Text(32), width=16),
    Column("所属单位", "unit", Text(64), width=18),
    Column("查询人", "enquirer", Text(8), width=8),
    Column("受理日期", "received_on", Text(10), width=12),
    Column("答复期限", "reply_due", Text(10), width=12),
    Column("查询内容", "question", Text(300), width=30),
    Column("答复日期", "replied_on", Text(10), width=12),
    Column("查询结果", "outcome", Text(16), width=12),
    Column("答复内容", "reply", Text(300), width=30),
    Column("赔偿金额(元)", "compensation", Text(16), width=12),
))


@login_required
@require_GET
def query_list(request: HttpRequest) -> HttpResponse:
    _manager(request)
    state = request.GET.get("state", "open")
    qs = scoped(ItemQuery.objects.all(), request.user).select_related("item", "unit")
    today = timezone.localdate()
    if state == "open":
        qs = qs.filter(replied_on__isnull=True)
    elif state == "overdue":
        qs = qs.filter(replied_on__isnull=True, reply_due__lt=today)
    elif state == "replied":
        qs = qs.filter(replied_on__isnull=False)
    qs = qs.order_by("reply_due", "pk")
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        records = [{"number": q.item.number, "unit": q.unit.name, "enquirer": q.get_enquirer_display(),
                    "received_on": f"{q.received_on}", "reply_due": f"{q.reply_due}", "question": q.question,
                    "replied_on": f"{q.replied_on or ''}", "outcome": q.get_outcome_display(), "reply": q.reply,
                    "compensation": f"{q.compensation}" if q.compensation is not None else ""} for q in qs]
        return sheet_response(QUERY_SHEET, records, "tracking-queries.xlsx")
    return render(request, "tracking/query_list.html", {
        "section": "tracking_queries", "page": page_of(request, qs), "state": state, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def query_detail(request: HttpRequest, code) -> HttpResponse:
    _manager(request)
    query = get_scoped_or_404(ItemQuery.objects.select_related("item", "unit", "received_by", "replied_by"),
                              request.user, code=code)
    errors: dict[str, list[str]] = {}
    form = {"outcome": "", "reply": "", "replied_on": f"{timezone.localdate()}", "compensation": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        compensation = None
        try:
            replied_on = dt.date.fromisoformat(form["replied_on"])
        except ValueError:
            errors["replied_on"] = [_("请填写答复日期（年-月-日）。")]
        if form["compensation"]:
            try:
                compensation = Decimal(form["compensation"]).quantize(Decimal("0.01"))
            except InvalidOperation:
                errors["compensation"] = [_("赔偿金额应为数字（元）。")]
        if not errors:
            try:
                services.query_reply(query=query, actor=request.user, outcome=form["outcome"], reply=form["reply"],
                                     replied_on=replied_on, compensation=compensation)
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(request, _("已答复。"))
                return redirect("tracking:query_detail", code=query.code)
    return render(request, "tracking/query_detail.html", {
        "section": "tracking_queries", "query": query, "form": form, "errors": errors,
        "outcomes": ItemQuery.Outcome.choices, "rule": services.compensation_for(query.item, ItemQuery.Outcome.LOST)})


# --- Returns ---------------------------------------------------------------------------------------------

RETURN_SHEET = SheetSpec("退回邮件", (
    Column("邮件号", "number", Text(32), width=16),
    Column("所属单位", "unit", Text(64), width=18),
    Column("退回原因", "reason", Text(16), width=14),
    Column("退回时间", "started_at", Text(20), width=18),
    Column("退回妥投时间", "back", Text(20), width=18),
    Column("无法退回", "unreturnable", Text(4), width=8),
    Column("可监销日期", "destroy_after", Text(10), width=12),
    Column("销毁日期", "destroyed_on", Text(10), width=12),
))


@login_required
@require_GET
def return_list(request: HttpRequest) -> HttpResponse:
    _manager(request)
    qs = (scoped(ItemReturn.objects.all(), request.user).select_related("item", "unit")
          .order_by("-started_at", "-pk"))
    if request.GET.get("unreturnable") == "1":
        qs = qs.filter(unreturnable=True)
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        records = [{"number": r.item.number, "unit": r.unit.name, "reason": r.get_reason_display(),
                    "started_at": _local(r.started_at), "back": _local(r.back_to_sender_at),
                    "unreturnable": _("是") if r.unreturnable else "", "destroy_after": f"{r.destroy_after or ''}",
                    "destroyed_on": f"{r.destroyed_on or ''}"} for r in qs]
        return sheet_response(RETURN_SHEET, records, "tracking-returns.xlsx")
    return render(request, "tracking/return_list.html", {
        "section": "tracking_returns", "page": page_of(request, qs), "today": timezone.localdate(),
        "unreturnable": request.GET.get("unreturnable", "")})


@login_required
@require_POST
def return_destroy(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    record = get_scoped_or_404(ItemReturn.objects.select_related("item"), request.user, pk=pk)
    try:
        on = dt.date.fromisoformat(request.POST.get("destroyed_on", ""))
        services.return_destroy(record=record, actor=request.user, destroyed_on=on, note=request.POST.get("note", ""))
    except ValueError:
        messages.error(request, _("请填写销毁日期（年-月-日）。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已登记监督销毁：%(n)s。") % {"n": record.item.number})
    return redirect(f"{reverse('tracking:return_list')}?unreturnable=1")


# --- Ingest ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def ingest(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: store the file, start the ingest Job, go to its progress page."""
    _manager(request)
    require(request.user, Capability.MANAGE_TRACKING)
    form = TableImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_upload_job(kind=INGEST_KIND, task=ingest_events_task, actor=request.user,
                               upload=form.cleaned_data["file"],
                               params={name: form.cleaned_data[name] for name in ("skip_invalid", "dry_run")})
        return redirect("jobs:detail", code=job.code)
    recent = Job.objects.filter(kind=INGEST_KIND, created_by=request.user).order_by("-created_at")[:5]
    return render(request, "tracking/ingest.html", {"section": "tracking_ingest", "form": form, "recent": recent,
                                                    "sheet": EVENT_SHEET})


@login_required
@require_GET
def ingest_template(request: HttpRequest) -> FileResponse:
    require(request.user, Capability.MANAGE_TRACKING)
    return xlsx_response(lambda target: write_template(target, [EVENT_SHEET], title=_("给据邮件跟踪事件导入模板")),
                         _("跟踪事件导入模板.xlsx"))


# --- Public /track ---------------------------------------------------------------------------------------

RATE_WINDOW = 60


def rate_limited(request: HttpRequest) -> bool:
    """More than TRACKING_PUBLIC_RATE_LIMIT lookups a minute from one IP (counted in the cache)."""
    key = f"tracking:rate:{get_client_ip_address(request) or 'unknown'}"
    cache.add(key, 0, timeout=RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=RATE_WINDOW)
        count = 1
    return count > settings.TRACKING_PUBLIC_RATE_LIMIT


def lookup(number: str) -> tuple[dict | None, str, int]:
    """(the public trace, "", 200), or (None, the error to show, 400 for a malformed number or 404
    for an unknown one) for what a person typed."""
    try:
        parsed = s10.parse(number)
    except s10.NumberError as exc:
        return None, str(exc), 400
    found = selectors.public_trace(parsed.number)
    if found is None:
        return None, _("没有查到邮件 %(n)s 的信息。刚交寄的邮件可能需要几小时才能查到，请核对邮件号后稍后再查。") % {
            "n": parsed.number}, 404
    return found, "", 200


@never_cache
@require_GET
def track(request: HttpRequest, number: str = "") -> HttpResponse:
    number = number or request.GET.get("n", "")
    result, error, status = None, "", 200
    if number.strip():
        if rate_limited(request):
            error, status = _("查询过于频繁，请一分钟后再试。"), 429
        else:
            result, error, status = lookup(number)
    return render(request, "tracking/track.html", {"number": s10.normalise(number), "result": result,
                                                   "error": error}, status=status)
