"""The demo organisation: 吉林市分公司 under 吉林省分公司, its 4 districts and 5 county-level units,
143 universal-service outlets, about 2,000 staff in every role, and the couriers' vehicles.

Built in memory from org/demo_data.py and random.Random(seed), then written with bulk inserts
(units_bulk_create, bulk_create) and one password hash shared by every demo account, so it
loads in seconds. The 2018 and 2021 grade changes go through outlet_change_grade.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from postqc.core.demo import DEMO_PASSWORD, DemoLogin

from . import demo_data as data
from .models import Outlet, OutletGradeChange, Staff, StaffRole, Unit, UnitClosure, Vehicle
from .roles import Capability, Role, roles_grant
from .services import outlet_change_grade, units_bulk_create

ROOT_CODE = "JL"
CITY_CODE = "JLS"

A, G, K, S = Outlet.AreaType, Outlet.Grade, Unit.Kind, Outlet.Service
UNIVERSAL = (S.LETTERS, S.PRINTED, S.PARCELS, S.REMITTANCE)
SPECIAL = (S.CONFIDENTIAL, S.CONSCRIPT_MAIL, S.BLIND_READING, S.MARTYR_BELONGINGS)
# Founding grade by (district or county, area type): weights of 一级 / 二级 / 三级.
GRADE_WEIGHTS = {
    (K.DISTRICT, A.CITY): (35, 65, 0),
    (K.DISTRICT, A.TOWNSHIP): (0, 50, 50),
    (K.COUNTY, A.CITY): (20, 80, 0),
    (K.COUNTY, A.TOWNSHIP): (0, 40, 60),
}
HOURS = {A.CITY: ((8, 30), (17, 0)), A.TOWNSHIP: ((8, 30), (16, 30)), A.VILLAGE: ((9, 0), (15, 30))}
MAIN_HOURS = ((8, 0), (17, 30))
SURNAMES, SURNAME_WEIGHTS = zip(*data.SURNAMES)
# Share of people in each role carrying a woman's name.
FEMALE_SHARE = {Role.CLERK: 0.75, Role.COURIER: 0.2, Role.OFFICE: 0.55, Role.BRANCH_HEAD: 0.45, Role.QUALITY: 0.6,
                Role.LEADER: 0.25, Role.SYSADMIN: 0.3}


def is_loaded() -> bool:
    return Unit.objects.filter(code=CITY_CODE).exists()


def load(*, stdout, seed: int) -> None:
    """Create the demo organisation unless unit JLS exists already."""
    if is_loaded():
        stdout.write(_("组织：演示数据已存在（单位 %(code)s），未重复加载。") % {"code": CITY_CODE} + "\n")
        return
    city = _City(random.Random(seed))
    city.plan()
    city.save()
    stdout.write(
        _("组织：%(units)d 个单位，%(outlets)d 个普服网点，%(staff)d 名员工，%(vehicles)d 辆车。")
        % {"units": len(city.units), "outlets": len(city.outlets), "staff": len(city.people),
           "vehicles": len(city.vehicles)} + "\n"
    )


def reset(*, stdout) -> None:
    """Delete the demo organisation: unit JL and everything under it, with its outlets, staff and vehicles."""
    root = Unit.objects.filter(code=ROOT_CODE).first()
    if root is None:
        return
    levels = dict(UnitClosure.objects.filter(ancestor=root).values_list("descendant_id", "depth"))
    unit_ids = list(levels)
    Vehicle.objects.filter(unit_id__in=unit_ids).delete()
    Staff.objects.filter(unit_id__in=unit_ids).delete()
    OutletGradeChange.objects.filter(outlet__unit_id__in=unit_ids).delete()
    Outlet.objects.filter(unit_id__in=unit_ids).delete()
    for depth in sorted(set(levels.values()), reverse=True):  # children first: a unit protects its parent
        Unit.objects.filter(pk__in=[pk for pk, d in levels.items() if d == depth]).delete()
    stdout.write(_("组织：已删除演示数据。") + "\n")


def logins() -> list[DemoLogin]:
    """One demo account per role, in the order the README lists them."""
    units = _unit_labels()
    role_labels = dict(Role.choices)
    return [
        DemoLogin(role=str(role_labels[p.role]), employee_no=p.employee_no, name=p.name, unit=units[p.unit],
                  opens="/manage/" if roles_grant({p.role}, Capability.VIEW_MANAGE) else "/m/")
        for p in data.NAMED_PEOPLE if p.login
    ]


def _unit_labels() -> dict[str, str]:
    """Unit code → how the sign-in table names it ("蛟河市 黄松甸支局"), straight from the demo data."""
    labels = {CITY_CODE: "吉林市分公司"}
    labels.update({f"{CITY_CODE}-{abbr}": f"吉林市分公司 {name}" for abbr, name in data.CITY_DEPARTMENTS})
    for place in data.PLACES:
        code = data.place_code(place)
        labels[code] = place.unit_name
        labels[f"{code}-TD"] = f"{place.name} {place.delivery}"
        labels.update({f"{code}-{b.abbr}": f"{place.name} {b.name}" for b in place.branches})
    return labels


@dataclass
class _Person:
    unit: Unit
    role: str
    outlet: Outlet | None
    name: str
    phone: str
    employee_no: str = ""
    rural: bool = False  # works out of a township branch: rides a motorcycle as often as a tricycle


class _City:
    """Plans the demo rows in memory (every random draw happens here, in a fixed order), then saves them."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.units: list[Unit] = []
        self.outlets: list[Outlet] = []
        self.founded: dict[str, tuple[str, dt.date]] = {}  # outlet code → (founding grade, date)
        self.outlet_by_key: dict[tuple[str, str], Outlet] = {}  # (place abbr, outlet name) → outlet
        self.people: list[_Person] = []
        self.vans: list[_Person] = []  # couriers driving a company van
        self.vehicles: list[tuple[Vehicle, _Person | None]] = []  # with the courier who drives it
        self.outlet_count: dict[str, int] = {}  # place abbr → outlets numbered so far
        self.child_count: dict[str, int] = {}  # unit code → children so far (their sort order)
        self.used_names = {p.name for p in data.NAMED_PEOPLE}
        self.used_phones: set[str] = set()
        self.used_plates: set[str] = set()

    # --- plan -----------------------------------------------------------------------------------

    def plan(self) -> None:
        rng = self.rng
        root = self.unit(ROOT_CODE, "吉林省分公司", K.PROVINCE, None)
        city = self.unit(CITY_CODE, "吉林市分公司", K.CITY, root, "吉林市昌邑区解放中路58号")
        self.staff(city, Role.LEADER, rng.randint(3, 4))
        self.staff(city, Role.QUALITY, rng.randint(2, 3))
        self.staff(city, Role.SYSADMIN, rng.randint(1, 2))
        for abbr, name in data.CITY_DEPARTMENTS:
            self.staff(self.unit(f"{CITY_CODE}-{abbr}", name, K.DEPARTMENT, city), Role.OFFICE, rng.randint(12, 20))
        for place in data.PLACES:
            self.plan_place(place, city)
        self.place_named_people()
        self.plan_vehicles(city)

    def plan_place(self, place: data.PlaceSpec, city: Unit) -> None:
        rng = self.rng
        code = data.place_code(place)
        main_street = place.branches[0].outlets[0].where
        address = f"{place.city_prefix}{main_street}{rng.randint(1, 199)}号"
        unit = self.unit(code, place.unit_name, place.kind, city, address)
        self.staff(unit, Role.LEADER, rng.randint(1, 2))
        self.staff(unit, Role.QUALITY, rng.randint(1, 2))
        for abbr, name in data.PLACE_DEPARTMENTS:
            self.staff(self.unit(f"{code}-{abbr}", name, K.DEPARTMENT, unit), Role.OFFICE, rng.randint(9, 13))
        district = place.kind == K.DISTRICT
        delivery = self.unit(f"{code}-TD", place.delivery, K.DELIVERY, unit, unit.address)
        self.staff(delivery, Role.BRANCH_HEAD, 1)
        couriers = self.staff(delivery, Role.COURIER, rng.randint(75, 90) if district else rng.randint(32, 40))
        self.vans.extend(rng.sample(couriers, rng.randint(4, 6) if district else rng.randint(2, 4)))
        for n, branch in enumerate(place.branches):
            self.plan_branch(place, branch, unit, main=n == 0)

    def plan_branch(self, place: data.PlaceSpec, spec: data.BranchSpec, parent: Unit, *, main: bool) -> None:
        rng = self.rng
        branch = self.unit(f"{parent.code}-{spec.abbr}", spec.name, K.BRANCH, parent)
        self.staff(branch, Role.BRANCH_HEAD, 1)
        for n, outlet_spec in enumerate(spec.outlets):
            outlet = self.outlet(place, spec, outlet_spec, branch, main=main and n == 0)
            if n == 0:
                branch.address, branch.phone = outlet.address, outlet.phone
            clerks = {G.FIRST: (5, 6), G.SECOND: (4, 6), G.THIRD: (2, 4)}[self.founded[outlet.code][0]]
            self.staff(branch, Role.CLERK, 2 if outlet_spec.agency else rng.randint(*clerks), outlet=outlet)
        if spec.town:  # township branches deliver themselves: the town and one round per village outlet
            villages = sum(o.area == A.VILLAGE for o in spec.outlets)
            self.staff(branch, Role.COURIER, rng.randint(4, 6) + villages * rng.randint(1, 2), rural=True)
        if spec.delivery:
            delivery = self.unit(f"{branch.code}-TD", spec.delivery, K.DELIVERY, branch, branch.address)
            self.staff(delivery, Role.BRANCH_HEAD, 1)
            self.staff(delivery, Role.COURIER, rng.randint(18, 26))

    def outlet(self, place: data.PlaceSpec, branch: data.BranchSpec, spec: data.OutletSpec, unit: Unit,
               *, main: bool) -> Outlet:
        rng = self.rng
        town = spec.where if spec.area == A.TOWNSHIP and spec.where else branch.town
        if spec.area == A.CITY:
            address = f"{place.city_prefix}{spec.where}{rng.randint(1, 399)}号"
            lat, lng = branch.lat + rng.uniform(-0.006, 0.006), branch.lng + rng.uniform(-0.006, 0.006)
        elif spec.area == A.TOWNSHIP:
            address = f"{place.prefix}{town}{rng.choice(data.TOWN_STREETS)}{rng.randint(1, 199)}号"
            lat, lng = branch.lat + rng.uniform(-0.003, 0.003), branch.lng + rng.uniform(-0.003, 0.003)
        else:
            address = f"{place.prefix}{town}{spec.where}"
            lat = branch.lat + rng.choice((-1, 1)) * rng.uniform(0.02, 0.06)
            lng = branch.lng + rng.choice((-1, 1)) * rng.uniform(0.02, 0.06)
        key = (place.abbr, spec.name)
        if main:
            grade = G.FIRST
        elif key in data.UPGRADED_2018:
            grade = G.THIRD
        elif key in data.UPGRADED_2021:
            grade = G.SECOND
        elif spec.area == A.VILLAGE:
            grade = G.THIRD
        else:
            grade = rng.choices(G.values, GRADE_WEIGHTS[(place.kind, spec.area)])[0]
        if spec.area == A.CITY:
            days = 7 if grade == G.FIRST else rng.choice((7, 6))
        elif spec.area == A.TOWNSHIP:
            days = rng.choice((6, 6, 5))
        else:
            days = 3 if spec.agency else rng.choice((5, 5, 3))
        services = set(UNIVERSAL)
        if main:
            services.update(SPECIAL, (S.NEWSPAPERS, S.EXPRESS))
        if rng.random() < (0.5 if spec.agency else 0.9):
            services.add(S.NEWSPAPERS)
        if rng.random() < {A.CITY: 0.7, A.TOWNSHIP: 0.4, A.VILLAGE: 0.1}[spec.area]:
            services.add(S.EXPRESS)
        opens, closes = MAIN_HOURS if main else HOURS[spec.area]
        number = self.outlet_count[place.abbr] = self.outlet_count.get(place.abbr, 0) + 1
        outlet = Outlet(
            code=f"{data.place_code(place)}-W{number:02d}", name=spec.name, unit=unit, grade=grade, area_type=spec.area,
            operation=Outlet.Operation.AGENCY if spec.agency else Outlet.Operation.SELF,
            address=address, latitude=Decimal(f"{lat:.6f}"), longitude=Decimal(f"{lng:.6f}"),
            phone=self.landline(), open_days_per_week=days, opens_at=dt.time(*opens), closes_at=dt.time(*closes),
            services=[s for s in S.values if s in services],
        )
        self.outlets.append(outlet)
        self.outlet_by_key[key] = outlet
        self.founded[outlet.code] = (grade, self.date(dt.date(2012, 1, 1), dt.date(2016, 12, 31)))
        return outlet

    def staff(self, unit: Unit, role: str, count: int, *, outlet: Outlet | None = None,
              rural: bool = False) -> list[_Person]:
        made = [_Person(unit=unit, role=role, outlet=outlet, name=self.name(self.rng.random() < FEMALE_SHARE[role]),
                        phone=self.mobile(), rural=rural) for _ in range(count)]
        self.people.extend(made)
        return made

    def place_named_people(self) -> None:
        """Put the seed article's people and the sign-in accounts in the places they belong, then number everyone."""
        for named in data.NAMED_PEOPLE:
            person = next(p for p in self.people if not p.employee_no and p.unit.code == named.unit
                          and p.role == named.role and (not named.outlet or p.outlet is None
                                                        or p.outlet.name == named.outlet))
            person.name, person.employee_no = named.name, named.employee_no
            if named.outlet:
                person.outlet = next(o for o in self.outlets if o.unit is person.unit and o.name == named.outlet)
        numbers = iter(range(data.FIRST_GENERATED_EMPLOYEE_NO, data.FIRST_GENERATED_EMPLOYEE_NO + len(self.people)))
        for person in self.people:
            person.employee_no = person.employee_no or str(next(numbers))

    def plan_vehicles(self, city: Unit) -> None:
        """About one vehicle per two couriers: company vans at the district / county delivery departments,
        the rest the couriers' own with a company subsidy (自备公助), mostly electric tricycles."""
        rng = self.rng
        vans = {id(p) for p in self.vans}
        sequence: dict[str, int] = {}
        for person in self.people:
            if person.role != Role.COURIER:
                continue
            if id(person) in vans:
                self.vehicle(person.unit, person, Vehicle.Ownership.COMPANY, Vehicle.Type.VAN, self.plate(),
                             self.date(dt.date(2015, 1, 1), dt.date(2021, 12, 31)))
                continue
            if rng.random() >= 0.46:
                continue
            kind = rng.choices((Vehicle.Type.E_TRICYCLE, Vehicle.Type.MOTORCYCLE, Vehicle.Type.E_BIKE),
                               (55, 35, 10) if person.rural else (80, 0, 20))[0]
            if kind == Vehicle.Type.MOTORCYCLE:
                number = self.plate(digits_only=True)
            else:
                place = person.unit.code.split("-")[1]
                sequence[place] = sequence.get(place, 0) + 1
                number = f"ZB-{place}-{sequence[place]:04d}"
            self.vehicle(person.unit, person, Vehicle.Ownership.SUBSIDISED, kind, number,
                         self.date(dt.date(2017, 9, 1), dt.date(2019, 12, 31)))
        for _truck in range(6):  # 邮运车: the city's mail trucks, not assigned to a courier
            self.vehicle(city, None, Vehicle.Ownership.COMPANY, Vehicle.Type.VAN, self.plate(),
                         self.date(dt.date(2014, 1, 1), dt.date(2021, 12, 31)))

    # --- small generators -------------------------------------------------------------------------

    def unit(self, code: str, name: str, kind: str, parent: Unit | None, address: str = "") -> Unit:
        order = 0
        if parent is not None:
            order = self.child_count[parent.code] = self.child_count.get(parent.code, 0) + 1
        unit = Unit(code=code, name=name, kind=kind, parent=parent, sort_order=order, address=address,
                    phone=self.landline() if address else "")
        self.units.append(unit)
        return unit

    def vehicle(self, unit: Unit, courier: _Person | None, ownership: str, kind: str, number: str,
                acquired: dt.date) -> None:
        vehicle = Vehicle(plate_no=number, ownership=ownership, vehicle_type=kind, unit=unit, acquired_on=acquired)
        self.vehicles.append((vehicle, courier))

    def name(self, female: bool) -> str:
        rng = self.rng
        while True:
            surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
            if rng.random() < 0.7:
                given = rng.choice(data.FEMALE_GIVEN if female else data.MALE_GIVEN)
            else:
                given = rng.choice(data.FEMALE_SINGLE if female else data.MALE_SINGLE)
            name = surname + given
            if surname not in given and name not in data.AVOID_NAMES and name not in self.used_names:
                self.used_names.add(name)
                return name

    def mobile(self) -> str:
        while True:
            number = f"{self.rng.choice(data.MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def landline(self) -> str:
        return f"0432-6{self.rng.randrange(10**7):07d}"

    def plate(self, *, digits_only: bool = False) -> str:
        while True:
            if digits_only:
                tail = f"{self.rng.randrange(10**5):05d}"
            else:
                tail = self.rng.choice(data.PLATE_LETTERS) + f"{self.rng.randrange(10**4):04d}"
            plate = f"吉B·{tail}"
            if plate not in self.used_plates:
                self.used_plates.add(plate)
                return plate

    def date(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    # --- save -----------------------------------------------------------------------------------------

    def save(self) -> None:
        units_bulk_create(self.units)
        Outlet.objects.bulk_create(self.outlets)
        OutletGradeChange.objects.bulk_create(
            OutletGradeChange(outlet=o, from_grade="", to_grade=self.founded[o.code][0],
                              effective_on=self.founded[o.code][1], reason=_("建档"))
            for o in self.outlets
        )
        password = make_password(DEMO_PASSWORD)  # once: a hash per person would take minutes
        accounts = Staff.objects.bulk_create(
            Staff(employee_no=p.employee_no, name=p.name, phone=p.phone, unit=p.unit, outlet=p.outlet,
                  password=password, must_change_password=False, is_staff=p.role == Role.SYSADMIN)
            for p in self.people
        )
        StaffRole.objects.bulk_create(StaffRole(staff=s, role=p.role) for s, p in zip(accounts, self.people))
        account_of = {id(p): s for s, p in zip(accounts, self.people)}
        for vehicle, courier in self.vehicles:
            vehicle.courier = account_of[id(courier)] if courier else None
        Vehicle.objects.bulk_create(vehicle for vehicle, _courier in self.vehicles)
        recorder = next(s for s in accounts if s.employee_no == _city_quality().employee_no)
        for changes, on, reason, to_grade in (
            (data.UPGRADED_2018, data.UPGRADE_2018_ON, data.UPGRADE_2018_REASON, G.SECOND),
            (data.UPGRADED_2021, data.UPGRADE_2021_ON, data.UPGRADE_2021_REASON, G.FIRST),
        ):
            for key in changes:
                outlet_change_grade(outlet=self.outlet_by_key[key], to_grade=to_grade,
                                    effective_on=on, reason=reason, actor=recorder)


def _city_quality() -> data.NamedPerson:
    """The city's quality manager on record for the historical grade changes."""
    return next(p for p in data.NAMED_PEOPLE if p.role == Role.QUALITY and p.unit == CITY_CODE)
