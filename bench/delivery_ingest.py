"""`python -m bench.delivery_ingest`: the bulk import of delivery records against `psql \\copy`.

Budget (design.md, bulk ingest): rows/s of the import ÷ rows/s of `psql \\copy` of the same rows into
the same table ≥ 0.5. Runs on a scratch PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/postqc_bench_dlv; its name must contain "bench"; dropped at the
end). It builds a city's segments and a CSV file of runs as the scanning system exports it, then,
alternately and twice each into the emptied table:

- import: `delivery.ingest.records_import` of the CSV as the page's job runs it — decode, parse and
  check every cell, look up segments, couriers and the runs already recorded, then COPY;
- copy: `psql -c "\\copy delivery_deliveryrecord (…) FROM file"` of the very rows the import
  wrote, in COPY's text format (no parsing, no checking: the floor);

and reports the better of each, the ratio against the budget, and the import's split (checking vs
writing, from a separate run of the write stage alone).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

OUT = Path(__file__).resolve().parent / "out" / "delivery-ingest.json"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postqc_bench_dlv"
BUDGET = 0.5


def build(segments: int, rows: int) -> tuple[bytes, list[str]]:
    """The city's delivery units and `segments` segments; a CSV of `rows` runs over them (one run a
    day each, going back a day at a time). Returns (the CSV, the segment codes)."""
    from postqc.delivery.models import Segment
    from postqc.org.models import Unit
    from postqc.org.services import unit_create

    root = unit_create(code="JL", name="吉林省分公司", kind=Unit.Kind.PROVINCE, parent=None)
    city = unit_create(code="JLS", name="吉林市分公司", kind=Unit.Kind.CITY, parent=root)
    units = []
    for c in range(9):
        county = unit_create(code=f"K{c}", name=f"县{c}", kind=Unit.Kind.COUNTY, parent=city)
        units.append(unit_create(code=f"K{c}-TD", name=f"投递部{c}", kind=Unit.Kind.DELIVERY, parent=county))
    since = dt.date(2020, 1, 1)
    Segment.objects.bulk_create(
        Segment(code=f"SEG{n:05d}", name=f"第{n}段", unit=units[n % len(units)], area_type="city",
                handover_point="mailbox", planned_per_week=7, households=1000, in_service_from=since)
        for n in range(segments))
    codes = [f"SEG{n:05d}" for n in range(segments)]
    lines = ["段道编码,投递日期,频次,投递员工号,平常邮件,给据邮件,妥投,时限内妥投,交接方式,异常说明"]
    yesterday = dt.date.today() - dt.timedelta(days=1)
    for i in range(rows):
        day = yesterday - dt.timedelta(days=i // segments)
        ordinary, tracked = 80 + i % 120, 10 + i % 50
        delivered = ordinary + tracked - (i % 7 == 0)
        note = "1 件收件人不在，已留通知单" if i % 7 == 0 else ""
        lines.append(f"{codes[i % segments]},{day:%Y-%m-%d},1,,{ordinary},{tracked},{delivered},"
                     f"{delivered - (i % 50 == 0)},楼下信报箱/智能信包箱,{note}")
    return ("\n".join(lines) + "\n").encode(), codes


def empty_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE delivery_deliveryrecord")


def dump_copy_file(path: str) -> int:
    """The rows the import wrote, in COPY text format, to `path` (what psql will load)."""
    from django.db import connection

    from postqc.delivery.ingest import _Plan

    with connection.cursor() as cursor, open(path, "wb") as fh:
        with cursor.cursor.copy(f"COPY delivery_deliveryrecord ({', '.join(_Plan.COLUMNS)}, correction_reason, withdrawal_reason) TO STDOUT") as copy:
            for block in copy:
                fh.write(block)
        cursor.execute("SELECT count(*) FROM delivery_deliveryrecord")
        return cursor.fetchone()[0]


def psql_copy(path: str) -> float:
    from django.db import connection

    from postqc.delivery.ingest import _Plan

    s = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", s.get("HOST") or "127.0.0.1", "-p",
               str(s.get("PORT") or 5432), "-U", s.get("USER") or "postgres", "-d", s["NAME"], "-c",
               f"\\copy delivery_deliveryrecord ({', '.join(_Plan.COLUMNS)}, correction_reason, withdrawal_reason) FROM '{path}'"]
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env)
    return time.perf_counter() - start


def timed_import(data: bytes) -> tuple[float, float, object]:
    from postqc.delivery.ingest import records_import

    start, cpu = time.perf_counter(), time.process_time()
    report = records_import(data, filename="runs.csv", actor=None)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if not report.written:
        sys.exit(f"import failed: {report.errors[:5]}")
    return seconds, cpu, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery_ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="runs in the file [200000]")
    parser.add_argument("--segments", type=int, default=2_000, help="segments they are spread over [2000]")
    args = parser.parse_args(argv)

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    name = urlsplit(url).path.lstrip("/")
    if not url.startswith("postgres") or "bench" not in name:
        sys.exit("BENCH_DATABASE_URL must be a PostgreSQL database whose name contains 'bench' (it is dropped).")
    os.environ["DATABASE_URL"] = url
    os.environ["DATABASE_TEST_NAME"] = name
    from bench.inprocess import figures, setup_scratch_django

    _database, _scratch, original = setup_scratch_django(name)
    from django.db import connection, transaction

    from postqc.delivery.ingest import write_rows

    results: dict[str, object] = {"database": "PostgreSQL", "rows": args.rows, "segments": args.segments}
    try:
        data, _codes = build(args.segments, args.rows)
        results["file_bytes"] = len(data)
        timed_import(data[: data.index(b"\n", 20_000) + 1])  # warm the code paths and the catalogue
        empty_table()
        imports, copies = [], []
        with tempfile.TemporaryDirectory(prefix="postqc-bench-") as folder:
            copy_file = str(Path(folder) / "rows.copy")
            for _round in range(2):
                wall, cpu, report = timed_import(data)
                imports.append((wall, cpu))
                written = dump_copy_file(copy_file)
                assert written == report.created == args.rows, (written, report.created)
                empty_table()
                copies.append(psql_copy(copy_file))
                empty_table()
            # The two stages apart: reading and checking the file, then writing the checked rows.
            start = time.perf_counter()
            rows = _plan_rows(data)
            build_s = time.perf_counter() - start
            start = time.perf_counter()
            with transaction.atomic():
                write_rows(rows)
            write_s = time.perf_counter() - start
            empty_table()
        wall, cpu = min(imports)
        best_copy = min(copies)
        results["import"] = figures(args.rows, wall, cpu)
        results["psql_copy"] = {"wall_s": round(best_copy, 2), "rows_per_wall_s": round(args.rows / best_copy)}
        results["write_stage_only"] = {"wall_s": round(write_s, 2), "rows_per_wall_s": round(args.rows / write_s)}
        results["read_and_check_s"] = round(build_s, 2)
        ratio = (args.rows / wall) / (args.rows / best_copy)
        results["ratio_import_over_psql_copy"] = round(ratio, 3)
        results["budget"] = f">= {BUDGET}"
        results["verdict"] = "OK" if ratio >= BUDGET else "OVER BUDGET"
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)

    for key, value in results.items():
        print(f"{key:32} {value}")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if results.get("verdict") == "OK" else 1


def _plan_rows(data: bytes) -> list[tuple]:
    """The import's read-and-check stage alone: the rows it would write."""
    from postqc.core.excel import ImportReport
    from postqc.delivery import ingest

    rows = ingest._rows_of(data, "runs.csv")
    index, positions, _errors = ingest._header(rows)
    plan, _bad = ingest._check(rows, index, positions, None, ImportReport(), None)
    return plan.rows


if __name__ == "__main__":
    sys.exit(main())
