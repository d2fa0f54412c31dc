"""Excel and CSV question imports: good files, every kind of malformed one, and the export round trip."""
import io

import pytest
from openpyxl import Workbook, load_workbook

from postqc.core.jobs import enqueue, job_create
from postqc.core.models import Job
from postqc.learning import services
from postqc.learning.exporters import bank_export, question_template
from postqc.learning.importers import import_questions
from postqc.learning.models import Question, QuestionVersion, Tag
from postqc.learning.tasks import IMPORT_KIND, import_questions_task
from postqc.learning.tests.factories import make_clause

pytestmark = pytest.mark.django_db
T = QuestionVersion.Type

HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "难度", "标签", "条款", "适用岗位", "必知必会"]
GOOD = [
    ["单选", "普遍服务范围内的包裹，单件重量不超过多少千克？", "5", "10", "20", "30", "B", "《邮政法》第十五条。", 2,
     "普遍服务范围", "YZF-3.15", "营业员", "是"],
    ["多选题", "下列哪些属于邮政普遍服务的业务范围？", "信件", "印刷品", "包裹", "国际快递", "A、B、C",
     "《邮政法》第十五条列举了信件、印刷品、包裹和汇兑。", 3, "普遍服务范围、业务范围", "YZF-3.15", "营业员、投递员", "否"],
    ["判断", "义务兵平常信函可以免费寄递。", "", "", "", "", "对", "《邮政法》第十五条第二款。", 1, "", "YZF-3.15", "", ""],
    ["填空", "邮政普遍服务范围内的印刷品，单件重量不超过＿＿千克。", "", "", "", "", "5|五", "《邮政法》第十五条。", "",
     "", "", "", ""],
]


def xlsx(rows, header=HEADER, sheet="试题", title=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(n, **changes):
    values = dict(zip(HEADER, GOOD[n], strict=True))
    values.update(changes)
    return [values[h] for h in HEADER]


@pytest.fixture
def bank(org):
    make_clause(org.jls, code="YZF-3.15")
    return services.bank_create(code="JLS-PF", name="普遍服务知识题库", unit=org.jls)


def run(bank, data, filename="questions.xlsx", **kwargs):
    return import_questions(data, bank=bank, filename=filename, **kwargs)


def errors(report):
    return [(e.row, e.column, e.message) for e in report.errors]


def nothing_written():
    return not Question.objects.exists() and not QuestionVersion.objects.exists() and not Tag.objects.exists()


def test_a_good_workbook_imports_every_type(bank, org):
    report = run(bank, xlsx(GOOD), actor=org.sam)
    assert report.ok and report.written and report.created == 4
    by_type = {q.current.type: q.current for q in Question.objects.select_related("current")}
    assert by_type[T.SINGLE].answer == ["B"] and by_type[T.SINGLE].red_line and by_type[T.SINGLE].roles == ["clerk"]
    assert by_type[T.MULTIPLE].answer == ["A", "B", "C"] and set(by_type[T.MULTIPLE].roles) == {"clerk", "courier"}
    assert {t.name for t in by_type[T.MULTIPLE].tags.all()} == {"普遍服务范围", "业务范围"}
    assert by_type[T.TRUE_FALSE].answer == ["T"] and by_type[T.TRUE_FALSE].options == []
    assert by_type[T.FILL].answer == ["5", "五"] and by_type[T.FILL].difficulty == 3
    assert all(q.status == Question.Status.PUBLISHED and q.pool == Question.Pool.PRACTICE
               for q in Question.objects.all())


def test_the_first_sheet_is_read_when_there_is_no_sheet_named_shiti_and_a_title_row_is_fine(bank):
    report = run(bank, xlsx(GOOD, sheet="Sheet1", title="2026 年普遍服务题库"))
    assert report.written and report.created == 4


def test_the_pool_column_reserves_questions_for_competitions(bank):
    header = [*HEADER, "题池"]
    report = run(bank, xlsx([[*GOOD[0], "竞赛专用"], [*GOOD[1], "练习"]], header=header))
    assert report.written
    assert sorted(Question.objects.values_list("pool", flat=True)) == ["practice", "reserved"]


def test_a_true_false_row_with_right_wrong_options_maps_its_letter(bank):
    report = run(bank, xlsx([row(2, 选项A="正确", 选项B="错误", 答案="B")]))
    assert report.written
    assert Question.objects.get().current.answer == ["F"]


@pytest.mark.parametrize(("change", "column", "reason"), [
    ({"题型": "问答"}, "题型", "不是有效值"),
    ({"答案": "E"}, "答案", "超出选项范围"),
    ({"答案": "甲"}, "答案", "不是选项字母"),
    ({"解析": ""}, "解析", "必填项不能为空"),
    ({"条款": "YZF-9.99"}, "条款", "条款不存在：YZF-9.99"),
    ({"难度": 7}, "难度", "超出范围"),
    ({"适用岗位": "宇航员"}, "适用岗位", "不是有效值"),
    ({"选项B": ""}, "选项B", "为空"),
])
def test_a_bad_single_choice_row_is_named_by_row_column_and_reason_and_nothing_is_written(bank, change, column, reason):
    report = run(bank, xlsx([row(0), row(1), row(0, 题干="第三行的题", **change)]))
    assert not report.written and nothing_written()
    ((number, col, message),) = errors(report)
    assert (number, col) == (4, column) and reason in message


def test_a_multiple_choice_row_with_one_answer_is_an_error(bank):
    report = run(bank, xlsx([row(1, 答案="A")]))
    assert errors(report) == [(2, "答案", "多选题至少要有两个正确答案；只有一个正确答案请用单选题")]
    assert nothing_written()


def test_a_true_false_answer_must_be_right_or_wrong(bank):
    report = run(bank, xlsx([row(2, 答案="是")]))
    assert errors(report) == [(2, "答案", "判断题的答案应为“对”或“错”（现为“是”）")]
    assert nothing_written()


def test_a_missing_required_column_stops_the_import_even_when_skipping_invalid_rows(bank):
    header = [h for h in HEADER if h != "答案"]
    rows = [[v for h, v in zip(HEADER, r, strict=True) if h != "答案"] for r in GOOD]
    report = run(bank, xlsx(rows, header=header), skip_invalid=True)
    assert errors(report) == [(1, "答案", "缺少必填列“答案”")]
    assert not report.written and nothing_written()


def test_duplicates_in_the_file_and_against_the_bank_are_reported(bank, org):
    services.question_create(bank=bank, type=T.TRUE_FALSE, stem="义务兵平常信函可以免费寄递", answer=["T"],
                             explanation="第十五条。")
    report = run(bank, xlsx([row(0), row(1), row(2), row(0, 答案="A")]))
    assert errors(report) == [
        (4, "题干", "题库中已有相同题干的判断题（JLS-PF-00001）"),
        (5, "题干", "与第 2 行题干重复"),
    ]
    assert Question.objects.count() == 1


def test_a_file_that_is_not_a_workbook_is_refused(bank):
    report = run(bank, "题型,题干\n单选,这不是 Excel\n".encode(), filename="questions.xlsx")
    assert [e.message for e in report.errors] == ["不是有效的 Excel 文件，请上传 .xlsx 格式的工作簿。"]
    assert nothing_written()


def test_an_empty_file_is_refused(bank):
    report = run(bank, b"", filename="questions.xlsx")
    assert len(report.errors) == 1 and "空" in report.errors[0].message
    report = run(bank, xlsx([]))
    assert len(report.errors) == 1 and "没有数据行" in report.errors[0].message
    assert nothing_written()


def test_skip_invalid_writes_the_good_rows_and_reports_the_rest(bank):
    report = run(bank, xlsx([row(0), row(1, 答案="A"), row(2), row(3, 解析="")]), skip_invalid=True)
    assert report.written and report.created == 2 and report.skipped == 2
    assert [(e.row, e.column) for e in report.errors] == [(3, "答案"), (5, "解析")]
    assert Question.objects.count() == 2


def test_a_dry_run_checks_and_counts_but_writes_nothing(bank):
    report = run(bank, xlsx(GOOD), dry_run=True)
    assert report.ok and not report.written and report.created == 4
    assert "仅校验" in report.summary() and nothing_written()


def test_a_csv_file_in_gbk_with_the_same_columns_imports(bank):
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(GOOD)
    report = run(bank, out.getvalue().encode("gb18030"), filename="题库.csv")
    assert report.written and report.created == 4


def test_a_bad_csv_row_is_named_by_its_line(bank):
    data = ("\n".join([",".join(HEADER), ",".join(str(c) for c in row(0, 答案="Z"))]) + "\n").encode()
    report = run(bank, data, filename="q.csv")
    assert errors(report) == [(2, "答案", "答案“Z”超出选项范围（本题选项为 A、B、C、D）")]
    assert report.errors[0].sheet == "CSV"


def test_the_template_has_every_column_and_its_example_row_is_not_imported(bank):
    out = io.BytesIO()
    question_template(out)
    ws = load_workbook(io.BytesIO(out.getvalue()), read_only=True)["试题"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert header[:3] == ["题型*", "题干*", "选项A"] and "解析*" in header and "题池" in header
    report = run(bank, out.getvalue())
    assert not report.written and "没有数据行" in report.errors[0].message


def test_an_export_imports_into_an_empty_bank_as_the_same_questions(bank, org):
    header = [*HEADER, "题池"]
    run(bank, xlsx([[*GOOD[0], "竞赛专用"], *[[*r, ""] for r in GOOD[1:]]], header=header))
    out = io.BytesIO()
    bank_export(out, bank=bank)
    copy = services.bank_create(code="COPY", name="副本", unit=org.jls)
    report = run(copy, out.getvalue())
    assert report.written and report.created == 4

    def content(b):
        return sorted(
            (q.pool, *services.QuestionData.of(q.current, pool=q.pool).version_content())
            for q in Question.objects.filter(bank=b).select_related("current")
        )

    assert content(copy) == content(bank)


def test_an_upload_runs_as_a_job_with_progress_and_its_report(bank, org, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    job = job_create(kind=IMPORT_KIND, created_by=org.sam, unit=org.sam.unit)
    path = default_storage.save(f"imports/{job.code}.xlsx", ContentFile(xlsx(GOOD)))
    job.params = {"path": path, "filename": "q.xlsx", "bank": "JLS-PF", "format": "auto"}
    job.save()
    enqueue(import_questions_task, job)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.done == job.total == 4
    assert job.result["created"] == 4 and not default_storage.exists(path)


def test_a_job_started_by_someone_outside_the_banks_unit_imports_nothing(bank, org, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    job = job_create(kind=IMPORT_KIND, created_by=org.charlie, unit=org.charlie.unit)
    job.params = {"path": default_storage.save("imports/x.xlsx", ContentFile(xlsx(GOOD))), "bank": "JLS-PF"}
    job.save()
    enqueue(import_questions_task, job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and nothing_written()
