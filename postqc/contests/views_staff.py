"""The exam engine on the staff H5: 竞赛 (the tab, /m/contests/…), 模拟考试 (/m/mock/, under 学习),
and the attempt pages both use (/m/attempts/…).

The attempt page is one scrollable paper with an answer card (题号 grid) at the top; each
question is its own small form that htmx posts as soon as an answer is given (with a client id,
so a resend is harmless) and that comes back as a few hundred bytes. The countdown only shows
the server's remaining seconds; the server decides. Someone else's attempt is a 404, and so is
a competition whose audience does not include me.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from postqc.core.access import require
from postqc.org.roles import Capability

from . import certificates, integrity, selectors, services
from .models import Attempt, Exam

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


def _is_mock(exam: Exam) -> bool:
    return exam.kind == Exam.Kind.MOCK


def _tab(exam: Exam) -> str:
    return "learn" if _is_mock(exam) else "contests"


def _home_url(exam: Exam) -> str:
    """Where an attempt's pages lead back to: the mock exam list, or the competition's page."""
    return reverse("contests:mock_list") if _is_mock(exam) else reverse("contests:contest", args=[exam.code])


# --- 竞赛 -----------------------------------------------------------------------------------------------


@never_cache
@login_required
def contest_list(request: HttpRequest) -> HttpResponse:
    """The 竞赛 tab: open now (with my attempt to resume), upcoming (a countdown to the opening by
    the server's clock), finished (my counted score and rank)."""
    user = _staff(request)
    _expire_my_overdue(user)
    now = timezone.now()
    mine = selectors.my_competitions(user, at=now)
    for exam in mine.upcoming:
        exam.opens_in = int((exam.opens_at - now).total_seconds())
    return render(request, "contests/staff/contest_list.html", {"tab": "contests", "mine": mine})


@never_cache
@login_required
def contest_detail(request: HttpRequest, code) -> HttpResponse:
    """One competition: what it is, the window, the paper, my attempts and my counted result."""
    user = _staff(request)
    _expire_my_overdue(user)
    exam = selectors.competition_for_me_or_404(user, code)
    now = timezone.now()
    state = selectors.exam_state(exam, now)
    attempts = list(selectors.my_attempts(user, exam=exam))
    left = None if not exam.attempts_allowed else max(0, exam.attempts_allowed - len(attempts))
    return render(request, "contests/staff/contest_detail.html", {
        "tab": "contests", "exam": exam, "state": state, "attempts": attempts, "left": left,
        "opens_in": int((exam.opens_at - now).total_seconds()) if state == selectors.UPCOMING else None,
        "rules": selectors.exam_rules(exam),
        "certificate": certificates.person_certificate(exam, user) if state == selectors.FINISHED else None,
    })


@never_cache
@login_required
def my_certificate(request: HttpRequest, code) -> HttpResponse:
    """My certificate of a finished competition, printable; a 404 unless I won a prize."""
    user = _staff(request)
    exam = selectors.competition_for_me_or_404(user, code)
    certificate = certificates.person_certificate(exam, user) \
        if selectors.exam_state(exam) == selectors.FINISHED else None
    if certificate is None:
        raise Http404("You hold no certificate of this competition.")
    return render(request, "contests/certificates.html", {
        "exam": exam, "certificates": [certificate], "back_url": reverse("contests:contest", args=[exam.code])})


# --- 模拟考试 ---------------------------------------------------------------------------------------------


@never_cache
@login_required
def mock_list(request: HttpRequest) -> HttpResponse:
    """The mock exams offered to me now, with my best score and attempts, and my recent results."""
    user = _staff(request)
    _expire_my_overdue(user)
    exams = list(selectors.exams_offered(user, kind=Exam.Kind.MOCK, state=selectors.OPEN))
    recent = list(selectors.my_attempts(user, kind=Exam.Kind.MOCK).exclude(status=Attempt.Status.IN_PROGRESS)
                  [:RECENT])
    return render(request, "contests/staff/mock_list.html", {"tab": "learn", "exams": exams, "recent": recent})


# --- An attempt, of any kind -------------------------------------------------------------------------------


@login_required
@require_POST
@integrity.remembers_device
def exam_start(request: HttpRequest, code) -> HttpResponse:
    """Start an exam of any kind whose audience includes me, or go back to my attempt in progress.
    The attempt records the hash of this device's cookie (integrity.device_hash), set here if the
    browser has none."""
    user = _staff(request)
    exam = Exam.objects.filter(status=Exam.Status.PUBLISHED, code=code).select_related("unit").first()
    if exam is None:
        raise Http404("No exam for you has this code.")
    try:
        attempt, created = services.attempt_start(exam=exam, staff=user,
                                                  device_hash=integrity.device_hash(request))
    except PermissionDenied:  # outside the audience: as if there were no such exam
        raise Http404("No exam for you has this code.") from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_home_url(exam))
    if not created:
        messages.info(request, _("继续上次未交卷的作答，已保存的答案都在。"))
    return redirect("contests:attempt", code=attempt.code)


@never_cache
@login_required
def attempt_page(request: HttpRequest, code) -> HttpResponse:
    attempt = _my_attempt(request, code)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("contests:result", code=attempt.code)
    exam = attempt.exam
    paper = selectors.attempt_paper(attempt)
    return render(request, "contests/staff/attempt.html", {
        "tab": _tab(exam), "attempt": attempt, "exam": exam, "paper": paper, "home_url": _home_url(exam),
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
    """My result: score and time; right/wrong, answers and 解析 as the exam allows; for a
    competition my rank (a link to the board) and, when I won a prize, my certificate."""
    attempt = _my_attempt(request, code)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return redirect("contests:attempt", code=attempt.code)
    exam = attempt.exam
    result = selectors.attempt_result(attempt)
    used = Attempt.objects.filter(exam=exam, staff=attempt.staff).count()
    may_retake = (exam.status == Exam.Status.PUBLISHED and selectors.exam_state(exam) == selectors.OPEN
                  and (not exam.attempts_allowed or used < exam.attempts_allowed))
    context = {
        "tab": _tab(exam), "attempt": attempt, "exam": exam, "result": result, "may_retake": may_retake,
        "sections": selectors.paper_sections(result.items), "home_url": _home_url(exam),
    }
    if not _is_mock(exam):
        context["standing"] = selectors.my_standing(exam, attempt.staff)
    return render(request, "contests/staff/result.html", context)
