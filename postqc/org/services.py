"""Writes to the organisation. Views, the API, imports and commands all call these."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import is_in_scope

from .models import Outlet, OutletGradeChange, Staff, StaffRole, Unit, UnitClosure, Vehicle
from .roles import PRIVILEGED_ROLES, Capability, Role


# --- Units ------------------------------------------------------------------------


def _add_closure_rows(units: Iterable[Unit]) -> None:
    """Insert the closure rows of units whose parents already have theirs (parents first)."""
    rows: list[UnitClosure] = []
    ancestors_of: dict[int, list[tuple[int, int]]] = {}
    for unit in units:
        if unit.parent_id is None:
            chain: list[tuple[int, int]] = []
        elif unit.parent_id in ancestors_of:
            chain = ancestors_of[unit.parent_id]
        else:
            chain = list(
                UnitClosure.objects.filter(descendant_id=unit.parent_id).values_list("ancestor_id", "depth")
            )
        own = [(a, d + 1) for a, d in chain] + [(unit.pk, 0)]
        ancestors_of[unit.pk] = own
        rows.extend(UnitClosure(ancestor_id=a, descendant_id=unit.pk, depth=d) for a, d in own)
    UnitClosure.objects.bulk_create(rows)


@transaction.atomic
def unit_create(*, code: str, name: str, kind: str, parent: Unit | None, sort_order: int = 0,
                address: str = "", phone: str = "") -> Unit:
    """Create a unit under `parent` (None only for the root) and its closure rows."""
    unit = Unit(code=code, name=name, kind=kind, parent=parent, sort_order=sort_order, address=address, phone=phone,
                depth=(parent.depth + 1) if parent else 0)
    unit.full_clean()
    unit.save()
    _add_closure_rows([unit])
    return unit


@transaction.atomic
def units_bulk_create(units: list[Unit]) -> list[Unit]:
    """Create many units at once (imports, the demo). `units` must list parents before
    children; a parent may be an existing unit or one earlier in the list."""
    for unit in units:
        unit.depth = (unit.parent.depth + 1) if unit.parent else 0
    # Insert level by level so each child's parent already has its primary key.
    created: list[Unit] = []
    for depth in sorted({u.depth for u in units}):
        level = [u for u in units if u.depth == depth]
        for u in level:
            u.parent_id = u.parent.pk if u.parent else None
        created.extend(Unit.objects.bulk_create(level))
    _add_closure_rows(sorted(created, key=lambda u: u.depth))
    return created


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit) -> Unit:
    """Move a unit and its subtree under `new_parent`, rewriting the closure rows."""
    if UnitClosure.objects.filter(ancestor=unit, descendant=new_parent).exists():
        raise ValidationError({"parent": _("不能把单位移到它自己或它的下级单位之下。")})
    subtree = list(UnitClosure.objects.filter(ancestor=unit).values_list("descendant_id", "depth"))
    subtree_ids = [d for d, _depth in subtree]
    UnitClosure.objects.filter(descendant_id__in=subtree_ids).exclude(ancestor_id__in=subtree_ids).delete()
    new_ancestors = list(UnitClosure.objects.filter(descendant=new_parent).values_list("ancestor_id", "depth"))
    UnitClosure.objects.bulk_create(
        UnitClosure(ancestor_id=a, descendant_id=d, depth=ad + dd + 1)
        for a, ad in new_ancestors
        for d, dd in subtree
    )
    shift = new_parent.depth + 1 - unit.depth
    unit.parent = new_parent
    unit.save(update_fields=["parent", "updated_at"])
    if shift:
        for d, dd in subtree:
            Unit.objects.filter(pk=d).update(depth=unit.depth + shift + dd)
    unit.refresh_from_db()
    return unit


@transaction.atomic
def unit_set_active(*, unit: Unit, active: bool) -> Unit:
    """Deactivate or reactivate a unit. A unit with active staff or open outlets below it stays active."""
    if not active:
        below = UnitClosure.objects.filter(ancestor=unit).values("descendant_id")
        if Staff.objects.filter(unit_id__in=below, is_active=True).exists():
            raise ValidationError(_("该单位（含下级）仍有在职员工，不能停用。"))
        if Outlet.objects.filter(unit_id__in=below).exclude(status=Outlet.Status.CLOSED).exists():
            raise ValidationError(_("该单位（含下级）仍有未撤并的网点，不能停用。"))
    unit.is_active = active
    unit.save(update_fields=["is_active", "updated_at"])
    return unit


# --- Outlets ------------------------------------------------------------------------


def _clean_services(services: Iterable[str]) -> list[str]:
    valid = set(Outlet.Service.values)
    cleaned = []
    for code in services:
        if code not in valid:
            raise ValidationError({"services": _("未知的业务范围：%(code)s") % {"code": code}})
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


@transaction.atomic
def outlet_create(*, actor: Staff | None = None, effective_on: dt.date | None = None, **fields) -> Outlet:
    """Create an outlet; its starting grade is the first record of its grade history."""
    fields["services"] = _clean_services(fields.get("services", []))
    outlet = Outlet(**fields)
    outlet.full_clean()
    outlet.save()
    OutletGradeChange.objects.create(
        outlet=outlet, from_grade="", to_grade=outlet.grade,
        effective_on=effective_on or dt.date.today(), reason=_("建档"), recorded_by=actor,
    )
    return outlet


@transaction.atomic
def outlet_update(*, outlet: Outlet, actor: Staff | None = None, **fields) -> Outlet:
    """Edit an outlet's particulars. The grade changes only through outlet_change_grade."""
    if "grade" in fields and fields["grade"] != outlet.grade:
        raise ValidationError({"grade": _("等级变更须登记生效日期和原因，请使用“等级变更”。")})
    fields.pop("grade", None)
    if "services" in fields:
        fields["services"] = _clean_services(fields["services"])
    for name, value in fields.items():
        setattr(outlet, name, value)
    outlet.full_clean()
    outlet.save(update_fields=[*fields.keys(), "updated_at"])
    return outlet


@transaction.atomic
def outlet_change_grade(*, outlet: Outlet, to_grade: str, effective_on: dt.date, reason: str,
                        actor: Staff | None = None) -> OutletGradeChange:
    """Record a dated grade change (e.g. 三级 → 二级) and apply it. The history is an
    append-only log in date order: a change may not predate the latest record."""
    if to_grade not in Outlet.Grade.values:
        raise ValidationError({"to_grade": _("未知的网点等级：%(g)s") % {"g": to_grade}})
    if to_grade == outlet.grade:
        raise ValidationError({"to_grade": _("新等级与当前等级相同。")})
    latest = outlet.grade_changes.order_by("-effective_on", "-id").first()
    if latest is not None and effective_on < latest.effective_on:
        raise ValidationError({"effective_on": _("生效日期不能早于最近一次等级记录（%(d)s）。") % {"d": latest.effective_on}})
    change = OutletGradeChange.objects.create(
        outlet=outlet, from_grade=outlet.grade, to_grade=to_grade, effective_on=effective_on,
        reason=reason, recorded_by=actor,
    )
    outlet.grade = to_grade
    outlet.save(update_fields=["grade", "updated_at"])
    return change


@transaction.atomic
def outlet_set_status(*, outlet: Outlet, status: str, note: str = "") -> Outlet:
    """Open, suspend or close (撤并) an outlet. Closing needs the approval reference in `note`."""
    if status not in Outlet.Status.values:
        raise ValidationError({"status": _("未知的网点状态：%(s)s") % {"s": status}})
    if status == Outlet.Status.CLOSED and not note.strip():
        raise ValidationError({"status_note": _("撤并普服网点须经批准，请填写批准文号或说明。")})
    outlet.status = status
    outlet.status_note = note
    outlet.save(update_fields=["status", "status_note", "updated_at"])
    return outlet


# --- Staff --------------------------------------------------------------------------


def check_role_assignment(*, actor: Staff | None, roles: Iterable[str]) -> None:
    """Only a 系统管理员 may grant 质量管理员, 领导 or 系统管理员."""
    if actor is not None and set(roles) & PRIVILEGED_ROLES and not actor.can(Capability.ASSIGN_PRIVILEGED_ROLES):
        raise PermissionDenied(_("只有系统管理员可以授予质量管理员、领导或系统管理员角色。"))


def _validate_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    if not roles:
        raise ValidationError({"roles": _("至少选择一个角色。")})
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationError({"roles": _("未知的角色：%(r)s") % {"r": ", ".join(unknown)}})
    return roles


@transaction.atomic
def staff_create(*, employee_no: str, name: str, unit: Unit, roles: Iterable[str], phone: str = "",
                 outlet: Outlet | None = None, password: str | None = None, actor: Staff | None = None) -> Staff:
    """Create a staff account. Without a password the person cannot sign in until one is set;
    an account created by someone else must change its password at first login."""
    roles = _validate_roles(roles)
    check_role_assignment(actor=actor, roles=roles)
    if outlet is not None and not is_unit_at_or_below(outlet.unit_id, unit.pk):
        raise ValidationError({"outlet": _("网点不在该员工所属单位之下。")})
    staff = Staff(employee_no=employee_no, name=name, phone=phone, unit=unit, outlet=outlet,
                  must_change_password=True, is_staff=Role.SYSADMIN in roles)
    if password:
        staff.set_password(password)
    else:
        staff.set_unusable_password()
    staff.full_clean(exclude=["password"])
    staff.save()
    StaffRole.objects.bulk_create(StaffRole(staff=staff, role=r) for r in roles)
    return staff


@transaction.atomic
def staff_update(*, staff: Staff, actor: Staff | None = None, roles: Iterable[str] | None = None, **fields) -> Staff:
    """Edit a person's particulars and, when given, replace their roles."""
    for name, value in fields.items():
        setattr(staff, name, value)
    if staff.outlet_id is not None and not is_unit_at_or_below(staff.outlet.unit_id, staff.unit_id):
        raise ValidationError({"outlet": _("网点不在该员工所属单位之下。")})
    update_fields = [*fields.keys(), "updated_at"]
    if roles is not None:
        roles = _validate_roles(roles)
        added = set(roles) - staff.roles
        removed = staff.roles - set(roles)
        check_role_assignment(actor=actor, roles=added | (removed & PRIVILEGED_ROLES))
        StaffRole.objects.filter(staff=staff, role__in=removed).delete()
        StaffRole.objects.bulk_create(StaffRole(staff=staff, role=r) for r in added)
        staff.is_staff = Role.SYSADMIN in roles
        update_fields.append("is_staff")
        staff.__dict__.pop("roles", None)
    staff.full_clean(exclude=["password"])
    staff.save(update_fields=update_fields)
    return staff


@transaction.atomic
def staff_set_active(*, staff: Staff, active: bool, actor: Staff | None = None) -> Staff:
    """Deactivate (离职/停用) or reactivate an account. Nobody deactivates themselves."""
    if actor is not None and actor.pk == staff.pk and not active:
        raise ValidationError(_("不能停用自己的账号。"))
    staff.is_active = active
    staff.save(update_fields=["is_active", "updated_at"])
    return staff


@transaction.atomic
def staff_reset_password(*, staff: Staff, new_password: str) -> Staff:
    """Set a temporary password chosen by a manager; the person must change it at next login."""
    staff.set_password(new_password)
    staff.must_change_password = True
    staff.save(update_fields=["password", "must_change_password", "updated_at"])
    return staff


@transaction.atomic
def staff_change_own_password(*, staff: Staff, new_password: str) -> Staff:
    staff.set_password(new_password)
    staff.must_change_password = False
    staff.save(update_fields=["password", "must_change_password", "updated_at"])
    return staff


def is_unit_at_or_below(unit_id: int, ancestor_id: int) -> bool:
    return UnitClosure.objects.filter(ancestor_id=ancestor_id, descendant_id=unit_id).exists()


def actor_may_manage_unit(actor: Staff, unit: Unit) -> bool:
    return is_in_scope(actor, unit.pk)


# --- Units: particulars -----------------------------------------------------------

UNIT_EDITABLE_FIELDS = frozenset({"name", "kind", "sort_order", "address", "phone"})


@transaction.atomic
def unit_update(*, unit: Unit, **fields) -> Unit:
    """Edit a unit's particulars. Its code is its public key and stays; its place in the
    tree changes only through unit_move, which keeps the closure rows right."""
    unknown = set(fields) - UNIT_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"unit_update cannot change: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.full_clean()
    unit.save(update_fields=[*fields.keys(), "updated_at"])
    return unit


# --- Staff: accounts holding privileged roles ----------------------------------------


def check_privileged_account_change(*, actor: Staff, staff: Staff) -> None:
    """Only a 系统管理员 may reset the password of, deactivate or reactivate a person holding a
    privileged role: whoever could take over such an account could use roles they may not grant."""
    if staff.roles & PRIVILEGED_ROLES and not actor.can(Capability.ASSIGN_PRIVILEGED_ROLES):
        raise PermissionDenied(_("质量管理员、领导、系统管理员的账号只能由系统管理员重置密码、停用或启用。"))


# --- Vehicles -----------------------------------------------------------------------


def _check_vehicle_courier(vehicle: Vehicle, *, courier_changed: bool) -> None:
    if vehicle.courier_id is None:
        if vehicle.ownership == Vehicle.Ownership.SUBSIDISED:
            raise ValidationError({"courier": _("自备公助车辆须指定使用的投递员。")})
        return
    if not courier_changed:
        return
    courier = vehicle.courier
    if not courier.is_active:
        raise ValidationError({"courier": _("%(name)s 已停用，不能分配车辆。") % {"name": courier}})
    if Role.COURIER not in courier.roles:
        raise ValidationError({"courier": _("%(name)s 不是投递员。") % {"name": courier}})
    if not is_unit_at_or_below(courier.unit_id, vehicle.unit_id):
        raise ValidationError({"courier": _("%(name)s 不在车辆所属单位之下。") % {"name": courier}})


@transaction.atomic
def vehicle_create(*, plate_no: str, ownership: str, vehicle_type: str, unit: Unit, courier: Staff | None = None,
                   acquired_on: dt.date | None = None) -> Vehicle:
    """Register a delivery vehicle. A 自备公助 vehicle is the courier's own, so it names its courier;
    any courier named is an active 投递员 at or under the vehicle's unit."""
    vehicle = Vehicle(plate_no=plate_no.strip().upper(), ownership=ownership, vehicle_type=vehicle_type, unit=unit,
                      courier=courier, acquired_on=acquired_on)
    vehicle.full_clean()
    _check_vehicle_courier(vehicle, courier_changed=True)
    vehicle.save()
    return vehicle


@transaction.atomic
def vehicle_update(*, vehicle: Vehicle, **fields) -> Vehicle:
    """Edit a vehicle or hand it to another courier; the courier rules of vehicle_create apply
    whenever the courier or the unit changes."""
    if "plate_no" in fields:
        fields["plate_no"] = fields["plate_no"].strip().upper()
    before = (vehicle.courier_id, vehicle.unit_id)
    for name, value in fields.items():
        setattr(vehicle, name, value)
    vehicle.full_clean()
    _check_vehicle_courier(vehicle, courier_changed=(vehicle.courier_id, vehicle.unit_id) != before)
    vehicle.save(update_fields=[*fields.keys(), "updated_at"])
    return vehicle


@transaction.atomic
def vehicle_set_active(*, vehicle: Vehicle, active: bool) -> Vehicle:
    """Take a vehicle out of service (报废/退还) or put it back; the record and its courier stay."""
    vehicle.is_active = active
    vehicle.save(update_fields=["is_active", "updated_at"])
    return vehicle


# --- Staff: many people at once (the Excel import) ------------------------------------

STAFF_BULK_FIELDS = frozenset({"name", "phone", "unit", "outlet", "is_active", "roles"})
_PER_PERSON_FIELDS = frozenset({"name", "phone"})  # values differ by person; the others repeat
_BULK_CHUNK = 5000


@transaction.atomic
def staff_bulk_update(*, changes: list[tuple[Staff, dict]], actor: Staff | None = None) -> None:
    """Apply many people's edits in a few queries, however many people: each entry is
    (person, {field: value}) with fields among name, phone, unit, outlet, is_active and roles
    (the person's full new role list).

    The rules of staff_update and staff_set_active hold, checked for everyone before anything
    is written: the outlet sits at or under the person's unit; only a 系统管理员 grants or takes
    away privileged roles, or deactivates or reactivates a person holding one; nobody
    deactivates themselves. A broken rule raises ValidationError or PermissionDenied naming
    the person, and nothing is written."""
    if not changes:
        return
    people = [person for person, _fields in changes]
    held: dict[int, set[str]] = {person.pk: set() for person in people}
    ids = list(held)
    for start in range(0, len(ids), _BULK_CHUNK):
        for staff_id, role in StaffRole.objects.filter(staff_id__in=ids[start:start + _BULK_CHUNK]).values_list(
                "staff_id", "role"):
            held[staff_id].add(role)
    now = timezone.now()
    touched: dict[str, list[Staff]] = {}  # field → the people whose field changes
    added: list[StaffRole] = []
    removed: dict[str, list[int]] = {}
    for person, fields in changes:
        unknown = set(fields) - STAFF_BULK_FIELDS
        if unknown:
            raise ValueError(f"staff_bulk_update cannot change: {', '.join(sorted(unknown))}")
        before = frozenset(held[person.pk])
        person.__dict__["roles"] = before  # what the checks below read
        try:
            if "is_active" in fields and fields["is_active"] != person.is_active:
                if actor is not None and actor.pk == person.pk and not fields["is_active"]:
                    raise ValidationError(_("不能停用自己的账号。"))
                if actor is not None:
                    check_privileged_account_change(actor=actor, staff=person)
            if fields.get("roles") is not None:
                roles = set(_validate_roles(fields["roles"]))
                check_role_assignment(actor=actor, roles=(roles - before) | ((before - roles) & PRIVILEGED_ROLES))
                added.extend(StaffRole(staff=person, role=r) for r in roles - before)
                for r in before - roles:
                    removed.setdefault(r, []).append(person.pk)
                person.is_staff = Role.SYSADMIN in roles
                touched.setdefault("is_staff", []).append(person)
            for name, value in fields.items():
                if name != "roles":
                    setattr(person, name, value)
                    touched.setdefault(name, []).append(person)
            person.updated_at = now
            person.clean_fields(exclude=["password", "unit", "outlet"])
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise type(exc)(_("%(person)s：%(reason)s") % {"person": person, "reason": " ".join(messages)}) from None
    with_outlet = [p for p in people if p.outlet_id is not None]
    outlet_unit = dict(Outlet.objects.filter(pk__in={p.outlet_id for p in with_outlet}).values_list("pk", "unit_id"))
    below = set(UnitClosure.objects.filter(
        ancestor_id__in={p.unit_id for p in with_outlet}, descendant_id__in=set(outlet_unit.values()),
    ).values_list("ancestor_id", "descendant_id"))
    for person in with_outlet:
        if (person.unit_id, outlet_unit[person.outlet_id]) not in below:
            raise ValidationError(_("%(person)s：网点不在该员工所属单位之下。") % {"person": person})
    # bulk_update writes a CASE branch per person and field: only for names and phones. The other
    # fields take a handful of values (units, outlets, True/False): one UPDATE per value.
    for name, changed in touched.items():
        if name in _PER_PERSON_FIELDS:
            Staff.objects.bulk_update(changed, [name], batch_size=1000)
            continue
        attname = Staff._meta.get_field(name).attname
        by_value: dict[object, list[int]] = {}
        for person in changed:
            by_value.setdefault(getattr(person, attname), []).append(person.pk)
        for value, staff_ids in by_value.items():
            for start in range(0, len(staff_ids), _BULK_CHUNK):
                Staff.objects.filter(pk__in=staff_ids[start:start + _BULK_CHUNK]).update(**{attname: value})
    for start in range(0, len(ids), _BULK_CHUNK):
        Staff.objects.filter(pk__in=ids[start:start + _BULK_CHUNK]).update(updated_at=now)
    for role, staff_ids in removed.items():
        for start in range(0, len(staff_ids), _BULK_CHUNK):
            StaffRole.objects.filter(role=role, staff_id__in=staff_ids[start:start + _BULK_CHUNK]).delete()
    StaffRole.objects.bulk_create(added, batch_size=1000)
    for person in people:
        person.__dict__.pop("roles", None)
