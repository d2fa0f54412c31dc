"""`python -m bench.tracking_ingest`: bulk ingest of tracking events against `psql \\copy` of the same rows.

Budget (design.md): bulk ingest rows/s ÷ `psql \\copy` of the same rows into the same table ≥ 0.5.

On a scratch PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/postqc_bench_trk; its name must contain "bench"; created and
dropped here), in the same run on the same machine:

- ingest: a CSV export of `--events` events (`--per-item` per item: EMA, EDD, EMG, EDG, EMI; new
  items) through tracking.ingest.ingest_events, the path the command and the upload job take —
  reading, checking every row, creating the items, COPY of the events, the items' state;
- psql \\copy: the very rows that ingest wrote to tracking_trackingevent, dumped, the table
  truncated, and loaded again by `psql -c "\\copy … FROM file"` (indexes and constraints in place).

Each is run `--rounds` times (the database emptied between rounds); the best of each is compared.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out" / "tracking-ingest.json"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postqc_bench_trk"
DELIVERY_UNITS = 12


def setup(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postqc.settings")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DATABASE_POOL"] = "0"
    from postqc.core.env import parse_database_url

    db = parse_database_url("BENCH_DATABASE_URL", database_url)
    if db.engine != "postgresql" or "bench" not in db.name:
        sys.exit(f"needs a PostgreSQL database whose name contains 'bench'; got {database_url!r}")
    os.environ["DATABASE_TEST_NAME"] = db.name
    import django

    django.setup()
    from django.db import connection

    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return db, original


def org() -> list[str]:
    from postqc.org.models import Unit
    from postqc.org.services import unit_create

    root = unit_create(code="JL", name="吉林省分公司", kind=Unit.Kind.PROVINCE, parent=None)
    city = unit_create(code="JLS", name="吉林市分公司", kind=Unit.Kind.CITY, parent=root)
    codes = []
    for i in range(DELIVERY_UNITS):
        county = unit_create(code=f"C{i:02d}", name=f"县{i}", kind=Unit.Kind.COUNTY, parent=city)
        codes.append(unit_create(code=f"C{i:02d}-TD", name=f"县{i}投递部", kind=Unit.Kind.DELIVERY, parent=county).code)
    return codes


def events_csv(events: int, per_item: int, units: list[str], serial0: int) -> bytes:
    """A scanner export: `events` rows, `per_item` per item, in time order per item."""
    from postqc.tracking import s10
    from postqc.tracking.ingest import EVENT_SHEET

    header = ",".join(c.header for c in EVENT_SHEET.columns[:9])
    codes = ["EMA", "EDD", "EMG", "EDG", "EMI", "EDE", "EMJ", "EMK"][:per_item]
    lines = [header]
    for n in range(events // per_item):
        number = s10.make("RR", serial0 + n)
        unit = units[n % len(units)]
        day = 1 + n % 20
        for k, code in enumerate(codes):
            office = unit if code in ("EMA", "EMG", "EDG", "EMI") else "132000"
            route = "同城" if k == 0 else ""
            lines.append(f"{number},{code},2026-10-{day:02d} {8 + k:02d}:{n % 60:02d},{office},吉林市,,,,{route}")
    return ("\n".join(lines) + "\n").encode()


def psql_copy(db, path: str, columns: str) -> float:
    env = {**os.environ, "PGPASSWORD": db.password or ""}
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", db.host or "127.0.0.1", "-p", str(db.port or 5432),
           "-U", db.user or "postgres", "-d", db.name, "-c",
           f"\\copy tracking_trackingevent ({columns}) FROM '{path}'"]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tracking_ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000, help="event rows [200000]")
    parser.add_argument("--per-item", type=int, default=5, help="events per item [5]")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, best taken [2]")
    args = parser.parse_args(argv)
    db, original = setup(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    from django.db import connection

    from postqc.tracking.ingest import EVENT_COLUMNS, ingest_events
    from postqc.tracking.models import ItemReturn, TrackedItem, TrackingEvent

    results: dict[str, object] = {"database": f"PostgreSQL {db.name}", "events": args.events,
                                  "items": args.events // args.per_item}
    try:
        units = org()
        data = events_csv(args.events, args.per_item, units, 10_000_000)
        results["file_bytes"] = len(data)
        ingest_s, copy_s, cpu_s = [], [], []
        columns = ", ".join(EVENT_COLUMNS)
        with tempfile.TemporaryDirectory(prefix="trk-bench-") as tmp:
            dump = os.path.join(tmp, "events.tsv")
            for _round in range(args.rounds):
                with connection.cursor() as cursor:
                    cursor.execute("TRUNCATE tracking_trackingevent, tracking_itemreturn, tracking_itemquery, "
                                   "tracking_trackeditem")
                start, cpu = time.perf_counter(), time.process_time()
                report = ingest_events(data, filename="scan.csv")
                ingest_s.append(time.perf_counter() - start)
                cpu_s.append(time.process_time() - cpu)
                if not report.ok or report.created != args.events:
                    sys.exit(f"ingest failed: {report.summary()} {report.errors[:3]}")
                with connection.cursor() as cursor:  # the rows ingest wrote, to load again with psql
                    with open(dump, "wb") as fh, cursor.cursor.copy(
                            f"COPY tracking_trackingevent ({columns}) TO STDOUT") as copy:
                        for chunk in copy:
                            fh.write(chunk)
                    cursor.execute("TRUNCATE tracking_trackingevent")
                copy_s.append(psql_copy(db, dump, columns))
                assert TrackingEvent.objects.count() == args.events
        assert TrackedItem.objects.filter(status="delivered").count() == args.events // args.per_item
        assert not ItemReturn.objects.exists()
        best_ingest, best_copy = min(ingest_s), min(copy_s)
        results.update({
            "ingest_s": [round(s, 2) for s in ingest_s], "ingest_cpu_s": [round(s, 2) for s in cpu_s],
            "psql_copy_s": [round(s, 2) for s in copy_s],
            "ingest_rows_per_s": round(args.events / best_ingest), "psql_copy_rows_per_s": round(args.events / best_copy),
        })
        ratio = best_copy / best_ingest
        results["ratio"] = round(ratio, 2)
        results["budget"] = f"ingest rows/s ÷ psql \\copy rows/s = {ratio:.2f} (≥ 0.5: {'OK' if ratio >= 0.5 else 'OVER BUDGET'})"
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)
    for key, value in results.items():
        print(f"{key:24} {value}")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
