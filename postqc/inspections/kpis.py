"""The outlets' 达标率, their facilities (设施配齐率) and the rectification on the cockpit (dashboard.registry),
and each outlet's latest 抽查, facilities and open findings on its page (dashboard.outlets)."""
from urllib.parse import urlencode

from django.db.models import Count, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from postqc.dashboard.outlets import Fact as OutletFact
from postqc.dashboard.outlets import OutletView, register_outlet_view
from postqc.dashboard.registry import Context, Figures, Kpi, Measure, register
from postqc.org.models import Outlet

from . import facilities
from .models import Finding, Inspection
from .selectors import Compliance, OnTime, compliance_by_child, latest_of_year, on_time_by_child


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


# --- The outlet's page and the cockpit's outlet table (dashboard.outlets) ---------------------------------


def _spot_facts(outlets: list, at) -> dict[int, OutletFact]:
    """The latest 抽查 of the year of each outlet (one query), or 本年度未抽查."""
    year = timezone.localtime(at).year
    counted = (Outlet.objects.filter(pk__in=[o.pk for o in outlets])
               .annotate(counted=Subquery(latest_of_year(Inspection.Kind.SPOT, year))).values("counted"))
    found = {i.outlet_id: i for i in Inspection.objects.filter(pk__in=counted)}
    facts = {}
    for outlet in outlets:
        inspection = found.get(outlet.pk)
        if inspection is None:
            facts[outlet.pk] = OutletFact(_("本年度未抽查"), note=_("%(y)d 年") % {"y": year})
            continue
        facts[outlet.pk] = OutletFact(
            (_("达标") if inspection.passed else _("不达标")) + f" · {inspection.rate}%",
            status=OutletFact.MET if inspection.passed else OutletFact.MISSED,
            note=_("%(d)s 抽查，否决项不合格 %(c)d 项") % {"d": f"{inspection.inspected_on:%Y-%m-%d}",
                                                     "c": inspection.critical_failed},
            url=reverse("inspections:inspection_detail", args=[inspection.code]))
    return facts


def _finding_facts(outlets: list, at) -> dict[int, OutletFact]:
    """Each outlet's findings not yet closed, and how many are past their deadline (one query)."""
    today = timezone.localtime(at).date()
    counts = {row["outlet_id"]: row for row in (
        Finding.objects.filter(outlet_id__in=[o.pk for o in outlets]).exclude(status=Finding.Status.CLOSED)
        .order_by().values("outlet_id").annotate(n=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=today))))}
    facts = {}
    for outlet in outlets:
        row = counts.get(outlet.pk)
        url = f"{reverse('inspections:finding_list')}?{urlencode({'status': 'unclosed', 'outlet': outlet.code})}"
        if row is None:
            facts[outlet.pk] = OutletFact(_("无未销号事项"), url=url)
        else:
            facts[outlet.pk] = OutletFact(
                ngettext("未销号 %(n)d 项", "未销号 %(n)d 项", row["n"]) % {"n": row["n"]},
                status=OutletFact.MISSED if row["overdue"] else "",
                note=(_("其中逾期 %(n)d 项") % {"n": row["overdue"]}) if row["overdue"] else _("均在整改期限内"),
                url=url)
    return facts


register_outlet_view(OutletView(code="inspections.spot", name=_("最近抽查"), module=_("网点达标"), order=20,
                                facts=_spot_facts))
register_outlet_view(OutletView(code="inspections.findings", name=_("整改"), module=_("整改问责"), order=25,
                                facts=_finding_facts))


# --- 设施设备 (facilities.py) ---------------------------------------------------------------------------


def _facility_measure(p) -> Measure:
    return Measure(p.rate, n=p.required)


def _facilities(ctx: Context) -> Figures:
    total, children = facilities.pairs_by_child(ctx.unit)
    return Figures(total=_facility_measure(total), children={pk: _facility_measure(p) for pk, p in children.items()},
                   source=_("必配设施 %(e)d / %(r)d 项在用") % {"e": total.equipped, "r": total.required},
                   url=f"{reverse('inspections:facilities')}?{urlencode({'unit': ctx.unit.code})}")


register(Kpi(
    code="inspections.facilities", name=_("设施配齐率"), module=_("网点达标"), unit="%", order=21,
    measure=_facilities,
    help=_("营业中的网点按等级须配备的设施（网点 × 设施）中，已配备且状态正常的比例。"),
))


def _facility_facts(outlets: list, at) -> dict[int, OutletFact]:
    """Each outlet's facilities against its grade's 配备标准 (one query, and one for the kinds)."""
    kinds_ = facilities.kinds()
    if not kinds_:
        return {}
    facts = {}
    for outlet_id, state in facilities.outlet_states(outlets, kinds_).items():
        url = reverse("inspections:facility_outlet", args=[state.outlet.code])
        if state.complete:
            facts[outlet_id] = OutletFact(_("配齐"), status=OutletFact.MET, url=url,
                                          note=_("必配设施均在用、无故障"))
            continue
        parts = []
        if state.missing:
            parts.append(_("缺配：%(k)s") % {"k": "、".join(k.name for k in state.missing)})
        if state.faulty:
            parts.append(_("故障：%(k)s") % {"k": "、".join(k.name for k in state.faulty)})
        value = (ngettext("缺 %(n)d 项", "缺 %(n)d 项", len(state.missing)) % {"n": len(state.missing)}
                 if state.missing else ngettext("故障 %(n)d 项", "故障 %(n)d 项", len(state.faulty)) % {"n": len(state.faulty)})
        facts[outlet_id] = OutletFact(value, status=OutletFact.MISSED, note="；".join(parts), url=url)
    return facts


register_outlet_view(OutletView(code="inspections.facilities", name=_("设施设备"), module=_("网点达标"), order=22,
                                facts=_facility_facts))
