from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from postqc.core.access import require
from postqc.org.roles import Capability
from postqc.org.selectors import org_overview


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The management landing page: the size and shape of the manager's part of the organisation."""
    require(request.user, Capability.VIEW_MANAGE)
    return render(request, "dashboard/home.html", {"section": "dashboard", "overview": org_overview(request.user)})
