"""Learning statistics pages: a manager's (/manage/learning/stats/…) and the person's own (/m/learn/stats/).

Manager pages need VIEW_MANAGE and show the staff of a unit of the manager's own subtree, the
manager's unit unless ?unit=<code> picks one below it; any other unit is a 404. Each table
downloads as Excel with ?format=xlsx (needs EXPORT_ORG, the capability of every Excel export).
The figures come from the stats package; docs/statistics.md explains them.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from postqc.core.access import is_in_scope, require
from postqc.core.downloads import sheet_response
from postqc.core.excel import Column, DecimalNumber, Integer, SheetSpec, Text
from postqc.org.roles import Capability

from . import stats
from .models import QuestionVersion

SECTION = "learning_stats"
ITEM_PAGE_SIZE = 100
TABS = (
    ("overview", gettext_lazy("参与概况")),
    ("weakest", gettext_lazy("薄弱条款")),
    ("recall", gettext_lazy("记忆预测")),
    ("items", gettext_lazy("试题分析")),
)


def _share(value: float | None) -> float | None:
    """A share as a percentage with one decimal, for Excel."""
    return None if value is None else round(value * 100, 1)


def _pct_column(header: str, field: str) -> Column:
    return Column(header, field, DecimalNumber(1, 0, 100), width=12)


def _wants_xlsx(request: HttpRequest) -> bool:
    if request.GET.get("format") != "xlsx":
        return False
    require(request.user, Capability.EXPORT_ORG)
    return True


def _filename(what: str, unit) -> str:
    return f"{what}-{unit.code}-{timezone.localdate():%Y%m%d}.xlsx"


def _page(request: HttpRequest, tab: str) -> dict:
    """What every manager page shares: the unit (404 outside the subtree), its picker, the tabs."""
    require(request.user, Capability.VIEW_MANAGE)
    unit = stats.managed_unit(request.user, request.GET.get("unit", "").strip())
    query = f"?{urlencode({'unit': unit.code})}" if unit.pk != request.user.unit_id else ""
    tabs = [(key, label, reverse(f"learning_stats:{key}") + query) for key, label in TABS]
    return {"section": SECTION, "tab": tab, "tabs": tabs, "unit": unit, "unit_query": query,
            "units": stats.unit_choices(request.user), "at": timezone.now()}


def _unit_table(request: HttpRequest, tab: str, figures, *, sheet: SheetSpec, records, what: str, template: str,
                name: str, **extra) -> HttpResponse:
    """What the overview, weakest-clauses and recall pages share: `figures` of the picked unit at the
    page's time, downloaded with ?format=xlsx as `sheet` (`records` turns them into its rows, the file
    is named after `what`), else rendered with `template`, the figures in the context as `name`."""
    context = _page(request, tab)
    data = figures(request.user, unit=context["unit"], at=context["at"])
    if _wants_xlsx(request):
        return sheet_response(sheet, records(data), _filename(what, context["unit"]))
    context.update({name: data}, **extra)
    return render(request, template, context)


# --- Participation ---------------------------------------------------------------------------------

PARTICIPATION_SHEET = SheetSpec("参与概况", (
    Column("单位", "label", Text(64), width=24),
    Column("在职人数", "headcount", Integer()),
    Column("近7天活跃", "active_7", Integer()),
    _pct_column("近7天参与率(%)", "rate_7"),
    Column("近30天活跃", "active_30", Integer()),
    _pct_column("近30天参与率(%)", "rate_30"),
    Column("近30天作答", "answers", Integer()),
    _pct_column("近30天正确率(%)", "accuracy"),
))


def _participation_record(p: stats.Participation) -> dict:
    return {"label": p.label, "headcount": p.headcount, "active_7": p.active_7, "rate_7": _share(p.rate_7),
            "active_30": p.active_30, "rate_30": _share(p.rate_30), "answers": p.answers,
            "accuracy": _share(p.accuracy)}


def _participation_records(data: stats.units.UnitParticipation) -> list[dict]:
    records = [_participation_record(r) for r in data.rows]
    records.append({**_participation_record(data.total), "label": _("合计")})
    return records


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Participation of the unit's staff: in total, per child unit, and active staff per week."""
    return _unit_table(request, "overview", stats.unit_participation, sheet=PARTICIPATION_SHEET,
                       records=_participation_records, what="learning-participation",
                       template="learning/stats/overview.html", name="data",
                       active_days=stats.ACTIVE_DAYS, accuracy_days=stats.ACCURACY_DAYS)


# --- Weakest clauses --------------------------------------------------------------------------------

WEAKEST_SHEET = SheetSpec("薄弱条款", (
    Column("条款编码", "code", Text(48), width=16),
    Column("条款", "heading", Text(200), width=28),
    Column("章", "chapter", Text(200), width=24),
    Column("制度标准", "standard", Text(200), width=32),
    Column("作答次数", "answers", Integer()),
    Column("答错次数", "wrong", Integer()),
    _pct_column("正确率(%)", "accuracy"),
))


def _weakest_records(rows: list[stats.units.ClauseTally]) -> list[dict]:
    return [{"code": r.place.code, "heading": r.place.heading, "chapter": r.place.chapter_heading,
             "standard": r.place.standard_title, "answers": r.answers, "wrong": r.wrong,
             "accuracy": _share(r.accuracy)} for r in rows]


@login_required
@require_GET
def weakest(request: HttpRequest) -> HttpResponse:
    """The clauses the unit's staff answer worst (last WEAK_DAYS days, WEAK_MIN_ANSWERS answers or more)."""
    return _unit_table(request, "weakest", stats.weakest_clauses, sheet=WEAKEST_SHEET, records=_weakest_records,
                       what="learning-weakest-clauses", template="learning/stats/weakest.html", name="rows",
                       days=stats.WEAK_DAYS, min_answers=stats.WEAK_MIN_ANSWERS)


# --- Predicted recall -----------------------------------------------------------------------------------

RECALL_SHEET = SheetSpec("记忆预测", (
    Column("制度标准", "standard", Text(200), width=32),
    Column("章", "chapter", Text(200), width=24),
    Column("条款编码", "code", Text(48), width=16),
    Column("条款", "heading", Text(200), width=28),
    Column("试题数", "questions", Integer()),
    Column("记忆卡片", "cards", Integer()),
    _pct_column("预测记忆保持率(%)", "recall"),
    Column("练过的人数", "staff_with_card", Integer()),
    _pct_column("覆盖率(%)", "coverage"),
))


def _recall_records(chapters: list[stats.units.ChapterRecall]) -> list[dict]:
    return [{"standard": ch.standard_title, "chapter": ch.chapter_heading, "code": r.place.code,
             "heading": r.place.heading, "questions": r.questions, "cards": r.cards,
             "recall": _share(r.recall), "staff_with_card": r.staff_with_card,
             "coverage": _share(r.coverage)} for ch in chapters for r in ch.clauses]


@login_required
@require_GET
def recall(request: HttpRequest) -> HttpResponse:
    """Per clause: the unit's staff's mean predicted recall now, and how many of them practised it."""
    return _unit_table(request, "recall", stats.predicted_recall_by_clause, sheet=RECALL_SHEET,
                       records=_recall_records, what="learning-recall", template="learning/stats/recall.html",
                       name="chapters")


# --- Item analysis ---------------------------------------------------------------------------------------

ITEM_SHEET = SheetSpec("试题分析", (
    Column("试题编号", "code", Text(32), width=16),
    Column("版本", "version", Integer()),
    Column("题型", "type", Text(16), width=8),
    Column("题干", "stem", Text(2000), width=48),
    Column("首次作答人数", "n", Integer()),
    Column("首次答对人数", "right", Integer()),
    _pct_column("难度系数(%)", "facility"),
    Column("区分度", "discrimination", DecimalNumber(2, -1, 1)),
    Column("提示", "flags", Text(200), width=28),
))


@login_required
@require_GET
def items(request: HttpRequest) -> HttpResponse:
    """The banks whose questions may be analysed: the subtree's own, and those offered from above."""
    context = _page(request, "items")
    context.update(banks=stats.banks_for_stats(request.user))
    return render(request, "learning/stats/items.html", context)


@login_required
@require_GET
def item_bank(request: HttpRequest, code: str) -> HttpResponse:
    """Facility and discrimination of a bank's questions on first attempts by the unit's staff;
    ?flagged=1 lists only the flagged ones."""
    context = _page(request, "items")
    bank = stats.banks_for_stats(request.user).filter(code=code).first()
    if bank is None:
        raise Http404(f"No bank {code!r} for you to analyse.")
    analysis = stats.item_analysis(request.user, bank=bank, unit=context["unit"])
    rows = analysis.rows
    if _wants_xlsx(request):
        types = dict(QuestionVersion.Type.choices)
        records = [{"code": r.code, "version": r.version, "type": str(types.get(r.type, r.type)), "stem": r.stem,
                    "n": r.n, "right": r.right, "facility": _share(r.facility),
                    "discrimination": None if r.discrimination is None else round(r.discrimination, 2),
                    "flags": "；".join(r.flag_labels)} for r in rows]
        return sheet_response(ITEM_SHEET, records, _filename(f"learning-items-{bank.code}", context["unit"]))
    flagged_only = request.GET.get("flagged") == "1"
    if flagged_only:
        rows = [r for r in rows if r.flags]
    page = Paginator(rows, ITEM_PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(
        bank=bank, analysis=analysis, page=page, flagged_only=flagged_only,
        # The question pages manage the questions of the subtree's own banks only.
        link_questions=is_in_scope(request.user, bank.unit_id),
        min_n=stats.ITEM_MIN_N, disc_low=stats.DISCRIMINATION_LOW, facility_low=stats.FACILITY_LOW,
        facility_high=stats.FACILITY_HIGH,
    )
    return render(request, "learning/stats/item_bank.html", context)


# --- The person's own --------------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的学习统计: done / right / wrong, the weekly goal, mastery per bank and per chapter."""
    require(request.user, Capability.USE_STAFF_APP)
    return render(request, "learning/stats/mine.html", {
        "tab": "me", "s": stats.personal_summary(request.user)})
