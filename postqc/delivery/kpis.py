"""投递质量 on the cockpit (dashboard.registry): 频次, 深度 and 时限 达标率 of the month so far's full weeks."""
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postqc.dashboard.registry import Context, Figures, Kpi, Measure, register

from .selectors import Period, compliance_by_child


def _figures(ctx: Context):
    today = timezone.localtime(ctx.at).date()
    period = Period.default("month", today)
    return ctx.memo("delivery.compliance", lambda: (period, *compliance_by_child(ctx.unit, period, today)))


def _kpi(rate: str, n: str, source):
    def measure(ctx: Context) -> Figures:
        period, total, children, _rows = _figures(ctx)
        return Figures(
            total=Measure(getattr(total, rate), n=getattr(total, n)),
            children={pk: Measure(getattr(f, rate), n=getattr(f, n)) for pk, f in children.items()},
            source=source(period, total),
            url=f"{reverse('delivery:overview')}?{urlencode({'unit': ctx.unit.code, 'period': 'month', 'on': period.param})}")
    return measure


register(Kpi(
    code="delivery.frequency", name=_("投递频次达标率"), module=_("投递质量"), unit="%", order=50,
    measure=_kpi("frequency_rate", "weeks", lambda p, t: _("%(p)s，%(n)d 个段道周") % {"p": p.label, "n": t.weeks}),
    help=_("统计周期内，投递天数和趟次都达到频次规则的段道周 ÷ 段道周（按周一至周日统计，只计已结束的周）。"),
))
register(Kpi(
    code="delivery.depth", name=_("投递深度达标率"), module=_("投递质量"), unit="%", order=51,
    measure=_kpi("depth_rate", "segments", lambda p, t: _("%(p)s，%(n)d 条段道") % {"p": p.label, "n": t.segments}),
    help=_("交接方式符合所在区域深度规则、且统计周期内没有在规则不接受的地点交接的段道 ÷ 在用段道。"),
))
register(Kpi(
    code="delivery.time_limit", name=_("投递时限达标率"), module=_("投递质量"), unit="%", order=52,
    measure=_kpi("time_rate", "delivered", lambda p, t: _("%(p)s，妥投 %(n)d 件") % {"p": p.label, "n": t.delivered}),
    help=_("统计周期内时限内妥投的邮件 ÷ 妥投邮件。"),
))
