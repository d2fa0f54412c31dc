from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .access import visible_unit_ids
from .models import Job


@login_required
def job_detail(request: HttpRequest, code) -> HttpResponse:
    """A job's progress. The person who started it sees it, and so do managers above its unit.
    htmx polls the same URL for the progress fragment until the job ends."""
    job = (
        Job.objects.filter(code=code)
        .filter(Q(created_by=request.user) | Q(unit__in=visible_unit_ids(request.user)))
        .first()
    )
    if job is None:
        raise Http404("No such job.")
    template = "core/jobs/_progress.html" if request.headers.get("HX-Request") else "core/jobs/detail.html"
    return render(request, template, {"job": job})
