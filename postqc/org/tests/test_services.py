import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postqc.org.models import Outlet, OutletGradeChange, Staff, StaffRole
from postqc.org.roles import Role
from postqc.org.services import (
    outlet_change_grade,
    outlet_set_status,
    outlet_update,
    staff_create,
    staff_reset_password,
    staff_set_active,
    staff_update,
    unit_set_active,
)


def test_an_upgrade_is_a_dated_record_not_an_overwrite(org):
    outlet_change_grade(outlet=org.o_jh, to_grade="2", effective_on=dt.date.today(),
                        reason="吉邮〔2018〕12号", actor=org.charlie)
    org.o_jh.refresh_from_db()
    assert org.o_jh.grade == "2"
    history = list(org.o_jh.grade_changes.order_by("effective_on", "id").values_list("from_grade", "to_grade"))
    assert history == [("", "3"), ("3", "2")]


def test_a_change_may_not_predate_the_latest_grade_record(org):
    outlet_change_grade(outlet=org.o_jh, to_grade="2", effective_on=dt.date.today(), reason="升级")
    with pytest.raises(ValidationError) as err:
        outlet_change_grade(outlet=org.o_jh, to_grade="1", effective_on=dt.date(2018, 1, 1), reason="补录")
    assert "effective_on" in err.value.message_dict
    org.o_jh.refresh_from_db()
    assert org.o_jh.grade == "2" and org.o_jh.grade_changes.count() == 2


def test_same_grade_or_unknown_grade_is_refused(org):
    with pytest.raises(ValidationError):
        outlet_change_grade(outlet=org.o_jh, to_grade="3", effective_on=dt.date(2020, 1, 1), reason="")
    with pytest.raises(ValidationError):
        outlet_change_grade(outlet=org.o_jh, to_grade="4", effective_on=dt.date(2020, 1, 1), reason="")
    assert OutletGradeChange.objects.filter(outlet=org.o_jh).count() == 1


def test_editing_an_outlet_cannot_sneak_a_grade_change(org):
    with pytest.raises(ValidationError) as err:
        outlet_update(outlet=org.o_cy, grade="3", name="新名字")
    assert "grade" in err.value.message_dict
    org.o_cy.refresh_from_db()
    assert (org.o_cy.grade, org.o_cy.name) == ("1", "北京路营业所")


def test_unknown_service_code_names_the_field(org):
    with pytest.raises(ValidationError) as err:
        outlet_update(outlet=org.o_cy, services=["letters", "teleport"])
    assert "teleport" in str(err.value.message_dict["services"])


def test_closing_an_outlet_needs_the_approval_reference(org):
    with pytest.raises(ValidationError):
        outlet_set_status(outlet=org.o_jh, status=Outlet.Status.CLOSED, note=" ")
    outlet_set_status(outlet=org.o_jh, status=Outlet.Status.CLOSED, note="吉邮管〔2020〕3号批复")
    org.o_jh.refresh_from_db()
    assert org.o_jh.status == Outlet.Status.CLOSED


def test_new_staff_must_change_password_and_get_their_roles(org):
    s = staff_create(employee_no="N001", name="牛一", unit=org.cy_bjl, roles=[Role.CLERK, Role.COURIER],
                     outlet=org.o_cy, actor=org.alice)
    assert s.must_change_password
    assert not s.has_usable_password()
    assert set(StaffRole.objects.filter(staff=s).values_list("role", flat=True)) == {"clerk", "courier"}


def test_quality_manager_cannot_grant_privileged_roles(org):
    with pytest.raises(PermissionDenied):
        staff_create(employee_no="N002", name="牛二", unit=org.cy, roles=[Role.QUALITY], actor=org.alice)
    assert not Staff.objects.filter(employee_no="N002").exists()
    with pytest.raises(PermissionDenied):
        staff_update(staff=org.bob, roles=[Role.CLERK, Role.LEADER], actor=org.alice)
    assert Staff.objects.get(pk=org.bob.pk).roles == {"clerk"}


def test_sysadmin_grants_sysadmin_which_opens_the_admin_site(org):
    staff_update(staff=org.alice, roles=[Role.QUALITY, Role.SYSADMIN], actor=org.sam)
    fresh = Staff.objects.get(pk=org.alice.pk)
    assert fresh.roles == {"quality", "sysadmin"} and fresh.is_staff


def test_staff_outlet_must_be_under_their_unit(org):
    with pytest.raises(ValidationError):
        staff_create(employee_no="N003", name="牛三", unit=org.cy_bjl, roles=[Role.CLERK], outlet=org.o_jh)


def test_roles_must_be_known_and_present(org):
    with pytest.raises(ValidationError):
        staff_create(employee_no="N004", name="牛四", unit=org.cy, roles=[])
    with pytest.raises(ValidationError):
        staff_create(employee_no="N005", name="牛五", unit=org.cy, roles=["astronaut"])


def test_nobody_deactivates_themselves(org):
    with pytest.raises(ValidationError):
        staff_set_active(staff=org.alice, active=False, actor=org.alice)
    staff_set_active(staff=org.bob, active=False, actor=org.alice)
    org.bob.refresh_from_db()
    assert not org.bob.is_active


def test_password_reset_forces_a_change_at_next_login(org):
    staff_reset_password(staff=org.bob, new_password="Temp-Pass-2026")
    org.bob.refresh_from_db()
    assert org.bob.must_change_password and org.bob.check_password("Temp-Pass-2026")


def test_a_unit_with_people_or_open_outlets_cannot_be_deactivated(org):
    with pytest.raises(ValidationError):
        unit_set_active(unit=org.jh, active=False)
    empty = org.cy_td
    staff_set_active(staff=org.dave, active=False)
    unit_set_active(unit=empty, active=False)
    empty.refresh_from_db()
    assert not empty.is_active


def test_codes_that_clash_with_page_urls_are_refused(org):
    with pytest.raises(ValidationError) as err:
        staff_create(employee_no="new", name="牛六", unit=org.cy, roles=[Role.CLERK])
    assert "employee_no" in err.value.message_dict
