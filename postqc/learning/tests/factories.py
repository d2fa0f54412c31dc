"""Small builders for the question graph, shared by the learning and contests tests."""
import itertools

from postqc.learning.models import Bank, Question, QuestionVersion
from postqc.standards.models import Clause, ClauseRevision, Standard, StandardVersion

_seq = itertools.count(1)


def make_bank(unit, code=None, name="普遍服务题库") -> Bank:
    return Bank.objects.create(code=code or f"B{next(_seq)}", name=name, unit=unit)


def make_question(bank, *, type="single", stem=None, options=("甲", "乙", "丙", "丁"), answer=("B",),
                  explanation="因为规定如此。", red_line=False, pool="practice", status="published",
                  clauses=(), tags=(), difficulty=3, sort_order=None) -> Question:
    n = next(_seq)
    q = Question.objects.create(bank=bank, code=f"Q{n:06d}", status=status, pool=pool,
                                sort_order=n if sort_order is None else sort_order)
    v = QuestionVersion.objects.create(
        question=q, number=1, type=type, stem=stem or f"第{n}题：哪一项正确？",
        options=list(options) if type in ("single", "multiple") else [],
        answer=list(answer), explanation=explanation, red_line=red_line, difficulty=difficulty,
    )
    if clauses:
        v.clauses.set(clauses)
    for t in tags:
        from postqc.learning.models import Tag

        v.tags.add(Tag.objects.get_or_create(name=t)[0])
    q.current = v
    q.save(update_fields=["current"])
    return q


def make_clause(unit, code="YZF-1.2", standard_code="YZF", heading="第二条", body="国家保障邮政普遍服务。") -> Clause:
    std, _ = Standard.objects.get_or_create(code=standard_code, defaults={"title": "邮政法", "kind": "law", "unit": unit})
    version, _ = StandardVersion.objects.get_or_create(standard=std, label="2015",
                                                       defaults={"effective_on": "2015-04-24", "status": "published"})
    clause = Clause.objects.create(standard=std, code=code)
    ClauseRevision.objects.create(clause=clause, version=version, heading=heading, body=body, body_hash="x")
    return clause


PRACTICE_STANDARD = """---
code: FWGF
title: 营业服务规范
kind: company_rule
issuer: 吉林市分公司
version: "2024"
effective_on: 2024-01-01
---
# 第一章 营业时间 {#FWGF-1}
## 第一条 公示 {#FWGF-1.1}
营业场所应在醒目位置公示营业时间。

## 第二条 延时服务 {#FWGF-1.2}
节假日前一天可延时营业。
# 第二章 查询与赔偿 {#FWGF-2}
## 第三条 查询时限 {#FWGF-2.3}
用户查询给据邮件，应当在规定时限内答复。
"""


def publish_standard(unit, text=PRACTICE_STANDARD):
    """A published standard (through the standards services) whose clauses questions can cite."""
    from postqc.standards.services import standard_import_markdown, version_publish

    version = standard_import_markdown(text=text, unit=unit, actor=None)
    return version_publish(version=version, actor=None).version.standard
