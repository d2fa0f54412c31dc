"""Demo exams: the city's 普遍服务知识模拟考试, and the competitions (竞赛) and an exam (考试).

The mock exam draws 20 单选 ×2, 10 多选 ×3, 10 判断 ×2 and 5 填空 ×2 (100 points, 30 minutes,
unlimited attempts, answers and 解析 shown after submitting) from the practice pool of the
city bank JLS-PF that postqc.learning.demo imports. Some demo staff took it over the past
weeks through the same services a phone uses: their answers are right with a per-person
probability (a second try a little better), a few 填空 left blank.

Competitions and the exam draw from the bank's competition-reserved pool
(15 单选 ×2, 10 多选 ×4, 10 判断 ×2, 5 填空 ×2 = 100 points, 40 questions):

- 2018年普遍服务知识竞赛 (finished, September 2018): 300 front-line staff across the city took
  part; 曹磊 of 蛟河 黄松甸支局 came first with a full score in the shortest time (the seed
  article's winner); certificates for the top 10 people and the top 3 units. Two clerks of one
  outlet answered on the counter's shared PC, so their attempts carry a 同一设备 flag to review.
- an open competition (opened a day before the demo was loaded, closes 14 days after), with the
  speed bonus on and some people already on its board — the demo accounts have not taken it;
- an upcoming one: 蛟河's own clerks' competition, opening in 10 days;
- an exam: 营业员上岗资格考试 for clerks and branch heads, open now, pass mark 80.

Attempts go through the services (attempt_start draws and stores the paper, attempt_submit
scores it and records the board); the answers are written onto the stored items in one
statement per attempt, as attempt_answer would store them (original option keys, a client id,
an answer time), because 16,000 single answers would make the demo slow to load.

Needs the org demo (unit JLS, the named staff) and the learning demo (bank JLS-PF).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid

from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.learning.models import OPTION_KEYS, Bank
from postqc.org.models import Staff, StaffRole, Unit, UnitClosure
from postqc.org.roles import Role

from .audience import eligible_staff
from .boards import ORDER
from .models import Attempt, AttemptItem, BoardEntry, Exam
from .services import (
    attempt_answer, attempt_start, attempt_submit, exam_create, exam_publish, to_displayed_keys,
)

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
    load_mock(stdout=stdout, seed=seed)
    load_competitions(stdout=stdout, seed=seed)


def load_mock(*, stdout, seed: int) -> None:
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


# --- Competitions and the exam ------------------------------------------------------------------------

COMPETITION_RULES = (("single", 15, 2), ("multiple", 10, 4), ("true_false", 10, 2), ("fill", 5, 2))
FRONT_LINE = [Role.CLERK, Role.COURIER, Role.BRANCH_HEAD]
WINNER = "22020001"  # 曹磊, 营业员 of 蛟河 黄松甸支局: first in 2018, full marks in the shortest time
WINNER_SECONDS = 9 * 60 + 12
NAMED_2018 = {"22020002": 0.82, "22020003": 0.9, "22020009": 0.7, "22020010": 0.88}  # the other named people
PARTICIPANTS_2018 = 300
DEMO_LOGINS = {"22020001", "22020002", "22020003", "22020004", "22020005", "22020006", "22020007"}
COUNTY_AUTHOR = "22020005"  # 赵宏伟, 质量管理员 of 蛟河
CONTEST_2018 = "2018年普遍服务知识竞赛"
CONTEST_2018_TEXT = ("为检验普遍服务业务知识的学习成果，深入推进邮政普遍服务标准的落实，使从业人员将理论知识与实际应用相结合，"
                     "全市一线员工通过手机参加。每人随机组卷，限时 30 分钟，结束后公布答案与解析。")
CONTEST_OPEN = "%(year)d年普遍服务标准知识竞赛"
CONTEST_OPEN_TEXT = "全市一线员工均可参加，可答两次，取最好成绩；启用用时加分（最多加卷面分的 10%）。"
CONTEST_COUNTY = "蛟河市分公司营业员业务知识竞赛"
CONTEST_COUNTY_TEXT = "蛟河市分公司营业员参加，前 5 名和前 2 个支局颁发证书。"
EXAM_TITLE = "营业员上岗资格考试"
EXAM_TEXT = "营业员和支局长参加，80 分及格，可考两次，取最好成绩；交卷后可查看答案与解析。"


def load_competitions(*, stdout, seed: int) -> None:
    """The finished 2018 competition with its results and winners, one open now, one upcoming, an exam."""
    city = Unit.objects.get(code=CITY_CODE)
    bank = Bank.objects.get(code=BANK_CODE)
    author = Staff.objects.get(employee_no=AUTHOR)
    rng = random.Random(seed + 1)
    rules = [{"question_type": t, "count": n, "points": p, "bank": bank} for t, n, p in COMPETITION_RULES]
    now = timezone.localtime(timezone.now()).replace(minute=0, second=0, microsecond=0)
    common = {"rules": rules, "time_limit_seconds": 30 * 60, "paper_mode": Exam.PaperMode.PER_PERSON}

    tz = timezone.get_current_timezone()
    opens = dt.datetime(2018, 9, 10, 8, 0, tzinfo=tz)
    contest = exam_create(
        kind=Exam.Kind.CONTEST, title=CONTEST_2018, unit=city, actor=author, description=CONTEST_2018_TEXT,
        opens_at=opens, closes_at=dt.datetime(2018, 9, 28, 20, 0, tzinfo=tz), attempts_allowed=1,
        counting=Exam.Counting.BEST, reveal=Exam.Reveal.AFTER_CLOSE, pass_score=60, prize_people=10, prize_units=3,
        audience_roles=FRONT_LINE, **common)
    _publish(contest, author, at=opens - dt.timedelta(days=5))
    taken = _run_2018(contest, rng)
    stdout.write(_("竞赛：%(title)s，%(n)d 人参加，第一名 %(name)s。")
                 % {"title": CONTEST_2018, "n": taken, "name": _first(contest)} + "\n")

    title = CONTEST_OPEN % {"year": now.year}
    live = exam_create(
        kind=Exam.Kind.CONTEST, title=title, unit=city, actor=author, description=CONTEST_OPEN_TEXT,
        opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=14), attempts_allowed=2,
        counting=Exam.Counting.BEST, reveal=Exam.Reveal.AFTER_CLOSE, pass_score=60, prize_people=10, prize_units=3,
        speed_bonus=True, audience_roles=FRONT_LINE, **common)
    _publish(live, author, at=now - dt.timedelta(days=2))
    taken = _run_open(live, rng, people=60, since=now - dt.timedelta(days=1), until=timezone.now())
    stdout.write(_("竞赛：%(title)s 进行中（%(until)s 截止），已有 %(n)d 人参加。")
                 % {"title": title, "until": f"{live.closes_at:%Y-%m-%d %H:%M}", "n": taken} + "\n")

    county = Unit.objects.get(code="JLS-JH")
    starts = (now + dt.timedelta(days=10)).replace(hour=9)
    exam_create(
        kind=Exam.Kind.CONTEST, title=CONTEST_COUNTY, unit=county, actor=Staff.objects.get(employee_no=COUNTY_AUTHOR),
        description=CONTEST_COUNTY_TEXT, opens_at=starts, closes_at=starts + dt.timedelta(days=7),
        attempts_allowed=1, reveal=Exam.Reveal.AFTER_CLOSE, pass_score=60, prize_people=5, prize_units=2,
        audience_roles=[Role.CLERK], publish=True, **common)
    stdout.write(_("竞赛：%(title)s 将于 %(at)s 开始。") % {"title": CONTEST_COUNTY, "at": f"{starts:%Y-%m-%d %H:%M}"}
                 + "\n")

    exam = exam_create(
        kind=Exam.Kind.EXAM, title=EXAM_TITLE, unit=city, actor=author, description=EXAM_TEXT,
        opens_at=now - dt.timedelta(days=3), closes_at=now + dt.timedelta(days=27), attempts_allowed=2,
        counting=Exam.Counting.BEST, reveal=Exam.Reveal.AFTER_SUBMIT, pass_score=80,
        audience_roles=[Role.CLERK, Role.BRANCH_HEAD], **{**common, "time_limit_seconds": 60 * 60})
    _publish(exam, author, at=now - dt.timedelta(days=4))
    taken = _run_open(exam, rng, people=40, since=now - dt.timedelta(days=3), until=timezone.now())
    stdout.write(_("考试：%(title)s 进行中，已有 %(n)d 人参加。") % {"title": EXAM_TITLE, "n": taken} + "\n")


def _publish(exam: Exam, author, *, at: dt.datetime) -> None:
    exam_publish(exam=exam, actor=author, at=at)
    Exam.objects.filter(pk=exam.pk).update(created_at=at - dt.timedelta(days=2))


def _audience(exam: Exam) -> list[Staff]:
    """The people the exam is for (audience.eligible_staff, the same rule as taking part), by 工号."""
    return list(eligible_staff(exam).order_by("employee_no"))


def _run_2018(exam: Exam, rng: random.Random) -> int:
    """300 people across the city; 曹磊 first; two clerks of one outlet on the counter's shared PC."""
    people = _audience(exam)
    by_no = {s.employee_no: s for s in people}
    named = [by_no[no] for no in (WINNER, *NAMED_2018) if no in by_no]
    others = [s for s in people if s.employee_no not in NAMED_2018 and s.employee_no != WINNER]
    chosen = named + rng.sample(others, min(len(others), PARTICIPANTS_2018 - len(named)))
    shared = _counter_pair(people, chosen, rng)
    window = (exam.closes_at - exam.opens_at).days
    for staff in chosen:
        day = exam.opens_at + dt.timedelta(days=rng.randrange(window))
        started = day.replace(hour=rng.choice((8, 12, 13, 18, 19, 20)), minute=rng.randrange(60))
        if staff.employee_no == WINNER:
            skill, seconds = 1.0, WINNER_SECONDS
        else:
            skill = NAMED_2018.get(staff.employee_no) or min(0.96, max(0.35, rng.gauss(0.72, 0.12)))
            seconds = rng.randint(11 * 60, 29 * 60)
        device = _device(f"{exam.pk}-{'counter' if staff.pk in shared else staff.pk}")
        _compete(exam=exam, staff=staff, at=started, skill=skill, seconds=seconds, device=device, rng=rng,
                 perfect=staff.employee_no == WINNER)
    return len(chosen)


def _counter_pair(people: list[Staff], chosen: list[Staff], rng: random.Random) -> set[int]:
    """Two chosen clerks of one outlet (they answer on its counter PC); they are added if need be."""
    clerks: dict[int, list[Staff]] = {}
    roles = set(StaffRole.objects.filter(role=Role.CLERK, staff__in=people).values_list("staff_id", flat=True))
    for s in people:
        if s.outlet_id and s.pk in roles and s.employee_no not in DEMO_LOGINS and s.employee_no != WINNER:
            clerks.setdefault(s.outlet_id, []).append(s)
    outlet = rng.choice(sorted(o for o, staff in clerks.items() if len(staff) >= 2))
    pair = clerks[outlet][:2]
    chosen.extend(s for s in pair if s not in chosen)
    return {s.pk for s in pair}


def _run_open(exam: Exam, rng: random.Random, *, people: int, since: dt.datetime, until: dt.datetime) -> int:
    """Some of the audience (never a demo account: those are left to try it) took part so far."""
    audience = [s for s in _audience(exam) if s.employee_no not in DEMO_LOGINS and s.employee_no != WINNER]
    span = int((until - since).total_seconds()) - exam.time_limit_seconds - 600
    for staff in rng.sample(audience, min(people, len(audience))):
        started = since + dt.timedelta(seconds=rng.randrange(max(1, span)))
        skill = min(0.96, max(0.35, rng.gauss(0.74, 0.12)))
        seconds = rng.randint(int(exam.time_limit_seconds * 0.35), int(exam.time_limit_seconds * 0.95))
        _compete(exam=exam, staff=staff, at=started, skill=skill, seconds=seconds, device=_device(staff.pk), rng=rng)
    return min(people, len(audience))


def _compete(*, exam: Exam, staff, at: dt.datetime, skill: float, seconds: int, device: str,
             rng: random.Random, perfect: bool = False) -> Attempt:
    """One attempt: the paper drawn and stored by attempt_start, the answers written onto its items
    as attempt_answer stores them (original keys, a client id, the time given), then attempt_submit.
    Nobody but the `perfect` one gets everything right."""
    attempt, _created = attempt_start(exam=exam, staff=staff, at=at, device_hash=device)
    items = list(AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position"))
    right = [perfect or rng.random() < skill for _item in items]
    if not perfect and all(right):
        right[rng.randrange(len(right))] = False
    clock, step = at, (seconds - 30) / len(items)
    for item, is_right in zip(items, right, strict=True):
        clock += dt.timedelta(seconds=step * rng.uniform(0.7, 1.3))
        item.response = _original_response(item, right=is_right, rng=rng)
        item.client_id = _uuid(rng)
        item.answered_at = clock
    # The stored items, answered, written back in one statement (an UPDATE per row costs 10× more).
    AttemptItem.objects.filter(attempt=attempt).delete()
    for item in items:
        item.pk = None
    AttemptItem.objects.bulk_create(items)
    return attempt_submit(attempt=attempt, at=at + dt.timedelta(seconds=seconds))


def _original_response(item: AttemptItem, *, right: bool, rng: random.Random) -> list[str] | None:
    """A right answer, or a plausible wrong one, in the question's own option keys; a 填空 not
    known is left blank (None)."""
    version = item.version
    if version.type == "fill":
        return [version.answer[0]] if right else None
    if right:
        return sorted(version.answer)
    if version.type == "true_false":
        return ["F"] if version.answer == ["T"] else ["T"]
    keys = OPTION_KEYS[: len(version.options)]
    wrong = [key for key in keys if key not in version.answer]
    if version.type == "single" or not wrong:
        return [rng.choice(wrong or keys)]
    if len(version.answer) > 1 and rng.random() < 0.5:
        return sorted(rng.sample(version.answer, len(version.answer) - 1))
    return sorted([*version.answer, rng.choice(wrong)])


def _device(seed) -> str:
    """A stable stand-in for integrity.device_hash: 64 hex characters per (demo) device."""
    return hashlib.sha256(f"postqc-demo-device-{seed}".encode()).hexdigest()


def _first(exam: Exam) -> str:
    entry = BoardEntry.objects.filter(exam=exam).select_related("staff").order_by(*ORDER).first()
    return entry.staff.name if entry else "—"


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
    stdout.write(_("考试与竞赛：已删除演示数据。") + "\n")
