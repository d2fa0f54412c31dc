"""Moodle GIFT imports: each supported type, escapes and feedback, and what is refused per question."""
import pytest

from postqc.learning import services
from postqc.learning.importers import import_questions
from postqc.learning.models import Question, QuestionVersion
from postqc.learning.tests.factories import make_clause

pytestmark = pytest.mark.django_db
T = QuestionVersion.Type

GOOD = r"""
// 普遍服务范围
$CATEGORY: 普遍服务/业务范围

::YZF-3.15::普遍服务范围内的包裹，单件重量不超过多少千克？{
  ~5千克
  =10千克#《邮政法》第十五条：单件重量不超过十千克的包裹。
  ~20千克
}

::多选::下列哪些属于邮政普遍服务？{
  ~%50%信件
  ~%50%包裹
  ~%-100%国际快递
  ####《邮政法》第十五条列举了信件、印刷品、包裹的寄递和邮政汇兑。
}

义务兵平常信函可以免费寄递。{T####《邮政法》第十五条第二款规定免费寄递。}

邮政普遍服务范围内的印刷品，单件重量不超过{=5 =五 =%50%4 ####《邮政法》第十五条。}千克。

收件人地址写作 A\=B \{楼\} 时应如何处理\: 按 \~ 原样投递？{=是 ~否 ####转义字符 \# 保留。}
"""


@pytest.fixture
def bank(org):
    make_clause(org.jls, code="YZF-3.15")
    return services.bank_create(code="JLS-PF", name="普遍服务知识题库", unit=org.jls)


def run(bank, text, **kwargs):
    return import_questions(text.encode(), bank=bank, filename="questions.gift", **kwargs)


def versions():
    return [q.current for q in Question.objects.select_related("current").order_by("sort_order")]


def test_a_good_gift_file_imports_every_supported_type(bank):
    report = run(bank, GOOD)
    assert report.ok and report.written and report.created == 5
    mc, multi, tf, fill, escaped = versions()
    assert (mc.type, mc.options, mc.answer) == (T.SINGLE, ["5千克", "10千克", "20千克"], ["B"])
    assert mc.explanation == "《邮政法》第十五条：单件重量不超过十千克的包裹。"
    assert [c.code for c in mc.clauses.all()] == ["YZF-3.15"]
    assert (multi.type, multi.answer) == (T.MULTIPLE, ["A", "B"]) and not multi.clauses.exists()
    assert multi.explanation.startswith("《邮政法》第十五条列举")
    assert (tf.type, tf.answer, tf.options) == (T.TRUE_FALSE, ["T"], [])
    assert (fill.type, fill.answer) == (T.FILL, ["5", "五"])
    assert fill.stem == "邮政普遍服务范围内的印刷品，单件重量不超过（）千克。"
    assert escaped.stem == "收件人地址写作 A=B {楼} 时应如何处理: 按 ~ 原样投递？"
    assert escaped.explanation == "转义字符 # 保留。"
    assert any("部分得分" in w for w in report.warnings)


def test_unsupported_types_are_reported_by_their_number_not_dropped(bank):
    text = GOOD + r"""

将条款与内容配对。{=第十五条 -> 普遍服务范围 =第十六条 -> 免费寄递}

10 千克等于多少克？{#10000}

谈谈你对普遍服务的理解。{}

这段文字只是说明，没有题目。
"""
    report = run(bank, text)
    assert [str(e) for e in report.errors] == [
        "第 6 题 题型：不支持的 GIFT 题型（匹配题）",
        "第 7 题 题型：不支持的 GIFT 题型（数值题）",
        "第 8 题 题型：不支持的 GIFT 题型（问答题）",
        "第 9 题 题型：不支持的 GIFT 题型（说明文字，没有答案）",
    ]
    assert not report.written and not Question.objects.exists()
    report = run(bank, text, skip_invalid=True)
    assert report.written and report.created == 5 and report.skipped == 4


def test_a_question_without_a_right_answer_is_an_error(bank):
    report = run(bank, "哪一项正确？{~甲 ~乙 ~丙 ####解析}")
    assert [(e.row, e.column) for e in report.errors] == [(1, "答案")]
    assert "没有正确答案" in report.errors[0].message
    assert not Question.objects.exists()


def test_a_question_without_feedback_needs_a_default_explanation(bank):
    text = "义务兵平常信函可以免费寄递。{T}"
    report = run(bank, text)
    assert [(e.row, e.column, e.message) for e in report.errors] == [(1, "解析", "每道题都要有解析")]
    report = run(bank, text, default_explanation="见《邮政法》第十五条。")
    assert report.written and versions()[0].explanation == "见《邮政法》第十五条。"


def test_an_unclosed_brace_is_reported(bank):
    report = run(bank, "哪一项正确？{=甲 ~乙")
    assert [(e.row, e.column) for e in report.errors] == [(1, "答案")]


def test_a_question_right_under_a_category_line_is_read(bank):
    report = run(bank, "$CATEGORY: 普遍服务\n义务兵平常信函可以免费寄递。{T####第十五条。}")
    assert report.written and report.created == 1


def test_a_gift_file_is_recognised_by_its_content(bank):
    report = import_questions("义务兵平常信函可以免费寄递。{TRUE#错了#对了}".encode(), bank=bank, filename="export.txt")
    assert report.written and versions()[0].explanation == "错了\n对了"
