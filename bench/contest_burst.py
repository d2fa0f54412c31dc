"""`python -m bench.contest_burst`: 2,000 people start a competition, answer 10 questions each and
submit, as fast as the machine allows — then the count that nothing was lost or counted twice.

Served the production way (bench/harness.py: gunicorn gthread, PostgreSQL with the pool, Redis
for the boards and the cache). Two competitions of 10 questions (reserved pool, one paper per
person) and --participants clerks with API tokens are made first. Then, for the first one:

1. start: every participant POSTs /api/v1/exams/{code}/attempts (a burst);
2. answer: --participants × 10 PUTs /api/v1/attempts/{code}/items/{n}, each with its own
   client_id, as one burst; measured against GET /healthz as a burst of the same size and over
   a fixed duration before and after. Budgets (design.md): answers/s ÷ trivial ≥ 0.5;
   p99 ≤ 4 × p50; the drain time ÷ the trivial burst's ≤ 2.5;
3. submit: every participant POSTs …/submit (a burst);
4. the count, from the database: exactly one saved answer per (attempt, question), each with the
   client_id that was acknowledged for it; every attempt scored once (score = Σ awarded = 10 ×
   correct); one board entry per person, equal to the attempt; the Redis board equal to the
   database's (top 100 and 300 people's ±5).

Then the same for the second competition with one gunicorn worker SIGKILLed when a third of the
answers are in (--no-kill skips it). That run's client retries a request whose connection failed
with the same client_id (a resend), so every answer is eventually acknowledged; the count then
proves that every acknowledged answer is in the database exactly once. The master starts a new
worker; the killed worker's open transactions roll back.

Results: bench/out/contest-*.json. The bench database is postqc_bench_contest (dropped and made
again) unless BENCH_DATABASE_URL says otherwise; Redis is REDIS_URL or redis://127.0.0.1:6379/9
(a board's keys carry its competition's code, so an earlier run's keys do not matter).
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import json
import multiprocessing
import os
import random
import signal
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass

from bench.harness import (
    TRIVIAL_PATH,
    Baseline,
    Budget,
    Figures,
    _Connection,
    _machine_busy,
    _percentile,
    _process_cpu,
    load,
    report,
    serve,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postqc_bench_contest"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
QUESTIONS = 10
POINTS = 10
BANK_SIZE = 30
CLIENT_IDS = uuid.UUID("6f1d2c1e-3b7a-4d55-9a57-5b1e0e2c7a10")  # uuid5 namespace of the answers' client ids


@dataclass(frozen=True)
class Data:
    tokens: list[str]
    staff_ids: list[int]
    exams: list[str]  # the competitions' codes: [the measured run, the run with a killed worker]


def make_competitions(participants: int) -> Data:
    """A city with 20 branches, `participants` clerks with API tokens, a bank of reserved 单选 and
    two published competitions of 10 questions × 10 points (run by serve() on the bench database)."""
    from django.contrib.auth.hashers import make_password

    from postqc.api.services import token_issue
    from postqc.contests.services import exam_create
    from postqc.learning.models import Bank, Question, QuestionVersion
    from postqc.org.models import Staff, StaffRole, Unit
    from postqc.org.roles import Role
    from postqc.org.services import staff_create, unit_create

    city = unit_create(code="JLS", name="吉林市分公司", kind=Unit.Kind.CITY, parent=None)
    branches = [unit_create(code=f"JLS-{n:02d}", name=f"第{n}支局", kind=Unit.Kind.BRANCH, parent=city)
                for n in range(1, 21)]
    admin = staff_create(employee_no="S001", name="萨姆", unit=city, roles=[Role.SYSADMIN])
    unusable = make_password(None)
    people = Staff.objects.bulk_create(
        Staff(employee_no=f"C{n:05d}", name=f"营业员{n}", unit=branches[n % len(branches)], password=unusable)
        for n in range(participants))
    StaffRole.objects.bulk_create(StaffRole(staff=s, role=Role.CLERK) for s in people)
    tokens = [token_issue(staff=s, label="bench")[0] for s in people]

    bank = Bank.objects.create(code="JLS-JS", name="竞赛题库", unit=city)
    for n in range(BANK_SIZE):
        question = Question.objects.create(bank=bank, code=f"Q{n:04d}", status=Question.Status.PUBLISHED,
                                           pool=Question.Pool.RESERVED, sort_order=n)
        question.current = QuestionVersion.objects.create(
            question=question, number=1, type="single", stem=f"第{n + 1}题：普遍服务营业场所的哪一项做法正确？",
            options=["按规定时间营业", "随意停业", "拒收平常信函", "不公示资费"], answer=["A"], explanation="见规定。")
        question.save(update_fields=["current"])
    rules = [{"question_type": "single", "count": QUESTIONS, "points": POINTS}]
    exams = [exam_create(kind="contest", title=title, unit=city, time_limit_seconds=3600, rules=rules, actor=admin,
                         publish=True, attempts_allowed=1)
             for title in ("并发压测竞赛", "并发压测竞赛（中途杀掉一个进程）")]
    return Data(tokens=tokens, staff_ids=[s.pk for s in people], exams=[str(e.code) for e in exams])


# --- requests (module level: pickled into the load process) ------------------------------------------


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def start_request(tokens, exam, i):
    return "POST", f"/api/v1/exams/{exam}/attempts", _auth(tokens[i]), b""


def answer_of(i: int, participants: int, run: str) -> tuple[int, int, str, str]:
    """The i-th answer of a burst: (participant, position, displayed key, client id)."""
    participant, position = i % participants, i // participants + 1
    key = "ABCD"[random.Random(f"{run}-{i}").randrange(4)]
    return participant, position, key, str(uuid.uuid5(CLIENT_IDS, f"{run}-{i}"))


def answer_request(tokens, attempts, run, i):
    participant, position, key, client_id = answer_of(i, len(tokens), run)
    body = json.dumps({"response": [key], "client_id": client_id}).encode()
    return "PUT", f"/api/v1/attempts/{attempts[participant]}/items/{position}", _auth(tokens[participant]), body


def submit_request(tokens, attempts, i):
    return "POST", f"/api/v1/attempts/{attempts[i]}/submit", _auth(tokens[i]), b""


# --- a burst whose clients retry (the run with a killed worker) ------------------------------------------


def retrying_burst(server, factory, count: int, *, concurrency: int,
                   kill_at: int | None = None) -> tuple[Figures, dict]:
    """Send requests 0..count-1 over `concurrency` keep-alive connections; a request whose connection
    fails is sent again (the same request: the same client_id) on a new connection. With `kill_at`,
    one worker is SIGKILLed once that many responses are in. Returns the figures and
    {"acknowledged": [i, ...], "retries": n, "killed": pid}."""
    workers = [pid for pid in server.pids() if pid != server.pid]
    victim = workers[0] if kill_at is not None else None
    spec = {"host": server.host, "port": server.port, "factory": factory, "count": count,
            "concurrency": concurrency, "kill_at": kill_at, "victim": victim}
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_retrying_process, args=(spec, sender), name="bench-retrying-load")
    pids = [pid for pid in server.pids() if pid != victim]  # the killed worker's CPU is not counted
    child.start()
    sender.close()
    cpu0, machine0, t0 = _process_cpu(pids), _machine_busy(), time.perf_counter()
    result = receiver.recv()
    wall = time.perf_counter() - t0
    child.join()
    server_cpu = (_process_cpu(pids) - cpu0) / wall
    ordered = sorted(result.pop("latencies"))
    ms = [1000 * _percentile(ordered, p) for p in (50, 90, 99, 100)]
    method = factory(0)[0]
    figures = Figures(url=server.url(factory(0)[1]), method=method, concurrency=concurrency,
                      elapsed=result["elapsed"], responses=sum(result["status"].values()),
                      rps=len(ordered) / result["elapsed"], p50=ms[0], p90=ms[1], p99=ms[2], max=ms[3],
                      errors=result["errors"], unexpected=result["unexpected"], status=result["status"],
                      client_cpu=result["client_cpu"], machine_cpu=(_machine_busy() - machine0) / wall,
                      server_cpu=server_cpu, server=server.describe(), error_samples=result["error_samples"])
    return figures, {"acknowledged": result["acknowledged"], "retries": result["retries"], "killed": victim}


def _retrying_process(spec, conn) -> None:
    conn.send(asyncio.run(_retrying(spec)))
    conn.close()


async def _retrying(spec) -> dict:
    host = f"{spec['host']}:{spec['port']}"

    def encode(i: int) -> bytes:
        method, path, headers, body = spec["factory"](i)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items()),
                 f"Content-Length: {len(body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    pending = list(range(spec["count"] - 1, -1, -1))
    state = {"done": 0, "errors": 0, "retries": 0, "unexpected": 0, "killed": False}
    latencies, status, acknowledged, samples = [], Counter(), [], []

    async def drive(connection: _Connection) -> None:
        while pending:
            i = pending.pop()
            request = encode(i)
            for attempt in range(20):
                started = time.perf_counter()
                try:
                    async with asyncio.timeout(30):
                        code = await connection.exchange(request)
                except (OSError, EOFError, ValueError, asyncio.IncompleteReadError, TimeoutError) as error:
                    connection.close()
                    state["errors"] += 1
                    state["retries"] += 1
                    if len(samples) < 5:
                        samples.append(f"{type(error).__name__}: {error}")
                    await asyncio.sleep(0.05 * (attempt + 1))
                    continue
                status[code] += 1
                if 200 <= code < 300:
                    latencies.append(time.perf_counter() - started)
                    acknowledged.append(i)
                else:
                    state["unexpected"] += 1
                break
            state["done"] += 1
            if spec["kill_at"] is not None and not state["killed"] and state["done"] >= spec["kill_at"]:
                state["killed"] = True
                os.kill(spec["victim"], signal.SIGKILL)

    connections = [_Connection(spec["host"], spec["port"]) for _ in range(spec["concurrency"])]
    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(drive(c) for c in connections))
    elapsed = time.perf_counter() - t0
    for c in connections:
        c.close()
    return {"elapsed": elapsed, "latencies": latencies, "status": dict(sorted(status.items())),
            "errors": state["errors"], "unexpected": state["unexpected"], "retries": state["retries"],
            "acknowledged": acknowledged, "client_cpu": (time.process_time() - cpu0) / elapsed,
            "error_samples": samples}


# --- the count ------------------------------------------------------------------------------------------


def attempts_of(data: Data, exam_code: str) -> list[str]:
    """The attempt code of each participant (in token order)."""
    from postqc.contests.models import Attempt

    codes = dict(Attempt.objects.filter(exam__code=exam_code).values_list("staff_id", "code"))
    return [str(codes[pk]) for pk in data.staff_ids]


def count(data: Data, exam_code: str, run: str, acknowledged: list[int]) -> dict:
    """What the database holds after a burst, against what was acknowledged; see the module docstring."""
    from django.conf import settings
    from django.db.models import Count, Q, Sum

    from postqc.contests import boards
    from postqc.contests.models import Attempt, AttemptItem, BoardEntry, Exam, IntegrityFlag

    exam = Exam.objects.get(code=exam_code)
    participants = len(data.tokens)
    attempt_of = dict(Attempt.objects.filter(exam=exam).values_list("staff_id", "pk"))
    saved = {(a, p): str(c) for a, p, c in AttemptItem.objects.filter(attempt__exam=exam, response__isnull=False)
             .values_list("attempt_id", "position", "client_id")}
    expected = {}
    for i in acknowledged:
        participant, position, _key, client_id = answer_of(i, participants, run)
        expected[(attempt_of[data.staff_ids[participant]], position)] = client_id
    lost = [key for key, client_id in expected.items() if saved.get(key) != client_id]
    unacknowledged = [key for key in saved if key not in expected]
    attempts = list(Attempt.objects.filter(exam=exam).annotate(
        awarded=Sum("items__awarded"), right=Count("items", filter=Q(items__is_correct=True))))
    miscounted = [a.pk for a in attempts if a.score is None or a.score != (a.awarded or 0)
                  or a.score != POINTS * a.right or a.correct_count != a.right]
    entries = {e.staff_id: (e.attempt_id, e.score) for e in BoardEntry.objects.filter(exam=exam)}
    board_wrong = [a.pk for a in attempts if entries.get(a.staff_id) != (a.pk, a.score)]
    db = boards.DatabaseBoard(exam.pk)
    redis_equal = None
    if settings.REDIS_URL:
        cache = boards.RedisBoard(exam.pk, exam.code)
        consistent = cache.redis.zcard(cache.zset) == cache.redis.hlen(cache.hash) - 1
        sample = random.Random(7).sample(data.staff_ids, min(300, participants))
        redis_equal = consistent and cache.top(100) == db.top(100) and all(
            cache.around(pk, 5) == db.around(pk, 5) for pk in sample)
    return {
        "acknowledged": len(acknowledged), "distinct acknowledged": len(expected), "saved": len(saved),
        "lost": len(lost), "saved but never acknowledged": len(unacknowledged),
        "attempts": len(attempts), "submitted": sum(a.status == Attempt.Status.SUBMITTED for a in attempts),
        "miscounted attempts": len(miscounted), "board entries": len(entries), "board wrong": len(board_wrong),
        "redis board equals database": redis_equal,
        "flags": dict(IntegrityFlag.objects.filter(attempt__exam=exam).values_list("kind").annotate(n=Count("pk"))
                      .values_list("kind", "n")),
    }


def verdict(counts: dict, participants: int) -> bool:
    return (counts["lost"] == 0 and counts["saved but never acknowledged"] == 0
            and counts["distinct acknowledged"] == counts["saved"] == participants * QUESTIONS
            and counts["miscounted attempts"] == 0 and counts["board wrong"] == 0
            and counts["board entries"] == counts["submitted"] == participants
            and counts["redis board equals database"] in (True, None))


def print_counts(name: str, counts: dict, ok: bool) -> None:
    print(f"== {name}: the count from the database")
    for key, value in counts.items():
        print(f"   {key:<30}{value}")
    verdict_text = "OK: nothing lost, nothing counted twice" if ok else "WRONG"
    print(f"   {'verdict':<30}{verdict_text}", flush=True)


# --- main ---------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.contest_burst", description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000, help="people [2000]")
    parser.add_argument("--concurrency", type=int, default=32, help="keep-alive connections [32]")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each trivial baseline [10]")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers [CPUs]")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker [4]")
    parser.add_argument("--no-kill", action="store_true", help="skip the run with a killed worker")
    args = parser.parse_args(argv)
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    n, c = args.participants, args.concurrency
    answers = n * QUESTIONS
    ok = True

    with serve(workers=args.workers, threads=args.threads, redis_url=redis_url,
               load_data=functools.partial(make_competitions, n)) as server:
        data: Data = server.data
        before = load(server.url(TRIVIAL_PATH), concurrency=c, duration=args.duration, server=server)
        trivial_burst = load(server.url(TRIVIAL_PATH), concurrency=c, requests=answers, warmup=0, server=server)

        exam = data.exams[0]
        started = load(server.url("/"), concurrency=c, requests=n, warmup=0, server=server,
                       request_factory=functools.partial(start_request, data.tokens, exam))
        attempts = attempts_of(data, exam)
        answered = load(server.url("/"), concurrency=c, requests=answers, warmup=0, server=server,
                        request_factory=functools.partial(answer_request, data.tokens, attempts, "run-1"))
        submitted = load(server.url("/"), concurrency=c, requests=n, warmup=0, server=server,
                         request_factory=functools.partial(submit_request, data.tokens, attempts))
        after = load(server.url(TRIVIAL_PATH), concurrency=c, duration=args.duration, server=server)
        acknowledged = list(range(answers)) if answered.errors == answered.unexpected == 0 else []
        counts = count(data, exam, "run-1", acknowledged)

        killed = None
        if not args.no_kill:
            exam2 = data.exams[1]
            started2 = load(server.url("/"), concurrency=c, requests=n, warmup=0, server=server,
                            request_factory=functools.partial(start_request, data.tokens, exam2))
            attempts2 = attempts_of(data, exam2)
            answered2, outcome = retrying_burst(
                server, functools.partial(answer_request, data.tokens, attempts2, "run-2"), answers,
                concurrency=c, kill_at=answers // 3)
            time.sleep(1)  # the master starts the new worker
            submitted2, _ = retrying_burst(server, functools.partial(submit_request, data.tokens, attempts2), n,
                                           concurrency=c)
            killed = (exam2, started2, answered2, outcome, submitted2,
                      count(data, exam2, "run-2", outcome["acknowledged"]))

    baseline = Baseline(before, after)
    report("contest-trivial-burst", trivial_burst)
    report("contest-start", started, [Budget("requests/s ÷ trivial", started.rps / baseline.rps),
                                      Budget("p99 ÷ p50", started.p99 / started.p50)], baseline=baseline)
    ok &= report("contest-answer", answered, [
        Budget("answers/s ÷ trivial", answered.rps / baseline.rps, at_least=0.5),
        Budget("p99 ÷ p50", answered.p99 / answered.p50, at_most=4),
        Budget(f"drain {answers:,} answers ÷ {answers:,} trivial GETs", answered.elapsed / trivial_burst.elapsed,
               at_most=2.5),
    ], baseline=baseline)
    report("contest-submit", submitted, [Budget("requests/s ÷ trivial", submitted.rps / baseline.rps),
                                         Budget("p99 ÷ p50", submitted.p99 / submitted.p50)], baseline=baseline)
    counted = verdict(counts, n) and answered.errors == answered.unexpected == 0
    print_counts("contest-answer", counts, counted)
    ok &= counted
    if killed is not None:
        exam2, started2, answered2, outcome, submitted2, counts2 = killed
        report("contest-answer-killed-worker", answered2, [
            Budget("answers/s ÷ trivial", answered2.rps / baseline.rps),
            Budget("p99 ÷ p50", answered2.p99 / answered2.p50),
        ], baseline=baseline)
        print(f"   killed        worker pid {outcome['killed']} after {answers // 3:,} responses; "
              f"{outcome['retries']:,} requests resent with the same client_id", flush=True)
        report("contest-submit-killed-worker", submitted2, baseline=baseline)
        counted2 = verdict(counts2, n)
        print_counts("contest-answer-killed-worker", counts2, counted2)
        ok &= counted2 and started2.errors == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
