"""Drawing a paper: which questions a blueprint rule may draw (`rule_candidates`), and a person's
paper drawn from them (`paper_draw`).

When thousands start an exam in the same minute, each start would read the exam's rules and every
rule's candidates again; they are memoised per process as the exam's *draw pool* (`draw_pool`),
keyed by the exam's updated_at so that an edited exam is read afresh at once, and the question
versions a paper shows are memoised too (a published version never changes). The services that
set exams up are in services.py.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from postqc.core.memo import LocalMemo
from postqc.learning.models import Bank, Question, QuestionVersion
from postqc.org.models import UnitClosure

from .answering import OPTIONED
from .models import BlueprintRule, Exam

Kind = Exam.Kind
Type = QuestionVersion.Type
Pool = Question.Pool


@dataclass(frozen=True)
class PaperItem:
    """One question of a drawn paper: the version, the original option index shown at each
    displayed position (empty for 判断/填空), and what it is worth."""

    version: QuestionVersion
    option_order: list[int]
    points: Decimal


# --- Blueprint rules ----------------------------------------------------------------------------


def banks_for_unit(unit) -> QuerySet[Bank]:
    """Active banks a paper of `unit` may draw from: those owned by the unit or a unit above it."""
    above = UnitClosure.objects.filter(descendant_id=unit.pk).values("ancestor_id")
    return Bank.objects.filter(is_active=True, unit_id__in=above)


def rule_candidates(rule: BlueprintRule, *, unit) -> QuerySet[Question]:
    """The published questions of the rule's pool, type, bank, tag, clause (or a clause under it)
    and difficulty range, in the banks offered to `unit`."""
    banks = banks_for_unit(unit)
    if rule.bank_id:
        banks = banks.filter(pk=rule.bank_id)
    qs = Question.objects.filter(
        bank__in=banks, status=Question.Status.PUBLISHED, pool=rule.pool, current__isnull=False,
        current__type=rule.question_type, current__difficulty__gte=rule.difficulty_min,
        current__difficulty__lte=rule.difficulty_max,
    )
    if rule.tag_id:
        tagged = QuestionVersion.tags.through.objects.filter(questionversion_id=OuterRef("current_id"),
                                                             tag_id=rule.tag_id)
        qs = qs.filter(Exists(tagged))
    if rule.clause_id:
        code = rule.clause.code
        cited = QuestionVersion.clauses.through.objects.filter(questionversion_id=OuterRef("current_id")).filter(
            Q(clause_id=rule.clause_id) | Q(clause__code__startswith=code + "."))
        qs = qs.filter(Exists(cited))
    return qs


def rule_label(rule: BlueprintRule, line: int) -> str:
    return _("第 %(line)d 行（%(type)s）") % {"line": line, "type": Type(rule.question_type).label}


def default_pool(kind: str) -> str:
    """Mock exams draw from the practice pool; competitions and exams from the reserved one."""
    return Pool.PRACTICE if kind == Kind.MOCK else Pool.RESERVED


# --- The paper ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawPool:
    """What drawing a paper for an exam reads: its rules and, per rule, the candidates as
    (question id, bank order, current version id), in id order."""

    exam_pk: int
    rules: tuple[BlueprintRule, ...]
    candidates: dict[int, tuple[tuple[int, int, int], ...]]


# Per process (core/memo.py). When thousands start an exam in the same minute, each start would read
# the rules and every rule's candidates again. The key carries the exam's updated_at, so an edited
# exam (rules, audience, settings: the services save it) is read afresh at once; a question
# published, withdrawn or given a new version reaches papers drawn by another process within 10 s.
DRAW_POOL_TTL = 10
_draw_pools = LocalMemo("contests.draw-pool", ttl=DRAW_POOL_TTL)
# A question version never changes once a question is published on it (an edit makes a new one).
_versions = LocalMemo("contests.question-versions", ttl=600)


def draw_pool(exam: Exam) -> DrawPool:
    """The exam's rules and their candidates (memoised per process, see DRAW_POOL_TTL)."""
    return _draw_pools.get((exam.pk, exam.updated_at), lambda: _draw_pool(exam))


def _draw_pool(exam: Exam) -> DrawPool:
    rules = tuple(exam.rules.select_related("clause"))
    candidates = {rule.pk: tuple(rule_candidates(rule, unit=exam.unit).order_by("pk")
                                 .values_list("pk", "sort_order", "current_id"))
                  for rule in rules}
    return DrawPool(exam_pk=exam.pk, rules=rules, candidates=candidates)


def forget_draw_pool(exam: Exam) -> None:
    """Forget this process's pool of `exam` (its rules changed); other processes key theirs by the
    exam's updated_at, which the change moved."""
    _draw_pools.forget_where(lambda pool: pool.exam_pk == exam.pk)


def _current_versions(ids: set[int]) -> dict[int, QuestionVersion]:
    """The question versions by id, from the memo where it has them, the rest in one query."""
    found = {pk: v for pk in ids if (v := _versions.peek(pk)) is not None}
    missing = ids - found.keys()
    if missing:
        for version in QuestionVersion.objects.filter(pk__in=missing):
            _versions.put(version.pk, version)
            found[version.pk] = version
    return found


def paper_draw(*, exam: Exam, rng: random.Random) -> list[PaperItem]:
    """Draw a paper from the exam's blueprint.

    Per rule: sample `count` of the rule's candidates, never a question another rule already
    drew (the most constrained rules draw first); a mock exam only ever draws practice questions.
    With one paper for all the questions are sampled with the exam's own seed, so everyone gets
    the same ones; otherwise with `rng`, the attempt's. `rng` also shuffles, when the exam says
    so, the questions within each rule's section (else they keep the bank's order) and each
    question's options. The paper lists the sections in blueprint order."""
    pool = draw_pool(exam)
    rules = pool.rules
    if not rules:
        raise ValidationError(_("这场考试还没有抽题规则。"))
    if exam.kind == Kind.MOCK and any(rule.pool != Pool.PRACTICE for rule in rules):
        raise ValidationError(_("模拟考试只能从练习题中抽题。"))
    draw_rng = random.Random(exam.paper_seed) if exam.paper_mode == Exam.PaperMode.SAME else rng
    lines = {rule.pk: line for line, rule in enumerate(rules, start=1)}
    candidates = {rule.pk: [pk for pk, _order, _version in pool.candidates[rule.pk]] for rule in rules}
    facts = {pk: (order, version) for rule in rules for pk, order, version in pool.candidates[rule.pk]}
    taken: set[int] = set()
    drawn: dict[int, list[int]] = {}
    for rule in sorted(rules, key=lambda r: (len(candidates[r.pk]), lines[r.pk])):
        free = [pk for pk in candidates[rule.pk] if pk not in taken]
        if len(free) < rule.count:
            raise ValidationError(_("%(where)s：只有 %(n)d 道符合条件的可用试题，需要 %(need)d 道。")
                                  % {"where": rule_label(rule, lines[rule.pk]), "n": len(free), "need": rule.count})
        drawn[rule.pk] = draw_rng.sample(free, rule.count)
        taken.update(drawn[rule.pk])
    versions = _current_versions({facts[pk][1] for pk in taken})
    paper = []
    for rule in rules:
        ids = drawn[rule.pk]
        if exam.shuffle_questions:
            rng.shuffle(ids)
        else:
            ids.sort(key=lambda pk: (facts[pk][0], pk))
        for pk in ids:
            version = versions[facts[pk][1]]
            order = list(range(len(version.options))) if version.type in OPTIONED else []
            if exam.shuffle_options:
                rng.shuffle(order)
            paper.append(PaperItem(version=version, option_order=order, points=rule.points))
    return paper
