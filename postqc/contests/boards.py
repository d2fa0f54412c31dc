"""Leaderboards of 竞赛 and 考试: who is ahead, where I stand, and how the units compare.

The truth is BoardEntry: one row per person and exam holding their counted result, chosen by
the exam's counting rule among their finished attempts (`counted_attempt`). `board_record`
keeps it right inside the submit transaction; `board_refresh` does the same when a review
excludes an attempt. Mock exams have no board.

Ranking order, the same everywhere: score, high first (what accuracy earns, plus the speed
bonus when the exam turns it on); then the time used, short first; then the submit time,
early first; then the staff id, so that no two rows ever tie and both backends agree.

Two backends answer `top`, `rank_of`, `around` and `participants` with identical results:

- Redis, when settings.REDIS_URL is set: per exam a sorted set and a hash (staff id → member).
  A member's score packs the score and the time used into one exactly representable integer,
  ``score_hundredths × 10^7 + (10^7 − 1 − duration_seconds)``; the member itself is
  ``(10^16 − 1 − submit µs)`` and ``(10^12 − 1 − staff id)`` as fixed-width digits. Members
  with equal scores sort by member, and the reverse (ZREV*) order puts the greater member
  first: the earlier submit, then the lower staff id. Rank lookup is ZREVRANK: O(log n).
  A change of a person's entry is written to Redis inside its transaction, under the lock
  on their Staff row (so two changes for one person land in commit order, and the board is
  live when the submit returns), and copied again from the database after the commit. A
  board missing from Redis (new Redis, eviction, flush) or whose two keys disagree is rebuilt
  from BoardEntry on its first read; `postqc rebuild_boards` rebuilds on demand. What can
  still leave one person wrong in Redis until their next change or a rebuild: a transaction
  that fails after its write-through (the submit has nothing after it), or Redis being
  unreachable while keeping its data (writes are then logged, reads go to the database).
- The database: BoardEntry and its (exam, −score, duration, submitted_at) index. `top` reads
  the first n index entries. `rank_of` counts the entries ahead of mine, which walks the index
  up to my position: O(rank) — bench/contest_board.py measured a p50 of 5 ms on a board of
  10,000 and 143 ms on one of 1,000,000 (PostgreSQL), nothing at a city branch's 2,000 staff
  (the embedded default); Redis is for more (0.12 ms at 1,000,000).

Unit board (`units`): the audience's units grouped at a level below the organising unit
(default: its children). Per group: eligible headcount (`audience.eligible_staff`), participants, the
sum of their counted scores, per-capita score = that sum ÷ eligible headcount (people who did
not take part count as 0) and participation = participants ÷ eligible headcount — so a small
branch where everyone took part can beat a big one. Computed in three queries and cached for
UNITS_TTL seconds; a submit clears the cache.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum

from postqc.org.models import Staff, Unit, UnitClosure

from .audience import eligible_staff
from .models import Attempt, BoardEntry, Exam

log = logging.getLogger(__name__)

BOARD_KINDS = (Exam.Kind.CONTEST, Exam.Kind.EXAM)
FINISHED = (Attempt.Status.SUBMITTED, Attempt.Status.EXPIRED)
ORDER = ("-score", "duration_seconds", "submitted_at", "staff_id")
TOP_MAX = 100
AROUND = 5
UNITS_TTL = 10  # seconds a unit board is served from the cache
UNIT_LEVELS = (1, 2, 3)

# The packing of a board row into a Redis score and member (see the module docstring).
DURATION_SPAN = 10**7
TIME_SPAN = 10**16
STAFF_SPAN = 10**12
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
BUILT = "_built"  # a field of the hash: the board was built from the database
REBUILD_LOCK_SECONDS = 600


@dataclass(frozen=True)
class Row:
    """One person's place on the board, as either backend reads it."""

    rank: int
    staff_id: int
    score: Decimal
    duration_seconds: int
    submitted_at: dt.datetime


@dataclass(frozen=True)
class Standing:
    """A row of the individual board with the person's name and unit."""

    rank: int
    staff_id: int
    name: str
    unit_name: str
    score: Decimal
    duration_seconds: int
    submitted_at: dt.datetime


@dataclass(frozen=True)
class UnitStanding:
    """A row of the unit board. `own` marks a unit above the chosen level counted for its own
    staff only (e.g. the organiser's 本级)."""

    rank: int
    unit_id: int
    code: str
    name: str
    own: bool
    headcount: int
    participants: int
    total: Decimal
    per_capita: Decimal
    participation: Decimal  # 0..1, four decimals

    @property
    def participation_percent(self) -> Decimal:
        return (self.participation * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Turnout:
    """Participation over the whole audience."""

    participants: int
    eligible: int

    @property
    def percent(self) -> Decimal:
        if not self.eligible:
            return Decimal(0)
        return (Decimal(self.participants) * 100 / self.eligible).quantize(Decimal("0.1"))


# --- The counted result (the truth) -------------------------------------------------------------------


def counted_attempt(attempts: Iterable[Attempt], counting: str) -> Attempt | None:
    """The attempt that counts among one person's attempts of one exam, or None.

    Only finished attempts count. best: the best by the ranking order among those not
    excluded; last: the latest not excluded. first: the first, unless it was excluded — then
    nothing counts, because letting a second attempt stand in for a voided first one would
    give that person a retry the others did not get."""
    finished = sorted((a for a in attempts if a.status in FINISHED and a.score is not None), key=lambda a: a.number)
    if not finished:
        return None
    if counting == Exam.Counting.FIRST:
        return None if finished[0].excluded_at else finished[0]
    kept = [a for a in finished if a.excluded_at is None]
    if not kept:
        return None
    if counting == Exam.Counting.LAST:
        return kept[-1]
    return min(kept, key=lambda a: (-a.score, a.duration_seconds, a.submitted_at, a.number))


def board_record(attempt: Attempt) -> BoardEntry | None:
    """Record a just-finished attempt on its exam's board: call inside the submit transaction.

    The person's entry is recomputed from all their attempts of the exam (`board_refresh`), so
    a worse second attempt leaves a best-counting entry alone. Mock exams have no board."""
    if attempt.exam.kind not in BOARD_KINDS:
        return None
    return board_refresh(exam=attempt.exam, staff_id=attempt.staff_id)


@transaction.atomic
def board_refresh(*, exam: Exam, staff_id: int) -> BoardEntry | None:
    """Make the person's BoardEntry match their attempts: create, update or delete it.

    Holds a lock on the person's Staff row, so a submit and a review of the same person
    cannot interleave; Redis and the unit board follow after the commit."""
    unit_id = Staff.objects.select_for_update().values_list("unit_id", flat=True).get(pk=staff_id)
    attempts = Attempt.objects.filter(exam=exam, staff_id=staff_id, status__in=FINISHED).only(
        "pk", "status", "number", "score", "duration_seconds", "submitted_at", "excluded_at")
    chosen = counted_attempt(attempts, exam.counting)
    entry = BoardEntry.objects.filter(exam=exam, staff_id=staff_id).first()
    if chosen is None:
        if entry is not None:
            entry.delete()
            entry = None
    else:
        values = {"attempt_id": chosen.pk, "unit_id": unit_id, "score": chosen.score,
                  "duration_seconds": chosen.duration_seconds, "submitted_at": chosen.submitted_at}
        if entry is None:
            entry = BoardEntry.objects.create(exam=exam, staff_id=staff_id, **values)
        elif any(getattr(entry, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(entry, name, value)
            entry.save(update_fields=["attempt", "unit", "score", "duration_seconds", "submitted_at"])
    _changed(exam, staff_id, entry)
    return entry


def _changed(exam: Exam, staff_id: int, entry: BoardEntry | None) -> None:
    """Follow a change of the person's entry: the unit board is cleared, the Redis board is
    written through now (under the Staff row lock, so in commit order) and copied again from
    the database after the commit. A failing Redis never fails the submit: it is logged, and
    the board is served from the database while Redis cannot answer."""
    forget_units(exam)
    exam_pk, code = exam.pk, exam.code
    if settings.REDIS_URL:
        row = None if entry is None else (entry.score, entry.duration_seconds, entry.submitted_at)
        try:
            RedisBoard(exam_pk, code).put(staff_id, row)
        except redis.RedisError:
            log.exception("Redis board of exam %s: writing staff %s failed", code, staff_id)

    def after_commit() -> None:
        forget_units(exam)  # again: a reader may have cached the state before the commit
        if settings.REDIS_URL:
            RedisBoard(exam_pk, code).sync(staff_id)

    transaction.on_commit(after_commit, robust=True)


# --- Who is counted ------------------------------------------------------------------------------------


# --- Reading the board --------------------------------------------------------------------------------


def top(exam: Exam, n: int = 10) -> list[Standing]:
    """The first `n` (at most TOP_MAX) of the board."""
    return _named(_top_rows(exam, n))


def rank_of(exam: Exam, staff) -> Standing | None:
    """The person's place on the board; None if they have no counted result."""
    rows = _named(_read(exam, "around", staff.pk, 0))
    return rows[0] if rows else None


def place_of(exam: Exam, staff_id: int) -> int | None:
    """The person's rank alone (no name or unit read); None if they have no counted result."""
    rows = _read(exam, "around", staff_id, 0)
    return rows[0].rank if rows else None


def around(exam: Exam, staff, k: int = AROUND) -> list[Standing]:
    """The person's row with up to `k` rows above and below (fewer at the ends of the board);
    empty if they have no counted result."""
    return _named(_around_rows(exam, staff.pk, k))


def top_and_around(exam: Exam, staff, n: int = 10, k: int = AROUND) -> tuple[list[Standing], list[Standing]]:
    """`top(exam, n)` and `around(exam, staff, k)` with the names of both read at once."""
    first, near = _top_rows(exam, n), _around_rows(exam, staff.pk, k)
    named = _named(first + near)
    return named[:len(first)], named[len(first):]


def _top_rows(exam: Exam, n: int) -> list[Row]:
    n = max(0, min(n, TOP_MAX))
    return _read(exam, "top", n) if n else []


def _around_rows(exam: Exam, staff_id: int, k: int) -> list[Row]:
    return _read(exam, "around", staff_id, max(0, min(k, TOP_MAX)))


def participants(exam: Exam) -> int:
    """How many people have a counted result."""
    return _read(exam, "count")


def _read(exam: Exam, what: str, *args):
    if settings.REDIS_URL:
        try:
            result = getattr(RedisBoard(exam.pk, exam.code), what)(*args)
        except redis.RedisError:
            log.exception("Redis board of exam %s cannot be read; reading the database", exam.code)
            result = None
        if result is not None:
            return result
    return getattr(DatabaseBoard(exam.pk), what)(*args)


def _named(rows: list[Row]) -> list[Standing]:
    people = {pk: (name, unit) for pk, name, unit in Staff.objects.filter(pk__in=[r.staff_id for r in rows])
              .order_by().values_list("pk", "name", "unit__name")} if rows else {}
    standings = []
    for r in rows:
        name, unit = people.get(r.staff_id, ("", ""))
        standings.append(Standing(rank=r.rank, staff_id=r.staff_id, name=name, unit_name=unit, score=r.score,
                                  duration_seconds=r.duration_seconds, submitted_at=r.submitted_at))
    return standings


class DatabaseBoard:
    """The board read from BoardEntry (see the module docstring for the cost of `around`)."""

    def __init__(self, exam_pk: int):
        self.entries = BoardEntry.objects.filter(exam_id=exam_pk)

    @staticmethod
    def _rows(values, first_rank: int) -> list[Row]:
        return [Row(first_rank + i, staff_id, score, duration, at)
                for i, (staff_id, score, duration, at) in enumerate(values)]

    def _ordered(self):
        return self.entries.order_by(*ORDER).values_list("staff_id", "score", "duration_seconds", "submitted_at")

    def top(self, n: int) -> list[Row]:
        return self._rows(self._ordered()[:n], 1)

    def around(self, staff_id: int, k: int) -> list[Row]:
        mine = self.entries.filter(staff_id=staff_id).values_list(
            "score", "duration_seconds", "submitted_at").first()
        if mine is None:
            return []
        score, duration, at = mine
        ahead = self.entries.filter(
            Q(score__gt=score)
            | Q(score=score, duration_seconds__lt=duration)
            | Q(score=score, duration_seconds=duration, submitted_at__lt=at)
            | Q(score=score, duration_seconds=duration, submitted_at=at, staff_id__lt=staff_id)
        ).count()
        if k == 0:
            return [Row(ahead + 1, staff_id, score, duration, at)]
        first = max(0, ahead - k)
        return self._rows(self._ordered()[first:ahead + k + 1], first + 1)

    def count(self) -> int:
        return self.entries.count()


# --- Redis -------------------------------------------------------------------------------------------------

# KEYS: zset, hash. ARGV: "top", n | "around", staff id, k | "count".
# Reply {0} when the board is missing or its two keys disagree (then it is rebuilt); otherwise
# {1, size, first 0-based rank, flat [member, score, ...]}.
READ = """
if redis.call('HEXISTS', KEYS[2], ARGV[4]) == 0
   or redis.call('ZCARD', KEYS[1]) ~= redis.call('HLEN', KEYS[2]) - 1 then
  return {0}
end
local size = redis.call('ZCARD', KEYS[1])
if ARGV[1] == 'count' then
  return {1, size, 0, {}}
end
if ARGV[1] == 'top' then
  return {1, size, 0, redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1, 'WITHSCORES')}
end
local member = redis.call('HGET', KEYS[2], ARGV[2])
if not member then
  return {1, size, -1, {}}
end
local rank = redis.call('ZREVRANK', KEYS[1], member)
local k = tonumber(ARGV[3])
local first = math.max(0, rank - k)
return {1, size, first, redis.call('ZREVRANGE', KEYS[1], first, rank + k, 'WITHSCORES')}
"""

# KEYS: zset, hash, rebuild lock, touched set. ARGV: staff id, member ("" removes), score, BUILT.
# While a rebuild runs, the person is noted so the rebuild copies them again after its swap.
PUT = """
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('SADD', KEYS[4], ARGV[1])
end
if redis.call('HEXISTS', KEYS[2], ARGV[4]) == 0 then
  return 0
end
local old = redis.call('HGET', KEYS[2], ARGV[1])
if old then
  redis.call('ZREM', KEYS[1], old)
end
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[2], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
return 1
"""

# KEYS: new zset, new hash, zset, hash. The freshly built board replaces the live one at once.
SWAP = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], KEYS[3])
else
  redis.call('DEL', KEYS[3])
end
redis.call('RENAME', KEYS[2], KEYS[4])
return 1
"""

# KEYS: lock, touched. ARGV: the rebuild's token. Only the rebuild holding the lock releases it.
UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


@functools.cache
def _scripts(url: str) -> dict:
    client = _client(url)
    return {name: client.register_script(text) for name, text in
            (("read", READ), ("put", PUT), ("swap", SWAP), ("unlock", UNLOCK))}


def pack(score: Decimal, duration_seconds: int, submitted_at: dt.datetime, staff_id: int) -> tuple[int, str]:
    """(Redis score, member) of a board row; see the module docstring."""
    hundredths = int(score * 100)
    duration = min(max(duration_seconds, 0), DURATION_SPAN - 1)
    micros = (submitted_at - EPOCH) // MICROSECOND
    return (hundredths * DURATION_SPAN + (DURATION_SPAN - 1 - duration),
            f"{TIME_SPAN - 1 - micros:016d}{STAFF_SPAN - 1 - staff_id:012d}")


def unpack(rank: int, member: bytes | str, packed: bytes | str | float) -> Row:
    member = member.decode() if isinstance(member, bytes) else member
    value = int(float(packed))
    hundredths, rest = divmod(value, DURATION_SPAN)
    return Row(rank=rank, staff_id=STAFF_SPAN - 1 - int(member[16:]), score=Decimal(hundredths) / 100,
               duration_seconds=DURATION_SPAN - 1 - rest,
               submitted_at=EPOCH + (TIME_SPAN - 1 - int(member[:16])) * MICROSECOND)


class RedisBoard:
    """The board of one exam in Redis. Reads return None when the board could not be served
    (missing and another process is rebuilding it): the caller reads the database instead."""

    def __init__(self, exam_pk: int, code: uuid.UUID):
        self.exam_pk = exam_pk
        base = f"postqc:board:{{{code}}}"  # one hash tag: every key of a board in one cluster slot
        self.zset, self.hash = f"{base}:z", f"{base}:h"
        self.lock, self.touched = f"{base}:rebuilding", f"{base}:touched"
        self.new_zset, self.new_hash = f"{base}:z:new", f"{base}:h:new"
        self.url = settings.REDIS_URL
        self.redis = _client(self.url)
        self.scripts = _scripts(self.url)

    def _call(self, *args):
        reply = self.scripts["read"](keys=[self.zset, self.hash], args=[*args, *[""] * (3 - len(args)), BUILT])
        if reply[0] == 0:
            if self.rebuild() is None:
                return None
            reply = self.scripts["read"](keys=[self.zset, self.hash], args=[*args, *[""] * (3 - len(args)), BUILT])
            if reply[0] == 0:
                return None
        return reply

    @staticmethod
    def _rows(first: int, flat: list) -> list[Row]:
        return [unpack(first + 1 + i, flat[2 * i], flat[2 * i + 1]) for i in range(len(flat) // 2)]

    def top(self, n: int) -> list[Row] | None:
        reply = self._call("top", n)
        return None if reply is None else self._rows(0, reply[3])

    def around(self, staff_id: int, k: int) -> list[Row] | None:
        reply = self._call("around", staff_id, k)
        return None if reply is None else self._rows(reply[2], reply[3])

    def count(self) -> int | None:
        reply = self._call("count")
        return None if reply is None else reply[1]

    def put(self, staff_id: int, row: tuple | None) -> None:
        """Set the person's row (score, duration, submitted_at), or remove it (None)."""
        score, member = pack(*row, staff_id) if row else (0, "")
        self.scripts["put"](keys=[self.zset, self.hash, self.lock, self.touched],
                            args=[staff_id, member, score, BUILT])

    def sync(self, staff_id: int) -> None:
        """Copy one person's entry (or its absence) from the database, under the lock on their
        Staff row that `board_refresh` takes too: the last copy made is of the last commit."""
        with transaction.atomic():
            list(Staff.objects.select_for_update().filter(pk=staff_id).values_list("pk"))
            row = BoardEntry.objects.filter(exam_id=self.exam_pk, staff_id=staff_id).values_list(
                "score", "duration_seconds", "submitted_at").first()
            self.put(staff_id, row)

    def rebuild(self, batch: int = 5000) -> int | None:
        """Build the board afresh from BoardEntry beside the live one and swap it in; the
        number of rows, or None when another process is rebuilding it already. People whose
        entry changed during the rebuild are copied again after the swap."""
        token = uuid.uuid4().hex
        if not self.redis.set(self.lock, token, nx=True, ex=REBUILD_LOCK_SECONDS):
            return None
        try:
            self.redis.delete(self.touched, self.new_zset, self.new_hash)
            rows = (BoardEntry.objects.filter(exam_id=self.exam_pk).order_by()
                    .values_list("staff_id", "score", "duration_seconds", "submitted_at").iterator(chunk_size=batch))
            count, scores, members = 0, {}, {}
            for staff_id, score, duration, at in rows:
                packed, member = pack(score, duration, at, staff_id)
                scores[member], members[staff_id] = packed, member
                count += 1
                if len(scores) >= batch:
                    self._write_batch(scores, members)
                    scores, members = {}, {}
            self._write_batch(scores, members)
            self.redis.hset(self.new_hash, BUILT, 1)
            self.scripts["swap"](keys=[self.new_zset, self.new_hash, self.zset, self.hash])
            for staff_id in self.redis.smembers(self.touched):
                self.sync(int(staff_id))
            return count
        finally:
            self.scripts["unlock"](keys=[self.lock, self.touched], args=[token])

    def _write_batch(self, scores: dict, members: dict) -> None:
        if not scores:
            return
        pipe = self.redis.pipeline(transaction=False)
        pipe.zadd(self.new_zset, scores)
        pipe.hset(self.new_hash, mapping=members)
        pipe.execute()

    def drop(self) -> None:
        self.redis.delete(self.zset, self.hash)


def rebuild(exam: Exam) -> int | None:
    """Rebuild the exam's Redis board from BoardEntry: the number of rows; None when another
    process is rebuilding it. Without Redis there is nothing to rebuild: the database is the board."""
    if not settings.REDIS_URL:
        return None
    return RedisBoard(exam.pk, exam.code).rebuild()


# --- The unit board ----------------------------------------------------------------------------------------


def _units_key(exam: Exam, level: int) -> str:
    return f"contests:units:{exam.code}:{level}"


def forget_units(exam: Exam) -> None:
    cache.delete_many([_units_key(exam, level) for level in UNIT_LEVELS])


def units(exam: Exam, *, level: int = 1) -> list[UnitStanding]:
    """The unit board at `level` below the organising unit (1: its children), best first:
    per-capita score, then participation, then the smaller unit, then the code. Staff of units
    above that level are grouped by their own unit (`own`). Cached for UNITS_TTL seconds."""
    if level not in UNIT_LEVELS:
        raise ValueError(f"level must be one of {UNIT_LEVELS}")
    key = _units_key(exam, level)
    cached = cache.get(key)
    if cached is not None:
        return cached
    result = _compute_units(exam, level)
    cache.set(key, result, UNITS_TTL)
    return result


def _compute_units(exam: Exam, level: int) -> list[UnitStanding]:
    counted = BoardEntry.objects.filter(exam=exam, staff_id=OuterRef("pk")).values("score")[:1]
    by_unit = (eligible_staff(exam).annotate(counted=Subquery(counted)).order_by().values("unit_id")
               .annotate(headcount=Count("pk"), participants=Count("counted"), total=Sum("counted")))
    by_unit = list(by_unit)
    unit_ids = [row["unit_id"] for row in by_unit]
    at_level = UnitClosure.objects.filter(ancestor_id=exam.unit_id, depth=level).values("descendant_id")
    group_of = dict(UnitClosure.objects.filter(ancestor_id__in=at_level, descendant_id__in=unit_ids)
                    .values_list("descendant_id", "ancestor_id"))
    groups: dict[int, dict] = {}
    for row in by_unit:
        group = groups.setdefault(group_of.get(row["unit_id"], row["unit_id"]),
                                  {"headcount": 0, "participants": 0, "total": Decimal(0)})
        group["headcount"] += row["headcount"]
        group["participants"] += row["participants"]
        group["total"] += row["total"] or Decimal(0)
    names = {u.pk: u for u in Unit.objects.filter(pk__in=groups).only("pk", "code", "name")}
    own = set(groups) - set(group_of.values())
    rows = []
    for unit_id, g in groups.items():
        per_capita = (g["total"] / g["headcount"]).quantize(Decimal("0.01"))
        participation = (Decimal(g["participants"]) / g["headcount"]).quantize(Decimal("0.0001"))
        rows.append((unit_id, g, per_capita, participation))
    rows.sort(key=lambda r: (-r[2], -r[3], r[1]["headcount"], names[r[0]].code))
    return [UnitStanding(rank=i, unit_id=unit_id, code=names[unit_id].code,
                         name=names[unit_id].name, own=unit_id in own,
                         headcount=g["headcount"], participants=g["participants"], total=g["total"],
                         per_capita=per_capita, participation=participation)
            for i, (unit_id, g, per_capita, participation) in enumerate(rows, start=1)]


def turnout(exam: Exam) -> Turnout:
    """Participants over eligible people, from the (cached) unit board."""
    rows = units(exam)
    return Turnout(participants=sum(r.participants for r in rows), eligible=sum(r.headcount for r in rows))
