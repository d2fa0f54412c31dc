"""问责: 通报 (drafted from the period's data, issued once and numbered, corrected never edited, read on
the phone) and the 奖惩 ledger (recorded with reasons, reversed never edited, Excel in and out, repeat
offenders, findings awaiting accountability); on the pages, the phone and the API."""
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from postqc.api.services import token_issue
from postqc.inspections import accountability as acc
from postqc.inspections import rectification
from postqc.inspections.models import Bulletin, BulletinEntry, BulletinRead, Finding, FindingEvent, LedgerEntry
from postqc.inspections.services import inspection_submit

from .conftest import TODAY, results

MONTH = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def checked(org, lists):
    """This month: 北京路营业所 (船营) failed a critical item on 11-03 (finding due 11-10, still open: overdue);
    黄松甸营业所 (蛟河) met every item on 11-05."""
    failed = inspection_submit(outlet=org.o_cy, kind="spot", inspector=org.alice, inspected_on=dt.date(2026, 11, 3),
                               results=results(A1=("not_met", "未公示营业时间")))
    perfect = inspection_submit(outlet=org.o_jh, kind="spot", inspector=org.charlie,
                                inspected_on=dt.date(2026, 11, 5), results=results())
    finding = Finding.objects.get(inspection=failed)
    found_at = timezone.make_aware(dt.datetime(2026, 11, 3, 16, 30))  # recorded as it happened, on the day
    Finding.objects.filter(pk=finding.pk).update(deadline=dt.date(2026, 11, 10), due=dt.date(2026, 11, 10),
                                                 created_at=found_at)
    FindingEvent.objects.filter(finding=finding).update(at=found_at, deadline=dt.date(2026, 11, 10))
    return failed, perfect, Finding.objects.get(pk=finding.pk)


def draft(org, actor, unit=None, entries=None, **fields):
    entries = entries if entries is not None else [
        acc.EntryDraft(tone="criticism", text="北京路营业所公示不全", outlet=org.o_cy, person=org.hank)]
    return acc.bulletin_save(actor=actor, unit=unit or org.jls, kind=fields.pop("kind", "situation"),
                             title=fields.pop("title", "十一月质量通报"), entries=entries, **fields)


# --- 通报 ------------------------------------------------------------------------------------------


def test_the_proposal_lists_the_periods_failures_overdue_fixes_and_full_marks(org, checked):
    failed, perfect, finding = checked
    proposal = acc.bulletin_proposal(unit=org.jls, start=MONTH[0], end=MONTH[1])
    assert [(e.tone, e.outlet, e.finding, e.inspection) for e in proposal.entries] == [
        ("criticism", org.o_cy, None, failed),
        ("criticism", org.o_cy, finding, None),
        ("praise", org.o_jh, None, perfect)]
    assert "合格率 75.00%，否决项不合格 1 项，未达标" in proposal.entries[0].text
    assert "整改逾期（期限 11月10日），责任人韩克" in proposal.entries[1].text
    assert proposal.entries[1].person == org.hank
    assert proposal.kind == Bulletin.Kind.SITUATION
    assert "抽查网点 2 个，1 个未达标" in proposal.body
    # 蛟河's own proposal sees only 蛟河; a period without checks proposes nothing.
    assert [e.outlet for e in acc.bulletin_proposal(unit=org.jh, start=MONTH[0], end=MONTH[1]).entries] == [org.o_jh]
    assert acc.bulletin_proposal(unit=org.jls, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30)).entries == []


def test_the_proposal_judges_lateness_as_things_stood_at_the_periods_end(org, checked):
    """The finding of 11-03 was due 11-10; its fix came on 11-11, was sent back on 11-12 with a new
    deadline (11-20), came again and was closed on 11-18. Late at 11-11 (by the deadline then in
    force), not at 11-15 (the new deadline), nor at 11-30 (closed by then)."""
    _failed, _perfect, finding = checked
    at = lambda day, hour=10: timezone.make_aware(dt.datetime(2026, 11, day, hour))  # noqa: E731
    rectification.finding_submit(finding=finding, actor=org.hank, note="已公示", at=at(11))
    rectification.finding_verify(finding=Finding.objects.get(pk=finding.pk), actor=org.alice, accepted=False,
                                 note="不全", deadline=dt.date(2026, 11, 20), at=at(12))
    rectification.finding_submit(finding=Finding.objects.get(pk=finding.pk), actor=org.hank, note="补全", at=at(17))
    rectification.finding_verify(finding=Finding.objects.get(pk=finding.pk), actor=org.alice, accepted=True,
                                 at=at(18))

    def late(end):
        return [e.text for e in acc.bulletin_proposal(unit=org.jls, start=MONTH[0], end=end).entries if e.finding]

    assert late(dt.date(2026, 11, 9)) == []  # not yet due
    assert late(dt.date(2026, 11, 11)) == ["北京路营业所“A1 公示服务种类和营业时间”整改逾期（期限 11月10日），责任人韩克。"]
    assert late(dt.date(2026, 11, 15)) == []  # sent back with a new deadline, 11-20
    assert late(dt.date(2026, 11, 30)) == []  # closed by then


def test_a_draft_is_checked_whole_and_nothing_is_written_on_error(org):
    outsider = acc.EntryDraft(tone="criticism", text="黄松甸营业所", outlet=org.o_jh)
    nameless = acc.EntryDraft(tone="praise", text="好")
    with pytest.raises(ValidationError) as caught:
        draft(org, org.alice, unit=org.cy, title=" ", entries=[outsider, nameless])
    errors = caught.value.message_dict
    assert errors["title"] == ["请填写标题。"]
    assert errors["entry-1"] == ["第 1 条：“黄松甸支局”不在发文单位“船营区分公司”的范围内。",
                                 "第 1 条：网点“黄松甸营业所”不在发文单位的范围内。"]
    assert errors["entry-2"] == ["第 2 条：请写明涉及的单位、网点或人员。"]
    assert not Bulletin.objects.exists() and not BulletinEntry.objects.exists()


def test_only_accountability_managers_issue_and_only_for_their_subtree(org):
    with pytest.raises(PermissionDenied):
        draft(org, org.bob, unit=org.cy)  # a clerk
    with pytest.raises(PermissionDenied):
        draft(org, org.dora)  # a leader reads bulletins, quality staff issue them
    with pytest.raises(PermissionDenied):
        draft(org, org.charlie, unit=org.cy)  # 蛟河's quality manager, in 船营's name


def test_issuing_numbers_per_unit_and_year_and_freezes(org):
    first, second = draft(org, org.sam), draft(org, org.sam, title="第二份")
    county = draft(org, org.alice, unit=org.cy)
    assert first.number == "" and first.status == Bulletin.Status.DRAFT
    acc.bulletin_issue(bulletin=second, actor=org.sam)
    acc.bulletin_issue(bulletin=first, actor=org.sam)
    acc.bulletin_issue(bulletin=county, actor=org.alice)
    assert [(b.title, b.number) for b in Bulletin.objects.order_by("pk")] == [
        ("十一月质量通报", "〔2026〕2 号"), ("第二份", "〔2026〕1 号"), ("十一月质量通报", "〔2026〕1 号")]
    first.refresh_from_db()
    with pytest.raises(ValidationError, match="不能修改"):
        draft(org, org.sam, bulletin=first, title="改一下")
    with pytest.raises(ValidationError, match="不能删除"):
        acc.bulletin_discard(bulletin=first, actor=org.sam)
    with pytest.raises(ValidationError, match="已经印发"):
        acc.bulletin_issue(bulletin=first, actor=org.sam)
    correction = draft(org, org.sam, title="更正", corrects=first)
    acc.bulletin_issue(bulletin=correction, actor=org.sam)
    assert list(first.corrections.all()) == [correction]
    assert Bulletin.objects.get(pk=first.pk).title == "十一月质量通报"  # the original stays as issued


def test_a_draft_may_be_rewritten_or_thrown_away(org):
    bulletin = draft(org, org.sam)
    draft(org, org.sam, bulletin=bulletin, title="改过的", entries=[
        acc.EntryDraft(tone="praise", text="一", unit=org.cy), acc.EntryDraft(tone="note", text="二", unit=org.jh)])
    bulletin.refresh_from_db()
    assert bulletin.title == "改过的"
    assert [(e.position, e.text) for e in bulletin.entries.all()] == [(1, "一"), (2, "二")]
    acc.bulletin_discard(bulletin=bulletin, actor=org.sam)
    assert not Bulletin.objects.exists()


def test_who_reads_what_and_the_unread_count(org):
    city = acc.bulletin_issue(bulletin=draft(org, org.sam), actor=org.sam)
    county = acc.bulletin_issue(bulletin=draft(org, org.alice, unit=org.cy), actor=org.alice)
    assert set(acc.bulletins_for(org.bob)) == {city, county}  # 船营's clerk: the city's and 船营's
    assert set(acc.bulletins_for(org.erin)) == {city}  # 蛟河's clerk: only the city's
    assert set(acc.bulletins_for(org.charlie)) == {city}  # 蛟河's quality manager: not 船营's
    assert acc.unread_count(org.bob) == 2
    assert acc.bulletin_mark_read(bulletin=city, reader=org.bob) is True
    assert acc.bulletin_mark_read(bulletin=city, reader=org.bob) is False  # the first opening counts
    assert acc.unread_count(org.bob) == 1
    acc.bulletin_mark_read(bulletin=city, reader=org.hank)
    acc.bulletin_mark_read(bulletin=city, reader=org.erin)
    total, named = acc.read_summary(city)
    assert total == 3
    assert [(n.unit, n.entries, n.readers) for n in named] == [(org.cy_bjl, 1, 2)]  # bob and hank of 北京路


# --- 通报 pages and API ---------------------------------------------------------------------------


def test_drafting_from_the_page_then_issuing(org, checked, as_):
    failed, perfect, finding = checked
    client = as_(org.alice)
    page = client.get(reverse("inspections:bulletin_new"), {"unit": "CY", "start": "2026-11-01", "end": "2026-11-30"})
    assert page.status_code == 200
    assert page.context["form"]["title"] == "关于 2026年11月01日 至 11月30日 普遍服务质量检查情况的通报"
    assert [r["outlet"] for r in page.context["rows"][:2]] == ["O-CY-1", "O-CY-1"]
    form = {"unit": "CY", "kind": "criticism", "title": "船营区十一月通报", "body": "", "period_start": "2026-11-01",
            "period_end": "2026-11-30",
            # the proposed entries: the failed check kept, the overdue fix unticked; one written by hand
            "e_keep": ["0"], "e_tone": ["criticism", "criticism", "praise"],
            "e_text": ["北京路营业所未达标", "逾期", "北京路投递部服务热情"], "e_unit": ["CY-BJL", "CY-BJL", "CY-BJL-TD"],
            "e_outlet": ["O-CY-1", "O-CY-1", ""], "e_person": ["", "H001", ""],
            "e_finding": ["", str(finding.code), ""], "e_inspection": [str(failed.code), "", ""]}
    made = client.post(reverse("inspections:bulletin_new"), form)
    bulletin = Bulletin.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("inspections:bulletin_detail", args=[bulletin.code])
    assert [(e.text, e.unit, e.inspection) for e in bulletin.entries.all()] == [
        ("北京路营业所未达标", org.cy_bjl, failed), ("北京路投递部服务热情", org.cy_td, None)]
    client.post(reverse("inspections:bulletin_detail", args=[bulletin.code]), {"action": "issue"})
    bulletin.refresh_from_db()
    assert bulletin.number == "〔2026〕1 号" and bulletin.issued_by == org.alice


def test_the_form_names_the_row_of_an_unknown_code_and_writes_nothing(org, as_):
    page = as_(org.alice).post(reverse("inspections:bulletin_new"), {
        "unit": "CY", "kind": "criticism", "title": "通报", "e_tone": ["criticism"], "e_text": ["x"],
        "e_unit": [""], "e_outlet": ["O-JH-1"], "e_person": [""], "e_finding": [""], "e_inspection": [""]})
    assert page.status_code == 200
    assert page.context["errors"]["entry-1"] == ["第 1 条：本单位及下级单位没有网点“O-JH-1”。"]
    assert not Bulletin.objects.exists()


def test_another_countys_manager_gets_404_and_staff_read_on_the_phone(org, as_):
    county = acc.bulletin_issue(bulletin=draft(org, org.alice, unit=org.cy), actor=org.alice)
    assert as_(org.charlie).get(reverse("inspections:bulletin_detail", args=[county.code])).status_code == 404
    assert as_(org.erin).get(reverse("inspections_staff:my_bulletin", args=[county.code])).status_code == 404
    bob = as_(org.bob)
    home = bob.get(reverse("staff:home")).content.decode()
    assert "1 份未读" in home
    listing = bob.get(reverse("inspections_staff:my_bulletins")).content.decode()
    assert "未读" in listing and county.title in listing
    assert bob.get(reverse("inspections_staff:my_bulletin", args=[county.code])).status_code == 200
    assert BulletinRead.objects.filter(bulletin=county, staff=org.bob).exists()
    assert "份未读" not in bob.get(reverse("staff:home")).content.decode()


def test_a_city_bulletin_links_only_the_findings_the_reader_may_open(org, checked, as_):
    failed, perfect, finding = checked
    city = acc.bulletin_issue(bulletin=draft(org, org.sam, entries=[
        acc.EntryDraft(tone="criticism", text="北京路营业所逾期未整改", outlet=org.o_cy, finding=finding)]),
        actor=org.sam)
    url = reverse("inspections:bulletin_detail", args=[city.code])
    link = reverse("inspections:finding_detail", args=[finding.code])
    county = as_(org.charlie).get(url).content.decode()  # 蛟河 reads the city's bulletin …
    assert "北京路营业所逾期未整改" in county and link not in county  # … but 船营's finding is not theirs to open
    assert link in as_(org.alice).get(url).content.decode()


def test_the_bulletin_list_asks_the_same_queries_with_more_bulletins(org, as_, django_assert_max_num_queries):
    client = as_(org.sam)
    acc.bulletin_issue(bulletin=draft(org, org.sam), actor=org.sam)
    client.get(reverse("inspections:bulletin_list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("inspections:bulletin_list"))
    for i in range(8):
        acc.bulletin_issue(bulletin=draft(org, org.sam, title=f"第 {i} 份"), actor=org.sam)
    with django_assert_max_num_queries(len(few)):
        page = client.get(reverse("inspections:bulletin_list"))
    assert len(page.context["page"].object_list) == 9


def test_the_bulletin_list_downloads_a_row_per_matter_scoped_and_filtered(org, as_):
    city = acc.bulletin_issue(bulletin=draft(org, org.sam, title="全市通报", entries=[
        acc.EntryDraft(tone="criticism", text="北京路营业所公示不全", outlet=org.o_cy, person=org.hank),
        acc.EntryDraft(tone="praise", text="黄松甸营业所全部达标", outlet=org.o_jh)]), actor=org.sam)
    acc.bulletin_issue(bulletin=draft(org, org.charlie, unit=org.jh, title="蛟河通报", entries=[
        acc.EntryDraft(tone="praise", text="黄松甸营业所全部达标", outlet=org.o_jh)]), actor=org.charlie)
    draft(org, org.alice, unit=org.cy, title="船营草稿", entries=[])

    def rows(client, query=""):
        response = client.get(reverse("inspections:bulletin_list") + f"?{query}format=xlsx")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["通报事项"]
        header, *body = [[c.value for c in r] for r in sheet.iter_rows()]
        return [dict(zip(header, r)) for r in body]

    alice = as_(org.alice)
    got = rows(alice)  # drafts first (the list's order), then what was issued; 蛟河's own is not hers
    assert [(r["标题"], r["状态"], r["序号"], r["性质"]) for r in got] == [
        ("船营草稿", "草稿", None, None), ("全市通报", "已印发", "1", "批评"), ("全市通报", "已印发", "2", "表扬")]
    first = got[1]
    assert (first["文号"], first["发文单位"], first["涉及网点"], first["责任人工号"], first["责任人"], first["内容"]) == (
        city.number, "吉林市分公司", "北京路营业所", "H001", "韩克", "北京路营业所公示不全")
    assert first["印发日期"] == f"{timezone.localdate(city.issued_at):%Y-%m-%d}"
    assert [r["标题"] for r in rows(alice, "status=issued&")] == ["全市通报", "全市通报"]
    assert "蛟河通报" in {r["标题"] for r in rows(as_(org.charlie))}
    assert "导出 Excel" in alice.get(reverse("inspections:bulletin_list")).content.decode()


def bearer(person) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(staff=person, label='test')[0]}"}


def test_the_bulletin_api(org, client):
    city = acc.bulletin_issue(bulletin=draft(org, org.sam), actor=org.sam)
    listed = client.get("/api/v1/bulletins", **bearer(org.erin)).json()
    assert [(b["number"], b["read"], b["entries"]) for b in listed] == [("〔2026〕1 号", False, None)]
    one = client.get(f"/api/v1/bulletins/{city.code}", **bearer(org.erin)).json()
    assert one["read"] is True
    assert one["entries"] == [{"tone": "criticism", "text": "北京路营业所公示不全", "unit": "CY-BJL", "outlet": "O-CY-1",
                               "person": "H001"}]
    county = acc.bulletin_issue(bulletin=draft(org, org.alice, unit=org.cy), actor=org.alice)
    assert client.get(f"/api/v1/bulletins/{county.code}", **bearer(org.erin)).status_code == 404


# --- 奖惩 ledger ----------------------------------------------------------------------------------


def record(org, actor=None, **fields):
    base = dict(person=org.hank, kind="penalty", measure="deduction", points=Decimal(2), reason="整改逾期",
                occurred_on=TODAY)
    return acc.ledger_record(actor=actor or org.alice, **(base | fields))


@pytest.mark.parametrize("fields, key, message", [
    ({"measure": "bonus", "amount": Decimal(100), "points": None}, "measure", "“奖金”不是处罚措施。"),
    ({"measure": "fine", "points": None}, "amount", "奖金或考核扣款须填写大于 0 的金额。"),
    ({"measure": "talk"}, "points", "这项措施不涉及分值，请留空。"),
    ({"points": Decimal(0)}, "points", "绩效加分或扣分须填写大于 0 的分值。"),
    ({"reason": "  "}, "reason", "请填写事由。"),
    ({"occurred_on": TODAY + dt.timedelta(days=1)}, "occurred_on", "奖惩日期不能晚于今天。"),
    ({"person": None}, "person", "请填写奖惩对象（人员工号或单位）。"),
])
def test_a_ledger_entry_is_refused_by_field_and_nothing_written(org, fields, key, message):
    with pytest.raises(ValidationError) as caught:
        record(org, **fields)
    assert caught.value.message_dict[key] == [message]
    assert not LedgerEntry.objects.exists()


def test_the_ledger_is_scoped_and_kept_by_accountability_managers(org):
    with pytest.raises(ValidationError) as caught:
        record(org, actor=org.charlie)  # 蛟河's quality manager, a 船营 person
    assert caught.value.message_dict["person"] == ["奖惩对象不在本单位及下级单位范围内。"]
    with pytest.raises(PermissionDenied):
        record(org, actor=org.hank, person=org.bob)  # a branch head reads the ledger, does not keep it


def test_a_reversal_cancels_an_entry_and_both_stay(org):
    entry = record(org)
    bonus = record(org, person=org.bob, kind="reward", measure="bonus", amount=Decimal("200.00"), points=None,
                   reason="服务之星")
    assert acc.totals(LedgerEntry.objects.all()) == acc.Totals(1, 1, Decimal("200.00"), Decimal(0), Decimal(0),
                                                               Decimal(2))
    reversal = acc.ledger_reverse(entry=entry, actor=org.alice, reason="申诉成立，改判")
    assert reversal.reverses == entry and reversal.points == entry.points
    assert LedgerEntry.objects.count() == 3
    assert acc.totals(LedgerEntry.objects.all()) == acc.Totals(1, 0, Decimal("200.00"), Decimal(0), Decimal(0),
                                                               Decimal(0))
    with pytest.raises(ValidationError, match="已经冲销"):
        acc.ledger_reverse(entry=entry, actor=org.alice, reason="再来")
    with pytest.raises(ValidationError, match="不能再冲销"):
        acc.ledger_reverse(entry=reversal, actor=org.alice, reason="再来")
    with pytest.raises(ValidationError):
        acc.ledger_reverse(entry=bonus, actor=org.alice, reason=" ")
    with pytest.raises(PermissionDenied):
        acc.ledger_reverse(entry=bonus, actor=org.charlie, reason="不是我的")


def test_two_penalties_in_a_year_make_a_repeat_offender(org):
    record(org, occurred_on=TODAY - dt.timedelta(days=400))  # outside the year
    record(org)
    assert list(acc.repeat_offenders(org.alice)) == []
    second = record(org, measure="talk", points=None, reason="约谈")
    assert [(p, p.penalties) for p in acc.repeat_offenders(org.alice)] == [(org.hank, 2)]
    assert list(acc.repeat_offenders(org.charlie)) == []  # 蛟河 does not see 船营's people
    acc.ledger_reverse(entry=second, actor=org.alice, reason="约谈记录有误")
    assert list(acc.repeat_offenders(org.alice)) == []


def test_repeats_and_long_overdue_findings_await_accountability_until_recorded(org, checked):
    _failed, _perfect, finding = checked
    assert list(acc.awaiting_accountability(org.alice)) == []  # 15 days after the first deadline: not yet
    Finding.objects.filter(pk=finding.pk).update(due=TODAY - dt.timedelta(days=16))
    assert list(acc.awaiting_accountability(org.alice)) == [finding]
    assert list(acc.awaiting_accountability(org.charlie)) == []
    record(org, finding=finding)
    assert list(acc.awaiting_accountability(org.alice)) == []


# --- 奖惩 Excel ----------------------------------------------------------------------------------


def workbook(rows: list[list]) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "奖惩台账"
    sheet.append(["工号", "姓名", "单位编码", "奖惩", "措施", "金额（元）", "分值", "事由", "依据", "奖惩日期"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD = ["H001", "韩克", "", "处罚", "绩效扣分", None, 2, "整改逾期", "奖惩办法第八条", "2026-11-20"]


def test_the_ledger_import_names_every_bad_cell_and_writes_nothing(org):
    source = workbook([
        GOOD,
        ["X999", "", "", "处罚", "绩效扣分", None, 2, "逾期", "", "2026-11-20"],
        ["B001", "张三", "", "奖励", "奖金", 100, None, "服务之星", "", "2026-11-20"],
        ["B001", "", "", "奖励", "绩效扣分", None, 1, "服务之星", "", "2026/11/31"],
        ["", "", "JH", "奖励", "通报表扬", None, None, "零投诉", "", "2026-11-20"],  # 蛟河 is outside 船营
    ])
    report = acc.ledger_import(source=source, actor=org.alice)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "工号", "没有工号为 X999 的员工。"),
        (4, "姓名", "工号 B001 是鲍勃，不是张三。"),
        (5, "奖惩日期", "“2026/11/31”不是有效日期，格式应为 YYYY-MM-DD，如 2026-05-01"),
        (6, "工号", "奖惩对象不在本单位及下级单位范围内。")]
    assert not report.written and not LedgerEntry.objects.exists()
    skipped = acc.ledger_import(source=source, actor=org.alice, skip_invalid=True)
    assert skipped.written and skipped.created == 1
    assert LedgerEntry.objects.get().reason == "整改逾期"


def test_the_ledger_export_re_imports(org, as_):
    record(org, basis="奖惩办法第八条")
    record(org, person=org.bob, kind="reward", measure="bonus", amount=Decimal("200.00"), points=None,
           reason="服务之星")
    exported = as_(org.alice).get(reverse("inspections:ledger"), {"year": 2026, "format": "xlsx"})
    data = b"".join(exported.streaming_content)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("工号", "姓名", "单位编码", "单位", "奖惩*")
    assert {r[0] for r in rows[1:]} == {"H001", "B001"}
    LedgerEntry.objects.all().delete()
    report = acc.ledger_import(source=data, actor=org.alice)
    assert report.written and report.created == 2 and not report.errors
    assert {(e.person.employee_no, e.measure, e.amount, e.points) for e in LedgerEntry.objects.all()} == {
        ("H001", "deduction", None, Decimal("2.0")), ("B001", "bonus", Decimal("200.00"), None)}


# --- 奖惩 pages and API ---------------------------------------------------------------------------


def test_recording_and_reversing_on_the_ledger_page(org, checked, as_):
    _failed, _perfect, finding = checked
    client = as_(org.alice)
    prefilled = client.get(reverse("inspections:ledger"), {"finding": str(finding.code)})
    assert prefilled.context["form"]["person"] == "H001" and prefilled.context["form"]["finding"] == str(finding.code)
    refused = client.post(reverse("inspections:ledger"), {"person": "H001", "kind": "penalty", "measure": "fine",
                                                           "amount": "abc", "reason": "逾期", "occurred_on": "2026-11-20"})
    assert refused.context["errors"]["amount"] == ["请填写数字。"] and not LedgerEntry.objects.exists()
    done = client.post(reverse("inspections:ledger"), {"person": "H001", "kind": "penalty", "measure": "fine",
                                                        "amount": "50", "reason": "逾期", "occurred_on": "2026-11-20",
                                                        "finding": str(finding.code)})
    assert done.status_code == 302
    entry = LedgerEntry.objects.get()
    assert entry.finding == finding and entry.amount == Decimal(50) and entry.recorded_by == org.alice
    client.post(reverse("inspections:ledger_reverse", args=[entry.code]), {"reason": "改判"})
    assert LedgerEntry.objects.filter(reverses=entry).exists()
    assert as_(org.charlie).post(reverse("inspections:ledger_reverse", args=[entry.code]),
                                 {"reason": "x"}).status_code == 404
    mine = as_(org.hank).get(reverse("inspections_staff:my_ledger")).content.decode()
    assert "经济考核（扣款）" in mine and "冲销" in mine


def test_the_ledger_page_asks_the_same_queries_with_more_entries(org, as_, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_(org.alice)
    record(org)
    client.get(reverse("inspections:ledger"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("inspections:ledger"))
    for i in range(10):
        entry = record(org, person=org.bob if i % 2 else org.dave, reason=f"第 {i} 条")
        if i % 3 == 0:
            acc.ledger_reverse(entry=entry, actor=org.alice, reason="改判")
    with django_assert_max_num_queries(len(few)):
        page = client.get(reverse("inspections:ledger"))
    assert page.status_code == 200


def test_the_ledger_api(org, client):
    made = client.post("/api/v1/ledger", json.dumps({"person": "H001", "kind": "penalty", "measure": "deduction",
                                                     "points": "2", "reason": "整改逾期", "occurred_on": "2026-11-20"}),
                       content_type="application/json", **bearer(org.alice))
    assert made.status_code == 201, made.content
    assert (made.json()["person"], made.json()["measure"], made.json()["points"]) == ("H001", "deduction", "2.0")
    bad = client.post("/api/v1/ledger", json.dumps({"person": "H001", "kind": "reward", "measure": "deduction",
                                                    "points": "2", "reason": "x", "occurred_on": "2026-11-20"}),
                      content_type="application/json", **bearer(org.alice))
    assert bad.status_code == 422 and bad.json()["fields"]["measure"] == ["“绩效扣分”不是奖励措施。"]
    outside = client.post("/api/v1/ledger", json.dumps({"person": "E001", "kind": "penalty", "measure": "talk",
                                                        "reason": "x", "occurred_on": "2026-11-20"}),
                          content_type="application/json", **bearer(org.alice))
    assert outside.status_code == 404
    code = made.json()["code"]
    reversed_ = client.post(f"/api/v1/ledger/{code}/reverse", json.dumps({"reason": "改判"}),
                            content_type="application/json", **bearer(org.alice))
    assert reversed_.status_code == 201 and reversed_.json()["reverses"] == code
    listed = client.get("/api/v1/ledger", {"year": 2026}, **bearer(org.alice)).json()
    assert [(e["reverses"] is None, e["reversed"]) for e in listed] == [(False, False), (True, True)]
    assert len(client.get("/api/v1/ledger/mine", **bearer(org.hank)).json()) == 2
    assert client.get("/api/v1/ledger", **bearer(org.bob)).status_code == 403
