"""Staff H5 pages of the standards library (/m/standards/): list, chapters, reading, search."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from postqc.core.access import require
from postqc.org.roles import Capability
from postqc.standards import selectors, services

SEARCH_MAX_CHARS = 100


def _require_staff_app(request: HttpRequest) -> None:
    require(request.user, Capability.USE_STAFF_APP)


@login_required
@require_GET
def standard_list(request: HttpRequest) -> HttpResponse:
    _require_staff_app(request)
    return render(request, "standards/staff/standard_list.html", {
        "tab": "learn", "standards": list(selectors.standards_offered(request.user))})


@login_required
@require_GET
def standard_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Chapter navigation: the top-level clauses, each opening onto its subtree."""
    _require_staff_app(request)
    standard = selectors.standard_offered_or_404(request.user, code)
    return render(request, "standards/staff/standard_detail.html", {
        "tab": "learn", "standard": standard, "chapters": selectors.outline(standard.current_version, request.user)})


@login_required
@require_GET
def clause_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Reading a clause marks it read for the person (once per wording)."""
    _require_staff_app(request)
    reading = selectors.clause_reading(request.user, code)
    services.clause_mark_read(staff=request.user, revision=reading.revision)
    count = selectors.questions_testing_count(reading.clause, request.user)
    return render(request, "standards/staff/clause_detail.html", {
        "tab": "learn", "r": reading, "question_count": count,
        "practice_url": _practice_url(reading.clause.code) if count and reading.is_current else ""})


def _practice_url(clause_code: str) -> str:
    """专项练习 on this clause, when the learning app's practice pages are installed."""
    try:
        return f"{reverse('learning:practice', args=['topic'])}?{urlencode({'clause': clause_code})}"
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    _require_staff_app(request)
    q = request.GET.get("q", "").strip()[:SEARCH_MAX_CHARS]
    hits = selectors.clause_search(request.user, q) if q else []
    return render(request, "standards/staff/search.html", {
        "tab": "learn", "q": q, "hits": hits, "limit": selectors.SEARCH_LIMIT})
