"""撤销 a run that did not take place (logged on the wrong segment or day): it leaves every figure,
the record stays with who withdrew it and why; who may is as for a correction."""
import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postqc.delivery import services
from postqc.delivery.models import DeliveryRecord
from postqc.delivery.selectors import Period, segments_in, standings

from .conftest import TODAY, run
from .test_api import bearer

pytestmark = pytest.mark.django_db


def test_a_withdrawn_run_leaves_the_figures_and_is_kept(org, segs):
    run(segs["cy1"], TODAY, ordinary=10, tracked=0)
    wrong = run(segs["cy1"], TODAY, run_no=2, ordinary=90, tracked=0, recorded_by=org.dave)
    week = Period.of("week", TODAY)
    before = standings(segments_in(org.cy_td), week, TODAY)[0].figures
    assert (before.runs, before.delivered) == (2, 100)
    with pytest.raises(ValidationError) as caught:
        services.run_withdraw(actor=org.dave, record=wrong, reason="  ")
    assert set(caught.value.message_dict) == {"reason"}
    services.run_withdraw(actor=org.dave, record=wrong, reason="这趟是 S-CY-2 的，登记错了段道")
    wrong.refresh_from_db()
    assert wrong.superseded_at is not None and wrong.withdrawn_by == org.dave and wrong.ordinary == 90
    assert wrong.withdrawal_reason == "这趟是 S-CY-2 的，登记错了段道"
    after = standings(segments_in(org.cy_td), week, TODAY)[0].figures
    assert (after.runs, after.delivered) == (1, 10)
    assert DeliveryRecord.objects.count() == 2 and DeliveryRecord.current.count() == 1
    assert services.next_run_no(segs["cy1"], TODAY) == 2  # the run number is free again
    with pytest.raises(ValidationError):
        services.run_withdraw(actor=org.alice, record=wrong, reason="again")


def test_who_may_withdraw(org, segs):
    old = run(segs["cy1"], TODAY - dt.timedelta(days=20))
    with pytest.raises(PermissionDenied):
        services.run_withdraw(actor=org.dave, record=old, reason="x")  # too old for the courier
    with pytest.raises(PermissionDenied):
        services.run_withdraw(actor=org.charlie, record=old, reason="x")  # another county
    assert services.run_withdraw(actor=org.alice, record=old, reason="x").withdrawn_by == org.alice


def test_a_courier_withdraws_on_the_phone(org, segs, as_):
    mine = run(segs["cy1"], TODAY - dt.timedelta(days=1), recorded_by=org.dave)
    client = as_(org.dave)
    url = f"/m/delivery/runs/{mine.pk}/withdraw/"
    assert url in client.get(f"/m/delivery/runs/{mine.pk}/correct/").content.decode()
    refused = client.post(url, {"withdrawal_reason": ""}, follow=True).content.decode()
    assert "请写明撤销原因" in refused and DeliveryRecord.current.count() == 1
    done = client.post(url, {"withdrawal_reason": "那天休息，登记错了日期"}, follow=True).content.decode()
    assert "已撤销" in done and not DeliveryRecord.current.exists()
    assert client.post(url, {"withdrawal_reason": "again"}).status_code == 404
    assert as_(org.carl).post(url, {"withdrawal_reason": "x"}).status_code == 404  # not his run


def test_a_manager_withdraws_on_the_run_page_and_the_api(org, segs, as_, client):
    record = run(segs["cy1"], TODAY)
    day = TODAY.isoformat()
    page = as_(org.alice).get(f"/manage/delivery/segments/S-CY-1/{day}/1/correct/").content.decode()
    action = f"/manage/delivery/segments/S-CY-1/{day}/1/withdraw/"
    assert action in page
    assert as_(org.charlie).post(action, {"withdrawal_reason": "x"}).status_code == 404
    as_(org.alice).post(action, {"withdrawal_reason": "段道停投"})
    record.refresh_from_db()
    assert record.withdrawn_by == org.alice and record.withdrawal_reason == "段道停投"
    run(segs["cy1"], TODAY, ordinary=3, tracked=0)
    body = {"segment": "S-CY-1", "delivered_on": day, "run_no": 1, "reason": "重复上传"}
    out = client.post("/api/v1/delivery/runs/withdraw", json.dumps(body), content_type="application/json",
                      **bearer(org.alice))
    assert out.status_code == 200
    assert (out.json()["withdrawn"], out.json()["withdrawal_reason"], out.json()["ordinary"]) == (True, "重复上传", 3)
    again = client.post("/api/v1/delivery/runs/withdraw", json.dumps(body), content_type="application/json",
                        **bearer(org.alice))
    assert again.status_code == 404 and not DeliveryRecord.current.exists()
