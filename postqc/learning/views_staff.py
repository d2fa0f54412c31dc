"""Staff H5 pages of practice (/m/learn/…): the 学习 home, one question per screen with immediate
feedback, the topic and chapter choosers, the 错题本 and 收藏 lists.

An answer is a form POST carrying an id the page made for it. htmx sends it and swaps in a
small feedback fragment; without JavaScript the same form posts and gets the whole page back.
A resend with the same id (after a dropped connection) shows the first feedback again and
records nothing. The question page never carries the answer or the 解析.
"""
from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from postqc.core.access import offered_to, require
from postqc.core.redirects import safe_next
from postqc.org.roles import Capability
from postqc.standards.models import Standard

from . import modes, practice
from .grading import InvalidResponse
from .models import Answer, Favorite, PracticeCursor, Question, QuestionVersion, WrongEntry
from .scheduling import policy_for

Mode = Answer.Mode
Type = QuestionVersion.Type
PAGE_SIZE = 20
MAX_DURATION_MS = 3_600_000  # an answer left open longer than an hour counts as an hour (it is "slow" either way)


class AnswerForm(forms.Form):
    question = forms.CharField(max_length=32)
    client_id = forms.UUIDField()
    duration_ms = forms.IntegerField(required=False, min_value=0)


def _staff(request: HttpRequest) -> None:
    require(request.user, Capability.USE_STAFF_APP)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _mode(mode: str) -> str:
    if mode not in Mode.values:
        raise Http404(f"No practice mode {mode!r}.")
    return mode


def _practice_url(mode: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return reverse("learning:practice", args=[mode]) + (f"?{query}" if query else "")


def _session(request: HttpRequest, mode: str, data) -> modes.Session:
    return modes.session_from(request.user, mode=mode, bank=data.get("bank", ""), chapter=data.get("chapter", ""),
                              clause=data.get("clause", ""), tag=data.get("tag", ""))


# --- 学习 home ------------------------------------------------------------------------------------------


def _url_or_empty(name: str, *args) -> str:
    """The URL of a page another part of the project provides, or "" while that page does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """学习: today's review, where 顺序练习 resumes, the practice modes, and the banks offered to me."""
    _staff(request)
    user = request.user
    banks = list(modes.banks_offered(user))
    standards_url = _url_or_empty("standards:list")
    has_standards = bool(standards_url) and offered_to(
        Standard.objects.filter(is_active=True, current_version__isnull=False), user).exists()
    context = {"tab": "learn", "banks": banks, "standards_url": standards_url if has_standards else "",
               "mock_url": _url_or_empty("contests:mock_list")}
    if banks:
        cursor = (PracticeCursor.objects.filter(staff=user, bank__in=[b.pk for b in banks])
                  .select_related("bank", "chapter").order_by("-updated_at", "-pk").first())
        resume = None
        if cursor is not None:
            try:
                session = modes.session_from(user, mode=Mode.SEQUENTIAL, bank=cursor.bank.code,
                                             chapter=cursor.chapter.code if cursor.chapter else "")
            except Http404:  # the chapter's standard was withdrawn since
                session = modes.session_from(user, mode=Mode.SEQUENTIAL, bank=cursor.bank.code)
            upcoming = modes.next_question(user, session)
            resume = {"session": session, "url": _practice_url(Mode.SEQUENTIAL, **session.params()),
                      "progress": modes.progress(user, session, upcoming)}
        context.update(
            resume=resume,
            review_left=practice.review_remaining_today(user),
            wrong_count=practice.open_wrong_entries(user).count(),
            favorite_count=practice.favorite_questions(user).count(),
        )
    return render(request, "learning/staff/home.html", context)


@login_required
@require_GET
def bank_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A bank: 顺序练习 through all of it or chapter by chapter (each resumes on its own), 随机练习."""
    _staff(request)
    bank = next((b for b in modes.banks_offered(request.user) if b.code == code), None)
    if bank is None:
        raise Http404(f"No bank {code!r} is offered to you.")
    resumed = set(PracticeCursor.objects.filter(staff=request.user, bank=bank, last_question__isnull=False)
                  .values_list("chapter__code", flat=True))
    return render(request, "learning/staff/bank.html", {
        "tab": "learn", "bank": bank, "standards": modes.topic_tree(request.user, bank=bank), "resumed": resumed})


@login_required
@require_GET
def topics(request: HttpRequest) -> HttpResponse:
    """专项练习: choose a chapter (then a clause) of a standard, or a tag."""
    _staff(request)
    return render(request, "learning/staff/topics.html", {
        "tab": "learn", "standards": modes.topic_tree(request.user), "tags": modes.tag_counts(request.user)})


@login_required
@require_GET
def topic_chapter(request: HttpRequest, code: str) -> HttpResponse:
    """One chapter's clauses that have questions, to practise the whole chapter or one clause."""
    _staff(request)
    chapter = modes.clause_offered_or_404(request.user, code)
    node = next((c for s in modes.topic_tree(request.user) for c in s.chapters if c.code == chapter.code), None)
    if node is None:
        raise Http404(f"No practice questions test {code!r}.")
    return render(request, "learning/staff/topic_chapter.html", {"tab": "learn", "node": node})


# --- One question per screen ---------------------------------------------------------------------------


def _options(version: QuestionVersion) -> list[tuple[str, str]]:
    if version.type == Type.TRUE_FALSE:
        return [("T", _("对")), ("F", _("错"))]
    return version.option_pairs()


def _question_context(request: HttpRequest, session: modes.Session, question: Question, *, error: str = "") -> dict:
    return {
        "session": session, "question": question, "version": question.current, "options": _options(question.current),
        "favorite": modes.is_favorite(request.user, question), "client_id": uuid.uuid4(), "error": error,
        "answer_url": reverse("learning:answer", args=[session.mode]), "params": session.params(),
        "self_url": _practice_url(session.mode, q=question.code, **session.params()),
    }


@login_required
@require_GET
def practice_page(request: HttpRequest, mode: str) -> HttpResponse:
    """The next question of the mode (?q= opens a given question), or the mode's empty state."""
    _staff(request)
    mode = _mode(mode)
    try:
        session = _session(request, mode, request.GET)
    except ValidationError:
        return redirect("learning:topics")
    user = request.user
    if code := request.GET.get("q", ""):
        question = modes.question_offered_or_404(user, code)
    else:
        after = offered_to(Question.objects.all(), user).filter(code=request.GET.get("after", "")).first()
        question = modes.next_question(user, session, after=after)
    context = {"tab": "learn", "session": session, "progress": modes.progress(user, session, question)}
    if question is not None:
        context.update(_question_context(request, session, question))
    return render(request, "learning/staff/practice.html", context)


def _answer_text(version: QuestionVersion) -> str:
    if version.type == Type.FILL:
        return " / ".join(version.answer)
    if version.type == Type.TRUE_FALSE:
        return _("对") if version.answer == ["T"] else _("错")
    return "".join(sorted(version.answer))


def _feedback_context(request: HttpRequest, session: modes.Session, question: Question,
                      result: practice.AnswerResult) -> dict:
    version, given = result.version, result.answer.response
    options = [{"key": key, "text": text, "right": key in version.answer, "chosen": key in given}
               for key, text in _options(version)] if version.type != Type.FILL else []
    streak = None
    if result.wrong_book == "kept" and result.correct:  # on the way out of the 错题本: how far along
        done = WrongEntry.objects.filter(staff=request.user, question=question).values_list(
            "right_streak", flat=True).first() or 0
        streak = {"done": done, "left": policy_for(request.user.unit_id).wrong_clear_streak - done}
    next_params = session.params() if session.mode == Mode.SEQUENTIAL else {**session.params(), "after": question.code}
    return {
        "session": session, "question": question, "version": version, "result": result, "options": options,
        "given": given, "clauses": modes.clause_refs(version), "streak": streak,
        "favorite": modes.is_favorite(request.user, question),
        "self_url": _practice_url(session.mode, q=question.code, **session.params()),
        "next_url": _practice_url(session.mode, **next_params),
        "answer_text": _answer_text(version), "link_clauses": bool(_url_or_empty("standards:clause", "X")),
    }


@login_required
@require_POST
def answer(request: HttpRequest, mode: str) -> HttpResponse:
    """Grade one answer. htmx gets the feedback fragment (the question again, with the error, for a
    malformed answer: 422); a plain form POST gets the whole page."""
    _staff(request)
    mode = _mode(mode)
    form = AnswerForm(request.POST)
    try:
        session = _session(request, mode, request.POST)
    except ValidationError:
        return redirect("learning:topics")
    if not form.is_valid():
        return HttpResponse(_("答案提交格式有误：%(fields)s。请刷新页面后重答。") % {"fields": ", ".join(form.errors)},
                            status=400, content_type="text/plain; charset=utf-8")
    question = modes.question_offered_or_404(request.user, form.cleaned_data["question"])
    duration = form.cleaned_data["duration_ms"]
    chapter = session.chapter if mode == Mode.SEQUENTIAL else None
    try:
        result = practice.practice_answer(
            staff=request.user, question=question, response=request.POST.getlist("response"), mode=mode,
            client_id=form.cleaned_data["client_id"], chapter=chapter,
            duration_ms=min(duration, MAX_DURATION_MS) if duration is not None else None)
    except InvalidResponse:
        message = _("请填写答案。") if question.current.type == Type.FILL else _("请先选择答案。")
        context = {"tab": "learn", "session": session, "progress": modes.progress(request.user, session, question),
                   **_question_context(request, session, question, error=message)}
        template = "learning/staff/_question.html" if _is_htmx(request) else "learning/staff/practice.html"
        return render(request, template, context, status=422)
    context = _feedback_context(request, session, question, result)
    if _is_htmx(request):
        return render(request, "learning/staff/_feedback.html", context)
    context.update(tab="learn", progress=modes.progress(request.user, session, question), answered=True)
    return render(request, "learning/staff/practice.html", context)


@login_required
@require_POST
def favorite(request: HttpRequest, code: str) -> HttpResponse:
    """☆ / ★ on a question: htmx gets the new star; a plain POST goes back to where it came from."""
    _staff(request)
    question = modes.question_offered_or_404(request.user, code)
    on = practice.favorite_toggle(staff=request.user, question=question)
    back = safe_next(request, request.POST.get("next"), _practice_url(Mode.FAVORITE, q=question.code))
    if _is_htmx(request):
        return render(request, "learning/staff/_star.html", {"question": question, "favorite": on, "self_url": back})
    return redirect(back)


# --- 错题本 and 收藏 -------------------------------------------------------------------------------------


def _page(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@require_GET
def wrong_book(request: HttpRequest) -> HttpResponse:
    """错题本: the questions I still get wrong, most recently missed first."""
    _staff(request)
    entries = (practice.open_wrong_entries(request.user).select_related("question__current")
               .order_by("-last_wrong_at", "-pk"))
    return render(request, "learning/staff/wrong_book.html", {
        "tab": "learn", "page": _page(request, entries),
        "clear_streak": policy_for(request.user.unit_id).wrong_clear_streak})


@login_required
@require_GET
def favorites(request: HttpRequest) -> HttpResponse:
    """收藏: the questions I starred, latest first."""
    _staff(request)
    stars = (Favorite.objects.filter(staff=request.user, question__in=practice.practice_questions(request.user))
             .select_related("question__current").order_by("-created_at", "-pk"))
    return render(request, "learning/staff/favorites.html", {"tab": "learn", "page": _page(request, stars)})
