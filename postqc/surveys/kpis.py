"""The satisfaction index on the cockpit (dashboard.registry): the latest survey's index for the unit
and its children, against the survey's plan target unless a unit set its own."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
