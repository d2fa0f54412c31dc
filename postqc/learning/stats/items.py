"""Item analysis: facility and discrimination of a bank's question versions on first attempts,
and the warnings they raise (contests.analysis reuses pearson, item_flags and FLAG_LABELS)."""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _

from postqc.core.access import ancestor_unit_ids, visible_unit_ids
from postqc.org.models import Unit
from postqc.org.roles import Capability

from ..models import Bank, Question, QuestionVersion
from .common import DISCRIMINATION_LOW, FACILITY_HIGH, FACILITY_LOW, ITEM_MIN_N
from .units import _check, _unit_answers, managed_unit

# --- Item analysis ------------------------------------------------------------------------------------------


FLAG_LABELS = {
    "negative_discrimination": _("区分度为负：可能有歧义或答案有误"),
    "low_discrimination": _("区分度低：可能有歧义"),
    "too_hard": _("过难"),
    "too_easy": _("过易"),
}


@dataclass
class ItemRow:
    """One question version's first attempts. marks are 0/1, so facility is the share right."""

    question_id: int
    code: str
    version: int
    is_current: bool
    type: str
    stem: str
    sort_order: int
    n: int = 0
    right: int = 0
    discrimination: float | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def facility(self) -> float | None:
        return self.right / self.n if self.n else None

    @property
    def flag_pairs(self) -> list[tuple[str, str]]:
        return [(f, str(FLAG_LABELS[f])) for f in self.flags]

    @property
    def flag_labels(self) -> list[str]:
        return [label for _f, label in self.flag_pairs]


@dataclass
class ItemAnalysis:
    bank: Bank
    unit: Unit
    people: int  # staff with at least one first attempt in the bank
    first_attempts: int
    rows: list[ItemRow]

    @property
    def flagged(self) -> int:
        return sum(1 for r in self.rows if r.flags)


def banks_for_stats(manager) -> QuerySet[Bank]:
    """The banks whose item analysis a manager may see: those of their subtree, and those offered to
    their staff from above (the city bank, for a county) — computed on their own staff only."""
    return (Bank.objects.filter(Q(unit__in=visible_unit_ids(manager)) | Q(unit__in=ancestor_unit_ids(manager)))
            .select_related("unit").order_by("unit__depth", "code"))


def first_attempts(answers: QuerySet) -> QuerySet:
    """Each person's first answer on each question among `answers` (earliest answered_at, then
    lowest id): one query with ROW_NUMBER() over (staff, question)."""
    ranked = answers.annotate(rank=Window(RowNumber(), partition_by=[F("staff_id"), F("question_id")],
                                          order_by=[F("answered_at").asc(), F("pk").asc()]))
    return ranked.filter(rank=1)


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """The Pearson correlation of two equal-length lists; None when either does not vary (or n < 2)."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def item_flags(*, n: int, facility: float | None, discrimination: float | None) -> list[str]:
    """The warnings of one item (docs/statistics.md): none below ITEM_MIN_N first attempts."""
    if n < ITEM_MIN_N or facility is None:
        return []
    flags = []
    if discrimination is not None and discrimination < 0:
        flags.append("negative_discrimination")
    elif discrimination is not None and discrimination < DISCRIMINATION_LOW:
        flags.append("low_discrimination")
    if facility < FACILITY_LOW:
        flags.append("too_hard")
    elif facility > FACILITY_HIGH:
        flags.append("too_easy")
    return flags


def item_analysis(manager, *, bank: Bank, unit: Unit | None = None) -> ItemAnalysis:
    """Facility and discrimination of every question version of `bank` answered by the unit's staff,
    on FIRST attempts only (each person's first answer on each question; later answers — after
    seeing the 解析 — would measure memory, not the item).

    Moodle defines discrimination as the correlation between the item's mark and the mark on the
    rest of the test. Practice has no fixed test: people answer different subsets of the bank. So
    the "test" is the person's first attempts across the bank, and the rest-of-test mark is their
    proportion right on their OTHER first attempts (people with no other first attempt are left
    out of the correlation, not of n and facility). Facility = mean mark ÷ max mark = share right.

    Two queries (the first attempts, then the bank's versions); Python folds the first attempts,
    bounded by the bank's questions × the unit's staff."""
    unit = _check(manager, unit or managed_unit(manager))
    answers = _unit_answers(unit).filter(question__bank=bank)
    if not manager.can(Capability.EDIT_CONTENT):
        answers = answers.exclude(question__pool=Question.Pool.RESERVED)
    firsts = list(first_attempts(answers).values_list("staff_id", "question_id", "version_id", "is_correct"))
    per_person: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # staff → [first attempts, right]
    for staff_id, _q, _v, correct in firsts:
        p = per_person[staff_id]
        p[0] += 1
        p[1] += bool(correct)
    versions = {pk: row for pk, *row in QuestionVersion.objects.filter(question__bank=bank).values_list(
        "pk", "question_id", "question__code", "number", "question__current_id", "type", "stem",
        "question__sort_order")}
    rows: dict[int, ItemRow] = {}
    pairs: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for staff_id, _q, version_id, correct in firsts:
        question_id, code, number, current_id, type_, stem, order = versions[version_id]
        row = rows.get(version_id)
        if row is None:
            row = rows[version_id] = ItemRow(question_id=question_id, code=code, version=number,
                                             is_current=current_id == version_id, type=type_, stem=stem,
                                             sort_order=order)
        x = 1 if correct else 0
        row.n += 1
        row.right += x
        count, right = per_person[staff_id]
        if count > 1:
            xs, ys = pairs[version_id]
            xs.append(x)
            ys.append((right - x) / (count - 1))
    for version_id, row in rows.items():
        row.discrimination = pearson(*pairs[version_id]) if version_id in pairs else None
        row.flags = item_flags(n=row.n, facility=row.facility, discrimination=row.discrimination)
    ordered = sorted(rows.values(), key=lambda r: (r.sort_order, r.question_id, r.version))
    return ItemAnalysis(bank=bank, unit=unit, people=len(per_person), first_attempts=len(firsts), rows=ordered)
