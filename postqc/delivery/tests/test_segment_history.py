"""A segment's history (SegmentChange): every creation, edit, 停用 and 恢复在用 — on the form, by the
Excel import or through the services — is recorded with who and what changed; a save that changes
nothing records nothing; the segment's page and the API show it, scoped."""
import datetime as dt
import io

import pytest

from postqc.api.services import token_issue
from postqc.core.excel import write_workbook
from postqc.delivery import services
from postqc.delivery.models import Segment, SegmentChange
from postqc.delivery.segment_io import SEGMENT_SHEET, segments_import

from .test_segment_form import good, vehicles  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_the_form_records_creation_and_each_edit_with_old_and_new(org, segs, vehicles, as_, frozen):  # noqa: F811
    client = as_(org.alice)
    client.post("/manage/delivery/segments/new/", good(org))
    created = SegmentChange.objects.get(segment__code="S-CY-9")
    assert (created.kind, created.changed_by) == ("created", org.alice)
    assert created.changes["courier"] == [None, f"{org.dave.name}（{org.dave.employee_no}）"]
    assert created.changes["in_service_from"] == [None, "2026-11-01"] and created.changes["planned_per_week"] == [None, 14]

    frozen.shift(dt.timedelta(hours=2))
    client.post("/manage/delivery/segments/S-CY-9/edit/", good(org, area_type="township", courier="",
                                                                   planned_per_week="6"))
    edit = SegmentChange.objects.filter(segment__code="S-CY-9").first()  # newest first
    assert edit.kind == "edited" and edit.changes == {
        "area_type": ["city", "township"], "courier": [f"{org.dave.name}（{org.dave.employee_no}）", None],
        "planned_per_week": [14, 6]}
    assert edit.rows_shown() == [("区域类型", "城市", "乡镇"), ("投递员", f"{org.dave.name}（{org.dave.employee_no}）", "—"),
                                 ("每周计划投递次数", "14", "6")]
    # the same values again: saved, nothing to record
    client.post("/manage/delivery/segments/S-CY-9/edit/", good(org, area_type="township", courier="",
                                                                   planned_per_week="6"))
    assert SegmentChange.objects.filter(segment__code="S-CY-9").count() == 2


def test_out_of_use_and_back_are_changes_of_their_own(org, segs, as_):
    client = as_(org.alice)
    client.post("/manage/delivery/segments/S-CY-1/active/", {"active": "0"})
    client.post("/manage/delivery/segments/S-CY-1/active/", {"active": "1"})
    kinds = list(SegmentChange.objects.filter(segment=segs["cy1"]).values_list("kind", "changes", "changed_by"))
    assert kinds == [("reactivated", {}, org.alice.pk), ("deactivated", {}, org.alice.pk)]


def test_an_import_records_what_it_changed_and_a_refused_file_records_nothing(org, segs, vehicles):  # noqa: F811
    def sheet(**change):
        buffer = io.BytesIO()
        write_workbook(buffer, [(SEGMENT_SHEET, [{**good(org, code="S-CY-1", **change), "planned_per_week": 14,
                                                  "households": 800, "in_service_from": dt.date(2026, 11, 1)}])])
        return buffer.getvalue()

    before = SegmentChange.objects.count()
    report = segments_import(sheet(courier="X999"), actor=org.alice)
    assert report.errors and SegmentChange.objects.count() == before  # all or nothing
    segments_import(sheet(), actor=org.alice)
    change = SegmentChange.objects.filter(segment=segs["cy1"]).first()
    assert change.kind == "edited" and change.changed_by == org.alice
    assert change.changes["name"] == ["S-CY-1 段", "江城段"] and change.changes["households"][1] == 800


def test_the_page_shows_the_history_and_the_api_gives_it_scoped(org, segs, as_, client):
    services.segment_set_active(actor=org.alice, segment=Segment.objects.get(code="S-CY-1"), active=False)
    page = as_(org.alice).get("/manage/delivery/segments/S-CY-1/").content.decode()
    assert "变更记录" in page and "停用" in page and f"{org.alice.name}（{org.alice.employee_no}）" in page

    token = token_issue(staff=org.alice, label="t")[0]
    got = client.get("/api/v1/delivery/segments/S-CY-1/changes", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert got.status_code == 200
    assert [(c["kind"], c["changed_by"]) for c in got.json()] == [("deactivated", org.alice.employee_no)]
    other = token_issue(staff=org.charlie, label="t")[0]
    assert client.get("/api/v1/delivery/segments/S-CY-1/changes",
                      HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404


def test_the_page_asks_the_same_queries_however_long_the_history(org, segs, as_, django_assert_max_num_queries):
    client = as_(org.alice)
    segment = Segment.objects.get(code="S-CY-1")
    services.segment_set_active(actor=org.alice, segment=segment, active=False)
    with django_assert_max_num_queries(40) as few:
        client.get("/manage/delivery/segments/S-CY-1/")
    for _n in range(6):
        services.segment_set_active(actor=org.alice, segment=segment, active=not segment.is_active)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/manage/delivery/segments/S-CY-1/")


def test_a_change_keeps_why_on_the_form_the_out_of_use_button_the_import_and_the_api(org, segs, vehicles, as_,  # noqa: F811
                                                                                       client):
    manager = as_(org.alice)
    manager.post("/manage/delivery/segments/S-CY-1/edit/", {**good(org, code="S-CY-1", area_type="township"),
                                                             "note": "镇区划入城区以前按乡镇管理"})
    manager.post("/manage/delivery/segments/S-CY-2/active/", {"active": "0", "note": "并入 S-CY-1"})
    notes = dict(SegmentChange.objects.values_list("segment__code", "note"))
    assert notes == {"S-CY-1": "镇区划入城区以前按乡镇管理", "S-CY-2": "并入 S-CY-1"}
    page = manager.get("/manage/delivery/segments/S-CY-2/").content.decode()
    assert "并入 S-CY-1" in page
    # too long: the field's error, nothing written
    html = manager.post("/manage/delivery/segments/S-CY-1/edit/", {**good(org, code="S-CY-1"),
                                                                   "note": "长" * 201}).content.decode()
    assert "变更说明不超过 200 字。" in html and SegmentChange.objects.count() == 2

    buffer = io.BytesIO()
    write_workbook(buffer, [(SEGMENT_SHEET, [{**good(org, code="S-CY-1", name="江城段"), "planned_per_week": 14,
                                              "households": 800, "in_service_from": dt.date(2026, 11, 1),
                                              "note": "按 2026 年段道调整方案改名"}])])
    assert segments_import(buffer.getvalue(), actor=org.alice).written
    assert SegmentChange.objects.filter(segment__code="S-CY-1").first().note == "按 2026 年段道调整方案改名"
    token = token_issue(staff=org.alice, label="t")[0]
    got = client.get("/api/v1/delivery/segments/S-CY-2/changes", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert got[0]["note"] == "并入 S-CY-1"
