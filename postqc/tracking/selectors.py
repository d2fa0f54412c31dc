"""Reads of 给据邮件跟踪: one item's trace, the figures of a unit and its children for a period, the
exception lists. Aggregated in the database; every list a fixed number of queries.

按时妥投率 (on-time delivery): of the items whose due date D+N (delivery.rules, fixed at posting)
falls in the period and is past, the share delivered to the addressee by that date. Items sent
back to their sender are left out of it (they are counted as returns): the time limit is about
delivering to the addressee, and an address with no such organisation is not a late delivery.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from postqc.org.models import Unit, UnitClosure

from .models import EventCode, ItemQuery, ItemReturn, Reason, TrackedItem, TrackingEvent

OPEN_STATUSES = (TrackedItem.Status.POSTED, TrackedItem.Status.IN_TRANSIT, TrackedItem.Status.AT_OFFICE,
                 TrackedItem.Status.OUT, TrackedItem.Status.AWAITING, TrackedItem.Status.FAILED)


def subtree(unit: Unit) -> QuerySet:
    return UnitClosure.objects.filter(ancestor=unit).values("descendant_id")


def _child_of(unit: Unit, unit_ids) -> dict[int, int]:
    """descendant id → the child of `unit` it lies under (or the unit itself for its own records)."""
    return dict(UnitClosure.objects.filter(ancestor__parent=unit, descendant_id__in=set(unit_ids))
                .values_list("descendant_id", "ancestor_id"))


# --- One item ------------------------------------------------------------------------------------------


@dataclass
class Trace:
    item: TrackedItem
    events: list[TrackingEvent]
    return_record: ItemReturn | None
    queries: list[ItemQuery]

    @property
    def late(self) -> bool:
        """Past its due date and not delivered (nor sent back)."""
        item = self.item
        if item.due_on is None or item.returned:
            return False
        if item.delivered_at is not None:
            return item.on_time is False
        return item.due_on < timezone.localdate()


def trace(item: TrackedItem) -> Trace:
    """An item's timeline (oldest first), its 退回 record and its queries. Three queries."""
    events = list(item.events.select_related("unit", "courier").order_by("occurred_at", "id"))
    ret = ItemReturn.objects.filter(item=item).select_related("destroyed_by").first()
    queries = list(item.queries.select_related("received_by", "replied_by").order_by("-received_on", "-pk"))
    return Trace(item, events, ret, queries)


def public_trace(number: str) -> dict | None:
    """What the public lookup shows of an item: its status and events in Chinese, nothing about a
    person. Cached TRACKING_PUBLIC_CACHE_SECONDS (a scanner's new event shows within that time)."""
    key = f"tracking:public:{number}"
    found = cache.get(key)
    if found is not None:
        return found or None
    item = TrackedItem.objects.filter(number=number).first()
    if item is None:
        result = {}
    else:
        events = list(item.events.order_by("-occurred_at", "-id")
                      .values_list("code", "occurred_at", "location", "office", "reason", "action"))
        from .models import Action

        result = {
            "number": item.number, "status": item.status, "status_label": str(item.get_status_display()),
            "due_on": item.due_on.isoformat() if item.due_on else None,
            "events": [{"code": code, "name": str(EventCode(code).label),
                        "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
                        "location": location or office,
                        "reason": str(Reason(reason).label) if reason else "",
                        "action": str(Action(action).label) if action else ""}
                       for code, at, location, office, reason, action in events]}
    cache.set(key, result, settings.TRACKING_PUBLIC_CACHE_SECONDS)
    return result or None


# --- A unit's figures ------------------------------------------------------------------------------------


@dataclass
class Figures:
    items: int = 0  # posted or delivered by the unit's subtree in the period
    delivered: int = 0
    due: int = 0  # due in the period (and past), not sent back
    on_time: int = 0
    attempts: int = 0  # failed attempts (EMH) in the period
    by_reason: dict[str, int] = field(default_factory=dict)
    returns: int = 0
    open_queries: int = 0
    overdue_replies: int = 0

    @property
    def rate(self) -> float | None:
        """按时妥投率, percent."""
        return self.on_time * 100 / self.due if self.due else None

    def reasons(self) -> list[tuple[str, int]]:
        return [(str(Reason(r).label), n) for r, n in sorted(self.by_reason.items(), key=lambda x: -x[1])]


def _window(first: dt.date, last: dt.date):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def on_time_rows(unit: Unit, first: dt.date, last: dt.date, today: dt.date):
    """Per unit id: (due, on time) — the 按时妥投率's counts. One query."""
    end = min(last, today - dt.timedelta(days=1))
    return (TrackedItem.objects.filter(unit_id__in=subtree(unit), due_on__gte=first, due_on__lte=end, returned=False)
            .exclude(status=TrackedItem.Status.UNRETURNABLE)
            .order_by().values("unit_id").annotate(due=Count("pk"), on_time=Count("pk", filter=Q(on_time=True))))


def figures_by_child(unit: Unit, first: dt.date, last: dt.date) -> tuple[Figures, dict[int, Figures]]:
    """The figures of `unit` and of each child (with its subtree) for [first, last]. Six queries."""
    today = timezone.localdate()
    start, end = _window(first, last)
    units = subtree(unit)
    per_unit: dict[int, Figures] = defaultdict(Figures)
    for row in (TrackedItem.objects.filter(unit_id__in=units, posted_at__gte=start, posted_at__lt=end)
                .order_by().values("unit_id").annotate(n=Count("pk"))):
        per_unit[row["unit_id"]].items += row["n"]
    for row in (TrackedItem.objects.filter(unit_id__in=units, delivered_at__gte=start, delivered_at__lt=end)
                .order_by().values("unit_id").annotate(n=Count("pk"))):
        per_unit[row["unit_id"]].delivered += row["n"]
    for row in on_time_rows(unit, first, last, today):
        per_unit[row["unit_id"]].due += row["due"]
        per_unit[row["unit_id"]].on_time += row["on_time"]
    for row in (TrackingEvent.objects.filter(unit_id__in=units, code="EMH", occurred_at__gte=start, occurred_at__lt=end)
                .order_by().values("unit_id", "reason").annotate(n=Count("pk"))):
        f = per_unit[row["unit_id"]]
        f.attempts += row["n"]
        f.by_reason[row["reason"]] = f.by_reason.get(row["reason"], 0) + row["n"]
    for row in (ItemReturn.objects.filter(unit_id__in=units, started_at__gte=start, started_at__lt=end)
                .order_by().values("unit_id").annotate(n=Count("pk"))):
        per_unit[row["unit_id"]].returns += row["n"]
    for row in (ItemQuery.objects.filter(unit_id__in=units, replied_on__isnull=True).order_by().values("unit_id")
                .annotate(n=Count("pk"), late=Count("pk", filter=Q(reply_due__lt=today)))):
        per_unit[row["unit_id"]].open_queries += row["n"]
        per_unit[row["unit_id"]].overdue_replies += row["late"]
    child_of = _child_of(unit, per_unit)
    total, children = Figures(), {}
    for unit_id, f in per_unit.items():
        targets = [total]
        if unit_id in child_of:
            targets.append(children.setdefault(child_of[unit_id], Figures()))
        for t in targets:
            for name in ("items", "delivered", "due", "on_time", "attempts", "returns", "open_queries",
                         "overdue_replies"):
                setattr(t, name, getattr(t, name) + getattr(f, name))
            for reason, n in f.by_reason.items():
                t.by_reason[reason] = t.by_reason.get(reason, 0) + n
    return total, children


# --- Lists ---------------------------------------------------------------------------------------------


def items_for(queryset: QuerySet[TrackedItem], *, status: str = "", number: str = "", first: dt.date | None = None,
              last: dt.date | None = None, late: str = "") -> QuerySet[TrackedItem]:
    """A (scoped) item list narrowed by status, number prefix, posting period and lateness; newest first."""
    if status in TrackedItem.Status.values:
        queryset = queryset.filter(status=status)
    if number:
        queryset = queryset.filter(number__startswith=number)
    if first and last:
        start, end = _window(first, last)
        queryset = queryset.filter(posted_at__gte=start, posted_at__lt=end)
    if late == "1":
        queryset = queryset.filter(Q(on_time=False) | Q(delivered_at__isnull=True, returned=False,
                                                         due_on__lt=timezone.localdate())).exclude(
            status=TrackedItem.Status.UNRETURNABLE)
    return queryset.select_related("unit", "posting_outlet").order_by("-posted_at", "-pk")


EXCEPTIONS = ("failed", "overdue", "destroy")


def exceptions_for(queryset: QuerySet[TrackedItem], kind: str) -> QuerySet[TrackedItem]:
    """failed: an attempt failed and the item is still not delivered; overdue: past its due date, neither
    delivered nor sent back; destroy: unreturnable for 6 months and not yet destroyed."""
    today = timezone.localdate()
    if kind == "failed":
        queryset = queryset.filter(attempts__gt=0, status__in=OPEN_STATUSES)
    elif kind == "overdue":
        queryset = queryset.filter(due_on__lt=today, status__in=OPEN_STATUSES)
    else:
        queryset = queryset.filter(return_record__unreturnable=True, return_record__destroyed_on__isnull=True,
                                   return_record__destroy_after__lte=today)
    last_reason = (TrackingEvent.objects.filter(item_id=OuterRef("pk"), code="EMH").order_by("-occurred_at", "-id")
                   .values("reason")[:1])
    return (queryset.select_related("unit", "return_record").annotate(last_reason=Subquery(last_reason))
            .order_by("due_on", "pk"))
