"""Which time limit is in force: the one interface other apps (tracking) use to judge an item.

    time_limit_days(unit, mail_class, route, on)  → N of D+N, or None when no rule applies
    TimeLimits(unit, on)                          → the same for many items in one query
"""
from __future__ import annotations

import datetime as dt

from postqc.org.models import Unit, UnitClosure

from .models import MailClass, Route, TimeLimitRule

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
