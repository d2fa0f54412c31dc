import pytest

from postqc.api.services import token_issue
from postqc.api.tests.utils import ApiClient, json_error
from postqc.standards.models import ClauseRead
from postqc.standards.services import standard_import_markdown, version_publish

from .conftest import V2021, md


@pytest.fixture
def api(client):
    return lambda person: ApiClient(client, token_issue(staff=person, label="test")[0])


def test_standards_list_is_what_i_am_offered_with_progress(published, org, api):
    ClauseRead.objects.create(staff=org.bob, revision=published.revisions.get(clause__code="JLQC-1.1"))
    version_publish(version=standard_import_markdown(text=md(code="CYR"), unit=org.cy, actor=None), actor=None)

    response = api(org.bob).get("/api/v1/standards")
    assert response.status_code == 200
    assert response.json() == [
        {"code": "CYR", "title": "测试标准", "kind": "company_rule", "issuer": "",
         "version": {"label": "2019", "effective_on": "2020-01-01", "source": ""}, "clause_total": 2, "read_total": 0},
        {"code": "JLQC", "title": "吉林市分公司营业服务规范", "kind": "company_rule", "issuer": "吉林市分公司",
         "version": {"label": "2019", "effective_on": "2019-03-01", "source": ""}, "clause_total": 7, "read_total": 1},
    ]
    assert [s["code"] for s in api(org.charlie).get("/api/v1/standards").json()] == ["JLQC"]


def test_standard_detail_has_the_clause_tree(published, org, api):
    body = api(org.erin).get("/api/v1/standards/JLQC").json()
    assert [c["code"] for c in body["clauses"]] == ["JLQC-1", "JLQC-2"]
    chapter2 = body["clauses"][1]
    assert [c["code"] for c in chapter2["children"]] == ["JLQC-2.3", "JLQC-2.4"]
    assert chapter2["children"][1]["children"] == [
        {"code": "JLQC-2.4.1", "heading": "第四条之一 未保价", "depth": 2, "read": False, "children": []}]


def test_another_countys_standard_is_a_json_404(org, api):
    version_publish(version=standard_import_markdown(text=md(code="CYR"), unit=org.cy, actor=None), actor=None)
    json_error(api(org.charlie).get("/api/v1/standards/CYR"), 404)
    json_error(api(org.charlie).get("/api/v1/clauses/CYR-1.1"), 404)
    json_error(api(org.charlie).post("/api/v1/clauses/CYR-1.1/read", {}), 404)


def test_clause_detail_and_marking_it_read(published, org, api, make_question):
    make_question("Q-1", ["JLQC-2.4"])
    client = api(org.bob)
    body = client.get("/api/v1/clauses/JLQC-2.4").json()
    assert body == {
        "code": "JLQC-2.4", "heading": "第四条 赔偿", "body": "保价邮件丢失的，按保价额赔偿。", "depth": 1,
        "standard": {"code": "JLQC", "title": "吉林市分公司营业服务规范"},
        "version": {"label": "2019", "effective_on": "2019-03-01", "source": ""}, "is_current": True,
        "parent_code": "JLQC-2", "previous_code": "JLQC-2.3", "next_code": "JLQC-2.4.1",
        "read": False, "read_at": None, "question_count": 1}

    first = client.post("/api/v1/clauses/JLQC-2.4/read", {})
    again = client.post("/api/v1/clauses/JLQC-2.4/read", {})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["read"] is True
    assert ClauseRead.objects.filter(staff=org.bob).count() == 1
    assert client.get("/api/v1/clauses/JLQC-2.4").json()["read"] is True


def test_clause_search(published, org, api):
    version_publish(version=standard_import_markdown(text=V2021, unit=org.jls, actor=None), actor=None)
    hits = api(org.bob).get("/api/v1/clauses", q="15 日").json()
    assert hits == [{"code": "JLQC-2.3", "heading": "第三条 查询时限", "snippet": "用户查询给据邮件，应当自收到查询之日起 15 日内答复。",
                     "standard": {"code": "JLQC", "title": "吉林市分公司营业服务规范"}}]
    assert api(org.bob).get("/api/v1/clauses", q="延时营业").json() == [], "only current versions are searched"
    json_error(api(org.bob).get("/api/v1/clauses"), 422)


def test_the_api_needs_a_token(published, client):
    json_error(client.get("/api/v1/standards"), 401)
