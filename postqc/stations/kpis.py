"""邮驿站开放率 on the cockpit (dashboard.registry).

The registry compares a figure with a target between 0 and 100 and shows it in "%" or "分", so the
KPI is a share, not a count: open stations ÷ stations not closed (a suspended station counts against
it; a closed one is gone and counts for nothing).
"""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from postqc.dashboard.outlets import Fact, OutletView, register_outlet_view
from postqc.dashboard.registry import Context, Figures, Kpi, Measure, register

from .models import Station
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


def _outlet_facts(outlets: list, at) -> dict[int, Fact]:
    """The 邮驿站 an outlet hosts (not closed ones), open or suspended (one query)."""
    facts: dict[int, Fact] = {}
    for station in (Station.objects.filter(outlet_id__in=[o.pk for o in outlets])
                    .exclude(status=Station.Status.CLOSED).order_by("outlet_id", "code")):
        if station.outlet_id in facts:
            continue  # one shown; an outlet hosting two is rare, the station list has them all
        opened = station.status == Station.Status.OPEN
        facts[station.outlet_id] = Fact(
            station.get_status_display(), status=Fact.MET if opened else Fact.MISSED,
            note=station.name if opened else f"{station.name}：{station.status_reason}".rstrip("："),
            url=reverse("stations:station_detail", args=[station.code]))
    return facts


register_outlet_view(OutletView(code="stations.outlet", name=_("邮驿站"), module=_("邮驿站"), order=60,
                                facts=_outlet_facts))
