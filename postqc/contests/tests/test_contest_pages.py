"""The 竞赛 tab and a competition on the staff H5 and the API: who sees what, starting with the
device cookie, the result as the reveal setting allows, certificates; and the 首页's figures."""
import datetime as dt
import json
import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from postqc.api.services import token_issue
from postqc.contests import integrity
from postqc.contests.models import Attempt, AttemptItem, BoardEntry
from postqc.contests.services import attempt_answer, attempt_start, attempt_submit, exam_publish, to_displayed_keys
from postqc.learning.tests.factories import make_question

from .conftest import T0
from .test_api import assert_no_answers

HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


def take(exam, person, *, start=T0, seconds=300, right=5):
    """An attempt with the first `right` questions answered right and the rest left blank."""
    attempt, _ = attempt_start(exam=exam, staff=person, at=start)
    for item in attempt.items.select_related("version").filter(position__lte=right):
        attempt_answer(attempt=attempt, position=item.position, response=to_displayed_keys(item, item.version.answer),
                       client_id=uuid.uuid4(), at=start + MINUTE)
    return attempt_submit(attempt=attempt, at=start + dt.timedelta(seconds=seconds))


def finished(make_contest, **settings):
    """A competition that ran from T0 − 5 h to T0 − 1 h (published before it opened)."""
    contest = make_contest(publish=False, opens_at=T0 - 5 * HOUR, closes_at=T0 - HOUR, **settings)
    return exam_publish(exam=contest, actor=contest.created_by, at=T0 - 6 * HOUR)


# --- The 竞赛 tab ----------------------------------------------------------------------------------------


def test_the_tab_lists_open_upcoming_and_finished_with_my_standing(org, as_, make_contest, make_exam):
    make_exam(title="模拟考试不在这里")
    make_contest(title="进行中的竞赛", closes_at=T0 + 2 * HOUR)
    make_contest(title="下周的竞赛", opens_at=T0 + 3 * 24 * HOUR + 90 * MINUTE, closes_at=T0 + 4 * 24 * HOUR)
    over = finished(make_contest, title="去年的竞赛")
    for person, right in ((org.dave, 5), (org.bob, 3), (org.erin, 4)):
        take(over, person, start=T0 - 4 * HOUR, right=right)
    make_contest(title="蛟河的竞赛", unit=org.jh, actor=org.charlie)
    page = as_(org.bob).get(reverse("staff:contests"))
    html = page.content.decode()
    assert page.status_code == 200
    assert [t for t in ("进行中的竞赛", "下周的竞赛", "去年的竞赛") if t in html] == ["进行中的竞赛", "下周的竞赛", "去年的竞赛"]
    assert "模拟考试不在这里" not in html and "蛟河的竞赛" not in html
    # The countdown starts from the server's clock: 3 days 1 h 30 min.
    assert f'data-opens-in="{3 * 86400 + 5400}"' in html and "3 天 01:30:00" in html
    assert "6 分 · 第 3 名" in html
    assert 'href="/m/contests/" class="tab active"' in html


def test_the_tab_says_plainly_when_there_is_nothing(org, as_):
    assert "目前没有你可以参加的竞赛或考试。" in as_(org.bob).get(reverse("staff:contests")).content.decode()


def test_the_tab_has_constant_queries(org, as_, make_contest, django_assert_max_num_queries):
    client = as_(org.bob)
    make_contest()
    client.get(reverse("staff:contests"))
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("staff:contests"))
    for n in range(3):
        take(finished(make_contest, title=f"旧{n}"), org.bob, start=T0 - 4 * HOUR)
        make_contest(title=f"新{n}", opens_at=T0 + HOUR, closes_at=T0 + 2 * HOUR)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("staff:contests"))


# --- One competition -------------------------------------------------------------------------------------


def test_someone_outside_the_audience_gets_a_404_on_page_start_and_api(org, as_, client, make_contest):
    contest = make_contest(audience_roles=["courier"])
    bob = as_(org.bob)
    assert bob.get(reverse("contests:contest", args=[contest.code])).status_code == 404
    assert bob.post(reverse("contests:contest_start", args=[contest.code])).status_code == 404
    headers = {"Authorization": f"Bearer {token_issue(staff=org.bob, label='t')[0]}"}
    assert client.get(f"/api/v1/exams/{contest.code}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/exams/{contest.code}/attempts", headers=headers).status_code == 404
    assert client.get("/api/v1/exams", {"kind": "contest"}, headers=headers).json() == []
    assert not Attempt.objects.exists()


def test_starting_sets_the_device_cookie_and_records_the_device(org, as_, make_contest):
    contest = make_contest(attempts_allowed=2)
    client = as_(org.bob)
    response = client.post(reverse("contests:contest_start", args=[contest.code]))
    attempt = Attempt.objects.get(staff=org.bob)
    assert response["Location"] == reverse("contests:attempt", args=[attempt.code])
    cookie = response.cookies[integrity.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert len(attempt.device_hash) == 64 and cookie.value not in attempt.device_hash
    attempt_submit(attempt=attempt)
    again = client.post(reverse("contests:contest_start", args=[contest.code]))
    second = Attempt.objects.filter(staff=org.bob).latest("number")
    assert integrity.DEVICE_COOKIE not in again.cookies and second.device_hash == attempt.device_hash


def test_the_page_of_an_upcoming_competition_counts_down_and_offers_no_start(org, as_, make_contest):
    contest = make_contest(opens_at=T0 + 2 * HOUR, closes_at=T0 + 3 * HOUR)
    html = as_(org.bob).get(reverse("contests:contest", args=[contest.code])).content.decode()
    assert 'data-opens-in="7200"' in html and "距开始还有" in html
    assert reverse("contests:contest_start", args=[contest.code]) not in html
    response = as_(org.bob).post(reverse("contests:contest_start", args=[contest.code]))
    assert response["Location"] == reverse("contests:contest", args=[contest.code])
    assert not Attempt.objects.exists()


def test_the_attempt_pages_are_the_mock_exams_with_the_contest_tab(org, as_, make_contest):
    contest = make_contest()
    client = as_(org.bob)
    client.post(reverse("contests:contest_start", args=[contest.code]))
    attempt = Attempt.objects.get(staff=org.bob)
    html = client.get(reverse("contests:attempt", args=[attempt.code])).content.decode()
    assert html.count("data-exam-item") == 5 and 'href="/m/contests/" class="tab active"' in html
    assert f'class="back" href="{reverse("contests:contest", args=[contest.code])}"' in html
    for item in attempt.items.select_related("version"):
        assert item.version.explanation not in html


def test_paper_sections_are_numbered_as_the_readers_language_counts(org, as_, make_exam):
    exam = make_exam(kind="mock")  # single, multiple, true/false and fill: four sections
    client = as_(org.bob)
    client.post(reverse("contests:mock_start", args=[exam.code]))
    page = reverse("contests:attempt", args=[Attempt.objects.get(staff=org.bob).code])
    chinese = re.findall(r'<h3 class="exam-section">(.*?)</h3>', client.get(page).content.decode())
    client.post("/i18n/setlang/", {"language": "en", "next": page})
    english = re.findall(r'<h3 class="exam-section">(.*?)</h3>', client.get(page).content.decode())
    assert [h.split("、")[0] for h in chinese] == ["一", "二", "三", "四"]
    assert [h.split(". ")[0] for h in english] == ["1", "2", "3", "4"]


def test_a_never_revealing_contest_result_shows_the_score_but_no_right_or_wrong(org, as_, make_contest):
    contest = make_contest(reveal="never")
    attempt = take(contest, org.bob, right=2)
    html = as_(org.bob).get(reverse("contests:result", args=[attempt.code])).content.decode()
    assert "<b>4</b> / 10" in html and "本场不公布每题对错、正确答案和解析" in html
    assert "答对</span>" not in html and "答错" not in html and "is-right" not in html and "is-wrong" not in html
    assert "result-grid" not in html and "正确答案：" not in html
    assert "本次成绩计入排名" in html and "第 <b>1</b> 名" in html


def test_the_result_says_when_another_attempt_counts(org, as_, make_contest):
    contest = make_contest(attempts_allowed=2, counting="best")
    take(contest, org.bob, right=4)
    worse = take(contest, org.bob, start=T0 + HOUR, right=1)
    html = as_(org.bob).get(reverse("contests:result", args=[worse.code])).content.decode()
    assert "计入排名的是你的另一次作答（8 分）" in html


def test_the_api_result_of_a_contest_carries_no_marks_before_the_reveal(org, client, make_contest, bank):
    for q in bank.questions.all():
        q.current.explanation = f"解析：第 {q.pk} 题。"
        q.current.save(update_fields=["explanation"])
    contest = make_contest(reveal="after_close", closes_at=T0 + HOUR)
    headers = {"Authorization": f"Bearer {token_issue(staff=org.bob, label='t')[0]}"}
    listed = client.get("/api/v1/exams", {"kind": "contest"}, headers=headers)
    one = client.get(f"/api/v1/exams/{contest.code}", headers=headers)
    started = client.post(f"/api/v1/exams/{contest.code}/attempts", headers=headers)
    code = started.json()["code"]
    attempt = Attempt.objects.get(code=code)
    item = AttemptItem.objects.select_related("version").get(attempt=attempt, position=1)
    saved = client.put(f"/api/v1/attempts/{code}/items/1", json.dumps(
        {"response": to_displayed_keys(item, item.version.answer), "client_id": str(uuid.uuid4())}),
        content_type="application/json", headers=headers)
    submitted = client.post(f"/api/v1/attempts/{code}/submit", headers=headers)
    result = client.get(f"/api/v1/attempts/{code}/result", headers=headers)
    for response in (listed, one, started, saved):
        assert response.status_code in (200, 201)
        assert_no_answers(response.json(), attempt)
    body = result.json()
    assert submitted.json() == body
    assert (body["score"], body["revealed"], body["marked"], body["counted"], body["rank"]) == (
        2, False, False, True, 1)
    assert all(i["is_correct"] is None and i["answer"] is None and i["explanation"] is None for i in body["items"])
    assert one.json()["organiser"] == "吉林市分公司" and one.json()["kind"] == "contest"
    assert client.get(f"/api/v1/exams/{contest.code}", headers=headers).json()["my_rank"] == 1


# --- Certificates -----------------------------------------------------------------------------------------------


def test_a_prize_winner_prints_their_certificate_and_others_get_a_404(org, as_, make_contest):
    contest = finished(make_contest, title="2018年普遍服务知识竞赛", prize_people=2)
    take(contest, org.erin, start=T0 - 4 * HOUR, right=5, seconds=200)
    take(contest, org.bob, start=T0 - 4 * HOUR, right=5, seconds=300)
    take(contest, org.dave, start=T0 - 4 * HOUR, right=1)
    url = reverse("contests:my_certificate", args=[contest.code])
    html = as_(org.erin).get(url).content.decode()
    assert "荣誉证书" in html and "艾琳" in html and "蛟河市分公司 黄松甸支局" in html and "第一名" in html
    assert "在2018年普遍服务知识竞赛中成绩优异" in html and "吉林市分公司" in html
    assert "二〇二六年三月二日" in html  # the close: T0 − 1 h, a Monday in March 2026
    assert "第二名" in as_(org.bob).get(url).content.decode()
    assert as_(org.dave).get(url).status_code == 404
    detail = as_(org.erin).get(reverse("contests:contest", args=[contest.code])).content.decode()
    assert url in detail


def test_no_certificate_while_the_competition_runs(org, as_, make_contest):
    contest = make_contest(prize_people=3)
    take(contest, org.bob)
    assert as_(org.bob).get(reverse("contests:my_certificate", args=[contest.code])).status_code == 404


# --- 首页 -----------------------------------------------------------------------------------------------------


def test_home_shows_todays_reviews_where_practice_resumes_and_open_competitions(org, as_, make_contest, bank):
    from postqc.learning.models import PracticeCursor, ReviewCard

    make_contest(title="A")
    make_contest(title="B", audience_roles=["clerk"])
    make_contest(title="C", audience_roles=["courier"])  # not for bob
    make_contest(title="D", opens_at=T0 + HOUR, closes_at=T0 + 2 * HOUR)  # not open yet
    question = make_question(bank, type="single")
    ReviewCard.objects.create(staff=org.bob, question=question, due=T0 - HOUR)
    PracticeCursor.objects.create(staff=org.bob, bank=bank, last_question=question)
    html = as_(org.bob).get(reverse("staff:home")).content.decode()
    assert re.search(r"今日复习</span><span class=\"home-tile-value\"><b>1</b>", html)
    assert re.search(r"进行中的竞赛</span><span class=\"home-tile-value\"><b>2</b>", html)
    assert "2 场进行中" in html
    assert f"{reverse('learning:practice', args=['sequential'])}?bank={bank.code}" in html and bank.name in html


def test_home_has_a_few_queries_however_many_competitions(org, as_, make_contest, django_assert_max_num_queries):
    client = as_(org.bob)
    client.get(reverse("staff:home"))
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("staff:home"))
    for n in range(4):
        make_contest(title=f"竞赛{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("staff:home")).content.decode()
    assert "4 场进行中" in html


@pytest.mark.parametrize("counting, expected", [("best", Decimal("10.00")), ("last", Decimal("4.00"))])
def test_the_board_counts_by_the_competitions_rule(org, make_contest, counting, expected):
    contest = make_contest(attempts_allowed=2, counting=counting)
    take(contest, org.bob, right=5)
    take(contest, org.bob, start=T0 + HOUR, right=2)
    assert BoardEntry.objects.get(exam=contest, staff=org.bob).score == expected
