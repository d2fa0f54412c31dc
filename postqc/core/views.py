from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from postqc.core.access import require
from postqc.org.roles import Capability


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe for the load balancer, and the trivial endpoint benchmarks compare against."""
    return HttpResponse(b"ok", content_type="text/plain")


def landing_url(user) -> str:
    """Where a signed-in person starts: managers on /manage/, everyone else on the staff H5."""
    if user.can(Capability.VIEW_MANAGE):
        return reverse("dashboard:home")
    return reverse("staff:home")


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect(landing_url(request.user))


def _staff_page(request: HttpRequest, template: str, tab: str) -> HttpResponse:
    require(request.user, Capability.USE_STAFF_APP)
    return render(request, template, {"tab": tab})


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    return _staff_page(request, "core/staff/home.html", "home")


@login_required
def staff_contests(request: HttpRequest) -> HttpResponse:
    return _staff_page(request, "core/staff/contests.html", "contests")


@login_required
def staff_me(request: HttpRequest) -> HttpResponse:
    return _staff_page(request, "core/staff/me.html", "me")
