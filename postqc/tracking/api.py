"""/api/v1/tracking: 给据邮件跟踪 — one item (token, scoped), recording one event (a courier's
scanner), and the public lookup /track uses (no token; cached and rate-limited per IP)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from postqc.core.access import get_scoped_or_404, require
from postqc.org.roles import Capability

from . import s10, selectors, services, views
from .models import TrackedItem, TrackingEvent

router = Router(tags=["tracking"])


class EventOut(Schema):
    code: str
    name: str
    occurred_at: dt.datetime
    office: str
    unit: str | None = Field(..., description="The org unit's code when the office is one of ours")
    location: str
    reason: str = Field(..., description="EMH only: the non-delivery reason code")
    reason_label: str
    action: str = Field(..., description="EMH only: the action taken")
    action_label: str


class ReturnOut(Schema):
    reason: str
    started_at: dt.datetime
    back_to_sender_at: dt.datetime | None
    unreturnable: bool
    destroy_after: dt.date | None
    destroyed_on: dt.date | None


class QueryOut(Schema):
    received_on: dt.date
    enquirer: str
    reply_due: dt.date
    replied_on: dt.date | None
    outcome: str
    compensation: Decimal | None


class ItemOut(Schema):
    number: str
    indicator: str
    country: str
    mail_class: str
    route: str
    posted_at: dt.datetime | None
    postage: Decimal | None
    unit: str = Field(..., description="The delivering unit's code (the item's scope)")
    status: str
    status_label: str
    due_on: dt.date | None = Field(..., description="D+N from the time-limit rules in force at posting")
    delivered_at: dt.datetime | None
    on_time: bool | None
    late: bool
    attempts: int
    events: list[EventOut]
    return_record: ReturnOut | None
    queries: list[QueryOut]


class EventIn(Schema):
    number: str
    code: str = Field(..., description="UPU event code: EMA … EMI")
    time: dt.datetime = Field(..., description="ISO 8601; without an offset, Beijing time")
    office: str = Field(..., description="The office code (an org unit's code for ours)")
    location: str = ""
    reason: str = Field("", description="EMH: the reason (code or Chinese wording)")
    action: str = Field("", description="EMH: the action taken (code or Chinese wording)")
    mail_class: str = ""
    route: str = ""
    postage: Decimal | None = None
    outlet: str = ""
    delivery_unit: str = ""
    sender: str = ""
    addressee: str = ""
    courier: str = Field("", description="The courier's employee number (default: me, when I am a courier)")


class PublicEventOut(Schema):
    code: str
    name: str
    at: str = Field(..., description="Beijing time, YYYY-MM-DD HH:MM")
    location: str
    reason: str
    action: str


class PublicOut(Schema):
    number: str
    status: str
    status_label: str
    due_on: str | None
    events: list[PublicEventOut]


def _event(e: TrackingEvent) -> dict:
    return {"code": e.code, "name": e.get_code_display(), "occurred_at": e.occurred_at, "office": e.office,
            "unit": e.unit.code if e.unit else None, "location": e.location, "reason": e.reason,
            "reason_label": e.get_reason_display() if e.reason else "", "action": e.action,
            "action_label": e.get_action_display() if e.action else ""}


def _item(t: selectors.Trace) -> dict:
    i = t.item
    r = t.return_record
    return {"number": i.number, "indicator": i.indicator, "country": i.country, "mail_class": i.mail_class,
            "route": i.route, "posted_at": i.posted_at, "postage": i.postage, "unit": i.unit.code, "status": i.status,
            "status_label": i.get_status_display(), "due_on": i.due_on, "delivered_at": i.delivered_at,
            "on_time": i.on_time, "late": t.late, "attempts": i.attempts, "events": [_event(e) for e in t.events],
            "return_record": None if r is None else {
                "reason": r.reason, "started_at": r.started_at, "back_to_sender_at": r.back_to_sender_at,
                "unreturnable": r.unreturnable, "destroy_after": r.destroy_after, "destroyed_on": r.destroyed_on},
            "queries": [{"received_on": q.received_on, "enquirer": q.enquirer, "reply_due": q.reply_due,
                         "replied_on": q.replied_on, "outcome": q.outcome, "compensation": q.compensation}
                        for q in t.queries]}


def _number(raw: str) -> str:
    try:
        return s10.parse(raw).number
    except s10.NumberError as exc:
        raise HttpError(400, str(exc)) from None


@router.get("/tracking/items/{number}", response=ItemOut, summary="One tracked item with its events, return and queries")
def item_get(request: HttpRequest, number: str):
    require(request.user, Capability.USE_STAFF_APP)
    item = get_scoped_or_404(TrackedItem.objects.select_related("unit"), request.user, number=_number(number))
    return _item(selectors.trace(item))


@router.post("/tracking/events", response={201: ItemOut, 200: ItemOut},
             summary="Record one event (a courier's scanner): the same checks as a file")
def event_create(request: HttpRequest, payload: EventIn):
    """Needs manage_tracking or log_delivery; the item must be in my subtree. An EMH needs a reason and
    an action. Errors are keyed by field. The same event sent twice is recorded once (200)."""
    values = payload.dict()
    values["time"] = payload.time.isoformat()
    values["postage"] = str(payload.postage) if payload.postage is not None else ""
    before = TrackingEvent.objects.filter(item__number=s10.normalise(payload.number)).count()
    event = services.event_record(actor=request.user, values=values)
    created = TrackingEvent.objects.filter(item_id=event.item_id).count() > before
    item = TrackedItem.objects.select_related("unit").get(pk=event.item_id)
    return Status(201 if created else 200, _item(selectors.trace(item)))


@router.get("/tracking/public/{number}", response=PublicOut, auth=None,
            summary="The public lookup (/track): status and events in Chinese, no personal data; cached, rate-limited")
def public_lookup(request: HttpRequest, number: str):
    if views.rate_limited(request):
        raise HttpError(429, "Too many lookups from your network: try again in a minute.")
    found, error, status = views.lookup(number)
    if found is None:
        raise HttpError(status, error)
    return found
