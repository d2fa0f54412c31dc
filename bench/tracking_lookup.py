"""`python -m bench.tracking_lookup`: tracked-item lookup at 100,000 events and at 10,000,000.

Budget (design.md): lookup p99 at 10,000,000 events ÷ at 100,000 ≤ 1.5.

On a scratch PostgreSQL database (BENCH_DATABASE_URL with "_lookup" appended to its name, default
postqc_bench_trk_lookup; created and dropped here) the items and events are generated with COPY
(psycopg 3 `cursor.copy`; 5 events an item, over 60 days, 12 delivery units), first `--small`
events, then topped up to `--large`, with every index in place (foreign-key triggers off while
loading: `session_replication_role = replica`, then ANALYZE). At each size, in process:

- selector: an item by number (the scoped get) and its trace (selectors.trace: events, return,
  queries) — what the staff page and GET /api/v1/tracking/items/{number} read;
- public: GET /api/v1/tracking/public/{number} through the Django test client (the full
  middleware and django-ninja stack), its cache off so every lookup reads the database.

`--lookups` random existing numbers each (after as many warm-up lookups); p50/p99 in ms.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out" / "tracking-lookup.json"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postqc_bench_trk"
PER_ITEM = 5
CODES = ("EMA", "EDD", "EMG", "EDG", "EMI")


def setup(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postqc.settings")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DATABASE_POOL"] = "0"
    os.environ["TRACKING_PUBLIC_CACHE_SECONDS"] = "0"
    os.environ["TRACKING_PUBLIC_RATE_LIMIT"] = "100000000"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    from postqc.core.env import parse_database_url

    db = parse_database_url("BENCH_DATABASE_URL", database_url)
    if db.engine != "postgresql" or "bench" not in db.name:
        sys.exit(f"needs a PostgreSQL database whose name contains 'bench'; got {database_url!r}")
    os.environ["DATABASE_TEST_NAME"] = f"{db.name}_lookup"
    import django

    django.setup()
    from django.db import connection

    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return original


def org() -> tuple[list[int], object]:
    from postqc.org.models import Unit
    from postqc.org.roles import Role
    from postqc.org.services import staff_create, unit_create

    root = unit_create(code="JL", name="吉林省分公司", kind=Unit.Kind.PROVINCE, parent=None)
    city = unit_create(code="JLS", name="吉林市分公司", kind=Unit.Kind.CITY, parent=root)
    units = []
    for i in range(12):
        county = unit_create(code=f"C{i:02d}", name=f"县{i}", kind=Unit.Kind.COUNTY, parent=city)
        units.append(unit_create(code=f"C{i:02d}-TD", name=f"县{i}投递部", kind=Unit.Kind.DELIVERY, parent=county).pk)
    manager = staff_create(employee_no="Q001", name="质量", unit=city, roles=[Role.QUALITY])
    return units, manager


def generate(first_item: int, items: int, units: list[int]) -> None:
    """COPY `items` delivered items (ids first_item…) and their PER_ITEM events each."""
    from django.db import connection

    from postqc.tracking import s10
    from postqc.tracking.ingest import EVENT_COLUMNS, ITEM_COLUMNS

    now = dt.datetime.now(dt.timezone.utc)
    start = now - dt.timedelta(days=60)
    rng = random.Random(first_item)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        raw = cursor.cursor
        with raw.copy(f"COPY tracking_trackeditem (id, {', '.join(ITEM_COLUMNS)}) FROM STDIN") as copy:
            for pk in range(first_item, first_item + items):
                posted = start + dt.timedelta(seconds=rng.randrange(0, 59 * 86400))
                delivered = posted + dt.timedelta(hours=30)
                unit = units[pk % len(units)]
                copy.write_row((pk, now, now, s10.make("RR", pk), "RR", "CN", "letter", "local", posted, "", "", None,
                                unit, unit, None, posted.date() + dt.timedelta(days=1), "delivered", "EMI", "",
                                delivered, 0, False, delivered, True))
        with raw.copy(f"COPY tracking_trackingevent ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for pk in range(first_item, first_item + items):
                posted = start + dt.timedelta(seconds=rng.randrange(0, 59 * 86400))
                unit = units[pk % len(units)]
                for k, code in enumerate(CODES):
                    copy.write_row((pk, code, posted + dt.timedelta(hours=6 * k), unit, "C", "吉林市", "", "", None,
                                    "ingest", now))
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SELECT setval(pg_get_serial_sequence('tracking_trackeditem', 'id'), %s)",
                       [first_item + items])
        cursor.execute("ANALYZE tracking_trackeditem")
        cursor.execute("ANALYZE tracking_trackingevent")


def percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered))) - 1))]


def measure(items: int, lookups: int, manager) -> dict:
    from django.test import Client

    from postqc.core.access import get_scoped_or_404
    from postqc.tracking import s10
    from postqc.tracking.models import TrackedItem
    from postqc.tracking.selectors import trace

    rng = random.Random(items)
    client = Client()
    figures = {}

    def selector(n):
        t = trace(get_scoped_or_404(TrackedItem.objects.select_related("unit"), manager, number=n))
        assert len(t.events) == PER_ITEM

    def public(n):
        r = client.get(f"/api/v1/tracking/public/{n}")
        assert r.status_code == 200, r.content

    for name, call in (("selector", selector), ("public", public)):
        for _ in range(lookups):  # warm-up
            call(s10.make("RR", rng.randrange(1, items + 1)))
        times = []
        for _ in range(lookups):
            number = s10.make("RR", rng.randrange(1, items + 1))
            start = time.perf_counter()
            call(number)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        figures[name] = {"p50_ms": round(percentile(times, 50), 3), "p99_ms": round(percentile(times, 99), 3),
                         "max_ms": round(times[-1], 3)}
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tracking_lookup", description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100_000, help="events at the small size [100000]")
    parser.add_argument("--large", type=int, default=10_000_000, help="events at the large size [10000000]")
    parser.add_argument("--lookups", type=int, default=2000, help="lookups per figure [2000]")
    args = parser.parse_args(argv)
    original = setup(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    from django.db import connection

    results: dict[str, object] = {"small_events": args.small, "large_events": args.large, "lookups": args.lookups}
    ok = True
    try:
        units, manager = org()
        small_items = args.small // PER_ITEM
        start = time.perf_counter()
        generate(1, small_items, units)
        results["small"] = measure(small_items, args.lookups, manager)
        large_items = args.large // PER_ITEM
        generate(small_items + 1, large_items - small_items, units)
        results["generate_large_s"] = round(time.perf_counter() - start, 1)
        results["large"] = measure(large_items, args.lookups, manager)
        for name in ("selector", "public"):
            ratio = results["large"][name]["p99_ms"] / results["small"][name]["p99_ms"]
            ok = ok and ratio <= 1.5
            results[f"{name}_p99_ratio"] = round(ratio, 2)
            results[f"{name}_budget"] = f"p99 at {args.large:,} ÷ at {args.small:,} = {ratio:.2f} " \
                                        f"(≤ 1.5: {'OK' if ratio <= 1.5 else 'OVER BUDGET'})"
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)
    for key, value in results.items():
        print(f"{key:24} {value}")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
