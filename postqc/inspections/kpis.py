"""The outlets' 达标率 on the cockpit (dashboard.registry)."""
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postqc.dashboard.registry import Context, Figures, Kpi, Measure, register

from .selectors import Compliance, compliance_by_child


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
