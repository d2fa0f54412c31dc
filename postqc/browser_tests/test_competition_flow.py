"""A clerk takes a competition on a phone: the 竞赛 tab, start, answer, submit, the result."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from postqc.contests.integrity import DEVICE_COOKIE
from postqc.contests.models import Attempt, AttemptItem, BoardEntry
from postqc.contests.services import exam_create, to_displayed_keys
from postqc.learning.tests.factories import make_bank, make_question

pytestmark = pytest.mark.browser


def expect():
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def contest(org):
    """A city competition open now on 6 reserved questions (4 单选 answered 乙, 2 判断 answered 对),
    never revealing answers, so the result must not give away right and wrong either."""
    bank = make_bank(org.jls, code="JLS-PF")
    for _ in range(4):
        make_question(bank, type="single", answer=("B",), pool="reserved")
    for _ in range(2):
        make_question(bank, type="true_false", answer=("T",), pool="reserved")
    now = timezone.now()
    return exam_create(
        kind="contest", title="普遍服务知识竞赛", unit=org.jls, time_limit_seconds=600, actor=org.sam, publish=True,
        rules=[{"question_type": "single", "count": 4, "points": 5}, {"question_type": "true_false", "count": 2,
                                                                       "points": 5}],
        opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=1), reveal="never",
        attempts_allowed=1, prize_people=3)


def test_a_clerk_takes_a_competition_from_the_tab_to_the_result(phone, sign_in, live_server, org, contest):
    sign_in(phone, "B001", org.password)
    phone.goto(f"{live_server.url}/m/contests/")
    card = phone.locator(".mock-card", has_text="普遍服务知识竞赛")
    expect()(card).to_contain_text("6 题 · 10 分钟 · 满分 30")
    phone.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="开始答题").tap()
    expect()(phone).to_have_url(re.compile(r"/m/attempts/[0-9a-f-]+/$"))
    attempt = Attempt.objects.get(staff=org.bob, exam=contest)
    assert len(attempt.device_hash) == 64
    assert any(c["name"] == DEVICE_COOKIE and c["httpOnly"] for c in phone.context.cookies())

    first = AttemptItem.objects.select_related("version").get(attempt=attempt, position=1)
    right = to_displayed_keys(first, first.version.answer)[0]
    phone.locator("#q-1 label.exam-opt", has_text=re.compile(f"^{right}")).tap()
    expect()(phone.locator("#q-1 .exam-saved")).to_have_text("已保存")
    phone.locator("#q-5 label.exam-opt", has_text="错").tap()  # a 判断 answered wrong
    expect()(phone.locator("#q-5 .exam-saved")).to_have_text("已保存")
    expect()(phone.locator("#answered-count")).to_have_text("2")
    expect()(phone.locator("a.tab.active")).to_have_text("竞赛")

    phone.once("dialog", lambda dialog: dialog.accept())
    phone.locator(".exam-bar").get_by_role("button", name="交卷").tap()
    expect()(phone).to_have_url(re.compile(r"/result/$"))
    expect()(phone.locator(".score-value b")).to_have_text("5")
    expect()(phone.locator(".contest-standing")).to_contain_text("本次成绩计入排名")
    expect()(phone.locator(".contest-standing b")).to_have_text("1")
    expect()(phone.locator(".notice")).to_contain_text("本场不公布每题对错")
    # Neither the marks nor the answers: a 判断 marked wrong would tell its answer.
    assert phone.locator(".result-grid, .is-right, .is-wrong, .review-answer").count() == 0
    expect()(phone.locator("#q-5")).to_contain_text("我的答案：错")
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.score == 5
    assert BoardEntry.objects.get(exam=contest, staff=org.bob).attempt_id == attempt.pk

    phone.goto(f"{live_server.url}/m/contests/")
    expect()(phone.locator(".mock-card", has_text="普遍服务知识竞赛")).to_contain_text("当前成绩 5 分 · 第 1 名")
