"""Excel import of paper questionnaires: all or nothing, errors by row and column, the template."""
from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from postqc.surveys import importers, services
from postqc.surveys.models import Rating, Response

from .survey_factories import survey as survey  # noqa: F401  (the fixture)


def workbook(survey, rows: list[dict], *, drop: tuple[str, ...] = ()) -> bytes:
    """A 问卷 sheet with every column of the layout (less `drop`), one row per dict (header → cell)."""
    items = list(survey.items.order_by("position").values_list("code", flat=True))
    header = ["网点编码", "访问日期", "渠道", "问卷编号", *items, "性别", "年龄段", "使用过的业务", "意见建议"]
    header = [h for h in header if h not in drop]
    book = Workbook()
    sheet = book.active
    sheet.title = "问卷"
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(h, "") for h in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def paper(outlet_code: str, number: str, **cells) -> dict:
    row = {"网点编码": outlet_code, "访问日期": "2026-05-06", "问卷编号": number, "性别": "女", "年龄段": "30–39岁",
           "使用过的业务": "信件、包裹", "意见建议": "希望延长营业时间"}
    for n in range(1, 22):
        row[f"SF{n:02d}"] = 4 if n % 2 else 5
    row.update({"OV01": 4, "EX01": 3})
    row.update(cells)
    return row


def test_paper_questionnaires_import_with_profile_and_not_applicable(survey, org):
    data = workbook(survey, [paper("O-CY-1", "0001", SF17="不适用", SF18=""), paper("O-JH-1", "0002", 渠道="纸质录入")])
    report = services.responses_import(survey=survey, file=data, actor=org.sam)
    assert report.ok and report.written and report.created == 2, report.as_dict()
    first = Response.objects.get(outlet=org.o_cy)
    assert (first.channel, first.status, first.stratum_id) == ("paper", "approved", org.cy.pk)
    assert first.profile == {"sex": "f", "age": "30_39", "services": ["letters", "parcels"]}
    assert first.comment == "希望延长营业时间"
    assert first.submitted_at.date().isoformat() == "2026-05-06"
    assert Rating.objects.get(response=first, item__code="SF17").value is None
    assert Rating.objects.get(response=first, item__code="SF18").value is None
    assert Rating.objects.filter(response=first).count() == 23
    again = services.responses_import(survey=survey, file=data, actor=org.sam)  # the same file twice
    assert (again.created, again.unchanged) == (0, 2) and Response.objects.count() == 2


def test_a_missing_required_column_is_one_error_and_nothing_is_written(survey, org):
    report = services.responses_import(survey=survey, file=workbook(survey, [paper("O-CY-1", "1")], drop=("SF05",)),
                                       actor=org.sam)
    assert not report.written and [(e.column, e.message) for e in report.errors] == [("SF05", "缺少必填列“SF05”")]
    assert not Response.objects.exists()


def test_bad_cells_are_reported_by_row_and_column_all_or_nothing(survey, org):
    rows = [paper("O-CY-1", "1"), paper("O-CY-1", "2", SF05=6, SF01="不适用"), paper("NOPE", "3"),
            paper("O-CY-1", "1"), paper("O-JH-1", "5", 访问日期="2099-01-01")]
    report = services.responses_import(survey=survey, file=workbook(survey, rows), actor=org.sam)
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(3, "SF05"), (3, "SF01"), (4, "网点编码"), (5, "问卷编号"), (6, "访问日期")}
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert messages[(3, "SF05")] == "评分须在 1–5 之间"
    assert messages[(4, "网点编码")] == "网点“NOPE”不存在"
    assert not report.written and not Response.objects.exists()
    skipped = services.responses_import(survey=survey, file=workbook(survey, rows), actor=org.sam, skip_invalid=True)
    assert skipped.written and skipped.created == 1 and skipped.skipped == 4
    assert Response.objects.count() == 1


def test_an_importer_sees_only_outlets_in_their_subtree(survey, org):
    report = services.responses_import(survey=survey, file=workbook(survey, [paper("O-CY-1", "1")]),
                                       actor=org.charlie)
    assert [e.message for e in report.errors] == ["网点“O-CY-1”不在你的管辖范围内"]
    with pytest.raises(PermissionDenied):
        services.responses_import(survey=survey, file=workbook(survey, [paper("O-CY-1", "1")]), actor=org.bob)


def test_a_file_that_is_not_a_workbook_is_one_error(survey, org):
    report = services.responses_import(survey=survey, file=b"%PDF-1.4 not excel", actor=org.sam)
    assert not report.ok and report.errors[0].row is None and "Excel" in report.errors[0].message


def test_a_dry_run_checks_and_counts_but_writes_nothing(survey, org):
    report = services.responses_import(survey=survey, file=workbook(survey, [paper("O-CY-1", "1")]), actor=org.sam,
                                       dry_run=True)
    assert report.ok and report.created == 1 and not report.written and not Response.objects.exists()


def test_straight_lined_paper_forms_wait_for_review(survey, org):
    cells = {f"SF{n:02d}": 5 for n in range(1, 22)}
    services.responses_import(survey=survey, file=workbook(survey, [paper("O-CY-1", "9", **cells)]), actor=org.sam)
    assert list(Response.objects.values_list("status", "flags")) == [("pending", ["straightline"])]


def test_the_template_has_every_column_and_its_example_row_is_not_imported(survey, org):
    out = io.BytesIO()
    importers.write_responses_template(out, survey)
    book = load_workbook(io.BytesIO(out.getvalue()))
    header = [c.value for c in next(book["问卷"].iter_rows(max_row=1))]
    assert header[:4] == ["网点编码*", "访问日期*", "渠道", "问卷编号"]
    assert "SF01*" in header and "SF21" in header and "SF17" in header and "使用过的业务" in header and header[-1] == "意见建议"
    assert "说明" in book.sheetnames
    report = services.responses_import(survey=survey, file=out.getvalue(), actor=org.sam)
    assert not report.written and not Response.objects.exists()
