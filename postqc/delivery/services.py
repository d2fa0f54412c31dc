"""投递质量 writes: segments, the rules (a new row per change), and logging a delivery run."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import is_in_scope, require, scoped
from postqc.org.models import Staff, Unit, Vehicle
from postqc.org.roles import Capability, Role

from .models import (SEGMENT_TRACKED_FIELDS, AreaType, DeliveryRecord, DepthRule, FrequencyRule, HandoverPoint,
                     MailClass, Route, Segment, SegmentChange, TimeLimitRule)
from .selectors import monday

SEGMENT_UNIT_KINDS = (Unit.Kind.DELIVERY, Unit.Kind.BRANCH)
NOTE_MAX = 200
LOG_BACK_DAYS = 7  # a courier logs a run on the phone within a week of it; older runs come by import
MAX_ITEMS = 100_000


# --- Segments ------------------------------------------------------------------------------------------


def segment_refs(actor, *, units=(), couriers=(), vehicles=()) -> dict[str, dict]:
    """The units (of the actor's subtree), couriers and vehicles named by these codes, each by its code:
    three queries whatever the number of codes (the import reads a whole sheet with one call)."""
    units, couriers, vehicles = ({c for c in units if c}, {c for c in couriers if c}, {c for c in vehicles if c})
    return {
        "unit": {u.code: u for u in scoped(Unit.objects.filter(code__in=units), actor)} if units else {},
        "courier": {s.employee_no: s for s in Staff.objects.filter(employee_no__in=couriers)
                    .prefetch_related("role_links")} if couriers else {},
        "vehicle": {v.plate_no: v for v in Vehicle.objects.filter(plate_no__in=vehicles)} if vehicles else {},
    }


def segment_resolve(raw: dict, refs: dict[str, dict]) -> tuple[dict, dict[str, list[str]]]:
    """Turn the typed codes of `raw` (unit code, courier's employee number, vehicle number) into the
    objects `segment_check` / `segment_save` take, from `segment_refs`; the codes that name nothing
    are errors keyed by field. The Excel import and the segment form both resolve through here."""
    values = dict(raw)
    errors: dict[str, list[str]] = {}
    unit_code = (raw.get("unit") or "").strip()
    values["unit"] = refs["unit"].get(unit_code) if unit_code else None
    if unit_code and values["unit"] is None:
        errors["unit"] = [_("单位 %(c)s 不存在或不在您的管辖范围内") % {"c": unit_code}]
    for field, message in (("courier", _("没有工号为 %(n)s 的员工")), ("vehicle", _("没有编号为 %(n)s 的车辆"))):
        code = (raw.get(field) or "").strip()
        values[field] = refs[field].get(code) if code else None
        if code and values[field] is None:
            errors[field] = [message % {"n": code}]
    return values, errors


def segment_check(*, actor, values: dict, existing: Segment | None) -> dict[str, list[str]]:
    """The errors of a segment's values (keyed by field), the rules segment_save enforces.
    `values` holds model objects already resolved: unit, courier, vehicle (None when not given)."""
    errors: dict[str, list[str]] = {}
    code = (values.get("code") or "").strip()
    if not code:
        errors["code"] = [_("请填写段道编码。")]
    elif len(code) > 32:
        errors["code"] = [_("段道编码不超过 32 个字符。")]
    elif existing is None and Segment.objects.filter(code=code).exists():
        errors["code"] = [_("段道编码 %(c)s 已存在。") % {"c": code}]
    if not (values.get("name") or "").strip():
        errors["name"] = [_("请填写段道名称。")]
    elif len(values["name"].strip()) > 64:
        errors["name"] = [_("段道名称不超过 64 个字符。")]
    unit = values.get("unit")
    if unit is None:
        errors["unit"] = [_("请选择所属单位。")]
    elif unit.kind not in SEGMENT_UNIT_KINDS:
        errors["unit"] = [_("段道只能属于投递部或支局（%(u)s 是%(k)s）。") % {"u": unit.name, "k": unit.get_kind_display()}]
    elif not is_in_scope(actor, unit.pk):
        errors["unit"] = [_("只能在本单位及下级单位设置段道。")]
    if values.get("area_type") not in AreaType.values:
        errors["area_type"] = [_("区域类型应为城市、乡镇或农村。")]
    if values.get("handover_point") not in HandoverPoint.values:
        errors["handover_point"] = [_("请选择交接方式。")]
    courier = values.get("courier")
    if courier is not None and unit is not None and "unit" not in errors:
        if not courier.has_role(Role.COURIER):
            errors["courier"] = [_("%(n)s 不是投递员。") % {"n": courier}]
        elif not is_in_scope(actor, courier.unit_id):
            errors["courier"] = [_("投递员须是本单位及下级单位的员工。")]
    vehicle = values.get("vehicle")
    if vehicle is not None and not is_in_scope(actor, vehicle.unit_id):
        errors["vehicle"] = [_("车辆须属于本单位及下级单位。")]
    planned = values.get("planned_per_week")
    if not isinstance(planned, int) or not 1 <= planned <= 42:
        errors["planned_per_week"] = [_("每周计划投递次数应为 1–42 的整数。")]
    households = values.get("households")
    if not isinstance(households, int) or not 0 <= households <= 1_000_000:
        errors["households"] = [_("服务户数/投递点数应为 0–1000000 的整数。")]
    if not isinstance(values.get("in_service_from"), dt.date):
        errors["in_service_from"] = [_("请填写启用日期（年-月-日）。")]
    return errors


@transaction.atomic
def segment_save(*, actor, values: dict, existing: Segment | None = None, note: str = "") -> Segment:
    """Create a segment, or update `existing` (its code stays). Needs `manage_delivery`; the segment's
    unit (a 投递部 or 支局), courier and vehicle must be inside the actor's subtree. `note` says why
    (optional; kept on the history row). All or nothing: errors keyed by field."""
    require(actor, Capability.MANAGE_DELIVERY)
    if existing is not None and not is_in_scope(actor, existing.unit_id):
        raise PermissionDenied(_("只能修改本单位及下级单位的段道。"))
    if existing is not None:
        values = {**values, "code": existing.code}
    errors = segment_check(actor=actor, values=values, existing=existing)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [_("变更说明不超过 %(n)d 字。") % {"n": NOTE_MAX}]
    if errors:
        raise ValidationError(errors)
    before = as_recorded(segment_values(existing)) if existing is not None else None
    was_active = existing.is_active if existing is not None else None
    segment = existing or Segment(code=values["code"].strip())
    for name in ("unit", "area_type", "courier", "vehicle", "handover_point", "planned_per_week", "households",
                 "in_service_from"):
        setattr(segment, name, values[name])
    segment.name = values["name"].strip()
    segment.is_active = values.get("is_active", True)
    segment.save()
    if before is None:
        change = created_change(segment, actor)
        change.note = note
        change.save()
        return segment
    changes = recorded_changes(before, segment)
    kind = (SegmentChange.Kind.EDITED if was_active == segment.is_active
            else SegmentChange.Kind.REACTIVATED if segment.is_active else SegmentChange.Kind.DEACTIVATED)
    if kind != SegmentChange.Kind.EDITED or changes:  # saved as it was: nothing to record
        SegmentChange.objects.create(segment=segment, kind=kind, changes=changes, changed_by=actor, note=note)
    return segment


def created_change(segment: Segment, actor, at: dt.datetime | None = None) -> SegmentChange:
    """The first row of a new segment's history, its values as created (unsaved, so that the demo can
    write many at once)."""
    return SegmentChange(segment=segment, kind=SegmentChange.Kind.CREATED, changed_by=actor,
                         changed_at=at or timezone.now(),
                         changes={name: [None, value] for name, value in as_recorded(segment_values(segment)).items()})


def recorded_changes(before: dict, segment: Segment) -> dict:
    """{field: [old, new]} between `before` (as_recorded() of the segment's earlier values) and the
    segment now, as its history stores a change (SegmentChange.changes)."""
    after = as_recorded(segment_values(segment))
    return {name: [before[name], value] for name, value in after.items() if value != before[name]}


def as_recorded(values: dict) -> dict:
    """A segment's tracked fields as its history stores them (SegmentChange.changes)."""
    unit, courier, vehicle = values["unit"], values["courier"], values["vehicle"]
    recorded = {name: values[name] for name in SEGMENT_TRACKED_FIELDS}
    recorded.update(
        name=values["name"].strip(),
        unit=f"{unit.code} {unit.name}" if unit else None,
        courier=f"{courier.name}（{courier.employee_no}）" if courier else None,
        vehicle=vehicle.plate_no if vehicle else None,
        in_service_from=values["in_service_from"].isoformat() if values["in_service_from"] else None,
    )
    return recorded


def segment_values(segment: Segment) -> dict:
    """A segment's current values in the shape segment_save takes."""
    return {"code": segment.code, "name": segment.name, "unit": segment.unit, "area_type": segment.area_type,
            "courier": segment.courier, "vehicle": segment.vehicle, "handover_point": segment.handover_point,
            "planned_per_week": segment.planned_per_week, "households": segment.households,
            "in_service_from": segment.in_service_from, "is_active": segment.is_active}


def segment_set_active(*, actor, segment: Segment, active: bool, note: str = "") -> Segment:
    """Take a segment out of use (停用) or back into use. Nothing is deleted: its runs and figures stay;
    a segment out of use takes no new runs and leaves the compliance figures from then on (the weeks
    it was in use still count). Checked like any change."""
    return segment_save(actor=actor, values={**segment_values(segment), "is_active": active}, existing=segment,
                        note=note)


# --- Rules -------------------------------------------------------------------------------------------


def _rule_common(actor, unit: Unit, effective_from, note: str, errors: dict) -> None:
    require(actor, Capability.MANAGE_DELIVERY)
    if not is_in_scope(actor, unit.pk):
        raise PermissionDenied(_("只能为本单位及下级单位制定规则。"))
    if not isinstance(effective_from, dt.date):
        errors["effective_from"] = [_("请填写生效日期（年-月-日）。")]
    elif effective_from < timezone.localdate():
        errors["effective_from"] = [_("生效日期不能早于今天：已过去的时段按当时的规则计算。")]
    if not note.strip():
        errors["note"] = [_("请写明调整的依据或原因。")]
    elif len(note.strip()) > NOTE_MAX:
        errors["note"] = [_("依据或说明不超过 %(n)d 字。") % {"n": NOTE_MAX}]


@transaction.atomic
def frequency_rule_set(*, actor, unit: Unit, area_type: str, days_per_week, runs_per_week, effective_from,
                       note: str) -> FrequencyRule:
    """A new frequency rule for `unit`'s subtree from `effective_from` (today or later): a new row,
    the old ones stay for the periods they judged. Errors keyed by field."""
    errors: dict[str, list[str]] = {}
    _rule_common(actor, unit, effective_from, note, errors)
    if area_type not in AreaType.values:
        errors["area_type"] = [_("区域类型应为城市、乡镇或农村。")]
    if not isinstance(days_per_week, int) or not 1 <= days_per_week <= 7:
        errors["days_per_week"] = [_("每周至少投递天数应为 1–7。")]
    if not isinstance(runs_per_week, int) or not 1 <= runs_per_week <= 42:
        errors["runs_per_week"] = [_("每周至少投递次数应为 1–42。")]
    elif isinstance(days_per_week, int) and runs_per_week < days_per_week:
        errors["runs_per_week"] = [_("每周投递次数不能少于投递天数。")]
    if errors:
        raise ValidationError(errors)
    return FrequencyRule.objects.create(unit=unit, area_type=area_type, days_per_week=days_per_week,
                                        runs_per_week=runs_per_week, effective_from=effective_from,
                                        note=note.strip(), set_by=actor)


@transaction.atomic
def depth_rule_set(*, actor, unit: Unit, area_type: str, accepted: list[str], tracked_to_door: bool,
                   effective_from, note: str) -> DepthRule:
    """A new depth rule for `unit`'s subtree from `effective_from`: the acceptable handover points
    for an area type and whether tracked items must go to the door. A new row; errors keyed by field."""
    errors: dict[str, list[str]] = {}
    _rule_common(actor, unit, effective_from, note, errors)
    if area_type not in AreaType.values:
        errors["area_type"] = [_("区域类型应为城市、乡镇或农村。")]
    unknown = [p for p in accepted if p not in HandoverPoint.values]
    if unknown:
        errors["accepted"] = [_("未知的交接方式：%(p)s。") % {"p": "、".join(unknown)}]
    elif not accepted:
        errors["accepted"] = [_("至少选择一种可接受的交接方式。")]
    elif tracked_to_door and HandoverPoint.DOOR not in accepted:
        errors["accepted"] = [_("给据邮件须到户时，“按址投递到户”必须是可接受的交接方式。")]
    if errors:
        raise ValidationError(errors)
    points = [p for p in HandoverPoint.values if p in accepted]
    return DepthRule.objects.create(unit=unit, area_type=area_type, accepted=points, tracked_to_door=tracked_to_door,
                                    effective_from=effective_from, note=note.strip(), set_by=actor)


@transaction.atomic
def time_limit_set(*, actor, unit: Unit, mail_class: str, route: str, days, effective_from,
                   note: str) -> TimeLimitRule:
    """Supersede a time limit (D+N) for `unit`'s subtree from `effective_from`: a new row."""
    errors: dict[str, list[str]] = {}
    _rule_common(actor, unit, effective_from, note, errors)
    if mail_class not in MailClass.values:
        errors["mail_class"] = [_("请选择邮件类别。")]
    if route not in Route.values:
        errors["route"] = [_("请选择寄递范围。")]
    if not isinstance(days, int) or not 0 <= days <= 60:
        errors["days"] = [_("时限应为 0–60 天。")]
    if errors:
        raise ValidationError(errors)
    return TimeLimitRule.objects.create(unit=unit, mail_class=mail_class, route=route, days=days,
                                        effective_from=effective_from, note=note.strip(), set_by=actor)


# --- Delivery runs -------------------------------------------------------------------------------------


def may_log_for(actor: Staff, segment: Segment) -> bool:
    """A courier logs only the segments assigned to them; a branch head or a quality manager with
    `log_delivery` logs any segment of their subtree (standing in for an absent courier)."""
    if not actor.can(Capability.LOG_DELIVERY) or not is_in_scope(actor, segment.unit_id):
        return False
    return segment.courier_id == actor.pk or bool(actor.roles - {Role.COURIER, Role.CLERK, Role.OFFICE})


def count_errors(ordinary, tracked, delivered, on_time) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, value in (("ordinary", ordinary), ("tracked", tracked), ("delivered", delivered), ("on_time", on_time)):
        if not isinstance(value, int) or not 0 <= value <= MAX_ITEMS:
            errors[name] = [_("应为 0–%(n)d 的整数。") % {"n": MAX_ITEMS}]
    if not errors:
        if delivered > ordinary + tracked:
            errors["delivered"] = [_("妥投件数（%(d)d）不能多于交投件数（%(n)d）。") % {"d": delivered,
                                                                             "n": ordinary + tracked}]
        elif on_time > delivered:
            errors["on_time"] = [_("时限内妥投（%(t)d）不能多于妥投件数（%(d)d）。") % {"t": on_time, "d": delivered}]
    return errors


def next_run_no(segment: Segment, on: dt.date) -> int:
    last = DeliveryRecord.current.filter(segment=segment, delivered_on=on).order_by("-run_no").values_list(
        "run_no", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def run_log(*, actor, segment: Segment, delivered_on, ordinary, tracked, delivered, on_time,
            handover_point: str = "", note: str = "", run_no: int | None = None,
            source: str = DeliveryRecord.Source.PHONE) -> DeliveryRecord:
    """Record one delivery run of `segment`. The actor must be allowed to log for it (may_log_for).
    The date may be today or up to a week back; the run number defaults to the day's next one and
    a run already recorded is an error (records are never overwritten). Delivered ≤ handed out,
    on time ≤ delivered. Errors keyed by field."""
    if not may_log_for(actor, segment):
        raise PermissionDenied(_("只能登记分配给您的段道（或本单位段道）的投递记录。"))
    if not segment.is_active:
        raise ValidationError({"segment": [_("段道 %(c)s 已停用。") % {"c": segment.code}]})
    errors = count_errors(ordinary, tracked, delivered, on_time)
    today = timezone.localdate()
    if not isinstance(delivered_on, dt.date):
        errors["delivered_on"] = [_("请填写投递日期（年-月-日）。")]
    elif delivered_on > today:
        errors["delivered_on"] = [_("投递日期不能晚于今天。")]
    elif delivered_on < today - dt.timedelta(days=LOG_BACK_DAYS):
        errors["delivered_on"] = [_("只能登记 %(n)d 天内的投递，更早的请由管理员批量导入。") % {"n": LOG_BACK_DAYS}]
    elif delivered_on < segment.in_service_from:
        errors["delivered_on"] = [_("段道 %(d)s 才启用。") % {"d": segment.in_service_from}]
    point = handover_point or segment.handover_point
    if point not in HandoverPoint.values:
        errors["handover_point"] = [_("请选择交接方式。")]
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [_("异常说明不超过 %(n)d 字。") % {"n": NOTE_MAX}]
    if run_no is not None and (not isinstance(run_no, int) or not 1 <= run_no <= 6):
        errors["run_no"] = [_("频次应为当日第 1–6 趟。")]
    if errors:
        raise ValidationError(errors)
    number = run_no or next_run_no(segment, delivered_on)
    if number > 6:
        raise ValidationError({"run_no": [_("当日已登记 6 趟，不能再登记。")]})
    try:
        with transaction.atomic():
            return DeliveryRecord.objects.create(
                segment=segment, unit_id=segment.unit_id, delivered_on=delivered_on, week_of=monday(delivered_on),
                run_no=number, courier=segment.courier if segment.courier_id else None, ordinary=ordinary,
                tracked=tracked, delivered=delivered, on_time=on_time, handover_point=point, note=note,
                source=source, recorded_by=actor)
    except IntegrityError:
        raise ValidationError({"run_no": [_("%(d)s 第 %(n)d 趟已登记过。") % {"d": delivered_on, "n": number}]}) from None


def may_correct(actor: Staff, record: DeliveryRecord) -> bool:
    """A delivery manager corrects any run of their subtree; whoever may log for the segment corrects
    a run of the last LOG_BACK_DAYS days."""
    if actor.can(Capability.MANAGE_DELIVERY) and is_in_scope(actor, record.unit_id):
        return True
    return (record.delivered_on >= timezone.localdate() - dt.timedelta(days=LOG_BACK_DAYS)
            and may_log_for(actor, record.segment))


@transaction.atomic
def run_correct(*, actor, record: DeliveryRecord, ordinary, tracked, delivered, on_time, handover_point: str,
                note: str, reason: str, source: str = DeliveryRecord.Source.PHONE) -> DeliveryRecord:
    """Correct a recorded run. Nothing is overwritten: the record is marked superseded (when, and by
    which row) and the corrected run is a new row for the same segment, day and run number, with who
    corrected it and why (required). Counts, point and note are checked as when logging; errors keyed
    by field. A run already corrected is corrected through its latest version."""
    record = DeliveryRecord.objects.select_for_update().select_related("segment").get(pk=record.pk)
    if not may_correct(actor, record):
        raise PermissionDenied(_("只能更正本单位及下级单位的投递记录（投递员只能更正自己 %(n)d 天内的记录）。") % {
            "n": LOG_BACK_DAYS})
    if record.superseded_at is not None:
        raise ValidationError({"run_no": [_("这条记录已被更正过，请更正最新的一条。")]})
    errors = count_errors(ordinary, tracked, delivered, on_time)
    if handover_point not in HandoverPoint.values:
        errors["handover_point"] = [_("请选择交接方式。")]
    note, reason = (note or "").strip(), (reason or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [_("异常说明不超过 %(n)d 字。") % {"n": NOTE_MAX}]
    if not reason:
        errors["reason"] = [_("请写明更正原因。")]
    elif len(reason) > NOTE_MAX:
        errors["reason"] = [_("更正原因不超过 %(n)d 字。") % {"n": NOTE_MAX}]
    if errors:
        raise ValidationError(errors)
    record.superseded_at = timezone.now()
    record.save(update_fields=["superseded_at"])
    return DeliveryRecord.objects.create(
        segment=record.segment, unit_id=record.unit_id, delivered_on=record.delivered_on, week_of=record.week_of,
        run_no=record.run_no, courier_id=record.courier_id, ordinary=ordinary, tracked=tracked, delivered=delivered,
        on_time=on_time, handover_point=handover_point, note=note, source=source, recorded_by=actor,
        supersedes=record, correction_reason=reason)


@transaction.atomic
def run_withdraw(*, actor, record: DeliveryRecord, reason: str) -> DeliveryRecord:
    """撤销 a run that did not take place (logged on the wrong segment or day): it is marked superseded
    by nothing, with who withdrew it and why (required), and leaves every figure; the row stays. Who
    may: as for a correction (may_correct). Returns the withdrawn record."""
    record = DeliveryRecord.objects.select_for_update().select_related("segment").get(pk=record.pk)
    if not may_correct(actor, record):
        raise PermissionDenied(_("只能撤销本单位及下级单位的投递记录（投递员只能撤销自己 %(n)d 天内的记录）。") % {
            "n": LOG_BACK_DAYS})
    if record.superseded_at is not None:
        raise ValidationError({"run_no": [_("这条记录已被更正或撤销过。")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请写明撤销原因。")]})
    if len(reason) > NOTE_MAX:
        raise ValidationError({"reason": [_("撤销原因不超过 %(n)d 字。") % {"n": NOTE_MAX}]})
    record.superseded_at, record.withdrawn_by, record.withdrawal_reason = timezone.now(), actor, reason
    record.save(update_fields=["superseded_at", "withdrawn_by", "withdrawal_reason"])
    return record
