"""`python -m bench.import_questions`: time the import of a 10,000-question Excel file into a bank.

Runs on a throwaway database: a fresh SQLite file in a temporary directory, or, with
DATABASE_URL=postgres://…, a scratch database beside it (DATABASE_TEST_NAME, default
postqc_bench_questions, dropped at the end). Measured on the same machine in the same run:

- check only: a dry run (read the workbook, check every question against the bank, write nothing);
- fresh: every question new, as the upload page's background job runs it (progress included);
- bare insert: the same questions, versions and tag/clause links through a bare bulk_create with
  no reading or checking — the floor the fresh import is divided by (design.md: ratios, not
  absolute times);
- export: the bank back to .xlsx;
- memory: peak Python allocation of a fresh import (tracemalloc, a separate run because tracing
  slows Python down) and the process's peak RSS.

The file mixes the four types (单选 50 %, 多选 20 %, 判断 20 %, 填空 10 %), each question citing
one or two of 60 clauses and carrying one or two of 30 tags, like the demo bank.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

from bench.inprocess import figures, measured, peak_rss_mib, scratch_django, write_results

OUT = Path(__file__).resolve().parent / "out" / "import-questions.json"
CLAUSES = [f"BQ-{chapter}.{n}" for chapter in range(1, 7) for n in range(1, 11)]
TAGS = [f"专题{n}" for n in range(30)]
HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "答案", "解析", "难度", "标签", "条款", "适用岗位",
          "必知必会"]


def base_data():
    """A city unit, a person, a standard with the clauses the questions cite."""
    from postqc.org.models import Unit
    from postqc.org.roles import Role
    from postqc.org.services import staff_create, unit_create
    from postqc.standards.models import Clause, Standard

    root = unit_create(code="JL", name="吉林省分公司", kind=Unit.Kind.PROVINCE, parent=None)
    city = unit_create(code="JLS", name="吉林市分公司", kind=Unit.Kind.CITY, parent=root)
    actor = staff_create(employee_no="S001", name="萨姆", unit=city, roles=[Role.SYSADMIN])
    standard = Standard.objects.create(code="BQ", title="基准测试规范", kind=Standard.Kind.COMPANY_RULE, unit=city)
    Clause.objects.bulk_create(Clause(standard=standard, code=code) for code in CLAUSES)
    return city, actor


def question_row(i: int, tag: str) -> list:
    clauses = "|".join(sorted({CLAUSES[i % len(CLAUSES)], CLAUSES[(i * 7) % len(CLAUSES)]}))
    tags = "、".join(sorted({TAGS[i % len(TAGS)], TAGS[(i // 3) % len(TAGS)]}))
    common = [f"第 {i} 题的解析：依据条款 {clauses} 的规定。", 1 + i % 5, tags, clauses,
              ["营业员", "投递员", "全部", "营业员、支局长"][i % 4], "是" if i % 9 == 0 else "否"]
    kind = i % 10
    if kind < 5:
        return ["单选", f"{tag}第 {i} 题：下列哪一项符合规定？", "甲", "乙", "丙", "丁", "", "ABCD"[i % 4], *common]
    if kind < 7:
        return ["多选", f"{tag}第 {i} 题：下列哪些做法符合规定？", "甲", "乙", "丙", "丁", "戊", ["AB", "ACD", "BCE"][i % 3],
                *common]
    if kind < 9:
        return ["判断", f"{tag}第 {i} 题：这种做法符合规定。", "", "", "", "", "", "对" if i % 2 else "错", *common]
    return ["填空", f"{tag}第 {i} 题：规定的期限是（）日。", "", "", "", "", "", f"{i % 30 + 1}|{i % 30 + 1}天", *common]


def build_workbook(count: int, tag: str = "") -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("试题")
    ws.append(HEADER)
    for i in range(count):
        ws.append(question_row(i, tag))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def timed_import(data: bytes, bank, actor, *, dry_run: bool = False, trace: bool = False):
    from postqc.learning.importers import import_questions

    progress: list[tuple[int, int]] = []
    seconds, cpu, report, peak = measured(
        lambda: import_questions(data, bank=bank, filename="bench.xlsx", actor=actor, dry_run=dry_run,
                                 progress=lambda done, total: progress.append((done, total))), trace=trace)
    if not report.ok:
        sys.exit(f"import failed: {[str(e) for e in report.errors[:5]]}")
    return seconds, cpu, report, peak, progress


def bare_insert(bank, actor, count: int) -> tuple[float, float]:
    """The same rows through bare bulk inserts: questions, versions, tag and clause links, current."""
    from django.db import transaction
    from django.db.models import OuterRef, Subquery

    from postqc.learning.models import Question, QuestionVersion, Tag
    from postqc.standards.models import Clause

    tag_ids = dict(Tag.objects.values_list("name", "pk"))
    clause_ids = dict(Clause.objects.values_list("code", "pk"))
    rows = [question_row(i, "裸写") for i in range(count)]
    start, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        questions = Question.objects.bulk_create(
            [Question(bank=bank, code=f"BARE-{i:05d}", sort_order=i, status="published") for i in range(count)],
            batch_size=1000)
        versions = QuestionVersion.objects.bulk_create([
            QuestionVersion(question=q, number=1, type="single", stem=r[1], options=[o for o in r[2:7] if o],
                            answer=list(r[7]), explanation=r[8], difficulty=r[9], roles=[], red_line=False,
                            created_by=actor)
            for q, r in zip(questions, rows, strict=True)], batch_size=1000)
        TagLink, ClauseLink = QuestionVersion.tags.through, QuestionVersion.clauses.through
        TagLink.objects.bulk_create([TagLink(questionversion_id=v.pk, tag_id=tag_ids[t])
                                     for v, r in zip(versions, rows, strict=True) for t in r[10].split("、")],
                                    batch_size=1000)
        ClauseLink.objects.bulk_create([ClauseLink(questionversion_id=v.pk, clause_id=clause_ids[c])
                                        for v, r in zip(versions, rows, strict=True) for c in r[11].split("|")],
                                       batch_size=1000)
        Question.objects.filter(code__startswith="BARE-").update(current=Subquery(
            QuestionVersion.objects.filter(question=OuterRef("pk"), number=1).values("pk")[:1]))
    return time.perf_counter() - start, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_questions", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000, help="questions in the file [10000]")
    args = parser.parse_args(argv)

    with scratch_django("postqc_bench_questions") as database:
        from postqc.learning.exporters import bank_export
        from postqc.learning.services import bank_create

        city, actor = base_data()
        n = args.questions
        data = build_workbook(n)
        results: dict[str, object] = {"database": database, "questions": n, "file_bytes": len(data)}

        bank = bank_create(code="BENCH", name="基准题库", unit=city)
        wall, cpu, report, _peak, _progress = timed_import(data, bank, actor, dry_run=True)
        results["check_only"] = figures(n, wall, cpu, would_create=report.created)
        wall, cpu, report, _peak, progress = timed_import(data, bank, actor)
        results["fresh"] = figures(n, wall, cpu, created=report.created, progress_updates=len(progress))

        bare_wall, bare_cpu = bare_insert(bank_create(code="BARE", name="裸写", unit=city), actor, n)
        results["bare_insert"] = figures(n, bare_wall, bare_cpu)
        results["fresh_rate_over_bare_insert_cpu"] = round(bare_cpu / cpu, 2)
        results["fresh_rate_over_bare_insert_wall"] = round(bare_wall / wall, 2)

        start, cpu = time.perf_counter(), time.process_time()
        buffer = io.BytesIO()
        bank_export(buffer, bank=bank)
        results["export"] = figures(n, time.perf_counter() - start, time.process_time() - cpu,
                                    bytes=len(buffer.getvalue()))

        traced = bank_create(code="TRACED", name="内存测量", unit=city)
        _wall, _cpu, _report, peak, _progress = timed_import(build_workbook(n, "追踪"), traced, actor, trace=True)
        results["peak_python_mib_fresh_import"] = round(peak / 2**20, 1)
        results["peak_rss_mib_process"] = peak_rss_mib()

    write_results(results, OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
