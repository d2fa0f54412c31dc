from urllib.parse import urlencode

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


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """首页: today's review count, where practice resumes, the competitions open for me now."""
    from postqc.contests.selectors import open_competition_count
    from postqc.learning.models import PracticeCursor
    from postqc.learning.practice import review_remaining_today

    require(request.user, Capability.USE_STAFF_APP)
    user = request.user
    cursor = (PracticeCursor.objects.filter(staff=user, bank__is_active=True).select_related("bank", "chapter")
              .order_by("-updated_at", "-pk").first())
    resume_url = ""
    if cursor is not None:
        params = {"bank": cursor.bank.code, **({"chapter": cursor.chapter.code} if cursor.chapter else {})}
        resume_url = f"{reverse('learning:practice', args=['sequential'])}?{urlencode(params)}"
    return render(request, "core/staff/home.html", {
        "tab": "home", "review_left": review_remaining_today(user), "resume": cursor, "resume_url": resume_url,
        "open_competitions": open_competition_count(user),
    })


@login_required
def staff_me(request: HttpRequest) -> HttpResponse:
    """我的: the person, their own practice figures (learning.stats), settings."""
    from postqc.learning.stats import personal_summary

    require(request.user, Capability.USE_STAFF_APP)
    return render(request, "core/staff/me.html", {"tab": "me", "learning": personal_summary(request.user)})
