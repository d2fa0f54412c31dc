"""The learning figures on the cockpit (dashboard.registry): how many staff practise, and how well; and
the same of an outlet's own staff on its page (dashboard.outlets)."""
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from postqc.dashboard.outlets import Fact, OutletView, register_outlet_view
from postqc.dashboard.registry import Context, Figures, Kpi, Measure, register

from . import stats

MIN_ANSWERS = 30  # fewer answers in 30 days: too few to judge a unit's accuracy


def _participation(ctx: Context) -> stats.units.UnitParticipation:
    return ctx.memo("learning.participation", lambda: stats.unit_participation(ctx.user, unit=ctx.unit, at=ctx.at))


def _url(ctx: Context) -> str:
    return f"{reverse('learning_stats:overview')}?{urlencode({'unit': ctx.unit.code})}"


def _figures(ctx: Context, measure) -> Figures:
    data = _participation(ctx)
    return Figures(total=measure(data.total),
                   children={row.unit.pk: measure(row) for row in data.rows if row.unit.pk != ctx.unit.pk},
                   source=_("近 %(d)d 天") % {"d": stats.ACTIVE_DAYS[1]}, url=_url(ctx))


def _rate(p: stats.Participation) -> Measure:
    return Measure(None if p.rate_30 is None else p.rate_30 * 100, n=p.headcount)


def _accuracy(p: stats.Participation) -> Measure:
    return Measure(None if p.accuracy is None else p.accuracy * 100, n=p.answers, enough=p.answers >= MIN_ANSWERS)


register(Kpi(
    code="learning.participation", name=_("学习参与率"), module=_("学习"), unit="%", order=30,
    measure=lambda ctx: _figures(ctx, _rate),
    help=_("近 30 天至少练习一次的在职人数 ÷ 在职人数。"),
))
register(Kpi(
    code="learning.accuracy", name=_("练习正确率"), module=_("学习"), unit="%", order=31,
    measure=lambda ctx: _figures(ctx, _accuracy),
    help=_("近 30 天练习答对次数 ÷ 作答次数；不足 30 次作答的单位不评判。"),
))


def _outlet_facts(outlets: list, at) -> dict[int, Fact]:
    """Of each outlet's staff: how many practised in the last 30 days, and their accuracy (not judged:
    an outlet has a handful of people)."""
    facts = {}
    participation = stats.outlet_participation([o.pk for o in outlets], at=at)
    for outlet in outlets:
        p = participation[outlet.pk]
        if not p.headcount:
            continue
        value = _("%(a)d / %(n)d 人参与") % {"a": p.active_30, "n": p.headcount}
        note = (_("近 30 天正确率 %(r).1f%%（%(n)d 次作答）") % {"r": p.accuracy * 100, "n": p.answers}
                if p.accuracy is not None else _("近 30 天无人练习"))
        facts[outlet.pk] = Fact(value, note=note, url=f"{reverse('learning_stats:overview')}?"
                                                    f"{urlencode({'unit': outlet.unit.code})}")
    return facts


register_outlet_view(OutletView(code="learning.outlet", name=_("学习"), module=_("学习"), order=30,
                                facts=_outlet_facts))
