"""The demo banks import cleanly through the question importer (after the standards demo)."""
import io

import pytest

from postqc.learning import demo
from postqc.learning.models import Bank, Question, Tag
from postqc.org.models import Unit
from postqc.org.services import unit_create
from postqc.standards import demo as standards_demo

pytestmark = pytest.mark.django_db


def test_the_demo_banks_import_cleanly_and_reserve_a_spread_for_competitions(org):
    jh = unit_create(code="JLS-JH", name="蛟河市分公司", kind=Unit.Kind.COUNTY, parent=org.jls)  # the demo's code
    out = io.StringIO()
    standards_demo.load(stdout=out, seed=1)
    demo.load(stdout=out, seed=1)
    city, county = Bank.objects.get(code="JLS-PF"), Bank.objects.get(code="JH-SW")
    assert (city.unit, county.unit) == (org.jls, jh)
    questions = Question.objects.filter(bank=city)
    total = questions.count()
    assert total >= 300
    # The demo's 2026 revision of 邮驿站服务规范 flags exactly the questions on its changed clauses.
    flagged = questions.filter(status=Question.Status.REVIEW)
    changed = {"JLYZ-2.5", "JLYZ-3.7", "JLYZ-4.10"}
    assert flagged.exists()
    assert set(flagged.values_list("pk", flat=True)) == set(
        questions.filter(current__clauses__code__in=changed).values_list("pk", flat=True))
    assert all("JLYZ" in q.review_reason for q in flagged)
    assert questions.filter(status=Question.Status.PUBLISHED).count() == total - flagged.count()
    reserved = questions.filter(pool=Question.Pool.RESERVED)
    assert abs(reserved.count() - round(total * demo.RESERVED_SHARE)) <= 1
    assert not reserved.filter(current__red_line=True).exists()
    assert all(q.current.explanation and q.current.clauses.exists() for q in questions.select_related("current"))
    assert Question.objects.filter(bank=county).count() == 14

    demo.load(stdout=out, seed=1)
    assert Question.objects.filter(bank=city).count() == total
    assert "已存在" in out.getvalue()

    demo.reset(stdout=out)
    assert not Bank.objects.filter(code__in=["JLS-PF", "JH-SW"]).exists() and not Question.objects.exists()
    assert not Tag.objects.exists()


@pytest.mark.parametrize(("filename", "default_explanation", "count"), [
    ("questions.gift", "", 12),
    ("questions.aiken.txt", "见相关条款。", 8),  # plain Aiken carries no 解析
])
def test_the_sample_gift_and_aiken_files_import_cleanly(org, filename, default_explanation, count):
    from postqc.learning.importers import import_questions
    from postqc.learning.services import bank_create

    standards_demo.load(stdout=io.StringIO(), seed=1)
    bank = bank_create(code="SAMPLE", name="示例", unit=org.jls)
    report = import_questions(demo.DATA_DIR / filename, bank=bank, default_explanation=default_explanation)
    assert [str(e) for e in report.errors] == [] and report.created == count
    if filename.endswith(".gift"):
        assert all(q.current.clauses.exists() for q in Question.objects.filter(bank=bank).select_related("current"))
