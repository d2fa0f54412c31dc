"""Manager pages of 模拟考试: the list with attempt counts, creating one from a blueprint, one exam."""
import pytest
from django.urls import reverse

from postqc.contests.models import Exam
from postqc.contests.services import attempt_start, attempt_submit

NEW = reverse("contests_manage:mock_create")
LIST = reverse("contests_manage:mock_list")


def form_data(unit_code="JLS", rules=None, **overrides):
    rules = rules if rules is not None else [("single", 5, 2), ("multiple", 3, 3), ("true_false", 3, 1), ("fill", 2, 2)]
    data = {
        "title": "船营区模拟考试", "description": "", "unit": unit_code, "time_limit_minutes": "20",
        "attempts_allowed": "0", "reveal": "after_submit", "pass_score": "15", "paper_mode": "per_person",
        "shuffle_questions": "on", "shuffle_options": "on", "opens_at": "", "closes_at": "", "publish": "on",
        "rules-TOTAL_FORMS": "8", "rules-INITIAL_FORMS": "0", "rules-MIN_NUM_FORMS": "8", "rules-MAX_NUM_FORMS": "8",
    }
    for i in range(8):
        kind, count, points = rules[i] if i < len(rules) and rules[i] else ("", "", "")
        data.update({f"rules-{i}-question_type": kind, f"rules-{i}-count": count, f"rules-{i}-points": points,
                     f"rules-{i}-bank": "", f"rules-{i}-tag": "", f"rules-{i}-clause": "",
                     f"rules-{i}-difficulty_min": "1", f"rules-{i}-difficulty_max": "5"})
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_create_page_offers_the_usual_paper(org, as_, bank):
    html = as_(org.alice).get(NEW).content.decode()
    assert 'name="rules-0-count" value="20"' in html and 'name="rules-3-count" value="5"' in html
    assert "第 8 行" in html


def test_a_quality_manager_creates_and_publishes_a_mock_exam(org, as_, bank):
    response = as_(org.alice).post(NEW, form_data(unit_code="CY"))
    exam = Exam.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("contests_manage:mock_detail",
                                                                            args=[exam.code])
    assert (exam.kind, exam.unit, exam.status, exam.time_limit_seconds, exam.pass_score) == (
        "mock", org.cy, "published", 1200, 15)
    assert list(exam.rules.values_list("question_type", "count", "pool")) == [
        ("single", 5, "practice"), ("multiple", 3, "practice"), ("true_false", 3, "practice"), ("fill", 2, "practice")]


def test_a_rule_the_bank_cannot_fill_is_named_by_its_line_and_nothing_is_saved(org, as_, bank):
    rules = [("single", 5, 2), None, ("fill", 9, 2)]  # a blank second row: the error names row 3
    response = as_(org.alice).post(NEW, form_data(unit_code="CY", rules=rules))
    html = response.content.decode()
    assert response.status_code == 200
    assert "第 3 行（填空）：只有 6 道符合条件的可用试题，需要 9 道。" in html
    assert 'class="has-error"' in html
    assert not Exam.objects.exists()


def test_an_unknown_clause_and_an_incomplete_line_are_errors(org, as_, bank):
    data = form_data(rules=[("single", 5, 2), ("multiple", "", 3)], **{"rules-0-clause": "NOPE-1"})
    html = as_(org.sam).post(NEW, data).content.decode()
    assert "没有编码为 NOPE-1 的条款" in html and "请填写题数" in html
    assert not Exam.objects.exists()


def test_a_paper_needs_at_least_one_line(org, as_, bank):
    html = as_(org.sam).post(NEW, form_data(rules=[])).content.decode()
    assert "试卷至少需要一行抽题规则" in html


def test_a_manager_may_not_host_an_exam_outside_their_subtree(org, as_, bank):
    html = as_(org.alice).post(NEW, form_data(unit_code="JH")).content.decode()
    assert "不存在或不在本单位管辖范围内" in html
    assert not Exam.objects.exists()


def test_only_content_editors_create_and_only_managers_read(org, as_, make_exam):
    exam = make_exam(unit=org.cy, actor=org.alice)
    assert as_(org.hank).get(LIST).status_code == 200  # 支局长 reads
    assert as_(org.hank).get(NEW).status_code == 403
    assert as_(org.hank).post(reverse("contests_manage:mock_archive", args=[exam.code])).status_code == 403
    assert as_(org.bob).get(LIST).status_code == 403


def test_the_list_shows_the_subtrees_exams_with_attempt_counts_in_constant_queries(
        org, as_, make_exam, django_assert_max_num_queries):
    city = make_exam(title="全市模拟")
    make_exam(title="蛟河模拟", unit=org.jh, actor=org.charlie)
    for person in (org.bob, org.dave, org.bob):
        attempt, _ = attempt_start(exam=city, staff=person)
        attempt_submit(attempt=attempt)
    attempt_start(exam=city, staff=org.erin)
    client = as_(org.sam)
    client.get(LIST)
    with django_assert_max_num_queries(10) as few:
        html = client.get(LIST).content.decode()
    assert "全市模拟" in html and "蛟河模拟" in html
    row = html[html.index("全市模拟"):]
    assert '<td class="num">3</td>\n      <td class="num">3</td>\n      <td class="num">1</td>' in row
    for n in range(3):
        make_exam(title=f"模拟{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)
    charlie_html = as_(org.charlie).get(LIST).content.decode()
    assert "蛟河模拟" in charlie_html and "全市模拟" not in charlie_html


def test_another_units_exam_is_not_found(org, as_, make_exam):
    exam = make_exam()  # the city's
    assert as_(org.charlie).get(reverse("contests_manage:mock_detail", args=[exam.code])).status_code == 404
    assert as_(org.charlie).post(reverse("contests_manage:mock_archive", args=[exam.code])).status_code == 404


def test_the_detail_page_summarises_the_attempts_of_the_managers_subtree(org, as_, make_exam):
    exam = make_exam(pass_score=2)
    for person in (org.bob, org.erin):
        attempt, _ = attempt_start(exam=exam, staff=person)
        attempt_submit(attempt=attempt)
    html = as_(org.sam).get(reverse("contests_manage:mock_detail", args=[exam.code])).content.decode()
    assert "鲍勃" in html and "艾琳" in html
    assert '<div class="kpi-value">2</div><div class="kpi-label">参加人数' in html


@pytest.mark.parametrize("action,status", [("mock_publish", "published"), ("mock_archive", "archived")])
def test_publishing_and_archiving(org, as_, make_exam, action, status):
    exam = make_exam(publish=False)
    response = as_(org.sam).post(reverse(f"contests_manage:{action}", args=[exam.code]))
    assert response.status_code == 302
    exam.refresh_from_db()
    assert exam.status == status


def test_an_archived_mock_exam_leaves_the_staff_list(org, as_, make_exam):
    exam = make_exam()
    as_(org.sam).post(reverse("contests_manage:mock_archive", args=[exam.code]))
    assert "普遍服务知识模拟考试" not in as_(org.bob).get(reverse("contests:mock_list")).content.decode()


def test_the_sidenav_links_the_mock_exams(org, as_):
    assert f'href="{LIST}"' in as_(org.alice).get(LIST).content.decode()
