"""The bulk import of delivery records: CSV and Excel, errors by row and column, all or nothing,
the PostgreSQL COPY path, the command and the upload page's job."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postqc.conftest import needs_postgres
from postqc.core.excel import write_workbook
from postqc.core.models import Job
from postqc.delivery.ingest import RECORD_SHEET, records_import
from postqc.delivery.models import DeliveryRecord

from .conftest import run

pytestmark = pytest.mark.django_db
HEADER = "段道编码,投递日期,频次,投递员工号,平常邮件,给据邮件,妥投,时限内妥投,交接方式,异常说明"


def csv(*rows: str, header: str = HEADER, encoding="utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


GOOD = (
    "S-CY-1,2026-11-23,1,D001,120,30,148,147,楼下信报箱/智能信包箱,2 件收件人不在",
    "S-CY-1,2026/11/23,2,,40,0,40,40,,",
    "S-CY-2,20261124,1,,80,10,90,90,单位收发室,",
)


def test_a_good_csv_is_written_whole(org, segs):
    report = records_import(csv(*GOOD), filename="runs.csv", actor=org.alice)
    assert report.ok and report.written and report.created == 3
    rows = list(DeliveryRecord.objects.order_by("segment__code", "delivered_on", "run_no")
                .values_list("segment__code", "delivered_on", "run_no", "courier__employee_no", "handover_point",
                             "delivered", "on_time", "week_of", "source", "recorded_by__employee_no"))
    assert rows[0] == ("S-CY-1", dt.date(2026, 11, 23), 1, "D001", "mailbox", 148, 147, dt.date(2026, 11, 23),
                       "import", "A001")
    assert rows[1][3:5] == ("D001", "mailbox")  # the segment's courier and handover point when left empty
    assert rows[2][:3] == ("S-CY-2", dt.date(2026, 11, 24), 1)


def test_every_bad_cell_is_named_and_nothing_is_written(org, segs):
    run(segs["cy2"], dt.date(2026, 11, 20))
    data = csv(
        *GOOD,
        "S-NONE,2026-11-23,1,,1,0,1,1,,",                    # row 5: unknown segment
        "S-CY-1,2026-13-40,7,X9,a,0,1,1,屋顶,",              # row 6: date, run, courier, ordinary, point
        "S-CY-1,2026-11-26,1,,5,0,6,6,,",                    # row 7: future, delivered > items
        "S-CY-1,2026-11-23,1,,5,0,5,5,,",                    # row 8: same run as row 2
        "S-CY-2,2026-11-20,1,,5,0,5,5,,",                    # row 9: already recorded
        "S-JH-1,2026-11-23,1,,5,0,5,6,,",                    # row 10: on_time > delivered
    )
    report = records_import(data, filename="runs.csv", actor=org.sam)
    assert not report.written and DeliveryRecord.objects.count() == 1
    where = {(e.row, e.column) for e in report.errors}
    assert where == {(5, "段道编码"), (6, "投递日期"), (6, "频次"), (6, "平常邮件"), (6, "交接方式"),
                     (7, "投递日期"), (7, "妥投"), (8, "频次"), (9, "频次"), (10, "时限内妥投"), (6, "投递员工号")}
    assert "与第 2 行重复" in next(e.message for e in report.errors if e.row == 8)
    assert "未写入任何数据" in report.summary()


def test_skip_invalid_writes_the_good_rows_and_dry_run_nothing(org, segs):
    data = csv(*GOOD, "S-CY-1,2026-11-22,1,,5,0,9,9,,")
    dry = records_import(data, filename="runs.csv", actor=org.alice, dry_run=True, skip_invalid=True)
    assert dry.created == 3 and dry.skipped == 1 and not DeliveryRecord.objects.exists()
    report = records_import(data, filename="runs.csv", actor=org.alice, skip_invalid=True)
    assert report.written and report.created == 3 and report.skipped == 1 and report.errors[0].row == 5
    assert DeliveryRecord.objects.count() == 3


def test_a_manager_imports_only_their_subtrees_segments(org, segs):
    report = records_import(csv("S-JH-1,2026-11-23,1,,5,0,5,5,,"), filename="runs.csv", actor=org.alice)
    assert [(e.row, e.column) for e in report.errors] == [(2, "段道编码")]
    assert "不在您的管辖范围内" in report.errors[0].message
    with pytest.raises(Exception):
        records_import(csv(*GOOD), filename="runs.csv", actor=org.hank)  # a branch head may not import


def test_the_file_as_a_whole(org, segs):
    assert "空" in records_import(b"", filename="x.csv", actor=org.alice).errors[0].message
    assert "找不到表头" in records_import(b"a,b\n1,2\n", filename="x.csv", actor=org.alice).errors[0].message
    missing = records_import(b"\xe6\xae\xb5\xe9\x81\x93\xe7\xbc\x96\xe7\xa0\x81\nS-CY-1\n", filename="x.csv",
                             actor=org.alice)
    assert {e.column for e in missing.errors} >= {"投递日期", "妥投"}
    assert "Excel" in records_import(b"PK\x03\x04broken", filename="x.xlsx", actor=org.alice).errors[0].message
    gbk = records_import(csv(*GOOD, encoding="gb18030"), filename="runs.csv", actor=org.alice)
    assert gbk.written and gbk.created == 3
    header_only = records_import(csv(), filename="x.csv", actor=org.alice)
    assert "没有数据行" in header_only.errors[0].message


def test_an_excel_file_in_the_template_layout(org, segs):
    buffer = io.BytesIO()
    write_workbook(buffer, [(RECORD_SHEET, [
        {"segment": "S-CY-1", "delivered_on": dt.date(2026, 11, 23), "run_no": 1, "ordinary": 10, "tracked": 2,
         "delivered": 12, "on_time": 11, "handover_point": "door", "note": "到户"},
        {"segment": "S-JH-1", "delivered_on": dt.date(2026, 11, 23), "run_no": 1, "ordinary": 5, "tracked": 1,
         "delivered": 6, "on_time": 6, "handover_point": "village_point"}])])
    report = records_import(buffer.getvalue(), filename="runs.xlsx", actor=org.sam)
    assert report.written and report.created == 2
    assert DeliveryRecord.objects.get(segment=segs["cy1"]).handover_point == "door"


def test_the_command(org, segs, tmp_path):
    path = tmp_path / "runs.csv"
    path.write_bytes(csv(*GOOD))
    out = io.StringIO()
    call_command("import_delivery_records", str(path), "--dry-run", stdout=out)
    assert "仅校验" in out.getvalue() and not DeliveryRecord.objects.exists()
    call_command("import_delivery_records", str(path), "--as", "A001", stdout=out)
    assert DeliveryRecord.objects.count() == 3
    with pytest.raises(CommandError):
        call_command("import_delivery_records", str(path), stdout=out, stderr=io.StringIO())  # all already there
    assert DeliveryRecord.objects.count() == 3


def test_the_upload_page_runs_the_import_as_a_job(org, segs, as_):
    client = as_(org.alice)
    assert client.get("/manage/delivery/records/import/").status_code == 200
    upload = SimpleUploadedFile("runs.csv", csv(*GOOD), content_type="text/csv")
    response = client.post("/manage/delivery/records/import/", {"file": upload})
    job = Job.objects.get(kind="delivery_records_import")
    assert response.status_code == 302 and response["Location"] == f"/manage/jobs/{job.code}/"
    assert job.status == "succeeded" and job.result["created"] == 3
    assert client.get(f"/manage/jobs/{job.code}/").status_code == 200
    assert DeliveryRecord.objects.count() == 3
    template = client.get("/manage/delivery/records/template/")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    bad = client.post("/manage/delivery/records/import/", {"file": SimpleUploadedFile("runs.txt", b"x")})
    assert bad.status_code == 200 and "请上传 .csv 或 .xlsx 文件" in bad.content.decode()
    assert as_(org.hank).get("/manage/delivery/records/import/").status_code == 403


@needs_postgres()
def test_postgresql_writes_through_copy(org, segs):
    rows = [f"S-CY-1,2026-11-{d:02d},{r},,10,2,12,12,,备注\\t含制表符" for d in range(1, 25) for r in (1, 2)]
    with CaptureQueriesContext(connection) as captured:
        report = records_import(csv(*rows), filename="runs.csv", actor=org.alice)
    assert report.written and report.created == 48
    assert not [q for q in captured.captured_queries if "INSERT" in q["sql"] and "deliveryrecord" in q["sql"]]
    assert DeliveryRecord.objects.count() == 48
    assert DeliveryRecord.objects.filter(note="备注\\t含制表符").count() == 48  # escaped, not split
