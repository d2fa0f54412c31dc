"""Interviewer mode on the staff H5 (/m/survey/…): pick the survey being collected and an outlet
of one's own subtree, then fill in the questionnaire for the customer.

Who: staff with COLLECT_SURVEYS (docs/roles.md), for open outlets of their own subtree
(`scoped`); surveys are those run by their unit or a unit above it (`offered_to`).
The questionnaire is a plain form POST. It carries an id the page made (the server's when the
page's script did not run), so a resend after a dropped connection returns the same 已提交 page
and is counted once; and the signed time the form was served, so the duration is known.
"""
from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from postqc.core.access import ancestor_unit_ids, get_offered_or_404, get_scoped_or_404, require, scoped
from postqc.org.models import Outlet, UnitClosure
from postqc.org.roles import Capability

from . import services
from .forms import questionnaire, sign_started
from .models import Quota, Response, Survey
from .templatetags.surveys import collecting_offered

LAST_OUTLET = "surveys.last_outlet"
TAB = "home"


def _collector(request: HttpRequest) -> None:
    require(request.user, Capability.COLLECT_SURVEYS)


def _open_outlets(user):
    return scoped(Outlet.objects.filter(status=Outlet.Status.OPEN).select_related("unit"), user).order_by("code")


def _my_quota(survey: Survey, user) -> dict | None:
    """The plan of the user's own stratum: the nearest unit at or above theirs with a quota,
    and what its subtree has collected (approved / pending)."""
    quota = (Quota.objects.filter(survey=survey, channel="", quarter__isnull=True, unit__in=ancestor_unit_ids(user))
             .select_related("unit").order_by("-unit__depth").first())
    if quota is None:
        return None
    counts = Response.objects.filter(
        survey=survey, outlet__unit__in=UnitClosure.objects.filter(ancestor_id=quota.unit_id).values("descendant_id"),
    ).aggregate(approved=Count("pk", filter=Q(status=Response.Status.APPROVED)),
                pending=Count("pk", filter=Q(status=Response.Status.PENDING)))
    return {"unit": quota.unit, "target": quota.target, **counts,
            "percent": round(100 * counts["approved"] / quota.target, 1) if quota.target else 0}


def _mine(survey: Survey, user) -> dict:
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    return Response.objects.filter(survey=survey, interviewer=user).aggregate(
        total=Count("pk"), today=Count("pk", filter=Q(submitted_at__gte=start)))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Which survey (when several are collecting), my unit's progress, and the outlets to pick
    from — the last one used first; ?q= searches code, name and address."""
    _collector(request)
    user = request.user
    surveys = list(collecting_offered(user))
    context = {"tab": TAB, "surveys": surveys}
    if not surveys:
        return render(request, "surveys/staff/home.html", context)
    survey = next((s for s in surveys if s.code == request.GET.get("survey")), surveys[0])
    q = request.GET.get("q", "").strip()[:64]
    outlets = _open_outlets(user)
    last = outlets.filter(code=request.session.get(LAST_OUTLET, "")).first()
    if q:
        outlets = outlets.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(address__icontains=q))
    context.update(survey=survey, q=q, outlets=list(outlets), last=last, quota=_my_quota(survey, user),
                   mine=_mine(survey, user))
    return render(request, "surveys/staff/home.html", context)


@never_cache
@login_required
def fill(request: HttpRequest, code: str, outlet: str) -> HttpResponse:
    """The questionnaire for one customer at one outlet; POST records it."""
    _collector(request)
    user = request.user
    survey = get_offered_or_404(Survey.objects.all(), user, code=code)
    outlet = get_scoped_or_404(Outlet.objects.select_related("unit"), user, code=outlet)
    if survey.status != Survey.Status.COLLECTING or outlet.status != Outlet.Status.OPEN:
        return render(request, "surveys/staff/closed.html", {"tab": TAB, "survey": survey, "outlet": outlet})
    request.session[LAST_OUTLET] = outlet.code
    form = questionnaire(survey, request.POST if request.method == "POST" else None,
                         initial={"client_id": uuid.uuid4(), "started": sign_started()})
    if request.method == "POST" and form.is_valid():
        try:
            response, replayed = services.response_submit(
                survey=survey, outlet=outlet, channel=Response.Channel.INTERVIEWER, ratings=form.ratings(),
                profile=form.profile(), comment=form.cleaned_data["comment"],
                client_id=form.cleaned_data["client_id"], interviewer=user, started_at=form.started_at())
        except ValidationError as e:
            form.add_service_error(e)
        else:
            url = reverse("surveys:done", args=[survey.code, response.code])
            return redirect(f"{url}?again=1" if replayed else url)
    return render(request, "surveys/staff/fill.html", {
        "tab": TAB, "survey": survey, "outlet": outlet, "form": form, "quota": _my_quota(survey, user),
    }, status=422 if form.is_bound else 200)


@login_required
@require_GET
def done(request: HttpRequest, code: str, response: uuid.UUID) -> HttpResponse:
    """已提交: the questionnaire is recorded (a resend says it was recognised, not counted again)."""
    _collector(request)
    found = get_scoped_or_404(Response.objects.select_related("survey", "outlet"), request.user, code=response,
                              survey__code=code, interviewer=request.user)
    return render(request, "surveys/staff/done.html", {
        "tab": TAB, "response": found, "survey": found.survey, "outlet": found.outlet,
        "replayed": request.GET.get("again") == "1", "mine": _mine(found.survey, request.user),
        "quota": _my_quota(found.survey, request.user),
    })

