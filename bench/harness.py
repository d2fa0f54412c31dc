"""The benchmark harness: serve PostQC the production way, load it from another process, report ratios.

    from bench.harness import TRIVIAL_PATH, Baseline, Budget, load, report, serve

    with serve(load_data=make_token) as server:        # fresh PostgreSQL DB, gunicorn, DEBUG off
        before = load(server.url(TRIVIAL_PATH), concurrency=16, duration=10, server=server)
        me = load(server.url("/api/v1/me"), concurrency=16, duration=10, server=server,
                  headers={"Authorization": f"Bearer {server.data}"})
        after = load(server.url(TRIVIAL_PATH), concurrency=16, duration=10, server=server)
    baseline = Baseline(before, after)
    report("api-me", me, Budget("requests/s ÷ trivial", me.rps / baseline.rps, at_least=0.5), baseline=baseline)

Budgets (design.md, "Performance budgets") are ratios against a trivial endpoint measured in the
same run on the same stack, because absolute numbers on a shared machine are noise. The load
runs in a separate process on loopback over keep-alive connections; every figure carries the CPU
used by the server, by the load generator and by the whole machine, so a run where the generator
or the machine was the limit can be seen as such.

Nothing here imports Django at module level: the load process starts quickly and stays small.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import math
import multiprocessing
import os
import platform
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postqc_bench"
SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

# method, path (with query), headers, body: one request for `request_factory(i)`.
RequestSpec = tuple[str, str, dict[str, str], bytes]


# --- serving ---------------------------------------------------------------------------------------

@dataclass
class Server:
    """A running gunicorn serving PostQC; `data` is what the load_data callback returned."""

    host: str
    port: int
    pid: int
    database_url: str
    workers: int
    worker_class: str
    threads: int
    log_path: Path
    data: object = None

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def describe(self) -> str:
        threads = f"×{self.threads} threads" if self.worker_class == "gthread" else ""
        return (f"gunicorn {self.worker_class} {self.workers} workers{threads}, DEBUG off, "
                f"PostgreSQL {urlsplit(self.database_url).path.lstrip('/')} with pool")

    def pids(self) -> list[int]:
        """The master and its workers (read from /proc)."""
        return [self.pid, *_children(self.pid)]


def bench_env(database_url: str, *, redis_url: str = "", extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a production-like server: DEBUG off, PostgreSQL with the pool, plain HTTP on loopback."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "postqc.settings",
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "DATABASE_POOL": "1",
        "LOG_LEVEL": "WARNING",
        "POSTQC_VAR_DIR": str(OUT_DIR / "var"),
        "STATIC_ROOT": str(OUT_DIR / "static"),
    })
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra or {})
    return env


@contextlib.contextmanager
def serve(*, workers: int | None = None, worker_class: str = "gthread", threads: int = 4,
          database_url: str | None = None, redis_url: str = "", load_data: Callable[[], object] | None = None,
          collectstatic: bool = True, env: dict[str, str] | None = None,
          ready_timeout: float = 60.0) -> Iterator[Server]:
    """Recreate the bench database, migrate it, run `load_data()` against it, start gunicorn, yield it, stop it.

    `database_url` defaults to $BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postqc_bench;
    its database name must contain "bench" because it is dropped. $DATABASE_URL is never used, so a
    developer's own database cannot be dropped by accident. `load_data` runs in this process with
    Django set up on the bench database (pool off); its return value is `server.data`.
    `workers` defaults to the number of CPUs. gthread (the production worker class, docs/deploy.md)
    keeps client connections alive; sync workers close each connection after one response.
    Workers import the app after the fork, as in production (no --preload): the warm-up of
    `load()` covers their start. gunicorn's own log goes to bench/out/gunicorn.log.
    """
    database_url = database_url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    workers = workers or os.cpu_count() or 1
    server_env = bench_env(database_url, redis_url=redis_url, extra=env)
    OUT_DIR.mkdir(exist_ok=True)

    _recreate_database(database_url)
    _setup_django(server_env)
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", interactive=False, verbosity=0)
    if collectstatic:
        call_command("collectstatic", interactive=False, verbosity=0)
    data = load_data() if load_data is not None else None
    connections.close_all()

    port = _free_port()
    log_path = OUT_DIR / "gunicorn.log"
    cmd = [sys.executable, "-m", "gunicorn", "postqc.wsgi:application",
           "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", worker_class,
           "--threads", str(threads), "--keep-alive", "10", "--backlog", "2048",
           "--graceful-timeout", "10", "--timeout", "60", "--log-level", "warning"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(cmd, cwd=REPO, env=server_env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server(host="127.0.0.1", port=port, pid=process.pid, database_url=database_url, workers=workers,
                    worker_class=worker_class, threads=threads, log_path=log_path, data=data)
    try:
        _wait_ready(process, server, ready_timeout)
        yield server
    finally:
        _stop(process)


def _recreate_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    from postqc.core.env import parse_database_url

    db = parse_database_url("BENCH_DATABASE_URL", database_url)
    if db.engine != "postgresql":
        raise SystemExit(f"The benchmarks run on PostgreSQL; got {database_url!r}.")
    if "bench" not in db.name:
        raise SystemExit(f"Refusing to drop database {db.name!r}: a bench database's name must contain 'bench'.")
    params = {"dbname": "postgres", "user": db.user or None, "password": db.password or None,
              "host": db.host or None, "port": db.port or None, "autocommit": True}
    try:
        with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db.name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db.name)))
    except psycopg.OperationalError as error:
        raise SystemExit(f"Cannot reach PostgreSQL at {database_url!r} (set BENCH_DATABASE_URL): {error}") from None


def _setup_django(server_env: dict[str, str]) -> None:
    """Point this process's Django at the bench database (without the pool, so dropping it later is clean)."""
    import django
    from django.conf import settings

    wanted = {**server_env, "DATABASE_POOL": "0"}
    if settings.configured:
        from postqc.core.env import parse_database_url

        current = settings.DATABASES["default"]["NAME"]
        if current != parse_database_url("DATABASE_URL", wanted["DATABASE_URL"]).name:
            raise RuntimeError(f"Django in this process already uses database {current!r}; "
                               "run benchmarks on different databases in different processes.")
        return
    os.environ.update(wanted)
    django.setup()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(process: subprocess.Popen, server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{_tail(server.log_path)}")
        try:
            with urllib.request.urlopen(server.url("/healthz"), timeout=2) as response:
                if response.status == 200 and len(server.pids()) > server.workers:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{_tail(server.log_path)}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the master (it stops its workers gracefully); SIGKILL its process group if that hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- CPU accounting (Linux /proc) -------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields from "state" on; the name may hold spaces


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _process_cpu(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / _TICK


def _machine_busy() -> float:
    """Busy CPU-seconds of the whole machine since boot."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except OSError:
        return math.nan
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / _TICK


# --- load -----------------------------------------------------------------------------------------

@dataclass
class Figures:
    """What one load run measured. Latencies in milliseconds, CPU in cores used on average."""

    url: str
    method: str
    concurrency: int
    elapsed: float
    responses: int
    rps: float
    p50: float
    p90: float
    p99: float
    max: float
    errors: int
    unexpected: int
    status: dict[int, int]
    client_cpu: float
    machine_cpu: float
    server_cpu: float | None = None
    cpus: int = field(default_factory=lambda: os.cpu_count() or 1)
    server: str = ""
    error_samples: list[str] = field(default_factory=list)


def load(url: str, *, concurrency: int = 16, duration: float | None = None, requests: int | None = None,
         method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None,
         request_factory: Callable[[int], RequestSpec] | None = None, expect: Callable[[int], bool] | None = None,
         warmup: float = 2.0, timeout: float = 30.0, server: Server | None = None) -> Figures:
    """Load `url` from a separate process over `concurrency` keep-alive connections; return the figures.

    Run for `duration` seconds, or until `requests` responses have come back (a burst: `elapsed`
    is then the time to drain it). Each request is `method url` with `headers` and `body`, or what
    `request_factory(i)` returns for the i-th request (a module-level function: it is pickled into
    the load process). A response counts towards `rps` and the latencies when `expect(status)`
    (default: 2xx); others are counted in `unexpected` and `status`; connection failures in `errors`.
    `warmup` seconds of the same load run first, unmeasured. Pass `server` to measure its CPU.
    """
    if (duration is None) == (requests is None):
        raise ValueError("Give exactly one of duration= or requests=.")
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    spec = {
        "host": parts.hostname, "port": parts.port or 80, "path": path,
        "method": method, "headers": headers or {}, "body": body or b"", "factory": request_factory,
        "expect": expect, "concurrency": concurrency, "duration": duration, "requests": requests,
        "warmup": warmup, "timeout": timeout,
    }
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_load_process, args=(spec, sender), name="bench-load")
    pids = server.pids() if server is not None else []
    child.start()
    sender.close()
    try:
        receiver.recv()  # "measuring": the warm-up is over
        server_cpu0, machine0, t0 = _process_cpu(pids), _machine_busy(), time.perf_counter()
        result = receiver.recv()
        server_cpu1, machine1, t1 = _process_cpu(pids), _machine_busy(), time.perf_counter()
    except EOFError:
        child.join()
        raise RuntimeError(f"The load process died (exit code {child.exitcode}); its traceback is above.") from None
    child.join()
    wall = t1 - t0
    label = method if request_factory is None else request_factory(0)[0]
    return Figures(url=url, method=label, concurrency=concurrency, **result,
                   machine_cpu=(machine1 - machine0) / wall,
                   server_cpu=(server_cpu1 - server_cpu0) / wall if server is not None else None,
                   server=server.describe() if server is not None else "")


def _load_process(spec: dict, conn) -> None:
    result = asyncio.run(_run_load(spec, lambda: conn.send("measuring")))
    conn.send(result)
    conn.close()


def _is_2xx(status: int) -> bool:
    return 200 <= status < 300


class _Connection:
    """One keep-alive HTTP/1.1 connection that sends a request and reads its whole response."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def exchange(self, request: bytes) -> int:
        if self.writer is None:
            await self.open()
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked, close = None, False, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = value.strip().lower() == b"close"
        if chunked:
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        elif length:
            await self.reader.readexactly(length)
        elif length is None and close:
            await self.reader.read()
        if close:
            self.close()
        return status


@dataclass
class _Phase:
    deadline: float | None
    remaining: int | None
    issued: int = 0
    latencies: list[float] = field(default_factory=list)
    status: Counter = field(default_factory=Counter)
    errors: int = 0
    unexpected: int = 0
    error_samples: list[str] = field(default_factory=list)

    def more(self) -> bool:
        if self.remaining is not None:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True
        return time.perf_counter() < self.deadline


def _request_builder(spec: dict) -> Callable[[int], bytes]:
    host = f"{spec['host']}:{spec['port']}"

    def encode(method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
        if body or method in {"POST", "PUT", "PATCH"}:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    factory = spec["factory"]
    if factory is not None:
        return lambda i: encode(*factory(i))
    fixed = encode(spec["method"], spec["path"], spec["headers"], spec["body"])
    return lambda i: fixed


async def _drive(conn: _Connection, phase: _Phase, build: Callable[[int], bytes], expect, timeout: float) -> None:
    while phase.more():
        request = build(phase.issued)
        phase.issued += 1
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                status = await conn.exchange(request)
        except (OSError, EOFError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                TimeoutError) as error:
            conn.close()
            phase.errors += 1
            sample = f"{type(error).__name__}: {error}"
            if len(phase.error_samples) < 5 and sample not in phase.error_samples:
                phase.error_samples.append(sample)
            continue
        latency = time.perf_counter() - started
        phase.status[status] += 1
        if expect(status):
            phase.latencies.append(latency)
        else:
            phase.unexpected += 1


async def _run_load(spec: dict, on_measuring: Callable[[], None]) -> dict:
    build, expect, timeout = _request_builder(spec), spec["expect"] or _is_2xx, spec["timeout"]
    conns = [_Connection(spec["host"], spec["port"]) for _ in range(spec["concurrency"])]
    await asyncio.gather(*(c.open() for c in conns), return_exceptions=True)
    if spec["warmup"] > 0:
        warm = _Phase(deadline=time.perf_counter() + spec["warmup"], remaining=None)
        await asyncio.gather(*(_drive(c, warm, build, expect, timeout) for c in conns))
    on_measuring()
    cpu0, t0 = time.process_time(), time.perf_counter()
    deadline = t0 + spec["duration"] if spec["duration"] is not None else None
    phase = _Phase(deadline=deadline, remaining=spec["requests"])
    await asyncio.gather(*(_drive(c, phase, build, expect, timeout) for c in conns))
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    for c in conns:
        c.close()
    ordered = sorted(phase.latencies)
    ms = [1000 * _percentile(ordered, p) for p in (50, 90, 99, 100)]
    return {
        "elapsed": elapsed, "responses": sum(phase.status.values()), "rps": len(ordered) / elapsed,
        "p50": ms[0], "p90": ms[1], "p99": ms[2], "max": ms[3], "errors": phase.errors,
        "unexpected": phase.unexpected, "status": dict(sorted(phase.status.items())), "client_cpu": cpu / elapsed,
        "error_samples": phase.error_samples,
    }


def _percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# --- reporting ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Budget:
    """One budget line: a measured ratio and its limit (none: printed for information)."""

    figure: str
    value: float
    at_least: float | None = None
    at_most: float | None = None

    @property
    def met(self) -> bool:
        if math.isnan(self.value):
            return False
        return (self.at_least is None or self.value >= self.at_least) and (
            self.at_most is None or self.value <= self.at_most)

    def __str__(self) -> str:
        if self.at_least is not None:
            limit, verdict = f"(budget ≥ {self.at_least:g})", "OK" if self.met else "OVER BUDGET"
        elif self.at_most is not None:
            limit, verdict = f"(budget ≤ {self.at_most:g})", "OK" if self.met else "OVER BUDGET"
        else:
            limit, verdict = "(no budget)", ""
        return f"{self.figure} = {self.value:.2f}  {limit}  {verdict}".rstrip()


@dataclass(frozen=True)
class Baseline:
    """The trivial endpoint measured before and after the endpoint under test, on the same server.

    Budgets divide by the mean of the two; their drift shows how much the machine changed under
    the run (other work on a shared machine): a ratio is only as good as that drift is small.
    """

    before: Figures
    after: Figures

    @property
    def rps(self) -> float:
        return (self.before.rps + self.after.rps) / 2

    @property
    def drift(self) -> float:
        return abs(self.before.rps - self.after.rps) / self.rps if self.rps else math.nan


TRIVIAL_PATH = "/healthz"
NOISY_DRIFT = 0.10


def report(name: str, figures: Figures, budget: Budget | list[Budget] | None = None, *,
           baseline: Baseline | None = None, write: bool = True) -> bool:
    """Print the figures and each budget's ratio in the one format every benchmark uses; write
    bench/out/<name>.json too. True when every budget with a limit is met."""
    budgets = [budget] if isinstance(budget, Budget) else list(budget or [])
    f = figures
    lines = [
        f"== {name}: {f.method} {urlsplit(f.url).path}  ({f.concurrency} connections, {f.elapsed:.1f} s)",
        f"   server        {f.server or '(not given)'}",
        f"   requests/s    {f.rps:,.1f}",
        f"   latency ms    p50 {f.p50:.2f}   p90 {f.p90:.2f}   p99 {f.p99:.2f}   max {f.max:.2f}",
        f"   responses     {f.responses:,}  status {', '.join(f'{s}×{n:,}' for s, n in f.status.items()) or '-'}"
        f"   unexpected {f.unexpected:,}   errors {f.errors:,}",
        f"   cpu (cores)   server {_cores(f.server_cpu)}   load generator {_cores(f.client_cpu)}"
        f"   whole machine {_cores(f.machine_cpu)} of {f.cpus}",
    ]
    if baseline is not None:
        noisy = "  NOISY: other work on the machine moved the baseline" if baseline.drift > NOISY_DRIFT else ""
        lines.append(f"   trivial       {baseline.before.rps:,.1f} req/s before, {baseline.after.rps:,.1f} after "
                     f"(drift {baseline.drift:.0%}){noisy}")
    lines += [f"   budget        {b}" for b in budgets]
    if f.error_samples:
        lines.append(f"   first errors  {'; '.join(f.error_samples)}")
    if f.machine_cpu > 0.9 * f.cpus and f.client_cpu > 0.25:
        lines.append("   note          the machine was saturated and the load generator took "
                     f"{f.client_cpu:.2f} cores of it: absolute figures understate the server")
    print("\n".join(lines), flush=True)
    if write:
        OUT_DIR.mkdir(exist_ok=True)
        (OUT_DIR / f"{name}.json").write_text(json.dumps({
            "name": name, "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": f.cpus, "python": platform.python_version(), "platform": platform.platform()},
            "figures": asdict(f),
            "baseline": None if baseline is None else {
                "rps": baseline.rps, "drift": baseline.drift, "before": asdict(baseline.before),
                "after": asdict(baseline.after)},
            "budgets": [{**asdict(b), "met": b.met} for b in budgets],
        }, indent=2, ensure_ascii=False, default=str) + "\n")
    return all(b.met for b in budgets if b.at_least is not None or b.at_most is not None)


def _cores(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2f}"
