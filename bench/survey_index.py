"""`python -m bench.survey_index`: the full satisfaction-index recompute over 1,000,000 responses
× 21 items on PostgreSQL, against DuckDB running the same statement on the same data
(budget ≤ 3, design.md "Performance budgets").

1. Drops and recreates the bench database (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/postqc_bench_survey; its name must contain "bench"),
   migrates it and creates, through the services, a city with its 4 districts and 5
   county-level units, 143 outlets and a survey from the shipped questionnaire.
2. Generates the responses and ratings with random.Random(--seed) into two CSV files under
   bench/out/survey-index/ (answers from a latent satisfaction per respondent, 不适用 where the
   questionnaire allows it, 3 % of responses pending review so the status filter matters), and
   loads them into PostgreSQL with COPY (psycopg), then VACUUM ANALYZE.
3. Loads the very same CSV files into a DuckDB database file (DuckDB is installed on first use
   at the pinned DUCKDB_VERSION into bench/out/pydeps; it is not a project dependency), plus
   the survey's items, dimensions and responses.
4. Times the recompute — index.overview(): the city's overall and dimension figures and the
   table by unit, in one statement, then Python combining the per-stratum sums — and DuckDB
   executing the statement the engine generated (the same SQL text, %s placeholders as ?),
   after one warm-up run each, as the median of --repeat runs, the engines taking turns (so a
   shared machine slowing down midway weighs on both). Checks that both gave the same sums,
   prints both times and the ratio.

Like every benchmark here it prints the machine's size and load alongside, because absolute
times on a shared machine are noise; the ratio is the budget.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import csv
import datetime as dt
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.harness import OUT_DIR, SECRET_KEY, Budget, _recreate_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postqc_bench_survey"
DATA_DIR = OUT_DIR / "survey-index"
PYDEPS = OUT_DIR / "pydeps"
OUT = OUT_DIR / "survey-index.json"
BUDGET = 3.0
PLACES = [("CY", "船营区", "district"), ("CHY", "昌邑区", "district"), ("LT", "龙潭区", "district"),
          ("FM", "丰满区", "district"), ("YJ", "永吉县", "county"), ("JH", "蛟河市", "county"),
          ("PS", "磐石市", "county"), ("SL", "舒兰市", "county"), ("HD", "桦甸市", "county")]
OUTLETS = 143
PENDING_SHARE = 0.03
NA_SHARE = {"QRY": 0.35, "COMP": 0.72, "CMPL": 0.70}
LEVELS = 41  # respondent satisfaction levels the latent is bucketed into
COPY_CHUNK = 1 << 20
# The yardstick is pinned, so that runs on different days measure PostgreSQL against the same DuckDB
# (a new release moved it by a fifth); raise it deliberately, and say so with the figures.
DUCKDB_VERSION = "2.0.1"


def setup_django(database_url: str) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "postqc.settings", "SECRET_KEY": SECRET_KEY, "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url, "DATABASE_POOL": "0", "LOG_LEVEL": "WARNING", "DEBUG": "0",
        "POSTQC_VAR_DIR": str(OUT_DIR / "var"),
    })
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_survey():
    """The city, its strata and outlets, and a collecting survey from the shipped template."""
    from postqc.org.models import Outlet, Unit
    from postqc.org.services import unit_create, units_bulk_create
    from postqc.surveys import services

    root = unit_create(code="JL", name="吉林省分公司", kind=Unit.Kind.PROVINCE, parent=None)
    city = unit_create(code="JLS", name="吉林市分公司", kind=Unit.Kind.CITY, parent=root)
    strata = units_bulk_create([Unit(code=f"JLS-{c}", name=f"{n}分公司", kind=k, parent=city, sort_order=i)
                                for i, (c, n, k) in enumerate(PLACES)])
    Outlet.objects.bulk_create(
        Outlet(code=f"W{i:03d}", name=f"网点{i:03d}", unit=strata[i % len(strata)], grade=str(1 + i % 3),
               area_type=Outlet.AreaType.CITY, address="-", open_days_per_week=6, services=["letters"])
        for i in range(OUTLETS))
    survey = services.survey_create_from_template(code="BENCH", title="基准调查", year=2019, unit=city)
    services.quota_plan_default(survey=survey)
    services.survey_start_collection(survey=survey)
    return survey


def generate(survey, responses: int, seed: int) -> tuple[Path, Path, float]:
    """Write responses.csv (PostgreSQL's column layout) and ratings.csv; returns their paths and the time."""
    from postqc.org.models import Outlet

    started = time.perf_counter()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    items = list(survey.items.filter(dimension__isnull=False).select_related("dimension").order_by("position"))
    outlets = list(Outlet.objects.order_by("pk").values_list("pk", "unit_id"))
    # P(score = 1…5) at each satisfaction level: a latent normal around the level, rounded.
    cum = []
    for level in range(LEVELS):
        mean = 2.6 + 2.4 * level / (LEVELS - 1)
        cdf = [0.5 * (1 + math.erf((cut - mean) / (0.6 * math.sqrt(2)))) for cut in (1.5, 2.5, 3.5, 4.5)]
        cum.append([*cdf, 1.0])
    scores = ("1", "2", "3", "4", "5")
    groups = [(d, [i.pk for i in items if i.dimension.code == d]) for d in dict.fromkeys(i.dimension.code for i in items)]
    at = dt.datetime(2019, 6, 1, 1, 0, tzinfo=dt.UTC)
    responses_path, ratings_path = DATA_DIR / "responses.csv", DATA_DIR / "ratings.csv"
    with open(responses_path, "w", newline="") as rf, open(ratings_path, "w", newline="") as tf:
        rw = csv.writer(rf)
        lines = []
        for rid in range(1, responses + 1):
            outlet, stratum = outlets[rng.randrange(len(outlets))]
            status = "pending" if rng.random() < PENDING_SHARE else "approved"
            submitted = at + dt.timedelta(seconds=rng.randrange(90 * 86400))
            rw.writerow((rid, uuid.UUID(int=rng.getrandbits(128), version=4), survey.pk, outlet, stratum, "qr",
                         submitted.isoformat(), "{}", "", "[]", status, "", ""))
            level = min(LEVELS - 1, max(0, int(rng.gauss(0.72, 0.16) * (LEVELS - 1))))
            weights = cum[level]
            prefix = f"{rid},"
            for code, ids in groups:
                if rng.random() < NA_SHARE.get(code, 0.0):
                    lines.extend(f"{prefix}{pk},\n" for pk in ids)
                else:
                    values = rng.choices(scores, cum_weights=weights, k=len(ids))
                    lines.extend(f"{prefix}{pk},{v}\n" for pk, v in zip(ids, values, strict=True))
            if len(lines) > 200_000:
                tf.write("".join(lines))
                lines.clear()
        tf.write("".join(lines))
    return responses_path, ratings_path, time.perf_counter() - started


def copy_into_postgres(responses_path: Path, ratings_path: Path) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Bulk load the way a DBA would: the rating table's secondary indexes and constraints are
        # dropped for the COPY and rebuilt after it, so the measured schema is the production one.
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = 'surveys_rating'::regclass AND contype IN ('u', 'f')")
        constraints = cursor.fetchall()
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'surveys_rating' "
                       "AND indexname <> 'surveys_rating_pkey' AND indexname <> ALL(%s)", [[c for c, _d in constraints]])
        indexes = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE surveys_rating DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    columns = {  # an empty CSV field is NULL: the response's empty texts are not
        "surveys_response": "(id, code, survey_id, outlet_id, stratum_id, channel, submitted_at, profile, comment, "
                            "flags, status, review_reason, device_hash) FROM STDIN WITH (FORMAT csv, "
                            "FORCE_NOT_NULL (comment, review_reason, device_hash))",
        "surveys_rating": "(response_id, item_id, value) FROM STDIN WITH (FORMAT csv)",
    }
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for table, path in (("surveys_response", responses_path), ("surveys_rating", ratings_path)):
            with raw.copy(f"COPY {table} {columns[table]}") as copy, open(path, "rb") as f:
                while chunk := f.read(COPY_CHUNK):
                    copy.write(chunk)
        cursor.execute("SELECT setval(pg_get_serial_sequence('surveys_response', 'id'), (SELECT MAX(id) FROM surveys_response))")
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE surveys_rating ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def duckdb_module():
    """DuckDB at DUCKDB_VERSION, installed on first use into bench/out/pydeps (not a project dependency)."""
    sys.path.insert(0, str(PYDEPS))
    importlib.invalidate_caches()
    try:
        installed = importlib.metadata.version("duckdb")
    except importlib.metadata.PackageNotFoundError:
        installed = None
    if installed != DUCKDB_VERSION:
        print(f"installing duckdb {DUCKDB_VERSION} for the benchmark only (bench/out/pydeps) …", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--upgrade", "--target", str(PYDEPS),
                        f"duckdb=={DUCKDB_VERSION}"], check=True)
        importlib.invalidate_caches()
    import duckdb

    return duckdb


def load_duckdb(survey, responses_path: Path, ratings_path: Path):
    """A DuckDB database file holding the same rows (the same CSV files, the same small tables)."""
    from postqc.surveys.models import Dimension, Item

    duckdb = duckdb_module()
    path = DATA_DIR / "survey.duckdb"
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    started = time.perf_counter()
    con.execute(f"""CREATE TABLE surveys_response AS SELECT * FROM read_csv('{responses_path}', header=false,
        columns={{'id': 'BIGINT', 'code': 'UUID', 'survey_id': 'BIGINT', 'outlet_id': 'BIGINT', 'stratum_id': 'BIGINT',
                  'channel': 'VARCHAR', 'submitted_at': 'TIMESTAMPTZ', 'profile': 'VARCHAR', 'comment': 'VARCHAR',
                  'flags': 'VARCHAR', 'status': 'VARCHAR', 'review_reason': 'VARCHAR', 'device_hash': 'VARCHAR'}})""")
    con.execute(f"""CREATE TABLE surveys_rating AS SELECT * FROM read_csv('{ratings_path}', header=false,
        columns={{'response_id': 'BIGINT', 'item_id': 'BIGINT', 'value': 'SMALLINT'}})""")
    con.execute("CREATE TABLE surveys_item (id BIGINT, survey_id BIGINT, dimension_id BIGINT, weight DECIMAL(6,4), "
                "scale_min SMALLINT, scale_max SMALLINT, is_overall BOOLEAN)")
    con.executemany("INSERT INTO surveys_item VALUES (?, ?, ?, ?, ?, ?, ?)", [
        (i.pk, i.survey_id, i.dimension_id, float(i.weight), i.scale_min, i.scale_max, i.is_overall)
        for i in Item.objects.filter(survey=survey)])
    con.execute("CREATE TABLE surveys_dimension (id BIGINT, survey_id BIGINT, code VARCHAR, weight DECIMAL(6,4))")
    con.executemany("INSERT INTO surveys_dimension VALUES (?, ?, ?, ?)", [
        (d.pk, d.survey_id, d.code, float(d.weight)) for d in Dimension.objects.filter(survey=survey)])
    con.execute("CHECKPOINT")
    return con, time.perf_counter() - started


def timed(runs: dict[str, object], repeat: int) -> dict[str, tuple[float, list[float], object]]:
    """Each of `runs` once unmeasured (caches and buffers as a page's second request finds them), then
    `repeat` rounds of one timed run of each in turn — interleaved, so that a machine that slows down
    or speeds up midway (a shared one does) weighs on every engine alike — as {name: (median seconds,
    every time, the last result)}."""
    results = {name: run() for name, run in runs.items()}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _n in range(repeat):
        for name, run in runs.items():
            started = time.perf_counter()
            results[name] = run()
            times[name].append(time.perf_counter() - started)
    return {name: (statistics.median(times[name]), times[name], results[name]) for name in runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.survey_index", description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000, help="responses to generate [1000000]")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each engine, interleaved (median) [5]")
    args = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    _recreate_database(database_url)
    setup_django(database_url)

    from django.db import connection

    from postqc.surveys import index
    from postqc.surveys.models import Response

    survey = make_survey()
    responses_path, ratings_path, gen_time = generate(survey, args.responses, args.seed)
    copy_time = copy_into_postgres(responses_path, ratings_path)
    con, duck_load = load_duckdb(survey, responses_path, ratings_path)
    approved = Response.objects.filter(survey=survey, status=Response.Status.APPROVED).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM surveys_rating")
        ratings = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        db_size = cursor.fetchone()[0]
        cursor.execute("SHOW max_parallel_workers_per_gather")
        parallel = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]

    sql, params = index.group_sql(survey, index.dimensions_of(survey), index.overview_keys(survey))
    duck_sql = sql.replace("%s", "?")
    measured = timed({"postgres": lambda: index.overview(survey),
                      "duckdb": lambda: con.execute(duck_sql, params).fetchall()}, args.repeat)
    pg_time, pg_times, (whole, table) = measured["postgres"]
    duck_time, duck_times, duck_rows = measured["duckdb"]

    duck_n = sum(row[2] for row in duck_rows)
    duck_mean = sum(row[3] for row in duck_rows) / duck_n
    same = duck_n == whole.n and abs(duck_mean - whole.overall.value) < 1e-9
    ratio = pg_time / duck_time
    duck_version = con.execute("PRAGMA version").fetchone()[0]
    duck_threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    budget = Budget("recompute ÷ DuckDB", ratio, at_most=BUDGET)
    lines = [
        f"== survey-index: {args.responses:,} responses ({approved:,} approved), {ratings:,} ratings, "
        f"PostgreSQL database {db_size}",
        f"   machine       {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; PostgreSQL "
        f"max_parallel_workers_per_gather={parallel}, work_mem={work_mem}; DuckDB {duck_version} "
        f"threads={duck_threads}",
        f"   data          generated {gen_time:.1f} s, COPY into PostgreSQL {copy_time:.1f} s, into DuckDB {duck_load:.1f} s",
        f"   PostgreSQL    index.overview(): {pg_time:.3f} s (runs {', '.join(f'{t:.3f}' for t in pg_times)})",
        f"   DuckDB        same statement:   {duck_time:.3f} s (runs {', '.join(f'{t:.3f}' for t in duck_times)})",
        f"   result        city {whole.overall.value:.2f} [{whole.overall.low:.2f}, {whole.overall.high:.2f}] n={whole.n:,}, "
        f"{len(table.rows)} units; DuckDB sums {'identical' if same else 'DIFFER'}",
        f"   budget        {budget}",
    ]
    print("\n".join(lines), flush=True)
    OUT.write_text(json.dumps({
        "name": "survey-index", "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "responses": args.responses, "approved": approved, "ratings": ratings, "postgres_seconds": pg_times,
        "duckdb_seconds": duck_times, "ratio": ratio, "budget": BUDGET, "met": budget.met, "same_result": same,
        "cpus": os.cpu_count(),
    }, indent=2), encoding="utf-8")
    con.close()
    return 0 if budget.met and same else 1


if __name__ == "__main__":
    sys.exit(main())
