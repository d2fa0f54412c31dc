"""Template helpers of the survey pages: index figures with their intervals, flag badges, and
whether the staff 首页 offers interviewer mode."""
from __future__ import annotations

from django import template

from postqc.core.access import offered_to
from postqc.org.roles import Capability

from ..forms import FLAG_LABELS
from ..models import Survey

register = template.Library()


def collecting_offered(user):
    """Surveys being collected that the user may collect for: run by their unit or one above it."""
    return offered_to(Survey.objects.filter(status=Survey.Status.COLLECTING), user).select_related("unit").order_by(
        "-year", "code")


@register.simple_tag(takes_context=True)
def surveys_to_collect(context) -> bool:
    """Whether the signed-in person may collect now (interviewer role and a survey collecting)."""
    user = context["request"].user
    return user.can(Capability.COLLECT_SURVEYS) and collecting_offered(user).exists()


@register.filter
def fig(value, places: int = 1) -> str:
    """A score with one decimal (or `places`); None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{round(float(value), int(places)) + 0.0:.{int(places)}f}"  # + 0.0: no "−0.000"


@register.filter
def interval(estimate) -> str:
    """An Estimate's 95% interval as "85.6–86.8"; "—" when it has none."""
    if estimate is None or estimate.low is None or estimate.high is None:
        return "—"
    return f"{estimate.low:.1f}–{estimate.high:.1f}".replace("-", "−")


@register.filter
def signed(value, places: int = 1) -> str:
    """+2.2 / −0.4 with a proper minus sign; None → "—"."""
    if value is None or value == "":
        return "—"
    value = float(value)
    text = f"{abs(value):.{int(places)}f}"
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


@register.filter
def percent(value, places: int = 0) -> str:
    """A share (0–1) as a percentage; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{100 * float(value):.{int(places)}f}%"


@register.filter
def flag_label(code: str) -> str:
    return str(FLAG_LABELS.get(code, code))


@register.filter
def mmss(seconds) -> str:
    """A duration in seconds as m:ss (h:mm:ss from an hour up); None → "—"."""
    if seconds is None or seconds == "":
        return "—"
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
