"""The outlets' 达标率 on the cockpit (dashboard.registry)."""
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postqc.dashboard.registry import Context, Figures, Kpi, Measure, register

from .selectors import Compliance, OnTime, compliance_by_child, on_time_by_child


def _measure(c: Compliance) -> Measure:
    return Measure(c.rate, n=c.inspected)


def _compliance(ctx: Context) -> Figures:
    year = timezone.localtime(ctx.at).year
    total, children, _rows = compliance_by_child(ctx.unit, year)
    return Figures(total=_measure(total), children={pk: _measure(c) for pk, c in children.items()},
                   source=_("%(y)d 年抽查，检查 %(n)d / %(m)d 个网点") % {"y": year, "n": total.inspected,
                                                                   "m": total.outlets},
                   url=f"{reverse('inspections:overview')}?{urlencode({'unit': ctx.unit.code, 'year': year})}")


register(Kpi(
    code="inspections.compliance", name=_("网点达标率"), module=_("网点达标"), unit="%", order=20,
    measure=_compliance,
    help=_("本年度各网点最近一次抽查达标的网点数 ÷ 受检网点数；达标 = 否决项全部合格且合格率不低于检查表的达标线。自查不计入。"),
))


def _on_time_measure(t: OnTime) -> Measure:
    return Measure(t.rate, n=t.due)


def _on_time(ctx: Context) -> Figures:
    today = timezone.localtime(ctx.at).date()
    total, children = on_time_by_child(ctx.unit, today.year, today)
    return Figures(total=_on_time_measure(total), children={pk: _on_time_measure(t) for pk, t in children.items()},
                   source=_("%(y)d 年到期 %(n)d 项") % {"y": today.year, "n": total.due},
                   url=f"{reverse('inspections:finding_list')}")


register(Kpi(
    code="inspections.rectification", name=_("整改按期完成率"), module=_("整改问责"), unit="%", order=25,
    measure=_on_time,
    help=_("本年度整改期限已到的整改事项中，在期限内经验证销号的比例。"),
))
