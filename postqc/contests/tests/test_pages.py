"""模拟考试 on the staff H5: the list, the attempt page (no answers in it), saving, submitting, the result."""
import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse

from postqc.contests.models import Attempt, AttemptItem
from postqc.contests.services import attempt_answer, attempt_start, attempt_submit, to_displayed_keys
from postqc.learning.tests.factories import make_clause, make_question

from .conftest import T0

MINUTE = dt.timedelta(minutes=1)


def start(client, exam):
    response = client.post(reverse("contests:mock_start", args=[exam.code]))
    assert response.status_code == 302, response.content
    return Attempt.objects.latest("pk"), response


def answer_texts(attempt) -> set[str]:
    """Everything that would give an answer away: 解析, accepted 填空 texts."""
    texts = set()
    for item in attempt.items.select_related("version"):
        texts.add(item.version.explanation)
        if item.version.type == "fill":
            texts.update(item.version.answer)
    return texts


def test_the_mock_list_shows_my_exams_with_best_score_and_attempts(org, as_, mock_exam, make_exam):
    make_exam(title="蛟河模拟", unit=org.jh, actor=org.charlie)  # another county's: not for bob
    attempt, _ = attempt_start(exam=mock_exam, staff=org.bob, at=T0 - 60 * MINUTE)
    attempt_submit(attempt=attempt, at=T0 - 50 * MINUTE)
    response = as_(org.bob).get(reverse("contests:mock_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "普遍服务知识模拟考试" in html and "蛟河模拟" not in html
    assert "13 题 · 30 分钟 · 满分 26" in html
    assert "最好成绩 <b>0</b> 分" in html and "已考 1 次，不限次数" in html
    assert "再考一次" in html
    assert reverse("contests:result", args=[attempt.code]) in html


def test_the_mock_list_has_constant_queries(org, as_, make_exam, django_assert_max_num_queries):
    client = as_(org.bob)
    make_exam()
    client.get(reverse("contests:mock_list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("contests:mock_list"))
    for n in range(4):
        exam = make_exam(title=f"模拟{n}")
        a, _ = attempt_start(exam=exam, staff=org.bob)
        attempt_submit(attempt=a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("contests:mock_list"))


def test_starting_opens_the_attempt_page_without_any_answer_in_it(org, as_, bank, make_exam):
    clause = make_clause(org.jls, code="YZF-9")
    for q in bank.questions.all():
        q.current.clauses.add(clause)
    exam = make_exam(rules=[{"question_type": "single", "count": 12, "points": 1},
                            {"question_type": "fill", "count": 6, "points": 1}])
    client = as_(org.bob)
    attempt, response = start(client, exam)
    assert response["Location"] == reverse("contests:attempt", args=[attempt.code])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-exam-item') == 18
    for text in answer_texts(attempt):
        assert text not in html
    assert "YZF-9" not in html and "is_correct" not in html and "正确答案" not in html
    assert 'data-remaining="1800"' in html
    assert "<script>" not in html and "style=" not in html  # strict CSP


def test_the_attempt_page_shows_options_in_the_persons_order(org, as_, make_exam):
    exam = make_exam(rules=[{"question_type": "single", "count": 3, "points": 1}])
    client = as_(org.bob)
    attempt, response = start(client, exam)
    html = client.get(response["Location"]).content.decode()
    item = attempt.items.select_related("version").get(position=1)
    shown = [item.version.options[i] for i in item.option_order]
    first = html[html.index('id="q-1"'):html.index('id="q-2"')]
    positions = [first.index(f'<span class="exam-opt-text">{text}</span>') for text in shown]
    assert positions == sorted(positions)


def test_an_answer_is_saved_through_htmx_and_comes_back_small_without_correctness(org, as_, mock_exam):
    client = as_(org.bob)
    attempt, _ = start(client, mock_exam)
    url = reverse("contests:attempt_answer", args=[attempt.code, 1])
    client_id = str(uuid.uuid4())
    response = client.post(url, {"response": ["A"], "client_id": client_id}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and len(response.content) < 2000
    assert "已保存" in body and 'id="answered-count"' in body and "正确" not in body and "错" not in body
    item = AttemptItem.objects.select_related("version").get(attempt=attempt, position=1)
    assert to_displayed_keys(item, item.response) == ["A"]
    # The same answer resent after a dropped connection is recognised.
    again = client.post(url, {"response": ["B"], "client_id": client_id}, headers={"HX-Request": "true"})
    assert again.status_code == 200
    assert to_displayed_keys(item, AttemptItem.objects.get(pk=item.pk).response) == ["A"]


def test_an_answer_posted_as_a_plain_form_returns_to_the_question(org, as_, make_exam):
    exam = make_exam(rules=[{"question_type": "fill", "count": 2, "points": 1}])
    client = as_(org.bob)
    attempt, _ = start(client, exam)
    response = client.post(reverse("contests:attempt_answer", args=[attempt.code, 2]),
                           {"response": "挂号信", "client_id": str(uuid.uuid4())})
    assert response.status_code == 302 and response["Location"].endswith("#q-2")
    assert AttemptItem.objects.get(attempt=attempt, position=2).response == ["挂号信"]


def test_an_answer_after_the_time_is_up_sends_the_page_to_the_result(org, as_, mock_exam, frozen):
    client = as_(org.bob)
    attempt, _ = start(client, mock_exam)
    frozen.move_to(T0 + 31 * MINUTE)
    response = client.post(reverse("contests:attempt_answer", args=[attempt.code, 1]),
                           {"response": ["A"], "client_id": str(uuid.uuid4())}, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("contests:result", args=[attempt.code])
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.EXPIRED


def test_opening_an_attempt_whose_time_is_over_submits_it_and_shows_the_result(org, as_, mock_exam, frozen):
    client = as_(org.bob)
    attempt, _ = start(client, mock_exam)
    frozen.move_to(T0 + 40 * MINUTE)
    response = client.get(reverse("contests:attempt", args=[attempt.code]))
    assert response.status_code == 302 and response["Location"] == reverse("contests:result", args=[attempt.code])
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.EXPIRED and attempt.submitted_at == attempt.deadline


def test_starting_again_resumes_the_attempt_in_progress(org, as_, mock_exam):
    client = as_(org.bob)
    attempt, _ = start(client, mock_exam)
    again = client.post(reverse("contests:mock_start", args=[mock_exam.code]), follow=True)
    assert again.redirect_chain[-1][0] == reverse("contests:attempt", args=[attempt.code])
    assert "继续上次未交卷的作答" in again.content.decode()
    assert Attempt.objects.count() == 1


def test_submitting_shows_the_result_with_answers_and_explanations_after_submit(org, as_, make_exam):
    clause = make_clause(org.jls, code="YZF-9", heading="第九条")
    exam = make_exam(reveal="after_submit", pass_score=10)
    client = as_(org.bob)
    attempt, _ = start(client, exam)
    item = attempt.items.select_related("version").get(position=1)
    item.version.clauses.add(clause)
    attempt_answer(attempt=attempt, position=1, response=to_displayed_keys(item, ["B"]), client_id=uuid.uuid4())
    response = client.post(reverse("contests:attempt_submit", args=[attempt.code]), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("contests:result", args=[attempt.code])
    assert "<b>2</b> / 26" in html and "未及格（10 分及格）" in html
    assert "正确答案：" in html and "因为规定如此。" in html
    assert reverse("standards:clause", args=["YZF-9"]) in html and "第九条" in html
    assert html.count('class="right"') == 1 and html.count('class="wrong"') == 12


@pytest.mark.parametrize("reveal", ["never", "after_close"])
def test_the_result_page_keeps_answers_back_when_the_exam_says_so(org, as_, make_exam, reveal, frozen):
    exam = make_exam(reveal=reveal, opens_at=T0 - 60 * MINUTE, closes_at=T0 + 120 * MINUTE)
    client = as_(org.bob)
    attempt, _ = start(client, exam)
    client.post(reverse("contests:attempt_submit", args=[attempt.code]))
    html = client.get(reverse("contests:result", args=[attempt.code])).content.decode()
    assert "正确答案：" not in html
    for text in answer_texts(attempt):
        assert text not in html
    frozen.move_to(T0 + 121 * MINUTE)
    html = client.get(reverse("contests:result", args=[attempt.code])).content.decode()
    assert ("正确答案：" in html) is (reveal == "after_close")


def test_someone_elses_attempt_is_not_found(org, as_, mock_exam):
    attempt, _ = attempt_start(exam=mock_exam, staff=org.alice)
    client = as_(org.charlie)
    for name in ("contests:attempt", "contests:result"):
        assert client.get(reverse(name, args=[attempt.code])).status_code == 404
    assert client.post(reverse("contests:attempt_submit", args=[attempt.code])).status_code == 404
    assert client.post(reverse("contests:attempt_answer", args=[attempt.code, 1]),
                       {"response": ["A"], "client_id": str(uuid.uuid4())}).status_code == 404
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.IN_PROGRESS


def test_a_county_mock_exam_cannot_be_started_from_another_county(org, as_, make_exam):
    exam = make_exam(unit=org.jh, actor=org.charlie)
    assert as_(org.bob).post(reverse("contests:mock_start", args=[exam.code])).status_code == 404
    assert not Attempt.objects.exists()


def test_when_attempts_are_used_up_the_list_says_so_and_starting_is_refused(org, as_, make_exam):
    exam = make_exam(attempts_allowed=1)
    client = as_(org.bob)
    attempt, _ = start(client, exam)
    client.post(reverse("contests:attempt_submit", args=[attempt.code]))
    html = client.get(reverse("contests:mock_list")).content.decode()
    assert "作答次数已用完" in html
    response = client.post(reverse("contests:mock_start", args=[exam.code]), follow=True)
    assert "用完这场考试的 1 次作答机会" in response.content.decode()
    assert Attempt.objects.count() == 1


def test_a_45_question_paper_page_stays_light(org, as_, bank, make_exam):
    for _ in range(30):
        make_question(bank, type="single", stem="邮政企业对信件、单件重量不超过五千克的印刷品和单件重量不超过十千克"
                                                "的包裹的寄递应当提供哪一种服务？", answer=("B",))
    exam = make_exam(rules=[{"question_type": "single", "count": 20, "points": 2},
                            {"question_type": "multiple", "count": 8, "points": 3},
                            {"question_type": "true_false", "count": 8, "points": 1},
                            {"question_type": "fill", "count": 6, "points": 2}])
    client = as_(org.bob)
    _, response = start(client, exam)
    page = client.get(response["Location"])
    assert page.content.decode().count("data-exam-item") == 42
    assert len(page.content) < 55_000
    assert re.search(r'<script src="/static/contests/exam.js" defer>', page.content.decode())
