"""The surveys API: the public questionnaire and its submission (nothing internal, once per
device per day, rate-limited), and the internal list, index and interviewer submission."""
from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache

from postqc.api.services import token_issue
from postqc.api.tests.utils import ApiClient, json_error
from postqc.surveys import services
from postqc.surveys.models import Response

from .survey_factories import answers, at, submit
from .survey_factories import survey as survey  # noqa: F401  (the fixture)


@pytest.fixture
def api(client):
    cache.clear()

    def make(person=None) -> ApiClient:
        return ApiClient(client, token_issue(staff=person, label="test")[0] if person is not None else None)

    return make


@pytest.fixture
def token(org):
    return services.outlet_link_for(outlet=org.o_cy).token


def payload(survey, **extra) -> dict:
    body = {"client_id": str(uuid.uuid4()), "device_id": "device-0123456789abcdef", "ratings": answers(survey),
            "profile": {"sex": "m", "services": ["parcels"]}, "comment": "很好"}
    body.update(extra)
    return body


def test_the_public_form_has_the_questionnaire_and_nothing_internal(api, survey, token):
    response = api().get(f"/api/v1/surveys/public/{token}")
    assert response.status_code == 200
    body = response.json()
    assert (body["survey"], body["outlet"], body["year"]) == ("2019年度调查", "北京路营业所", 2019)
    assert [p["title"] for p in body["parts"]] == ["一、总体评价", "二、服务评价", "三、受访者信息"]
    items = [i for p in body["parts"] for i in p["items"]]
    assert len(items) == 23 and items[2]["code"] == "SF01"
    assert items[2]["labels"]["5"] == "很满意"
    assert set(items[0]) == {"code", "text", "scale_min", "scale_max", "labels", "allow_na"}
    assert [q["code"] for q in body["profile"]] == ["sex", "age", "education", "occupation", "services"]
    text = response.content.decode()
    for internal in ("weight", "dimension", "clause", "FAC", "outlet_id", "target", "unit"):
        assert internal not in text


def test_an_unknown_token_or_no_survey_being_collected_is_a_json_404(api, survey, token):
    json_error(api().get("/api/v1/surveys/public/no-such-token"), 404)
    services.survey_close(survey=survey)
    json_error(api().get(f"/api/v1/surveys/public/{token}"), 404)


def test_a_customer_submits_once_a_resend_is_recognised_and_the_device_once_a_day(api, survey, token):
    body = payload(survey)
    first = api().post(f"/api/v1/surveys/public/{token}/responses", body)
    assert first.status_code == 201 and first.json()["replayed"] is False
    resend = api().post(f"/api/v1/surveys/public/{token}/responses", body)
    assert resend.status_code == 200 and resend.json() == {**first.json(), "replayed": True}
    again = api().post(f"/api/v1/surveys/public/{token}/responses", payload(survey))
    assert "已经评价过" in json_error(again, 409)["error"]
    response = Response.objects.get()
    assert (response.channel, response.profile) == ("qr", {"sex": "m", "services": ["parcels"]})


def test_bad_answers_are_422_naming_the_item(api, survey, token):
    body = json_error(api().post(f"/api/v1/surveys/public/{token}/responses",
                                 payload(survey, ratings=answers(survey, SF05=9))), 422)
    assert body["fields"] == {"SF05": ["评分须在 1–5 之间"]}


def test_anonymous_submissions_are_rate_limited_per_address(api, survey, token):
    statuses = [api().post(f"/api/v1/surveys/public/{token}/responses",
                           payload(survey, device_id=f"device-{n:020d}")).status_code for n in range(11)]
    assert statuses == [201] * 10 + [429]
    assert Response.objects.count() == 10


def test_the_internal_list_and_index_are_token_only_and_scoped(api, survey, org):
    json_error(api().get("/api/v1/surveys"), 401)
    assert [s["code"] for s in api(org.charlie).get("/api/v1/surveys").json()] == ["SQ2019"]
    submit(survey, org.o_cy)
    submit(survey, org.o_jh, ratings=answers(survey, base=3))
    body = api(org.charlie).get("/api/v1/surveys/SQ2019/index", by="unit").json()
    assert [(r["label"], r["n"], r["ranked"]) for r in body["rows"]] == [("蛟河市分公司", 1, False)]
    assert set(body["rows"][0]["dims"]) == {"FAC", "CTR", "DLV", "QRY", "LOSS", "COMP", "CMPL"}
    city = api(org.sam).get("/api/v1/surveys/SQ2019/index", by="unit").json()
    assert [r["label"] for r in city["rows"]] == ["船营区分公司", "蛟河市分公司"]
    dims = api(org.sam).get("/api/v1/surveys/SQ2019/index", by="dimension").json()
    assert [r["key"] for r in dims["rows"]] == ["FAC", "CTR", "DLV", "QRY", "LOSS", "COMP", "CMPL"]
    assert all(r["n"] == 2 for r in dims["rows"] if r["key"] not in ("QRY", "COMP", "CMPL"))
    assert [r["label"] for r in api(org.sam).get("/api/v1/surveys/SQ2019/index", by="outlet").json()["rows"]] == [
        "北京路营业所", "黄松甸营业所"]
    json_error(api(org.sam).get("/api/v1/surveys/SQ2019/index", by="colour"), 422)
    json_error(api(org.bob).get("/api/v1/surveys/SQ2019/index"), 403)
    json_error(api(org.sam).get("/api/v1/surveys/NOPE/index"), 404)


def test_an_interviewer_submits_with_a_client_id_and_a_resend_is_not_counted_twice(api, survey, org):
    body = {"outlet": "O-CY-1", "client_id": str(uuid.uuid4()), "ratings": answers(survey),
            "profile": {"sex": "f"}, "started_at": at(0, 9).isoformat()}
    first = api(org.bob).post("/api/v1/surveys/SQ2019/responses", body)
    assert first.status_code == 201, first.content
    assert api(org.bob).post("/api/v1/surveys/SQ2019/responses", body).status_code == 200
    assert Response.objects.get().interviewer == org.bob
    json_error(api(org.bob).post("/api/v1/surveys/SQ2019/responses", {**body, "outlet": "O-JH-1"}), 404)
    json_error(api(org.dave).post("/api/v1/surveys/SQ2019/responses", body), 403)
