"""设施设备台账: what each outlet has against its grade's 配备标准 — the figures, the form, Excel in and
out, the API, the outlet's page and the cockpit — scoped to the person's subtree, all or nothing.

The little city: 北京路营业所 (O-CY-1, 一级, 船营) has 2 cameras in order and a self-service terminal
that is out of order; 黄松甸营业所 (O-JH-1, 三级, 蛟河) has a camera record with 0 left. Cameras are
required of every grade, terminals of 一级/二级, an accessible entrance of none.
"""
import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from postqc.api.services import token_issue
from postqc.dashboard.cockpit import cockpit
from postqc.dashboard.outlets import Fact, outlet_facts
from postqc.inspections import facilities
from postqc.inspections.models import FacilityChange, FacilityKind, OutletFacility
from postqc.org.models import Outlet
from postqc.org.services import outlet_create

pytestmark = pytest.mark.django_db

IN_SERVICE, FAULTY = OutletFacility.Status.IN_SERVICE, OutletFacility.Status.FAULTY


@pytest.fixture
def kinds(db):
    return {code: FacilityKind.objects.create(code=code, name=name, measure=measure, required_grades=grades, sort_order=i)
            for i, (code, name, measure, grades) in enumerate([("JK", "监控设备", "路", "123"),
                                                               ("ZZ", "自助服务终端", "台", "12"),
                                                               ("WZ", "无障碍设施", "处", "")])}


@pytest.fixture
def equipped(org, kinds):
    facilities.facilities_save(actor=org.alice, outlet=org.o_cy, entries={
        "JK": {"quantity": 2, "installed_on": "2018-06-30"},
        "ZZ": {"quantity": 1, "status": FAULTY, "note": "黑屏"}})
    facilities.facilities_save(actor=org.charlie, outlet=org.o_jh, entries={"JK": {"quantity": 0}})
    return kinds


def test_the_register_says_what_is_missing_and_faulty_and_the_rate_of_required_pairs(org, equipped):
    data = facilities.register_of(org.jls)
    by_outlet = {s.outlet.code: s for s in data.states}
    cy, jh = by_outlet["O-CY-1"], by_outlet["O-JH-1"]
    assert ([k.code for k in cy.missing], [k.code for k in cy.faulty], cy.complete) == ([], ["ZZ"], False)
    assert ([k.code for k in jh.missing], jh.faulty) == (["JK"], [])  # 三级 needs no terminal
    # Required pairs: O-CY-1 × (JK, ZZ), O-JH-1 × JK — only O-CY-1's cameras are in service.
    assert (data.pairs.required, data.pairs.equipped, round(data.pairs.rate, 1)) == (3, 1, 33.3)
    rows = {c.kind.code: c for c in data.coverage}
    assert (rows["JK"].required, rows["JK"].equipped, rows["JK"].in_service) == (2, 1, 2)
    assert (rows["ZZ"].required, rows["ZZ"].equipped, rows["ZZ"].faulty) == (1, 0, 1)
    assert (rows["WZ"].required, rows["WZ"].rate) == (0, None)
    total, children = facilities.pairs_by_child(org.jls)
    assert (total.required, total.equipped) == (3, 1)
    assert {(c.required, c.equipped) for c in children.values()} == {(2, 1), (1, 0)}


def test_a_save_writes_only_what_changed_and_keeps_every_change(org, equipped):
    assert FacilityChange.objects.filter(outlet=org.o_cy).count() == 2
    same = facilities.facilities_save(actor=org.alice, outlet=org.o_cy, entries={
        "JK": {"quantity": "2", "status": IN_SERVICE, "installed_on": "2018-06-30"}, "WZ": {"quantity": ""}})
    assert same == 0 and FacilityChange.objects.filter(outlet=org.o_cy).count() == 2
    fixed = facilities.facilities_save(actor=org.alice, outlet=org.o_cy, entries={
        "ZZ": {"quantity": 1, "status": IN_SERVICE, "note": "已修复"}})
    assert fixed == 1
    record = OutletFacility.objects.get(outlet=org.o_cy, kind=equipped["ZZ"])
    assert (record.status, record.note, record.updated_by) == (IN_SERVICE, "已修复", org.alice)
    history = list(FacilityChange.objects.filter(outlet=org.o_cy, kind=equipped["ZZ"]).order_by("pk")
                   .values_list("status", "note"))
    assert history == [(FAULTY, "黑屏"), (IN_SERVICE, "已修复")]
    assert facilities.register_of(org.cy).states[0].complete


def test_bad_entries_are_named_by_kind_and_nothing_is_written(org, equipped):
    before = list(OutletFacility.objects.values_list("pk", "quantity", "status"))
    with pytest.raises(ValidationError) as raised:
        facilities.facilities_save(actor=org.alice, outlet=org.o_cy, entries={
            "JK": {"quantity": ""},  # it has a record: blank is refused, 0 is how to say none
            "ZZ": {"quantity": "两台"},
            "WZ": {"quantity": 1, "installed_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()},
            "XX": {"quantity": 1}})
    errors = raised.value.message_dict
    assert set(errors) == {"JK", "ZZ", "WZ", "XX"}
    assert "填 0" in errors["JK"][0] and "两台" in errors["ZZ"][0] and "晚于今天" in errors["WZ"][0]
    assert list(OutletFacility.objects.values_list("pk", "quantity", "status")) == before


def test_only_outlet_editors_of_the_outlets_subtree_record_facilities(org, kinds):
    with pytest.raises(PermissionDenied):
        facilities.facilities_save(actor=org.charlie, outlet=org.o_cy, entries={"JK": {"quantity": 1}})  # 蛟河 → 船营
    with pytest.raises(PermissionDenied):
        facilities.facilities_save(actor=org.hank, outlet=org.o_cy, entries={"JK": {"quantity": 1}})  # 支局长
    assert not OutletFacility.objects.exists()


def sheet(rows) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "设施设备"
    ws.append(["网点编码", "网点名称", "设施", "数量", "状态", "配备日期", "备注"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_import_with_any_bad_row_names_them_all_and_writes_nothing(org, equipped):
    source = sheet([
        ["O-CY-1", "", "监控设备", 3, "正常", "2018-06-30", ""],   # 2: fine
        ["O-JH-1", "", "监控设备", 1, "正常", None, ""],           # 3: 蛟河's outlet, not alice's
        ["O-NONE", "", "监控设备", 1, "正常", None, ""],           # 4: no such outlet
        ["O-CY-1", "", "雷达", 1, "正常", None, ""],               # 5: no such kind
        ["O-CY-1", "", "JK", 4, "正常", None, ""],                 # 6: JK again (by its code)
        ["O-CY-1", "", "无障碍设施", 1, "坏了", "2099-01-01", ""],  # 7: bad status, future date
    ])
    report = facilities.facilities_import(source=source, actor=org.alice)
    assert not report.written
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "网点编码"), (4, "网点编码"), (5, "设施"), (6, "设施"), (7, "状态"), (7, "配备日期")]
    text = " ".join(str(e) for e in report.errors)
    assert "不在你的管辖范围内" in text and "O-NONE" in text and "雷达" in text and "第 2 行已出现" in text
    assert OutletFacility.objects.get(outlet=org.o_cy, kind=equipped["JK"]).quantity == 2


def test_an_import_adds_updates_and_leaves_the_rest_and_a_dry_run_writes_nothing(org, equipped):
    source = sheet([["O-CY-1", "", "监控设备", 3, "", "2018-06-30", "加装门前 1 路"],
                    ["O-CY-1", "", "ZZ", 1, "故障", None, "黑屏"],
                    ["O-CY-1", "", "无障碍设施", 1, "正常", "2020-05-01", ""]])
    dry = facilities.facilities_import(source=source, actor=org.alice, dry_run=True)
    assert dry.ok and not dry.written and (dry.created, dry.updated, dry.unchanged) == (1, 1, 1)
    assert OutletFacility.objects.filter(outlet=org.o_cy).count() == 2
    report = facilities.facilities_import(source=source, actor=org.alice)
    assert report.written and (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert OutletFacility.objects.get(outlet=org.o_cy, kind=equipped["JK"]).quantity == 3
    assert FacilityChange.objects.filter(source="excel").count() == 2


def test_the_register_downloads_and_reads_back_unchanged(org, equipped, as_):
    client = as_(org.alice)
    response = client.get("/manage/inspections/facilities/?format=xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["设施设备", "配备情况"]
    rows = [[c.value for c in r] for r in book["设施设备"].iter_rows()]
    assert [r[:4] for r in rows[1:]] == [["O-CY-1", "北京路营业所", "监控设备", 2],
                                         ["O-CY-1", "北京路营业所", "自助服务终端", 1]]  # 船营 only: O-JH-1 is not hers
    states = [[c.value for c in r] for r in book["配备情况"].iter_rows()]
    assert states[1][4:] == ["未配齐", None, "自助服务终端"]
    out = io.BytesIO()
    book.save(out)
    back = client.post("/manage/inspections/facilities/import/", {"file": io.BytesIO(out.getvalue())})
    assert back.status_code == 302
    assert FacilityChange.objects.filter(source="excel").count() == 0  # nothing changed, nothing written


def test_the_pages_are_scoped_and_the_form_saves(org, equipped, as_):
    alice = as_(org.alice)
    page = alice.get("/manage/inspections/facilities/").content.decode()
    assert "北京路营业所" in page and "黄松甸营业所" not in page
    assert "黄松甸营业所" in as_(org.charlie).get("/manage/inspections/facilities/").content.decode()
    assert as_(org.charlie).get("/manage/inspections/facilities/O-CY-1/").status_code == 404
    assert as_(org.charlie).get("/manage/inspections/facilities/?unit=CY").status_code == 404
    alice = as_(org.alice)
    form = {"JK-quantity": "2", "JK-status": IN_SERVICE, "JK-installed_on": "2018-06-30", "JK-note": "",
            "ZZ-quantity": "1", "ZZ-status": IN_SERVICE, "ZZ-installed_on": "", "ZZ-note": "已修复",
            "WZ-quantity": "", "WZ-status": IN_SERVICE, "WZ-installed_on": "", "WZ-note": ""}
    saved = alice.post("/manage/inspections/facilities/O-CY-1/", form)
    assert saved.status_code == 302
    assert OutletFacility.objects.get(outlet=org.o_cy, kind=equipped["ZZ"]).status == IN_SERVICE
    bad = alice.post("/manage/inspections/facilities/O-CY-1/", {**form, "JK-quantity": "-1"})
    assert bad.status_code == 200 and "数量应在 0–9999 之间" in bad.content.decode()
    assert as_(org.hank).post("/manage/inspections/facilities/O-CY-1/", form).status_code == 403


def test_the_register_page_asks_the_same_queries_with_more_outlets(org, equipped, as_):
    client = as_(org.alice)
    client.get("/manage/inspections/facilities/?state=all")
    with CaptureQueriesContext(connection) as few:
        client.get("/manage/inspections/facilities/?state=all")
    for n in range(5):
        outlet = outlet_create(code=f"O-CY-N{n}", name=f"新网点{n}", unit=org.cy_bjl, grade="2", address="船营",
                               area_type=Outlet.AreaType.CITY, operation=Outlet.Operation.SELF,
                               open_days_per_week=7, services=["letters"])
        facilities.facilities_save(actor=org.alice, outlet=outlet, entries={"JK": {"quantity": 1}})
    with CaptureQueriesContext(connection) as more:
        page = client.get("/manage/inspections/facilities/?state=all")
    assert len(page.context["page"].object_list) == 6
    assert len(more) == len(few)


def test_the_api_reads_and_records_scoped(org, equipped, client):
    def bearer(person):
        return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(staff=person, label='t')[0]}"}

    register = client.get("/api/v1/inspections/facilities", **bearer(org.dora)).json()
    assert (register["required"], register["equipped"]) == (3, 1)
    assert {o["outlet"]: (o["missing"], o["faulty"]) for o in register["incomplete"]} == {
        "O-CY-1": ([], ["ZZ"]), "O-JH-1": (["JK"], [])}
    one = client.get("/api/v1/inspections/facilities/O-CY-1", **bearer(org.alice)).json()
    assert [(f["kind"], f["quantity"], f["in_service"]) for f in one["facilities"]] == [
        ("JK", 2, True), ("ZZ", 1, False), ("WZ", None, False)]
    assert client.get("/api/v1/inspections/facilities/O-CY-1", **bearer(org.charlie)).status_code == 404
    put = client.put("/api/v1/inspections/facilities/O-CY-1", json.dumps({"facilities": {"ZZ": {"quantity": 0}}}),
                     content_type="application/json", **bearer(org.alice))
    assert put.status_code == 200 and put.json()["changed"] == 1
    assert FacilityChange.objects.filter(source="api").count() == 1
    bad = client.put("/api/v1/inspections/facilities/O-CY-1", json.dumps({"facilities": {"XX": {"quantity": 1}}}),
                     content_type="application/json", **bearer(org.alice))
    assert bad.status_code == 422 and "XX" in bad.content.decode()


def test_the_outlets_page_and_the_cockpit_show_the_facilities(org, equipped, as_):
    facts = {view.code: found for view, found in outlet_facts([org.o_cy, org.o_jh], timezone.now())}["inspections.facilities"]
    assert (facts[org.o_cy.pk].value, facts[org.o_cy.pk].status) == ("故障 1 项", Fact.MISSED)
    assert facts[org.o_cy.pk].note == "故障：自助服务终端"
    assert (facts[org.o_jh.pk].value, facts[org.o_jh.pk].note) == ("缺 1 项", "缺配：监控设备")
    assert "故障 1 项" in as_(org.alice).get("/manage/outlets/O-CY-1/").content.decode()
    card = next(c for c in cockpit(org.dora, org.jls).cards if c.kpi.code == "inspections.facilities")
    assert round(card.cell.measure.value, 1) == 33.3 and card.cell.measure.n == 3
