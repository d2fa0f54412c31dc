"""The manager pages, the item page, the public /track: figures, scoping across two counties, query
counts that do not grow with the rows, Excel downloads, the ingest upload."""
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from postqc.core.models import Job
from postqc.tracking.models import ItemQuery, TrackedItem, TrackingEvent

from .conftest import FAILED, GONE, JH_ITEM, LATE, ON_TIME, STORY, delivered, failed, num, unreturnable
from .test_ingest import _csv

OVERVIEW = reverse("tracking:overview")
ITEMS = reverse("tracking:item_list")


def test_the_overview_figures_by_child_unit(traffic, org, as_):
    r = as_(org.dora).get(OVERVIEW, {"from": "2026-11-01", "to": "2026-11-25"})
    assert r.status_code == 200
    total = r.context["total"]
    # due in the period and past: ON_TIME, LATE (CY), JH_ITEM on the 20th, FAILED on the 21st; the story was sent back
    assert (total.due, total.on_time) == (4, 2)
    assert (total.attempts, total.returns) == (1, 1)  # the story's EMH is in Beijing: not ours; GONE's in April
    children = {c.code: f for c, f in r.context["children"]}
    assert (children["CY"].due, children["CY"].on_time, children["JH"].due, children["JH"].on_time) == (3, 1, 1, 1)
    assert "按时妥投率" in r.content.decode()
    xlsx = as_(org.dora).get(OVERVIEW, {"format": "xlsx"})
    assert load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active["A1"].value == "单位"


def test_scoping_across_two_counties(traffic, org, as_):
    charlie = as_(org.charlie)
    assert charlie.get(reverse("tracking:item_detail", args=[STORY])).status_code == 404
    assert charlie.get(reverse("tracking:item_detail", args=[JH_ITEM])).status_code == 200
    numbers = [i.number for i in charlie.get(ITEMS).context["page"]]
    assert numbers == [JH_ITEM]
    assert charlie.get(OVERVIEW, {"unit": "CY"}).status_code == 404
    assert as_(org.bob).get(OVERVIEW).status_code == 403  # a clerk has no manager pages


def test_the_courier_looks_up_the_letter_that_came_back(traffic, org, as_):
    r = as_(org.dave).get(reverse("tracking:item_detail", args=[STORY.lower()]))
    page = r.content.decode()
    assert r.status_code == 200
    assert "原址查无此单位" in page and "退回寄件人" in page and "已退回寄件人" in page
    assert [e.code for e in r.context["t"].events] == ["EMA", "EDD", "EMG", "EMH", "EMG", "EMI"]
    assert "刘进富" in page and "戴维" in page  # staff see the sender and who handed it back


def test_a_search_for_a_full_number_opens_the_item(traffic, org, as_):
    r = as_(org.alice).get(ITEMS, {"q": f" {STORY[:6]} {STORY[6:]}"})
    assert r.status_code == 302 and r.url == reverse("tracking:item_detail", args=[STORY])
    r = as_(org.alice).get(ITEMS, {"late": "1"})
    assert {i.number for i in r.context["page"]} == {LATE, FAILED}


def test_exception_lists(traffic, org, as_):
    client = as_(org.alice)
    numbers = lambda kind: [i.number for i in client.get(reverse("tracking:exception_list"), {"kind": kind}).context["page"]]
    assert numbers("failed") == [FAILED]
    assert numbers("overdue") == [FAILED]
    assert numbers("destroy") == [GONE]
    r = client.get(reverse("tracking:exception_list"), {"kind": "failed"})
    assert "收件人不在" in r.content.decode()


def test_recording_and_answering_a_query_on_the_pages(traffic, org, as_):
    client = as_(org.alice)
    url = reverse("tracking:item_detail", args=[STORY])
    r = client.post(url, {"enquirer": "sender", "received_on": "2026-11-25", "question": ""})
    assert "请填写查询内容" in r.content.decode() and not ItemQuery.objects.exists()
    client.post(url, {"enquirer": "sender", "received_on": "2026-11-25", "question": "两封挂号信寄到哪里了"})
    q = ItemQuery.objects.get()
    r = client.post(reverse("tracking:query_detail", args=[q.code]),
                    {"outcome": "returned", "reply": "已退回并交还本人", "replied_on": "2026-11-25"})
    assert r.status_code == 302
    q.refresh_from_db()
    assert q.outcome == "returned" and q.replied_by == org.alice
    assert client.get(reverse("tracking:query_list"), {"state": "replied"}).context["page"].paginator.count == 1


def test_destroying_from_the_returns_page(traffic, org, as_):
    client = as_(org.alice)
    r = client.get(reverse("tracking:return_list"), {"unreturnable": "1"})
    record = r.context["page"][0]
    client.post(reverse("tracking:return_destroy", args=[record.pk]), {"destroyed_on": "2026-11-25", "note": "监销：艾丽"})
    record.refresh_from_db()
    assert record.destroyed_on is not None
    assert as_(org.charlie).post(reverse("tracking:return_destroy", args=[record.pk]),
                                 {"destroyed_on": "2026-11-25", "note": "x"}).status_code == 404


@pytest.mark.parametrize("url", [ITEMS, reverse("tracking:exception_list"), reverse("tracking:query_list") + "?state=all",
                                 reverse("tracking:return_list"), OVERVIEW])
def test_lists_ask_the_same_number_of_queries_for_more_rows(org, ingest, as_, url, django_assert_max_num_queries):
    from postqc.tracking.services import query_open
    import datetime as dt

    def add(start):
        for n in range(start, start + 5):
            ingest(*delivered(num(n), day=22), *failed(num(n + 1000)), *unreturnable(num(n + 2000)))
            query_open(item=TrackedItem.objects.get(number=num(n)), actor=org.alice, enquirer="sender",
                       received_on=dt.date(2026, 11, 25), question="?")

    add(1)
    client = as_(org.alice)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_exports_of_the_lists(traffic, org, as_):
    client = as_(org.alice)
    for url in (ITEMS, reverse("tracking:exception_list") + "?kind=failed", reverse("tracking:query_list"),
                reverse("tracking:return_list")):
        r = client.get(url + ("&" if "?" in url else "?") + "format=xlsx")
        assert r.status_code == 200, url
        load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    r = client.get(ITEMS, {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.values)
    assert rows[0][0] == "邮件号" and {row[0] for row in rows[1:]} == {STORY, ON_TIME, LATE, FAILED, GONE}


def test_the_ingest_upload_runs_a_job(org, as_, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_(org.alice)
    assert client.get(reverse("tracking:ingest_template")).status_code == 200
    bad = io.BytesIO(_csv([{**delivered(num(1))[0], "number": "RR000000001CN"}]))
    bad.name = "scan.csv"
    r = client.post(reverse("tracking:ingest"), {"file": bad})
    job = Job.objects.get()
    assert r.status_code == 302 and job.status == "failed"
    assert job.result["errors"][0]["row"] == 2 and job.result["errors"][0]["column"] == "邮件号"
    good = io.BytesIO(_csv(delivered(num(1))))
    good.name = "scan.csv"
    client.post(reverse("tracking:ingest"), {"file": good})
    assert Job.objects.order_by("-pk").first().status == "succeeded" and TrackingEvent.objects.count() == 3
    assert as_(org.dave).get(reverse("tracking:ingest")).status_code == 403


def test_public_track(traffic, client):
    cache.clear()
    r = client.get(f"/track/{STORY}")
    page = r.content.decode()
    assert r.status_code == 200 and "原址查无此单位" in page and "已退回寄件人" in page
    assert "刘进富" not in page and "北京某刊社" not in page and "戴维" not in page  # no personal data
    assert "1 年内" in page and "3 倍" in page
    r = client.get("/track", {"n": STORY[:10] + "0" + STORY[11:]})
    assert r.status_code == 400 and "校验码错误" in r.content.decode()
    r = client.get("/track", {"n": num(999)})
    assert r.status_code == 404 and "没有查到" in r.content.decode()
    assert client.get("/track").status_code == 200


def test_public_track_is_rate_limited(traffic, client, settings):
    cache.clear()
    settings.TRACKING_PUBLIC_RATE_LIMIT = 3
    codes = [client.get("/track", {"n": STORY}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_staff_home_links_the_lookup(org, as_):
    page = as_(org.dave).get(reverse("staff:home")).content.decode()
    assert f'href="{reverse("tracking_public:track")}"' in page and "给据邮件查询" in page


@pytest.mark.parametrize("bad", ["0001-01-01", "9999-12-31", "2026-02-30"])
def test_a_period_end_out_of_range_falls_back_to_its_default(traffic, org, as_, bad):
    # 0001-01-01 / 9999-12-31 overflowed the aware datetimes of the query: a 500 before core.downloads.day_param.
    for params in ({"from": bad, "to": "2026-11-25"}, {"from": "2026-11-01", "to": bad}):
        assert as_(org.dora).get(OVERVIEW, params).status_code == 200
        assert as_(org.dora).get(ITEMS, params).status_code == 200
    r = as_(org.dora).get(OVERVIEW, {"from": bad, "to": "2026-11-25"})
    assert (r.context["first"], r.context["last"]) == (dt.date(2026, 10, 27), dt.date(2026, 11, 25))
