"""Certificates (荣誉证书) of a finished competition: its top `prize_people` people on the board, and
its top `prize_units` units on the unit board, printed one per A4 landscape page.

A certificate reads the board as it stands (the database board, the truth): an attempt excluded
after review has left it, so its certificate goes to the next person. The date is the
competition's close, written the way Chinese certificates write dates (二〇一八年九月三十日).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.org.models import UnitClosure

from . import boards
from .models import BoardEntry, Exam

DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 31 → 三十一 (up to 99): months, days, places."""
    tens, ones = divmod(n, 10)
    if not tens:
        return DIGITS[ones]
    return (DIGITS[tens] if tens > 1 else "") + "十" + (DIGITS[ones] if ones else "")


def chinese_date(day: dt.date) -> str:
    """2018-09-30 → 二〇一八年九月三十日."""
    year = "".join(DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{chinese_number(day.month)}月{chinese_number(day.day)}日"


def prize_label(rank: int) -> str:
    """第一名 … 第九十九名 (plain digits beyond)."""
    return _("第%(n)s名") % {"n": chinese_number(rank) if rank < 100 else str(rank)}


@dataclass(frozen=True)
class Certificate:
    recipient: str  # a person's name, or a unit's
    unit: str  # the person's unit, as seen from the organiser ("蛟河市分公司 黄松甸支局"); "" for a unit
    rank: int
    exam_title: str
    organiser: str
    date: str
    staff_id: int | None = None  # the person's, for a person's certificate

    @property
    def prize(self) -> str:
        return prize_label(self.rank)


def _issued_on(exam: Exam) -> str:
    return chinese_date(timezone.localdate(exam.closes_at) if exam.closes_at else timezone.localdate())


def ranked_entries(exam: Exam):
    """The exam's database board in the boards' order, best first."""
    return BoardEntry.objects.filter(exam=exam).select_related("staff", "unit").order_by(*boards.ORDER)


def unit_paths(exam: Exam, unit_ids) -> dict[int, str]:
    """Each unit's name with the units between it and the organiser ("蛟河市分公司 黄松甸支局"), in one query."""
    rows = (UnitClosure.objects.filter(descendant_id__in=set(unit_ids), ancestor__depth__gt=exam.unit.depth)
            .order_by("descendant_id", "-depth").values_list("descendant_id", "ancestor__name"))
    paths: dict[int, list[str]] = {}
    for unit_id, name in rows:
        paths.setdefault(unit_id, []).append(name)
    return {unit_id: " ".join(names) for unit_id, names in paths.items()}


def people_certificates(exam: Exam) -> list[Certificate]:
    """The top `prize_people` of the board. Two queries."""
    if not exam.prize_people:
        return []
    entries = list(ranked_entries(exam)[: exam.prize_people])
    paths = unit_paths(exam, [e.unit_id for e in entries])
    date = _issued_on(exam)
    return [Certificate(recipient=e.staff.name, unit=paths.get(e.unit_id, e.unit.name), rank=rank,
                        exam_title=exam.title, organiser=exam.unit.name, date=date, staff_id=e.staff_id)
            for rank, e in enumerate(entries, start=1)]


def unit_certificates(exam: Exam) -> list[Certificate]:
    """The top `prize_units` of the unit board (boards.units: per-capita score over the eligible
    headcount, then participation)."""
    if not exam.prize_units:
        return []
    date = _issued_on(exam)
    return [Certificate(recipient=u.name, unit="", rank=u.rank, exam_title=exam.title, organiser=exam.unit.name,
                        date=date)
            for u in boards.units(exam)[: exam.prize_units] if u.participants]


def exam_certificates(exam: Exam) -> list[Certificate]:
    """Every certificate of the exam: the people first, then the units."""
    return people_certificates(exam) + unit_certificates(exam)


def person_certificate(exam: Exam, user) -> Certificate | None:
    """The person's certificate, if they are among the prize winners."""
    return next((c for c in people_certificates(exam) if c.staff_id == user.pk), None)
