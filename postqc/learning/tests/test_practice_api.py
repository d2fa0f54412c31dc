"""/api/v1/learning/: the next question of a mode, answering, the 错题本, favourites, today's review."""
import datetime as dt
import uuid

import pytest
import time_machine

from postqc.api.services import token_issue
from postqc.api.tests.utils import ApiClient, json_error
from postqc.learning.models import Answer, Favorite, PracticeCursor, WrongEntry
from postqc.learning.practice import favorite_toggle
from postqc.standards.models import Clause

from .factories import make_bank, make_question, publish_standard

BASE = "/api/v1/learning"
SECRETS = {"answer", "correct_answer", "explanation", "is_correct", "correct"}
EXPLANATION = "规范第三条：查询期限自收寄之日起计算。"


@pytest.fixture
def api(client):
    return lambda person: ApiClient(client, token_issue(staff=person, label="test")[0])


@pytest.fixture
def bank(org):
    return make_bank(org.jls, code="CITY")


def keys_anywhere(value) -> set[str]:
    """Every key of every object nested anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_anywhere(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_anywhere(v) for v in value)) if value else set()
    return set()


def send(client, question, response, *, mode="random", client_id=None, **extra):
    return client.post(f"{BASE}/answers", {"question": question.code, "response": list(response), "mode": mode,
                                           "client_id": str(client_id or uuid.uuid4()), "duration_ms": 3000, **extra})


# --- The next question ---------------------------------------------------------------------------------


@pytest.mark.parametrize("type, options, answer", [
    ("single", ("甲", "乙", "丙"), ("B",)),
    ("multiple", ("甲", "乙", "丙"), ("A", "C")),
    ("true_false", (), ("F",)),
    ("fill", (), ("十五日", "15日")),
])
def test_next_question_never_carries_the_answer_or_the_explanation(org, api, bank, type, options, answer):
    make_question(bank, type=type, options=options, answer=answer, explanation=EXPLANATION)
    body = api(org.bob).get(f"{BASE}/next", mode="sequential", bank="CITY").json()
    assert body["question"]["type"] == type
    assert not keys_anywhere(body) & SECRETS
    text = str(body)
    assert EXPLANATION not in text
    if type == "fill":
        assert "十五日" not in text and "15日" not in text


def test_next_question_payload(org, api, bank):
    q = make_question(bank, options=("甲", "乙"), red_line=True)
    favorite_toggle(staff=org.bob, question=q)
    body = api(org.bob).get(f"{BASE}/next", mode="sequential", bank="CITY").json()
    assert body == {
        "mode": "sequential",
        "question": {"code": q.code, "version": 1, "type": "single", "stem": q.current.stem,
                     "options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}], "image": None,
                     "red_line": True, "bank": "CITY", "favorite": True},
        "progress": {"text": "顺序练习 第 1/1 题", "total": 1, "position": 1, "remaining": None},
    }


def test_true_false_options_are_t_and_f(org, api, bank):
    make_question(bank, type="true_false", answer=("T",))
    body = api(org.bob).get(f"{BASE}/next", mode="random").json()
    assert body["question"]["options"] == [{"key": "T", "text": "对"}, {"key": "F", "text": "错"}]


def test_sequential_resumes_after_what_was_answered_through_the_api(org, api, bank):
    q1, q2, _q3 = (make_question(bank) for _ in range(3))
    client = api(org.bob)
    assert send(client, q1, "B", mode="sequential").status_code == 200
    assert client.get(f"{BASE}/next", mode="sequential", bank="CITY").json()["question"]["code"] == q2.code
    assert PracticeCursor.objects.get(staff=org.bob, bank=bank).last_question == q1
    assert client.get(f"{BASE}/next", mode="sequential", bank="CITY", after=q2.code).json()["question"]["code"] \
        == _q3.code


def test_topic_practice_by_clause_through_the_api(org, api, bank):
    publish_standard(org.jls)
    q = make_question(bank)
    tested = make_question(bank)
    tested.current.clauses.set([Clause.objects.get(code="FWGF-1.2")])
    body = api(org.bob).get(f"{BASE}/next", mode="topic", chapter="FWGF-1").json()
    assert body["question"]["code"] == tested.code and body["progress"]["total"] == 1
    del q


def test_an_empty_mode_answers_with_no_question(org, api, bank):
    make_question(bank)
    body = api(org.bob).get(f"{BASE}/next", mode="wrong").json()
    assert body == {"mode": "wrong", "question": None,
                    "progress": {"text": "错题本 剩余 0 题", "total": 0, "position": None, "remaining": 0}}


def test_an_unknown_mode_or_a_topic_without_a_topic_is_a_422(org, api, bank):
    client = api(org.bob)
    assert "mode" in json_error(client.get(f"{BASE}/next", mode="everything"), 422)["error"]
    assert "chapter" in json_error(client.get(f"{BASE}/next", mode="topic"), 422)["error"]


def test_a_bank_of_another_county_is_a_404(org, api):
    make_question(make_bank(org.jh, code="JH-OWN"))
    json_error(api(org.bob).get(f"{BASE}/next", mode="random", bank="JH-OWN"), 404)


# --- Answering ---------------------------------------------------------------------------------------------


def test_answer_returns_the_verdict_the_answer_the_explanation_and_the_clauses(org, api, bank):
    publish_standard(org.jls)
    q = make_question(bank, answer=("B",), explanation=EXPLANATION)
    q.current.clauses.set([Clause.objects.get(code="FWGF-2.3")])
    response = send(api(org.bob), q, "C")
    assert response.status_code == 200
    body = response.json()
    assert body["correct"] is False and body["replayed"] is False
    assert body["correct_answer"] == ["B"] and body["explanation"] == EXPLANATION
    assert body["clauses"] == [{"code": "FWGF-2.3", "heading": "第三条 查询时限"}]
    assert body["wrong_book"] == "added" and body["due"] is not None
    assert body["question"] == q.code and body["version"] == 1


def test_a_resent_answer_is_recognised_and_counted_once(org, api, bank):
    q = make_question(bank)
    client = api(org.bob)
    cid = uuid.uuid4()
    first = send(client, q, "A", client_id=cid).json()
    again = send(client, q, "A", client_id=cid).json()
    assert again["replayed"] is True and first["replayed"] is False
    assert again["correct"] == first["correct"] is False
    assert Answer.objects.filter(staff=org.bob).count() == 1
    assert WrongEntry.objects.get(staff=org.bob).wrong_count == 1


def test_wrong_once_then_right_twice_clears_the_wrong_book(org, api, bank):
    q = make_question(bank)
    client = api(org.bob)
    send(client, q, "A")
    book = client.get(f"{BASE}/wrong-book").json()
    assert book["count"] == 1 and book["items"][0]["question"]["code"] == q.code
    assert not keys_anywhere(book) & SECRETS
    assert client.get(f"{BASE}/next", mode="wrong").json()["question"]["code"] == q.code
    assert send(client, q, "B", mode="wrong").json()["wrong_book"] == "kept"
    assert send(client, q, "B", mode="wrong").json()["wrong_book"] == "cleared"
    assert client.get(f"{BASE}/wrong-book").json()["count"] == 0


@pytest.mark.parametrize("response, field", [
    (["Z"], "response"),
    (["A", "B"], "response"),
    ([], "response"),
])
def test_a_malformed_response_is_a_422_naming_the_field_and_writes_nothing(org, api, bank, response, field):
    q = make_question(bank)
    body = json_error(send(api(org.bob), q, response), 422)
    assert field in body["error"]
    assert not Answer.objects.exists()


def test_a_response_of_the_wrong_shape_is_a_422_naming_the_field(org, api, bank):
    q = make_question(bank)
    client = api(org.bob)
    body = json_error(client.post(f"{BASE}/answers", {"question": q.code, "response": "B", "mode": "random",
                                                      "client_id": str(uuid.uuid4())}), 422)
    assert body["details"][0]["field"] == "response"
    body = json_error(client.post(f"{BASE}/answers", {"question": q.code, "response": ["B"], "mode": "random",
                                                      "client_id": "not-a-uuid"}), 422)
    assert body["details"][0]["field"] == "client_id"


def test_a_question_not_offered_to_me_is_a_404(org, api, bank):
    county = make_question(make_bank(org.jh, code="JH-OWN"))
    reserved = make_question(bank, pool="reserved")
    client = api(org.bob)
    for q in (county, reserved):
        json_error(send(client, q, "B"), 404)
        json_error(client.post(f"{BASE}/favorites/{q.code}", {}), 404)
    json_error(client.post(f"{BASE}/answers", {"question": "NOPE", "response": ["B"], "mode": "random",
                                               "client_id": str(uuid.uuid4())}), 404)
    assert not Answer.objects.exists()


def test_the_api_needs_a_token(client, org, bank):
    json_error(client.get(f"{BASE}/next", {"mode": "random"}), 401)
    client.force_login(org.bob, backend="django.contrib.auth.backends.ModelBackend")
    json_error(client.get(f"{BASE}/next", {"mode": "random"}), 401)  # a session is not a token


# --- Favourites and review ---------------------------------------------------------------------------------------


def test_favourites_add_and_remove_are_idempotent_and_listed(org, api, bank):
    q = make_question(bank)
    client = api(org.bob)
    for _ in range(2):
        assert client.post(f"{BASE}/favorites/{q.code}", {}).json() == {"question": q.code, "favorite": True}
    assert Favorite.objects.filter(staff=org.bob).count() == 1
    listed = client.get(f"{BASE}/favorites").json()
    assert listed["count"] == 1 and listed["items"][0]["question"] == {"code": q.code, "type": "single",
                                                                       "stem": q.current.stem}
    for _ in range(2):
        assert client.delete(f"{BASE}/favorites/{q.code}").json() == {"question": q.code, "favorite": False}
    assert client.get(f"{BASE}/favorites").json()["count"] == 0


def test_review_summary_counts_what_is_due_today(org, api, bank):
    q1, q2 = make_question(bank), make_question(bank)
    client = api(org.bob)
    send(client, q1, "A")
    send(client, q2, "A")
    assert client.get(f"{BASE}/review/summary").json()["due_now"] == 0
    with time_machine.travel(dt.timedelta(minutes=20)):
        summary = client.get(f"{BASE}/review/summary").json()
        assert summary == {"remaining_today": 2, "due_now": 2, "done_today": 0, "daily_limit": 50}
        assert send(client, q1, "B", mode="review").status_code == 200
        assert client.get(f"{BASE}/review/summary").json()["remaining_today"] == 1


def test_the_learning_endpoints_are_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/next", "/answers", "/wrong-book", "/favorites", "/favorites/{code}", "/review/summary"):
        assert f"/api/v1/learning{path}" in paths
