"""The demo's cockpit targets (驾驶舱指标目标) for the current year: the city's, set by its leader, and
蛟河's own, stricter learning target, set by its quality manager (so the cockpit shows a county
following the city on some KPIs and its own target on another). The satisfaction index has no
target set: it follows the survey's plan target.

Needs the org demo (units JLS, JLS-JH; staff 22020005, 22020006).
"""
from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.org.models import Staff, Unit, UnitClosure

from .models import Target
from .targets import targets_set

ROOT_CODE = "JLS"
CITY_TARGETS = {"inspections.compliance": Decimal("100"), "inspections.facilities": Decimal("100"),
                "inspections.rectification": Decimal("95"),
                "learning.participation": Decimal("40"),
                "learning.accuracy": Decimal("80"), "contests.participation": Decimal("60"),
                # 确保投递100%达到规定的投递时限、频次和深度要求 (the seed article)
                "delivery.frequency": Decimal("100"), "delivery.depth": Decimal("100"),
                "delivery.time_limit": Decimal("100"), "tracking.on_time": Decimal("95"),
                "stations.open_rate": Decimal("100")}
COUNTY_CODE, COUNTY_TARGETS = "JLS-JH", {"learning.participation": Decimal("45")}
CITY_SETTER, COUNTY_SETTER = "22020006", "22020005"  # 孙东明 (领导), 赵宏伟 (蛟河 质量管理员)


def _demo_targets():
    return Target.objects.filter(unit__in=UnitClosure.objects.filter(ancestor__code=ROOT_CODE).values("descendant_id"))


def load(*, stdout, seed: int) -> None:
    year = timezone.localdate().year
    if _demo_targets().filter(year=year).exists():
        stdout.write(_("驾驶舱：%(y)d 年度目标已存在，未重复加载。") % {"y": year} + "\n")
        return
    city, county = Unit.objects.get(code=ROOT_CODE), Unit.objects.get(code=COUNTY_CODE)
    targets_set(actor=Staff.objects.get(employee_no=CITY_SETTER), unit=city, year=year, values=CITY_TARGETS,
                note=_("年度工作会议确定"))
    targets_set(actor=Staff.objects.get(employee_no=COUNTY_SETTER), unit=county, year=year, values=COUNTY_TARGETS,
                note=_("县分公司自加压力"))
    stdout.write(_("驾驶舱：%(y)d 年度目标 %(n)d 项（市分公司 %(c)d 项，蛟河 %(j)d 项）。") % {
        "y": year, "n": len(CITY_TARGETS) + len(COUNTY_TARGETS), "c": len(CITY_TARGETS), "j": len(COUNTY_TARGETS)}
        + "\n")


def reset(*, stdout) -> None:
    _demo_targets().delete()
    stdout.write(_("驾驶舱：已删除演示目标。") + "\n")
