"""The competitions' figure on the cockpit (dashboard.registry): how many of the people who may take
the latest competition did take it; and the same of an outlet's own staff on its page
(dashboard.outlets)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postqc.dashboard.outlets import Fact, OutletView, register_outlet_view
from postqc.dashboard.registry import Context, Figures, Kpi, Measure, register
from postqc.org.models import Unit, UnitClosure

from .audience import eligible_staff
from .models import BoardEntry, Exam


def latest_competition(unit: Unit, at) -> Exam | None:
    """The 竞赛 whose turnout the cockpit shows for `unit`: of the published or archived ones organised
    by `unit` or a unit above it (so their audience may cover all of `unit`), the one that closed last
    in `at`'s year by `at` — its turnout is final; if none has, the one open now (its turnout so far)."""
    above = UnitClosure.objects.filter(descendant=unit).values("ancestor_id")
    held = Exam.objects.filter(kind=Exam.Kind.CONTEST, unit_id__in=above,
                               status__in=[Exam.Status.PUBLISHED, Exam.Status.ARCHIVED])
    new_year = timezone.localtime(at).replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    closed = held.filter(closes_at__gte=new_year, closes_at__lte=at).order_by("-closes_at", "-pk").first()
    if closed is not None:
        return closed
    return (held.filter(Q(opens_at__isnull=True) | Q(opens_at__lte=at))
            .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=at)).order_by("-opens_at", "-pk").first())


@dataclass
class Turnout:
    eligible: int = 0
    took: int = 0

    def measure(self, settled: bool = True) -> Measure:
        return Measure(self.took * 100 / self.eligible if self.eligible else None, n=self.eligible, settled=settled)


def turnout_by_child(exam: Exam, unit: Unit) -> tuple[Turnout, dict[int, Turnout]]:
    """Of the people who may take `exam` in `unit`'s subtree: how many have a counted result, in total
    and per child of `unit` (each with its subtree). Two queries."""
    subtree = UnitClosure.objects.filter(ancestor=unit).values("descendant_id")
    took = BoardEntry.objects.filter(exam=exam, staff_id=OuterRef("pk"))
    per_unit = (eligible_staff(exam).filter(unit_id__in=subtree).annotate(took=Exists(took)).order_by()
                .values("unit_id").annotate(eligible=Count("pk"), took=Count("pk", filter=Q(took=True))))
    per_unit = list(per_unit)
    child_of = dict(UnitClosure.objects.filter(ancestor__parent=unit, descendant_id__in=[r["unit_id"] for r in per_unit])
                    .values_list("descendant_id", "ancestor_id"))
    total, children = Turnout(), {}
    for row in per_unit:
        targets = [total]
        if row["unit_id"] in child_of:
            targets.append(children.setdefault(child_of[row["unit_id"]], Turnout()))
        for t in targets:
            t.eligible += row["eligible"]
            t.took += row["took"]
    return total, children


def turnout_by_outlet(exam: Exam, outlet_ids: list[int]) -> dict[int, Turnout]:
    """Of the people who may take `exam` working at each outlet (Staff.outlet): how many have a counted
    result, by outlet id (outlets with nobody eligible left out). One query."""
    took = BoardEntry.objects.filter(exam=exam, staff_id=OuterRef("pk"))
    rows = (eligible_staff(exam).filter(outlet_id__in=outlet_ids).annotate(took=Exists(took)).order_by()
            .values("outlet_id").annotate(eligible=Count("pk"), took=Count("pk", filter=Q(took=True))))
    return {row["outlet_id"]: Turnout(eligible=row["eligible"], took=row["took"]) for row in rows}


def _is_settled(exam: Exam, at) -> bool:
    return exam.closes_at is not None and exam.closes_at <= at  # an open one's turnout can still grow


def _participation(ctx: Context) -> Figures:
    exam = latest_competition(ctx.unit, ctx.at)
    if exam is None:
        return Figures(total=Measure(None), source=_("暂无竞赛"))
    total, children = turnout_by_child(exam, ctx.unit)
    settled = _is_settled(exam, ctx.at)
    source = exam.title if settled else _("%(title)s（进行中，截至目前）") % {"title": exam.title}
    return Figures(total=total.measure(settled), children={pk: t.measure(settled) for pk, t in children.items()},
                   source=source, url=reverse("contests_manage:competition_results", args=[exam.code]))


register(Kpi(
    code="contests.participation", name=_("竞赛参与率"), module=_("竞赛"), unit="%", order=40,
    measure=_participation,
    help=_("本年度最近结束的一场本单位或上级举办的竞赛（都未结束时为进行中的一场，结束前不与目标比较）：有成绩的人数 ÷ "
           "可参赛人数（确认作弊者不计）。"),
))


def _outlet_facts(outlets: list, at) -> dict[int, Fact]:
    """Of each outlet's staff who may take the competition the cockpit shows for the outlet's unit
    (`latest_competition`): how many have a counted result. Two queries per unit the outlets are
    attached to (the cockpit's table and the outlet's page show one unit's outlets). Not judged
    against the target: an outlet has a handful of people."""
    by_unit = defaultdict(list)
    for outlet in outlets:
        by_unit[outlet.unit_id].append(outlet)
    facts = {}
    for attached in by_unit.values():
        unit = attached[0].unit
        exam = latest_competition(unit, at)
        if exam is None:
            continue
        turnout = turnout_by_outlet(exam, [o.pk for o in attached])
        note = exam.title if _is_settled(exam, at) else _("%(title)s（进行中）") % {"title": exam.title}
        url = (f"{reverse('contests_manage:competition_results', args=[exam.code])}?"
               f"{urlencode({'unit': unit.code})}")
        for outlet in attached:
            t = turnout.get(outlet.pk)
            if t is None:
                continue
            facts[outlet.pk] = Fact(_("%(a)d / %(n)d 人参赛") % {"a": t.took, "n": t.eligible}, note=note, url=url)
    return facts


register_outlet_view(OutletView(code="contests.outlet", name=_("竞赛"), module=_("竞赛"), order=35,
                                facts=_outlet_facts))
