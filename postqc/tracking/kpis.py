"""给据邮件按时妥投率 on the cockpit (dashboard.registry)."""
import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postqc.dashboard.registry import Context, Figures, Kpi, Measure, register

from .selectors import _child_of, on_time_rows

PERIOD_DAYS = 30


def _rate(due: int, on_time: int) -> Measure:
    return Measure(on_time * 100 / due if due else None, n=due)


def _on_time(ctx: Context) -> Figures:
    today = timezone.localtime(ctx.at).date()
    first = today - dt.timedelta(days=PERIOD_DAYS)
    rows = list(on_time_rows(ctx.unit, first, today, today))
    child_of = _child_of(ctx.unit, [r["unit_id"] for r in rows])
    due = sum(r["due"] for r in rows)
    on_time = sum(r["on_time"] for r in rows)
    children: dict[int, list[int]] = {}
    for r in rows:
        if r["unit_id"] in child_of:
            c = children.setdefault(child_of[r["unit_id"]], [0, 0])
            c[0] += r["due"]
            c[1] += r["on_time"]
    query = urlencode({"unit": ctx.unit.code, "from": first.isoformat(), "to": today.isoformat()})
    return Figures(total=_rate(due, on_time), children={pk: _rate(*c) for pk, c in children.items()},
                   source=_("近 %(d)d 天到期 %(n)d 件") % {"d": PERIOD_DAYS, "n": due},
                   url=f"{reverse('tracking:overview')}?{query}")


register(Kpi(
    code="tracking.on_time", name=_("给据邮件按时妥投率"), module=_("给据邮件跟踪"), unit="%", order=45,
    measure=_on_time,
    help=_("近 30 天应妥投（收寄日 + 时限规则 D+N）的给据邮件中，在应妥投日期前妥投的比例；退回件不计入。"),
))
