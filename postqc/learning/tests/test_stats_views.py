"""The statistics pages: scoped to the manager's subtree, Excel exports, constant query counts, and the
person's own figures on 我的 and /m/learn/stats/. The example is test_stats.py's (the `world` fixture)."""
import datetime as dt
import io
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from postqc.learning.practice import answer_submit
from postqc.org.roles import Role
from postqc.org.services import staff_create, unit_create

from . import test_stats
from .factories import make_bank, make_question
from .test_stats import NOW

world = test_stats.world  # the example, as a fixture

STATS = "/manage/learning/stats/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def xlsx_rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


# --- Who sees what ---------------------------------------------------------------------------------------


def test_staff_without_the_manager_role_cannot_open_the_statistics(as_, world):
    assert as_(world.org.bob).get(STATS).status_code == 403


def test_a_manager_sees_their_subtree_and_picks_units_only_inside_it(as_, world):
    client = as_(world.org.alice)
    page = client.get(STATS).content.decode()
    assert "北京路支局" in page and "蛟河" not in page
    assert 'value="CY-BJL"' in page and 'value="JH"' not in page
    assert client.get(STATS, {"unit": "CY-BJL"}).status_code == 200
    assert client.get(STATS, {"unit": "JH"}).status_code == 404
    assert client.get(STATS + "clauses/", {"unit": "JH"}).status_code == 404
    assert client.get(STATS, {"unit": "NOPE"}).status_code == 404


def test_charlie_cannot_see_chuanying_by_any_page(as_, world):
    client = as_(world.org.charlie)
    for path in ("", "clauses/", "recall/", "items/", f"items/{world.bank.code}/"):
        assert client.get(STATS + path, {"unit": "CY"}).status_code == 404, path
        assert client.get(STATS + path, {"unit": "JH"}).status_code == 200, path


def test_the_overview_shows_the_hand_computed_participation(as_, world):
    page = as_(world.org.alice).get(STATS).content.decode()
    assert "25%" in page and "38%" in page and "70%" in page  # 2/8 active in 7 days, 3/8 in 30, accuracy 7/10
    assert "本级人员" in page


def test_item_analysis_lists_the_bank_and_links_questions_only_of_own_banks(as_, world):
    client = as_(world.org.alice)
    assert world.bank.code in client.get(STATS + "items/").content.decode()
    page = client.get(STATS + f"items/{world.bank.code}/").content.decode()
    assert world.q[0].code in page and "4 人的 12 次首次作答" in page
    assert f"/manage/learning/questions/{world.q[0].code}/" not in page  # the city's bank is not managed by 船营
    own = make_bank(world.org.cy, code="CYB")
    q = make_question(own)
    answer_submit(staff=world.p1, question=q, response=["B"], mode="sequential", client_id=uuid.uuid4(), at=NOW)
    page = client.get(STATS + "items/CYB/").content.decode()
    assert f"/manage/learning/questions/{q.code}/" in page
    assert as_(world.org.charlie).get(STATS + "items/CYB/").status_code == 404


def test_the_flagged_filter_keeps_only_flagged_items(as_, world, monkeypatch):
    from postqc.learning import stats

    monkeypatch.setattr(stats.items, "ITEM_MIN_N", 4)  # where item_flags reads it
    page = as_(world.org.alice).get(STATS + f"items/{world.bank.code}/", {"flagged": "1"}).content.decode()
    assert world.q[0].code in page and world.q[2].code in page and world.q[1].code not in page
    assert "区分度为负" in page


def test_the_weakest_clauses_and_recall_pages_show_clauses_with_links_to_their_text(as_, world):
    client = as_(world.org.alice)
    weakest = client.get(STATS + "clauses/").content.decode()
    assert "近 90 天" in weakest and "FWGF-1.1" not in weakest  # 5 answers are fewer than 20
    recall = client.get(STATS + "recall/").content.decode()
    assert "第一章 营业时间" in recall and 'href="/m/standards/clause/FWGF-1.1/"' in recall


# --- Excel ---------------------------------------------------------------------------------------------------


def test_each_table_exports_to_excel(as_, world):
    client = as_(world.org.alice)
    rows = xlsx_rows(client.get(STATS, {"format": "xlsx"}))
    assert rows[0][:4] == ("单位", "在职人数", "近7天活跃", "近7天参与率(%)")
    assert rows[1][:3] == ("北京路支局", 6, 1) and rows[-1][:3] == ("合计", 8, 2)
    assert rows[-1][-1] == 70
    recall = xlsx_rows(client.get(STATS + "recall/", {"format": "xlsx"}))
    assert [r[2] for r in recall[1:]] == ["FWGF-1.1", "FWGF-1.2", "FWGF-2.3"]
    items = xlsx_rows(client.get(STATS + f"items/{world.bank.code}/", {"format": "xlsx"}))
    assert items[1][0] == world.q[0].code and items[1][4:7] == (4, 3, 75)
    weakest = xlsx_rows(client.get(STATS + "clauses/", {"format": "xlsx"}))
    assert weakest[0][0] == "条款编码" and len(weakest) == 1


# --- Cost ------------------------------------------------------------------------------------------------------


def test_the_overview_costs_the_same_queries_as_staff_and_answers_grow(as_, world):
    client = as_(world.org.alice)
    with CaptureQueriesContext(connection) as small:
        assert client.get(STATS).status_code == 200
    extra = unit_create(code="CY-NEW", name="新支局", kind="branch", parent=world.org.cy)
    for n in range(12):
        person = staff_create(employee_no=f"N{n:03d}", name=f"新{n}", unit=extra if n % 2 else world.org.cy_td,
                              roles=[Role.COURIER], password="x-Pass-123456")
        for q in world.q:
            answer_submit(staff=person, question=q, response=["B"], mode="random", client_id=uuid.uuid4(),
                          at=NOW - dt.timedelta(days=n))
    with CaptureQueriesContext(connection) as large:
        page = client.get(STATS)
    assert "新支局" in page.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)


# --- The person's own ---------------------------------------------------------------------------------------------


def test_me_shows_my_practice_and_links_to_my_statistics(as_, world):
    page = as_(world.p2).get("/m/me/").content.decode()
    assert "我的练习" in page and "本周已练 0 题 / 目标 100 题" in page
    assert 'href="/m/learn/stats/"' in page
    assert "已练 3/3 题" in page


def test_my_statistics_page_shows_chapters_and_weeks(as_, world):
    page = as_(world.p2).get("/m/learn/stats/").content.decode()
    assert "第一章 营业时间" in page and "第二章 查询与赔偿" in page
    assert "67%" in page  # 2 of 3 right
    assert page.count("<progress") == 1 + 8  # the goal and eight weeks


def test_my_statistics_are_mine_only(as_, world):
    page = as_(world.org.bob).get("/m/learn/stats/").content.decode()
    assert "第一章 营业时间" not in page and "未练习" in page
