"""Item analysis of one competition or exam: how each question on its papers performed.

Only FIRST attempts count (each person's attempt number 1, finished and not excluded after
review): a second attempt after seeing the result measures memory, not the item. With papers
drawn per person, each question version has its own n.

- Facility: the mean mark ÷ the question's points; grading is all or nothing, so it is the
  share who got it right.
- Discrimination: the Pearson correlation between a person's mark on the item (0/1) and their
  proportion of points on the REST of their paper (the item left out, so it does not
  correlate with itself) — Moodle's "discrimination index" definition, with learning.stats'
  pearson and its flags (too hard, too easy, low or negative discrimination; none below
  learning.stats.ITEM_MIN_N first attempts).
- Options: how often each option was chosen, by the question's ORIGINAL option keys (answers
  are stored in them whatever order each person saw), the right ones marked; 判断 as 对/错;
  填空 the right answers and the most common wrong texts. Blank answers are counted apart.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from postqc.learning.models import OPTION_KEYS, QuestionVersion
from postqc.learning.stats import FLAG_LABELS, item_flags, pearson

from .boards import FINISHED
from .models import AttemptItem, Exam

Type = QuestionVersion.Type
FILL_SHOWN = 3


@dataclass(frozen=True)
class OptionTally:
    key: str  # the original key (A…), T/F, or the text given for a 填空
    text: str
    count: int
    right: bool
    share: float  # of the item's n


@dataclass
class ItemRow:
    version: QuestionVersion
    n: int = 0
    right: int = 0
    marks: float = 0.0  # sum of mark ÷ points
    blank: int = 0
    discrimination: float | None = None
    flags: list[str] = field(default_factory=list)
    options: list[OptionTally] = field(default_factory=list)

    @property
    def facility(self) -> float | None:
        return self.marks / self.n if self.n else None

    @property
    def flag_labels(self) -> list[str]:
        return [str(FLAG_LABELS[f]) for f in self.flags]


@dataclass(frozen=True)
class ItemAnalysis:
    exam: Exam
    people: int  # first attempts analysed
    rows: list[ItemRow]

    @property
    def flagged(self) -> int:
        return sum(1 for r in self.rows if r.flags)


def item_analysis(exam: Exam) -> ItemAnalysis:
    """Facility, discrimination and option counts of every question version on the exam's first
    attempts. Two queries (the answered items, the versions); Python folds them."""
    items = list(AttemptItem.objects.filter(
        attempt__exam=exam, attempt__number=1, attempt__status__in=FINISHED, attempt__excluded_at__isnull=True,
    ).values_list("attempt_id", "version_id", "awarded", "points", "response"))
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])  # attempt → [awarded, points]
    for attempt_id, _v, awarded, points, _r in items:
        totals[attempt_id][0] += awarded or 0
        totals[attempt_id][1] += points
    versions = {v.pk: v for v in QuestionVersion.objects.filter(pk__in={i[1] for i in items})
                .select_related("question")}
    rows: dict[int, ItemRow] = {}
    pairs: dict[int, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    chosen: dict[int, Counter] = defaultdict(Counter)
    for attempt_id, version_id, awarded, points, response in items:
        row = rows.setdefault(version_id, ItemRow(version=versions[version_id]))
        mark = float((awarded or 0) / points) if points else 0.0
        row.n += 1
        row.marks += mark
        row.right += mark > 0
        if response is None:
            row.blank += 1
        elif row.version.type != Type.FILL:
            chosen[version_id].update(response)
        elif not mark:
            chosen[version_id][response[0].strip()] += 1
        got, possible = totals[attempt_id]
        if possible - points > 0:
            xs, ys = pairs[version_id]
            xs.append(mark)
            ys.append(float((got - (awarded or 0)) / (possible - points)))
    for version_id, row in rows.items():
        row.discrimination = pearson(*pairs[version_id]) if version_id in pairs else None
        row.flags = item_flags(n=row.n, facility=row.facility, discrimination=row.discrimination)
        row.options = _tallies(row, chosen[version_id])
    sections: dict[str, int] = {}
    for question_type in exam.rules.values_list("question_type", flat=True):
        sections.setdefault(question_type, len(sections))
    ordered = sorted(rows.values(), key=lambda r: (sections.get(r.version.type, len(sections)),
                                                   r.version.question.sort_order, r.version.question_id))
    return ItemAnalysis(exam=exam, people=len(totals), rows=ordered)


def _tallies(row: ItemRow, counts: Counter) -> list[OptionTally]:
    version, n = row.version, row.n or 1
    answer = set(version.answer)
    if version.type in (Type.SINGLE, Type.MULTIPLE):
        keys = OPTION_KEYS[: len(version.options)]
        return [OptionTally(key, text, counts[key], key in answer, counts[key] / n)
                for key, text in zip(keys, version.options, strict=True)]
    if version.type == Type.TRUE_FALSE:
        return [OptionTally(key, text, counts[key], key in answer, counts[key] / n)
                for key, text in (("T", _("对")), ("F", _("错")))]
    return [OptionTally("", " / ".join(version.answer), row.right, True, row.right / n),
            *(OptionTally("", text, c, False, c / n) for text, c in counts.most_common(FILL_SHOWN))]
