"""Template filters of the exam pages: scores without trailing zeros, durations as 分:秒, countdowns."""
from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def score(value) -> str:
    """26.00 → "26", 2.50 → "2.5"; None → "—"."""
    if value is None or value == "":
        return "—"
    text = f"{Decimal(value).normalize():f}"
    return text


@register.filter
def mmss(seconds) -> str:
    """Seconds as m:ss (or h:mm:ss from an hour up)."""
    if seconds is None or seconds == "":
        return "—"
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def minutes(seconds) -> str:
    """Seconds as whole minutes (rounded up): the time allowed of an exam."""
    return str(-(-int(seconds or 0) // 60))


@register.filter
def until(seconds) -> str:
    """Seconds until something as "3 天 04:12:30" (or "04:12:30" within a day): the countdown's
    first frame, before the page's script takes it over."""
    seconds = max(0, int(seconds or 0))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    clock = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return _("%(d)d 天 %(clock)s") % {"d": days, "clock": clock} if days else clock
