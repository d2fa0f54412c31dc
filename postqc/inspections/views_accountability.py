"""问责 pages: 通报 (bulletins: draft from the period's data, issue, read on the phone) and the 奖惩 ledger
(record, reverse, Excel in and out, repeat offenders and the findings awaiting accountability)."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from postqc.core.access import get_scoped_or_404, require, scoped
from postqc.core.downloads import sheet_response, xlsx_response, year_param
from postqc.core.excel import write_template
from postqc.core.forms import posted_workbook
from postqc.learning.stats import unit_choices
from postqc.org.models import Outlet, Staff, Unit
from postqc.org.roles import Capability
from postqc.org.views.manage.common import page_of

from . import accountability as acc
from .models import Bulletin, BulletinEntry, Finding, Inspection, LedgerEntry

ENTRY_FIELDS = ("tone", "text", "unit", "outlet", "person", "finding", "inspection")
BLANK_ROWS = 3


def _errors_of(exc: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as {field: messages}; errors about no one field under "general"."""
    if not hasattr(exc, "error_dict"):
        return {"general": exc.messages}
    return {("general" if key == "__all__" else key): messages for key, messages in exc.message_dict.items()}


# --- 通报: the form ----------------------------------------------------------------------------------


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        return None


def _last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def _row_of(entry) -> dict:
    """A form row (codes, not objects) of an EntryDraft or a BulletinEntry."""
    return {"tone": entry.tone, "text": entry.text,
            "unit": entry.unit.code if entry.unit else "", "outlet": entry.outlet.code if entry.outlet else "",
            "person": entry.person.employee_no if entry.person else "",
            "finding": str(entry.finding.code) if entry.finding else "",
            "inspection": str(entry.inspection.code) if entry.inspection else ""}


def _posted_rows(post) -> list[dict]:
    columns = {name: post.getlist(f"e_{name}") for name in ENTRY_FIELDS}
    kept = set(post.getlist("e_keep"))
    rows = []
    for i in range(len(columns["text"])):
        row = {name: (values[i] if i < len(values) else "").strip() for name, values in columns.items()}
        blank = not (row["text"] or row["unit"] or row["outlet"] or row["person"])
        if blank or (row["finding"] or row["inspection"]) and str(i) not in kept:
            continue  # an empty spare row, or a proposed entry the manager unticked
        rows.append(row)
    return rows


def _entries_from(rows: list[dict], user) -> tuple[list[acc.EntryDraft], dict[str, list[str]]]:
    """EntryDrafts of the form rows; the codes are looked up in `user`'s subtree (four queries)."""
    def lookup(model, field, values):
        values = [v for v in values if v]
        return {getattr(o, field): o for o in scoped(model.objects.all(), user).filter(**{f"{field}__in": values})} \
            if values else {}

    units = lookup(Unit, "code", [r["unit"] for r in rows])
    outlets = {o.code: o for o in scoped(Outlet.objects.select_related("unit"), user)
               .filter(code__in=[r["outlet"] for r in rows if r["outlet"]])}
    people = {s.employee_no: s for s in scoped(Staff.objects.select_related("unit"), user)
              .filter(employee_no__in=[r["person"] for r in rows if r["person"]])}
    findings = {str(f.code): f for f in scoped(Finding.objects.all(), user)
                .filter(code__in=[r["finding"] for r in rows if r["finding"]])}
    inspections = {str(i.code): i for i in scoped(Inspection.objects.all(), user)
                   .filter(code__in=[r["inspection"] for r in rows if r["inspection"]])}
    entries, errors = [], {}
    for i, row in enumerate(rows, start=1):
        problems = []
        for key, found, what in (("unit", units, _("单位")), ("outlet", outlets, _("网点")), ("person", people, _("工号"))):
            if row[key] and row[key] not in found:
                problems.append(_("本单位及下级单位没有%(what)s“%(code)s”。") % {"what": what, "code": row[key]})
        if problems:
            errors[f"entry-{i}"] = [_("第 %(n)d 条：%(p)s") % {"n": i, "p": p} for p in problems]
            continue
        entries.append(acc.EntryDraft(tone=row["tone"], text=row["text"], unit=units.get(row["unit"]),
                                      outlet=outlets.get(row["outlet"]), person=people.get(row["person"]),
                                      finding=findings.get(row["finding"]),
                                      inspection=inspections.get(row["inspection"])))
    return entries, errors


def _issuer_units(user) -> list[tuple[str, str]]:
    """Units a bulletin may be issued in the name of: the manager's subtree above the outlets' level."""
    return unit_choices(user)


def _bulletin_form(request: HttpRequest, *, bulletin: Bulletin | None = None, corrects: Bulletin | None = None):
    """The draft form, new or editing. GET proposes content: the draft's own, a corrected bulletin's, or
    the period's data (?start=&end=&unit=, default last month, my unit)."""
    require(request.user, Capability.MANAGE_ACCOUNTABILITY)
    user, today = request.user, timezone.localdate()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        post = request.POST
        unit = scoped(Unit.objects.all(), user).filter(code=post.get("unit", "")).first()
        rows = _posted_rows(post)
        entries, errors = _entries_from(rows, user)
        start, end = _date(post.get("period_start", "")), _date(post.get("period_end", ""))
        for key in ("period_start", "period_end"):
            if post.get(key, "").strip() and _date(post[key]) is None:
                errors[key] = [_("请填写日期（年-月-日）。")]
        if unit is None:
            errors["unit"] = [_("请选择本单位或下级单位作为发文单位。")]
        form = {"unit": post.get("unit", ""), "kind": post.get("kind", ""), "title": post.get("title", ""),
                "body": post.get("body", ""), "period_start": post.get("period_start", ""),
                "period_end": post.get("period_end", "")}
        if not errors:
            try:
                saved = acc.bulletin_save(actor=user, unit=unit, kind=form["kind"], title=form["title"],
                                          body=form["body"], period_start=start, period_end=end, entries=entries,
                                          bulletin=bulletin, corrects=corrects)
            except ValidationError as exc:
                errors = _errors_of(exc)
            except PermissionDenied as exc:
                errors = {"unit": [str(exc)]}
            else:
                messages.success(request, _("草稿已保存；核对后印发。"))
                return redirect("inspections:bulletin_detail", code=saved.code)
        form_rows = rows
    elif bulletin is not None or corrects is not None:
        source = bulletin or corrects
        form = {"unit": source.unit.code, "kind": source.kind,
                "title": source.title if bulletin else _("关于更正%(n)s“%(t)s”的通报") % {"n": source.number,
                                                                                       "t": source.title},
                "body": source.body, "period_start": f"{source.period_start or ''}",
                "period_end": f"{source.period_end or ''}"}
        form_rows = [_row_of(e) for e in source.entries.select_related("unit", "outlet", "person", "finding",
                                                                         "inspection")]
    else:
        unit = scoped(Unit.objects.all(), user).filter(code=request.GET.get("unit", "")).first() or user.unit
        start, end = _last_month(today)
        start = _date(request.GET.get("start", "")) or start
        end = _date(request.GET.get("end", "")) or end
        proposal = acc.bulletin_proposal(unit=unit, start=start, end=end)
        form = {"unit": unit.code, "kind": proposal.kind, "title": proposal.title, "body": proposal.body,
                "period_start": f"{start}", "period_end": f"{end}"}
        form_rows = [_row_of(e) for e in proposal.entries]
    form_rows = list(form_rows) + [dict.fromkeys(ENTRY_FIELDS, "") | {"tone": BulletinEntry.Tone.CRITICISM}
                                   for _i in range(BLANK_ROWS)]
    return render(request, "inspections/bulletin_form.html", {
        "section": "bulletins", "form": form, "rows": form_rows, "errors": errors, "bulletin": bulletin,
        "corrects": corrects, "units": _issuer_units(user), "kinds": Bulletin.Kind.choices,
        "tones": BulletinEntry.Tone.choices,
        "entry_errors": [m for k, ms in errors.items() if k.startswith("entry-") for m in ms]})


@login_required
@require_GET
def bulletin_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_MANAGE)
    status = request.GET.get("status", "")
    qs = acc.bulletins_for(request.user)
    if status in Bulletin.Status.values:
        qs = qs.filter(status=status)
    qs = qs.order_by("status", "-issued_at", "-created_at", "-pk")
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        return sheet_response(acc.BULLETIN_SHEET, acc.bulletin_records(qs), "bulletins.xlsx")
    qs = (qs.select_related("unit", "created_by", "issued_by")
          .annotate(n_entries=Count("entries", distinct=True), n_reads=Count("reads", distinct=True)))
    return render(request, "inspections/bulletin_list.html", {
        "section": "bulletins", "page": page_of(request, qs), "status": status, "statuses": Bulletin.Status.choices,
        "query": urlencode({"status": status} if status else {})})


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_new(request: HttpRequest) -> HttpResponse:
    corrects = None
    if request.GET.get("corrects") or request.POST.get("corrects"):
        corrects = _bulletin_or_404(request, request.GET.get("corrects") or request.POST.get("corrects"))
    return _bulletin_form(request, corrects=corrects)


def _bulletin_or_404(request: HttpRequest, code) -> Bulletin:
    try:
        return acc.bulletins_for(request.user).select_related("unit", "created_by", "issued_by", "corrects").get(
            code=code)
    except (Bulletin.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such bulletin.") from None


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_edit(request: HttpRequest, code) -> HttpResponse:
    bulletin = _bulletin_or_404(request, code)
    if bulletin.status != Bulletin.Status.DRAFT:
        messages.error(request, _("已印发的通报不能修改；如有错误，请发更正通报。"))
        return redirect("inspections:bulletin_detail", code=code)
    return _bulletin_form(request, bulletin=bulletin)


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_detail(request: HttpRequest, code) -> HttpResponse:
    require(request.user, Capability.VIEW_MANAGE)
    bulletin = _bulletin_or_404(request, code)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "issue":
                acc.bulletin_issue(bulletin=bulletin, actor=request.user)
                messages.success(request, _("通报已印发，下级单位人员可在员工端阅读。"))
            elif action == "discard":
                acc.bulletin_discard(bulletin=bulletin, actor=request.user)
                messages.success(request, _("草稿已删除。"))
                return redirect("inspections:bulletin_list")
            else:
                messages.error(request, _("未知的操作。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return redirect("inspections:bulletin_detail", code=code)
    if acc.is_addressed(request.user, bulletin):  # addressed to me: opening it here counts as reading it
        acc.bulletin_mark_read(bulletin=bulletin, reader=request.user)
    entries = list(bulletin.entries.select_related("unit", "outlet", "person", "finding"))
    # A city's bulletin names findings all over the city: link those the reader may open.
    linked = [e.finding_id for e in entries if e.finding_id]
    mine = set(scoped(Finding.objects.filter(pk__in=linked), request.user).values_list("pk", flat=True)
               ) if linked else set()
    for e in entries:
        e.finding_linked = e.finding_id in mine
    total, named = acc.read_summary(bulletin) if bulletin.status == Bulletin.Status.ISSUED else (0, [])
    return render(request, "inspections/bulletin_detail.html", {
        "section": "bulletins", "bulletin": bulletin, "entries": entries, "readers": total, "named": named,
        "corrections": list(bulletin.corrections.filter(status=Bulletin.Status.ISSUED)),
        "can_issue": request.user.can(Capability.MANAGE_ACCOUNTABILITY)})


# --- 通报 on the phone ---------------------------------------------------------------------------------


@login_required
@require_GET
def my_bulletins(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.USE_STAFF_APP)
    qs = acc.addressed_to(request.user)
    return render(request, "inspections/staff/bulletins.html", {"tab": "home", "page": page_of(request, qs)})


@login_required
@require_GET
def my_bulletin(request: HttpRequest, code) -> HttpResponse:
    require(request.user, Capability.USE_STAFF_APP)
    bulletin = _bulletin_or_404(request, code)
    if bulletin.status != Bulletin.Status.ISSUED:
        raise Http404("Not issued.")
    acc.bulletin_mark_read(bulletin=bulletin, reader=request.user)
    return render(request, "inspections/staff/bulletin.html", {
        "tab": "home", "bulletin": bulletin, "entries": bulletin.entries.select_related("unit", "outlet", "person")})


# --- 奖惩 ledger -------------------------------------------------------------------------------------


def _decimal(text: str) -> Decimal | None | str:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return "bad"
    return value if value.is_finite() else "bad"


def _record_from_post(request: HttpRequest) -> tuple[LedgerEntry | None, dict, dict[str, list[str]]]:
    post, user = request.POST, request.user
    form = {k: post.get(k, "").strip() for k in ("person", "unit", "kind", "measure", "amount", "points", "reason",
                                                  "basis", "occurred_on", "finding", "bulletin")}
    errors: dict[str, list[str]] = {}
    person = unit = finding = bulletin = None
    if form["person"]:
        person = scoped(Staff.objects.select_related("unit"), user).filter(employee_no=form["person"]).first()
        if person is None:
            errors["person"] = [_("本单位及下级单位没有这个工号的员工。")]
    elif form["unit"]:
        unit = scoped(Unit.objects.all(), user).filter(code=form["unit"]).first()
        if unit is None:
            errors["unit"] = [_("本单位及下级单位没有这个编码的单位。")]
    amount, points = _decimal(form["amount"]), _decimal(form["points"])
    for key, value in (("amount", amount), ("points", points)):
        if value == "bad":
            errors[key] = [_("请填写数字。")]
    occurred_on = _date(form["occurred_on"])
    if form["occurred_on"] and occurred_on is None:
        errors["occurred_on"] = [_("请填写日期（年-月-日）。")]
    if form["finding"]:
        finding = scoped(Finding.objects.all(), user).filter(code=form["finding"]).first() if _uuid(form["finding"]) \
            else None
    if form["bulletin"]:
        bulletin = scoped(Bulletin.objects.all(), user).filter(code=form["bulletin"]).first() \
            if _uuid(form["bulletin"]) else None
    if errors:
        return None, form, errors
    try:
        entry = acc.ledger_record(actor=user, person=person, unit=unit, kind=form["kind"], measure=form["measure"],
                                  amount=amount, points=points, reason=form["reason"], basis=form["basis"],
                                  occurred_on=occurred_on, finding=finding, bulletin=bulletin)
    except ValidationError as exc:
        return None, form, _errors_of(exc)
    return entry, form, {}


def _uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def ledger(request: HttpRequest) -> HttpResponse:
    """奖惩台账: the entries of my subtree (filters, Excel), their totals, repeat offenders, the findings
    awaiting accountability, and recording an entry (prefilled from a finding: ?finding=<code>)."""
    require(request.user, Capability.VIEW_MANAGE)
    user = request.user
    year = year_param(request)
    kind, person = request.GET.get("kind", ""), request.GET.get("person", "").strip()
    form: dict = {"occurred_on": f"{timezone.localdate()}", "kind": LedgerEntry.Kind.PENALTY}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        require(user, Capability.MANAGE_ACCOUNTABILITY)
        entry, form, errors = _record_from_post(request)
        if entry is not None:
            messages.success(request, _("已登记：%(e)s。") % {"e": entry})
            return redirect(f"{reverse('inspections:ledger')}?{urlencode({'year': entry.occurred_on.year})}")
    elif request.GET.get("finding") and _uuid(request.GET["finding"]):
        finding = scoped(Finding.objects.select_related("outlet", "assignee", "result__item"), user).filter(
            code=request.GET["finding"]).first()
        if finding is not None:
            form |= {"person": finding.assignee.employee_no, "finding": str(finding.code),
                     "measure": LedgerEntry.Measure.DEDUCTION,
                     "reason": _("%(outlet)s“%(item)s”%(why)s") % {
                         "outlet": finding.outlet.name, "item": finding.result.item.text,
                         "why": _("屡查屡犯") if finding.repeats else _("整改逾期")}}
    qs = acc.ledger_for(user, year=year, kind=kind, person=person)
    if request.GET.get("format") == "xlsx":
        require(user, Capability.EXPORT_ORG)
        return sheet_response(acc.LEDGER_SHEET, acc.ledger_records(qs), f"ledger-{year}.xlsx")
    query = urlencode({k: v for k, v in (("year", year), ("kind", kind), ("person", person)) if v})
    return render(request, "inspections/ledger.html", {
        "section": "ledger", "page": page_of(request, qs), "year": year, "kind": kind, "person": person,
        "totals": acc.totals(qs), "offenders": list(acc.repeat_offenders(user)[:20]),
        "awaiting": list(acc.awaiting_accountability(user)[:20]), "form": form, "errors": errors,
        "kinds": LedgerEntry.Kind.choices, "measures": LedgerEntry.Measure.choices, "query": query,
        "reward_measures": sorted(acc.REWARD_MEASURES)})


@login_required
@require_POST
def ledger_reverse(request: HttpRequest, code) -> HttpResponse:
    require(request.user, Capability.MANAGE_ACCOUNTABILITY)
    entry = get_scoped_or_404(LedgerEntry.objects.all(), request.user, code=code)
    try:
        acc.ledger_reverse(entry=entry, actor=request.user, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("已冲销，原记录和冲销记录都保留在台账中。"))
    return redirect(f"{reverse('inspections:ledger')}?{urlencode({'year': entry.occurred_on.year})}")


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_ACCOUNTABILITY)
    report = None
    if request.method == "POST":
        source = posted_workbook(request)
        if source is not None:
            report = acc.ledger_import(source=source, actor=request.user,
                                       skip_invalid=request.POST.get("skip_invalid") == "1",
                                       dry_run=request.POST.get("dry_run") == "1")
            if report.written:
                messages.success(request, _("已导入 %(n)d 条奖惩记录。") % {"n": report.created})
                if not report.errors:
                    return redirect("inspections:ledger")
    return render(request, "inspections/ledger_import.html", {"section": "ledger", "report": report})


@login_required
@require_GET
def ledger_template(request: HttpRequest) -> FileResponse:
    require(request.user, Capability.VIEW_MANAGE)
    return xlsx_response(lambda target: write_template(target, [acc.LEDGER_SHEET], title=_("奖惩台账导入模板")),
                         "ledger-template.xlsx")


@login_required
@require_GET
def my_ledger(request: HttpRequest) -> HttpResponse:
    """我的奖惩 on the phone: my own rewards and penalties, reversals shown."""
    require(request.user, Capability.USE_STAFF_APP)
    entries = (LedgerEntry.objects.filter(person=request.user).select_related("reverses", "bulletin")
               .order_by("-occurred_on", "-pk"))
    return render(request, "inspections/staff/ledger.html", {"tab": "me", "entries": entries})
