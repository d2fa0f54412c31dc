"""Manager pages of 竞赛 and 考试 (/manage/contests/…): the list, setting one up (who takes part,
window, time, paper, counting, reveal, pass mark, prizes, speed bonus), one competition with its
figures, the results table (filters, Excel export), certificates, and item analysis.

Reading needs VIEW_MANAGE, writing EDIT_CONTENT; item analysis shows the reserved questions with
their answers, so it needs EDIT_CONTENT too. Competitions are those organised in the manager's
own subtree (`scoped`): another unit's is a 404. One organised above the manager's unit (the city's,
for a county's managers) is theirs to read, not to manage: the list names it and its results table
and export open with the attempts of the manager's subtree only (`_exam_read`).
"""
from __future__ import annotations

import io
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postqc.core.access import get_offered_or_404, get_scoped_or_404, require, scoped
from postqc.org.forms import add_service_error
from postqc.org.roles import Capability, Role
from postqc.org.views.manage.common import PAGE_SIZE, require_edit, require_manage

from . import analysis, certificates, results, selectors, services
from .forms import CompetitionForm, ResultFilterForm, RuleFormSet
from .models import Exam
from .views_manage import FORM_FIELDS, lines_named, transition

SECTION = "competitions"
KINDS = selectors.COMPETITIONS
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The usual competition paper, from the reserved pool: 15 单选 ×2, 10 多选 ×4, 10 判断 ×2, 5 填空 ×2 = 100.
DEFAULT_RULES = [
    {"question_type": "single", "count": 15, "points": 2},
    {"question_type": "multiple", "count": 10, "points": 4},
    {"question_type": "true_false", "count": 10, "points": 2},
    {"question_type": "fill", "count": 5, "points": 2},
]


def _exam(request: HttpRequest, code) -> Exam:
    return get_scoped_or_404(Exam.objects.filter(kind__in=KINDS).select_related("unit", "created_by"),
                             request.user, code=code)


def _exam_read(request: HttpRequest, code) -> Exam:
    """An exam of the manager's subtree (exam.managed True), or one organised above it and published
    (managed False: read its results, for the manager's subtree; settings, certificates and item
    analysis stay with the organiser's managers). Anything else is a 404."""
    exams = Exam.objects.filter(kind__in=KINDS).select_related("unit", "created_by")
    exam = scoped(exams, request.user).filter(code=code).first()
    if exam is not None:
        exam.managed = True
        return exam
    exam = get_offered_or_404(exams.filter(status__in=[Exam.Status.PUBLISHED, Exam.Status.ARCHIVED]), request.user,
                              code=code)
    exam.managed = False
    return exam


@login_required
def competition_list(request: HttpRequest) -> HttpResponse:
    require_manage(request)
    exams = [exam for kind in KINDS for exam in selectors.exams_for_manager(request.user, kind=kind)]
    exams.sort(key=lambda e: (e.opens_at or e.created_at), reverse=True)
    above = list(selectors.exams_from_above(request.user))
    now = timezone.now()
    for exam in [*exams, *above]:
        exam.state = selectors.exam_state(exam, now)
    return render(request, "contests/manage/competition_list.html", {"section": SECTION, "exams": exams,
                                                                         "above": above})


def _save(request: HttpRequest, exam: Exam | None) -> HttpResponse:
    """The create and edit page: the settings form and, while nobody has taken part, the blueprint."""
    require_edit(request, Capability.EDIT_CONTENT)
    locked = exam is not None and exam.attempts.exists()
    if exam is None:
        initial = {"unit": request.user.unit, "title": _("普遍服务知识竞赛")}
        rule_initial = DEFAULT_RULES
    else:
        initial = CompetitionForm.initial_for(exam)
        rule_initial = [{"question_type": r.question_type, "count": r.count, "points": r.points, "bank": r.bank,
                         "tag": r.tag, "clause": r.clause.code if r.clause else "", "difficulty_min": r.difficulty_min,
                         "difficulty_max": r.difficulty_max, "pool": r.pool}
                        for r in selectors.exam_rules(exam)]
    form = CompetitionForm(request.user, request.POST or None, initial=initial, exam=exam)
    rules = None if locked else RuleFormSet(request.POST or None, user=request.user, prefix="rules",
                                            initial=None if request.method == "POST" else rule_initial)
    rule_errors: list[str] = []
    if request.method == "POST" and form.is_valid() and (rules is None or rules.is_valid()):
        settings = form.settings()
        try:
            if exam is None:
                saved = services.exam_create(rules=rules.rules(), actor=request.user, unit=form.cleaned_data["unit"],
                                             publish=form.cleaned_data["publish"], **settings)
            else:
                saved = services.exam_update(exam=exam, actor=request.user,
                                             rules=None if rules is None else rules.rules(), **settings)
        except PermissionDenied as exc:
            add_service_error(form, exc, "unit")
        except ValidationError as exc:
            errors = dict(exc.message_dict) if hasattr(exc, "error_dict") else {None: exc.messages}
            rule_errors = errors.pop("rules", [])
            for name, messages_ in errors.items():
                name = FORM_FIELDS.get(name, name)
                form.add_error(name if name in form.fields else None, messages_)
        else:
            if exam is not None:
                messages.success(request, _("已保存 %(title)s。") % {"title": saved.title})
            elif saved.status == Exam.Status.PUBLISHED:
                messages.success(request, _("已发布 %(title)s。") % {"title": saved.title})
            else:
                messages.success(request, _("已保存草稿 %(title)s。") % {"title": saved.title})
            return redirect("contests_manage:competition_detail", code=saved.code)
    return render(request, "contests/manage/competition_form.html", {
        "section": SECTION, "form": form, "rules": rules, "rule_errors": rule_errors, "exam": exam,
        "error_lines": lines_named(rule_errors), "locked_rules": selectors.exam_rules(exam) if locked else None,
    })


@login_required
def competition_create(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@login_required
def competition_edit(request: HttpRequest, code) -> HttpResponse:
    require_edit(request, Capability.EDIT_CONTENT)
    exam = _exam(request, code)
    if exam.status == Exam.Status.ARCHIVED:
        messages.error(request, _("已归档的考试不能修改。"))
        return redirect("contests_manage:competition_detail", code=exam.code)
    return _save(request, exam)


@login_required
def competition_detail(request: HttpRequest, code) -> HttpResponse:
    """Settings, audience, blueprint, the headline figures, and the ways to the rest."""
    require_manage(request)
    exam = _exam(request, code)
    rules = selectors.exam_rules(exam)
    return render(request, "contests/manage/competition_detail.html", {
        "section": SECTION, "exam": exam, "rules": rules, "state": selectors.exam_state(exam),
        "summary": results.summary(exam, request.user),
        "question_count": sum(r.count for r in rules), "max_score": sum(r.count * r.points for r in rules),
        "audience_units": list(exam.audience_units.all()), "invitees": list(exam.invitees.select_related("unit")),
        "role_labels": [label for value, label in Role.choices if value in exam.audience_roles],
    })


def _transition(request: HttpRequest, code, action, done: str) -> HttpResponse:
    return transition(request, code, _exam, action, done, detail="contests_manage:competition_detail")


@login_required
@require_POST
def competition_publish(request: HttpRequest, code) -> HttpResponse:
    return _transition(request, code, services.exam_publish, _("已发布，参赛人员到开始时间即可参加。"))


@login_required
@require_POST
def competition_archive(request: HttpRequest, code) -> HttpResponse:
    return _transition(request, code, services.exam_archive, _("已归档，员工不再看到；成绩保留。"))


def _filtered(request: HttpRequest, exam: Exam) -> tuple[ResultFilterForm, object]:
    filters = ResultFilterForm(request.user, request.GET)
    attempts = results.results(exam, request.user, q=filters.text("q"), unit=filters.value("unit"),
                               status=filters.text("status"), passed=filters.text("passed"),
                               flagged=filters.text("flagged"))
    return filters, attempts


@login_required
def competition_results(request: HttpRequest, code) -> HttpResponse:
    """Every attempt of the manager's subtree, counted ones first in board order; 50 a page."""
    require_manage(request)
    exam = _exam_read(request, code)
    filters, attempts = _filtered(request, exam)
    paginator = Paginator(attempts, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.elided_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    ranks = results.board_ranks(exam)
    for attempt in page:
        attempt.rank = ranks.get(attempt.pk)
        attempt.passed = (None if exam.pass_score is None or attempt.score is None
                          else attempt.paper_score >= exam.pass_score)
    return render(request, "contests/manage/competition_results.html", {
        "section": SECTION, "exam": exam, "filters": filters, "page": page,
    })


@login_required
def competition_results_export(request: HttpRequest, code) -> HttpResponse:
    """The filtered results as an Excel file."""
    require_manage(request)
    require(request.user, Capability.EXPORT_ORG)
    exam = _exam_read(request, code)
    _filters, attempts = _filtered(request, exam)
    buffer = io.BytesIO()
    results.results_export(buffer, exam=exam, attempts=attempts)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"{exam.title}-成绩-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def competition_certificates(request: HttpRequest, code) -> HttpResponse:
    """The prize winners' certificates (people, then units), one A4 landscape page each."""
    require_manage(request)
    exam = _exam(request, code)
    return render(request, "contests/certificates.html", {
        "exam": exam, "certificates": certificates.exam_certificates(exam),
        "back_url": reverse("contests_manage:competition_detail", args=[exam.code]),
    })


@login_required
def competition_items(request: HttpRequest, code) -> HttpResponse:
    """Item analysis on first attempts: facility, discrimination, how often each option was chosen."""
    require_edit(request, Capability.EDIT_CONTENT)
    exam = _exam(request, code)
    return render(request, "contests/manage/competition_items.html", {
        "section": SECTION, "exam": exam, "analysis": analysis.item_analysis(exam),
    })
