"""Manager pages of the question bank (/manage/learning/…): banks, the question browser with
statistics, one question with its versions, editing, the 待复核 queue, import and export.

Who may do what: reading needs VIEW_MANAGE, writing (and exporting) EDIT_CONTENT. Banks are
those of the manager's own subtree (`scoped`): another unit's bank or question is a 404.
Questions reserved for competitions are shown only to those who may edit content, so a
支局长 who competes cannot read the competition questions and their answers in advance.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from postqc.core.access import get_scoped_or_404
from postqc.core.downloads import xlsx_response
from postqc.core.jobs import start_upload_job
from postqc.core.models import Job
from postqc.core.redirects import redirect_next
from postqc.org.forms import add_service_error
from postqc.org.roles import Capability, Role
from postqc.org.views.manage.common import Column, require_edit, require_manage, sorted_page

from . import selectors, services
from .exporters import bank_export, bank_export_filename, question_template
from .forms import BankForm, ImportForm, QuestionFilterForm, QuestionForm
from .models import Bank, Question
from .tasks import IMPORT_KIND, import_questions_task

RECENT_JOBS = 5
SECTION = "question_banks"

QUESTION_COLUMNS = [
    Column(gettext_lazy("编号"), "code", "sort_order"),
    Column(gettext_lazy("题干")),
    Column(gettext_lazy("题型"), "type", "current__type"),
    Column(gettext_lazy("难度"), "difficulty", "current__difficulty", num=True),
    Column(gettext_lazy("条款")),
    Column(gettext_lazy("状态"), "status", "status"),
    Column(gettext_lazy("作答次数"), num=True),
    Column(gettext_lazy("首答正确率"), num=True),
    Column(gettext_lazy("版本"), num=True),
    Column(gettext_lazy("更新时间"), "updated", "updated_at"),
]


def _sees_reserved(request: HttpRequest) -> bool:
    return request.user.can(Capability.EDIT_CONTENT)


def _bank(request: HttpRequest, code: str) -> Bank:
    return get_scoped_or_404(Bank.objects.select_related("unit"), request.user, code=code)


def _question(request: HttpRequest, code: str) -> Question:
    question = get_scoped_or_404(Question.objects.select_related("bank__unit", "current"), request.user, code=code)
    if question.pool == Question.Pool.RESERVED and not _sees_reserved(request):
        raise Http404("No question matches the given query.")
    return question


# --- Banks ------------------------------------------------------------------------------------------


@login_required
def bank_list(request: HttpRequest) -> HttpResponse:
    require_manage(request)
    return render(request, "learning/manage/bank_list.html", {
        "section": SECTION, "banks": selectors.banks_for_manager(request.user),
        "review_count": selectors.review_queue(request.user).count(),
    })


@login_required
def bank_create(request: HttpRequest) -> HttpResponse:
    require_edit(request, Capability.EDIT_CONTENT)
    form = BankForm(request.user, request.POST or None, initial={"unit": request.user.unit})
    if request.method == "POST" and form.is_valid():
        try:
            bank = services.bank_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            add_service_error(form, e, "unit")
        else:
            messages.success(request, _("已建立题库 %(name)s。") % {"name": bank.name})
            return redirect("learning_manage:bank_detail", code=bank.code)
    return render(request, "learning/manage/bank_form.html", {"section": SECTION, "form": form, "bank": None})


@login_required
def bank_edit(request: HttpRequest, code: str) -> HttpResponse:
    require_edit(request, Capability.EDIT_CONTENT)
    bank = _bank(request, code)
    initial = {"name": bank.name, "unit": bank.unit, "description": bank.description, "is_active": bank.is_active}
    form = BankForm(request.user, request.POST or None, bank=bank, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_update(bank=bank, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            add_service_error(form, e, "unit")
        else:
            messages.success(request, _("已保存。"))
            return redirect("learning_manage:bank_detail", code=bank.code)
    return render(request, "learning/manage/bank_form.html", {"section": SECTION, "form": form, "bank": bank})


@login_required
def bank_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The question browser: search, filters, pages of 50 with each question's answers and facility."""
    require_manage(request)
    bank = _bank(request, code)
    reserved_visible = _sees_reserved(request)
    filters = QuestionFilterForm(request.user, request.GET, tags=selectors.bank_tags(bank),
                                 reserved_visible=reserved_visible)
    qs = selectors.bank_questions(bank, **filters.filters()).prefetch_related("current__clauses")
    if not reserved_visible:
        qs = qs.exclude(pool=Question.Pool.RESERVED)
    page, headers = sorted_page(request, qs, QUESTION_COLUMNS, "code")
    stats = selectors.question_stats(q.pk for q in page)
    rows = [(q, stats.get(q.pk, selectors.QuestionStats())) for q in page]
    return render(request, "learning/manage/bank_detail.html", {
        "section": SECTION, "bank": bank, "filters": filters, "page": page, "headers": headers, "rows": rows,
    })


@login_required
def bank_export_view(request: HttpRequest, code: str) -> FileResponse:
    require_edit(request, Capability.EDIT_CONTENT)
    bank = _bank(request, code)
    return xlsx_response(lambda target: bank_export(target, bank=bank), bank_export_filename(bank))


@login_required
def import_template(request: HttpRequest) -> FileResponse:
    require_manage(request)
    return xlsx_response(question_template, _("试题导入模板.xlsx"))


@login_required
def bank_import(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the upload form. POST: store the file, start the import Job, go to its page."""
    require_edit(request, Capability.EDIT_CONTENT)
    bank = _bank(request, code)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_upload_job(kind=IMPORT_KIND, task=import_questions_task, actor=request.user,
                               upload=form.cleaned_data["file"], unit=bank.unit,
                               params={"bank": bank.code, **{name: form.cleaned_data[name] for name in
                                                             ("format", "skip_invalid", "dry_run", "default_explanation")}})
        return redirect("jobs:detail", code=job.code)
    recent = Job.objects.filter(kind=IMPORT_KIND, params__bank=bank.code, created_by=request.user).order_by(
        "-created_at")[:RECENT_JOBS]
    return render(request, "learning/manage/import.html",
                  {"section": SECTION, "bank": bank, "form": form, "recent": recent})


# --- Questions ----------------------------------------------------------------------------------------


@login_required
def question_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The current version as staff see it (or ?v=N, an earlier one), its versions and statistics."""
    require_manage(request)
    question = _question(request, code)
    versions = list(question.versions.select_related("created_by").prefetch_related("tags", "clauses")
                    .order_by("-number"))
    shown = next((v for v in versions if str(v.number) == request.GET.get("v")), None) or next(
        v for v in versions if v.pk == question.current_id)
    per_version = selectors.version_stats(question)
    history = [(v, per_version.get(v.pk, selectors.QuestionStats())) for v in versions]
    total = selectors.question_stats([question.pk]).get(question.pk, selectors.QuestionStats())
    return render(request, "learning/manage/question_detail.html", {
        "section": SECTION, "question": question, "bank": question.bank, "version": shown, "history": history,
        "stats": total, "version_roles": [Role(r).label for r in shown.roles if r in Role.values],
    })


@login_required
def question_create(request: HttpRequest, code: str) -> HttpResponse:
    require_edit(request, Capability.EDIT_CONTENT)
    bank = _bank(request, code)
    form = QuestionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_create(bank=bank, actor=request.user, publish=form.cleaned_data["publish"],
                                                 image=form.cleaned_data.get("image") or None, **form.content())
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已新增试题 %(code)s。") % {"code": question.code})
            return redirect("learning_manage:question_detail", code=question.code)
    return render(request, "learning/manage/question_form.html",
                  {"section": SECTION, "bank": bank, "form": form, "question": None})


@login_required
def question_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Saving a published question creates its next version; a 待复核 one may be republished at once."""
    require_edit(request, Capability.EDIT_CONTENT)
    question = _question(request, code)
    form = QuestionForm(request.POST or None, request.FILES or None, question=question,
                        initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                before = question.current_id
                version = services.question_edit(question=question, actor=request.user, image=form.image_change(),
                                                 **form.content())
                republish = form.cleaned_data.get("republish")
                if republish:
                    services.question_republish(question=question, actor=request.user)
        except ValidationError as e:
            add_service_error(form, e)
        else:
            if version.pk != before:
                messages.success(request, _("已保存为第 %(n)d 版。") % {"n": version.number})
            else:
                messages.success(request, _("已保存。"))
            if republish:
                messages.success(request, _("已复核并重新发布，所有人对这道题的记忆进度已重新开始。"))
            return redirect("learning_manage:question_detail", code=question.code)
    return render(request, "learning/manage/question_form.html",
                  {"section": SECTION, "bank": question.bank, "form": form, "question": question})


def _transition(request: HttpRequest, code: str, action, done: str) -> HttpResponse:
    require_edit(request, Capability.EDIT_CONTENT)
    question = _question(request, code)
    try:
        action(question=question, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, done)
    return redirect_next(request, reverse("learning_manage:question_detail", args=[question.code]))


@login_required
@require_POST
def question_publish(request: HttpRequest, code: str) -> HttpResponse:
    return _transition(request, code, services.question_publish, _("已发布。"))


@login_required
@require_POST
def question_retire(request: HttpRequest, code: str) -> HttpResponse:
    return _transition(request, code, services.question_retire, _("已停用，这道题不再出现在练习和新试卷中。"))


@login_required
@require_POST
def question_republish(request: HttpRequest, code: str) -> HttpResponse:
    """待复核 → 已发布 without changes (the reviewer confirmed the question still holds)."""
    return _transition(request, code, services.question_republish,
                       _("已复核并重新发布，所有人对这道题的记忆进度已重新开始。"))


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Questions flagged because a clause they test changed, oldest first."""
    require_manage(request)
    qs = selectors.review_queue(request.user)
    if not _sees_reserved(request):
        qs = qs.exclude(pool=Question.Pool.RESERVED)
    page, headers = sorted_page(request, qs, [
        Column(gettext_lazy("编号")), Column(gettext_lazy("题库")), Column(gettext_lazy("题干")),
        Column(gettext_lazy("条款")), Column(gettext_lazy("待复核原因")), Column(gettext_lazy("标记时间"), "flagged",
                                                                              "flagged_at"),
        Column(gettext_lazy("操作")),
    ], "flagged")
    return render(request, "learning/manage/review_queue.html",
                  {"section": "question_review", "page": page, "headers": headers})
