"""Bulk ingest: every error kind named by row and column, all or nothing, skip-invalid, dry run,
duplicates, the item's state from its events whichever way they arrive, CSV and Excel, the command."""
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from postqc.conftest import needs_postgres
from postqc.tracking.ingest import EVENT_SHEET, ingest_events
from postqc.tracking.models import ItemReturn, TrackedItem, TrackingEvent

from .conftest import delivered, num, story


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def test_the_seed_story_returned_to_its_sender(org, ingest):
    report = ingest(*story(num(1)))
    assert report.ok and report.created == 6
    item = TrackedItem.objects.get()
    assert (item.status, item.returned, item.attempts, item.delivered_at, item.on_time) == ("returned", True, 1, None, None)
    assert item.unit.code == "CY-BJL-TD"  # came back to 船营 for delivery: its scope
    assert (item.mail_class, item.route, str(item.postage), item.posting_outlet.code) == ("letter", "interprovincial",
                                                                                        "5.00", "O-CY-1")
    assert item.due_on == dt.date(2026, 11, 15)  # D+5 跨省 letter, delivery.rules default
    ret = ItemReturn.objects.get()
    assert ret.reason == "no_such_org" and _local(ret.back_to_sender_at) == "2026-11-18 10:00"
    emh = TrackingEvent.objects.get(code="EMH")
    assert emh.unit is None and emh.office == "100001"  # Beijing: kept as reported


def test_on_time_and_late_against_the_time_limit(org, ingest):
    ingest(*delivered(num(1), day=20, posted=19), *delivered(num(2), day=22, posted=19))
    on_time = dict(TrackedItem.objects.values_list("number", "on_time"))
    assert on_time == {num(1): True, num(2): False}  # 同城 letter D+1
    assert TrackedItem.objects.get(number=num(1)).due_on == dt.date(2026, 11, 20)


def test_events_arriving_in_pieces_give_the_same_item_as_one_file(org, ingest):
    events = story(num(1))
    ingest(*events)
    whole = TrackedItem.objects.values("status", "attempts", "returned", "delivered_at", "on_time", "unit_id",
                                       "last_code", "last_event_at").get()
    TrackingEvent.objects.all().delete()
    ItemReturn.objects.all().delete()
    TrackedItem.objects.all().delete()
    for i in range(0, len(events), 2):
        assert ingest(*events[i:i + 2]).ok
    pieces = TrackedItem.objects.values("status", "attempts", "returned", "delivered_at", "on_time", "unit_id",
                                        "last_code", "last_event_at").get()
    assert pieces == whole
    assert ItemReturn.objects.get().back_to_sender_at is not None


def test_a_late_posting_event_fills_in_the_item(org, ingest):
    first, *rest = delivered(num(1))
    ingest(*rest)
    assert TrackedItem.objects.get().due_on is None
    ingest(first)
    item = TrackedItem.objects.get()
    # the refresh after it judges the delivery against the due date now known
    assert item.due_on == dt.date(2026, 11, 20) and item.posted_at is not None and item.on_time is True


def test_the_same_event_twice_is_kept_once(org, ingest):
    events = delivered(num(1))
    assert ingest(*events).created == 3
    again = ingest(*events, events[0])
    assert (again.created, again.unchanged) == (0, 4)
    assert TrackingEvent.objects.count() == 3


def test_a_row_repeated_within_the_file_counts_once(org, ingest):
    events = story(num(1))
    emh = next(e for e in events if e["code"] == "EMH")
    report = ingest(*events, emh)
    assert (report.created, report.unchanged) == (len(events), 1)
    assert TrackedItem.objects.get().attempts == 1  # one failed attempt, reported twice


BAD = [
    ({"number": "RR123456780CN"}, "邮件号", "校验码错误"),
    ({"number": "RR12345678CN"}, "邮件号", "应为 13 位"),
    ({"code": "XYZ"}, "事件代码", "事件代码“XYZ”无效"),
    ({"time": "yesterday"}, "时间", "无法识别"),
    ({"time": "2026-11-26 09:00"}, "时间", "晚于当前时间"),
    ({"office": ""}, "机构", "必填项"),
    ({"code": "EMH", "reason": "", "action": "退回寄件人"}, "原因", "必须填写原因"),
    ({"code": "EMH", "reason": "拒收", "action": ""}, "处理", "必须填写处理情况"),
    ({"code": "EMH", "reason": "不想要", "action": "退回寄件人"}, "原因", "原因“不想要”无效"),
    ({"code": "EMH", "reason": "拒收", "action": "扔掉"}, "处理", "处理“扔掉”无效"),
    ({"code": "EMI", "reason": "拒收"}, "原因", "只有投递未成功"),
    ({"code": "EMA", "route": "外星"}, "寄达范围", "“外星”无效"),
    ({"code": "EMA", "mail_class": "明信片"}, "邮件类别", "“明信片”无效"),
    ({"code": "EMA", "postage": "五元"}, "资费", "金额"),
    ({"code": "EMA", "outlet": "O-NONE"}, "收寄网点", "O-NONE 不存在"),
    ({"code": "EMA", "delivery_unit": "NOPE"}, "投递单位", "NOPE 不存在"),
    ({"code": "EMI", "courier": "X999"}, "投递员工号", "X999 不存在"),
]


@pytest.mark.parametrize(("change", "column", "says"), BAD)
def test_every_error_is_named_by_row_and_column_and_nothing_is_written(org, ingest, change, column, says):
    good = delivered(num(1))
    bad = {"number": num(2), "code": "EMG", "time": "2026-11-20 08:00", "office": "CY-BJL-TD", **change}
    report = ingest(*good, bad)
    assert [(e.row, e.column) for e in report.errors] == [(5, column)]
    assert says in report.errors[0].message
    assert not report.written
    assert not TrackedItem.objects.exists() and not TrackingEvent.objects.exists()


def test_an_item_with_no_unit_of_ours_is_an_error(org, ingest):
    report = ingest(*delivered(num(2)), {"number": num(1), "code": "EDD", "time": "2026-11-20 08:00", "office": "100000"})
    assert report.errors[0].column == "投递单位" and "无法确定" in report.errors[0].message
    # found only once every row was read: the good item's events, already on their way in, are not kept
    assert not report.written and not TrackingEvent.objects.exists() and not TrackedItem.objects.exists()


def test_skip_invalid_writes_the_good_rows_and_lists_the_bad(org, ingest):
    report = ingest(*delivered(num(1)), {"number": "RR1", "code": "EMA", "time": "x", "office": ""},
                    skip_invalid=True)
    assert report.written and report.created == 3 and report.skipped == 1
    assert {e.column for e in report.errors} == {"邮件号", "时间", "机构"}
    assert TrackingEvent.objects.count() == 3


def test_a_dry_run_counts_and_writes_nothing(org, ingest):
    ingest(*delivered(num(1)))
    report = ingest(*delivered(num(1)), *delivered(num(2)), dry_run=True)
    assert (report.created, report.unchanged, report.written) == (3, 3, False)
    assert TrackedItem.objects.count() == 1


def test_a_person_ingests_only_items_of_their_subtree(org, ingest):
    report = ingest(*delivered(num(1)), actor=org.charlie)  # 蛟河's manager, a 船营 item
    assert "不属于本单位" in report.errors[0].message and not TrackedItem.objects.exists()
    assert ingest(*delivered(num(1)), actor=org.alice).ok


def _csv(events, header=None) -> bytes:
    cols = [c.field for c in EVENT_SHEET.columns]
    lines = [",".join(header or [c.header for c in EVENT_SHEET.columns])]
    lines += [",".join(str(e.get(c, "")) for c in cols) for e in events]
    return "\n".join(lines).encode("utf-8-sig")


def _xlsx(events) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "跟踪事件"
    ws.append([c.title for c in EVENT_SHEET.columns])
    for e in events:
        ws.append([e.get(c.field, "") for c in EVENT_SHEET.columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_csv_reads_the_same_quoted_or_not_with_any_line_ending_and_encoding():
    from postqc.tracking.ingest import read_table

    plain = (" 邮件号 ,事件代码,时间,机构,地点\r\nRR123456785CN , EMA,2026-11-20 09:30,JLS-CY,吉林市船营区\r\n"
             ",,,,\r\n\r\nRR123456785CN,EMI,2026-11-21 10:00,JLS-CY,\r\n")
    quoted = ('"邮件号","事件代码","时间","机构","地点"\n"RR123456785CN","EMA","2026-11-20 09:30","JLS-CY",'
              '"吉林市船营区"\n\n"RR123456785CN","EMI","2026-11-21 10:00","JLS-CY",""\n')
    expected = [(2, {"number": "RR123456785CN", "code": "EMA", "time": "2026-11-20 09:30", "office": "JLS-CY",
                     "location": "吉林市船营区"}),
                (5, {"number": "RR123456785CN", "code": "EMI", "time": "2026-11-21 10:00", "office": "JLS-CY",
                     "location": ""})]
    assert read_table(plain.encode("gb18030"), "scan.csv") == (expected, [])
    assert read_table(quoted.encode("utf-8-sig"), "scan.csv") == ([(2, expected[0][1]), (4, expected[1][1])], [])
    comma = quoted.replace('"吉林市船营区"', '"吉林市,船营区"')  # a comma inside quotes stays in its cell
    assert read_table(comma.encode(), "scan.csv")[0][0][1]["location"] == "吉林市,船营区"


def test_csv_and_excel_files(org):
    report = ingest_events(_csv(story(num(1))), filename="scan.csv")
    assert report.ok and report.created == 6
    events = delivered(num(2))
    events[1]["time"] = dt.datetime(2026, 11, 20, 7, 0)  # a real Excel date-time cell
    report = ingest_events(_xlsx(events), filename="scan.xlsx")
    assert report.ok and report.created == 3
    assert _local(TrackingEvent.objects.get(item__number=num(2), code="EMG").occurred_at) == "2026-11-20 07:00"


def test_broken_files_are_one_clear_error(org):
    assert "缺少必填列“事件代码”" in str(ingest_events(_csv([], header=["邮件号", "时间", "机构"]), filename="a.csv").errors[0])
    assert "不是有效的 Excel" in ingest_events(b"hello", filename="a.xlsx").errors[0].message
    assert "没有数据行" in ingest_events(_csv([]), filename="a.csv").errors[0].message


def test_the_command(org, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(_csv(story(num(1))))
    out = io.StringIO()
    call_command("ingest_events", str(good), "--dry-run", stdout=out)
    assert "仅校验" in out.getvalue() and not TrackedItem.objects.exists()
    call_command("ingest_events", str(good), stdout=out)
    assert TrackingEvent.objects.count() == 6
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([{**story(num(2))[0], "number": "RR000000000CN"}]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("ingest_events", str(bad), stdout=out, stderr=err)
    assert "第 2 行 邮件号" in err.getvalue()


@needs_postgres()
def test_on_postgres_rows_go_in_with_copy(org, ingest, django_assert_max_num_queries, monkeypatch):
    from postqc.tracking import ingest as module

    copied = []
    real_items, real_events = module._copy_items, module._copy_events
    monkeypatch.setattr(module, "_copy_items", lambda rows: copied.append("items") or real_items(rows))
    monkeypatch.setattr(module, "_copy_events", lambda rows: copied.append("events") or real_events(rows))
    events = [e for n in range(1, 201) for e in delivered(num(n))]
    events[1] = {**events[1], "location": "长春\\中转\t二号库\n夜班"}  # COPY's text format escapes these
    events[0] = {**events[0], "addressee": "王\\五\t收", "postage": "12.50"}
    with django_assert_max_num_queries(40):  # not one statement per row
        report = ingest(*events)
    assert report.created == 600
    assert copied == ["events", "items"]  # the events stream in as they are checked
    assert TrackedItem.objects.filter(status="delivered", on_time=True).count() == 200
    assert TrackingEvent.objects.get(item__number=num(1), code="EMG").location == "长春\\中转\t二号库\n夜班"
    first = TrackedItem.objects.get(number=num(1))
    assert (first.addressee, str(first.postage), first.returned, first.attempts) == ("王\\五\t收", "12.50", False, 0)
    assert first.due_on == dt.date(2026, 11, 20) and first.posted_at == first.events.get(code="EMA").occurred_at
    assert TrackingEvent.objects.filter(location="", courier=None, code="EMI").count() == 200


@needs_postgres()
def test_on_postgres_the_progress_is_reported_outside_the_copy(org, ingest):
    """The upload job reports progress to its Job row, on the connection the COPY holds: a query in the
    middle of the COPY would hang the job. Each call checks that no statement is running."""
    from django.db import connection
    from psycopg.pq import TransactionStatus

    calls = []

    def progress(done, total):
        assert connection.connection.info.transaction_status != TransactionStatus.ACTIVE, "called inside the COPY"
        calls.append((done, total))

    report = ingest(*[e for n in range(1, 41) for e in delivered(num(n))], progress=progress)
    assert report.created == 120 and calls[-1] == (120, 120) and len(calls) >= 2


def test_the_template_reads_back_with_its_example_row_skipped(org):
    from postqc.core.excel import write_template

    out = io.BytesIO()
    write_template(out, [EVENT_SHEET], title="跟踪事件导入模板")
    report = ingest_events(out.getvalue(), filename="模板.xlsx")
    assert "没有数据行" in report.errors[0].message and not TrackedItem.objects.exists()
