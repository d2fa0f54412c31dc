"""Writes of 邮驿站: stations (create, edit, status), supplies checks and the usage log.

Every function validates everything first and raises ValidationError keyed by field, writes in one
transaction, and keeps history append-only: a status change is a StationStatusChange row, a supplies
check an AmenityCheck row, a visit a Visit row. Managing a station needs `manage_stations`, logging a
visit or a check `log_station_visits`; either only inside the actor's subtree (outside it: 404 in the
views, PermissionDenied here).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import is_in_scope, require
from postqc.org.models import Outlet, Unit, UnitClosure, code_validator, reserved_code_validator
from postqc.org.roles import Capability

from . import hours as hours_mod
from .models import Amenity, AmenityCheck, Group, Station, StationStatusChange, Visit, VisitEntry, VisitWithdrawal

FIELDS = ("code", "name", "unit", "outlet", "address", "latitude", "longitude", "phone", "hours", "amenities",
          "amenity_note", "groups")
MAX_VISIT_COUNT = 500
VISIT_DAYS_BACK = 31  # how far back a visit may be logged: last month's sheet can still be completed
WITHDRAW_DAYS = 7  # how long the person who logged an entry may take it back themselves


def district_of(unit_ids) -> dict[int, int]:
    """unit id → the id of the district or county unit above it (or itself); one query."""
    rows = UnitClosure.objects.filter(descendant_id__in=list(unit_ids),
                                      ancestor__kind__in=(Unit.Kind.DISTRICT, Unit.Kind.COUNTY))
    return dict(rows.values_list("descendant_id", "ancestor_id"))


def _decimal(value, low: int, high: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip()).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValueError(_("应为数字（度，小数）。")) from None
    if not low <= number <= high:
        raise ValueError(_("应在 %(a)d 到 %(b)d 之间。") % {"a": low, "b": high})
    return number


def clean_station(data: dict[str, Any], *, actor, instance: Station | None = None) -> dict[str, Any]:
    """The station fields checked and converted, or ValidationError keyed by field.

    `unit` and `outlet` are Unit / Outlet objects (or None). A station hosted by an outlet belongs to
    the outlet's unit; a station with no outlet names its unit. The unit must be inside the actor's
    subtree. Coordinates come both or neither, within China's range of degrees. At least one weekday
    must be open. Amenities and groups are codes of the lists; "other" needs its note."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    code = (data.get("code") or "").strip()
    if instance is not None:
        code = instance.code
    elif not code:
        errors["code"] = [_("请填写站点编码。")]
    else:
        try:
            code_validator(code)
            reserved_code_validator(code)
        except ValidationError as exc:
            errors["code"] = exc.messages
        else:
            if code.lower() == "report":  # /manage/stations/report/ is the usage report
                errors["code"] = [_("该编码为系统保留字，请换一个。")]
            elif len(code) > 32:
                errors["code"] = [_("站点编码不超过 32 个字符。")]
            elif Station.objects.filter(code=code).exists():
                errors["code"] = [_("站点编码 %(c)s 已被使用。") % {"c": code}]
    out["code"] = code
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("请填写站点名称。")]
    elif len(name) > 64:
        errors["name"] = [_("站点名称不超过 64 个字。")]
    out["name"] = name
    outlet: Outlet | None = data.get("outlet")
    unit: Unit | None = data.get("unit")
    if outlet is not None:
        if unit is not None and unit.pk != outlet.unit_id:
            errors["unit"] = [_("网点 %(o)s 属于 %(u)s：所属单位应为该单位或留空。") % {
                "o": outlet.name, "u": outlet.unit.name}]
        unit = outlet.unit
    if unit is None:
        errors.setdefault("unit", [_("请选择所属单位，或填写依托网点。")])
    elif not is_in_scope(actor, unit.pk):
        errors.setdefault("unit", [_("只能管理本单位及下级单位的邮驿站。")])
    out["unit"], out["outlet"] = unit, outlet
    address = (data.get("address") or "").strip() or (outlet.address if outlet else "")
    if not address:
        errors["address"] = [_("请填写地址。")]
    elif len(address) > 200:
        errors["address"] = [_("地址不超过 200 字。")]
    out["address"] = address
    lat, lng = data.get("latitude"), data.get("longitude")
    if lat in (None, "") and lng in (None, "") and outlet is not None:
        lat, lng = outlet.latitude, outlet.longitude
    for field, value, low, high in (("latitude", lat, 3, 54), ("longitude", lng, 73, 136)):
        try:
            out[field] = _decimal(value, low, high)
        except ValueError as exc:
            errors[field] = [str(exc)]
    if "latitude" in out and "longitude" in out and (out["latitude"] is None) != (out["longitude"] is None):
        errors["latitude"] = [_("经度和纬度应同时填写或同时留空。")]
    phone = (data.get("phone") or "").strip() or (outlet.phone if outlet else "")
    if len(phone) > 32:
        errors["phone"] = [_("联系电话不超过 32 个字符。")]
    out["phone"] = phone
    week = data.get("hours") or {}
    try:
        out["hours"] = hours_mod.validate_week(week)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        if not out["hours"]:
            errors["hours"] = [_("请至少填写一天的开放时间。")]
    amenities = list(dict.fromkeys(data.get("amenities") or []))
    unknown = [a for a in amenities if a not in Amenity.values]
    if unknown:
        errors["amenities"] = [_("没有这种设施：%(a)s。") % {"a": "、".join(map(str, unknown))}]
    out["amenities"] = [a for a in Amenity.values if a in amenities]
    note = (data.get("amenity_note") or "").strip()
    if Amenity.OTHER in amenities and not note:
        errors["amenity_note"] = [_("选了“其他”设施，请写明是什么。")]
    elif len(note) > 200:
        errors["amenity_note"] = [_("其他设施说明不超过 200 字。")]
    out["amenity_note"] = note
    groups = list(dict.fromkeys(data.get("groups") or []))
    unknown = [g for g in groups if g not in Group.values]
    if unknown:
        errors["groups"] = [_("没有这个服务人群：%(g)s。") % {"g": "、".join(map(str, unknown))}]
    elif not groups:
        errors["groups"] = [_("请至少选择一个服务人群。")]
    out["groups"] = [g for g in Group.values if g in groups]
    if errors:
        raise ValidationError(errors)
    return out


def _require_manager(actor) -> None:
    require(actor, Capability.MANAGE_STATIONS)


@transaction.atomic
def station_create(*, actor, **data) -> Station:
    """A new open station; its first status row says who opened it."""
    _require_manager(actor)
    clean = clean_station(data, actor=actor)
    station = Station(**clean, district_id=district_of([clean["unit"].pk]).get(clean["unit"].pk))
    station.save()
    StationStatusChange.objects.create(station=station, from_status="", to_status=Station.Status.OPEN,
                                       reason=_("建站"), actor=actor)
    return station


@transaction.atomic
def station_update(*, station: Station, actor, **data) -> Station:
    """Change a station's details (not its code, not its status: station_set_status does that). A
    closed station is history and is not edited."""
    _require_manager(actor)
    if not is_in_scope(actor, station.unit_id):
        raise PermissionDenied(_("只能管理本单位及下级单位的邮驿站。"))
    if station.status == Station.Status.CLOSED:
        raise ValidationError({"status": [_("已撤销的站点不能再修改，它的记录保持撤销时的样子。")]})
    clean = clean_station(data, actor=actor, instance=station)
    for field, value in clean.items():
        setattr(station, field, value)
    station.district_id = district_of([station.unit_id]).get(station.unit_id)
    station.save()
    return station


@transaction.atomic
def station_set_status(*, station: Station, status: str, reason: str, actor) -> Station:
    """Open, suspend or close a station. Suspending or closing needs a reason; a closed station is
    closed for good (open a new one instead), so history keeps what it was."""
    _require_manager(actor)
    station = Station.objects.select_for_update().get(pk=station.pk)
    if not is_in_scope(actor, station.unit_id):
        raise PermissionDenied(_("只能管理本单位及下级单位的邮驿站。"))
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if status not in Station.Status.values:
        errors["status"] = [_("状态应为开放、暂停开放或已撤销。")]
    elif status == station.status:
        errors["status"] = [_("站点已是“%(s)s”。") % {"s": station.get_status_display()}]
    elif station.status == Station.Status.CLOSED:
        errors["status"] = [_("已撤销的站点不能重新开放，请新建站点。")]
    if status in (Station.Status.SUSPENDED, Station.Status.CLOSED) and not reason:
        errors["reason"] = [_("暂停或撤销请写明原因。")]
    elif len(reason) > 200:
        errors["reason"] = [_("原因不超过 200 字。")]
    if errors:
        raise ValidationError(errors)
    StationStatusChange.objects.create(station=station, from_status=station.status, to_status=status, reason=reason,
                                       actor=actor)
    station.status, station.status_reason = status, reason if status != Station.Status.OPEN else ""
    station.save(update_fields=["status", "status_reason", "updated_at"])
    return station


def _require_logger(actor, station: Station) -> None:
    require(actor, Capability.LOG_STATION_VISITS)
    if not is_in_scope(actor, station.unit_id):
        raise PermissionDenied(_("只能登记本单位及下级单位的邮驿站。"))


@transaction.atomic
def amenity_check(*, station: Station, amenity: str, state: str, note: str = "", actor) -> AmenityCheck:
    """Record a supplies / amenity check. An amenity out of order or out of stock shows on the
    station's page and the managers' list until a later check says it is OK again."""
    _require_logger(actor, station)
    station = Station.objects.select_for_update().get(pk=station.pk)
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if amenity not in station.amenities:
        errors["amenity"] = [_("本站没有登记这项设施。")]
    if state not in AmenityCheck.State.values:
        errors["state"] = [_("情况应为正常、故障或缺货。")]
    if state in (AmenityCheck.State.OUT_OF_ORDER, AmenityCheck.State.OUT_OF_STOCK) and not note:
        errors["note"] = [_("故障或缺货请简要说明。")]
    elif len(note) > 200:
        errors["note"] = [_("说明不超过 200 字。")]
    if errors:
        raise ValidationError(errors)
    check = AmenityCheck.objects.create(station=station, amenity=amenity, state=state, note=note, checked_by=actor)
    issues = dict(station.amenity_issues)
    if state == AmenityCheck.State.OK:
        issues.pop(amenity, None)
    else:
        issues[amenity] = {"state": state, "note": note, "on": f"{timezone.localdate(check.at):%Y-%m-%d}"}
    station.amenity_issues = issues
    station.save(update_fields=["amenity_issues", "updated_at"])
    return check


def clean_visit(*, station: Station, group: str, count, services, visited_on, note: str = "") -> dict:
    errors: dict[str, list[str]] = {}
    if group not in Group.values:
        errors["group"] = [_("请选择服务人群。")]
    try:
        count = int(count)
    except (TypeError, ValueError):
        errors["count"] = [_("人次应为整数。")]
    else:
        if not 1 <= count <= MAX_VISIT_COUNT:
            errors["count"] = [_("人次应在 1 到 %(n)d 之间。") % {"n": MAX_VISIT_COUNT}]
    services = list(dict.fromkeys(services or []))
    bad = [s for s in services if s not in station.amenities]
    if bad:
        errors["services"] = [_("本站没有这些设施：%(s)s。") % {"s": "、".join(map(str, bad))}]
    today = timezone.localdate()
    if isinstance(visited_on, str):
        try:
            visited_on = dt.date.fromisoformat(visited_on)
        except ValueError:
            errors["visited_on"] = [_("请填写日期（年-月-日）。")]
    if isinstance(visited_on, dt.date):
        if visited_on > today:
            errors["visited_on"] = [_("日期不能晚于今天。")]
        elif visited_on < today - dt.timedelta(days=VISIT_DAYS_BACK):
            errors["visited_on"] = [_("只能补登 %(n)d 天以内的台账。") % {"n": VISIT_DAYS_BACK}]
    elif "visited_on" not in errors:
        errors["visited_on"] = [_("请填写日期（年-月-日）。")]
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = [_("备注不超过 200 字。")]
    if station.status != Station.Status.OPEN:
        errors["station"] = [_("站点%(s)s，不能登记服务台账。") % {"s": station.get_status_display()}]
    if errors:
        raise ValidationError(errors)
    return {"group": group, "count": count, "services": [s for s in Amenity.values if s in services],
            "visited_on": visited_on, "note": note}


@transaction.atomic
def visit_log(*, station: Station, actor, group: str, count, services=(), visited_on=None, note: str = "") -> Visit:
    """Log people of one group using a station on a day (today unless said otherwise)."""
    _require_logger(actor, station)
    clean = clean_visit(station=station, group=group, count=count, services=services,
                        visited_on=visited_on if visited_on is not None else timezone.localdate(), note=note)
    return Visit.objects.create(station=station, unit_id=station.unit_id, recorded_by=actor, **clean)


def may_withdraw(actor, visit: Visit) -> bool:
    """The person who logged an entry, for WITHDRAW_DAYS after logging it; a station manager
    (`manage_stations`) of its subtree at any time."""
    if actor.can(Capability.MANAGE_STATIONS) and is_in_scope(actor, visit.unit_id):
        return True
    return (visit.recorded_by_id == actor.pk and actor.can(Capability.LOG_STATION_VISITS)
            and timezone.now() - visit.created_at <= dt.timedelta(days=WITHDRAW_DAYS))


@transaction.atomic
def visit_withdraw(*, visit: Visit, actor, reason: str = "") -> VisitWithdrawal:
    """Take back (撤销) a wrong 服务台账 entry: it leaves every tally and report, and a VisitWithdrawal
    keeps what it said, who logged it and who took it back, when and why."""
    if not may_withdraw(actor, visit):
        raise PermissionDenied(_("只有登记人可在 %(n)d 天内撤销自己登记的台账；超过期限请联系邮驿站管理员。")
                               % {"n": WITHDRAW_DAYS})
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationError({"reason": [_("撤销原因不超过 200 字。")]})
    visit = Visit.objects.select_for_update().filter(pk=visit.pk).first()  # two taps on 撤销: taken back once
    if visit is None:
        raise ValidationError({"visit": [_("这条台账已经撤销。")]})
    withdrawal = VisitWithdrawal.objects.create(
        **{f.attname: getattr(visit, f.attname) for f in VisitEntry._meta.fields},  # what the entry said
        station_id=visit.station_id, visit_id=visit.pk, recorded_at=visit.created_at, withdrawn_by=actor,
        reason=reason)
    visit.delete()
    return withdrawal
