"""`python -m bench.import_org`: time the Excel import of 10,000 staff (plus the city's units and outlets).

Runs on a throwaway database: a fresh SQLite file in a temporary directory, or, with
DATABASE_URL=postgres://…, a scratch database beside it (DATABASE_TEST_NAME, default
postqc_bench_import, dropped at the end). It measures, on the same machine in the same run:

- fresh: every row new (bulk inserts), as the page's background job runs it;
- unchanged: the same file again (every row compared, nothing written);
- update: every person's phone and name changed (one service call per changed row);
- bare insert: the same staff and role rows through a bare bulk_create, no reading or
  checking — the floor the fresh import is divided by (design.md: ratios, not absolute times);
- export: the whole org back to .xlsx;
- memory: peak Python allocation of a fresh import (tracemalloc, a separate run because
  tracing slows Python down) and the process's peak RSS.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

from bench.inprocess import figures, measured, peak_rss_mib, scratch_django, write_results

OUT = Path(__file__).resolve().parent / "out" / "import-org.json"
COUNTIES = ["CY", "CQ", "LT", "FM", "YJ", "JH", "PS", "SL", "HD"]
BRANCHES_PER_COUNTY = 4
OUTLETS = 143


def base_tree():
    from postqc.org.models import Unit
    from postqc.org.roles import Role
    from postqc.org.services import staff_create, unit_create

    root = unit_create(code="JL", name="吉林省分公司", kind=Unit.Kind.PROVINCE, parent=None)
    city = unit_create(code="JLS", name="吉林市分公司", kind=Unit.Kind.CITY, parent=root)
    return staff_create(employee_no="S001", name="萨姆", unit=city, roles=[Role.SYSADMIN])


def build_workbook(staff: int, prefix: str, *, with_units: bool, phone_base: int = 13800000000,
                   name_tag: str = "") -> bytes:
    """The city's units and outlets (with_units) and `staff` people: a clerk in every third row,
    at their branch's first outlet; couriers at the branch's delivery unit."""
    from openpyxl import Workbook

    from postqc.org.importers import ORG_SHEETS

    units, branches = [], []
    for ci, county in enumerate(COUNTIES):
        kind = "区分公司" if ci < 4 else "县(市)分公司"
        units.append([county, f"{county}分公司", kind, "JLS", ci, "", ""])
        for b in range(BRANCHES_PER_COUNTY):
            code = f"{county}-B{b}"
            units.append([code, f"{county}第{b}支局", "支局/所", county, b, f"{county}路{b}号", "0432-6200000"])
            units.append([f"{code}-TD", f"{county}第{b}投递部", "投递部", code, 0, "", ""])
            branches.append(code)
    outlets = []
    for i in range(OUTLETS):
        branch = branches[i % len(branches)]
        outlets.append([f"O{i:03d}", f"网点{i}", branch, ["一级", "二级", "三级"][i % 3], ["城市", "乡镇", "农村"][i % 3],
                        "自办", f"{branch} 街 {i} 号", 126.5 + i / 1000, 43.8 + i / 1000, "", [7, 6, 5][i % 3],
                        "08:30", "17:00", "信件、印刷品、包裹、汇兑", "营业", ""])
    people = []
    for i in range(staff):
        k = i % len(branches)  # outlet k belongs to branch k
        clerk = i % 3 == 0
        people.append([f"{prefix}{i:05d}", f"员工{name_tag}{i}", str(phone_base + i),
                       branches[k] if clerk else f"{branches[k]}-TD", f"O{k:03d}" if clerk else "",
                       "营业员" if clerk else "投递员、营业员", "在职"])
    wb = Workbook(write_only=True)
    unit_spec, outlet_spec, staff_spec = ORG_SHEETS
    sheets = [(unit_spec, units), (outlet_spec, outlets)] if with_units else []
    for spec, rows in [*sheets, (staff_spec, people)]:
        ws = wb.create_sheet(spec.name)
        ws.append([c.title for c in spec.columns])
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def timed_import(data: bytes, actor, *, trace: bool = False) -> tuple[float, float, object, int]:
    from postqc.org.importers import org_import

    seconds, cpu, report, peak = measured(lambda: org_import(data, actor=actor), trace=trace)
    if not report.ok:
        sys.exit(f"import failed: {report.errors[:5]}")
    return seconds, cpu, report, peak


def bare_insert(staff: int) -> tuple[float, float]:
    """The same kind of rows (staff + roles, unusable passwords) through a bare bulk_create."""
    from django.db import transaction

    from postqc.org.models import Staff, StaffRole, Unit

    units = list(Unit.objects.filter(code__endswith="-TD"))
    start, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        people = []
        for i in range(staff):
            person = Staff(employee_no=f"BARE{i:05d}", name=f"员工{i}", phone=str(13700000000 + i),
                           unit=units[i % len(units)], must_change_password=True)
            person.set_unusable_password()
            people.append(person)
        Staff.objects.bulk_create(people, batch_size=1000)
        StaffRole.objects.bulk_create((StaffRole(staff=p, role=r) for p in people for r in ("courier", "clerk")),
                                      batch_size=1000)
    return time.perf_counter() - start, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_org", description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=10_000, help="staff rows [10000]")
    parser.add_argument("--skip-update", action="store_true", help="leave out the every-row-changed run")
    args = parser.parse_args(argv)

    with scratch_django("postqc_bench_import") as database:
        from postqc.org.exporters import org_export

        actor = base_tree()
        n = args.staff
        fresh_file = build_workbook(n, "A", with_units=True)
        rows = n + len(COUNTIES) * (1 + 2 * BRANCHES_PER_COUNTY) + OUTLETS
        results: dict[str, object] = {"database": database, "staff_rows": n, "file_rows": rows,
                                      "file_bytes": len(fresh_file)}

        wall, cpu, report, _ = timed_import(fresh_file, actor)
        results["fresh"] = figures(rows, wall, cpu, created=report.created)
        wall, cpu, report, _ = timed_import(fresh_file, actor)
        results["unchanged"] = figures(rows, wall, cpu, unchanged=report.unchanged)
        if not args.skip_update:
            changed = build_workbook(n, "A", with_units=True, phone_base=13900000000, name_tag="改")
            wall, cpu, report, _ = timed_import(changed, actor)
            results["update_every_person"] = figures(n, wall, cpu, updated=report.updated)
        bare_wall, bare_cpu = bare_insert(n)
        results["bare_insert"] = figures(n, bare_wall, bare_cpu)
        staff_only = build_workbook(n, "B", with_units=False)
        wall, cpu, report, _ = timed_import(staff_only, actor)
        results["fresh_staff_only"] = figures(n, wall, cpu, created=report.created)
        results["fresh_staff_rate_over_bare_insert_cpu"] = round(bare_cpu / cpu, 2)

        start, cpu = time.perf_counter(), time.process_time()
        buffer = io.BytesIO()
        org_export(buffer, user=actor)
        results["export_all"] = figures(rows + 2 * n, time.perf_counter() - start, time.process_time() - cpu,
                                        bytes=len(buffer.getvalue()))

        traced_file = build_workbook(n, "C", with_units=False)
        _wall, _cpu, _report, peak = timed_import(traced_file, actor, trace=True)
        results["peak_python_mib_fresh_import"] = round(peak / 2**20, 1)
        results["peak_rss_mib_process"] = peak_rss_mib()

    write_results(results, OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
