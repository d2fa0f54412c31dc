"""The satisfaction index on the cockpit (dashboard.registry): the latest survey's index for the unit
and its children, against the survey's plan target unless a unit set its own; and each outlet's own
figure on its page (dashboard.outlets)."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from postqc.dashboard.outlets import Fact, OutletView, register_outlet_view
from postqc.dashboard.registry import Context, Figures, Kpi, Measure, register

from . import index


def _measure(row: index.Row) -> Measure:
    estimate = row.overall
    return Measure(estimate.value, n=row.n, low=estimate.low, high=estimate.high, enough=row.ranked)


def _index(ctx: Context) -> Figures:
    survey = index.latest_survey_for(ctx.unit)
    if survey is None:
        return Figures(total=Measure(None), source=_("暂无调查"))
    whole, children = index.by_children(survey, ctx.unit)
    source = f"{survey.title}（{survey.get_status_display()}）"
    return Figures(total=_measure(whole), children={pk: _measure(row) for pk, row in children.items()},
                   source=source, default_target=survey.target_index,
                   url=reverse("surveys_manage:report", args=[survey.code]))


register(Kpi(
    code="surveys.index", name=_("满意度指数"), module=_("满意度"), unit=_("分"), order=10, decimals=2,
    measure=_index,
    help=_("最近一次满意度调查的百分制指数（有效样本，95% 区间）；样本不足 30 份的单位不评判；目标默认为调查的规划目标。"),
))


def _outlet_facts(outlets: list, at) -> dict[int, Fact]:
    """Each outlet's own index in the latest survey with responses from any of them; judged against
    the plan target only from MIN_RANKED_N responses (fewer: 样本不足)."""
    survey = index.latest_survey_of_outlets([o.pk for o in outlets])
    if survey is None:
        return {}
    rows = index.by_outlet(survey, [o.pk for o in outlets])
    target = float(survey.target_index) if survey.target_index is not None else None
    url = reverse("surveys_manage:report", args=[survey.code])
    facts = {}
    for outlet in outlets:
        row = rows.get(outlet.pk)
        if row is None or row.overall.value is None:
            facts[outlet.pk] = Fact(_("无有效样本"), note=survey.title, url=url)
            continue
        status = ""
        if row.ranked and target is not None:
            status = Fact.MET if row.overall.value >= target else Fact.MISSED
        note = _("n = %(n)d，%(s)s") % {"n": row.n, "s": survey.title}
        if not row.ranked:
            note = _("样本不足（n = %(n)d），%(s)s") % {"n": row.n, "s": survey.title}
        facts[outlet.pk] = Fact(_("%(v).2f 分") % {"v": row.overall.value}, status=status, note=note, url=url)
    return facts


register_outlet_view(OutletView(code="surveys.index", name=_("满意度"), module=_("满意度"), order=10,
                                facts=_outlet_facts))
