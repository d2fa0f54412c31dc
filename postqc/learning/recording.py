"""Recording one practice answer in one round trip: the write path behind practice.answer_submit.

Practising is the busiest thing the platform does (every clerk, every spare minute), so an answer
costs the database one read and one write, not an ORM conversation:

1. `read_state` — one SELECT of the person's FSRS card and 错题本 entry for the question;
2. the caller reviews the card and steps the entry in memory (scheduling.apply_review,
   `wrong_book_step`);
3. `write` — on PostgreSQL one statement whose data-modifying CTEs upsert the card, insert the
   Answer, upsert the entry and (顺序练习) move the resume point; on SQLite the same statements
   one after another in a transaction (SQLite has no INSERT inside WITH; its writers are
   serialised, so the order is all that matters).

The read and the write are not in one transaction, so the write guards itself (optimistic
concurrency on the card):
- the card is written only if it still has the `reps` that was read (-1: there was none), and only
  if no Answer with this client id exists; the Answer is inserted only if the card was written
  (`SELECT … FROM card`), the entry and the cursor only if the Answer was. So the statement
  either writes all of it or nothing.
- a concurrent answer by the same person to the same question waits on the card's row lock and
  then fails the `reps` guard: `write` returns None and the caller retries, holding the card's
  lock (`lock_card`) from its read to its write;
- a resend of an answer already recorded (same client id) writes nothing either; the caller tells
  the two apart by looking for the Answer.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from postqc.core.db import hot_cursor

from .models import Answer, PracticeCursor, ReviewCard, WrongEntry

UTC = dt.timezone.utc
NO_CARD = -1  # the `reps` guard when the person had no card for the question


@dataclass
class CardState:
    """A ReviewCard's memory state in memory: what scheduling.apply_review reads and writes
    (a model instance costs more to build than the review itself)."""

    pk: int  # fsrs sleeps a millisecond to invent an id for a card without one: give it any
    due: dt.datetime
    state: int = ReviewCard.State.LEARNING
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: dt.datetime | None = None
    reps: int = 0
    lapses: int = 0


@dataclass
class EntryState:
    """A 错题本 entry in memory (wrong_count 0: the person has none for the question)."""

    wrong_count: int = 0
    right_streak: int = 0
    last_wrong_at: dt.datetime | None = None
    cleared_at: dt.datetime | None = None


def wrong_book_step(entry: EntryState, *, correct: bool, at: dt.datetime, clear_streak: int) -> str:
    """The 错题本 rule, applied to `entry` in place: a wrong answer opens (or re-opens) it and resets
    the streak; `clear_streak` right answers in a row clear it. Returns "added", "kept", "cleared",
    or "" when the entry is untouched (a right answer to a question not in the 错题本)."""
    if not correct:
        label = "kept" if entry.wrong_count and entry.cleared_at is None else "added"
        entry.wrong_count += 1
        entry.right_streak = 0
        entry.last_wrong_at = at
        entry.cleared_at = None
        return label
    if not entry.wrong_count or entry.cleared_at is not None:
        return ""
    entry.right_streak += 1
    if entry.right_streak >= clear_streak:
        entry.cleared_at = at
    return "cleared" if entry.cleared_at else "kept"


@dataclass
class State:
    card: CardState
    reps_read: int  # the guard: the card's reps when read, NO_CARD if it had none
    entry: EntryState


def _datetime(value) -> dt.datetime | None:
    """A timestamp as a raw cursor returns it: aware on PostgreSQL, text or naive UTC on SQLite."""
    if value is None or isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=UTC)


def _tables() -> dict[str, str]:
    return _quoted_tables(connection.vendor)


@functools.cache
def _quoted_tables(vendor: str) -> dict[str, str]:
    """The tables an answer touches, quoted for the backend (worked out once, not per answer)."""
    qn = connection.ops.quote_name
    return {"card": qn(ReviewCard._meta.db_table), "entry": qn(WrongEntry._meta.db_table),
            "answer": qn(Answer._meta.db_table), "cursor": qn(PracticeCursor._meta.db_table)}


def read_state(staff_id: int, question_id: int, *, at: dt.datetime) -> State:
    """The person's card and 错题本 entry for the question (fresh ones when they have none): one SELECT."""
    t = _tables()
    sql = (f"SELECT c.state, c.step, c.stability, c.difficulty, c.due, c.last_review, c.reps, c.lapses, "
           f"e.wrong_count, e.right_streak, e.last_wrong_at, e.cleared_at "
           f"FROM (SELECT %s AS staff_id, %s AS question_id) k "
           f"LEFT JOIN {t['card']} c ON c.staff_id = k.staff_id AND c.question_id = k.question_id "
           f"LEFT JOIN {t['entry']} e ON e.staff_id = k.staff_id AND e.question_id = k.question_id")
    with hot_cursor() as cursor:
        cursor.execute(sql, [staff_id, question_id])
        (state, step, stability, difficulty, due, last_review, reps, lapses,
         wrong_count, right_streak, last_wrong_at, cleared_at) = cursor.fetchone()
    if reps is None:  # no card: a fresh FSRS card, due now
        card, reps_read = CardState(pk=question_id, due=at), NO_CARD
    else:
        card = CardState(pk=question_id, due=_datetime(due), state=state, step=step, stability=stability,
                         difficulty=difficulty, last_review=_datetime(last_review), reps=reps, lapses=lapses)
        reps_read = reps
    entry = EntryState()
    if wrong_count is not None:
        entry = EntryState(wrong_count=wrong_count, right_streak=right_streak,
                           last_wrong_at=_datetime(last_wrong_at), cleared_at=_datetime(cleared_at))
    return State(card=card, reps_read=reps_read, entry=entry)


def lock_card(staff_id: int, question_id: int) -> None:
    """Lock the person's card for the question until the transaction ends (if it exists; on SQLite the
    transaction itself is the lock). For the retry after a lost race: it cannot lose again."""
    if connection.features.has_select_for_update:
        ReviewCard.objects.select_for_update().filter(staff_id=staff_id, question_id=question_id).exists()


@dataclass(frozen=True)
class Cursor:
    """顺序练习's resume point to move to the question answered: (bank, chapter or None for the bank)."""

    bank_id: int
    chapter_id: int | None


CARD_COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
ANSWER_COLUMNS = ("staff_id", "question_id", "version_id", "mode", "response", "is_correct", "duration_ms",
                  "hinted", "rating", "client_id", "answered_at")
ENTRY_COLUMNS = ("wrong_count", "right_streak", "last_wrong_at", "cleared_at")


def _excluded(columns) -> str:
    return ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)


def _placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


def write(answer: Answer, state: State, *, write_entry: bool, cursor: Cursor | None = None) -> int | None:
    """Record `answer` with the reviewed card and stepped entry of `state` (all of it or nothing, see
    the module's docstring). Returns the new Answer's id, or None when nothing was written: the
    card changed since it was read, or this client id is recorded already."""
    ops = connection.ops
    t = _tables()
    staff_id, question_id = answer.staff_id, answer.question_id
    card, entry = state.card, state.entry
    card_values = [card.state, card.step, card.stability, card.difficulty, ops.adapt_datetimefield_value(card.due),
                   ops.adapt_datetimefield_value(card.last_review), card.reps, card.lapses]
    answer_values = [staff_id, question_id, answer.version_id, answer.mode,
                     Answer._meta.get_field("response").get_db_prep_save(answer.response, connection),
                     answer.is_correct, answer.duration_ms, answer.hinted, answer.rating,
                     Answer._meta.get_field("client_id").get_db_prep_value(answer.client_id, connection),
                     ops.adapt_datetimefield_value(answer.answered_at)]
    # Each part: (name, sql, params); on PostgreSQL "FROM {source}" reads the part before it.
    parts = [
        ("card",
         f"INSERT INTO {t['card']} (staff_id, question_id, {', '.join(CARD_COLUMNS)}) "
         f"SELECT %s, %s, {_placeholders(len(CARD_COLUMNS))} "
         f"WHERE NOT EXISTS (SELECT 1 FROM {t['answer']} WHERE staff_id = %s AND client_id = %s) "
         f"ON CONFLICT (staff_id, question_id) DO UPDATE SET {_excluded(CARD_COLUMNS)} "
         f"WHERE {t['card']}.reps = %s RETURNING id",
         [staff_id, question_id, *card_values, staff_id, answer_values[9], state.reps_read]),
        ("answer",
         f"INSERT INTO {t['answer']} ({', '.join(ANSWER_COLUMNS)}) "
         f"SELECT {_placeholders(len(ANSWER_COLUMNS))} {{source}} "
         f"ON CONFLICT (staff_id, client_id) DO NOTHING RETURNING id",
         answer_values),
    ]
    if write_entry:
        parts.append((
            "entry",
            f"INSERT INTO {t['entry']} (staff_id, question_id, {', '.join(ENTRY_COLUMNS)}) "
            f"SELECT %s, %s, %s, %s, %s, %s {{source}} "
            f"ON CONFLICT (staff_id, question_id) DO UPDATE SET {_excluded(ENTRY_COLUMNS)} RETURNING id",
            [staff_id, question_id, entry.wrong_count, entry.right_streak,
             ops.adapt_datetimefield_value(entry.last_wrong_at), ops.adapt_datetimefield_value(entry.cleared_at)]))
    if cursor is not None:
        # Two unique constraints: (staff, bank, chapter), and (staff, bank) where chapter is NULL.
        target = ("(staff_id, bank_id) WHERE chapter_id IS NULL" if cursor.chapter_id is None
                  else "(staff_id, bank_id, chapter_id)")
        parts.append((
            "cursor",
            f"INSERT INTO {t['cursor']} (staff_id, bank_id, chapter_id, last_question_id, updated_at) "
            f"SELECT %s, %s, %s, %s, %s {{source}} "
            f"ON CONFLICT {target} DO UPDATE SET last_question_id = EXCLUDED.last_question_id, "
            f"updated_at = EXCLUDED.updated_at RETURNING id",
            [staff_id, cursor.bank_id, cursor.chapter_id, question_id,
             ops.adapt_datetimefield_value(answer.answered_at)]))
    if connection.vendor == "postgresql":
        return _write_cte(parts)
    return _write_in_turn(parts)


def _write_cte(parts) -> int | None:
    """PostgreSQL: every part a CTE of one statement, each after the first reading the one before it."""
    ctes, params = [], []
    for i, (name, sql, values) in enumerate(parts):
        source = "FROM card" if name == "answer" else "FROM answer" if i else ""
        ctes.append(f"{name} AS ({sql.replace('{source}', source)})")
        params += values
    with hot_cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} SELECT id FROM answer", params)
        row = cursor.fetchone()
    return row[0] if row else None


def _write_in_turn(parts) -> int | None:
    """Elsewhere (SQLite): the parts one after another in a transaction, stopping at the first that writes nothing.
    The card is the first write: if it is skipped, nothing was written."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        answer_id = None
        for name, sql, values in parts:
            # INSERT … SELECT … ON CONFLICT needs a WHERE to parse on SQLite ("WHERE true").
            cursor.execute(sql.replace("{source}", "WHERE true"), values)
            row = cursor.fetchone()
            if row is None and name == "card":
                return None
            if row is None and name == "answer":  # the card's NOT EXISTS saw no such answer, and writers are serialised
                raise RuntimeError("An answer appeared between two statements of one SQLite transaction.")
            if name == "answer":
                answer_id = row[0]
        return answer_id
