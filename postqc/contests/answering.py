"""Saving an answer during a competition: the hot path of "thousands answering at once".

An answer costs one statement. What it must know about the attempt besides its status — whose it
is, its deadline, its paper (each position's question version and option order) — is fixed when
the attempt starts, so it is read once and kept in the process (`sitting`, a LocalMemo). The
statement then does the rest:

    UPDATE the item's response, client id and time
     WHERE it is this item, its client id is not this one (a resend changes nothing),
       AND EXISTS (its attempt, still in progress, FOR SHARE)
    RETURNING how many other items of the paper are answered

The share lock on the attempt row is what makes "an answer is either in the score or refused"
hold: a submit locks the row FOR UPDATE, so an answer in flight finishes first (and is scored) or
waits and then finds the attempt submitted (and is refused). Answers of one attempt do not block
each other. When the statement updates nothing, `_explain` reads why (the attempt was closed, or
this is a resend) — the rare path. The server's clock decides lateness: past deadline + grace the
attempt is submitted by the server and the answer refused.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.db import hot_cursor
from postqc.core.memo import LocalMemo
from postqc.learning.grading import InvalidResponse, clean_response
from postqc.learning.models import OPTION_KEYS, QuestionVersion

from .models import Attempt, AttemptItem

OPTIONED = (QuestionVersion.Type.SINGLE, QuestionVersion.Type.MULTIPLE)


class AttemptClosed(ValidationError):
    """The attempt is submitted, or its time (with the grace) is over: the answer is refused."""


def original_keys(type_: str, option_order, displayed: list[str]) -> list[str]:
    """The option keys a person was shown (a paper's shuffled order), as the question's own keys."""
    if type_ not in OPTIONED:
        return displayed
    shown = OPTION_KEYS[: len(option_order)]
    if not all(isinstance(key, str) and len(key) == 1 and key in shown for key in displayed):
        raise InvalidResponse(f"options must be among {shown}")
    return [OPTION_KEYS[option_order[shown.index(key)]] for key in displayed]


def displayed_keys(type_: str, option_order, original: list[str]) -> list[str]:
    """The question's own option keys as the person was shown them, in display order."""
    if type_ not in OPTIONED:
        return list(original)
    positions = {OPTION_KEYS[index]: shown for shown, index in enumerate(option_order)}
    return sorted(OPTION_KEYS[positions[key]] for key in original if key in positions)


@dataclass(frozen=True)
class SittingItem:
    """One question of a paper, as answering needs it: the item, and of its question version the
    type and options (what grading.clean_response reads) — small, so a sitting pickles small."""

    item_id: int
    position: int
    version_id: int
    type: str
    options: tuple[str, ...]
    option_order: tuple[int, ...]  # displayed position i shows the question's option option_order[i]
    points: Decimal


@dataclass(frozen=True)
class Sitting:
    """What answering needs to know about an attempt, none of which changes once it has started."""

    attempt_id: int
    code: uuid.UUID
    staff_id: int
    deadline: dt.datetime
    closes: dt.datetime  # the deadline plus the exam's network grace: the last moment an answer counts
    items: dict[int, SittingItem]  # by position

    def remaining_seconds(self, at: dt.datetime) -> int:
        """Whole seconds until the deadline (never the grace)."""
        return max(0, int((self.deadline - at).total_seconds()))


# An attempt's paper, owner and deadline never change, nor its exam's grace once anyone has started
# (services.CHANGEABLE_AFTER_START). So a sitting is put in the shared cache when the attempt starts
# (`remember`) and kept by each process that answers for it: an answer reads none of it from the database.
_sittings = LocalMemo("contests.sitting", ttl=600)
SITTING_CACHE_SECONDS = 6 * 3600  # longer than any sitting; an expired one is read again


def _cache_key(code: uuid.UUID) -> str:
    return f"contests:sitting:{code}"


def sitting(code) -> Sitting | None:
    """The sitting of the attempt with this code (of whoever), or None if there is none."""
    try:
        code = uuid.UUID(str(code))
    except ValueError:
        return None
    return _sittings.get(code, lambda: cache.get(_cache_key(code)) or _load_sitting(code))


def _load_sitting(code: uuid.UUID) -> Sitting | None:
    attempt = Attempt.objects.filter(code=code).select_related("exam").first()
    if attempt is None:
        return None
    return remember(attempt, AttemptItem.objects.filter(attempt=attempt).select_related("version"))


def remember(attempt: Attempt, items) -> Sitting:
    """Build the sitting of `attempt` (its exam loaded) and its `items` (their versions loaded), and
    keep it in the shared cache."""
    sitting = Sitting(
        attempt_id=attempt.pk, code=attempt.code, staff_id=attempt.staff_id, deadline=attempt.deadline,
        closes=attempt.deadline + dt.timedelta(seconds=attempt.exam.grace_seconds),
        items={item.position: SittingItem(item.pk, item.position, item.version_id, item.version.type,
                                          tuple(item.version.options), tuple(item.option_order or ()), item.points)
               for item in items})
    if all(item.item_id is not None for item in sitting.items.values()):  # (bulk_create may not return ids)
        cache.set(_cache_key(attempt.code), sitting, SITTING_CACHE_SECONDS)
    return sitting


@dataclass(frozen=True)
class Saved:
    """An answer as saved: the response in the question's own keys (None: cleared), and
    `answered`, how many questions of the paper now have an answer."""

    item: SittingItem
    response: list[str] | None
    client_id: uuid.UUID
    answered_at: dt.datetime | None
    answered: int
    replayed: bool = False

    @property
    def displayed(self) -> list[str] | None:
        return None if self.response is None else displayed_keys(self.item.type, self.item.option_order, self.response)


def _is_blank(response) -> bool:
    return isinstance(response, list) and (not response or (len(response) == 1 and isinstance(response[0], str)
                                                            and not response[0].strip()))


def answer(*, sitting: Sitting, position: int, response: list[str], client_id, at: dt.datetime | None = None,
           ) -> Saved:
    """Save the answer to one question in the keys the person was shown (see the module docstring).

    Raises AttemptClosed past deadline + grace (after the server submitted the attempt) or when it
    is submitted already, ValidationError naming `position`, `client_id` or `response`. A resend
    with the same client id changes nothing; a later answer replaces the earlier one; an empty
    answer clears it. Nothing about correctness is computed or returned."""
    from .services import attempt_expire_if_overdue

    at = at or timezone.now()
    if at > sitting.closes:
        attempt_expire_if_overdue(attempt=Attempt.objects.select_related("exam").get(pk=sitting.attempt_id), at=at)
        raise AttemptClosed(_("本次作答已交卷或已到时间，答案不能再修改。"), code="closed")
    item = sitting.items.get(position)
    if item is None:
        raise ValidationError({"position": [_("第 %(n)s 题不在这份试卷中。") % {"n": position}]})
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError:
        raise ValidationError({"client_id": [_("client_id 应为 UUID。")]}) from None
    cleaned = None
    if not _is_blank(response):
        try:
            # clean_response reads a version's type and options; the sitting's item has both.
            cleaned = clean_response(item, original_keys(item.type, item.option_order, response))
        except InvalidResponse as exc:
            raise ValidationError({"response": [_("第 %(n)d 题的答案格式不对：%(why)s") % {"n": position, "why": exc}]}) \
                from None
    others = _write(sitting, item, cleaned, client_id, at)
    if others is None:
        return _explain(sitting, item, client_id)
    return Saved(item=item, response=cleaned, client_id=client_id, answered_at=at,
                 answered=others + (cleaned is not None))


def _write(sitting: Sitting, item: SittingItem, cleaned, client_id: uuid.UUID, at: dt.datetime) -> int | None:
    """The one statement; how many other items are answered, or None when nothing was updated."""
    qn = connection.ops.quote_name
    items, attempts = qn(AttemptItem._meta.db_table), qn(Attempt._meta.db_table)
    postgres = connection.vendor == "postgresql"
    distinct = "IS DISTINCT FROM" if postgres else "IS NOT"
    share = " FOR SHARE" if postgres else ""  # SQLite: the write transaction is the lock
    field = AttemptItem._meta.get_field
    client = field("client_id").get_db_prep_value(client_id, connection)
    sql = (f"UPDATE {items} SET response = %s, client_id = %s, answered_at = %s "
           f"WHERE id = %s AND client_id {distinct} %s "
           f"AND EXISTS (SELECT 1 FROM {attempts} a WHERE a.id = %s AND a.status = %s{share}) "
           f"RETURNING (SELECT COUNT(*) FROM {items} o WHERE o.attempt_id = %s AND o.response IS NOT NULL "
           f"AND o.id <> %s)")
    params = [field("response").get_db_prep_save(cleaned, connection), client,
              connection.ops.adapt_datetimefield_value(at), item.item_id, client, sitting.attempt_id,
              Attempt.Status.IN_PROGRESS, sitting.attempt_id, item.item_id]
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else row[0]


def _explain(sitting: Sitting, item: SittingItem, client_id: uuid.UUID) -> Saved:
    """Nothing was updated: the attempt is over (refused), or this answer was saved before (a resend:
    the saved state comes back)."""
    status = Attempt.objects.filter(pk=sitting.attempt_id).values_list("status", flat=True).first()
    if status != Attempt.Status.IN_PROGRESS:
        raise AttemptClosed(_("本次作答已交卷或已到时间，答案不能再修改。"), code="closed")
    saved = AttemptItem.objects.filter(pk=item.item_id).values("response", "client_id", "answered_at").first()
    answered = AttemptItem.objects.filter(attempt_id=sitting.attempt_id, response__isnull=False).count()
    return Saved(item=item, response=saved["response"], client_id=saved["client_id"], answered_at=saved["answered_at"],
                 answered=answered, replayed=True)
