"""`python -m bench.request_cost`: where an answer's CPU goes, measured without HTTP.

The answers/s budgets (design.md: ≥ 0.5 × the trivial endpoint) divide two servers' throughputs,
and on one machine throughput is CPU. This benchmark takes the HTTP server and the load generator
out of the picture and calls the WSGI application in this process, the way gunicorn's worker
does, one request after another, on the production settings (PostgreSQL with the pool, DEBUG off,
the whole middleware stack). For each request it prints:

- the CPU this process spends per request (Django, django-ninja, the service, psycopg);
- the CPU PostgreSQL's backends of the bench database spend per request (read from /proc, so the
  local server only; autovacuum and other databases' backends are not counted);
- "ceiling": the trivial request's CPU divided by this one's, application plus database. Through
  gunicorn, the HTTP work and the load generator add about the same cost to every request, which
  pulls the served ratio toward 1, so a served ratio is at most this ceiling's neighbourhood; an
  endpoint whose ceiling is far under 0.5 cannot meet the budget by tuning the server.

Requests measured (each --requests times, after --warmup unmeasured ones):
1. GET /healthz — the trivial endpoint;
2. GET /api/v1/me — the lightest authenticated API request (token, roles, JSON out);
3. POST /api/v1/learning/answers — a practice answer (a different clerk's token each time);
4. PUT /api/v1/attempts/{code}/items/{n} — a competition answer (the people in turn, each answering
   their next question; past the tenth, a changed answer to the first again).

Data: the demo city, standards and question banks (no practice history), --people clerks and
couriers with API tokens, one published competition of 10 questions they have all started.
Results go to bench/out/request-cost.json.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import uuid
from pathlib import Path

from bench.harness import OUT_DIR, TRIVIAL_PATH, _process_cpu, _recreate_database, bench_env
from bench.practice import load_demo_and_tokens

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postqc_bench_cost"
QUESTIONS = 10


def setup(database_url: str, redis_url: str) -> None:
    """Recreate the bench database and point Django at it as the server would be (pool on)."""
    _recreate_database(database_url)
    os.environ.pop("REDIS_URL", None)
    os.environ.update(bench_env(database_url, redis_url=redis_url))
    os.environ["DJANGO_SETTINGS_MODULE"] = "postqc.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def load_data(people: int) -> dict:
    """The demo city and banks (bench.practice's, without the practice history), tokens for `people`
    clerks and couriers, a right answer to every practice question of the city bank, and a
    competition every one of them has started."""
    from postqc.contests.services import attempt_start, exam_create
    from postqc.learning.models import Bank
    from postqc.org.models import Staff, Unit

    data = load_demo_and_tokens(people, history=False)
    manager = Staff.objects.get(employee_no="22020004")  # the city's quality manager
    exam = exam_create(kind="contest", title="请求成本测量", unit=Unit.objects.get(code="JLS"),
                       time_limit_seconds=6 * 3600, actor=manager, publish=True, attempts_allowed=1,
                       rules=[{"question_type": "single", "count": QUESTIONS, "points": 10,
                               "bank": Bank.objects.get(code="JLS-PF")}])
    data["attempts"] = [str(attempt_start(exam=exam, staff=s)[0].code) for s in data.pop("staff")]
    return data


def _environ(method: str, path: str, headers: dict[str, str], body: bytes) -> dict:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_HOST": "127.0.0.1:8000", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
               "wsgi.errors": sys.stderr, "CONTENT_LENGTH": str(len(body))}
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    return environ


class App:
    """The WSGI application, called as a worker calls it; counts the statuses it answered."""

    def __init__(self):
        from django.core.wsgi import get_wsgi_application

        self.app = get_wsgi_application()
        self.statuses: dict[str, int] = {}

    def __call__(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
        status = []
        result = self.app(_environ(method, path, headers or {}, body), lambda s, _h, *_a: status.append(s))
        try:
            out = b"".join(result)
        finally:
            result.close()
        self.statuses[status[0]] = self.statuses.get(status[0], 0) + 1
        return out


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def requests(data: dict):
    """name → a function of i making the i-th request's (method, path, headers, body)."""
    tokens, questions, attempts = data["tokens"], data["questions"], data["attempts"]

    def practice(i):
        code, response = questions[(i * 7919) % len(questions)]
        body = json.dumps({"question": code, "response": response, "client_id": str(uuid.uuid4()),
                           "duration_ms": 6000, "mode": "random"}).encode()
        return "POST", "/api/v1/learning/answers", _auth(tokens[i % len(tokens)]), body

    def contest(i):
        person = i % len(attempts)
        position = (i // len(attempts)) % QUESTIONS + 1
        body = json.dumps({"response": ["ABCD"[i % 4]], "client_id": str(uuid.uuid4())}).encode()
        return "PUT", f"/api/v1/attempts/{attempts[person]}/items/{position}", _auth(tokens[person]), body

    return {
        "trivial": lambda i: ("GET", TRIVIAL_PATH, {}, b""),
        "api-me": lambda i: ("GET", "/api/v1/me", _auth(tokens[i % len(tokens)]), b""),
        "practice-answer": practice,
        "contest-answer": contest,
    }


def postgres_pids(database: str) -> list[int]:
    """The local PostgreSQL backends serving `database` (their process titles name it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres:") and f" {database} " in title:
                pids.append(int(entry.name))
    return pids


def measure(app: App, make, *, count: int, warmup: int, offset: int, database: str) -> dict:
    for i in range(warmup):
        app(*make(offset + i))  # the pool's connections are open after this
    before = dict(app.statuses)
    pids = postgres_pids(database)
    database, cpu, wall = _process_cpu(pids), time.process_time(), time.perf_counter()
    for i in range(warmup, warmup + count):
        app(*make(offset + i))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    database = _process_cpu(pids) - database
    statuses = {s: n - before.get(s, 0) for s, n in app.statuses.items() if n - before.get(s, 0)}
    return {"requests": count, "app_ms": cpu / count * 1000, "database_ms": database / count * 1000,
            "wall_ms": wall / count * 1000, "statuses": statuses}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.request_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="measured requests of each kind [3000]")
    parser.add_argument("--warmup", type=int, default=300, help="unmeasured requests first [300]")
    parser.add_argument("--people", type=int, default=300, help="clerks with tokens and started attempts [300]")
    parser.add_argument("--redis", metavar="URL", default="",
                        help="serve with this REDIS_URL (cache, token generations, boards), as production does; "
                             "without it the in-process fallbacks serve [none]")
    args = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)

    setup(database_url, args.redis)
    if args.redis:
        import redis

        redis.Redis.from_url(args.redis).flushdb()
    data = load_data(args.people)
    from django.db import connections

    connections.close_all()  # the requests take their connections from the pool
    app = App()
    results = {}
    for n, (name, make) in enumerate(requests(data).items()):
        results[name] = measure(app, make, count=args.requests, warmup=args.warmup, offset=n * 100_000,
                                database=database_url.rsplit("/", 1)[-1])
    trivial = results["trivial"]["app_ms"] + results["trivial"]["database_ms"]
    print(f"== request cost: one process, no HTTP server, {args.requests:,} requests each "
          f"(PostgreSQL {database_url.rsplit('/', 1)[-1]} with pool, {'Redis' if args.redis else 'no Redis'}, "
          f"DEBUG off)")
    print(f"   {'request':<16} {'app CPU ms':>10} {'database ms':>12} {'together':>9} {'ceiling':>8}  statuses")
    for name, row in results.items():
        together = row["app_ms"] + row["database_ms"]
        row["ceiling"] = trivial / together
        print(f"   {name:<16} {row['app_ms']:>10.3f} {row['database_ms']:>12.3f} {together:>9.3f} "
              f"{row['ceiling']:>8.2f}  {row['statuses']}")
    print("   ceiling = the trivial request's CPU ÷ this one's (app + database): what the served ratio "
          "would be if HTTP and the load generator cost nothing")
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / "request-cost.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    failed = any(not all(s.startswith("2") for s in row["statuses"]) for row in results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
