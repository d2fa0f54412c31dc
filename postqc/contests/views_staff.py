"""模拟考试 on the staff H5 (/m/mock/…): the mock exams offered to me, the attempt page, the result.

The attempt page is one scrollable paper with an answer card (题号 grid) at the top; each
question is its own small form that htmx posts as soon as an answer is given (with a client id,
so a resend is harmless) and that comes back as a few hundred bytes. The countdown only shows
the server's remaining seconds; the server decides. Someone else's attempt is a 404.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from postqc.core.access import get_offered_or_404, require
from postqc.org.roles import Capability

from . import selectors, services
from .models import Attempt, Exam

TAB = "learn"
RECENT = 10


def _staff(request: HttpRequest):
    require(request.user, Capability.USE_STAFF_APP)
    return request.user


def _my_attempt(request: HttpRequest, code) -> Attempt:
    """My attempt with this code (submitted by the server first when its time is over), else 404."""
    attempt = selectors.my_attempt_or_none(_staff(request), code)
    if attempt is None:
        raise Http404("No attempt of yours has this code.")
    return services.attempt_expire_if_overdue(attempt=attempt)


def _expire_my_overdue(user) -> None:
    now = timezone.now()
    for attempt in selectors.my_attempts(user).filter(status=Attempt.Status.IN_PROGRESS, deadline__lt=now):
        services.attempt_expire_if_overdue(attempt=attempt, at=now)


@never_cache
@login_required
def mock_list(request: HttpRequest) -> HttpResponse:
    """The mock exams offered to me now, with my best score and attempts, and my recent results."""
    user = _staff(request)
    _expire_my_overdue(user)
    exams = list(selectors.exams_offered(user, kind=Exam.Kind.MOCK, state=selectors.OPEN))
    recent = list(selectors.my_attempts(user, kind=Exam.Kind.MOCK).exclude(status=Attempt.Status.IN_PROGRESS)
                  [:RECENT])
    return render(request, "contests/staff/mock_list.html", {"tab": TAB, "exams": exams, "recent": recent})


@login_required
@require_POST
def mock_start(request: HttpRequest, code) -> HttpResponse:
    """Start a mock exam, or go back to my attempt in progress."""
    user = _staff(request)
    exam = get_offered_or_404(Exam.objects.filter(kind=Exam.Kind.MOCK, status=Exam.Status.PUBLISHED), user,
                              code=code)
    try:
        attempt, created = services.attempt_start(exam=exam, staff=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("contests:mock_list")
    if not created:
        messages.info(request, _("继续上次未交卷的作答，已保存的答案都在。"))
    return redirect("contests:attempt", code=attempt.code)


@never_cache
@login_required
def attempt_page(request: HttpRequest, code) -> HttpResponse:
    attempt = _my_attempt(request, code)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("contests:result", code=attempt.code)
    paper = selectors.attempt_paper(attempt)
    return render(request, "contests/staff/attempt.html", {
        "tab": TAB, "attempt": attempt, "exam": attempt.exam, "paper": paper,
        "sections": selectors.paper_sections(paper),
        "answered": sum(q.answered for q in paper), "remaining": services.remaining_seconds(attempt),
    })


@login_required
@require_POST
def attempt_answer(request: HttpRequest, code, position: int) -> HttpResponse:
    """Save one answer; answers htmx with a small fragment (saved mark, answer card cell, count,
    the server's remaining seconds), a plain form post with a redirect back to the question."""
    attempt = _my_attempt(request, code)
    is_htmx = request.headers.get("HX-Request") == "true"
    result_url = reverse("contests:result", args=[attempt.code])
    try:
        item = services.attempt_answer(attempt=attempt, position=position,
                                       response=request.POST.getlist("response"),
                                       client_id=request.POST.get("client_id", ""))
    except services.AttemptClosed:
        if is_htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = result_url
            return response
        return redirect(result_url)
    except ValidationError as exc:
        if not is_htmx:
            messages.error(request, " ".join(exc.messages))
            return redirect(reverse("contests:attempt", args=[attempt.code]) + f"#q-{position}")
        return render(request, "contests/staff/_saved.html", {"error": " ".join(exc.messages), "position": position})
    if not is_htmx:
        return redirect(reverse("contests:attempt", args=[attempt.code]) + f"#q-{position}")
    question = selectors.paper_question(item)
    return render(request, "contests/staff/_saved.html", {
        "position": position, "question": question, "answered": selectors.answered_count(attempt),
        "remaining": services.remaining_seconds(attempt),
    })


@login_required
@require_POST
def attempt_submit(request: HttpRequest, code) -> HttpResponse:
    attempt = services.attempt_submit(attempt=_my_attempt(request, code))
    return redirect("contests:result", code=attempt.code)


@never_cache
@login_required
def attempt_result(request: HttpRequest, code) -> HttpResponse:
    attempt = _my_attempt(request, code)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return redirect("contests:attempt", code=attempt.code)
    exam = attempt.exam
    result = selectors.attempt_result(attempt)
    used = Attempt.objects.filter(exam=exam, staff=attempt.staff).count()
    may_retake = (exam.status == Exam.Status.PUBLISHED and selectors.exam_state(exam) == selectors.OPEN
                  and (not exam.attempts_allowed or used < exam.attempts_allowed))
    return render(request, "contests/staff/result.html", {
        "tab": TAB, "attempt": attempt, "exam": exam, "result": result, "may_retake": may_retake,
        "sections": selectors.paper_sections(result.items),
    })
