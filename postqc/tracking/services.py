"""Writes of 给据邮件跟踪: recording one event, keeping items current, returns and queries.

Bulk ingest lives in ingest.py and ends here (items_refresh, returns_sync), so an event recorded
one at a time (the API, a courier's scanner) and a file of a million events leave an item in the
same state.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import is_in_scope, require
from postqc.org.roles import Capability

from .models import DELIVERY_SIDE, Action, ItemQuery, ItemReturn, TrackedItem, TrackingEvent

QUERY_WINDOW_DAYS = 365  # domestic items: a query is accepted within 1 year of posting
QUERY_REPLY_DAYS = 30  # and answered within 30 days
COMPENSATION_FACTOR = 3  # a lost registered letter: 3 × postage
DESTROY_AFTER_MONTHS = 6  # unreturnable letters are destroyed under supervision after 6 months
CHUNK = 2000


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


# --- Items kept current --------------------------------------------------------------------------------


def items_refresh(item_ids: list[int]) -> None:
    """Recompute status, last event, attempts, return flag, delivering unit, delivered at and on time of
    `item_ids` from their events, set-based (two UPDATEs per chunk). The rules are ingest.derive's."""
    events = TrackingEvent.objects.filter(item_id=OuterRef("pk"))
    latest = events.order_by("-occurred_at", "-id")
    first_return = (events.filter(code="EMH", action=Action.RETURN).order_by("occurred_at").values("occurred_at")[:1])
    for i in range(0, len(item_ids), CHUNK):
        ids = item_ids[i:i + CHUNK]
        TrackedItem.objects.filter(pk__in=ids).update(
            last_code=Subquery(latest.values("code")[:1]),
            last_action=Subquery(latest.values("action")[:1]),
            last_event_at=Subquery(latest.values("occurred_at")[:1]),
            attempts=Coalesce(Subquery(events.filter(code="EMH").order_by().values("item_id")
                                       .annotate(n=Count("pk")).values("n")[:1]), Value(0)),
            returned=Exists(first_return),
            delivered_at=Subquery(events.filter(code="EMI").order_by().values("item_id")
                                  .annotate(m=Min("occurred_at")).values("m")[:1]),
            unit_id=Coalesce(Subquery(latest.filter(code__in=DELIVERY_SIDE, unit__isnull=False).values("unit_id")[:1]),
                             F("unit_id")),
            updated_at=timezone.now())
        unreturnable = Exists(events.filter(code="EMH", action=Action.UNRETURNABLE))
        first_return_inner = (TrackingEvent.objects.filter(item_id=OuterRef(OuterRef("pk")), code="EMH",
                                                           action=Action.RETURN)
                              .order_by("occurred_at").values("occurred_at")[:1])
        back = Exists(events.filter(code="EMI", occurred_at__gt=Subquery(first_return_inner)))
        S = TrackedItem.Status
        TrackedItem.objects.filter(pk__in=ids, returned=True).update(delivered_at=None)
        TrackedItem.objects.filter(pk__in=ids).update(
            status=Case(
                When(unreturnable, then=Value(S.UNRETURNABLE)),
                When(Q(returned=True) & back, then=Value(S.RETURNED)),
                When(returned=True, then=Value(S.RETURNING)),
                When(delivered_at__isnull=False, then=Value(S.DELIVERED)),
                When(last_code="EMA", then=Value(S.POSTED)),
                When(last_code__in=["EMG", "EDF"], then=Value(S.AT_OFFICE)),
                When(last_code="EDG", then=Value(S.OUT)),
                When(last_code="EDH", then=Value(S.AWAITING)),
                When(last_code="EMH", then=Value(S.FAILED)),
                default=Value(S.IN_TRANSIT)),
            on_time=Case(
                When(Q(delivered_at__isnull=True) | Q(due_on__isnull=True), then=Value(None)),
                When(delivered_at__date__lte=F("due_on"), then=Value(True)),
                default=Value(False)))


def returns_sync(item_ids: list[int]) -> None:
    """An item sent back (an EMH whose action is 退回 or 无法退回) gets its 退回 record; one that has
    reached its sender again gets the time it did."""
    for i in range(0, len(item_ids), CHUNK):
        ids = item_ids[i:i + CHUNK]
        sent_back = (TrackingEvent.objects.filter(item_id__in=ids, code="EMH",
                                                  action__in=[Action.RETURN, Action.UNRETURNABLE])
                     .order_by("item_id", "occurred_at").values_list("item_id", "reason", "occurred_at", "action"))
        first: dict[int, tuple] = {}
        stuck: dict[int, dt.datetime] = {}  # item → when it was found unreturnable
        for item_id, reason, at, action in sent_back:
            first.setdefault(item_id, (reason, at))
            if action == Action.UNRETURNABLE:
                stuck.setdefault(item_id, at)
        if not first:
            continue
        units = dict(TrackedItem.objects.filter(pk__in=first).values_list("pk", "unit_id"))
        have = set(ItemReturn.objects.filter(item_id__in=first).values_list("item_id", flat=True))
        now = timezone.now()

        def destroy_after(item_id):
            return add_months(timezone.localtime(stuck[item_id]).date(), DESTROY_AFTER_MONTHS) if item_id in stuck else None

        ItemReturn.objects.bulk_create([
            ItemReturn(item_id=item_id, unit_id=units[item_id], reason=reason, started_at=at,
                       unreturnable=item_id in stuck, destroy_after=destroy_after(item_id), created_at=now,
                       updated_at=now)
            for item_id, (reason, at) in first.items() if item_id not in have])
        for ret in ItemReturn.objects.filter(item_id__in=have & set(stuck), unreturnable=False):
            ret.unreturnable, ret.destroy_after = True, destroy_after(ret.item_id)
            ret.save(update_fields=["unreturnable", "destroy_after", "updated_at"])
        open_returns = ItemReturn.objects.filter(item_id__in=first, back_to_sender_at__isnull=True, unreturnable=False)
        for ret in open_returns:
            back = (TrackingEvent.objects.filter(item_id=ret.item_id, code="EMI", occurred_at__gt=ret.started_at)
                    .order_by("occurred_at").values_list("occurred_at", flat=True).first())
            if back is not None:
                ret.back_to_sender_at = back
                ret.unit_id = units[ret.item_id]
                ret.save(update_fields=["back_to_sender_at", "unit", "updated_at"])


# --- One event -----------------------------------------------------------------------------------------

FIELDS = ("number", "code", "time", "office", "location", "reason", "action", "mail_class", "route", "postage",
          "outlet", "delivery_unit", "sender", "addressee", "courier")
COURIER_EVENTS = frozenset({"EDG", "EMH", "EMI"})


def event_record(*, actor, values: dict, source: str = TrackingEvent.Source.API) -> TrackingEvent:
    """Record one event (a courier's scanner, the API) by the same checks as a file: errors keyed by field.

    Needs `manage_tracking` or `log_delivery` (a courier records his own attempts), and the item
    must belong to the actor's subtree."""
    from .ingest import FIELD_HEADER, SHEET, ingest_rows

    if not (actor.can(Capability.MANAGE_TRACKING) or actor.can(Capability.LOG_DELIVERY)):
        raise PermissionDenied(_("您的角色不能登记跟踪事件。"))
    row = {k: values.get(k) for k in FIELDS if values.get(k) not in (None, "")}
    if str(row.get("code", "")).strip().upper() in COURIER_EVENTS and not row.get("courier") \
            and actor.can(Capability.LOG_DELIVERY) and not actor.can(Capability.MANAGE_TRACKING):
        row["courier"] = actor.employee_no  # a courier's scanner: the attempt or delivery is his
    report = ingest_rows([(1, row)], actor=actor, source=source)
    if report.errors:
        header_field = {h: f for f, h in FIELD_HEADER.items()}
        errors: dict[str, list[str]] = {}
        for e in report.errors:
            errors.setdefault(header_field.get(e.column, "number") if e.sheet == SHEET else "number", []).append(e.message)
        raise ValidationError(errors)
    from . import s10
    from .ingest import _when

    number = s10.normalise(values["number"])
    return (TrackingEvent.objects.select_related("item", "unit")
            .filter(item__number=number, code=str(values["code"]).strip().upper(), occurred_at=_when(values["time"]))
            .get())


# --- Queries (查询) -------------------------------------------------------------------------------------


@transaction.atomic
def query_open(*, item: TrackedItem, actor, enquirer: str, received_on: dt.date, question: str) -> ItemQuery:
    """Accept a query about `item`: within 1 year of posting (domestic); the reply is due in 30 days."""
    require(actor, Capability.MANAGE_TRACKING)
    if not is_in_scope(actor, item.unit_id):
        raise PermissionDenied(_("只能受理本单位及下级单位的邮件查询。"))
    errors: dict[str, list[str]] = {}
    question = (question or "").strip()
    today = timezone.localdate()
    if enquirer not in ItemQuery.Enquirer.values:
        errors["enquirer"] = [_("请选择查询人是寄件人还是收件人。")]
    if received_on > today:
        errors["received_on"] = [_("受理日期不能晚于今天。")]
    elif item.posted_at is not None:
        posted = timezone.localtime(item.posted_at).date()
        if received_on < posted:
            errors["received_on"] = [_("受理日期不能早于收寄日期 %(d)s。") % {"d": posted}]
        elif not item.country or item.country == "CN":
            if received_on > posted + dt.timedelta(days=QUERY_WINDOW_DAYS):
                errors["received_on"] = [_("国内给据邮件的查询期限为收寄之日起 1 年，该邮件 %(d)s 收寄，已超过查询期限。")
                                         % {"d": posted}]
    if not question:
        errors["question"] = [_("请填写查询内容。")]
    elif len(question) > 300:
        errors["question"] = [_("查询内容不超过 300 字。")]
    if errors:
        raise ValidationError(errors)
    return ItemQuery.objects.create(item=item, unit_id=item.unit_id, enquirer=enquirer, received_on=received_on,
                                    reply_due=received_on + dt.timedelta(days=QUERY_REPLY_DAYS), question=question,
                                    received_by=actor)


def compensation_for(item: TrackedItem, outcome: str) -> Decimal | None:
    """The compensation the rules give: a lost registered letter, 3 × postage; otherwise none by rule."""
    if outcome == ItemQuery.Outcome.LOST and item.mail_class == "letter" and item.postage is not None:
        return item.postage * COMPENSATION_FACTOR
    return None


@transaction.atomic
def query_reply(*, query: ItemQuery, actor, outcome: str, reply: str, replied_on: dt.date,
                compensation: Decimal | None = None) -> ItemQuery:
    """Answer a query once. A lost registered letter's compensation defaults to 3 × postage and may not
    exceed it; a lost or damaged item of another class needs the amount stated."""
    require(actor, Capability.MANAGE_TRACKING)
    if not is_in_scope(actor, query.unit_id):
        raise PermissionDenied(_("只能答复本单位及下级单位的查询。"))
    query = ItemQuery.objects.select_for_update().select_related("item").get(pk=query.pk)
    if query.replied_on is not None:
        raise ValidationError({"outcome": [_("该查询已于 %(d)s 答复，不能重复答复。") % {"d": query.replied_on}]})
    errors: dict[str, list[str]] = {}
    reply = (reply or "").strip()
    if outcome not in ItemQuery.Outcome.values:
        errors["outcome"] = [_("请选择查询结果。")]
    if not reply:
        errors["reply"] = [_("请填写答复内容。")]
    elif len(reply) > 300:
        errors["reply"] = [_("答复内容不超过 300 字。")]
    if replied_on > timezone.localdate():
        errors["replied_on"] = [_("答复日期不能晚于今天。")]
    elif replied_on < query.received_on:
        errors["replied_on"] = [_("答复日期不能早于受理日期。")]
    rule = compensation_for(query.item, outcome)
    if compensation is None:
        compensation = rule
    if compensation is not None:
        if compensation < 0:
            errors["compensation"] = [_("赔偿金额不能为负数。")]
        elif rule is not None and compensation > rule:
            errors["compensation"] = [_("挂号信函丢失按资费 3 倍赔偿，最多 %(m)s 元。") % {"m": rule}]
        elif outcome not in (ItemQuery.Outcome.LOST, ItemQuery.Outcome.DAMAGED) and compensation > 0:
            errors["compensation"] = [_("只有丢失或损毁的邮件才赔偿。")]
    elif outcome in (ItemQuery.Outcome.LOST, ItemQuery.Outcome.DAMAGED):
        errors["compensation"] = [_("请填写赔偿金额（该邮件没有资费记录或不是挂号信函）。")]
    if errors:
        raise ValidationError(errors)
    query.outcome, query.reply, query.replied_on, query.compensation, query.replied_by = (
        outcome, reply, replied_on, compensation, actor)
    query.save(update_fields=["outcome", "reply", "replied_on", "compensation", "replied_by", "updated_at"])
    return query


# --- Returns (退回) -------------------------------------------------------------------------------------


@transaction.atomic
def return_destroy(*, record: ItemReturn, actor, destroyed_on: dt.date, note: str) -> ItemReturn:
    """Record the supervised destruction of an unreturnable item, no earlier than 6 months after it
    was found unreturnable."""
    require(actor, Capability.MANAGE_TRACKING)
    if not is_in_scope(actor, record.unit_id):
        raise PermissionDenied(_("只能处理本单位及下级单位的退回邮件。"))
    record = ItemReturn.objects.select_for_update().get(pk=record.pk)
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if not record.unreturnable:
        errors["destroyed_on"] = [_("只有无法退回的邮件才能监督销毁。")]
    elif record.destroyed_on is not None:
        errors["destroyed_on"] = [_("该邮件已于 %(d)s 销毁。") % {"d": record.destroyed_on}]
    elif destroyed_on < record.destroy_after:
        errors["destroyed_on"] = [_("无法退回的邮件须保管满 6 个月，%(d)s 之后才能销毁。") % {"d": record.destroy_after}]
    elif destroyed_on > timezone.localdate():
        errors["destroyed_on"] = [_("销毁日期不能晚于今天。")]
    if not note:
        errors["note"] = [_("请写明监销人和销毁方式。")]
    elif len(note) > 200:
        errors["note"] = [_("监销记录不超过 200 字。")]
    if errors:
        raise ValidationError(errors)
    record.destroyed_on, record.destroyed_by, record.destroy_note = destroyed_on, actor, note
    record.save(update_fields=["destroyed_on", "destroyed_by", "destroy_note", "updated_at"])
    return record
