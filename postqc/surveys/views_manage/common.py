"""What the survey manager pages share: the survey lookup, permissions, Excel responses."""
from __future__ import annotations

from django.http import Http404, HttpRequest

from postqc.core.access import is_in_scope, require
from postqc.org.roles import Capability

from .. import selectors
from ..models import Survey

SECTION = "surveys"


def require_manage(request: HttpRequest) -> None:
    require(request.user, Capability.VIEW_MANAGE)


def require_surveys(request: HttpRequest) -> None:
    """Writing: VIEW_MANAGE and MANAGE_SURVEYS."""
    require(request.user, Capability.VIEW_MANAGE)
    require(request.user, Capability.MANAGE_SURVEYS)


def survey_or_404(request: HttpRequest, code: str) -> Survey:
    """A survey the manager may open (their unit's, one above or below it), or 404."""
    try:
        return selectors.surveys_for(request.user).get(code=code)
    except Survey.DoesNotExist:
        raise Http404("No survey matches the given query.") from None


def runs(request: HttpRequest, survey: Survey) -> bool:
    """Whether the manager may change the survey: MANAGE_SURVEYS and the survey's unit in scope."""
    return request.user.can(Capability.MANAGE_SURVEYS) and is_in_scope(request.user, survey.unit_id)


