"""core.redirects: a `next` is followed only when it is a path of this site; the POSTs that take
one fall back to their own page on anything else (before, a `next` such as "foo" passed
url_has_allowed_host_and_scheme() and redirect() then tried to reverse it as a view name: a 500)."""
import pytest
from django.test import RequestFactory
from django.urls import reverse

from postqc.core.redirects import safe_next
from postqc.learning import services
from postqc.learning.models import QuestionVersion
from postqc.learning.tests.factories import make_clause


@pytest.mark.parametrize("value, expected", [
    ("/m/learn/", "/m/learn/"),
    ("/manage/surveys/?page=2", "/manage/surveys/?page=2"),
    ("", "/home/"),
    (None, "/home/"),
    ("foo", "/home/"),  # redirect() would reverse it as a view name
    ("'\"<x>", "/home/"),
    ("//evil.example/", "/home/"),
    ("https://evil.example/", "/home/"),
    ("http://testserver/m/", "/home/"),  # only paths, not absolute URLs, even of this host
    ("/\\evil.example", "/home/"),
])
def test_safe_next(value, expected):
    assert safe_next(RequestFactory().get("/"), value, "/home/") == expected


@pytest.fixture
def question(org):
    make_clause(org.jls, code="YZF-3.15")
    bank = services.bank_create(code="CY-SW", name="船营实务题库", unit=org.cy)
    return services.question_create(
        bank=bank, actor=org.alice, publish=True, type=QuestionVersion.Type.SINGLE,
        stem="普遍服务范围内的包裹，单件重量不超过多少千克？", options=["5", "10", "20", "30"], answer=["B"],
        explanation="《邮政法》第十五条。", difficulty=2, tags=[], clause_codes=["YZF-3.15"])


@pytest.mark.parametrize("bad", ["foo", "'\"<x>", "https://evil.example/"])
def test_a_managers_question_step_with_a_bad_next_returns_to_the_question(org, as_, question, bad):
    services.questions_flag_for_clauses(clauses=question.current.clauses.all(), reason="修订")
    response = as_(org.alice).post(reverse("learning_manage:question_republish", args=[question.code]), {"next": bad})
    assert response.status_code == 302
    assert response["Location"] == reverse("learning_manage:question_detail", args=[question.code])


@pytest.mark.parametrize("bad", ["foo", "'\"<x>", "//evil.example/"])
def test_a_star_with_a_bad_next_goes_back_to_the_favourites(org, as_, question, bad):
    response = as_(org.bob).post(reverse("learning:favorite", args=[question.code]), {"next": bad})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("learning:practice", args=["favorite"]))


def test_a_good_next_is_followed(org, as_, question):
    response = as_(org.bob).post(reverse("learning:favorite", args=[question.code]), {"next": "/m/learn/"})
    assert response["Location"] == "/m/learn/"
