"""Demo 模拟考试: the city's 普遍服务知识模拟考试 on the demo bank, and a handful of finished attempts.

The exam draws 20 单选 ×2, 10 多选 ×3, 10 判断 ×2 and 5 填空 ×2 (100 points, 30 minutes,
unlimited attempts, answers and 解析 shown after submitting) from the practice pool of the
city bank JLS-PF that postqc.learning.demo imports. Some demo staff took it over the past
weeks through the same services a phone uses: their answers are right with a per-person
probability (a second try a little better), a few 填空 left blank.

Needs the org demo (unit JLS, the named staff) and the learning demo (bank JLS-PF).
"""
from __future__ import annotations

import datetime as dt
import random
import uuid

from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.learning.models import OPTION_KEYS, Bank
from postqc.org.models import Staff, Unit, UnitClosure

from .models import Attempt, AttemptItem, Exam
from .services import attempt_answer, attempt_start, attempt_submit, exam_create, to_displayed_keys

ROOT_CODE = "JL"
CITY_CODE = "JLS"
BANK_CODE = "JLS-PF"
AUTHOR = "22020004"  # 王丽娟, 质量管理员 of the city
TITLE = "普遍服务知识模拟考试"
DESCRIPTION = "按《邮政法》普遍服务条款和市分公司服务规范组卷，每次随机抽题，可反复练习；交卷后可查看答案与解析。"
RULES = (("single", 20, 2), ("multiple", 10, 3), ("true_false", 10, 2), ("fill", 5, 2))
# Who took it: employee number, how many attempts, probability of a right answer on the first.
TAKERS = (
    ("22020001", 2, 0.72),  # 曹磊, 营业员 蛟河 黄松甸
    ("22020002", 1, 0.81),  # 苏阳, 投递员 船营
    ("22020003", 2, 0.86),  # 刘颖, 支局长 磐石 东宁街
    ("22020009", 1, 0.64),  # 詹立信, 投递员 磐石
    ("22020010", 2, 0.77),  # 刘春秋, 营业员 舒兰 金马
)


def load(*, stdout, seed: int) -> None:
    if Exam.objects.filter(kind=Exam.Kind.MOCK, title=TITLE, unit__code=CITY_CODE).exists():
        stdout.write(_("模拟考试：%(title)s 已存在，未重复加载。") % {"title": TITLE} + "\n")
        return
    city = Unit.objects.filter(code=CITY_CODE).first()
    bank = Bank.objects.filter(code=BANK_CODE).first()
    author = Staff.objects.filter(employee_no=AUTHOR).first()
    if city is None or bank is None or author is None:
        raise RuntimeError(f"The contests demo needs the org demo (unit {CITY_CODE}, staff {AUTHOR}) "
                           f"and the learning demo (bank {BANK_CODE}).")
    rng = random.Random(seed)
    now = timezone.now()
    exam = exam_create(
        kind=Exam.Kind.MOCK, title=TITLE, unit=city, time_limit_seconds=30 * 60, actor=author, publish=True,
        rules=[{"question_type": t, "count": n, "points": p, "bank": bank} for t, n, p in RULES],
        description=DESCRIPTION, attempts_allowed=0, reveal=Exam.Reveal.AFTER_SUBMIT, pass_score=60,
        paper_mode=Exam.PaperMode.PER_PERSON,
    )
    Exam.objects.filter(pk=exam.pk).update(created_at=now - dt.timedelta(days=30))
    taken = 0
    for employee_no, tries, skill in TAKERS:
        staff = Staff.objects.filter(employee_no=employee_no).first()
        if staff is None:
            continue
        day = rng.randint(12, 26)
        for attempt_no in range(tries):
            started = timezone.localtime(now - dt.timedelta(days=day)).replace(
                hour=rng.choice((7, 12, 19, 20)), minute=rng.randint(0, 59), second=0, microsecond=0)
            _take(exam=exam, staff=staff, at=started, skill=min(0.97, skill + 0.06 * attempt_no), rng=rng)
            taken += 1
            day = max(1, day - rng.randint(3, 9))
    stdout.write(_("模拟考试：%(title)s（100 分，30 分钟），演示作答 %(n)d 次。") % {"title": TITLE, "n": taken} + "\n")


def _take(*, exam: Exam, staff, at: dt.datetime, skill: float, rng: random.Random) -> Attempt:
    """One attempt answered question by question, as on the phone, then submitted."""
    attempt, _ = attempt_start(exam=exam, staff=staff, at=at)
    clock = at
    for item in AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position"):
        clock += dt.timedelta(seconds=rng.randint(10, 34))  # 45 questions stay inside 30 minutes
        right = rng.random() < skill
        response = _response(item, right=right, rng=rng)
        if response is None:
            continue
        attempt_answer(attempt=attempt, position=item.position, response=response,
                       client_id=_uuid(rng), at=clock)
    return attempt_submit(attempt=attempt, at=clock + dt.timedelta(seconds=rng.randint(20, 90)))


def _response(item: AttemptItem, *, right: bool, rng: random.Random) -> list[str] | None:
    """A right answer in the keys shown; a plausible wrong one; None (left blank) for an unknown 填空."""
    version = item.version
    correct = to_displayed_keys(item, version.answer)
    if version.type == "fill":
        return correct[:1] if right else None
    if right:
        return correct
    if version.type == "true_false":
        return ["F"] if correct == ["T"] else ["T"]
    shown = OPTION_KEYS[: len(item.option_order)]
    wrong = [key for key in shown if key not in correct]
    if version.type == "single" or not wrong:
        return [rng.choice(wrong or shown)]
    # 多选: the usual slip — one right option missed, or one wrong option added.
    if len(correct) > 1 and rng.random() < 0.5:
        return sorted(rng.sample(correct, len(correct) - 1))
    return sorted([*correct, rng.choice(wrong)])


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def reset(*, stdout) -> None:
    """Delete the exams of the demo organisation and every attempt its staff made (before the org goes)."""
    units = UnitClosure.objects.filter(ancestor__code=ROOT_CODE).values("descendant_id")
    exams = Exam.objects.filter(unit_id__in=units)
    Attempt.objects.filter(exam__in=exams).delete()
    Attempt.objects.filter(staff__unit_id__in=units).delete()
    exams.delete()
    stdout.write(_("模拟考试：已删除演示数据。") + "\n")
