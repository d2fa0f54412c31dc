from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from postqc.org.roles import Capability


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe for the load balancer, and the trivial endpoint benchmarks compare against."""
    return HttpResponse(b"ok", content_type="text/plain")


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """Managers land on /manage/, everyone else on the staff H5."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.can(Capability.VIEW_MANAGE):
        return redirect("dashboard:home")
    return redirect("staff:home")


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/staff/home.html", {"tab": "home"})


@login_required
def staff_learn(request: HttpRequest) -> HttpResponse:
    return render(request, "core/staff/learn.html", {"tab": "learn"})


@login_required
def staff_contests(request: HttpRequest) -> HttpResponse:
    return render(request, "core/staff/contests.html", {"tab": "contests"})


@login_required
def staff_me(request: HttpRequest) -> HttpResponse:
    return render(request, "core/staff/me.html", {"tab": "me"})
