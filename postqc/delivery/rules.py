"""Which rule is in force: time limits (the interface other apps, tracking, judge an item by),
delivery frequency and delivery depth.

    time_limit_days(unit, mail_class, route, on)  → N of D+N, or None when no rule applies
    TimeLimits(unit, on)                          → the same for many items in one query
    RuleBook(unit_ids)                            → frequency and depth rules for many units at any date

Every rule table works the same way: append-only rows with an effective date and an optional unit;
for a unit at a date the rule in force is the latest effective one of the unit itself, else of its
nearest ancestor, else the platform default (unit empty, shipped as data in the migrations).
"""
from __future__ import annotations

import datetime as dt

from postqc.org.models import Unit, UnitClosure

from .models import AreaType, DepthRule, FrequencyRule, HandoverPoint, MailClass, Route, TimeLimitRule

# The figures shipped as the platform's defaults (migration 0001). The standard's own figures were
# not confirmed (docs/delivery.md); a manager supersedes them on the rules page.
DEFAULT_DAYS: dict[tuple[str, str], int] = {
    (MailClass.LETTER, Route.LOCAL): 1, (MailClass.LETTER, Route.PROVINCIAL): 3,
    (MailClass.LETTER, Route.INTERPROVINCIAL): 5,
    (MailClass.PRINTED, Route.LOCAL): 1, (MailClass.PRINTED, Route.PROVINCIAL): 3,
    (MailClass.PRINTED, Route.INTERPROVINCIAL): 5,
    (MailClass.PARCEL, Route.LOCAL): 2, (MailClass.PARCEL, Route.PROVINCIAL): 4,
    (MailClass.PARCEL, Route.INTERPROVINCIAL): 7,
    (MailClass.EXPRESS, Route.LOCAL): 1, (MailClass.EXPRESS, Route.PROVINCIAL): 2,
    (MailClass.EXPRESS, Route.INTERPROVINCIAL): 3,
}
DEFAULTS_FROM = dt.date(2017, 3, 1)  # YZ/T 0129-2016 in force

# 投递频次 (domain.md): cities at least once a day — read as the standard words it, every calendar
# day, so 7 delivery days a week; township seats at least 5 a week; villages 3 a week (the province
# sets the village tier). (days with a run, runs) per Monday–Sunday week; migration 0002 ships them.
DEFAULT_FREQUENCY: dict[str, tuple[int, int]] = {
    AreaType.CITY: (7, 7), AreaType.TOWNSHIP: (5, 5), AreaType.VILLAGE: (3, 3),
}
# 投递深度 (domain.md): urban residences to the ground-floor mailbox or mail room, units to their mail
# room, rural areas to a fixed point in the township or village. Handing over at a shop (代投点) is
# never acceptable by default. Tracked items to the door: off (a province switches it on).
DEFAULT_DEPTH: dict[str, tuple[str, ...]] = {
    AreaType.CITY: (HandoverPoint.DOOR, HandoverPoint.MAILBOX, HandoverPoint.MAIL_ROOM),
    AreaType.TOWNSHIP: (HandoverPoint.DOOR, HandoverPoint.MAILBOX, HandoverPoint.MAIL_ROOM,
                        HandoverPoint.TOWNSHIP_POINT),
    AreaType.VILLAGE: (HandoverPoint.DOOR, HandoverPoint.MAIL_ROOM, HandoverPoint.VILLAGE_POINT),
}


class TimeLimits:
    """The time limits in force at `on` for `unit` (its own, else its nearest ancestor's, else the
    platform default), every mail class and route, read in two queries."""

    def __init__(self, unit: Unit | None, on: dt.date):
        ancestry: list[int] = []
        if unit is not None:
            ancestry = list(UnitClosure.objects.filter(descendant=unit).order_by("depth")
                            .values_list("ancestor_id", flat=True))
        rank = {unit_id: i for i, unit_id in enumerate(ancestry)}
        rows = (TimeLimitRule.objects.filter(effective_from__lte=on)
                .filter(_q_unit(ancestry))
                .order_by("effective_from", "set_at", "pk")
                .values_list("unit_id", "mail_class", "route", "days"))
        best: dict[tuple[str, str], tuple[int, int]] = {}  # key → (rank: lower is nearer, days)
        for unit_id, mail_class, route, days in rows:  # later rows supersede earlier ones of the same rank
            r = rank.get(unit_id, len(ancestry)) if unit_id is not None else len(ancestry)
            key = (mail_class, route)
            if key not in best or r <= best[key][0]:
                best[key] = (r, days)
        self._days = {key: days for key, (_r, days) in best.items()}

    def days(self, mail_class: str, route: str) -> int | None:
        return self._days.get((mail_class, route))

    def as_dict(self) -> dict[tuple[str, str], int]:
        return dict(self._days)


def _q_unit(ancestry: list[int]):
    from django.db.models import Q

    return Q(unit__isnull=True) | Q(unit_id__in=ancestry)


def time_limit_days(unit: Unit | None, mail_class: str, route: str, on: dt.date) -> int | None:
    """N of the D+N in force at `on` for `unit`'s items of `mail_class` going `route`."""
    return TimeLimits(unit, on).days(mail_class, route)


def due_date(posted_on: dt.date, days: int) -> dt.date:
    """D+N: the last day an item posted on `posted_on` may be delivered on and still be in time."""
    return posted_on + dt.timedelta(days=days)


class RuleBook:
    """The frequency and depth rules of many units at any date, read in three queries (the units'
    ancestry and both rule tables, which hold a few rows per unit that set its own)."""

    def __init__(self, unit_ids):
        self._ancestry: dict[int, list[int]] = {}
        for descendant, ancestor in (UnitClosure.objects.filter(descendant_id__in=list(set(unit_ids)))
                                     .order_by("descendant_id", "depth").values_list("descendant_id", "ancestor_id")):
            self._ancestry.setdefault(descendant, []).append(ancestor)
        self._frequency = list(FrequencyRule.objects.order_by("effective_from", "set_at", "pk"))
        self._depth = list(DepthRule.objects.order_by("effective_from", "set_at", "pk"))

    def _pick(self, rules, unit_id: int, area_type: str, on: dt.date):
        ancestry = self._ancestry.get(unit_id, [])
        rank = {pk: i for i, pk in enumerate(ancestry)}
        best, best_rank = None, None
        for rule in rules:  # ordered by effective date: a later rule of the same or a nearer unit supersedes
            if rule.effective_from > on or rule.area_type != area_type:
                continue
            r = len(ancestry) if rule.unit_id is None else rank.get(rule.unit_id)
            if r is None:
                continue  # another subtree's rule
            if best_rank is None or r <= best_rank:
                best, best_rank = rule, r
        return best

    def frequency(self, unit_id: int, area_type: str, on: dt.date) -> FrequencyRule | None:
        return self._pick(self._frequency, unit_id, area_type, on)

    def depth(self, unit_id: int, area_type: str, on: dt.date) -> DepthRule | None:
        return self._pick(self._depth, unit_id, area_type, on)


def rules_in_force(unit: Unit, on: dt.date) -> dict:
    """What a unit's segments are held to at `on`: {"frequency": {area: rule}, "depth": {area: rule},
    "time_limits": TimeLimits}, for the rules page and the API."""
    book = RuleBook([unit.pk])
    return {"frequency": {a: book.frequency(unit.pk, a, on) for a in AreaType.values},
            "depth": {a: book.depth(unit.pk, a, on) for a in AreaType.values},
            "time_limits": TimeLimits(unit, on)}
