"""The exam engine's API: the whole flow, and no answer anywhere before submitting."""
import datetime as dt
import json
import random
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postqc.api.services import token_issue
from postqc.contests.models import Attempt, AttemptItem
from postqc.contests.papers import paper_draw
from postqc.contests.services import exam_update, to_displayed_keys
from postqc.learning.modes import unit_ancestor_ids

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


def _statements(call):
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code in (200, 201), response.content
    return response, [q["sql"] for q in captured.captured_queries]


def test_a_start_and_a_submit_cost_the_same_queries_whatever_the_paper(org, api, make_exam):
    """Thousands start and submit in the same minute: an exam's rules and candidates are read once
    per process (not per start), a start does not read back the paper it just wrote, nor a submit
    the items it just graded — so the statements do not grow with the paper or its rules."""
    small = make_exam(title="两道题", rules=[{"question_type": "single", "count": 2, "points": 1}])
    large = make_exam(title="十三道题")  # RULES: four rules, 13 questions
    bob, dave, erin, carl = (api(p) for p in (org.bob, org.dave, org.erin, org.carl))
    for person in (bob, dave, erin, carl):  # each token's first use reads it: not what is measured here
        assert person.get("/exams", kind="mock").status_code == 200
    for person in (org.bob, org.dave, org.erin, org.carl):  # nor the first look at a unit's ancestors
        unit_ancestor_ids(person.unit_id)

    _cold, cold = _statements(lambda: bob.post(f"/exams/{small.code}/attempts"))
    assert any("contests_blueprintrule" in sql for sql in cold)
    started, warm_small = _statements(lambda: dave.post(f"/exams/{small.code}/attempts"))
    assert len(started.json()["items"]) == 2
    _cold, _ = _statements(lambda: erin.post(f"/exams/{large.code}/attempts"))
    started, warm_large = _statements(lambda: carl.post(f"/exams/{large.code}/attempts"))
    assert [i["position"] for i in started.json()["items"]] == list(range(1, 14))
    # The versions drawn are read in one query, unless this process holds them all already.
    versions = [[sql for sql in warm if "learning_questionversion" in sql] for warm in (warm_small, warm_large)]
    assert all(len(v) <= 1 for v in versions), versions
    assert len(warm_large) - len(versions[1]) == len(warm_small) - len(versions[0])
    assert not any("contests_blueprintrule" in sql or 'FROM "learning_question"' in sql for sql in warm_large)
    assert not any(sql.startswith("SELECT") and "FROM \"contests_attemptitem\"" in sql for sql in warm_large)

    code = started.json()["code"]
    _result, submit_large = _statements(lambda: carl.post(f"/attempts/{code}/submit"))
    small_code = Attempt.objects.get(exam=small, staff=org.dave).code
    _result, submit_small = _statements(lambda: dave.post(f"/attempts/{small_code}/submit"))
    assert len(submit_large) == len(submit_small)
    item_reads = [sql for sql in submit_large if sql.startswith("SELECT") and "FROM \"contests_attemptitem\"" in sql]
    assert len(item_reads) == 1, item_reads


def test_the_paper_follows_an_edit_of_the_rules_at_once(org, make_exam):
    """The clock stands still in these tests, so the exam's updated_at does not move: the edit
    itself must forget the pool this process holds."""
    exam = make_exam(publish=False)
    assert len(paper_draw(exam=exam, rng=random.Random(1))) == 13
    exam_update(exam=exam, actor=org.sam, rules=[{"question_type": "true_false", "count": 4, "points": 1}])
    paper = paper_draw(exam=exam, rng=random.Random(1))
    assert [p.version.type for p in paper] == ["true_false"] * 4


def test_a_competition_submit_shows_the_rank_without_reading_the_board_entry_back(org, api, make_contest):
    contest = make_contest()
    bob = api(org.bob)
    code = bob.post(f"/exams/{contest.code}/attempts").json()["code"]
    result, statements = _statements(lambda: bob.post(f"/attempts/{code}/submit"))
    assert (result.json()["rank"], result.json()["counted"]) == (1, True)
    mine = f'"contests_boardentry"."staff_id" = {org.bob.pk}'
    entry_reads = [sql for sql in statements if sql.startswith('SELECT "contests_boardentry"."id"') and mine in sql]
    assert len(entry_reads) == 1, entry_reads  # the submit's own refresh of the entry, not a second read
