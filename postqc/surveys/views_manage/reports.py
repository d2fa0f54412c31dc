"""The index report of a survey (/manage/surveys/<code>/report/): the figures of the manager's
own subtree (index.* with user=…) — the overall index against target with the gap and the
probability the target is met, the index by year, the dimensions, the unit ranking with
intervals (units with n < 30 shown but not ranked), the 四分图, year on year with significance,
and a breakdown chosen on the page; every figure with n and its 95% interval. Charts are
ECharts, configured from JSON in the page (json_script) by surveys/charts.js. The same page
prints (a print stylesheet), and every table exports to Excel."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, get_language

from postqc.core.downloads import xlsx_response

from .. import index, selectors
from ..models import Response, Survey
from .common import SECTION, require_manage, runs, survey_or_404
from .exports import index_export

REPORT_CACHE = 600  # seconds
BREAKDOWNS = [
    ("outlet", gettext_lazy("网点")),
    ("branch", gettext_lazy("支局/所")),
    ("grade", gettext_lazy("网点等级")),
    ("area_type", gettext_lazy("区域类型")),
    ("channel", gettext_lazy("采集渠道")),
    ("quarter", gettext_lazy("季度")),
]


def breakdowns(survey: Survey) -> list[tuple[str, str]]:
    """The groupings offered besides units: outlet groups, period, channel, each profile question."""
    return BREAKDOWNS + [(q.code, _(q.text)) for q in survey.profile_questions.order_by("position", "pk")]


def _series(surveys: list[Survey], user, current: Survey, whole: index.Row) -> list[dict]:
    """Each survey's overall index (the manager's subtree), oldest first; `whole` is the current one's."""
    return [{"survey": s, "overall": whole.overall if s.pk == current.pk else index.city(s, user=user).overall}
            for s in surveys]


def _est(e: index.Estimate) -> list:
    return [_round(e.value), _round(e.low), _round(e.high), e.n]


def _round(value):
    return None if value is None else round(value, 2)


def _data_version(survey: Survey) -> str:
    """Changes whenever a figure of the survey could: a response added, reviewed or removed, the
    survey edited (its target). One aggregate query."""
    stamp = Response.objects.filter(survey=survey).aggregate(
        n=Count("pk"), approved=Count("pk", filter=Q(status=Response.Status.APPROVED)), last=Max("pk"),
        reviewed=Max("reviewed_at"))
    return f"{survey.updated_at.timestamp()}:{stamp['n']}:{stamp['approved']}:{stamp['last']}:{stamp['reviewed']}"


def report_data(survey: Survey, user, *, by: str) -> dict:
    """Everything the report page and its Excel export show, kept in the cache for REPORT_CACHE
    seconds per survey, scope, grouping and language (the labels in it are translated) while the
    survey's data stay the same (earlier years' surveys, already closed, may show a review made
    since for that long)."""
    key = f"surveys:report:{survey.pk}:{user.unit_id}:{by}:{get_language()}:{_data_version(survey)}"
    data = cache.get(key)
    if data is None:
        data = _report_data(survey, user, by=by)
        cache.set(key, data, REPORT_CACHE)
    return data


def _report_data(survey: Survey, user, *, by: str) -> dict:
    whole = index.city(survey, user=user)
    units = index.compute(survey, by="unit", user=user)
    previous = selectors.previous_survey(survey, selectors.surveys_for(user))
    changes = index.year_on_year(survey, previous, user=user) if previous else []
    gap, probability = index.target_gap(survey, user=user)
    quadrant = index.importance_performance(survey, user=user)
    same_unit = list(selectors.surveys_for(user).filter(unit_id=survey.unit_id, year__lte=survey.year)
                     .exclude(status=Survey.Status.DRAFT).order_by("year", "pk"))
    years = _series(same_unit, user, survey, whole)
    breakdown = index.compute(survey, by=by, user=user)
    return {"whole": whole, "units": units, "previous": previous, "changes": changes, "gap": gap,
            "probability": probability, "quadrant": quadrant, "years": years, "breakdown": breakdown}


def _charts(survey: Survey, data: dict) -> dict:
    dims = data["units"].dimensions
    whole = data["whole"]
    ranked = sorted(data["units"].rows, key=lambda r: (not r.ranked, -(r.overall.value or 0)))
    points = [p for p in data["quadrant"] if p.importance is not None and p.performance is not None]
    texts = {"n": _("样本量"), "ci": _("95% 区间"), "target": _("规划目标"), "index": _("满意度指数"),
             "unranked": _("不排名（n<30）"), "importance": _("重要性（推导）"), "performance": _("表现（得分）")}
    return {
        "years": {
            "texts": texts,
            "labels": [str(y["survey"].year) + (y["survey"].period or "") for y in data["years"]],
            "values": [_est(y["overall"]) for y in data["years"]],
            "targets": [float(y["survey"].target_index) if y["survey"].target_index is not None else None
                        for y in data["years"]],
        },
        "dims": {
            "texts": texts,
            "labels": [str(name) for _code, name, _w in dims],
            "values": [_est(whole.dims.get(code, index.EMPTY)) for code, _name, _w in dims],
            "reference": _round(whole.overall.value),
        },
        "units": {
            "texts": texts, "horizontal": True,
            "labels": [r.label for r in ranked],
            "values": [_est(r.overall) for r in ranked],
            "muted": [not r.ranked for r in ranked],
            "reference": _round(whole.overall.value),
            "target": float(survey.target_index) if survey.target_index is not None else None,
        },
        "quadrant": {
            "texts": texts,
            "points": [{"name": str(p.name), "x": round(p.importance, 4), "y": round(p.performance, 2)}
                       for p in points],
            "xMean": round(sum(p.importance for p in points) / len(points), 4) if points else None,
            "yMean": round(sum(p.performance for p in points) / len(points), 2) if points else None,
        },
    }


def table_rows(table: index.IndexTable, *, by_rank: bool = False) -> list[tuple[index.Row, list[index.Estimate]]]:
    """Each row with its dimension estimates in questionnaire order (templates cannot index a dict);
    by_rank: ranked rows first in rank order, then the unranked ones by score."""
    rows = table.rows
    if by_rank:
        rows = sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, -(r.overall.value or 0)))
    return [(row, [row.dims.get(code, index.EMPTY) for code, _name, _w in table.dimensions]) for row in rows]


def _by(request: HttpRequest, survey: Survey) -> str:
    offered = dict(breakdowns(survey))
    by = request.GET.get("by", "")
    return by if by in offered else "outlet"


@login_required
def report(request: HttpRequest, code: str) -> HttpResponse:
    require_manage(request)
    survey = survey_or_404(request, code)
    by = _by(request, survey)
    data = report_data(survey, request.user, by=by)
    quadrant_rows = []
    if data["quadrant"]:
        known = [p for p in data["quadrant"] if p.importance is not None and p.performance is not None]
        x_mean = sum(p.importance for p in known) / len(known) if known else None
        y_mean = sum(p.performance for p in known) / len(known) if known else None
        for p in data["quadrant"]:
            quadrant_rows.append({"point": p, "quadrant": _quadrant(p, x_mean, y_mean)})
    return render(request, "surveys/manage/report.html", {
        "section": SECTION, "survey": survey, **data, "charts": _charts(survey, data), "by": by,
        "breakdowns": breakdowns(survey), "by_label": dict(breakdowns(survey))[by], "quadrant_rows": quadrant_rows,
        "scope": request.user.unit, "now": timezone.now(), "runs": runs(request, survey),
        "dim_rows": [(name, weight, data["whole"].dims.get(code, index.EMPTY))
                     for code, name, weight in data["units"].dimensions],
        "unit_rows": table_rows(data["units"], by_rank=True), "breakdown_rows": table_rows(data["breakdown"]),
    })


def _quadrant(point: index.ImportancePoint, x_mean, y_mean) -> str:
    """The 四分图 reading of a dimension."""
    if point.importance is None or point.performance is None or x_mean is None:
        return ""
    important, good = point.importance >= x_mean, point.performance >= y_mean
    if important and good:
        return _("优势区：继续保持")
    if important:
        return _("改进区：优先改进")
    if good:
        return _("维持区：适度投入")
    return _("机会区：次要改进")


@login_required
def report_export(request: HttpRequest, code: str) -> FileResponse:
    """Every index table of the report in one workbook, a sheet each."""
    require_manage(request)
    survey = survey_or_404(request, code)
    data = report_data(survey, request.user, by="outlet")
    extra = [(key, label, index.compute(survey, by=key, user=request.user))
             for key, label in breakdowns(survey) if key != "outlet"]
    filename = f"{survey.code}-{_('满意度指数')}-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(lambda target: index_export(target, survey=survey, data=data, extra=extra,
                                                     scope=request.user.unit), filename)
