"""Aiken imports: the plain format, its 解析/条款 extension lines, and malformed questions."""
import pytest

from postqc.learning import services
from postqc.learning.importers import import_questions
from postqc.learning.models import Question, QuestionVersion
from postqc.learning.tests.factories import make_clause

pytestmark = pytest.mark.django_db
T = QuestionVersion.Type

GOOD = """按照《邮政法》，邮政普遍服务范围内的包裹，单件重量不超过多少千克？
A. 5
B. 10
C. 20
D. 30
ANSWER: B
解析：《邮政法》第十五条。
条款：YZF-3.15

下列哪些属于邮政普遍服务？
A) 信件
B) 包裹
C) 国际快递
ANSWER: AB
EXPLANATION: 信件和包裹在第十五条列举的范围内。
难度：4
"""


@pytest.fixture
def bank(org):
    make_clause(org.jls, code="YZF-3.15")
    return services.bank_create(code="JLS-PF", name="普遍服务知识题库", unit=org.jls)


def run(bank, text, **kwargs):
    return import_questions(text.encode(), bank=bank, filename="questions.txt", **kwargs)


def test_a_good_aiken_file_imports(bank):
    report = run(bank, GOOD)
    assert report.ok and report.written and report.created == 2
    first, second = (q.current for q in Question.objects.select_related("current").order_by("sort_order"))
    assert (first.type, first.options, first.answer) == (T.SINGLE, ["5", "10", "20", "30"], ["B"])
    assert first.explanation == "《邮政法》第十五条。" and [c.code for c in first.clauses.all()] == ["YZF-3.15"]
    assert (second.type, second.answer, second.difficulty) == (T.MULTIPLE, ["A", "B"], 4)


def test_a_question_missing_its_answer_line_is_reported_by_number_and_nothing_is_written(bank):
    text = GOOD.replace("ANSWER: AB\n", "")
    report = run(bank, text)
    assert [str(e) for e in report.errors] == ["第 2 题 答案：缺少 ANSWER 行（如 ANSWER: B）"]
    assert not Question.objects.exists()


def test_a_missing_answer_in_the_middle_does_not_swallow_the_next_question(bank):
    text = "第一题？\nA. 甲\nB. 乙\n\n第二题？\nA. 甲\nB. 乙\nANSWER: A\n解析：因为。\n"
    report = run(bank, text, skip_invalid=True)
    assert [(e.row, e.column) for e in report.errors] == [(1, "答案")]
    assert report.created == 1 and Question.objects.get().current.stem == "第二题？"


def test_plain_aiken_without_explanations_needs_a_default_one(bank):
    text = "哪一项正确？\nA. 甲\nB. 乙\nANSWER: A\n"
    report = run(bank, text)
    assert [(e.row, e.column) for e in report.errors] == [(1, "解析")]
    assert run(bank, text, default_explanation="见规定。").written


def test_options_out_of_order_and_unknown_answer_letters_are_reported(bank):
    report = run(bank, "哪一项？\nA. 甲\nC. 乙\nANSWER: A\n解析：x\n\n第二题？\nA. 甲\nB. 乙\nANSWER: D\n解析：x\n")
    assert [(e.row, e.column) for e in report.errors] == [(1, "选项"), (2, "答案")]
