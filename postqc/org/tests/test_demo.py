"""`postqc load_demo`: the demo city, loaded once for the module (it takes about a second)."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.test import override_settings

from postqc.core.demo import DEFAULT_SEED, DEMO_PASSWORD, demo_logins, format_logins, logins_markdown, reset_demo
from postqc.org.models import Outlet, OutletGradeChange, Staff, StaffRole, Unit, UnitClosure, Vehicle
from postqc.org.roles import Capability, Role

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PLACES = ["JLS-CY", "JLS-CHY", "JLS-LT", "JLS-FM", "JLS-YJ", "JLS-JH", "JLS-PS", "JLS-SL", "JLS-HD"]


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo, committed for the whole module (tests still run in their own rolled-back transaction)."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        reset_demo(stdout=StringIO())


@pytest.fixture
def printed(loaded, db):
    return loaded


def snapshot():
    """Everything the demo generates, by natural keys (primary keys differ between loads)."""
    return (
        list(Unit.objects.order_by("code").values_list("code", "name", "kind", "parent__code", "sort_order",
                                                       "address", "phone")),
        list(Outlet.objects.order_by("code").values_list(
            "code", "name", "unit__code", "grade", "area_type", "operation", "address", "latitude", "longitude",
            "phone", "open_days_per_week", "opens_at", "closes_at", "services")),
        list(OutletGradeChange.objects.order_by("outlet__code", "effective_on").values_list(
            "outlet__code", "from_grade", "to_grade", "effective_on", "reason", "recorded_by__employee_no")),
        list(Staff.objects.order_by("employee_no").values_list("employee_no", "name", "phone", "unit__code",
                                                               "outlet__code", "role_links__role")),
        list(Vehicle.objects.order_by("plate_no").values_list("plate_no", "ownership", "vehicle_type", "unit__code",
                                                              "courier__employee_no", "acquired_on")),
    )


# --- The organisation ---------------------------------------------------------------------------


def test_the_city_sits_under_the_province_with_its_four_districts_and_five_counties(printed):
    city = Unit.objects.get(code="JLS")
    assert (city.name, city.parent.code, city.parent.name) == ("吉林市分公司", "JL", "吉林省分公司")
    places = list(Unit.objects.filter(parent=city, kind__in=[Unit.Kind.DISTRICT, Unit.Kind.COUNTY])
                  .order_by("sort_order").values_list("code", "name", "kind"))
    assert [code for code, _name, _kind in places] == PLACES
    assert [name for _code, name, kind in places if kind == Unit.Kind.DISTRICT] == [
        "船营区分公司", "昌邑区分公司", "龙潭区分公司", "丰满区分公司"]
    assert [name for _code, name, kind in places if kind == Unit.Kind.COUNTY] == [
        "永吉县分公司", "蛟河市分公司", "磐石市分公司", "舒兰市分公司", "桦甸市分公司"]


def test_the_city_runs_143_outlets_12_to_20_in_each_district_and_county(printed):
    assert Outlet.objects.count() == 143
    for code in PLACES:
        below = UnitClosure.objects.filter(ancestor__code=code).values("descendant_id")
        assert 12 <= Outlet.objects.filter(unit_id__in=below).count() <= 20, code


def test_districts_are_mostly_urban_and_counties_mostly_rural(printed):
    def areas(kind):
        below = UnitClosure.objects.filter(ancestor__kind=kind).values("descendant_id")
        return dict(Outlet.objects.filter(unit_id__in=below).values_list("area_type").annotate(n=Count("id")))

    district, county = areas(Unit.Kind.DISTRICT), areas(Unit.Kind.COUNTY)
    assert district[Outlet.AreaType.CITY] > sum(district.values()) / 2
    assert county[Outlet.AreaType.TOWNSHIP] + county[Outlet.AreaType.VILLAGE] > sum(county.values()) / 2
    assert Outlet.objects.filter(operation=Outlet.Operation.AGENCY).exclude(area_type=Outlet.AreaType.VILLAGE) \
        .count() == 0 < Outlet.objects.filter(operation=Outlet.Operation.AGENCY).count()
    assert set(Outlet.objects.values_list("grade", flat=True)) == {"1", "2", "3"}


def test_every_outlet_offers_universal_service_and_opens_at_least_the_legal_minimum(printed):
    minimum = {Outlet.AreaType.CITY: 6, Outlet.AreaType.TOWNSHIP: 5, Outlet.AreaType.VILLAGE: 3}
    for outlet in Outlet.objects.all():
        assert {"letters", "printed", "parcels", "remittance"} <= set(outlet.services), outlet.code
        assert outlet.open_days_per_week >= minimum[outlet.area_type], outlet.code
        assert outlet.opens_at < outlet.closes_at and outlet.address and outlet.phone.startswith("0432-")
        assert 42.5 < outlet.latitude < 44.8 and 125.5 < outlet.longitude < 128.0, outlet.code


def test_each_district_and_county_main_outlet_offers_the_special_services(printed):
    special = {"confidential", "conscript_mail", "blind_reading", "martyr_belongings"}
    mains = Outlet.objects.filter(code__in=[f"{code}-W01" for code in PLACES])
    assert [o.grade for o in mains] == ["1"] * 9
    assert all(special <= set(o.services) for o in mains)
    assert not any(special & set(o.services) for o in Outlet.objects.exclude(pk__in=mains))


# --- Grade history --------------------------------------------------------------------------------


def test_every_outlet_has_its_founding_grade_on_record(printed):
    founding = OutletGradeChange.objects.filter(from_grade="")
    assert founding.count() == 143
    assert founding.values("outlet").distinct().count() == 143
    assert {d.year for d in founding.values_list("effective_on", flat=True)} <= set(range(2012, 2017))


def test_five_third_grade_outlets_were_upgraded_to_second_grade_in_2018(printed):
    upgrades = OutletGradeChange.objects.filter(effective_on__year=2018)
    assert upgrades.count() == 5
    assert set(upgrades.values_list("from_grade", "to_grade")) == {("3", "2")}
    assert all(reason.startswith("吉邮普〔2018〕") for reason in upgrades.values_list("reason", flat=True))
    assert set(upgrades.values_list("outlet__grade", flat=True)) == {"2"}
    assert "黄松甸邮政支局" in set(upgrades.values_list("outlet__name", flat=True))


# --- Staff ----------------------------------------------------------------------------------------------


def test_about_two_thousand_staff_in_every_role(printed):
    total = Staff.objects.count()
    assert 1800 <= total <= 2200
    per_role = dict(StaffRole.objects.values_list("role").annotate(n=Count("id")))
    assert set(per_role) == set(Role.values)
    assert 0.4 <= per_role[Role.COURIER] / total <= 0.5
    assert Staff.objects.filter(must_change_password=False, is_active=True).count() == total
    assert not Staff.objects.annotate(n=Count("role_links")).exclude(n=1).exists()


def test_staff_carry_chinese_names_and_unique_employee_and_mobile_numbers(printed):
    names, numbers, phones = zip(*Staff.objects.values_list("name", "employee_no", "phone"))
    assert all(2 <= len(name) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in name) for name in names)
    assert all(no.startswith("2202") and len(no) == 8 for no in numbers)
    assert all(len(p) == 11 and p[:2] in {"13", "15", "18"} for p in phones)
    assert len(set(phones)) == len(phones)


def test_every_outlet_has_a_clerk_at_its_counter_from_its_own_branch(printed):
    clerks = Staff.objects.filter(role_links__role=Role.CLERK, outlet__isnull=False)
    assert Outlet.objects.annotate(n=Count("staff", filter=Q(staff__in=clerks))).filter(n=0).count() == 0
    assert not clerks.exclude(outlet__unit=F("unit")).exists()


def test_department_staff_are_office_staff_and_every_clerk_works_at_a_counter(printed):
    departments = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT)
    office = Staff.objects.filter(role_links__role=Role.OFFICE)
    assert set(office.values_list("unit__kind", flat=True)) == {Unit.Kind.DEPARTMENT}
    assert not Staff.objects.filter(unit__in=departments).exclude(role_links__role=Role.OFFICE).exists()
    assert not Staff.objects.filter(role_links__role=Role.CLERK, outlet__isnull=True).exists()
    person = office.get(employee_no="22020011")
    assert person.unit.name == "综合办公室"
    assert person.can(Capability.USE_STAFF_APP)
    assert not person.can(Capability.VIEW_MANAGE) and not person.can(Capability.COLLECT_SURVEYS)


def test_every_branch_has_one_head_and_the_city_and_each_county_their_managers(printed):
    heads = StaffRole.objects.filter(role=Role.BRANCH_HEAD)
    for unit in Unit.objects.filter(kind__in=[Unit.Kind.BRANCH, Unit.Kind.DELIVERY]):
        assert heads.filter(staff__unit=unit).count() == 1, unit.code
    for code, role, low, high in [("JLS", Role.LEADER, 3, 4), ("JLS", Role.QUALITY, 2, 3), ("JLS", Role.SYSADMIN, 1, 2),
                                  *((c, r, 1, 2) for c in PLACES for r in (Role.LEADER, Role.QUALITY))]:
        assert low <= StaffRole.objects.filter(role=role, staff__unit__code=code).count() <= high, (code, role)


def test_the_seed_articles_people_work_where_the_article_puts_them(printed):
    def where(name):
        person = Staff.objects.get(name=name)
        return person.unit.name, person.outlet.name if person.outlet else None, sorted(person.roles)

    assert where("曹磊") == ("黄松甸支局", "黄松甸邮政支局", [Role.CLERK])
    assert where("刘春秋") == ("金马支局", "金马邮政支局", [Role.CLERK])
    assert where("詹立信") == ("呼兰支局", None, [Role.COURIER])
    assert where("苏阳") == ("船营投递部", None, [Role.COURIER])
    assert where("刘颖") == ("东宁街营业所", "东宁街营业所", [Role.BRANCH_HEAD])
    assert where("常雨昌")[0] == where("孙东明")[0] == "吉林市分公司"


# --- Vehicles -------------------------------------------------------------------------------------------


def test_about_one_vehicle_per_two_couriers_each_kept_by_the_couriers_unit(printed):
    couriers = Staff.objects.filter(role_links__role=Role.COURIER)
    assigned = Vehicle.objects.filter(courier__isnull=False).select_related("courier")
    assert 0.4 <= assigned.count() / couriers.count() <= 0.6
    assert not assigned.exclude(courier__in=couriers).exists()
    for vehicle in assigned:
        assert UnitClosure.objects.filter(ancestor_id=vehicle.courier.unit_id, descendant_id=vehicle.unit_id).exists()
    mix = dict(Vehicle.objects.values_list("ownership").annotate(n=Count("id")))
    assert mix[Vehicle.Ownership.SUBSIDISED] > 5 * mix[Vehicle.Ownership.COMPANY]
    assert all(p.startswith("吉B·") for p in Vehicle.objects.filter(vehicle_type=Vehicle.Type.VAN)
               .values_list("plate_no", flat=True))


# --- Loading, again and anew ------------------------------------------------------------------------------


def test_loading_again_changes_nothing_and_prints_the_sign_ins_again(printed):
    before = snapshot()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "已存在" in out.getvalue()
    assert snapshot() == before
    for row in demo_logins():
        assert row.employee_no in out.getvalue()


def test_reset_and_reload_with_the_same_seed_builds_the_same_city(printed):
    before = snapshot()
    out = StringIO()
    call_command("load_demo", reset=True, seed=DEFAULT_SEED, stdout=out)
    assert "已删除" in out.getvalue()
    assert snapshot() == before


# --- Signing in -----------------------------------------------------------------------------------------


def test_the_command_prints_one_sign_in_per_role_with_the_shared_password(printed):
    rows = demo_logins()
    assert {row.role for row in rows} == {str(label) for label in Role.labels}
    assert format_logins(rows) in printed
    assert all(row.password == DEMO_PASSWORD for row in rows)
    assert logins_markdown(rows).count("\n") == len(rows) + 2


@pytest.mark.parametrize("row", demo_logins(), ids=lambda row: row.employee_no)
def test_every_printed_sign_in_works_and_lands_where_the_table_says(printed, client, row):
    person = Staff.objects.get(employee_no=row.employee_no)
    assert person.name == row.name
    assert person.unit.name in row.unit
    response = client.post("/accounts/login/", {"username": row.employee_no, "password": row.password})
    assert response.status_code == 302 and response.url == row.opens
    assert client.get(row.opens).status_code == 200
