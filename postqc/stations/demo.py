"""The demo's 邮驿站: 24 stations at outlets of the demo city, and a year of their usage log.

The seed article says the city built "多个邮驿站" at its outlets; the demo puts one at the main
outlet of each district and county (9), one at 磐石市东宁街营业所 (the article's: the sanitation
worker 鞠桂荣 comes in to warm up and drink hot water, and shovels the snow in return), and 14 more
at outlets in the city districts and the county towns, none in a village. Hours follow the outlet's
open days, opening half an hour before the counter for the early shift of sanitation workers and
shorter at weekends. Every station has hot water, seats, phone charging and heating; the bigger
ones more. One is suspended for renovation, two have reported an amenity out of order / out of
stock. The usage log runs from the first day of the month eleven months back to yesterday (a
whole winter), one entry per station, day and group that came, more in winter (November to March) and more in the city; at
东宁街 the sanitation workers' winter entries carry 鞠桂荣's story, logged by the head of the
outlet, 刘颖.

Needs the org demo (outlets and their staff).
"""
from __future__ import annotations

import datetime as dt
import math
import random

from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.org.models import Outlet, Staff, StaffRole, Unit, UnitClosure
from postqc.org.roles import Role

from .models import Amenity, AmenityCheck, Group, Station, StationStatusChange, Visit
from .services import amenity_check, station_create, station_set_status

ROOT_CODE = "JLS"
AUTHOR = "22020004"  # 王丽娟, the city's quality manager, registers the stations
DNJ_OUTLET = ("JLS-PS-DNJ", "东宁街营业所")
DNJ_HEAD = "22020003"  # 刘颖, 所长 of 东宁街营业所
STATIONS = 24
MONTHS = 12
JU_NOTE = "环卫工鞠桂荣和工友进站取暖、喝热水，帮忙清扫了门前积雪"
WINTER = {11, 12, 1, 2, 3}
# Mean people a day per group at a city station in summer; towns have about half.
RATE = {Group.SANITATION: 1.6, Group.RIDER: 1.8, Group.DRIVER: 0.6, Group.POLICE: 0.3, Group.ELDERLY: 1.0,
        Group.PARENTS: 0.3, Group.PUBLIC: 0.8}
EXTRA_AMENITIES = [(Amenity.TOILET, 0.6), (Amenity.FIRST_AID, 0.8), (Amenity.UMBRELLA, 0.7),
                   (Amenity.READING_GLASSES, 0.8), (Amenity.WIFI, 0.6), (Amenity.MICROWAVE, 0.5),
                   (Amenity.PUMP, 0.35), (Amenity.MEDICINE, 0.5)]
OTHER_NOTES = ["针线包", "爱心冰箱", "饮水机、一次性水杯", "护手霜、创可贴"]


def _demo_stations():
    return Station.objects.filter(unit_id__in=UnitClosure.objects.filter(ancestor__code=ROOT_CODE)
                                  .values("descendant_id"))


def load(*, stdout, seed: int) -> None:
    if _demo_stations().exists():
        stdout.write(_("邮驿站：演示数据已存在，未重复加载。") + "\n")
        return
    author = Staff.objects.filter(employee_no=AUTHOR).first()
    if author is None or not Unit.objects.filter(code=ROOT_CODE).exists():
        raise RuntimeError(f"The stations demo needs the org demo (unit {ROOT_CODE}, staff {AUTHOR}).")
    rng = random.Random(seed * 31 + 8)
    outlets = _pick_outlets(rng)
    stations = [_station(rng, outlet, author) for outlet in outlets]
    founded = [dt.datetime(2018, rng.randint(3, 11), rng.randint(1, 28), 9, 30, tzinfo=timezone.get_default_timezone())
               for _s in stations]
    for station, at in zip(stations, founded, strict=True):
        StationStatusChange.objects.filter(station=station).update(at=at)
    loggers = _loggers(outlets)
    today = timezone.localdate()
    _problems(rng, stations, loggers, today)
    visits = _visits(rng, stations, loggers, today)
    stdout.write(_("邮驿站：%(s)d 个站点，%(v)d 条服务台账（%(p)d 人次）。") % {
        "s": len(stations), "v": len(visits), "p": sum(v.count for v in visits)} + "\n")


def reset(*, stdout) -> None:
    stations = _demo_stations()
    Visit.objects.filter(station__in=stations).delete()
    AmenityCheck.objects.filter(station__in=stations).delete()
    StationStatusChange.objects.filter(station__in=stations).delete()
    stations.delete()
    stdout.write(_("邮驿站：已删除演示数据。") + "\n")


def _pick_outlets(rng: random.Random) -> list[Outlet]:
    """The main outlet of each district and county, 东宁街营业所, and more self-run city and town outlets."""
    pool = list(Outlet.objects.filter(unit__code__startswith=f"{ROOT_CODE}-", status=Outlet.Status.OPEN)
                .select_related("unit").order_by("code"))
    main = [o for o in pool if o.code.endswith("-W01")]
    dnj = next(o for o in pool if (o.unit.code, o.name) == DNJ_OUTLET)
    chosen = main + [dnj]
    rest = [o for o in pool if o not in chosen and o.operation == Outlet.Operation.SELF
            and o.area_type in (Outlet.AreaType.CITY, Outlet.AreaType.TOWNSHIP)]
    weights = [3 if o.area_type == Outlet.AreaType.CITY else 1 for o in rest]
    while len(chosen) < STATIONS:
        pick = rng.choices(rest, weights)[0]
        index = rest.index(pick)
        rest.pop(index)
        weights.pop(index)
        chosen.append(pick)
    return sorted(chosen, key=lambda o: o.code)


def _station(rng: random.Random, outlet: Outlet, author) -> Station:
    opens = outlet.opens_at or dt.time(8, 30)
    closes = outlet.closes_at or dt.time(17, 0)
    early = (dt.datetime.combine(dt.date.today(), opens) - dt.timedelta(minutes=30)).time()
    weekday = f"{early:%H:%M}-{closes:%H:%M}"
    days = outlet.open_days_per_week or 5
    hours = {str(d): [weekday.split("-")] for d in range(1, min(days, 5) + 1)}
    if days >= 6:
        hours["6"] = [["09:00", "16:00"]]
    if days >= 7:
        hours["7"] = [["09:00", "15:00"]]
    main = outlet.code.endswith("-W01")
    amenities = [Amenity.HOT_WATER, Amenity.SEATING, Amenity.CHARGING, Amenity.CLIMATE]
    amenities += [a for a, p in EXTRA_AMENITIES if rng.random() < (min(1.0, p + 0.3) if main else p)]
    note = ""
    if rng.random() < 0.3:
        amenities.append(Amenity.OTHER)
        note = rng.choice(OTHER_NOTES)
    groups = [g for g in Group.values if g != Group.POLICE or outlet.area_type == Outlet.AreaType.CITY]
    suffix = outlet.code.removeprefix(f"{ROOT_CODE}-")
    return station_create(actor=author, code=f"YZ-{suffix}", name=f"{outlet.name}邮驿站",
                          unit=None, outlet=outlet, address="", latitude=None, longitude=None, phone="",
                          hours=hours, amenities=amenities, amenity_note=note, groups=groups)


def _loggers(outlets: list[Outlet]) -> dict[int, list[Staff]]:
    """outlet id → the people who log its visits: its clerks and the head of its branch (刘颖 at 东宁街)."""
    unit_ids = {o.unit_id for o in outlets}
    heads = {s.unit_id: s for s in Staff.objects.filter(
        unit_id__in=unit_ids, pk__in=StaffRole.objects.filter(role=Role.BRANCH_HEAD).values("staff_id"))
        .order_by("employee_no")}
    clerks: dict[int, list[Staff]] = {}
    for s in Staff.objects.filter(outlet__in=outlets, pk__in=StaffRole.objects.filter(role=Role.CLERK)
                                  .values("staff_id")).order_by("employee_no"):
        clerks.setdefault(s.outlet_id, []).append(s)
    out = {}
    for o in outlets:
        people = [p for p in (heads.get(o.unit_id),) if p] + clerks.get(o.pk, [])
        out[o.pk] = people
    return out


def _problems(rng: random.Random, stations: list[Station], loggers: dict[int, list[Staff]], today: dt.date) -> None:
    """One station suspended for renovation, two with an amenity reported out of order / out of stock."""
    by_code = sorted(stations, key=lambda s: s.code)
    dnj = next(s for s in by_code if s.outlet.unit.code == DNJ_OUTLET[0])
    candidates = [s for s in by_code if s is not dnj and not s.outlet.code.endswith("-W01")]
    suspended, *broken = rng.sample(candidates, 3)
    station_set_status(station=suspended, status=Station.Status.SUSPENDED,
                       reason=_("营业厅装修，暂停开放，预计下月恢复"), actor=Staff.objects.get(employee_no=AUTHOR))
    suspended.refresh_from_db()
    for station, (amenity, state, note) in zip(broken, (
            (Amenity.HOT_WATER, AmenityCheck.State.OUT_OF_ORDER, "电热水器不加热，已报修"),
            (Amenity.CHARGING, AmenityCheck.State.OUT_OF_STOCK, "充电线丢失，待补充")), strict=True):
        amenity_check(station=station, amenity=amenity, state=state, note=note,
                      actor=loggers[station.outlet_id][0])
    stations[stations.index(suspended)] = suspended


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: small means only."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _visits(rng: random.Random, stations: list[Station], loggers: dict[int, list[Staff]], today: dt.date) -> list[Visit]:
    index = today.year * 12 + today.month - 1 - (MONTHS - 1)
    first = dt.date(index // 12, index % 12 + 1, 1)
    head = Staff.objects.get(employee_no=DNJ_HEAD)
    rows: list[Visit] = []
    for station in stations:
        city = station.outlet.area_type == Outlet.AreaType.CITY
        people = loggers[station.outlet_id]
        is_dnj = station.outlet.unit.code == DNJ_OUTLET[0]
        day = first
        while day < today:
            if station.hours.get(str(day.isoweekday())) and not (
                    station.status == Station.Status.SUSPENDED and day >= today - dt.timedelta(days=12)):
                winter = day.month in WINTER
                for group in station.groups:
                    mean = RATE[group] * (1.0 if city else 0.5) * (1.9 if winter else 1.0)
                    if group == Group.SANITATION and winter:
                        mean *= 1.4  # the early shift in the cold comes in to warm up
                    count = _poisson(rng, mean)
                    if not count:
                        continue
                    used = [Amenity.HOT_WATER] if rng.random() < 0.85 else []
                    used += [a for a in (Amenity.SEATING, Amenity.CHARGING) if rng.random() < 0.5]
                    if winter and rng.random() < 0.7:
                        used.append(Amenity.CLIMATE)
                    if Amenity.MICROWAVE in station.amenities and group in (Group.SANITATION, Group.RIDER) \
                            and rng.random() < 0.3:
                        used.append(Amenity.MICROWAVE)
                    note, recorder = "", rng.choice(people)
                    if is_dnj and group == Group.SANITATION and winter and rng.random() < 0.35:
                        note, recorder = JU_NOTE, head
                    rows.append(Visit(station=station, unit_id=station.unit_id, group=group, count=count,
                                      services=[a for a in Amenity.values if a in used], visited_on=day, note=note,
                                      recorded_by=recorder))
            day += dt.timedelta(days=1)
    Visit.objects.bulk_create(rows, batch_size=2000)
    return rows
