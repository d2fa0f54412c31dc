"""`python -m bench.trivial` (`make bench`): the trivial endpoint every budget divides by, and a real one.

GET /healthz is the trivial endpoint: the whole middleware stack, no database. GET /api/v1/me is
a real endpoint as an example: token lookup and roles from PostgreSQL through the pool, JSON out.
The trivial endpoint is measured before and after it, and the ratio divides by the mean.
"""
import argparse
import os

from bench.harness import TRIVIAL_PATH, Baseline, Budget, load, report, serve


def create_token() -> str:
    """One person in one unit, and an API token for them (run by serve() against the bench database)."""
    from postqc.api.services import token_issue
    from postqc.org.models import Unit
    from postqc.org.roles import Role
    from postqc.org.services import staff_create, unit_create

    unit = unit_create(code="BENCH", name="基准测试单位", kind=Unit.Kind.CITY, parent=None)
    staff = staff_create(employee_no="BENCH-1", name="基准", unit=unit, roles=[Role.CLERK, Role.QUALITY])
    return token_issue(staff=staff, label="bench")[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.trivial", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per run [10]")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each run [2]")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections [16]")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers [CPUs]")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker [4]")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    args = parser.parse_args(argv)
    common = dict(concurrency=args.concurrency, duration=args.duration, warmup=args.warmup)

    with serve(workers=args.workers, threads=args.threads, worker_class=args.worker_class,
               load_data=create_token) as server:
        before = load(server.url(TRIVIAL_PATH), server=server, **common)
        me = load(server.url("/api/v1/me"), server=server, headers={"Authorization": f"Bearer {server.data}"},
                  **common)
        after = load(server.url(TRIVIAL_PATH), server=server, **common)

    baseline = Baseline(before, after)
    report("trivial", before, Budget("p99 ÷ p50", before.p99 / before.p50))
    report("api-me", me, [Budget("requests/s ÷ trivial", me.rps / baseline.rps), Budget("p99 ÷ p50", me.p99 / me.p50)],
           baseline=baseline)
    failures = sum(f.errors + f.unexpected for f in (before, me, after))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
