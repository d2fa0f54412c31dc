"""Small standards written for the tests, and a question tied to clauses (the learning models, directly)."""
import pytest

from postqc.standards.services import standard_import_markdown, version_publish

V2019 = """---
code: JLQC
title: 吉林市分公司营业服务规范
kind: company_rule
issuer: 吉林市分公司
version: "2019"
effective_on: 2019-03-01
---
# 第一章 营业时间 {#JLQC-1}
## 第一条 公示 {#JLQC-1.1}
营业场所应在醒目位置公示营业时间。

## 第二条 延时服务 {#JLQC-1.2}
节假日前一天可延时营业。
# 第二章 查询与赔偿 {#JLQC-2}
## 第三条 查询时限 {#JLQC-2.3}
用户查询给据邮件，应当在规定时限内答复。

## 第四条 赔偿 {#JLQC-2.4}
保价邮件丢失的，按保价额赔偿。
### 第四条之一 未保价 {#JLQC-2.4.1}
未保价的给据邮件丢失，按实际损失赔偿，最高不超过所付资费的三倍。
"""

# 2.3 reworded, 1.2 removed, 2.5 added, 2.4 reformatted only (same text, other spacing).
V2021 = """---
code: JLQC
title: 吉林市分公司营业服务规范
kind: company_rule
issuer: 吉林市分公司
version: "2021"
effective_on: 2021-01-01
notes: 查询时限改为 15 日
---
# 第一章 营业时间 {#JLQC-1}
## 第一条 公示 {#JLQC-1.1}
营业场所应在醒目位置公示营业时间。
# 第二章 查询与赔偿 {#JLQC-2}
## 第三条 查询时限 {#JLQC-2.3}
用户查询给据邮件，应当自收到查询之日起 15 日内答复。

## 第四条 赔偿 {#JLQC-2.4}
保价邮件丢失的，  按保价额赔偿。   

### 第四条之一 未保价 {#JLQC-2.4.1}
未保价的给据邮件丢失，按实际损失赔偿，最高不超过所付资费的三倍。
## 第五条 投诉 {#JLQC-2.5}
用户投诉应当在 7 日内处理完毕。
"""


def md(body: str | None = None, **front) -> str:
    """A small Markdown standard; `front` overrides or adds front-matter keys (None drops one)."""
    keys = {"code": "JLQC", "title": "测试标准", "kind": "company_rule", "version": '"2019"',
            "effective_on": "2020-01-01", **front}
    head = "\n".join(f"{k}: {v}" for k, v in keys.items() if v is not None)
    if body is None:
        body = f"# 第一章 {{#{keys['code']}-1}}\n## 第一条 {{#{keys['code']}-1.1}}\n正文\n"
    return f"---\n{head}\n---\n{body}"


@pytest.fixture
def published(org):
    """JLQC 2019 published under the city (offered to everyone in it)."""
    return version_publish(version=standard_import_markdown(text=V2019, unit=org.jls, actor=None), actor=None).version


@pytest.fixture
def make_question(org):
    """make_question(code, clause_codes, status=published) → a Question whose current version tests those clauses."""
    from postqc.learning.models import Bank, Question, QuestionVersion
    from postqc.standards.models import Clause

    bank = Bank.objects.create(code="B-CITY", name="市公司题库", unit=org.jls)

    def make(code, clause_codes, status=Question.Status.PUBLISHED, pool=Question.Pool.PRACTICE):
        q = Question.objects.create(bank=bank, code=code, status=status, pool=pool)
        v = QuestionVersion.objects.create(question=q, number=1, type=QuestionVersion.Type.TRUE_FALSE,
                                           stem=f"{code} 题干", answer=["T"], explanation="解析")
        v.clauses.set(Clause.objects.filter(code__in=clause_codes))
        q.current = v
        q.save(update_fields=["current"])
        return q

    make.bank = bank
    return make

