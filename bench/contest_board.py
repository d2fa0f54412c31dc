"""`python -m bench.contest_board`: rank lookup on a board of 1,000,000 participants against one of
10,000 (design.md budget: p50 ratio ≤ 1.2), on Redis, with the database's figure beside it.

Two competitions are filled through the ORM (bulk inserts, no services: the rows are what
submits would have left): 1,000,000 people with a counted result in one, the first 10,000 of them
in the other — scores 0–100 and times of 1–30 minutes, so ties abound. Both Redis boards are
built from BoardEntry (`boards.rebuild`, timed). Then:

1. in process, the lookup itself: `RedisBoard.around(staff, 0)` (one EVALSHA: HGET + ZREVRANK +
   ZREVRANGE) for random people of each board — p50 at 1M ÷ p50 at 10K ≤ 1.2; the same through
   `DatabaseBoard` (COUNT of the entries ahead over the rank index: O(rank)) for information;
2. through the production server (gunicorn, PostgreSQL with the pool, Redis): GET
   /api/v1/exams/{code}/board?around=me&top=0 with --tokens people's tokens of each board —
   p50 at 1M ÷ p50 at 10K ≤ 1.2, and requests/s against GET /healthz.

Results: bench/out/contest-board-*.json. The bench database is postqc_bench_board unless
BENCH_DATABASE_URL says otherwise; Redis is REDIS_URL or redis://127.0.0.1:6379/9.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import math
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass

from bench.harness import OUT_DIR, TRIVIAL_PATH, Baseline, Budget, load, report, serve

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postqc_bench_board"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
BATCH = 20_000


@dataclass(frozen=True)
class Data:
    exams: dict[int, str]  # participants → competition code
    tokens: dict[int, list[str]]  # participants → tokens of people on that board
    samples: dict[int, list[int]]  # participants → staff ids to look up in process
    build_seconds: dict[int, float]


def fill(big: int, small: int, tokens: int) -> Data:
    """The city, `big` people, two published competitions and their BoardEntry rows (on the bench database)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from postqc.api.services import token_issue
    from postqc.contests import boards
    from postqc.contests.models import Attempt, BoardEntry, Exam
    from postqc.org.models import Staff, StaffRole, Unit
    from postqc.org.roles import Role
    from postqc.org.services import unit_create

    rng = random.Random(20180928)
    city = unit_create(code="JLS", name="吉林市分公司", kind=Unit.Kind.CITY, parent=None)
    branches = [unit_create(code=f"JLS-{n:03d}", name=f"第{n}支局", kind=Unit.Kind.BRANCH, parent=city)
                for n in range(1, 101)]
    now = timezone.now()
    exams = {size: Exam.objects.create(kind=Exam.Kind.CONTEST, title=f"排行榜压测（{size:,} 人）", unit=city,
                                       status=Exam.Status.PUBLISHED, time_limit_seconds=1800, attempts_allowed=1)
             for size in (small, big)}
    unusable = make_password(None)
    staff_ids: list[int] = []
    started = time.perf_counter()
    for first in range(0, big, BATCH):
        people = Staff.objects.bulk_create(
            Staff(employee_no=f"B{n:07d}", name=f"员工{n}", unit=branches[n % len(branches)], password=unusable)
            for n in range(first, min(big, first + BATCH)))
        staff_ids += [s.pk for s in people]
        units = {s.pk: s.unit_id for s in people}
        for size, exam in exams.items():
            ids = [pk for i, pk in enumerate(staff_ids[first:first + BATCH], start=first) if i < size]
            if not ids:
                continue
            rows = []
            for pk in ids:
                duration = rng.randint(60, 1800)
                submitted = now - dt.timedelta(seconds=rng.randint(0, 86400), microseconds=rng.randint(0, 999_999))
                rows.append((pk, rng.randint(0, 100), duration, submitted))
            attempts = Attempt.objects.bulk_create(
                Attempt(exam=exam, staff_id=pk, number=1, status=Attempt.Status.SUBMITTED, started_at=at,
                        deadline=at, submitted_at=at, score=score, max_score=100, duration_seconds=duration)
                for pk, score, duration, at in rows)
            BoardEntry.objects.bulk_create(
                BoardEntry(exam=exam, staff_id=pk, unit_id=units[pk], attempt=attempt, score=score,
                           duration_seconds=duration, submitted_at=at)
                for (pk, score, duration, at), attempt in zip(rows, attempts, strict=True))
        print(f"   … {len(staff_ids):,} people ({time.perf_counter() - started:.0f} s)", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    holders = {size: rng.sample(staff_ids[:size], tokens) for size in exams}
    StaffRole.objects.bulk_create([StaffRole(staff_id=pk, role=Role.CLERK) for pk in
                                   {pk for ids in holders.values() for pk in ids}])
    by_pk = Staff.objects.in_bulk({pk for ids in holders.values() for pk in ids})
    build = {}
    for size, exam in exams.items():
        t0 = time.perf_counter()
        assert boards.rebuild(exam) == size
        build[size] = time.perf_counter() - t0
    return Data(exams={size: str(e.code) for size, e in exams.items()},
                tokens={size: [token_issue(staff=by_pk[pk], label="bench")[0] for pk in ids]
                        for size, ids in holders.items()},
                samples={size: rng.sample(staff_ids[:size], min(size, 2000)) for size in exams},
                build_seconds=build)


def board_request(tokens, code, i):
    headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
    return "GET", f"/api/v1/exams/{code}/board?around=me&top=0", headers, b""


def lookup(board, staff_id: int):
    """One rank lookup: the person's row (rank, score, time) — what `boards.rank_of` asks a backend."""
    return board.around(staff_id, 0)


def interleaved(calls: dict, args: dict[int, list], *, rounds: int) -> dict[int, list[float]]:
    """Milliseconds per call of calls[size](arg) for each size's arguments, the sizes alternating
    call by call, `rounds` times over (after one unmeasured call each)."""
    for size, call in calls.items():
        call(args[size][0])
    out: dict[int, list[float]] = {size: [] for size in calls}
    for _round in range(rounds):
        for row in zip(*(args[size] for size in calls), strict=False):
            for size, arg in zip(calls, row, strict=True):
                t0 = time.perf_counter()
                calls[size](arg)
                out[size].append(1000 * (time.perf_counter() - t0))
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.contest_board", description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=1_000_000, help="participants of the big board [1,000,000]")
    parser.add_argument("--small", type=int, default=10_000, help="participants of the small board [10,000]")
    parser.add_argument("--tokens", type=int, default=300, help="people of each board asking over HTTP [300]")
    parser.add_argument("--db-lookups", type=int, default=100, help="database lookups per board [100]")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the 2,000 Redis lookups per board [5]")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each HTTP run [10]")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections [16]")
    args = parser.parse_args(argv)
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    common = {"concurrency": args.concurrency, "duration": args.duration}
    sizes = (args.small, args.big)

    with serve(redis_url=redis_url, load_data=functools.partial(fill, args.big, args.small, args.tokens)) as server:
        data: Data = server.data
        from postqc.contests import boards
        from postqc.contests.models import Exam

        exam = {size: Exam.objects.get(code=code) for size, code in data.exams.items()}
        cache = {size: boards.RedisBoard(exam[size].pk, exam[size].code) for size in sizes}
        db = {size: boards.DatabaseBoard(exam[size].pk) for size in sizes}
        # The two boards take turns, lookup by lookup, so that whatever else the machine does
        # weighs on both alike.
        redis_ms = interleaved({size: functools.partial(lookup, cache[size]) for size in sizes}, data.samples,
                               rounds=args.rounds)
        db_ms = interleaved({size: functools.partial(lookup, db[size]) for size in sizes},
                            {size: ids[:args.db_lookups] for size, ids in data.samples.items()}, rounds=1)
        before = load(server.url(TRIVIAL_PATH), server=server, **common)
        http = {size: load(server.url("/"), server=server, **common,
                           request_factory=functools.partial(board_request, data.tokens[size], data.exams[size]))
                for size in sizes}
        after = load(server.url(TRIVIAL_PATH), server=server, **common)

    small, big = sizes
    ratio = p(redis_ms[big], 50) / p(redis_ms[small], 50)
    print(f"== contest-board: rank lookup in process ({len(redis_ms[big]):,} lookups of random people per board)")
    for size in sizes:
        print(f"   Redis    {size:>9,}  p50 {p(redis_ms[size], 50):.3f} ms  p99 {p(redis_ms[size], 99):.3f} ms  "
              f"(board built from the database in {data.build_seconds[size]:.1f} s)")
    for size in sizes:
        print(f"   database {size:>9,}  p50 {p(db_ms[size], 50):.3f} ms  p99 {p(db_ms[size], 99):.3f} ms  "
              f"({len(db_ms[size])} lookups: COUNT of the entries ahead, O(rank))")
    redis_budget = Budget(f"Redis p50 at {big:,} ÷ at {small:,}", ratio, at_most=1.2)
    db_budget = Budget(f"database p50 at {big:,} ÷ at {small:,}", p(db_ms[big], 50) / p(db_ms[small], 50))
    print(f"   budget        {redis_budget}\n   budget        {db_budget}", flush=True)
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / "contest-board-lookup.json").write_text(json.dumps({
        "redis_ms": {str(s): {"p50": p(v, 50), "p99": p(v, 99), "mean": statistics.fmean(v)}
                     for s, v in redis_ms.items()},
        "database_ms": {str(s): {"p50": p(v, 50), "p99": p(v, 99), "n": len(v)} for s, v in db_ms.items()},
        "build_seconds": {str(s): v for s, v in data.build_seconds.items()},
        "budget": {"figure": redis_budget.figure, "value": ratio, "at_most": 1.2, "met": redis_budget.met},
    }, indent=2) + "\n")

    baseline = Baseline(before, after)
    ok = redis_budget.met
    for size in sizes:
        report(f"contest-board-http-{size}", http[size], [
            Budget("requests/s ÷ trivial", http[size].rps / baseline.rps),
            Budget("p99 ÷ p50", http[size].p99 / http[size].p50)], baseline=baseline)
    http_budget = Budget(f"HTTP p50 at {big:,} ÷ at {small:,}", http[big].p50 / http[small].p50, at_most=1.2)
    print(f"== contest-board-http\n   budget        {http_budget}", flush=True)
    ok &= http_budget.met and all(f.errors == f.unexpected == 0 for f in (before, after, *http.values()))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
