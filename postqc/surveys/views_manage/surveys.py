"""Questionnaires: the list, a new survey from the shipped template or copied from last year,
one survey's structure and weights (editable until collection starts and freezes them),
starting and ending collection."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postqc.core.access import scoped, visible_unit_ids
from postqc.org.forms import add_service_error
from postqc.org.roles import Capability

from .. import selectors, services
from ..forms import SurveyCopyForm, SurveyCreateForm, SurveyEditForm, WeightsForm
from ..models import Response, Survey
from .common import SECTION, require_manage, require_surveys, runs, survey_or_404


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    """Surveys the manager may open, newest first, with the responses of their own subtree."""
    require_manage(request)
    mine = Q(responses__outlet__unit__in=visible_unit_ids(request.user))
    surveys = selectors.surveys_for(request.user).annotate(
        n_approved=Count("responses", filter=mine & Q(responses__status=Response.Status.APPROVED)),
        n_pending=Count("responses", filter=mine & Q(responses__status=Response.Status.PENDING)),
    )
    return render(request, "surveys/manage/survey_list.html", {
        "section": SECTION, "surveys": surveys,
        "can_copy": request.user.can(Capability.MANAGE_SURVEYS)
        and scoped(Survey.objects.all(), request.user).exists(),
    })


@login_required
def survey_create(request: HttpRequest) -> HttpResponse:
    """A new draft survey with the shipped questionnaire (3 parts, 7 dimensions, 21 service items)."""
    require_surveys(request)
    form = SurveyCreateForm(request.user, request.POST or None, initial={"unit": request.user.unit})
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create_from_template(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            add_service_error(form, e, "unit")
        else:
            messages.success(request, _("已建立调查 %(title)s，请核对问卷和权重后开始采集。") % {"title": survey.title})
            return redirect("surveys_manage:survey_detail", code=survey.code)
    return render(request, "surveys/manage/survey_form.html",
                  {"section": SECTION, "form": form, "heading": _("新建调查（标准问卷）"), "survey": None})


@login_required
def survey_copy(request: HttpRequest) -> HttpResponse:
    """A new draft survey copied from an earlier one: same items with the same codes, weights, plan."""
    require_surveys(request)
    form = SurveyCopyForm(request.user, request.POST or None)
    if request.method == "GET":
        last = form.fields["source"].queryset.first()
        if last is not None:
            form.initial = {"source": last.code, "year": last.year + 1}
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_copy(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            add_service_error(form, e, "source")
        else:
            messages.success(request, _("已复制为 %(title)s，题目编码保持不变，可与往年逐题比较。")
                             % {"title": survey.title})
            return redirect("surveys_manage:survey_detail", code=survey.code)
    return render(request, "surveys/manage/survey_form.html",
                  {"section": SECTION, "form": form, "heading": _("复制往年调查"), "survey": None})


@login_required
def survey_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The questionnaire: parts, dimensions and weights (a form while not frozen), items; what the
    manager's subtree collected; the actions of the survey's state."""
    require_manage(request)
    survey = survey_or_404(request, code)
    dimensions = list(survey.dimensions.order_by("position", "pk"))
    items = list(survey.items.select_related("part", "dimension", "clause").order_by("position", "pk"))
    parts = []
    for item in items:
        if not parts or parts[-1][0] != item.part:
            parts.append((item.part, []))
        parts[-1][1].append(item)
    may_run = runs(request, survey)
    weights = None
    if may_run and not survey.is_frozen:
        weights = WeightsForm(dimensions)
    counts = selectors.responses(survey, request.user).aggregate(
        approved=Count("pk", filter=Q(status=Response.Status.APPROVED)),
        pending=Count("pk", filter=Q(status=Response.Status.PENDING)),
        rejected=Count("pk", filter=Q(status=Response.Status.REJECTED)))
    return render(request, "surveys/manage/survey_detail.html", {
        "section": SECTION, "survey": survey, "dimensions": dimensions, "parts": parts, "weights": weights,
        "weight_sum": sum(d.weight for d in dimensions), "runs": may_run, "counts": counts,
        "profile_questions": list(survey.profile_questions.order_by("position", "pk")),
        "n_items": len(items), "n_scored": sum(1 for i in items if i.dimension_id),
    })


@login_required
def survey_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Title, period, dates, target and intro: editable at any time."""
    require_surveys(request)
    survey = survey_or_404(request, code)
    if not runs(request, survey):
        raise PermissionDenied(_("该调查不在你的管辖范围内。"))
    fields = ("title", "period", "opens_on", "closes_on", "target_index", "intro")
    form = SurveyEditForm(request.POST or None, initial={name: getattr(survey, name) for name in fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(survey=survey, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("surveys_manage:survey_detail", code=survey.code)
    return render(request, "surveys/manage/survey_form.html",
                  {"section": SECTION, "form": form, "heading": _("编辑调查信息"), "survey": survey})


@login_required
@require_POST
def survey_weights(request: HttpRequest, code: str) -> HttpResponse:
    """Save the dimension weights (refused once collection started: they are frozen)."""
    require_surveys(request)
    survey = survey_or_404(request, code)
    dimensions = list(survey.dimensions.order_by("position", "pk"))
    form = WeightsForm(dimensions, request.POST)
    if form.is_valid():
        try:
            services.dimension_set_weights(survey=survey, weights=form.weights(), actor=request.user)
        except PermissionDenied:
            raise
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("权重已保存。"))
    else:
        messages.error(request, " ".join(f"{form.fields[name].label}：{' '.join(errs)}"
                                         for name, errs in form.errors.items() if name in form.fields))
    return redirect("surveys_manage:survey_detail", code=survey.code)


def _transition(request: HttpRequest, code: str, action, done: str) -> HttpResponse:
    require_surveys(request)
    survey = survey_or_404(request, code)
    try:
        action(survey=survey, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, done)
    return redirect("surveys_manage:survey_detail", code=survey.code)


@login_required
@require_POST
def survey_start(request: HttpRequest, code: str) -> HttpResponse:
    return _transition(request, code, services.survey_start_collection,
                       _("已开始采集。问卷结构和权重已冻结，网点二维码和访员代填即日可用。"))


@login_required
@require_POST
def survey_close(request: HttpRequest, code: str) -> HttpResponse:
    return _transition(request, code, services.survey_close, _("已结束采集，不再接受新的问卷。"))
