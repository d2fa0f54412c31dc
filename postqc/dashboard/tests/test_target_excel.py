"""指标分解表: a unit's and its children's own targets out to Excel and back, as managers hand out a
year's targets today — all or nothing, every error by row and column, each change kept."""
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from postqc.dashboard.models import Target
from postqc.dashboard.targets import Targets, targets_import, targets_set

pytestmark = pytest.mark.django_db

URL = "/manage/targets/"


def download(client, unit="JLS", year=2026) -> list[list]:
    response = client.get(f"{URL}?unit={unit}&year={year}&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'targets-{unit}-{year}.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["指标目标"]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "指标目标"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def in_force(unit, kpi, year=2026):
    return Targets(unit, year, []).of_unit(kpi)


def test_the_targets_go_out_a_row_per_unit_and_come_back_changed(org, as_):
    targets_set(actor=org.dora, unit=org.jls, year=2026, values={"learning.participation": "60",
                                                                 "contests.participation": "50"})
    targets_set(actor=org.dora, unit=org.jh, year=2026, values={"learning.participation": "70"})
    client = as_(org.dora)
    header, *rows = download(client)
    assert header[:2] == ["单位编码*", "单位"] and "学习参与率" in header and "满意度指数" in header
    col = header.index("学习参与率")
    assert [(r[0], r[col]) for r in rows] == [("JLS", 60), ("CY", None), ("JH", 70)]
    # 船营 gets its own target, 蛟河 follows the city again (blank), the city's is unchanged.
    rows[1][col] = 65
    rows[2][col] = None
    response = client.post("/manage/targets/import/", {
        "unit": "JLS", "year": "2026", "note": "2026 年度指标分解", "file": io.BytesIO(workbook([header, *rows]))})
    assert response.status_code == 302 and response["Location"] == f"{URL}?unit=JLS&year=2026"
    assert in_force(org.cy, "learning.participation").value == Decimal("65.00")
    assert in_force(org.jh, "learning.participation").value == Decimal("60.00")  # the city's
    assert in_force(org.jh, "contests.participation").value == Decimal("50.00")
    changes = Target.objects.filter(note="2026 年度指标分解").order_by("unit__code")
    assert [(t.unit.code, t.kpi, t.value, t.set_by) for t in changes] == [
        ("CY", "learning.participation", Decimal("65.00"), org.dora),
        ("JH", "learning.participation", None, org.dora)]
    assert Target.objects.filter(unit=org.jls).count() == 2  # nothing rewritten for the city


def test_a_column_left_out_is_not_touched_and_a_blank_cell_clears(org):
    targets_set(actor=org.dora, unit=org.cy, year=2026, values={"learning.participation": "60",
                                                                "learning.accuracy": "80"})
    report = targets_import(source=workbook([["单位编码", "练习正确率"], ["CY", None]]), actor=org.dora, year=2026)
    assert report.ok and report.written and report.updated == 1
    assert in_force(org.cy, "learning.participation").value == Decimal("60.00")
    assert in_force(org.cy, "learning.accuracy").value is None


def test_every_bad_row_is_named_and_nothing_is_written(org, as_):
    source = workbook([
        ["单位编码", "单位", "学习参与率", "竞赛参与率"],
        ["CY", "船营", 60, "七十"],       # row 2: not a number
        ["NOPE", "", 60, None],          # row 3: no such unit
        ["JH-HSD", "", 120, None],       # row 4: out of bounds
        ["CY", "", 50, None],            # row 5: CY twice
        ["JH", "", 55, None],            # row 6: fine
    ])
    report = targets_import(source=source, actor=org.dora, year=2026)
    assert not report.written
    found = [(e.row, e.column) for e in report.errors]
    assert found == [(2, "竞赛参与率"), (3, "单位编码"), (4, "学习参与率"), (5, "单位编码")]
    messages = " ".join(str(e) for e in report.errors)
    assert "七十" in messages and "NOPE" in messages and "120" in messages and "第 2 行已出现" in messages
    assert not Target.objects.exists()
    page = as_(org.dora).post("/manage/targets/import/", {"unit": "JLS", "year": "2026", "file": io.BytesIO(source)})
    assert page.status_code == 200 and "未写入任何内容" in page.content.decode()
    assert "第 3 行 单位编码" in page.content.decode()
    assert not Target.objects.exists()


def test_a_county_manager_sets_only_their_own_subtree(org, as_):
    report = targets_import(source=workbook([["单位编码", "学习参与率"], ["JH-HSD", 60], ["CY", 60], ["JLS", 60]]),
                            actor=org.charlie, year=2026)
    assert [(e.row, e.column) for e in report.errors] == [(3, "单位编码"), (4, "单位编码")]
    assert "不在你的管理范围内" in str(report.errors[0]) and not Target.objects.exists()
    assert as_(org.charlie).get(f"{URL}?unit=CY&format=xlsx").status_code == 404  # another county's
    assert as_(org.hank).get("/manage/targets/import/").status_code == 403  # 支局长 sets no targets


def test_a_dry_run_checks_everything_and_writes_nothing(org):
    report = targets_import(source=workbook([["单位编码", "学习参与率"], ["CY", 60], ["JH", 70]]), actor=org.dora,
                            year=2026, dry_run=True)
    assert report.ok and not report.written and report.updated == 2
    assert "未写入" in report.summary()
    assert not Target.objects.exists()


def test_a_file_without_the_sheet_or_any_kpi_column_is_refused(org):
    other = Workbook()
    other.active.title = "Sheet1"
    buffer = io.BytesIO()
    other.save(buffer)
    assert not targets_import(source=buffer.getvalue(), actor=org.dora, year=2026).ok
    report = targets_import(source=workbook([["单位编码", "备注"], ["CY", "x"]]), actor=org.dora, year=2026)
    assert not report.ok and "没有任何指标列" in str(report.errors[-1])
    assert not targets_import(source=workbook([["单位编码", "学习参与率"], ["CY", 60]]), actor=org.dora,
                              year=1999).ok
    assert not Target.objects.exists()
