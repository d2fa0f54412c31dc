"""Manager pages of 竞赛 and 考试: setting one up, editing, the results table and its export,
certificates, item analysis — each scoped to the manager's subtree."""
import datetime as dt
import io
import uuid

from django.urls import reverse
from openpyxl import load_workbook

from postqc.contests.models import Attempt, Exam, IntegrityFlag
from postqc.contests.services import attempt_answer, attempt_start, attempt_submit, exam_publish, to_displayed_keys

from .conftest import T0

NEW = reverse("contests_manage:competition_create")
LIST = reverse("contests_manage:competition_list")
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


def form_data(unit_code="JLS", rules=(("single", 5, 2),), **overrides):
    data = {
        "kind": "contest", "title": "船营区知识竞赛", "description": "", "unit": unit_code,
        "opens_at": "2026-03-02T08:00", "closes_at": "2026-03-09T20:00", "time_limit_minutes": "20",
        "invitees": "", "attempts_allowed": "1", "counting": "best", "reveal": "after_close", "pass_score": "6",
        "paper_mode": "per_person", "shuffle_questions": "on", "shuffle_options": "on", "prize_people": "3",
        "prize_units": "1", "publish": "on",
        "rules-TOTAL_FORMS": "8", "rules-INITIAL_FORMS": "0", "rules-MIN_NUM_FORMS": "8", "rules-MAX_NUM_FORMS": "8",
    }
    for i in range(8):
        kind, count, points = rules[i] if i < len(rules) and rules[i] else ("", "", "")
        data.update({f"rules-{i}-question_type": kind, f"rules-{i}-count": count, f"rules-{i}-points": points,
                     f"rules-{i}-bank": "", f"rules-{i}-tag": "", f"rules-{i}-clause": "", f"rules-{i}-pool": "",
                     f"rules-{i}-difficulty_min": "1", f"rules-{i}-difficulty_max": "5"})
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def take(exam, person, *, start, right, seconds=300, wrong_key=None):
    """An attempt: the first `right` questions right, the others answered with the option whose
    ORIGINAL key is `wrong_key` (in whatever order the person saw it), or left blank."""
    attempt, _ = attempt_start(exam=exam, staff=person, at=start)
    for item in attempt.items.select_related("version").order_by("position"):
        if item.position <= right:
            response = to_displayed_keys(item, item.version.answer)
        elif wrong_key:
            response = to_displayed_keys(item, [wrong_key])
        else:
            continue
        attempt_answer(attempt=attempt, position=item.position, response=response, client_id=uuid.uuid4(),
                       at=start + MINUTE)
    return attempt_submit(attempt=attempt, at=start + dt.timedelta(seconds=seconds))


def finished(make_contest, **settings):
    contest = make_contest(publish=False, opens_at=T0 - 5 * HOUR, closes_at=T0 - HOUR, **settings)
    return exam_publish(exam=contest, actor=contest.created_by, at=T0 - 6 * HOUR)


# --- Who may -------------------------------------------------------------------------------------------------


def test_staff_without_manage_rights_are_refused_and_another_county_gets_a_404(org, as_, make_contest):
    contest = make_contest()
    district = make_contest(title="船营区竞赛", unit=org.cy, actor=org.alice)
    assert as_(org.bob).get(LIST).status_code == 403
    assert as_(org.charlie).get(reverse("contests_manage:competition_detail", args=[contest.code])).status_code == 404
    assert as_(org.charlie).get(reverse("contests_manage:competition_results", args=[district.code])).status_code == 404
    assert as_(org.hank).get(NEW).status_code == 403  # a branch head reads, does not set up
    assert as_(org.hank).get(reverse("contests_manage:competition_items", args=[contest.code])).status_code == 403
    make_contest(title="蛟河竞赛", unit=org.jh, actor=org.charlie)
    html = as_(org.charlie).get(LIST).content.decode()
    own, above = html.split('id="above"')
    assert "蛟河竞赛" in own and "普遍服务知识竞赛" not in own and "普遍服务知识竞赛" in above  # the city's: read only
    assert "船营区竞赛" not in html


# --- Setting up ----------------------------------------------------------------------------------------------


def test_the_create_page_offers_the_usual_competition_paper_from_the_reserved_pool(org, as_, bank):
    html = as_(org.alice).get(NEW).content.decode()
    assert 'name="rules-0-count" value="15"' in html and 'name="rules-3-count" value="5"' in html
    assert "题池默认用竞赛专用题" in html and 'name="audience_roles"' in html and 'name="invitees"' in html


def test_a_quality_manager_sets_up_and_publishes_a_competition(org, as_, bank):
    data = form_data(unit_code="CY", audience_units=["CY-BJL"], audience_roles=["clerk", "courier"],
                     speed_bonus="on")
    response = as_(org.alice).post(NEW, data)
    exam = Exam.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contests_manage:competition_detail", args=[exam.code])
    assert (exam.kind, exam.unit, exam.status, exam.time_limit_seconds, exam.prize_people, exam.speed_bonus) == (
        "contest", org.cy, "published", 1200, 3, True)
    assert list(exam.audience_units.all()) == [org.cy_bjl] and exam.audience_roles == ["clerk", "courier"]
    assert list(exam.rules.values_list("question_type", "count", "pool")) == [("single", 5, "reserved")]
    detail = as_(org.alice).get(response["Location"]).content.decode()
    assert "北京路支局 · 营业员、投递员" in detail and "用时加分" in detail


def test_setup_errors_name_the_field_and_the_rule_line_and_save_nothing(org, as_, bank):
    data = form_data(unit_code="CY", invitees="B001 E001 NOBODY", rules=(("single", 5, 2), None, ("fill", 3, 2)),
                     closes_at="2026-03-01T08:00")
    html = as_(org.alice).post(NEW, data).content.decode()
    assert "工号 E001、NOBODY 不存在或不在本单位管辖范围内。" in html
    data = form_data(unit_code="CY", rules=(("single", 5, 2), None, ("fill", 3, 2)), closes_at="2026-03-01T08:00")
    html = as_(org.alice).post(NEW, data).content.decode()
    assert "第 3 行（填空）：只有 0 道符合条件的可用试题，需要 3 道。" in html  # no reserved 填空
    assert "结束时间应晚于开始时间。" in html and 'class="has-error"' in html
    assert not Exam.objects.exists()


def test_a_competition_with_attempts_is_edited_without_its_paper(org, as_, make_contest):
    contest = make_contest(prize_people=3)
    attempt_start(exam=contest, staff=org.bob, at=T0)
    url = reverse("contests_manage:competition_edit", args=[contest.code])
    page = as_(org.sam).get(url).content.decode()
    assert "已有人作答，抽题规则、答题时长和参赛范围不能再修改。" in page and "rules-TOTAL_FORMS" not in page
    data = form_data(title="知识竞赛（延长）", time_limit_minutes="45", prize_people="5",
                     opens_at=(T0 - HOUR).astimezone().strftime("%Y-%m-%dT%H:%M"),
                     closes_at=(T0 + 2 * 24 * HOUR).astimezone().strftime("%Y-%m-%dT%H:%M"), attempts_allowed="1",
                     reveal="after_submit", pass_score="")
    for key in [k for k in data if k.startswith("rules-")]:
        del data[key]
    html = as_(org.sam).post(url, data).content.decode()
    assert "已有人作答，不能再修改这一项。" in html  # the time allowed
    data["time_limit_minutes"] = str(contest.time_limit_seconds // 60)
    response = as_(org.sam).post(url, data)
    assert response.status_code == 302
    contest.refresh_from_db()
    assert (contest.title, contest.prize_people, contest.closes_at) == ("知识竞赛（延长）", 5, T0 + 48 * HOUR)


# --- Results ---------------------------------------------------------------------------------------------------


def test_the_results_table_ranks_counted_attempts_and_filters(org, as_, make_contest):
    contest = make_contest(pass_score=6)
    take(contest, org.erin, start=T0, right=5, seconds=200)
    take(contest, org.bob, start=T0, right=5, seconds=300)
    flagged = take(contest, org.carl, start=T0, right=2)
    IntegrityFlag.objects.create(attempt=flagged, kind="shared_device")
    attempt_start(exam=contest, staff=org.dave, at=T0)
    client = as_(org.sam)
    url = reverse("contests_manage:competition_results", args=[contest.code])

    def names(**params):
        html = client.get(url, params).content.decode()
        return [n for n in ("艾琳", "鲍勃", "卡尔", "戴维") if n in html], html

    everyone, html = names()
    assert everyone == ["艾琳", "鲍勃", "卡尔", "戴维"] and html.index("艾琳") < html.index("鲍勃") < html.index("卡尔")
    assert names(unit="JH")[0] == ["艾琳", "卡尔"]
    assert names(status="in_progress")[0] == ["戴维"]
    assert names(passed="yes")[0] == ["艾琳", "鲍勃"] and names(passed="no")[0] == ["卡尔"]
    assert names(flagged="yes")[0] == ["卡尔"]
    assert names(q="B001")[0] == ["鲍勃"]
    assert "同一设备多账号" in html
    # a district manager reads the city's competition for their own district's people only
    district = as_(org.alice).get(url).content.decode()
    assert [n for n in ("艾琳", "鲍勃", "卡尔", "戴维") if n in district] == ["鲍勃", "戴维"]


def test_a_competition_organised_above_is_read_for_my_subtree_not_managed(org, as_, make_contest):
    contest = finished(make_contest)  # the city's
    take(contest, org.bob, start=T0 - 4 * HOUR, right=5)
    take(contest, org.erin, start=T0 - 4 * HOUR, right=3)
    client = as_(org.charlie)  # 蛟河's quality manager
    listing = client.get(LIST).content.decode()
    above = listing.split('id="above"')[1]
    assert contest.title in above and reverse("contests_manage:competition_results", args=[contest.code]) in above
    assert '<td class="num">1</td>' in above  # one of 蛟河's people took part (not two)
    url = reverse("contests_manage:competition_results", args=[contest.code])
    html = client.get(url).content.decode()
    assert "艾琳" in html and "鲍勃" not in html
    detail = reverse("contests_manage:competition_detail", args=[contest.code])
    assert f'href="{detail}"' not in html and f"（{org.jls.name}）" in html  # no way to its settings; whose it is
    export = client.get(reverse("contests_manage:competition_results_export", args=[contest.code]))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert any("艾琳" in map(str, row) for row in rows) and not any("鲍勃" in map(str, row) for row in rows)
    for name in ("competition_detail", "competition_edit", "competition_certificates", "competition_items"):
        assert client.get(reverse(f"contests_manage:{name}", args=[contest.code])).status_code == 404, name
    # a draft of the city's, and another county's own competition, stay unseen
    draft = make_contest(publish=False, title="草稿竞赛")
    district = make_contest(unit=org.cy, actor=org.alice, title="船营区竞赛")
    for other in (draft, district):
        assert client.get(reverse("contests_manage:competition_results", args=[other.code])).status_code == 404
    listing = client.get(LIST).content.decode()
    assert "草稿竞赛" not in listing and "船营区竞赛" not in listing


def test_the_results_table_has_constant_queries(org, as_, make_contest, django_assert_max_num_queries):
    contest = make_contest()
    take(contest, org.bob, start=T0, right=3)
    client = as_(org.sam)
    url = reverse("contests_manage:competition_results", args=[contest.code])
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for person in (org.erin, org.carl, org.dave, org.hank):
        take(contest, person, start=T0, right=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_export_is_the_filtered_table_in_rank_order(org, as_, make_contest):
    contest = make_contest(pass_score=6, speed_bonus=True, time_limit_seconds=1000)
    take(contest, org.erin, start=T0, right=5, seconds=500)
    take(contest, org.bob, start=T0, right=2, seconds=600)
    response = as_(org.sam).get(reverse("contests_manage:competition_results_export", args=[contest.code]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:7] == ("名次", "工号", "姓名", "单位", "第几次", "状态", "得分")
    assert [(r[0], r[1], r[6], r[7], r[8], r[13], r[14]) for r in rows[1:]] == [
        (1, "E001", 10.5, 10, 0.5, "是", "是"), (2, "B001", 4.16, 4, 0.16, "否", "是")]
    filtered = as_(org.sam).get(reverse("contests_manage:competition_results_export", args=[contest.code]),
                                {"unit": "CY"})
    assert [r[1] for r in list(load_workbook(io.BytesIO(filtered.content)).active.values)[1:]] == ["B001"]
    assert as_(org.dora).get(reverse("contests_manage:competition_results_export",
                                     args=[contest.code])).status_code == 200


# --- Certificates and item analysis -------------------------------------------------------------------------


def test_the_certificates_page_prints_the_people_then_the_units(org, as_, make_contest):
    contest = finished(make_contest, title="2018年普遍服务知识竞赛", prize_people=2, prize_units=1)
    take(contest, org.erin, start=T0 - 4 * HOUR, right=5, seconds=200)
    take(contest, org.bob, start=T0 - 4 * HOUR, right=5, seconds=300)
    take(contest, org.dave, start=T0 - 4 * HOUR, right=1)
    html = as_(org.sam).get(reverse("contests_manage:competition_certificates", args=[contest.code])).content.decode()
    assert html.count('<article class="cert">') == 3
    assert html.index("艾琳") < html.index("鲍勃") and "第一名" in html and "第二名" in html
    assert "contests/certificate.css" in html and "data-print" in html and "style=" not in html
    units = html[html.rindex('<article class="cert">'):]
    assert "同志" not in units and ("蛟河市分公司" in units or "船营区分公司" in units)


def test_item_analysis_counts_options_by_their_original_keys_on_first_attempts(org, as_, make_contest):
    contest = make_contest(attempts_allowed=2, shuffle_options=True)  # reserved 单选: the answer is C
    people = [org.bob, org.dave, org.erin, org.carl, org.hank]
    for n, person in enumerate(people):
        take(contest, person, start=T0, right=n, wrong_key="A")  # n right, the rest answered 甲 (A)
    take(contest, org.carl, start=T0 + HOUR, right=5)  # a second attempt is not analysed
    from postqc.contests.analysis import item_analysis

    analysis = item_analysis(contest)
    assert analysis.people == 5 and sum(r.n for r in analysis.rows) == 25
    for row in analysis.rows:
        counts = {o.key: o.count for o in row.options}
        assert counts["C"] == row.right and counts["A"] == row.n - row.right and counts["B"] == counts["D"] == 0
        assert [o.key for o in row.options if o.right] == ["C"]
    html = as_(org.sam).get(reverse("contests_manage:competition_items", args=[contest.code])).content.decode()
    assert "5 份首次作答" in html and "<meter" in html


def test_discrimination_is_high_when_those_strong_on_the_rest_get_the_item_right(org, make_contest):
    from postqc.contests.analysis import item_analysis

    contest = make_contest(paper_mode="same", shuffle_questions=False)  # one paper, one order for all
    for n, person in enumerate([org.bob, org.dave, org.erin, org.carl, org.hank, org.alice]):
        take(contest, person, start=T0, right=n)  # person n gets the first n questions right
    rows = item_analysis(contest).rows
    assert [round(r.facility, 2) for r in rows] == [0.83, 0.67, 0.5, 0.33, 0.17]
    assert [round(r.discrimination, 2) for r in rows] == [0.5, 0.7, 0.77, 0.7, 0.5]


def test_the_detail_page_shows_the_figures_and_the_ways_onward(org, as_, make_contest):
    contest = make_contest(pass_score=6, prize_people=3, audience_roles=["clerk"])
    take(contest, org.bob, start=T0, right=5)
    attempt_start(exam=contest, staff=org.erin, at=T0)
    html = as_(org.sam).get(reverse("contests_manage:competition_detail", args=[contest.code])).content.decode()
    assert "参加人数（应参加 2）" in html and "100.0%" in html
    for name in ("competition_results", "competition_items", "competition_certificates", "competition_edit"):
        assert reverse(f"contests_manage:{name}", args=[contest.code]) in html
    assert "正在作答" in html and Attempt.objects.filter(exam=contest, status="in_progress").count() == 1
