"""Manager pages of the question bank: scoping, permissions, the browser and its statistics, editing,
the review queue, import and export."""
import datetime as dt
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from postqc.core.models import Job
from postqc.learning import selectors, services
from postqc.learning.models import Answer, Question, QuestionVersion, ReviewCard
from postqc.learning.tests.factories import make_clause

pytestmark = pytest.mark.django_db
T = QuestionVersion.Type


def url(name, *args):
    return reverse(f"learning_manage:{name}", args=args)


def content(stem="普遍服务范围内的包裹，单件重量不超过多少千克？", **overrides):
    fields = dict(type=T.SINGLE, stem=stem, options=["5", "10", "20", "30"], answer=["B"],
                  explanation="《邮政法》第十五条。", difficulty=2, tags=["普遍服务范围"], clause_codes=["YZF-3.15"])
    fields.update(overrides)
    return fields


@pytest.fixture
def banks(org):
    make_clause(org.jls, code="YZF-3.15")
    make_clause(org.jls, code="YZF-5.47", heading="第四十七条")
    cy = services.bank_create(code="CY-SW", name="船营实务题库", unit=org.cy)
    jh = services.bank_create(code="JH-SW", name="蛟河实务题库", unit=org.jh)
    return cy, jh


@pytest.fixture
def cy_question(banks, org):
    return services.question_create(bank=banks[0], actor=org.alice, **content())


def answer(question, person, correct, minutes):
    at = timezone.now() - dt.timedelta(days=1) + dt.timedelta(minutes=minutes)
    return Answer.objects.create(staff=person, question=question, version=question.current, mode=Answer.Mode.RANDOM,
                                 response=["B"] if correct else ["A"], is_correct=correct, client_id=uuid.uuid4(),
                                 answered_at=at)


# --- Who sees what ------------------------------------------------------------------------------------


def test_clerks_get_403_on_every_manager_page(as_, org, cy_question):
    client = as_(org.bob)
    for target in (url("bank_list"), url("bank_detail", "CY-SW"), url("question_detail", cy_question.code),
                   url("review_queue"), url("import_template")):
        assert client.get(target).status_code == 403


def test_charlie_cannot_see_the_chuanying_bank_or_its_questions(as_, org, cy_question):
    client = as_(org.charlie)
    assert client.get(url("bank_detail", "CY-SW")).status_code == 404
    assert client.get(url("question_detail", cy_question.code)).status_code == 404
    assert client.post(url("question_retire", cy_question.code)).status_code == 404
    page = client.get(url("bank_list"))
    assert page.status_code == 200
    assert "蛟河实务题库" in page.content.decode() and "船营实务题库" not in page.content.decode()


def test_a_branch_head_reads_but_cannot_edit_and_does_not_see_competition_questions(as_, org, banks):
    own = services.bank_create(code="BJL", name="北京路支局题库", unit=org.cy_bjl)
    practice = services.question_create(bank=own, actor=org.alice, **content())
    reserved = services.question_create(bank=own, actor=org.alice, pool=Question.Pool.RESERVED,
                                        **content(stem="竞赛用的题？"))
    client = as_(org.hank)
    assert client.get(url("bank_detail", "CY-SW")).status_code == 404  # the district's bank is above him
    page = client.get(url("bank_detail", "BJL")).content.decode()
    assert practice.code in page and reserved.code not in page
    assert client.get(url("question_detail", reserved.code)).status_code == 404
    for target in (url("bank_create"), url("bank_edit", "BJL"), url("bank_import", "BJL"),
                   url("bank_export", "BJL"), url("question_edit", practice.code), url("question_create", "BJL")):
        assert client.get(target).status_code == 403
    assert client.post(url("question_retire", practice.code)).status_code == 403


# --- The question browser -----------------------------------------------------------------------------


def test_the_question_list_runs_a_constant_number_of_queries_as_rows_grow(as_, org, banks, django_assert_num_queries,
                                                                        django_assert_max_num_queries):
    client = as_(org.alice)
    bank = banks[0]

    def add(n, start):
        for i in range(start, start + n):
            q = services.question_create(bank=bank, actor=org.alice, **content(stem=f"第 {i} 题？"))
            answer(q, org.bob, i % 2 == 0, 1)
            answer(q, org.dave, True, 2)

    add(2, 0)
    client.get(url("bank_detail", "CY-SW"))
    with django_assert_max_num_queries(15) as small:
        assert client.get(url("bank_detail", "CY-SW")).status_code == 200
    add(12, 2)
    with django_assert_num_queries(len(small)):
        assert client.get(url("bank_detail", "CY-SW")).status_code == 200


def test_facility_counts_each_persons_first_attempt_only(org, cy_question):
    # bob: wrong then right; dave: right; erin: wrong, wrong → first attempts 3, right 1.
    answer(cy_question, org.bob, False, 1)
    answer(cy_question, org.bob, True, 2)
    answer(cy_question, org.dave, True, 3)
    answer(cy_question, org.erin, False, 4)
    answer(cy_question, org.erin, False, 5)
    stats = selectors.question_stats([cy_question.pk])[cy_question.pk]
    assert (stats.answers, stats.first_attempts, stats.first_correct) == (5, 3, 1)
    assert stats.facility == pytest.approx(1 / 3)


def test_the_list_shows_answers_and_facility_and_filters_work(as_, org, banks, cy_question):
    answer(cy_question, org.bob, True, 1)
    answer(cy_question, org.dave, False, 2)
    other = services.question_create(bank=banks[0], actor=org.alice, red_line=True,
                                     **content(stem="给据邮件丢失的赔偿？", type=T.TRUE_FALSE, options=[], answer=["T"],
                                               clause_codes=["YZF-5.47"], tags=["赔偿"]))
    client = as_(org.alice)

    def codes(**params):
        response = client.get(url("bank_detail", "CY-SW"), params)
        return [q.code for q, _s in response.context["rows"]]

    page = client.get(url("bank_detail", "CY-SW")).content.decode()
    assert "50%" in page
    assert codes() == [cy_question.code, other.code]
    assert codes(q="赔偿") == [other.code]
    assert codes(type="true_false") == [other.code]
    assert codes(clause="YZF-3") == [cy_question.code]
    assert codes(clause="YZF-5.47") == [other.code]
    assert codes(tag="赔偿") == [other.code]
    assert codes(red_line="1") == [other.code]
    assert codes(difficulty="2") == [cy_question.code, other.code]
    services.questions_flag_for_clauses(clauses=other.current.clauses.all(), reason="第四十七条已修订")
    assert codes(status="review") == [other.code]


def test_question_detail_shows_the_version_history_and_an_older_version(as_, org, cy_question):
    services.question_edit(question=cy_question, actor=org.alice, **content(explanation="第十五条：十千克。"))
    client = as_(org.alice)
    page = client.get(url("question_detail", cy_question.code)).content.decode()
    assert "第十五条：十千克。" in page and "第 2 版" in page and org.alice.name in page
    assert 'href="/m/standards/clause/YZF-3.15/"' in page
    old = client.get(url("question_detail", cy_question.code), {"v": 1}).content.decode()
    assert "《邮政法》第十五条。" in old and "历史版本" in old


# --- Editing ------------------------------------------------------------------------------------------------


def form_data(**overrides):
    data = {"type": "single", "stem": "普遍服务范围内的包裹，单件重量不超过多少千克？", "option_A": "5", "option_B": "10",
            "option_C": "20", "option_D": "30", "answer": "B", "explanation": "《邮政法》第十五条。", "difficulty": "2",
            "tags": "普遍服务范围", "clause_codes": "YZF-3.15", "pool": "practice", "roles": ["clerk"]}
    data.update(overrides)
    return data


def test_a_quality_manager_creates_a_bank_and_a_question(as_, org, banks):
    client = as_(org.alice)
    response = client.post(url("bank_create"), {"code": "CY-NEW", "name": "船营新题库", "unit": "CY-BJL"})
    assert response.status_code == 302
    response = client.post(url("question_create", "CY-NEW"), {**form_data(), "publish": "on"})
    assert response.status_code == 302
    q = Question.objects.get(bank__code="CY-NEW")
    assert q.status == Question.Status.PUBLISHED and q.current.roles == ["clerk"] and q.current.created_by == org.alice


def test_a_manager_cannot_create_a_bank_outside_their_subtree(as_, org, banks):
    response = as_(org.alice).post(url("bank_create"), {"code": "JH-X", "name": "x", "unit": "JH"})
    assert response.status_code == 200 and not response.context["form"].is_valid()


def test_the_form_shows_every_rule_violation_on_its_field(as_, org, banks):
    response = as_(org.alice).post(url("question_create", "CY-SW"), form_data(answer="E", clause_codes="YZF-9.9"))
    errors = response.context["form"].errors
    assert "超出选项范围" in errors["answer"][0] and "YZF-9.9" in errors["clause_codes"][0]
    assert not Question.objects.exists()


def test_editing_a_published_question_in_the_form_makes_version_two(as_, org, cy_question):
    response = as_(org.alice).post(url("question_edit", cy_question.code), form_data(option_E="50", answer="b"))
    assert response.status_code == 302
    cy_question.refresh_from_db()
    assert cy_question.current.number == 2 and cy_question.current.options[-1] == "50"
    assert cy_question.versions.get(number=1).options == ["5", "10", "20", "30"]


def test_the_review_queue_republishes_unchanged_and_restarts_memory(as_, org, banks, cy_question):
    ReviewCard.objects.create(staff=org.bob, question=cy_question, state=ReviewCard.State.REVIEW, stability=30.0,
                              difficulty=5.0, due=timezone.now() + dt.timedelta(days=40), last_review=timezone.now(),
                              reps=4)
    services.questions_flag_for_clauses(clauses=cy_question.current.clauses.all(), reason="YZF-3.15 已修订")
    client = as_(org.alice)
    page = client.get(url("review_queue")).content.decode()
    assert cy_question.code in page and "YZF-3.15 已修订" in page
    assert cy_question.code not in as_(org.charlie).get(url("review_queue")).content.decode()
    client = as_(org.alice)
    response = client.post(url("question_republish", cy_question.code), {"next": url("review_queue")})
    assert response.status_code == 302 and response["Location"] == url("review_queue")
    cy_question.refresh_from_db()
    card = ReviewCard.objects.get()
    assert cy_question.status == Question.Status.PUBLISHED and card.reps == 0 and card.stability is None


def test_editing_a_flagged_question_can_republish_it_in_the_same_step(as_, org, cy_question):
    services.questions_flag_for_clauses(clauses=cy_question.current.clauses.all(), reason="修订")
    response = as_(org.alice).post(url("question_edit", cy_question.code),
                                   form_data(explanation="按修订后的条款。", republish="on"))
    assert response.status_code == 302
    cy_question.refresh_from_db()
    assert cy_question.status == Question.Status.PUBLISHED and cy_question.current.number == 2


def test_retire_and_publish_buttons(as_, org, cy_question):
    client = as_(org.alice)
    client.post(url("question_retire", cy_question.code))
    cy_question.refresh_from_db()
    assert cy_question.status == Question.Status.RETIRED
    client.post(url("question_publish", cy_question.code))
    cy_question.refresh_from_db()
    assert cy_question.status == Question.Status.PUBLISHED


# --- Import and export --------------------------------------------------------------------------------------


def test_the_import_page_starts_a_job_and_the_job_page_shows_its_report(as_, org, banks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    text = "义务兵平常信函可以免费寄递。{T####《邮政法》第十五条。}\n\n匹配{=a -> b =c -> d}\n"
    upload = SimpleUploadedFile("q.gift", text.encode(), content_type="text/plain")
    client = as_(org.alice)
    response = client.post(url("bank_import", "CY-SW"), {"file": upload, "format": "auto", "skip_invalid": "on"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.code])
    assert job.status == Job.Status.SUCCEEDED and job.result["created"] == 1
    page = client.get(response["Location"]).content.decode()
    assert "不支持的 GIFT 题型（匹配题）" in page
    assert Question.objects.filter(bank__code="CY-SW").count() == 1
    again = client.get(url("bank_import", "CY-SW")).content.decode()
    assert "最近的导入" in again and "q.gift" in again and reverse("jobs:detail", args=[job.code]) in again


def test_the_template_and_the_export_download_as_workbooks(as_, org, cy_question):
    client = as_(org.alice)
    template = client.get(url("import_template"))
    assert template.status_code == 200 and template["Content-Disposition"].startswith("attachment")
    export = client.get(url("bank_export", "CY-SW"))
    ws = load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)["试题"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:2] == ("单选", "普遍服务范围内的包裹，单件重量不超过多少千克？")


def png() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(out, "PNG")
    return SimpleUploadedFile("sign.png", out.getvalue(), content_type="image/png")


def test_a_question_image_is_uploaded_and_an_edit_that_removes_it_keeps_it_on_the_old_version(
        as_, org, banks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_(org.alice)
    client.post(url("question_create", "CY-SW"), {**form_data(), "publish": "on", "image": png()})
    q = Question.objects.get()
    assert q.current.image.name.endswith(".png")
    assert q.current.image.url in client.get(url("question_detail", q.code)).content.decode()
    client.post(url("question_edit", q.code), {**form_data(), "image-clear": "on"})
    q.refresh_from_db()
    assert q.current.number == 2 and not q.current.image
    assert q.versions.get(number=1).image.name.endswith(".png")
