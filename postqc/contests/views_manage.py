"""Manager pages of 模拟考试 (/manage/contests/mock/…): the list with attempt counts, creating one
from a blueprint, one exam with its results so far, publishing and archiving.

Reading needs VIEW_MANAGE, writing EDIT_CONTENT. Exams are those of the manager's own subtree
(`scoped`): another unit's exam is a 404. Attempts shown are those of the manager's subtree.
"""
from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postqc.core.access import get_scoped_or_404, scoped
from postqc.org.forms import add_service_error
from postqc.org.roles import Capability
from postqc.org.views.manage.common import require_edit, require_manage

from . import selectors, services
from .forms import DEFAULT_RULES, MockExamForm, RuleFormSet
from .models import Attempt, Exam

SECTION = "mock_exams"
RECENT_ATTEMPTS = 50
FORM_FIELDS = {"time_limit_seconds": "time_limit_minutes"}  # service argument → form field


def _exam(request: HttpRequest, code) -> Exam:
    return get_scoped_or_404(Exam.objects.filter(kind=Exam.Kind.MOCK).select_related("unit", "created_by"),
                             request.user, code=code)


@login_required
def mock_list(request: HttpRequest) -> HttpResponse:
    require_manage(request)
    exams = list(selectors.exams_for_manager(request.user, kind=Exam.Kind.MOCK))
    return render(request, "contests/manage/mock_list.html", {"section": SECTION, "exams": exams})


@login_required
def mock_create(request: HttpRequest) -> HttpResponse:
    """The exam's settings and its blueprint; every rule line the bank cannot fill is named."""
    require_edit(request, Capability.EDIT_CONTENT)
    form = MockExamForm(request.user, request.POST or None,
                        initial={"unit": request.user.unit, "title": _("普遍服务知识模拟考试")})
    rules = RuleFormSet(request.POST or None, user=request.user, prefix="rules",
                        initial=None if request.method == "POST" else DEFAULT_RULES)
    rule_errors: list[str] = []
    if request.method == "POST" and form.is_valid() and rules.is_valid():
        try:
            exam = services.exam_create(kind=Exam.Kind.MOCK, rules=rules.rules(), actor=request.user,
                                        **form.settings())
        except PermissionDenied as exc:
            add_service_error(form, exc, "unit")
        except ValidationError as exc:
            errors = dict(exc.message_dict) if hasattr(exc, "error_dict") else {None: exc.messages}
            rule_errors = errors.pop("rules", [])
            for name, messages_ in errors.items():
                name = FORM_FIELDS.get(name, name)
                form.add_error(name if name in form.fields else None, messages_)
        else:
            if exam.status == Exam.Status.PUBLISHED:
                messages.success(request, _("已发布模拟考试 %(title)s。") % {"title": exam.title})
            else:
                messages.success(request, _("已保存模拟考试草稿 %(title)s。") % {"title": exam.title})
            return redirect("contests_manage:mock_detail", code=exam.code)
    return render(request, "contests/manage/mock_form.html", {
        "section": SECTION, "form": form, "rules": rules, "rule_errors": rule_errors,
        "error_lines": lines_named(rule_errors),
    })


def lines_named(errors: list[str]) -> set[int]:
    """The row numbers the service's messages name ("第 3 行…"), to mark those rows."""
    return {int(m.group(1)) for e in errors for m in [re.match(r"第 (\d+) 行", e)] if m}


@login_required
def mock_detail(request: HttpRequest, code) -> HttpResponse:
    """Settings, blueprint, and the attempts of the manager's subtree: counts, average, pass rate."""
    require_manage(request)
    exam = _exam(request, code)
    attempts = scoped(Attempt.objects.filter(exam=exam), request.user)
    finished = attempts.exclude(status=Attempt.Status.IN_PROGRESS)
    passed = Q(score__gte=exam.pass_score) if exam.pass_score is not None else Q(pk__isnull=True)
    summary = finished.aggregate(attempts=Count("pk"), people=Count("staff", distinct=True), average=Avg("score"),
                                 passed=Count("pk", filter=passed))
    summary["active"] = attempts.filter(status=Attempt.Status.IN_PROGRESS).count()
    recent = list(finished.select_related("staff__unit").order_by("-submitted_at", "-pk")[:RECENT_ATTEMPTS])
    rules = selectors.exam_rules(exam)
    return render(request, "contests/manage/mock_detail.html", {
        "section": SECTION, "exam": exam, "rules": rules, "summary": summary, "recent": recent,
        "question_count": sum(r.count for r in rules), "max_score": sum(r.count * r.points for r in rules),
    })


def transition(request: HttpRequest, code, load, action, done: str, *, detail: str) -> HttpResponse:
    """Run a state change (publish, archive) of any kind of exam and go back to its detail page.
    The right to edit is checked before `load(request, code)` looks the exam up."""
    require_edit(request, Capability.EDIT_CONTENT)
    exam = load(request, code)
    try:
        action(exam=exam, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(detail, code=exam.code)


def _transition(request: HttpRequest, code, action, done: str) -> HttpResponse:
    return transition(request, code, _exam, action, done, detail="contests_manage:mock_detail")


@login_required
@require_POST
def mock_publish(request: HttpRequest, code) -> HttpResponse:
    return _transition(request, code, services.exam_publish, _("已发布，员工现在可以参加。"))


@login_required
@require_POST
def mock_archive(request: HttpRequest, code) -> HttpResponse:
    return _transition(request, code, services.exam_archive, _("已归档，员工不再看到这场模拟考试；成绩保留。"))
