"""Demo practice history: months of practice by the demo clerks, couriers and department staff, so the
statistics pages (and each person's 我的 page) show real numbers.

About 55 % of the clerks and couriers (more in some districts and counties than in others) and about
a quarter of the department staff (机关人员: the company-wide competitions are theirs too) practised
on the demo banks in the HISTORY_DAYS days up to yesterday, 50 to 600 answers each, in sessions at
breakfast, lunch or in the evening. The named demo clerks, couriers and department staff always did. Some stopped weeks
ago, most are still at it, so "active in the last 7 / 30 days" differ. Sessions follow the practice
modes: 顺序练习 through the bank, 随机练习, the 错题本 and the due 每日复习 cards.

Whether an answer is right depends on the person's skill and the question's difficulty (a logistic
model: P(right) = σ(1.4·(skill − difficulty) + what earlier attempts taught)), so the item analysis
shows sensible facility and discrimination. Two questions chosen by the seed are "ambiguous":
strong people do worse on them, so the item analysis flags them.

The rows are built in memory and written with bulk inserts: every person's answers are replayed
through the real rules — scheduling.apply_review for the FSRS card (rating_for: wrong → Again,
right → Good, slow → Hard) and the 错题本 rule of recording.wrong_book_step (N right in a row,
policy default 2, clears an entry) — with no write per answer. Everything comes from
random.Random(seed) and the window's last day (`end`, yesterday by default, or given): the same seed
and the same last day give the same history. The window ends the day before the demo is loaded, so
"active in the last 7 days" and the due 每日复习 cards look like a working branch's whenever the demo
is loaded; the days after loading age it as real days would.

Needs the org demo (staff) and the learning demo (banks JLS-PF, JH-SW).
"""
from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.org.models import Staff, Unit, UnitClosure
from postqc.org.roles import Role

from .models import Answer, Bank, PracticeCursor, Question, ReviewCard, WrongEntry
from .recording import CardState, EntryState, wrong_book_step
from .scheduling import Policy, apply_review, policy_for, rating_for, scheduler_for

CITY_CODE = "JLS"
BANK_CODES = ("JLS-PF", "JH-SW")
HISTORY_DAYS = 150  # the demo's months of practice, ending the day before it is loaded
ACTIVE_SHARE = (0.4, 0.7)  # share of a district's or county's clerks and couriers who practise
OFFICE_SHARE = (0.15, 0.35)  # share of a department's staff (机关人员) who practise
NAMED = {"22020001", "22020002", "22020009", "22020010", "22020011"}  # the demo's named learners (org demo)
ANSWERS = (50, 600)
SESSION = (5, 25)  # answers per sitting
SLOTS = ((7, 0, 90), (12, 0, 90), (19, 0, 210))  # local start hour, minute, window in minutes
AMBIGUOUS = 2
WRONG_FILL = ("不清楚", "记不得了", "以上都不对")
BATCH = 5000
ANSWER_COLUMNS = ("staff", "question", "version", "mode", "response", "is_correct", "duration_ms", "hinted", "rating",
                  "client_id", "answered_at")
CARD_COLUMNS = ("staff", "question", "state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
ENTRY_COLUMNS = ("staff", "question", "wrong_count", "right_streak", "last_wrong_at", "cleared_at")


def _local(day: dt.date, minutes: int) -> dt.datetime:
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=timezone.get_default_timezone())
    return start + dt.timedelta(minutes=minutes)


def window(end: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day of the demo's practice: HISTORY_DAYS days up to `end` (default: yesterday, local)."""
    end = end or timezone.localdate() - dt.timedelta(days=1)
    return end - dt.timedelta(days=HISTORY_DAYS - 1), end


def is_loaded(end: dt.date) -> bool:
    before = _local(end + dt.timedelta(days=1), 0)
    return Answer.objects.filter(question__bank__code__in=BANK_CODES, answered_at__lt=before).exists()


# --- The plan ------------------------------------------------------------------------------------------


@dataclass
class _Item:
    pk: int
    bank_id: int
    version_id: int
    type: str
    options: int
    answer: list[str]
    red_line: bool
    difficulty: float  # on the skill scale
    ambiguous: bool = False


@dataclass
class _Card(CardState):
    """A card with its owner and question, so that the history can be saved in bulk."""

    staff_id: int = 0
    question_id: int = 0


@dataclass
class _Person:
    staff_id: int
    unit_id: int
    skill: float
    items: list[_Item]  # what the person may practise, in bank order
    cards: dict[int, _Card] = field(default_factory=dict)
    entries: dict[int, EntryState] = field(default_factory=dict)
    seen: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    cursor: dict[int, int] = field(default_factory=dict)  # bank id → index in items of the last 顺序练习 answer
    answers: list[tuple] = field(default_factory=list)  # ANSWER_COLUMNS


class _History:
    def __init__(self, rng: random.Random, start: dt.date, end: dt.date):
        self.rng = rng
        self.start, self.end = start, end
        self.card_seq = 0
        self.policies: dict[int, Policy] = {}

    # -- who and what --

    def items(self) -> dict[str, list[_Item]]:
        rng = self.rng
        by_bank: dict[str, list[_Item]] = {}
        for code in BANK_CODES:
            rows = (Question.objects.filter(bank__code=code, status=Question.Status.PUBLISHED,
                                            pool=Question.Pool.PRACTICE, current__isnull=False)
                    .order_by("sort_order", "code")
                    .values_list("pk", "bank_id", "current_id", "current__type", "current__options",
                                 "current__answer", "current__red_line", "current__difficulty"))
            by_bank[code] = [
                _Item(pk=pk, bank_id=bank_id, version_id=version_id, type=type_, options=len(options or []),
                      answer=list(answer), red_line=red_line,
                      difficulty=(difficulty - 2.5) * 0.55 + rng.gauss(0, 0.45) - 1.0)
                for pk, bank_id, version_id, type_, options, answer, red_line, difficulty in rows]
        singles = [i for i in by_bank[BANK_CODES[0]] if i.type == "single" and not i.red_line]
        for item in rng.sample(singles, min(AMBIGUOUS, len(singles))):
            item.ambiguous = True
        return by_bank

    def people(self, items: dict[str, list[_Item]]) -> list[_Person]:
        rng = self.rng
        city = Unit.objects.get(code=CITY_CODE)
        county_of = dict(UnitClosure.objects.filter(ancestor__parent=city).values_list("descendant_id", "ancestor_id"))
        jh = Unit.objects.filter(code=f"{CITY_CODE}-JH").first()
        jh_units = set(UnitClosure.objects.filter(ancestor=jh).values_list("descendant_id", flat=True)) if jh else set()
        office = set(Staff.objects.filter(role_links__role=Role.OFFICE).values_list("pk", flat=True))
        learners = (Staff.objects.filter(is_active=True, unit_id__in=list(county_of),
                                         role_links__role__in=[Role.CLERK, Role.COURIER, Role.OFFICE])
                    .exclude(answers__isnull=False).exclude(review_cards__isnull=False)
                    .distinct().order_by("employee_no").values_list("pk", "unit_id", "employee_no"))
        tops = sorted(set(county_of.values()))
        share = {unit: rng.uniform(*ACTIVE_SHARE) for unit in tops}
        office_share = {unit: rng.uniform(*OFFICE_SHARE) for unit in tops}
        out = []
        for pk, unit_id, employee_no in learners:
            draw, skill = rng.random(), rng.gauss(0, 1)
            likely = (office_share if pk in office else share)[county_of[unit_id]]
            if employee_no not in NAMED and draw >= likely:
                continue
            mine = items[BANK_CODES[0]] + (items[BANK_CODES[1]] if unit_id in jh_units else [])
            out.append(_Person(staff_id=pk, unit_id=unit_id, skill=skill, items=mine))
        return out

    def policy(self, unit_id: int) -> Policy:
        if unit_id not in self.policies:
            self.policies[unit_id] = policy_for(unit_id)
        return self.policies[unit_id]

    # -- one person's months --

    def practise(self, person: _Person) -> None:
        rng = self.rng
        total = int(ANSWERS[0] + (ANSWERS[1] - ANSWERS[0]) * rng.random() ** 2.6)
        span = (self.end - self.start).days
        first = self.start + dt.timedelta(days=rng.randint(0, span - 21))
        fate = rng.random()
        if fate < 0.6:
            last = self.end - dt.timedelta(days=rng.randint(0, 5))
        elif fate < 0.8:
            last = self.end - dt.timedelta(days=rng.randint(8, 28))
        else:
            last = min(first + dt.timedelta(days=rng.randint(14, 60)), self.end - dt.timedelta(days=31))
        last = max(last, first + dt.timedelta(days=7))
        days = (last - first).days + 1
        sittings = max(2, round(total / ((SESSION[0] + SESSION[1]) / 2)))
        starts = []
        for offset in [days - 1, *(rng.randrange(days) for _ in range(sittings - 1))]:
            hour, minute, window = rng.choice(SLOTS)
            starts.append(_local(first + dt.timedelta(days=offset), hour * 60 + minute + rng.randint(0, window)))
        policy = self.policy(person.unit_id)
        free_at = None
        for at in sorted(starts):
            left = total - len(person.answers)
            if left <= 0:
                break
            if free_at is not None:
                at = max(at, free_at + dt.timedelta(minutes=20))
            free_at = self.sitting(person, at, min(left, rng.randint(*SESSION)), policy)

    def sitting(self, person: _Person, at: dt.datetime, size: int, policy: Policy) -> dt.datetime:
        """One sitting of `size` answers from `at` on; returns when it ended."""
        rng = self.rng
        due = sorted((c.due, pk) for pk, c in person.cards.items() if c.due <= at)
        open_wrong = [pk for pk, e in person.entries.items() if e.cleared_at is None]
        roll = rng.random()
        if due and roll < 0.35:
            mode, queue = Answer.Mode.REVIEW, [pk for _due, pk in due[:min(size, policy.daily_review_limit)]]
        elif open_wrong and roll < 0.5:
            mode, queue = Answer.Mode.WRONG, sorted(open_wrong, key=lambda pk: person.entries[pk].last_wrong_at,
                                                     reverse=True)[:size]
        elif roll < 0.85:
            mode, queue = Answer.Mode.SEQUENTIAL, []
        else:
            mode, queue = Answer.Mode.RANDOM, [rng.choice(person.items).pk for _ in range(size)]
        by_pk = {i.pk: i for i in person.items}
        if mode == Answer.Mode.SEQUENTIAL:
            bank_id = rng.choice(sorted({i.bank_id for i in person.items}))
            in_bank = [i for i in person.items if i.bank_id == bank_id]
            start = person.cursor.get(bank_id, -1)
            picks = [in_bank[(start + 1 + k) % len(in_bank)] for k in range(size)]
            person.cursor[bank_id] = (start + size) % len(in_bank)
            queue = [i.pk for i in picks]
        for pk in queue:
            at = self.answer(person, by_pk[pk], mode, at, policy)
        return at

    def answer(self, person: _Person, item: _Item, mode: str, at: dt.datetime, policy: Policy) -> dt.datetime:
        rng = self.rng
        seen = person.seen[item.pk]
        if item.ambiguous:  # the stronger the person, the likelier they read the trap the other way
            logit = -1.3 * person.skill + 0.2 + 0.3 * min(seen, 2)
        else:
            logit = 1.4 * (person.skill - item.difficulty) + 0.9 * min(seen, 3)
        correct = rng.random() < 1 / (1 + math.exp(-logit))
        seconds = math.exp(rng.gauss(math.log(11 + 3 * max(item.difficulty + 1, 0) + (8 if item.type == "fill" else 0)),
                                     0.45))
        duration = int(min(max(seconds, 2.5), 150) * 1000)
        rating = rating_for(correct=correct, duration_ms=duration, hinted=False, policy=policy)
        person.answers.append((person.staff_id, item.pk, item.version_id, mode, self.response(item, correct), correct,
                               duration, False, int(rating), uuid.UUID(int=rng.getrandbits(128), version=4), at))
        person.seen[item.pk] = seen + 1
        entry = person.entries.get(item.pk)
        if entry is None and not correct:
            entry = person.entries[item.pk] = EntryState()
        if entry is not None:
            wrong_book_step(entry, correct=correct, at=at, clear_streak=policy.wrong_clear_streak)
        card = person.cards.get(item.pk)
        if card is None:
            self.card_seq += 1
            card = _Card(pk=self.card_seq, staff_id=person.staff_id, question_id=item.pk, due=at)
            person.cards[item.pk] = card
        apply_review(card, rating=rating, at=at, scheduler=scheduler_for(red_line=item.red_line, policy=policy),
                     duration_ms=duration)
        return at + dt.timedelta(milliseconds=duration, seconds=rng.randint(3, 15))

    def response(self, item: _Item, correct: bool) -> list[str]:
        """A response of the right shape: the key when right, a plausible mistake when wrong."""
        rng = self.rng
        if item.type == "fill":
            return [item.answer[0]] if correct else [rng.choice(WRONG_FILL)]
        if item.type == "true_false":
            return item.answer if correct else (["F"] if item.answer == ["T"] else ["T"])
        if correct:
            return sorted(item.answer)
        keys = "ABCDEFGH"[:item.options]
        if item.type == "single":
            return [rng.choice([k for k in keys if k not in item.answer])]
        while True:  # 多选: a different non-empty set of the options
            chosen = sorted(k for k in keys if rng.random() < 0.5)
            if chosen and chosen != sorted(item.answer):
                return chosen


def load(*, stdout, seed: int, end: dt.date | None = None) -> None:
    """Replay the demo history of the HISTORY_DAYS days up to `end` (yesterday by default) unless
    answers up to then are there already."""
    start, end = window(end)
    if is_loaded(end):
        stdout.write(_("练习记录：演示数据已存在，未重复加载。") + "\n")
        return
    if not Unit.objects.filter(code=CITY_CODE).exists() or not Bank.objects.filter(code=BANK_CODES[0]).exists():
        raise RuntimeError(f"The practice history demo needs the org demo (unit {CITY_CODE}) "
                           f"and the learning demo (bank {BANK_CODES[0]}).")
    history = _History(random.Random(seed), start, end)
    items = history.items()
    people = history.people(items)
    for person in people:
        history.practise(person)
    _save(people)
    answers = sum(len(p.answers) for p in people)
    stdout.write(_("练习记录：%(people)d 名员工在 %(start)s 至 %(end)s 间作答 %(answers)d 次。") % {
        "people": len(people), "start": start.isoformat(), "end": end.isoformat(),
        "answers": answers} + "\n")


def _save(people: list[_Person]) -> None:
    _insert(Answer, ANSWER_COLUMNS, (a for p in people for a in p.answers))
    _insert(ReviewCard, CARD_COLUMNS, ((c.staff_id, c.question_id, c.state, c.step, c.stability, c.difficulty, c.due,
                                        c.last_review, c.reps, c.lapses) for p in people for c in p.cards.values()))
    _insert(WrongEntry, ENTRY_COLUMNS, ((p.staff_id, pk, e.wrong_count, e.right_streak, e.last_wrong_at, e.cleared_at)
                                        for p in people for pk, e in p.entries.items()))
    cursors = []
    for p in people:
        in_bank = defaultdict(list)
        for item in p.items:
            in_bank[item.bank_id].append(item.pk)
        for bank_id, index in sorted(p.cursor.items()):
            cursors.append(PracticeCursor(staff_id=p.staff_id, bank_id=bank_id, chapter=None,
                                          last_question_id=in_bank[bank_id][index]))
    PracticeCursor.objects.bulk_create(cursors, batch_size=BATCH)


def _insert(model, columns: tuple[str, ...], rows) -> None:
    """INSERT `rows` (values in `columns` order) with executemany, BATCH rows at a time.

    bulk_create would do, but its per-field preparation of every value costs about ten times the
    insert itself (a minute for this history on SQLite); here only the values that need it
    (datetimes, UUIDs, JSON) go through their field's get_db_prep_save, so the same rows are
    written by the same database adapters in a few seconds."""
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [model._meta.get_field(name) for name in columns]
    prepare = []
    for i, f in enumerate(fields):
        if isinstance(f, models.DateTimeField):  # the values are aware datetimes already
            prepare.append((i, conn.ops.adapt_datetimefield_value))
        elif isinstance(f, (models.UUIDField, models.JSONField)):
            prepare.append((i, lambda value, f=f: f.get_db_prep_save(value, conn)))
    quote = conn.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    batch: list[list] = []
    with conn.cursor() as cursor:
        for row in rows:
            values = list(row)
            for i, adapt in prepare:
                values[i] = adapt(values[i])
            batch.append(values)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def reset(*, stdout) -> None:
    """Delete what practice left on the demo banks: answers, cards, 错题本 entries and resume points."""
    questions = Question.objects.filter(bank__code__in=BANK_CODES)
    for model in (Answer, ReviewCard, WrongEntry):
        model.objects.filter(question__in=questions).delete()
    PracticeCursor.objects.filter(bank__code__in=BANK_CODES).delete()
    stdout.write(_("练习记录：已删除演示数据。") + "\n")
