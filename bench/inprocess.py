"""What the in-process benchmarks share (bench/import_org.py, bench/import_questions.py): a scratch
database to run the import against, the time and memory of one call, and the figures they print.

These run the service in this process, not through the server, because an import is a job, not a
request: rows/s against a bare bulk insert of the same rows is the figure (design.md, bulk ingest).
"""
from __future__ import annotations

import contextlib
import json
import os
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def setup_scratch_django(test_database_name: str) -> tuple[str, object, str]:
    """Point Django at a scratch database: a fresh test database named `test_database_name` on the
    PostgreSQL of DATABASE_URL, else SQLite in a temporary directory. Returns (label, the temporary
    directory or None, the configured database name, which destroy_test_db needs to go back)."""
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postqc.settings")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    scratch = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ.setdefault("DATABASE_TEST_NAME", test_database_name)
    else:
        os.environ.pop("DATABASE_URL", None)
        scratch = tempfile.TemporaryDirectory(prefix="postqc-bench-")
        os.environ["POSTQC_VAR_DIR"] = scratch.name
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    original = connection.settings_dict["NAME"]
    if settings.DATABASE_IS_POSTGRES:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        return "PostgreSQL", scratch, original
    call_command("migrate", verbosity=0)
    return "SQLite (WAL)", scratch, original


@contextlib.contextmanager
def scratch_django(test_database_name: str) -> Iterator[str]:
    """`with scratch_django(name) as label:` — setup_scratch_django(), and on the way out (however it
    goes) the scratch database dropped and the temporary directory removed."""
    label, scratch, original = setup_scratch_django(test_database_name)
    from django.conf import settings
    from django.db import connection

    try:
        yield label
    finally:
        if settings.DATABASE_IS_POSTGRES:
            connection.creation.destroy_test_db(original, verbosity=0)
        if scratch is not None:
            scratch.cleanup()


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def write_results(results: dict, out: Path) -> None:
    """Print the figures one per line and keep them as JSON in `out`."""
    for key, value in results.items():
        print(f"{key:40} {value}")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))


def measured(call: Callable[[], T], *, trace: bool = False) -> tuple[float, float, T, int]:
    """(wall seconds, CPU seconds, what `call` returned, peak traced bytes or 0 without `trace`)."""
    if trace:
        tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    result = call()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return seconds, cpu, result, peak


def figures(rows: int, wall: float, cpu: float, **extra) -> dict:
    """Wall and CPU seconds and rows/s on both: on a busy machine the CPU figure is the steadier one."""
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "rows_per_wall_s": round(rows / wall),
            "rows_per_cpu_s": round(rows / cpu), **extra}
