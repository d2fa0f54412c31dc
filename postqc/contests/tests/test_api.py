"""The exam engine's API: the whole flow, and no answer anywhere before submitting."""
import datetime as dt
import json
import uuid

import pytest

from postqc.api.services import token_issue
from postqc.contests.models import Attempt, AttemptItem
from postqc.contests.services import to_displayed_keys

from .conftest import RULES, T0

MINUTE = dt.timedelta(minutes=1)
SECRET_KEYS = {"answer", "explanation", "is_correct", "awarded", "correct", "clauses", "correct_count", "score"}


class Api:
    def __init__(self, client, person):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token_issue(staff=person, label='test')[0]}"}

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path, payload=None):
        return self.client.post(f"/api/v1{path}", json.dumps(payload or {}), content_type="application/json",
                                headers=self.headers)

    def put(self, path, payload):
        return self.client.put(f"/api/v1{path}", json.dumps(payload), content_type="application/json",
                               headers=self.headers)


@pytest.fixture
def api(client):
    return lambda person: Api(client, person)


def walk(value, path="$"):
    """Every (path, key, value) in a JSON document, recursively."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield path, key, inner
            yield from walk(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from walk(inner, f"{path}[{i}]")


def assert_no_answers(body, attempt):
    """No key that carries an answer or a mark, and no 解析 or accepted 填空 text in any value."""
    leaked = [f"{path}.{key}" for path, key, _ in walk(body) if key in SECRET_KEYS]
    assert not leaked, leaked
    text = json.dumps(body, ensure_ascii=False)
    for item in AttemptItem.objects.filter(attempt=attempt).select_related("version"):
        assert item.version.explanation not in text
        if item.version.type == "fill":
            assert not any(f'"{accepted}"' in text for accepted in item.version.answer)


@pytest.mark.parametrize("kind", ["mock", "contest", "exam"])
def test_no_endpoint_gives_an_answer_away_before_submitting(org, api, make_exam, bank, kind):
    for q in bank.questions.all():
        q.current.explanation = f"解析：第 {q.pk} 题依据《邮政法》。"
        q.current.save(update_fields=["explanation"])
    # Every question type, from the practice pool (a competition may name it), answers after submitting.
    exam = make_exam(kind=kind, rules=[{**rule, "pool": "practice"} for rule in RULES], reveal="after_submit")
    bob = api(org.bob)
    listed = bob.get("/exams", kind=kind)
    one = bob.get(f"/exams/{exam.code}")
    started = bob.post(f"/exams/{exam.code}/attempts")
    assert started.status_code == 201
    code = started.json()["code"]
    attempt = Attempt.objects.get(code=code)
    saved = bob.put(f"/attempts/{code}/items/1", {"response": ["A"], "client_id": str(uuid.uuid4())})
    paper = bob.get(f"/attempts/{code}")
    resumed = bob.post(f"/exams/{exam.code}/attempts")
    early = bob.get(f"/attempts/{code}/result")
    assert [r.status_code for r in (listed, one, saved, paper, resumed, early)] == [200, 200, 200, 200, 200, 409]
    for response in (listed, one, started, saved, paper, resumed, early):
        assert_no_answers(response.json(), attempt)
    # After submitting, the result has them (this exam reveals after submit).
    result = bob.post(f"/attempts/{code}/submit").json()
    assert result["revealed"] is True and {"answer", "explanation", "is_correct"} <= set(result["items"][0])


def test_the_whole_flow_start_answer_resume_submit_result(org, api, mock_exam):
    bob = api(org.bob)
    exams = bob.get("/exams", kind="mock").json()
    assert [(e["title"], e["question_count"], e["max_score"], e["state"], e["active_attempt"]) for e in exams] == [
        ("普遍服务知识模拟考试", 13, 26, "open", None)]
    started = bob.post(f"/exams/{mock_exam.code}/attempts").json()
    assert started["remaining_seconds"] == 1800 and started["status"] == "in_progress"
    assert [i["position"] for i in started["items"]] == list(range(1, 14))
    assert {i["type"] for i in started["items"][:5]} == {"single"} and len(started["items"][0]["options"]) == 4
    code = started["code"]

    item = AttemptItem.objects.select_related("version").get(attempt__code=code, position=1)
    right = to_displayed_keys(item, ["B"])
    client_id = str(uuid.uuid4())
    saved = bob.put(f"/attempts/{code}/items/1", {"response": right, "client_id": client_id}).json()
    assert saved == {"position": 1, "response": right, "answered_at": saved["answered_at"], "answered": 1,
                     "remaining_seconds": 1800}
    resent = bob.put(f"/attempts/{code}/items/1", {"response": ["D"], "client_id": client_id}).json()
    assert resent["response"] == right
    fill = bob.put(f"/attempts/{code}/items/12", {"response": ["挂号函件"], "client_id": str(uuid.uuid4())})
    assert fill.status_code == 200

    resumed = bob.post(f"/exams/{mock_exam.code}/attempts")
    assert resumed.status_code == 200 and resumed.json()["resumed"] is True and resumed.json()["code"] == code
    assert resumed.json()["items"][0]["response"] == right and resumed.json()["answered"] == 2
    assert bob.get("/exams", kind="mock").json()[0]["active_attempt"] == code

    result = bob.post(f"/attempts/{code}/submit").json()
    assert (result["status"], result["score"], result["correct_count"], result["question_count"]) == (
        "submitted", 4, 2, 13)
    first = result["items"][0]
    assert first["is_correct"] is True and first["answer"] == right and first["explanation"] == "因为规定如此。"
    assert bob.get(f"/attempts/{code}/result").json() == result
    listed = bob.get("/exams", kind="mock").json()[0]
    assert (listed["attempts_used"], listed["best_score"], listed["active_attempt"]) == (1, 4, None)


def test_answers_after_the_time_are_refused_and_the_attempt_is_submitted(org, api, mock_exam, frozen):
    bob = api(org.bob)
    code = bob.post(f"/exams/{mock_exam.code}/attempts").json()["code"]
    frozen.move_to(T0 + 30 * MINUTE + dt.timedelta(seconds=10))  # within the 15 s grace
    assert bob.put(f"/attempts/{code}/items/1", {"response": ["A"], "client_id": str(uuid.uuid4())}).status_code \
        == 200
    frozen.move_to(T0 + 31 * MINUTE)
    late = bob.put(f"/attempts/{code}/items/2", {"response": ["A"], "client_id": str(uuid.uuid4())})
    assert late.status_code == 409 and "error" in late.json()
    paper = bob.get(f"/attempts/{code}").json()
    assert paper["status"] == "expired" and paper["remaining_seconds"] == 0


def test_a_malformed_answer_is_a_422_naming_the_question(org, api, mock_exam):
    bob = api(org.bob)
    code = bob.post(f"/exams/{mock_exam.code}/attempts").json()["code"]
    response = bob.put(f"/attempts/{code}/items/1", {"response": ["A", "B"], "client_id": str(uuid.uuid4())})
    assert response.status_code == 422 and "第 1 题" in response.json()["error"]


def test_someone_elses_attempt_is_a_404_everywhere(org, api, mock_exam):
    code = api(org.alice).post(f"/exams/{mock_exam.code}/attempts").json()["code"]
    charlie = api(org.charlie)
    assert charlie.get(f"/attempts/{code}").status_code == 404
    assert charlie.put(f"/attempts/{code}/items/1", {"response": ["A"], "client_id": str(uuid.uuid4())}) \
        .status_code == 404
    assert charlie.post(f"/attempts/{code}/submit").status_code == 404
    assert charlie.get(f"/attempts/{code}/result").status_code == 404
    assert Attempt.objects.get(code=code).status == "in_progress"


def test_a_county_exam_is_neither_listed_nor_startable_elsewhere(org, api, make_exam):
    exam = make_exam(title="蛟河模拟", unit=org.jh, actor=org.charlie)
    assert api(org.erin).get("/exams", kind="mock").json()[0]["title"] == "蛟河模拟"
    bob = api(org.bob)
    assert bob.get("/exams", kind="mock").json() == []
    assert bob.post(f"/exams/{exam.code}/attempts").status_code == 404


def test_starting_when_attempts_are_used_up_is_a_409(org, api, make_exam):
    exam = make_exam(attempts_allowed=1)
    bob = api(org.bob)
    code = bob.post(f"/exams/{exam.code}/attempts").json()["code"]
    bob.post(f"/attempts/{code}/submit")
    refused = bob.post(f"/exams/{exam.code}/attempts")
    assert refused.status_code == 409 and "1 次作答机会" in refused.json()["error"]


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/exams", "/api/v1/exams/{code}", "/api/v1/exams/{code}/attempts",
                 "/api/v1/attempts/{code}",
                 "/api/v1/attempts/{code}/items/{position}", "/api/v1/attempts/{code}/submit",
                 "/api/v1/attempts/{code}/result"):
        assert path in paths
