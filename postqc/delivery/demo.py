"""The demo's 投递质量: segments for the city's delivery departments and township branches, and eight
weeks of delivery runs ending yesterday.

- Segments: the district delivery departments run 40 city segments each, the county-seat ones 20,
  the branch-level ones (哈达湾, 东城, 烟筒山) 12, each with one of their couriers; every township
  branch that delivers itself runs a 镇区 segment (township) and one segment per village outlet
  (village), with its own couriers. 磐石市呼兰支局's 詹立信 runs 和平村 on his 自备公助 tricycle
  (the org demo gives it to him). A courier's vehicle goes with their segment. Every segment is
  in service from the first day of the runs (the day the platform went live), so a year's figures
  count only the weeks the platform has measured.
- Runs: city segments every day (a quarter of the district ones twice a day), township segments
  Monday to Saturday, village segments Monday, Wednesday and Friday; items per run by area; nearly
  every item delivered, nearly all within the time limit.
- The misses, so the pages have something to show: the snowstorm week three weeks back, when the
  village segments of 桦甸市 and 蛟河市 ran only on Monday (below the village rule of 3); a 龙潭
  segment registered as handing over at a shop (代投点), which the depth rule does not accept;
  and 和平村's runs of one week handed over in town while the 村邮站 was being refitted.
- A reclassification, so the figures have terms of the time to read back: the first district town's
  镇区段 (孤店子, 昌邑区) became a city segment on the Monday three weeks back (the town is part of
  the city now): Monday to Saturday before, every day since; its earlier weeks are judged by the
  township rule, the later ones by the city rule, and all of them are met.
- A move, so the figures have units of the time to read back: 昌邑投递部's last segment went to
  哈达湾投递部 (and one of its couriers) on the Monday two weeks back; its runs before count in
  昌邑投递部, those since in 哈达湾投递部.

Every segment's history starts with its creation by the city's quality manager three days before the
first run; the reclassified and the moved one's have the edit too. Deterministic from the seed; written with bulk_create. Needs the org demo.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.org.models import Outlet, Staff, StaffRole, Unit, UnitClosure, Vehicle
from postqc.org.roles import Role

from .models import AreaType, DeliveryRecord, DepthRule, HandoverPoint, Segment, SegmentChange
from .selectors import monday
from .services import as_recorded, created_change, recorded_changes, segment_values

CITY_CODE = "JLS"
WEEKS = 8
SEGMENTS_PER_DELIVERY_UNIT = {"district": 40, "county": 20, "branch": 12}
STORM_COUNTIES = ("JLS-HD", "JLS-JH")  # 桦甸市, 蛟河市
STORM_WEEKS_BACK = 3  # the week that ended three Sundays before yesterday's
SHOP_SEGMENT_UNIT = "JLS-LT-TD"  # 龙潭投递部: one segment handing over at a shop
ZHAN = "22020009"  # 詹立信, 磐石市呼兰支局
ZHAN_VILLAGE = "和平村"
REFIT_WEEKS_BACK = 1  # 和平村's 村邮站 refitted: that week's runs handed over in town
QUALITY = "22020004"  # 王丽娟, sets the demo's city depth rule
RECLASSIFIED_WEEKS_BACK = 3  # a district town's 镇区段 became a city segment on that week's Monday
RECLASSIFIED_NOTE = "镇区纳入城区规划，改按城市段道管理，每天投递"
MOVED_FROM, MOVED_TO = "JLS-CHY-TD", "JLS-CHY-HDW-TD"  # 昌邑投递部's last segment → 哈达湾投递部
MOVED_WEEKS_BACK = 2
MOVED_NOTE = "段道调整：该片区划归哈达湾投递部投递"

ITEMS = {AreaType.CITY: ((80, 200), (10, 60)), AreaType.TOWNSHIP: ((30, 90), (5, 25)),
         AreaType.VILLAGE: ((10, 40), (2, 10))}
CITY_POINTS = ((HandoverPoint.MAILBOX, 70), (HandoverPoint.MAIL_ROOM, 20), (HandoverPoint.DOOR, 10))


def _demo_segments():
    subtree = UnitClosure.objects.filter(ancestor__code=CITY_CODE).values("descendant_id")
    return Segment.objects.filter(unit_id__in=subtree)


def load(*, stdout, seed: int) -> None:
    if _demo_segments().exists():
        stdout.write(_("投递质量：演示段道已存在，未重复加载。") + "\n")
        return
    city = Unit.objects.filter(code=CITY_CODE).first()
    if city is None:
        raise RuntimeError(f"The delivery demo needs the org demo (unit {CITY_CODE}).")
    plan = _Plan(random.Random(seed * 31 + 6), timezone.localdate())
    plan.segments(city)
    plan.plan_move()
    Segment.objects.bulk_create(plan.made)
    quality = Staff.objects.filter(employee_no=QUALITY).first()
    went_live = timezone.make_aware(dt.datetime.combine(plan.first - dt.timedelta(days=3), dt.time(10, 0)))
    SegmentChange.objects.bulk_create(created_change(s, quality, went_live) for s in plan.made)
    records = plan.runs()
    DeliveryRecord.objects.bulk_create(records, batch_size=2000)
    plan.reclassify(quality)
    plan.move(quality)
    DepthRule.objects.create(
        unit=city, area_type=AreaType.VILLAGE, effective_from=dt.date(2025, 1, 1), set_by=quality,
        accepted=[HandoverPoint.DOOR, HandoverPoint.MAIL_ROOM, HandoverPoint.VILLAGE_POINT], tracked_to_door=False,
        note="市分公司：农村段道交接到户、村委会收发室或村邮站；不得在乡镇集中交接或交由商户代收")
    stdout.write(_("投递质量：段道 %(s)d 条（城市 %(c)d、乡镇 %(t)d、农村 %(v)d），近 %(w)d 周投递记录 %(r)d 趟。") % {
        "s": len(plan.made), "c": plan.count(AreaType.CITY), "t": plan.count(AreaType.TOWNSHIP),
        "v": plan.count(AreaType.VILLAGE), "w": WEEKS, "r": len(records)} + "\n")


def reset(*, stdout) -> None:
    segments = _demo_segments()
    DeliveryRecord.objects.filter(segment__in=segments).delete()
    SegmentChange.objects.filter(segment__in=segments).delete()
    segments.delete()
    DepthRule.objects.filter(unit__code=CITY_CODE).delete()
    stdout.write(_("投递质量：已删除演示数据。") + "\n")


@dataclass
class _Segment:
    segment: Segment
    storm: bool = False
    refit: bool = False
    twice: bool = False
    city_from: dt.date | None = None  # a township segment that became a city one on this day
    moved_on: dt.date | None = None  # a segment that went to another unit (moved_to) on this day
    moved_to: tuple[Unit, Staff] | None = None  # its unit and courier from then on

    def area_on(self, day: dt.date) -> str:
        return AreaType.CITY if self.city_from is not None and day >= self.city_from else self.segment.area_type


class _Plan:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.last = today - dt.timedelta(days=1)
        last_sunday = self.last - dt.timedelta(days=(self.last.weekday() + 1) % 7)
        self.first = monday(last_sunday) - dt.timedelta(weeks=WEEKS - 1)  # eight full weeks, then this week so far
        self.storm_week = monday(last_sunday) - dt.timedelta(weeks=STORM_WEEKS_BACK)
        self.refit_week = monday(last_sunday) - dt.timedelta(weeks=REFIT_WEEKS_BACK)
        self.city_from = monday(last_sunday) - dt.timedelta(weeks=RECLASSIFIED_WEEKS_BACK)
        self.moved_on = monday(last_sunday) - dt.timedelta(weeks=MOVED_WEEKS_BACK)
        self.planned: list[_Segment] = []
        self.made: list[Segment] = []

    def count(self, area: str) -> int:
        return sum(s.area_type == area for s in self.made)

    def segments(self, city: Unit) -> None:
        rng = self.rng
        units = {u.pk: u for u in Unit.objects.filter(pk__in=UnitClosure.objects.filter(ancestor=city)
                                                       .values("descendant_id"))}
        couriers: dict[int, list[Staff]] = {}
        for staff in (Staff.objects.filter(unit_id__in=units, is_active=True,
                                           pk__in=StaffRole.objects.filter(role=Role.COURIER).values("staff_id"))
                      .order_by("employee_no")):
            couriers.setdefault(staff.unit_id, []).append(staff)
        vehicles = {v.courier_id: v for v in Vehicle.objects.filter(courier__isnull=False, is_active=True)}
        outlets: dict[int, list[Outlet]] = {}
        for outlet in Outlet.objects.filter(unit_id__in=units).exclude(status=Outlet.Status.CLOSED).order_by("code"):
            outlets.setdefault(outlet.unit_id, []).append(outlet)
        for unit in sorted(units.values(), key=lambda u: u.code):
            people = couriers.get(unit.pk, [])
            if not people:
                continue
            if unit.kind == Unit.Kind.DELIVERY:
                parent = units[unit.parent_id]
                size = SEGMENTS_PER_DELIVERY_UNIT["branch" if parent.kind == Unit.Kind.BRANCH else parent.kind]
                chosen = sorted(rng.sample(people, min(size, len(people))), key=lambda p: p.employee_no)
                shop = unit.code == SHOP_SEGMENT_UNIT
                for n, person in enumerate(chosen, start=1):
                    point = rng.choices(*zip(*CITY_POINTS))[0]
                    if shop and n == 7:
                        point = HandoverPoint.AGENT
                    self.add(unit, n, f"{unit.name.removesuffix('投递部')}第{n}段", AreaType.CITY, person, vehicles,
                             point, twice=parent.kind == Unit.Kind.DISTRICT and rng.random() < 0.25)
            elif unit.kind == Unit.Kind.BRANCH:
                town = unit.name.removesuffix("支局").removesuffix("营业所")
                villages = [o for o in outlets.get(unit.pk, []) if o.area_type == Outlet.AreaType.VILLAGE]
                zhan = next((p for p in people if p.employee_no == ZHAN), None)
                pool = [p for p in people if p is not zhan]
                urban = units[unit.parent_id].kind == Unit.Kind.DISTRICT and not any(p.city_from for p in self.planned)
                self.add(unit, 1, f"{town}镇区段", AreaType.TOWNSHIP, pool[0], vehicles,
                         rng.choice((HandoverPoint.TOWNSHIP_POINT, HandoverPoint.MAILBOX)),
                         city_from=self.city_from if urban else None)
                for n, outlet in enumerate(villages, start=2):
                    village = outlet.name.split("邮政")[0]
                    person = zhan if zhan is not None and village == ZHAN_VILLAGE else pool[(n - 1) % len(pool)]
                    in_storm = unit.code.rsplit("-", 1)[0] in STORM_COUNTIES
                    self.add(unit, n, f"{village}段", AreaType.VILLAGE, person, vehicles, HandoverPoint.VILLAGE_POINT,
                             storm=in_storm, refit=person is zhan)

    def add(self, unit: Unit, n: int, name: str, area: str, courier: Staff, vehicles: dict, point: str, *,
            twice: bool = False, storm: bool = False, refit: bool = False, city_from: dt.date | None = None) -> None:
        per_week = {AreaType.CITY: 14 if twice else 7, AreaType.TOWNSHIP: 6, AreaType.VILLAGE: 3}[area]
        households = {AreaType.CITY: (900, 2600), AreaType.TOWNSHIP: (400, 1500), AreaType.VILLAGE: (120, 600)}[area]
        segment = Segment(code=f"{unit.code}-D{n:03d}", name=name, unit=unit, area_type=area, courier=courier,
                          vehicle=vehicles.get(courier.pk), handover_point=point, planned_per_week=per_week,
                          households=self.rng.randint(*households),
                          in_service_from=self.first)
        self.made.append(segment)
        self.planned.append(_Segment(segment, storm=storm, refit=refit, twice=twice, city_from=city_from))

    def plan_move(self) -> None:
        """The moved segment: 昌邑投递部's last, to 哈达湾投递部 and the first of its couriers without a
        segment of their own (no draw from the seed, so everything else stays as it was)."""
        source = [p for p in self.planned if p.segment.unit.code == MOVED_FROM]
        target = Unit.objects.filter(code=MOVED_TO).first()
        if not source or target is None:
            return
        busy = {s.courier_id for s in self.made}
        couriers = list(Staff.objects.filter(unit=target, is_active=True, role_links__role=Role.COURIER)
                        .order_by("employee_no"))
        free = [c for c in couriers if c.pk not in busy] or couriers
        if free:
            source[-1].moved_on, source[-1].moved_to = self.moved_on, (target, free[0])

    def runs(self) -> list[DeliveryRecord]:
        rng = self.rng
        out = []
        days = [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]
        for planned in self.planned:
            s = planned.segment
            for day in days:
                week = monday(day)
                area = planned.area_on(day)
                if area == AreaType.TOWNSHIP and day.weekday() == 6:
                    continue
                if area == AreaType.VILLAGE and day.weekday() not in (0, 2, 4):
                    continue
                if planned.storm and week == self.storm_week and day.weekday() != 0:
                    continue  # roads to the villages closed after Monday
                for run in range(1, 3 if planned.twice else 2):
                    point = s.handover_point
                    note = ""
                    if planned.refit and week == self.refit_week:
                        point, note = HandoverPoint.TOWNSHIP_POINT, "村邮站装修，在镇上集中交接"
                    (lo, hi), (tlo, thi) = ITEMS[area]
                    ordinary, tracked = rng.randint(lo, hi), rng.randint(tlo, thi)
                    missed = rng.choices((0, 1, 2, 3), (80, 12, 5, 3))[0]
                    delivered = ordinary + tracked - missed
                    late = rng.choices((0, 1, 2), (998, 1, 1))[0]
                    if missed and not note:
                        note = f"{missed} 件收件人不在，已留通知单"
                    recorded = timezone.make_aware(dt.datetime.combine(day, dt.time(16 + run, rng.randint(0, 59))))
                    unit, courier = s.unit, s.courier
                    if planned.moved_on is not None and day >= planned.moved_on:
                        unit, courier = planned.moved_to
                    out.append(DeliveryRecord(
                        segment=s, unit_id=unit.pk, delivered_on=day, week_of=week, run_no=run, courier=courier,
                        ordinary=ordinary, tracked=tracked, delivered=delivered, on_time=delivered - late,
                        handover_point=point, note=note,
                        source=DeliveryRecord.Source.PHONE if rng.random() < 0.7 else DeliveryRecord.Source.IMPORT,
                        recorded_by=courier, recorded_at=recorded))
        return out

    def reclassify(self, quality: Staff | None) -> None:
        """The reclassified segment becomes a city one, with the edit in its history (recorded as
        segment_save records it, dated 08:30 on the day), so the weeks from that one on are judged
        as a city's."""
        for planned in self.planned:
            if planned.city_from is None:
                continue
            s = planned.segment
            before = as_recorded(segment_values(s))
            s.area_type, s.planned_per_week = AreaType.CITY, 7
            s.save(update_fields=["area_type", "planned_per_week", "updated_at"])
            SegmentChange.objects.create(
                segment=s, kind=SegmentChange.Kind.EDITED, changed_by=quality,
                changed_at=timezone.make_aware(dt.datetime.combine(planned.city_from, dt.time(8, 30))),
                changes=recorded_changes(before, s), note=RECLASSIFIED_NOTE)

    def move(self, quality: Staff | None) -> None:
        """The moved segment goes to its new unit and courier (vehicle with the courier), with the edit
        in its history as segment_save records it, dated 08:30 on the day."""
        for planned in self.planned:
            if planned.moved_on is None:
                continue
            s = planned.segment
            before = as_recorded(segment_values(s))
            s.unit, s.courier = planned.moved_to
            s.vehicle = Vehicle.objects.filter(courier=s.courier, is_active=True).first()
            s.save(update_fields=["unit", "courier", "vehicle", "updated_at"])
            SegmentChange.objects.create(
                segment=s, kind=SegmentChange.Kind.EDITED, changed_by=quality,
                changed_at=timezone.make_aware(dt.datetime.combine(planned.moved_on, dt.time(8, 30))),
                changes=recorded_changes(before, s), note=MOVED_NOTE)
