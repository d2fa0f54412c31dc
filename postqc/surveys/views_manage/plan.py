"""The sample plan: quotas per unit (and per channel) as an editable table, and progress
against them — approved / pending / target with a bar, per unit and channel."""
from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postqc.core.access import require
from postqc.core.downloads import sheet_response
from postqc.core.excel import Column, DecimalNumber, Integer, SheetSpec, Text
from postqc.org.models import Unit
from postqc.org.roles import Capability

from .. import selectors, services
from ..forms import PLAN_CHANNELS, QuotaTableForm
from ..models import Quota, Response
from .common import SECTION, require_manage, require_surveys, runs, survey_or_404


def _progress_sheet(channels) -> SheetSpec:
    """The progress table as the page shows it: a row per quota, a column per channel."""
    return SheetSpec("样本计划进度", (
        Column("单位编码", "code", Text(32), width=14),
        Column("单位", "unit", Text(64), width=16),
        Column("配额", "quota", Text(32), width=14),
        Column("计划", "target", Integer(minimum=0), width=8),
        Column("有效", "approved", Integer(minimum=0), width=8),
        Column("待审核", "pending", Integer(minimum=0), width=8),
        Column("完成率(%)", "percent", DecimalNumber(1, 0, 10**6), width=10),
        *(Column(str(label), f"channel_{value}", Integer(minimum=0), width=10) for value, label in channels),
    ))


def _progress_record(row, by_channel: list[int | None], channels) -> dict:
    """One quota's row of the progress sheet; `by_channel` is the approved count per channel (None
    where the split is not known), in the order of `channels`."""
    quota = str(dict(channels).get(row.channel, "")) or _("合计")
    if row.quarter:
        quota += " · " + _("第 %(q)s 季度") % {"q": row.quarter}
    return {"code": row.unit.code, "unit": row.unit.name, "quota": quota, "target": row.target,
            "approved": row.approved, "pending": row.pending, "percent": row.percent,
            **{f"channel_{value}": n for (value, _label), n in zip(channels, by_channel, strict=True)}}


def _plan_units(survey) -> list[Unit]:
    """The rows of the plan table: the districts and county-level units under the survey's unit,
    and any other unit that already has a quota."""
    quota_units = Quota.objects.filter(survey=survey).values("unit_id")
    return list(Unit.objects.filter(ancestor_links__ancestor_id=survey.unit_id)
                .filter(Q(kind__in=services.STRATUM_KINDS, is_active=True) | Q(pk__in=quota_units))
                .distinct().order_by("depth", "sort_order", "code"))


def _by_channel(survey, user) -> dict[int, dict[str, dict[str, int]]]:
    """{stratum id: {channel: {"approved": n, "pending": n}}} of the user's subtree."""
    out: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: {"approved": 0, "pending": 0}))
    rows = (selectors.responses(survey, user).order_by()
            .filter(status__in=[Response.Status.APPROVED, Response.Status.PENDING])
            .values("stratum_id", "channel", "status").annotate(n=Count("pk")))
    for row in rows:
        out[row["stratum_id"]][row["channel"]][row["status"]] += row["n"]
    return out


@login_required
def plan(request: HttpRequest, code: str) -> HttpResponse:
    require_manage(request)
    survey = survey_or_404(request, code)
    progress = selectors.plan_progress(survey, request.user)
    split = _by_channel(survey, request.user)
    channels = Response.Channel.choices
    rows = []
    for row in progress:
        # Responses carry their district / county as stratum: the split is known for those rows only.
        is_stratum = row.unit.kind in services.STRATUM_KINDS
        per = split.get(row.unit.pk, {})
        rows.append({"row": row, "channels": [per[c]["approved"] if c in per else 0 if is_stratum else None
                                              for c, _label in channels]})
    if request.GET.get("format") == "xlsx":
        require(request.user, Capability.EXPORT_ORG)
        records = [_progress_record(r["row"], r["channels"], channels) for r in rows]
        return sheet_response(_progress_sheet(channels), records, f"sample-plan-{survey.code}.xlsx")
    overall = [r["row"] for r in rows if not r["row"].channel and r["row"].quarter is None]
    top = min((r.unit.depth for r in overall), default=0)
    totals = [r for r in overall if r.unit.depth == top]  # units below them are inside their figures
    total = {"target": sum(r.target for r in totals), "approved": sum(r.approved for r in totals),
             "pending": sum(r.pending for r in totals)}
    total["percent"] = round(100 * total["approved"] / total["target"], 1) if total["target"] else 0.0
    may_run = runs(request, survey)
    table = None
    if may_run:
        table = QuotaTableForm(_plan_units(survey), Quota.objects.filter(survey=survey))
    return render(request, "surveys/manage/plan.html", {
        "section": SECTION, "survey": survey, "rows": rows, "channels": channels, "total": total, "table": table,
        "plan_channels": PLAN_CHANNELS, "runs": may_run,
    })


@login_required
@require_POST
def plan_save(request: HttpRequest, code: str) -> HttpResponse:
    """Save the whole table at once: every cell or none (a bad cell names its unit and channel)."""
    require_surveys(request)
    survey = survey_or_404(request, code)
    if not runs(request, survey):
        raise PermissionDenied(_("该调查不在你的管辖范围内。"))
    table = QuotaTableForm(_plan_units(survey), Quota.objects.filter(survey=survey), request.POST)
    if not table.is_valid():
        messages.error(request, " ".join(f"{table.fields[name].label}：{' '.join(errs)}"
                                         for name, errs in table.errors.items() if name in table.fields))
        return redirect("surveys_manage:plan", code=survey.code)
    try:
        with transaction.atomic():
            for unit, channel, target in table.targets():
                services.quota_set(survey=survey, unit=unit, channel=channel, target=target, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("样本计划已保存。"))
    return redirect("surveys_manage:plan", code=survey.code)


@login_required
@require_POST
def plan_default(request: HttpRequest, code: str) -> HttpResponse:
    """The precedent's plan: 250 per district, 200 per county-level unit."""
    require_surveys(request)
    survey = survey_or_404(request, code)
    try:
        services.quota_plan_default(survey=survey, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("已按惯例设置样本计划：每区 250 份，每县（市）200 份。"))
    return redirect("surveys_manage:plan", code=survey.code)
