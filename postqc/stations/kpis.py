"""邮驿站开放率 on the cockpit (dashboard.registry).

The registry compares a figure with a target between 0 and 100 and shows it in "%" or "分", so the
KPI is a share, not a count: open stations ÷ stations not closed (a suspended station counts against
it; a closed one is gone and counts for nothing).
"""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from postqc.dashboard.registry import Context, Figures, Kpi, Measure, register

from .selectors import open_rate_by_child


def _measure(pair: tuple[int, int]) -> Measure:
    opened, stations = pair
    return Measure(opened * 100 / stations if stations else None, n=stations)


def _open_rate(ctx: Context) -> Figures:
    total, children = ctx.memo("stations.open_rate", lambda: open_rate_by_child(ctx.unit))
    return Figures(total=_measure(total), children={pk: _measure(p) for pk, p in children.items()},
                   source=_("开放 %(o)d / %(n)d 个邮驿站") % {"o": total[0], "n": total[1]},
                   url=reverse("stations:station_list"))


register(Kpi(
    code="stations.open_rate", name=_("邮驿站开放率"), module=_("邮驿站"), unit="%", order=60,
    measure=_open_rate,
    help=_("开放中的邮驿站 ÷ 未撤销的邮驿站（暂停开放的计入分母）。"),
))
