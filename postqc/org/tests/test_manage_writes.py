"""Writes from the /manage/ pages: creating and editing units, outlets, staff and vehicles, and the
rules the pages must keep (scope of every choice, privileged roles, approvals, self-deactivation)."""
import datetime as dt

import pytest

from postqc.org.models import Outlet, OutletGradeChange, Staff, Unit, UnitClosure, Vehicle
from postqc.org.roles import Role


def outlet_form(**overrides) -> dict:
    data = {"code": "O-CY-2", "name": "致和路营业所", "unit": "CY-BJL", "grade": "2", "effective_on": "2024-03-01",
            "area_type": "city", "operation": "self", "address": "船营区致和路 8 号", "phone": "0432-62000000",
            "open_days_per_week": "7", "opens_at": "08:30", "closes_at": "17:00", "latitude": "", "longitude": "",
            "services": ["letters", "printed", "parcels", "remittance"]}
    return {**data, **overrides}


def staff_form(**overrides) -> dict:
    data = {"employee_no": "B002", "name": "白雪", "phone": "13800000000", "unit": "CY-BJL", "outlet": "O-CY-1",
            "roles": ["clerk"], "new_password1": "", "new_password2": ""}
    return {**data, **overrides}


def errors_in(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Outlets ---------------------------------------------------------------------------------------


def test_a_quality_manager_creates_an_outlet_in_her_subtree(as_, org):
    response = as_(org.alice).post("/manage/outlets/new/", outlet_form())
    assert response.status_code == 302 and response.url == "/manage/outlets/O-CY-2/"
    outlet = Outlet.objects.get(code="O-CY-2")
    assert outlet.unit == org.cy_bjl and outlet.grade == "2" and outlet.services == ["letters", "printed", "parcels",
                                                                                       "remittance"]
    first = outlet.grade_changes.get()
    assert (first.from_grade, first.to_grade, first.effective_on, first.recorded_by) == (
        "", "2", dt.date(2024, 3, 1), org.alice)


def test_a_forged_unit_outside_the_subtree_writes_nothing(as_, org):
    body = errors_in(as_(org.alice).post("/manage/outlets/new/", outlet_form(unit="JH-HSD")))
    assert "不存在或不在本单位管辖范围内" in body
    assert not Outlet.objects.filter(code="O-CY-2").exists()


def test_a_duplicate_outlet_code_is_a_field_error(as_, org):
    body = errors_in(as_(org.alice).post("/manage/outlets/new/", outlet_form(code="O-JH-1")))
    assert "已存在" in body
    assert Outlet.objects.filter(code="O-JH-1").count() == 1


def test_closing_time_must_follow_opening_time(as_, org):
    body = errors_in(as_(org.alice).post("/manage/outlets/new/", outlet_form(opens_at="18:00", closes_at="08:00")))
    assert "关门时间须晚于开门时间" in body
    assert not Outlet.objects.filter(code="O-CY-2").exists()


def test_editing_an_outlet_keeps_its_code_and_grade(as_, org):
    data = outlet_form(name="北京路营业所（新址）", grade="3", code="HACK")
    response = as_(org.alice).post("/manage/outlets/O-CY-1/edit/", data)
    assert response.status_code == 302
    org.o_cy.refresh_from_db()
    assert org.o_cy.name == "北京路营业所（新址）" and org.o_cy.code == "O-CY-1" and org.o_cy.grade == "1"
    assert org.o_cy.opens_at == dt.time(8, 30)


def test_moving_an_outlet_to_another_county_is_refused(as_, org):
    errors_in(as_(org.alice).post("/manage/outlets/O-CY-1/edit/", outlet_form(unit="JH-HSD")))
    org.o_cy.refresh_from_db()
    assert org.o_cy.unit == org.cy_bjl


def test_a_grade_change_appends_to_the_history_and_sets_the_grade(as_, org):
    client = as_(org.charlie)
    response = client.post("/manage/outlets/O-JH-1/grade/",
                           {"to_grade": "2", "effective_on": "2030-01-01", "reason": "吉市邮〔2030〕5 号"})
    assert response.status_code == 302
    org.o_jh.refresh_from_db()
    assert org.o_jh.grade == "2"
    history = list(OutletGradeChange.objects.filter(outlet=org.o_jh).order_by("id").values_list(
        "from_grade", "to_grade", "reason"))
    assert history == [("", "3", "建档"), ("3", "2", "吉市邮〔2030〕5 号")]
    assert "吉市邮〔2030〕5 号" in client.get("/manage/outlets/O-JH-1/").content.decode()


def test_a_grade_change_needs_a_reason(as_, org):
    body = errors_in(as_(org.charlie).post("/manage/outlets/O-JH-1/grade/",
                                           {"to_grade": "2", "effective_on": "2030-01-01", "reason": ""}))
    assert "这个字段是必填项" in body
    org.o_jh.refresh_from_db()
    assert org.o_jh.grade == "3" and org.o_jh.grade_changes.count() == 1


def test_a_grade_change_to_the_same_grade_is_not_offered(as_, org):
    errors_in(as_(org.charlie).post("/manage/outlets/O-JH-1/grade/",
                                    {"to_grade": "3", "effective_on": "2030-01-01", "reason": "x"}))
    assert org.o_jh.grade_changes.count() == 1


def test_closing_an_outlet_without_an_approval_note_is_refused(as_, org):
    body = errors_in(as_(org.alice).post("/manage/outlets/O-CY-1/status/", {"status": "closed", "note": "  "}))
    assert "撤并普服网点须经批准" in body
    org.o_cy.refresh_from_db()
    assert org.o_cy.status == "open"


def test_closing_an_outlet_with_an_approval_note(as_, org):
    response = as_(org.alice).post("/manage/outlets/O-CY-1/status/",
                                   {"status": "closed", "note": "吉邮管〔2030〕9 号批复"})
    assert response.status_code == 302
    org.o_cy.refresh_from_db()
    assert (org.o_cy.status, org.o_cy.status_note) == ("closed", "吉邮管〔2030〕9 号批复")


def test_suspending_needs_no_note(as_, org):
    assert as_(org.alice).post("/manage/outlets/O-CY-1/status/", {"status": "suspended"}).status_code == 302
    org.o_cy.refresh_from_db()
    assert org.o_cy.status == "suspended"


# --- Staff -----------------------------------------------------------------------------------------


def test_a_quality_manager_creates_a_clerk_who_must_change_the_password(as_, org):
    response = as_(org.alice).post("/manage/staff/new/", staff_form(new_password1="Tmp-Passw0rd-9",
                                                                    new_password2="Tmp-Passw0rd-9"))
    assert response.status_code == 302 and response.url == "/manage/staff/B002/"
    person = Staff.objects.get(employee_no="B002")
    assert person.roles == {"clerk"} and person.outlet == org.o_cy and person.must_change_password
    assert person.check_password("Tmp-Passw0rd-9")


def test_a_quality_manager_cannot_grant_quality(as_, org):
    body = errors_in(as_(org.alice).post("/manage/staff/new/", staff_form(roles=["clerk", "quality"])))
    assert "只有系统管理员可以授予" in body
    assert not Staff.objects.filter(employee_no="B002").exists()


def test_a_quality_manager_cannot_promote_a_clerk_to_leader(as_, org):
    data = staff_form(employee_no="ignored", roles=["clerk", "leader"])
    body = errors_in(as_(org.alice).post("/manage/staff/B001/edit/", data))
    assert "只有系统管理员可以授予" in body
    assert Staff.objects.get(pk=org.bob.pk).roles == {"clerk"}


def test_a_sysadmin_grants_privileged_roles(as_, org):
    response = as_(org.sam).post("/manage/staff/new/",
                                 staff_form(employee_no="Q002", unit="JH", outlet="", roles=["quality"]))
    assert response.status_code == 302
    assert Staff.objects.get(employee_no="Q002").roles == {"quality"}


def test_staff_edit_updates_particulars_and_roles(as_, org):
    data = staff_form(name="鲍勃二", phone="13900000000", unit="CY-BJL", outlet="", roles=["clerk", "courier"])
    assert as_(org.alice).post("/manage/staff/B001/edit/", data).status_code == 302
    bob = Staff.objects.get(pk=org.bob.pk)
    assert (bob.name, bob.phone, bob.outlet, bob.roles) == ("鲍勃二", "13900000000", None, {"clerk", "courier"})
    assert bob.employee_no == "B001"


def test_a_forged_unit_or_outlet_on_staff_writes_nothing(as_, org):
    client = as_(org.alice)
    body = errors_in(client.post("/manage/staff/new/", staff_form(unit="JH-HSD", outlet="")))
    assert "不存在或不在本单位管辖范围内" in body
    errors_in(client.post("/manage/staff/B001/edit/", staff_form(outlet="O-JH-1")))
    assert not Staff.objects.filter(employee_no="B002").exists()
    assert Staff.objects.get(pk=org.bob.pk).outlet == org.o_cy


def test_an_outlet_must_sit_under_the_persons_unit(as_, org):
    body = errors_in(as_(org.alice).post("/manage/staff/new/", staff_form(unit="CY-BJL-TD", outlet="O-CY-1")))
    assert "网点不在该员工所属单位之下" in body
    assert not Staff.objects.filter(employee_no="B002").exists()


def test_a_weak_or_mismatched_initial_password_is_refused(as_, org):
    client = as_(org.alice)
    errors_in(client.post("/manage/staff/new/", staff_form(new_password1="12345678", new_password2="12345678")))
    body = errors_in(client.post("/manage/staff/new/", staff_form(new_password1="Tmp-Passw0rd-9",
                                                                  new_password2="Tmp-Passw0rd-8")))
    assert "两次输入的密码不一致" in body
    assert not Staff.objects.filter(employee_no="B002").exists()


def test_deactivated_staff_cannot_sign_in(as_, org, client):
    assert as_(org.alice).post("/manage/staff/B001/deactivate/").status_code == 302
    assert not Staff.objects.get(pk=org.bob.pk).is_active
    client.logout()
    response = client.post("/accounts/login/", {"username": "B001", "password": org.password})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_deactivation_ends_the_persons_open_session(client, org):
    from django.test import Client

    bob = Client()
    bob.force_login(org.bob, backend="django.contrib.auth.backends.ModelBackend")
    assert bob.get("/m/").status_code == 200
    client.force_login(org.alice, backend="django.contrib.auth.backends.ModelBackend")
    client.post("/manage/staff/B001/deactivate/")
    assert bob.get("/m/").status_code == 302


def test_reactivated_staff_can_sign_in_again(as_, org, client):
    from postqc.org.services import staff_set_active

    staff_set_active(staff=org.bob, active=False)
    assert as_(org.alice).post("/manage/staff/B001/reactivate/").status_code == 302
    client.logout()
    response = client.post("/accounts/login/", {"username": "B001", "password": org.password})
    assert response.status_code == 302


def test_nobody_deactivates_themselves(as_, org):
    response = as_(org.sam).post("/manage/staff/S001/deactivate/", follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    assert Staff.objects.get(pk=org.sam.pk).is_active


def test_a_manager_resets_a_password_and_the_person_must_change_it(as_, org, client):
    response = as_(org.alice).post("/manage/staff/B001/password/",
                                   {"new_password1": "Temp-Reset-77", "new_password2": "Temp-Reset-77"})
    assert response.status_code == 302
    bob = Staff.objects.get(pk=org.bob.pk)
    assert bob.check_password("Temp-Reset-77") and bob.must_change_password
    client.logout()
    client.post("/accounts/login/", {"username": "B001", "password": "Temp-Reset-77"})
    assert client.get("/m/").url.startswith("/accounts/password/")


def test_only_a_sysadmin_resets_or_deactivates_a_privileged_account(as_, org, client):
    from postqc.org.services import staff_create

    peer = staff_create(employee_no="Q003", name="秦质", unit=org.cy, roles=[Role.QUALITY], password="Old-Passw0rd-1")
    alice = as_(org.alice)
    assert alice.get("/manage/staff/Q003/password/").status_code == 403
    assert alice.post("/manage/staff/Q003/password/", {"new_password1": "Temp-Reset-77",
                                                       "new_password2": "Temp-Reset-77"}).status_code == 403
    assert alice.post("/manage/staff/Q003/deactivate/").status_code == 403
    peer.refresh_from_db()
    assert peer.is_active and peer.check_password("Old-Passw0rd-1")
    client.logout()
    sam = as_(org.sam)
    assert sam.post("/manage/staff/Q003/deactivate/").status_code == 302
    assert not Staff.objects.get(pk=peer.pk).is_active


# --- Units -----------------------------------------------------------------------------------------


def test_a_sysadmin_creates_a_unit_in_his_subtree(as_, org):
    data = {"code": "JH-TS", "name": "天岗支局", "kind": "branch", "parent": "JH", "sort_order": "3",
            "address": "", "phone": ""}
    assert as_(org.sam).post("/manage/units/new/", data).status_code == 302
    unit = Unit.objects.get(code="JH-TS")
    assert unit.parent == org.jh and unit.depth == 3
    assert UnitClosure.objects.filter(ancestor=org.jls, descendant=unit).exists()


def test_a_sysadmin_cannot_create_a_unit_above_his_own(as_, org):
    data = {"code": "JL-X", "name": "外省单位", "kind": "city", "parent": "JL", "sort_order": "0"}
    body = errors_in(as_(org.sam).post("/manage/units/new/", data))
    assert "不存在或不在本单位管辖范围内" in body
    assert not Unit.objects.filter(code="JL-X").exists()


def test_editing_a_unit_with_a_new_parent_moves_its_subtree(as_, org):
    data = {"name": "北京路支局", "kind": "branch", "parent": "JH", "sort_order": "0", "address": "", "phone": ""}
    assert as_(org.sam).post("/manage/units/CY-BJL/edit/", data).status_code == 302
    assert Unit.objects.get(code="CY-BJL").parent == org.jh
    assert UnitClosure.objects.filter(ancestor=org.jh, descendant__code="CY-BJL-TD").exists()


def test_a_unit_cannot_be_moved_under_itself(as_, org):
    data = {"name": "北京路支局", "kind": "branch", "parent": "CY-BJL-TD", "sort_order": "0"}
    errors_in(as_(org.sam).post("/manage/units/CY-BJL/edit/", data))
    assert Unit.objects.get(code="CY-BJL").parent == org.cy


def test_a_unit_with_active_staff_is_not_deactivated(as_, org):
    response = as_(org.sam).post("/manage/units/CY-BJL-TD/deactivate/", follow=True)
    assert "仍有在职员工" in response.content.decode()
    assert Unit.objects.get(code="CY-BJL-TD").is_active


def test_an_empty_unit_is_deactivated_and_reactivated(as_, org):
    from postqc.org.services import staff_set_active

    staff_set_active(staff=org.dave, active=False)
    client = as_(org.sam)
    assert client.post("/manage/units/CY-BJL-TD/deactivate/").status_code == 302
    assert not Unit.objects.get(code="CY-BJL-TD").is_active
    assert client.post("/manage/units/CY-BJL-TD/reactivate/").status_code == 302
    assert Unit.objects.get(code="CY-BJL-TD").is_active


# --- Vehicles --------------------------------------------------------------------------------------


def vehicle_form(**overrides) -> dict:
    data = {"plate_no": "吉b·cy002", "ownership": "company", "vehicle_type": "van", "unit": "CY-BJL",
            "courier": "D001", "acquired_on": "2023-05-01"}
    return {**data, **overrides}


def test_a_quality_manager_registers_a_company_vehicle_for_a_courier(as_, org):
    assert as_(org.alice).post("/manage/vehicles/new/", vehicle_form()).status_code == 302
    vehicle = Vehicle.objects.get(plate_no="吉B·CY002")
    assert vehicle.courier == org.dave and vehicle.unit == org.cy_bjl and vehicle.acquired_on == dt.date(2023, 5, 1)


def test_a_subsidised_vehicle_names_its_courier(as_, org):
    body = errors_in(as_(org.alice).post("/manage/vehicles/new/", vehicle_form(ownership="subsidised", courier="")))
    assert "自备公助车辆须指定使用的投递员" in body
    assert not Vehicle.objects.exists()


@pytest.mark.parametrize("courier", ["C002", "B001"])  # carl is in 蛟河; bob is a clerk, not a courier
def test_a_vehicle_goes_only_to_a_courier_of_the_subtree(as_, org, courier):
    body = errors_in(as_(org.alice).post("/manage/vehicles/new/", vehicle_form(courier=courier)))
    assert "不是在职投递员" in body
    assert not Vehicle.objects.exists()


def test_a_vehicle_courier_must_sit_under_the_vehicles_unit(as_, org):
    from postqc.org.services import staff_create

    staff_create(employee_no="D002", name="丁投", unit=org.cy_bjl, roles=[Role.COURIER])
    body = errors_in(as_(org.alice).post("/manage/vehicles/new/", vehicle_form(unit="CY-BJL-TD", courier="D002")))
    assert "不在车辆所属单位之下" in body
    assert not Vehicle.objects.exists()


def test_editing_and_deactivating_a_vehicle(as_, org, vehicles):
    client = as_(org.alice)
    url = f"/manage/vehicles/{vehicles.cy.pk}/"
    assert client.post(url, vehicle_form(plate_no="吉B·CY001", ownership="subsidised", vehicle_type="e_bike",
                                         unit="CY-BJL-TD")).status_code == 302
    vehicles.cy.refresh_from_db()
    assert vehicles.cy.vehicle_type == "e_bike"
    assert "已停用" in client.post(f"{url}deactivate/", follow=True).content.decode()
    vehicles.cy.refresh_from_db()
    assert not vehicles.cy.is_active
    assert "吉B·CY001" not in client.get("/manage/vehicles/").content.decode()
    assert "吉B·CY001" in client.get("/manage/vehicles/?active=0").content.decode()
