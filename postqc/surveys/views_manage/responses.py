"""Responses: the list with filters and its Excel export, one response with its answers, the
review queue of flagged responses (approve, or reject with a reason), and the import of paper
questionnaires. Every list is the manager's own subtree (selectors.responses / review_queue)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from postqc.core.access import get_scoped_or_404
from postqc.core.downloads import xlsx_response
from postqc.core.redirects import redirect_next
from postqc.org.views.manage.common import Column, sorted_page

from .. import importers, selectors, services
from ..forms import ImportForm, ResponseFilterForm, ReviewForm
from ..models import Rating, Response
from .common import SECTION, require_manage, require_surveys, runs, survey_or_404
from .exports import responses_export

REVIEW_PAGE = 20

RESPONSE_COLUMNS = [
    Column(gettext_lazy("提交时间"), "submitted", "submitted_at"),
    Column(gettext_lazy("网点"), "outlet", "outlet__code"),
    Column(gettext_lazy("单位"), "stratum", "stratum__sort_order,stratum__code"),
    Column(gettext_lazy("渠道"), "channel", "channel"),
    Column(gettext_lazy("访员")),
    Column(gettext_lazy("用时"), "duration", "duration_seconds", num=True),
    Column(gettext_lazy("质控标记")),
    Column(gettext_lazy("状态"), "status", "status"),
]


def _filtered(request: HttpRequest, survey) -> tuple[ResponseFilterForm, object]:
    filters = ResponseFilterForm(request.user, request.GET)
    qs = selectors.responses(survey, request.user, filters.filters())
    if text := filters.text():
        qs = qs.filter(Q(outlet__code__icontains=text) | Q(outlet__name__icontains=text))
    return filters, qs


@login_required
def response_list(request: HttpRequest, code: str) -> HttpResponse:
    require_manage(request)
    survey = survey_or_404(request, code)
    filters, qs = _filtered(request, survey)
    page, headers = sorted_page(request, qs, RESPONSE_COLUMNS, "-submitted")
    return render(request, "surveys/manage/response_list.html", {
        "section": SECTION, "survey": survey, "filters": filters, "page": page, "headers": headers,
        "runs": runs(request, survey),
    })


@login_required
def response_export(request: HttpRequest, code: str) -> FileResponse:
    """The filtered responses, one row each with every item's answer in its own column."""
    require_manage(request)
    survey = survey_or_404(request, code)
    _filters, qs = _filtered(request, survey)
    filename = f"{survey.code}-{_('问卷')}-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(lambda target: responses_export(target, survey=survey, responses=qs), filename)


def _items(survey):
    return list(survey.items.select_related("dimension").order_by("position", "pk"))


def _answers(response: Response, items) -> list[tuple]:
    """(item, value) in questionnaire order; value None is 不适用, "" not answered."""
    given = {r.item_id: r.value for r in response.ratings.all()}
    return [(item, given.get(item.pk, "")) for item in items]


def _profile(response: Response, questions) -> list[tuple[str, str]]:
    out = []
    for q in questions:
        value = response.profile.get(q.code)
        if value in (None, "", []):
            continue
        labels = {str(v): _(label) for v, label in q.choices}
        values = value if isinstance(value, list) else [value]
        out.append((_(q.text), "、".join(labels.get(str(v), str(v)) for v in values)))
    return out


def _response(request: HttpRequest, survey, code) -> Response:
    return get_scoped_or_404(
        Response.objects.select_related("outlet", "stratum", "interviewer", "reviewed_by")
        .prefetch_related(Prefetch("ratings", queryset=Rating.objects.only("response_id", "item_id", "value"))),
        request.user, survey=survey, code=code)


@login_required
def response_detail(request: HttpRequest, code: str, response: str) -> HttpResponse:
    require_manage(request)
    survey = survey_or_404(request, code)
    found = _response(request, survey, response)
    return render(request, "surveys/manage/response_detail.html", {
        "section": SECTION, "survey": survey, "response": found, "answers": _answers(found, _items(survey)),
        "profile": _profile(found, list(survey.profile_questions.order_by("position", "pk"))),
        "runs": runs(request, survey),
    })


@login_required
def review_queue(request: HttpRequest, code: str) -> HttpResponse:
    """Flagged responses waiting for a person, oldest first, each with its answers."""
    require_manage(request)
    survey = survey_or_404(request, code)
    qs = selectors.review_queue(survey, request.user).prefetch_related(
        Prefetch("ratings", queryset=Rating.objects.only("response_id", "item_id", "value")))
    page = Paginator(qs, REVIEW_PAGE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    items = _items(survey)
    questions = list(survey.profile_questions.order_by("position", "pk"))
    cards = [(r, _answers(r, items), _profile(r, questions)) for r in page]
    return render(request, "surveys/manage/review_queue.html", {
        "section": SECTION, "survey": survey, "page": page, "cards": cards, "runs": runs(request, survey),
    })


@login_required
@require_POST
def response_review(request: HttpRequest, code: str, response: str) -> HttpResponse:
    """Approve a response, or reject it with a reason; back to where the manager came from."""
    require_surveys(request)
    survey = survey_or_404(request, code)
    found = _response(request, survey, response)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errs) for errs in form.errors.values()))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.response_review(response=found, approve=approve, reason=form.cleaned_data["reason"],
                                     actor=request.user)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("已判为有效，计入指数。") if approve else _("已判为无效，不计入指数。"))
    return redirect_next(request, reverse("surveys_manage:response_detail", args=[survey.code, found.code]))


@login_required
def response_import(request: HttpRequest, code: str) -> HttpResponse:
    """Paper questionnaires from Excel: all-or-nothing unless asked to skip bad rows; the report
    lists every error by row and column."""
    require_surveys(request)
    survey = survey_or_404(request, code)
    if not runs(request, survey):
        raise PermissionDenied(_("只有组织该调查的单位可以导入纸质问卷。"))
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.responses_import(survey=survey, file=form.cleaned_data["file"], actor=request.user,
                                           skip_invalid=form.cleaned_data["skip_invalid"],
                                           dry_run=form.cleaned_data["dry_run"])
        if report.changed:
            messages.success(request, report.summary())
    return render(request, "surveys/manage/import.html", {
        "section": SECTION, "survey": survey, "form": form, "report": report, "runs": True,
    })


@login_required
def import_template(request: HttpRequest, code: str) -> FileResponse:
    require_manage(request)
    survey = survey_or_404(request, code)
    return xlsx_response(lambda target: importers.write_responses_template(target, survey),
                         f"{survey.code}-{_('纸质问卷导入模板')}.xlsx")
