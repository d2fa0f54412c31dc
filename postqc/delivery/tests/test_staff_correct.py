"""A courier corrects one of their own runs of the last week on the phone (/m/delivery/runs/<pk>/correct/):
the old record is kept and marked superseded, the reason is required; someone else's run or an older
one is a 404."""
import datetime as dt

import pytest

from postqc.delivery.models import DeliveryRecord

from .conftest import TODAY, run

pytestmark = pytest.mark.django_db


def fix(**change):
    return {"ordinary": "10", "tracked": "5", "delivered": "14", "on_time": "13", "handover_point": "mailbox",
            "note": "1 件拒收", "reason": "妥投件数录错", **change}


def test_a_courier_corrects_their_run_the_old_one_is_kept(org, segs, as_):
    old = run(segs["cy1"], TODAY - dt.timedelta(days=2), recorded_by=org.dave)
    client = as_(org.dave)
    page = client.get("/m/delivery/").content.decode()
    assert f'href="/m/delivery/runs/{old.pk}/correct/"' in page
    form = client.get(f"/m/delivery/runs/{old.pk}/correct/").content.decode()
    assert 'name="reason"' in form and 'name="delivered" value="15"' in form
    posted = client.post(f"/m/delivery/runs/{old.pk}/correct/", fix())
    assert posted.status_code == 302 and posted["Location"] == "/m/delivery/"
    old.refresh_from_db()
    new = DeliveryRecord.current.get(segment=segs["cy1"], delivered_on=old.delivered_on, run_no=1)
    assert old.superseded_at is not None and new.supersedes == old and new.pk != old.pk
    assert (new.delivered, new.on_time, new.correction_reason, new.recorded_by) == (14, 13, "妥投件数录错", org.dave)
    assert DeliveryRecord.objects.count() == 2
    # the list now offers the record in force; the superseded one is a 404
    assert f'href="/m/delivery/runs/{new.pk}/correct/"' in client.get("/m/delivery/").content.decode()
    assert client.get(f"/m/delivery/runs/{old.pk}/correct/").status_code == 404


def test_the_reason_is_required_and_mistakes_are_named_by_field(org, segs, as_):
    old = run(segs["cy1"], TODAY, recorded_by=org.dave)
    page = as_(org.dave).post(f"/m/delivery/runs/{old.pk}/correct/", fix(reason="  ", on_time="99"))
    html = page.content.decode()
    assert page.status_code == 200 and "请写明更正原因" in html and "不能多于妥投件数" in html
    assert 'value="1 件拒收"' in html  # what was typed is kept
    old.refresh_from_db()
    assert old.superseded_at is None and DeliveryRecord.objects.count() == 1


def test_another_couriers_run_is_a_404(org, segs, as_):
    theirs = run(segs["jh1"], TODAY - dt.timedelta(days=1), recorded_by=org.carl)
    client = as_(org.dave)
    assert client.get(f"/m/delivery/runs/{theirs.pk}/correct/").status_code == 404
    assert client.post(f"/m/delivery/runs/{theirs.pk}/correct/", fix()).status_code == 404
    assert f"/m/delivery/runs/{theirs.pk}/" not in client.get("/m/delivery/").content.decode()
    theirs.refresh_from_db()
    assert theirs.superseded_at is None and DeliveryRecord.objects.count() == 1
    assert as_(org.bob).get(f"/m/delivery/runs/{theirs.pk}/correct/").status_code == 403  # a clerk logs nothing


def test_a_run_older_than_the_week_is_a_404(org, segs, as_):
    edge = run(segs["cy1"], TODAY - dt.timedelta(days=7), recorded_by=org.dave)
    older = run(segs["cy1"], TODAY - dt.timedelta(days=8), recorded_by=org.dave)
    client = as_(org.dave)
    page = client.get("/m/delivery/").content.decode()
    assert f"/m/delivery/runs/{edge.pk}/" in page and f"/m/delivery/runs/{older.pk}/" not in page
    assert client.post(f"/m/delivery/runs/{older.pk}/correct/", fix()).status_code == 404
    older.refresh_from_db()
    assert older.superseded_at is None
    assert client.post(f"/m/delivery/runs/{edge.pk}/correct/", fix()).status_code == 302
