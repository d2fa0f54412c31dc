"""The staff H5 practice pages: the 学习 home, one question per screen, feedback, 错题本 and 收藏."""
import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.contrib.staticfiles import finders
from django.urls import NoReverseMatch, reverse

from postqc.learning.models import Answer, Favorite, PracticeCursor, ReviewCard, WrongEntry
from postqc.learning.practice import answer_submit, favorite_toggle
from postqc.standards.models import Clause

from .factories import make_bank, make_question, publish_standard

HTMX = {"HTTP_HX_REQUEST": "true"}
EXPLANATION = "解析：给据邮件查询时限以规范第三条为准。"


@pytest.fixture
def bank(org):
    return make_bank(org.jls, code="CITY", name="普遍服务题库")


@pytest.fixture
def standard(org):
    return publish_standard(org.jls)


def clause(code):
    return Clause.objects.get(code=code)


def practice_url(mode, **params):
    url = reverse("learning:practice", args=[mode])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def shown_code(response) -> str:
    """The code of the question a practice page shows (the hidden `question` field)."""
    found = re.search(r'name="question" value="([^"]+)"', response.content.decode())
    return found.group(1) if found else ""


def post_answer(client, mode, question, response, *, client_id=None, htmx=True, **extra):
    data = {"question": question.code, "client_id": str(client_id or uuid.uuid4()), "response": list(response),
            "duration_ms": "4200", **extra}
    return client.post(reverse("learning:answer", args=[mode]), data, **(HTMX if htmx else {}))


def give(person, question, response, mode="random", **kw):
    return answer_submit(staff=person, question=question, response=list(response), mode=mode,
                         client_id=uuid.uuid4(), duration_ms=3000, **kw)


# --- 学习 home -----------------------------------------------------------------------------------------


def test_learn_home_shows_review_count_resume_point_counts_and_banks(org, as_, bank):
    q1, q2, q3 = (make_question(bank) for _ in range(3))
    give(org.bob, q1, "A")  # wrong: in the 错题本, and a review card due in a minute
    favorite_toggle(staff=org.bob, question=q3)
    PracticeCursor.objects.create(staff=org.bob, bank=bank, last_question=q1)
    with time_machine.travel(dt.timedelta(minutes=20)):
        page = as_(org.bob).get(reverse("staff:learn")).content.decode()
    assert '<strong>1</strong> 题待复习' in page
    assert reverse("learning:practice", args=["review"]) in page
    assert "继续顺序练习" in page and "下一题：第 2/3 题" in page
    assert f'href="{practice_url("sequential", bank="CITY")}"' in page
    assert '<span class="lh-badge">1</span>' in page  # 错题本
    assert '<span class="lh-badge lh-badge-soft">1</span>' in page  # 收藏
    assert "普遍服务题库" in page and reverse("learning:bank", args=["CITY"]) in page
    assert reverse("learning:topics") in page
    del q2


def test_learn_home_links_the_standards_library_and_mock_exams_only_when_they_exist(org, as_, bank, standard):
    make_question(bank)
    page = as_(org.bob).get(reverse("staff:learn")).content.decode()
    assert f'href="{reverse("standards:list")}"' in page
    try:
        mock = reverse("contests:mock_list")
    except NoReverseMatch:
        assert "模拟考试" not in page
    else:
        assert f'href="{mock}"' in page


def test_learn_home_without_banks_keeps_an_honest_empty_state(org, as_):
    page = as_(org.bob).get(reverse("staff:learn")).content.decode()
    assert "本单位还没有开放的学习内容。" in page
    assert "/m/learn/practice/" not in page


def test_learn_home_without_banks_still_links_an_offered_standards_library(org, as_, standard):
    page = as_(org.bob).get(reverse("staff:learn")).content.decode()
    assert "本单位还没有开放的学习内容。" in page
    assert f'href="{reverse("standards:list")}"' in page


def test_learn_home_is_the_learn_tab(org, as_, bank):
    make_question(bank)
    page = as_(org.bob).get("/m/learn/").content.decode()
    assert re.search(r'<a href="/m/learn/" class="tab active">', page)


# --- Each mode serves the right question ---------------------------------------------------------------


def test_sequential_starts_at_the_first_question_and_resumes_after_the_last_answered(org, as_, bank):
    q1, q2, q3 = (make_question(bank) for _ in range(3))
    client = as_(org.bob)
    first = client.get(practice_url("sequential", bank="CITY"))
    assert shown_code(first) == q1.code
    assert "顺序练习 第 1/3 题" in first.content.decode()
    post_answer(client, "sequential", q1, "B", bank="CITY")
    post_answer(client, "sequential", q2, "B", bank="CITY")
    resumed = client.get(practice_url("sequential", bank="CITY"))
    assert shown_code(resumed) == q3.code
    assert "顺序练习 第 3/3 题" in resumed.content.decode()
    assert PracticeCursor.objects.get(staff=org.bob, bank=bank, chapter=None).last_question == q2


def test_sequential_by_chapter_keeps_its_own_resume_point(org, as_, bank, standard):
    in_ch1 = [make_question(bank, clauses=[clause("FWGF-1.1")]), make_question(bank, clauses=[clause("FWGF-1.2")])]
    make_question(bank, clauses=[clause("FWGF-2.3")])
    client = as_(org.bob)
    url = practice_url("sequential", bank="CITY", chapter="FWGF-1")
    assert shown_code(client.get(url)) == in_ch1[0].code
    post_answer(client, "sequential", in_ch1[0], "B", bank="CITY", chapter="FWGF-1")
    page = client.get(url)
    assert shown_code(page) == in_ch1[1].code
    assert "顺序练习 第 2/2 题" in page.content.decode()
    assert PracticeCursor.objects.get(staff=org.bob, chapter=clause("FWGF-1")).last_question == in_ch1[0]
    assert not PracticeCursor.objects.filter(staff=org.bob, chapter=None).exists()


def test_random_draws_from_the_named_bank_and_moves_past_the_one_just_answered(org, as_, bank):
    other = make_bank(org.jls, code="OTHER")
    mine = {make_question(bank).code for _ in range(2)}
    make_question(other)
    client = as_(org.bob)
    for _ in range(8):
        assert shown_code(client.get(practice_url("random", bank="CITY"))) in mine
    a, b = sorted(mine)
    assert shown_code(client.get(practice_url("random", bank="CITY", after=a))) == b


def test_topic_practice_by_chapter_clause_and_tag(org, as_, bank, standard):
    q_11 = make_question(bank, clauses=[clause("FWGF-1.1")])
    q_12 = make_question(bank, clauses=[clause("FWGF-1.2")], tags=["营业时间"])
    q_23 = make_question(bank, clauses=[clause("FWGF-2.3")], tags=["查询"])
    client = as_(org.bob)
    assert shown_code(client.get(practice_url("topic", chapter="FWGF-1"))) == q_11.code
    assert shown_code(client.get(practice_url("topic", chapter="FWGF-1", after=q_11.code))) == q_12.code
    assert shown_code(client.get(practice_url("topic", clause="FWGF-2.3"))) == q_23.code
    page = client.get(practice_url("topic", tag="营业时间"))
    assert shown_code(page) == q_12.code
    assert "专项练习 第 1/1 题" in page.content.decode()


def test_topic_practice_without_a_topic_goes_to_the_chooser(org, as_, bank):
    response = as_(org.bob).get(practice_url("topic"))
    assert response.status_code == 302 and response.url == reverse("learning:topics")


def test_wrong_mode_serves_the_most_recent_miss_and_counts_what_is_left(org, as_, bank):
    q1, q2, _q3 = (make_question(bank) for _ in range(3))
    give(org.bob, q1, "A")
    with time_machine.travel(dt.timedelta(seconds=5)):
        give(org.bob, q2, "A")
    page = as_(org.bob).get(practice_url("wrong"))
    assert shown_code(page) == q2.code
    assert "错题本 剩余 2 题" in page.content.decode()


def test_favorite_mode_serves_starred_questions(org, as_, bank):
    _q1, q2 = make_question(bank), make_question(bank)
    favorite_toggle(staff=org.bob, question=q2)
    page = as_(org.bob).get(practice_url("favorite"))
    assert shown_code(page) == q2.code
    assert "收藏 第 1/1 题" in page.content.decode()


def test_review_mode_serves_a_due_card(org, as_, bank):
    _q1, q2 = make_question(bank), make_question(bank)
    give(org.bob, q2, "A")
    client = as_(org.bob)
    assert "今天的复习完成了" in client.get(practice_url("review")).content.decode()
    with time_machine.travel(dt.timedelta(minutes=20)):
        page = client.get(practice_url("review"))
    assert shown_code(page) == q2.code
    assert "今日复习 剩余 1 题" in page.content.decode()


@pytest.mark.parametrize("mode, text", [
    ("wrong", "错题本是空的"), ("favorite", "还没有收藏的题目"), ("review", "今天的复习完成了"),
    ("sequential", "这里还没有可以练习的题目"), ("random", "这里还没有可以练习的题目"),
])
def test_each_mode_has_an_empty_state(org, as_, mode, text):
    page = as_(org.bob).get(practice_url(mode)).content.decode()
    assert text in page
    assert 'name="question"' not in page


def test_an_unknown_mode_is_404(org, as_):
    assert as_(org.bob).get("/m/learn/practice/everything/").status_code == 404


# --- The question screen ---------------------------------------------------------------------------------


def test_the_question_page_carries_neither_the_answer_nor_the_explanation(org, as_, bank):
    fill = make_question(bank, type="fill", answer=["十五日", "15日"], explanation=EXPLANATION,
                         stem="给据邮件的查询期限是收寄之日起几日？")
    page = as_(org.bob).get(practice_url("sequential", bank="CITY")).content.decode()
    assert fill.current.stem in page
    for secret in ("十五日", "15日", EXPLANATION, "is-right", "correct"):
        assert secret not in page


def test_choice_options_are_big_submit_buttons_and_multiple_choice_has_a_submit(org, as_, bank):
    make_question(bank, options=("甲", "乙", "丙"))
    make_question(bank, type="multiple", options=("甲", "乙", "丙"), answer=("A", "C"))
    client = as_(org.bob)
    single = client.get(practice_url("sequential", bank="CITY")).content.decode()
    assert single.count('<button type="submit" class="pq-opt" name="response" value="') == 3
    multi = client.get(practice_url("sequential", bank="CITY", after=shown_code(client.get(
        practice_url("sequential", bank="CITY"))))).content.decode()
    assert multi.count('type="checkbox" name="response"') == 3
    assert "选好了，提交" in multi


def test_true_false_offers_right_and_wrong(org, as_, bank):
    make_question(bank, type="true_false", answer=["T"])
    page = as_(org.bob).get(practice_url("sequential", bank="CITY")).content.decode()
    assert 'name="response" value="T"' in page and 'name="response" value="F"' in page


def test_the_answer_form_carries_a_fresh_client_id_and_works_without_javascript(org, as_, bank):
    make_question(bank)
    client = as_(org.bob)
    pages = [client.get(practice_url("sequential", bank="CITY")).content.decode() for _ in range(2)]
    ids = [re.search(r'name="client_id" value="([0-9a-f-]{36})"', p).group(1) for p in pages]
    assert ids[0] != ids[1]
    assert f'method="post" action="{reverse("learning:answer", args=["sequential"])}"' in pages[0]
    assert 'name="csrfmiddlewaretoken"' in pages[0]


# --- Answering ----------------------------------------------------------------------------------------------


def test_feedback_fragment_shows_verdict_answer_explanation_and_clause_link(org, as_, bank, standard):
    q = make_question(bank, answer=("B",), explanation=EXPLANATION, clauses=[clause("FWGF-2.3")])
    response = post_answer(as_(org.bob), "sequential", q, "C", bank="CITY")
    assert response.status_code == 200
    html = response.content.decode()
    assert not html.lstrip().startswith("<!doctype")  # a fragment, not a page
    assert "回答错误" in html and '<b class="pq-answer">B</b>' in html
    assert EXPLANATION in html
    assert f'href="{reverse("standards:clause", args=["FWGF-2.3"])}"' in html and "第三条 查询时限" in html
    assert re.search(r'<li class="pq-opt is-right"><span class="pq-key">✓</span><span class="pq-text">乙', html)
    assert re.search(r'<li class="pq-opt is-wrong chosen"><span class="pq-key">✗</span><span class="pq-text">丙', html)
    assert "已收入错题本。" in html
    assert "☆ 收藏" in html
    assert f'href="{practice_url("sequential", bank="CITY")}"' in html  # 下一题 resumes at the cursor


def test_a_right_answer_says_so(org, as_, bank):
    q = make_question(bank, type="fill", answer=["十五日", "15日"])
    html = post_answer(as_(org.bob), "random", q, ["１５日"]).content.decode()
    assert "回答正确" in html and "十五日 / 15日" in html


def test_a_resend_with_the_same_client_id_shows_the_same_feedback_and_records_one_answer(org, as_, bank):
    q = make_question(bank)
    client = as_(org.bob)
    cid = uuid.uuid4()
    first = post_answer(client, "random", q, "A", client_id=cid)
    again = post_answer(client, "random", q, "B", client_id=cid)  # a later tap on another option changes nothing
    assert Answer.objects.filter(staff=org.bob).count() == 1
    assert WrongEntry.objects.get(staff=org.bob, question=q).wrong_count == 1
    for response in (first, again):
        assert "回答错误" in response.content.decode()
    assert "没有重复计数" in again.content.decode()
    assert "没有重复计数" not in first.content.decode()


def test_a_plain_form_post_without_javascript_gets_the_whole_page_with_feedback(org, as_, bank):
    q = make_question(bank, explanation=EXPLANATION)
    response = post_answer(as_(org.bob), "sequential", q, "B", htmx=False, bank="CITY")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "回答正确" in html and EXPLANATION in html and "顺序练习 第 1/1 题" in html
    assert Answer.objects.get(staff=org.bob).duration_ms == 4200


def test_a_malformed_answer_shows_the_question_again_with_the_reason(org, as_, bank):
    q = make_question(bank, type="multiple", answer=("A", "B"))
    response = post_answer(as_(org.bob), "random", q, [])
    assert response.status_code == 422
    html = response.content.decode()
    assert "请先选择答案。" in html and 'name="question" value="' + q.code in html
    assert not Answer.objects.exists()


def test_a_broken_client_id_is_a_400_and_records_nothing(org, as_, bank):
    q = make_question(bank)
    response = as_(org.bob).post(reverse("learning:answer", args=["random"]),
                                 {"question": q.code, "client_id": "nope", "response": "B"}, **HTMX)
    assert response.status_code == 400 and "client_id" in response.content.decode()
    assert not Answer.objects.exists()


def test_another_countys_bank_question_is_404_everywhere(org, as_):
    county = make_bank(org.jh, code="JH-OWN")
    q = make_question(county)
    client = as_(org.bob)
    assert client.get(practice_url("random", q=q.code)).status_code == 404
    assert client.get(practice_url("random", bank="JH-OWN")).status_code == 404
    assert client.get(reverse("learning:bank", args=["JH-OWN"])).status_code == 404
    assert post_answer(client, "random", q, "B").status_code == 404
    assert client.post(reverse("learning:favorite", args=[q.code]), **HTMX).status_code == 404
    assert not Answer.objects.exists() and not Favorite.objects.exists()
    assert as_(org.erin).get(practice_url("random", q=q.code)).status_code == 200


def test_reserved_questions_are_not_practised(org, as_, bank):
    q = make_question(bank, pool="reserved")
    client = as_(org.bob)
    assert client.get(practice_url("random", q=q.code)).status_code == 404
    assert post_answer(client, "random", q, "B").status_code == 404


def test_practice_needs_sign_in(client, db):
    response = client.get(practice_url("random"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


# --- 错题本 through the pages: wrong once, right twice, gone ----------------------------------------------


def test_wrong_then_right_twice_in_the_wrong_book_takes_it_out(org, as_, bank):
    q = make_question(bank)
    client = as_(org.bob)
    post_answer(client, "random", q, "A")
    assert q.code in client.get(reverse("learning:wrong_book")).content.decode()
    page = client.get(practice_url("wrong"))
    assert shown_code(page) == q.code
    html = post_answer(client, "wrong", q, "B").content.decode()
    assert "已连续答对 1 次，再答对 1 次移出错题本。" in html
    assert f'href="{practice_url("wrong", after=q.code)}"' in html
    assert shown_code(client.get(practice_url("wrong", after=q.code))) == q.code  # the only one left comes back
    assert "已移出错题本 🎉" in post_answer(client, "wrong", q, "B").content.decode()
    assert "错题本是空的" in client.get(practice_url("wrong", after=q.code)).content.decode()
    assert "错题本是空的" in client.get(reverse("learning:wrong_book")).content.decode()


# --- Lists, favourites, choosers ----------------------------------------------------------------------------


def test_wrong_book_list_opens_each_question_and_pages(org, as_, bank):
    questions = [make_question(bank) for _ in range(23)]
    for q in questions:
        give(org.bob, q, "A")
    client = as_(org.bob)
    first = client.get(reverse("learning:wrong_book")).content.decode()
    assert "23 道错题" in first and "连续答对 2 次即移出" in first
    assert first.count('class="cell lh-q"') == 20
    assert f'{reverse("learning:practice", args=["wrong"])}?q={questions[-1].code}' in first
    second = client.get(reverse("learning:wrong_book"), {"page": 2}).content.decode()
    assert second.count('class="cell lh-q"') == 3


def test_favorites_list_and_the_star_toggle(org, as_, bank):
    q = make_question(bank)
    client = as_(org.bob)
    star = client.post(reverse("learning:favorite", args=[q.code]), {"next": "/m/learn/"}, **HTMX)
    assert "★ 已收藏" in star.content.decode() and 'aria-pressed="true"' in star.content.decode()
    assert Favorite.objects.filter(staff=org.bob, question=q).exists()
    page = client.get(reverse("learning:favorites")).content.decode()
    assert "1 道收藏" in page and f"?q={q.code}" in page
    back = client.post(reverse("learning:favorite", args=[q.code]), {"next": "/m/learn/"})
    assert back.status_code == 302 and back.url == "/m/learn/"
    assert not Favorite.objects.exists()
    offsite = client.post(reverse("learning:favorite", args=[q.code]), {"next": "https://evil.example/"})
    assert offsite.url == practice_url("favorite", q=q.code)
    assert "还没有收藏的题目" not in client.get(reverse("learning:favorites")).content.decode()


def test_topics_list_chapters_with_counts_and_tags(org, as_, bank, standard):
    make_question(bank, clauses=[clause("FWGF-1.1")], tags=["营业时间"])
    make_question(bank, clauses=[clause("FWGF-1.1"), clause("FWGF-1.2")])
    make_question(bank, clauses=[clause("FWGF-2.3")], tags=["营业时间"])
    client = as_(org.bob)
    page = client.get(reverse("learning:topics")).content.decode()
    assert re.search(r"第一章 营业时间</span><span class=\"cell-note\">2 题", page)
    assert re.search(r"第二章 查询与赔偿</span><span class=\"cell-note\">1 题", page)
    assert "营业时间<span>2</span>" in page
    chapter = client.get(reverse("learning:topic_chapter", args=["FWGF-1"])).content.decode()
    assert "练习本章全部 2 题" in chapter
    assert re.search(r"第一条 公示</span><span class=\"cell-note\">2 题", chapter)
    assert re.search(r"第二条 延时服务</span><span class=\"cell-note\">1 题", chapter)
    assert f'{reverse("learning:practice", args=["topic"])}?clause=FWGF-1.2' in chapter


def test_bank_page_offers_sequential_practice_chapter_by_chapter(org, as_, bank, standard):
    make_question(bank, clauses=[clause("FWGF-1.1")])
    q = make_question(bank, clauses=[clause("FWGF-2.3")])
    PracticeCursor.objects.create(staff=org.bob, bank=bank, chapter=clause("FWGF-2"), last_question=q)
    page = as_(org.bob).get(reverse("learning:bank", args=["CITY"])).content.decode()
    assert "2 道练习题" in page
    assert f'{reverse("learning:practice", args=["sequential"])}?bank=CITY&amp;chapter=FWGF-1' in page
    assert re.search(r"第二章 查询与赔偿</span><span class=\"cell-note\">1 题 · 继续", page)


def test_a_chapter_with_no_questions_is_404(org, as_, bank, standard):
    make_question(bank, clauses=[clause("FWGF-1.1")])
    assert as_(org.bob).get(reverse("learning:topic_chapter", args=["FWGF-2"])).status_code == 404


# --- Weight and queries ---------------------------------------------------------------------------------------


def _static_size(url: str) -> int:
    return Path(finders.find(url.removeprefix(settings.STATIC_URL))).stat().st_size


def test_practice_page_first_load_is_under_150_kb_and_an_answer_under_10_kb(org, as_, bank, standard):
    long = "邮政普遍服务" * 40
    q = make_question(bank, stem=long, options=(long, long, long, long), explanation=long * 2,
                      clauses=[clause("FWGF-1.1"), clause("FWGF-1.2"), clause("FWGF-2.3")])
    client = as_(org.bob)
    page = client.get(practice_url("sequential", bank="CITY"))
    html = page.content.decode()
    assets = re.findall(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"', html)
    assert any("practice.js" in a for a in assets) and any("practice.css" in a for a in assets)
    first_load = len(page.content) + sum(_static_size(a) for a in assets)
    assert first_load <= 150 * 1024, first_load
    fragment = post_answer(client, "sequential", q, "A", bank="CITY")
    assert len(fragment.content) <= 10 * 1024, len(fragment.content)


@pytest.mark.parametrize("mode", ["sequential", "random", "wrong", "favorite"])
def test_practice_page_queries_do_not_grow_with_the_bank(org, as_, bank, mode, django_assert_num_queries):
    def fill(n):
        for _ in range(n):
            q = make_question(bank, tags=["标签"])
            give(org.bob, q, "A")
            favorite_toggle(staff=org.bob, question=q)

    client = as_(org.bob)
    fill(3)
    url = practice_url(mode, bank="CITY")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    fill(57)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_home_and_lists_queries_do_not_grow(org, as_, bank, django_assert_num_queries):
    client = as_(org.bob)

    def fill(n):
        for _ in range(n):
            q = make_question(bank)
            give(org.bob, q, "A")
            favorite_toggle(staff=org.bob, question=q)

    fill(3)
    counts = {}
    for url in (reverse("staff:learn"), reverse("learning:wrong_book"), reverse("learning:favorites"),
                reverse("learning:topics")):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts[url] = len(ctx.captured_queries)
    fill(30)
    for url, n in counts.items():
        with django_assert_num_queries(n):
            client.get(url)


def test_answer_queries_do_not_depend_on_the_bank_size(org, as_, bank, django_assert_num_queries):
    client = as_(org.bob)
    qs = [make_question(bank) for _ in range(3)]
    post_answer(client, "random", qs[0], "B")
    with CaptureQueriesContext(connection) as small:
        post_answer(client, "random", qs[1], "B")
    for _ in range(40):
        make_question(bank)
    with django_assert_num_queries(len(small.captured_queries)):
        post_answer(client, "random", qs[2], "B")
    assert ReviewCard.objects.filter(staff=org.bob).count() == 3
