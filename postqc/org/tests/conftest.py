"""Fixtures of the /manage/ page tests, on top of the personas in postqc/conftest.py."""
from types import SimpleNamespace

import pytest


@pytest.fixture
def vehicles(org):
    """dave's own e-tricycle in 船营 (自备公助) and a company van carl drives in 蛟河."""
    from postqc.org.models import Vehicle
    from postqc.org.services import vehicle_create

    return SimpleNamespace(
        cy=vehicle_create(plate_no="吉B·CY001", ownership=Vehicle.Ownership.SUBSIDISED,
                          vehicle_type=Vehicle.Type.E_TRICYCLE, unit=org.cy_td, courier=org.dave),
        jh=vehicle_create(plate_no="吉B·JH001", ownership=Vehicle.Ownership.COMPANY,
                          vehicle_type=Vehicle.Type.VAN, unit=org.jh_hsd, courier=org.carl),
    )


@pytest.fixture
def grow(org):
    """grow(n) → add n more units, outlets, staff (with roles) and vehicles under 船营 北京路支局."""
    from postqc.org.models import Outlet, Staff, StaffRole, Unit, Vehicle
    from postqc.org.roles import Role
    from postqc.org.services import units_bulk_create

    def add(n: int, tag: str = "G") -> None:
        units_bulk_create([Unit(code=f"{tag}U{i}", name=f"投递部{i}", kind=Unit.Kind.DELIVERY, parent=org.cy_bjl)
                           for i in range(n)])
        outlets = Outlet.objects.bulk_create(
            Outlet(code=f"{tag}O{i}", name=f"网点{i}", unit=org.cy_bjl, grade="3", area_type=Outlet.AreaType.VILLAGE,
                   address=f"村{i}号", open_days_per_week=5) for i in range(n))
        people = Staff.objects.bulk_create(
            Staff(employee_no=f"{tag}S{i}", name=f"员工{i}", unit=org.cy_td, outlet=outlets[i]) for i in range(n))
        StaffRole.objects.bulk_create(
            StaffRole(staff=s, role=role) for s in people for role in (Role.COURIER, Role.CLERK))
        Vehicle.objects.bulk_create(
            Vehicle(plate_no=f"{tag}V{i}", ownership=Vehicle.Ownership.SUBSIDISED, vehicle_type=Vehicle.Type.E_BIKE,
                    unit=org.cy_td, courier=people[i]) for i in range(n))

    return add
