"""The customer's survey behind an outlet's QR code (/s/<token>): anonymous, CSRF-protected,
rate-limited.

- The token names the outlet; the survey is the outlet's current collecting one
  (services.current_survey_for). An unknown token is a 404; no survey being collected, or an
  outlet not open, is a polite page.
- The device is a random cookie (HttpOnly, a year, SameSite=Lax) set by the page; with the
  outlet it makes the response's device hash, so one device answers an outlet once a day (the
  service's rule). A device that already answered today sees 今日已提交 instead of the form.
- Submissions are counted per client IP in the cache (RATE_LIMIT in RATE_WINDOW seconds, the IP
  as the sign-in lockout reads it, so PROXY_COUNT applies); over it is a 429 page.
- Like the interviewer's page, the form carries a submission id, so a resend after a dropped
  connection lands on the thank-you page without a second response.
"""
from __future__ import annotations

import datetime as dt
import secrets
import uuid

from axes.helpers import get_client_ip_address
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from postqc.org.models import Outlet

from . import services
from .forms import questionnaire, sign_started
from .models import OutletLink, Response, Survey

DEVICE_COOKIE = "pq_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600
RATE_LIMIT = 10  # submissions per client IP …
RATE_WINDOW = 600  # … in this many seconds


def _link(token: str) -> OutletLink:
    return get_object_or_404(OutletLink.objects.select_related("outlet__unit"), token=token)


def _device(request: HttpRequest) -> tuple[str, bool]:
    """The device cookie's value, and whether it is new (to be set on the response)."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum():
        return value, False
    return secrets.token_urlsafe(24), True


def _with_device(request: HttpRequest, response: HttpResponse, device: str, new: bool) -> HttpResponse:
    if new:
        response.set_cookie(DEVICE_COOKIE, device, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax",
                            secure=request.is_secure())
    return response


def _over_rate_limit(request: HttpRequest) -> bool:
    """Count this submission against the client's IP; True when it is one too many."""
    key = f"surveys:qr-rate:{get_client_ip_address(request) or 'unknown'}"
    cache.add(key, 0, timeout=RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW)
        count = 1
    return count > RATE_LIMIT


def _answered_today(survey: Survey, outlet: Outlet, device_hash: str) -> bool:
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    return Response.objects.filter(survey=survey, outlet=outlet, device_hash=device_hash,
                                   channel=Response.Channel.QR, submitted_at__gte=start).exists()


@never_cache
def survey(request: HttpRequest, token: str) -> HttpResponse:
    link = _link(token)
    outlet = link.outlet
    current = services.current_survey_for(outlet) if outlet.status == Outlet.Status.OPEN else None
    if current is None:
        return render(request, "surveys/public/closed.html", {"outlet": outlet})
    device, new = _device(request)
    device_hash = services.device_hash_for(device, outlet)
    if request.method == "POST":
        if _over_rate_limit(request):
            return render(request, "surveys/public/too_many.html", {"outlet": outlet, "minutes": RATE_WINDOW // 60},
                          status=429)
        form = questionnaire(current, request.POST)
        if form.is_valid():
            try:
                services.response_submit(
                    survey=current, outlet=outlet, channel=Response.Channel.QR, ratings=form.ratings(),
                    profile=form.profile(), comment=form.cleaned_data["comment"],
                    client_id=form.cleaned_data["client_id"], device_hash=device_hash, started_at=form.started_at())
            except ValidationError as e:
                if "device" not in getattr(e, "error_dict", {}):
                    form.add_service_error(e)
                else:  # this device answered the outlet today: its page says so
                    return _with_device(request, redirect("surveys_public:survey", token=token), device, new)
            else:
                return _with_device(request, redirect("surveys_public:thanks", token=token), device, new)
        page = render(request, "surveys/public/survey.html", {"outlet": outlet, "survey": current, "form": form},
                      status=422)
        return _with_device(request, page, device, new)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    if not new and _answered_today(current, outlet, device_hash):
        return render(request, "surveys/public/already.html", {"outlet": outlet, "survey": current})
    form = questionnaire(current, initial={"client_id": uuid.uuid4(), "started": sign_started()})
    page = render(request, "surveys/public/survey.html", {"outlet": outlet, "survey": current, "form": form})
    return _with_device(request, page, device, new)


@require_GET
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    link = _link(token)
    return render(request, "surveys/public/thanks.html", {"outlet": link.outlet})
