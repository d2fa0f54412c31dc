"""Demo question banks, loaded through the question importer so the demo proves it.

- 普遍服务知识题库 (JLS-PF), owned by the city: data/questions.csv, the project's bank written
  from the domain notes and the standards library. About 15% of it — an even spread through
  the bank, never a 必知必会 question, which everyone must practise — is reserved for
  competitions.
- 蛟河农村投递与邮驿站实务题库 (JH-SW), 蛟河's own bank: data/county_jh.csv, situations of
  rural delivery and 邮驿站 service applying the same rules.

Needs the org demo (units JLS and JLS-JH, 蛟河市分公司) and the standards demo (the clauses the questions cite).
`load` runs each part in order; later parts (practice history) are appended to it.
"""
from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from postqc.org.models import Unit
from postqc.standards import demo as standards_demo

from .importers import import_questions
from .models import Answer, Bank, Favorite, PracticeCursor, Question, ReviewCard, Tag, WrongEntry
from .services import bank_create

DATA_DIR = Path(__file__).resolve().parent / "data"
BANKS = (
    # code, name, owner unit, file, description
    ("JLS-PF", "普遍服务知识题库", "JLS", "questions.csv",
     "《邮政法》普遍服务条款、市分公司营业服务规范、投递服务规范和邮驿站服务规范的应知应会题目。"),
    ("JH-SW", "蛟河农村投递与邮驿站实务题库", "JLS-JH", "county_jh.csv", "蛟河市分公司结合农村投递和邮驿站服务编写的情景题。"),
)
RESERVED_SHARE = 0.15


def load(*, stdout, seed: int) -> None:
    load_banks(stdout=stdout)
    # Published after the banks link their questions to clauses, so the revised clauses
    # flag real questions and the review queue (待复核) has work in it.
    standards_demo.load_revisions(stdout=stdout)


def load_banks(*, stdout) -> None:
    """Create each demo bank that is not there yet and import its file (all or nothing)."""
    for code, name, unit_code, filename, description in BANKS:
        if Bank.objects.filter(code=code).exists():
            stdout.write(_("题库：%(code)s 已存在，未重复加载。") % {"code": code} + "\n")
            continue
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            raise RuntimeError(f"The learning demo needs the org demo (unit {unit_code}).")
        bank = bank_create(code=code, name=name, unit=unit, description=description)
        report = import_questions(DATA_DIR / filename, bank=bank)
        if not report.written or report.errors:
            details = "\n".join(str(e) for e in report.errors[:20])
            raise RuntimeError(f"The demo bank {code} did not import cleanly:\n{details}")
        reserved = reserve_for_competitions(bank) if code == "JLS-PF" else 0
        stdout.write(_("题库：%(name)s（%(code)s）%(n)d 道题，其中竞赛专用 %(r)d 道。") % {
            "name": name, "code": code, "n": report.created, "r": reserved} + "\n")


def reserve_for_competitions(bank: Bank) -> int:
    """Move an even spread of about RESERVED_SHARE of the bank's questions to the competition pool,
    leaving every 必知必会 question in practice. Deterministic: the same file gives the same set."""
    questions = list(Question.objects.filter(bank=bank).order_by("sort_order").values_list("pk", "current__red_line"))
    candidates = [pk for pk, red_line in questions if not red_line]
    target = round(len(questions) * RESERVED_SHARE)
    if not candidates or not target:
        return 0
    step = len(candidates) / min(target, len(candidates))
    chosen = [candidates[int((i + 0.5) * step)] for i in range(min(target, len(candidates)))]
    return Question.objects.filter(pk__in=chosen).update(pool=Question.Pool.RESERVED)


def reset(*, stdout) -> None:
    """Delete the demo banks with their questions, everything practised on them, and the tags left unused."""
    banks = Bank.objects.filter(code__in=[b[0] for b in BANKS])
    questions = Question.objects.filter(bank__in=banks)
    for model in (Answer, ReviewCard, WrongEntry, Favorite):
        model.objects.filter(question__in=questions).delete()
    PracticeCursor.objects.filter(bank__in=banks).delete()
    questions.update(current=None)
    questions.delete()
    banks.delete()
    Tag.objects.filter(versions__isnull=True).delete()  # tags only the demo questions carried
    stdout.write(_("题库：已删除演示数据。") + "\n")
