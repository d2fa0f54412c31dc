"""Writes of the exam engine: setting up an exam, drawing papers, and an attempt's life.

One engine serves 模拟考试, 考试 and 竞赛. The rules it keeps:

- The paper is fixed on the server when an attempt starts: the exact question versions, their
  order and each question's option order are stored on AttemptItem. The client is sent stems
  and options in that order and never an answer; it answers with the keys it was shown.
- The server keeps the time. An attempt's deadline is the earlier of start + time allowed and
  the exam's close; answers are accepted until deadline + grace (the grace absorbs the
  network, it is never shown). Past that the attempt is submitted by the server: by the
  periodic `attempts_expire_overdue`, or on the first access to it, whichever comes first.
- One active attempt per person and exam (a partial unique index backs it): starting again
  resumes it, on any device.
- Saving an answer is idempotent by the client's id for it; a later answer to the same
  question replaces the earlier one until the attempt is submitted.
- Submitting scores the attempt exactly once, with the learning app's grading rule, and (for
  竞赛 and 考试) records the person's counted result on the board in the same transaction.
- Who takes part: a competition or exam is for the staff of its organising unit's subtree,
  narrowed to the audience units' subtrees and roles, or to the named invitees; the organising
  unit always bounds it (audience.py). A mock exam is for the whole organising subtree.
- Ranking: score first (accuracy), then the time used, then the submit time. A speed bonus
  exists only when the exam turns it on (see `speed_bonus`).
"""
from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import is_in_scope
from postqc.learning.grading import is_correct
from postqc.learning.models import Question, QuestionVersion
from postqc.org.models import UnitClosure
from postqc.org.roles import Capability, Role

from . import answering, integrity
from .answering import AttemptClosed  # noqa: F401 (AttemptClosed: attempt_answer raises it; callers catch it here)
from .audience import exam_is_eligible, forget_audience
from .boards import board_record
from .models import Attempt, AttemptItem, BlueprintRule, Exam
from .papers import banks_for_unit, default_pool, forget_draw_pool, paper_draw, rule_candidates, rule_label

Kind = Exam.Kind
Type = QuestionVersion.Type
Pool = Question.Pool
TITLE_MAX = 120
MAX_QUESTIONS = 300
RULE_KEYS = frozenset({
    "question_type", "count", "points", "bank", "tag", "clause", "difficulty_min", "difficulty_max", "pool",
    "line",  # the line number errors name, when the form numbers its rows differently (blank rows)
})
SETTINGS = frozenset({
    "description", "opens_at", "closes_at", "grace_seconds", "paper_mode", "shuffle_questions", "shuffle_options",
    "attempts_allowed", "counting", "reveal", "pass_score", "speed_bonus", "prize_people", "prize_units",
    "reading_floor_ms", "reading_ms_per_char",
})
AUDIENCE = frozenset({"audience_units", "audience_roles", "invitees"})
# Once someone has started an attempt, only these may still change (the paper, the time and who
# takes part are what the attempts were made under).
CHANGEABLE_AFTER_START = frozenset({"title", "description", "closes_at", "pass_score", "reveal", "prize_people",
                                    "prize_units"})
SPEED_BONUS_SHARE = Decimal("0.10")  # the bonus is at most this share of the paper score


# --- Who may set up, and who is offered ---------------------------------------------------------


def _require_editor(actor, unit) -> None:
    if actor is None or not actor.can(Capability.EDIT_CONTENT):
        raise PermissionDenied(_("你的角色不能建立或发布考试。"))
    if not is_in_scope(actor, unit.pk):
        raise PermissionDenied(_("主办单位不在你的管辖范围内。"))


def _audience_errors(*, kind: str, unit, audience_units, audience_roles, invitees) -> dict[str, list[str]]:
    """Every problem with who takes part, by field: units and people outside the organising
    unit's subtree, unknown roles; a mock exam names no audience."""
    errors: dict[str, list[str]] = {}
    if kind == Kind.MOCK:
        if audience_units or audience_roles or invitees:
            errors["audience_units"] = [_("模拟考试面向主办单位及下级单位全体员工，不设参赛范围。")]
        return errors
    inside = set(UnitClosure.objects.filter(ancestor_id=unit.pk).values_list("descendant_id", flat=True))
    outside = [u.name for u in audience_units if u.pk not in inside]
    if outside:
        errors["audience_units"] = [_("参赛单位 %(units)s 不在主办单位 %(unit)s 之下。")
                                    % {"units": "、".join(outside), "unit": unit.name}]
    unknown = [str(r) for r in audience_roles if r not in Role.values]
    if unknown:
        errors["audience_roles"] = [_("参赛岗位 %(roles)s 无效。") % {"roles": "、".join(unknown)}]
    strangers = [f"{s.name}（{s.employee_no}）" for s in invitees if s.unit_id not in inside or not s.is_active]
    if strangers:
        errors["invitees"] = [_("指定人员 %(people)s 不是主办单位 %(unit)s 的在职员工。")
                              % {"people": "、".join(strangers), "unit": unit.name}]
    return errors


def _competition_errors(*, kind: str, settings: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind == Kind.MOCK:
        if settings.get("speed_bonus"):
            errors["speed_bonus"] = [_("模拟考试不设用时加分。")]
        if settings.get("prize_people") or settings.get("prize_units"):
            errors["prize_people"] = [_("模拟考试不设奖项。")]
    for name in ("prize_people", "prize_units"):
        value = settings.get(name)
        if value is not None and not (isinstance(value, int) and 0 <= value <= 1000):
            errors.setdefault(name, []).append(_("奖项名额应为 0 到 1000 之间的整数。"))
    return errors


# --- Blueprint rules ----------------------------------------------------------------------------


def _build_rules(*, kind: str, unit, rules: list[dict]) -> tuple[list[BlueprintRule], list[str]]:
    """Unsaved BlueprintRules from the rule dicts, and every error, each naming its line."""
    built, errors = [], []
    if not rules:
        return built, [_("试卷至少需要一行抽题规则。")]
    offered = set(banks_for_unit(unit).values_list("pk", flat=True))
    taken = 0
    for position, spec in enumerate(rules, start=1):
        unknown = set(spec) - RULE_KEYS
        if unknown:
            raise TypeError(f"unknown rule keys: {', '.join(sorted(unknown))}")
        line = spec.get("line") or position
        rule = BlueprintRule(
            position=position, question_type=spec.get("question_type", ""), count=spec.get("count") or 0,
            points=Decimal(str(spec.get("points", 0))), bank=spec.get("bank"), tag=spec.get("tag"),
            clause=spec.get("clause"), difficulty_min=spec.get("difficulty_min") or 1,
            difficulty_max=spec.get("difficulty_max") or 5, pool=spec.get("pool") or default_pool(kind),
        )
        where = _("第 %(line)d 行") % {"line": line}
        if rule.question_type not in Type.values:
            errors.append(_("%(where)s：题型无效。") % {"where": where})
            continue
        where = rule_label(rule, line)
        problems = []
        if rule.count < 1:
            problems.append(_("题数至少为 1"))
        if rule.points < 0:
            problems.append(_("每题分值不能为负"))
        if not (1 <= rule.difficulty_min <= rule.difficulty_max <= 5):
            problems.append(_("难度范围应在 1 到 5 之间且最低不高于最高"))
        if rule.pool not in Pool.values:
            problems.append(_("题池无效"))
        elif kind == Kind.MOCK and rule.pool != Pool.PRACTICE:
            problems.append(_("模拟考试只能从练习题中抽题，竞赛专用题不用于模拟考试"))
        if rule.bank is not None and rule.bank.pk not in offered:
            problems.append(_("题库 %(bank)s 未启用或不向主办单位开放") % {"bank": rule.bank.name})
        if problems:
            errors.append(_("%(where)s：%(problems)s。") % {"where": where, "problems": "；".join(problems)})
            continue
        available = rule_candidates(rule, unit=unit).count()
        if available < rule.count:
            errors.append(_("%(where)s：只有 %(n)d 道符合条件的可用试题，需要 %(need)d 道。")
                          % {"where": where, "n": available, "need": rule.count})
            continue
        taken += rule.count
        built.append(rule)
    if taken > MAX_QUESTIONS:
        errors.append(_("一份试卷最多 %(max)d 道题，现在是 %(n)d 道。") % {"max": MAX_QUESTIONS, "n": taken})
    return built, errors


# --- Setting up -----------------------------------------------------------------------------------


def _check_setup(*, kind: str, title: str, unit, time_limit_seconds: int, rules: list[dict] | None,
                 settings: dict, audience: dict, max_score: Decimal | None = None,
                 ) -> tuple[list[BlueprintRule], dict[str, list[str]]]:
    """The blueprint's rules (when given) and every error of an exam's setup, by field."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if kind not in Kind.values:
        errors.setdefault("kind", []).append(_("类型无效。"))
    if not title:
        errors.setdefault("title", []).append(_("请填写名称。"))
    elif len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(_("名称最多 %(n)d 个字。") % {"n": TITLE_MAX})
    if not isinstance(time_limit_seconds, int) or time_limit_seconds < 60:
        errors.setdefault("time_limit_seconds", []).append(_("答题时长至少 1 分钟。"))
    opens_at, closes_at = settings.get("opens_at"), settings.get("closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        errors.setdefault("closes_at", []).append(_("结束时间应晚于开始时间。"))
    built, rule_errors = [], []
    if rules is not None and kind in Kind.values:
        built, rule_errors = _build_rules(kind=kind, unit=unit, rules=rules)
        max_score = sum((r.count * r.points for r in built), Decimal(0))
    if rule_errors:
        errors["rules"] = rule_errors
    pass_score = settings.get("pass_score")
    if pass_score is not None and not rule_errors and max_score is not None \
            and not (0 <= Decimal(str(pass_score)) <= max_score):
        errors.setdefault("pass_score", []).append(
            _("及格分应在 0 到满分 %(max)s 之间。") % {"max": _score_text(max_score)})
    if kind in Kind.values:
        for name, messages in [*_audience_errors(kind=kind, unit=unit, **audience).items(),
                               *_competition_errors(kind=kind, settings=settings).items()]:
            errors.setdefault(name, []).extend(messages)
    return built, errors


def _split(settings: dict) -> tuple[dict, dict]:
    """(model settings, audience) out of keyword arguments; unknown names are a programming error."""
    unknown = set(settings) - SETTINGS - AUDIENCE
    if unknown:
        raise TypeError(f"unknown exam settings: {', '.join(sorted(unknown))}")
    audience = {"audience_units": list(settings.get("audience_units") or ()),
                "audience_roles": list(settings.get("audience_roles") or ()),
                "invitees": list(settings.get("invitees") or ())}
    return {k: v for k, v in settings.items() if k in SETTINGS}, audience


def _current(exam: Exam, name: str):
    if name in ("audience_units", "invitees"):
        return list(getattr(exam, name).all())
    return getattr(exam, name)


def _comparable(value):
    """Lists of records or codes compare as sets of keys; everything else as itself."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(getattr(v, "pk", v) for v in value)
    return value


def _save_audience(exam: Exam, audience: dict, *, only_given: dict | None = None) -> None:
    given = audience if only_given is None else {k: v for k, v in audience.items() if k in only_given}
    if "audience_units" in given:
        exam.audience_units.set(given["audience_units"])
    if "invitees" in given:
        exam.invitees.set(given["invitees"])


@transaction.atomic
def exam_create(*, kind: str, title: str, unit, time_limit_seconds: int, rules: list[dict], actor,
                publish: bool = False, **settings) -> Exam:
    """Create an exam (a draft, or published with `publish`) and its blueprint.

    Each rule draws `count` questions of a type, each worth `points`, from the banks offered to
    the exam's unit (optionally one bank, a tag, a clause and the clauses under it, a difficulty
    range), from the practice pool for a mock exam and the reserved pool by default otherwise.
    Every rule must have enough questions available now; each error names its rule line (the
    rule's optional "line", else its place in `rules`) and how many questions exist. Who takes
    part (`audience_units`, `audience_roles`, or `invitees`) must lie inside the organising unit.
    Nothing is written when anything is wrong; errors come by field."""
    _require_editor(actor, unit)
    settings, audience = _split(settings)
    built, errors = _check_setup(kind=kind, title=title, unit=unit, time_limit_seconds=time_limit_seconds,
                                 rules=rules, settings=settings, audience=audience)
    if errors:
        raise ValidationError(errors)
    exam = Exam(kind=kind, title=title.strip(), unit=unit, time_limit_seconds=time_limit_seconds, created_by=actor,
                paper_seed=random.SystemRandom().randrange(1, 2**62), audience_roles=audience["audience_roles"],
                **settings)
    try:
        exam.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    exam.save()
    _save_audience(exam, audience)
    for rule in built:
        rule.exam = exam
    BlueprintRule.objects.bulk_create(built)
    if publish:
        exam_publish(exam=exam, actor=actor)
    return exam


@transaction.atomic
def exam_update(*, exam: Exam, actor, rules: list[dict] | None = None, **changes) -> Exam:
    """Change an exam's settings, audience or (with `rules`) its whole blueprint.

    An archived exam does not change. Before anyone has started an attempt everything may
    change except the kind between 模拟考试 and the others (and the organising unit, never);
    after that only the title, description, pass mark, reveal, prizes and a later close — the
    paper, the time and who takes part are what the attempts were made under. The whole
    setup is checked again as on creation; errors come by field and nothing is written."""
    exam = Exam.objects.select_for_update().get(pk=exam.pk)
    _require_editor(actor, exam.unit)
    if exam.status == Exam.Status.ARCHIVED:
        raise ValidationError(_("已归档的考试不能修改。"))
    kind = changes.pop("kind", exam.kind)
    title = changes.pop("title", exam.title)
    time_limit = changes.pop("time_limit_seconds", exam.time_limit_seconds)
    settings, audience = _split(changes)
    given = dict(changes)
    errors: dict[str, list[str]] = {}
    if (kind == Kind.MOCK) != (exam.kind == Kind.MOCK):
        errors["kind"] = [_("模拟考试不能改为竞赛或考试，反之亦然。")]
    if exam.attempts.exists():
        wanted = {**settings, **{name: audience[name] for name in AUDIENCE if name in given}, "kind": kind,
                  "time_limit_seconds": time_limit}
        for name, value in wanted.items():
            if name not in CHANGEABLE_AFTER_START and _comparable(value) != _comparable(_current(exam, name)):
                errors.setdefault(name, []).append(_("已有人作答，不能再修改这一项。"))
        if rules is not None:
            errors.setdefault("rules", []).append(_("已有人作答，不能再修改抽题规则。"))
        closes = settings.get("closes_at", exam.closes_at)
        if closes is not None and (exam.closes_at is None or closes < exam.closes_at):
            errors.setdefault("closes_at", []).append(_("已有人作答，结束时间只能推后。"))
    merged = {**{name: getattr(exam, name) for name in SETTINGS}, **settings}
    full_audience = {"audience_units": audience["audience_units"] if "audience_units" in given
                     else list(exam.audience_units.all()),
                     "audience_roles": audience["audience_roles"] if "audience_roles" in given else exam.audience_roles,
                     "invitees": audience["invitees"] if "invitees" in given else list(exam.invitees.all())}
    max_score = sum((r.count * r.points for r in exam.rules.all()), Decimal(0))
    built, more = _check_setup(kind=kind, title=title, unit=exam.unit, time_limit_seconds=time_limit, rules=rules,
                               settings=merged, audience=full_audience, max_score=max_score)
    for name, messages in more.items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    exam.kind, exam.title, exam.time_limit_seconds = kind, title.strip(), time_limit
    exam.audience_roles = full_audience["audience_roles"]
    for name, value in settings.items():
        setattr(exam, name, value)
    try:
        exam.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    exam.save()
    _save_audience(exam, audience, only_given=given)
    if rules is not None:
        exam.rules.all().delete()
        for rule in built:
            rule.exam = exam
        BlueprintRule.objects.bulk_create(built)
    _forget_exam(exam)
    return exam


def _forget_exam(exam: Exam) -> None:
    """Forget this process's memos of `exam` after an edit: its audience and its draw pool. Other
    processes key theirs by the exam's updated_at, which the edit moved; this one forgets them
    even when the clock did not move."""
    forget_audience(exam)
    forget_draw_pool(exam)


@transaction.atomic
def exam_publish(*, exam: Exam, actor, at: dt.datetime | None = None) -> Exam:
    """Offer a draft to its unit's staff. The blueprint is checked again against the banks as
    they are now, and an exam that has already closed cannot be published."""
    _require_editor(actor, exam.unit)
    at = at or timezone.now()
    if exam.status != Exam.Status.DRAFT:
        raise ValidationError(_("只有草稿可以发布。"))
    if exam.closes_at and exam.closes_at <= at:
        raise ValidationError({"closes_at": [_("结束时间已过，不能发布。")]})
    errors = []
    for line, rule in enumerate(exam.rules.select_related("clause", "bank"), start=1):
        available = rule_candidates(rule, unit=exam.unit).count()
        if available < rule.count:
            errors.append(_("%(where)s：只有 %(n)d 道符合条件的可用试题，需要 %(need)d 道。")
                          % {"where": rule_label(rule, line), "n": available, "need": rule.count})
    if errors:
        raise ValidationError({"rules": errors})
    exam.status = Exam.Status.PUBLISHED
    exam.save(update_fields=["status", "updated_at"])
    return exam


@transaction.atomic
def exam_archive(*, exam: Exam, actor) -> Exam:
    """Stop offering an exam. Attempts in progress run to their deadline; results are kept."""
    _require_editor(actor, exam.unit)
    exam.status = Exam.Status.ARCHIVED
    exam.save(update_fields=["status", "updated_at"])
    return exam


# --- An attempt --------------------------------------------------------------------------------------


def closes_for_answers(attempt: Attempt) -> dt.datetime:
    """The last moment an answer is accepted: the deadline plus the exam's network grace."""
    return attempt.deadline + dt.timedelta(seconds=attempt.exam.grace_seconds)


def remaining_seconds(attempt: Attempt, at: dt.datetime | None = None) -> int:
    """Whole seconds until the deadline (never the grace), 0 when the attempt is over."""
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return 0
    left = (attempt.deadline - (at or timezone.now())).total_seconds()
    return max(0, int(left))


def attempt_expire_if_overdue(*, attempt: Attempt, at: dt.datetime | None = None) -> Attempt:
    """Submit by the server an attempt whose deadline + grace has passed; every access to an
    attempt goes through here first. Returns the attempt as it now stands."""
    at = at or timezone.now()
    if attempt.status == Attempt.Status.IN_PROGRESS and at > closes_for_answers(attempt):
        return attempt_submit(attempt=attempt, at=at, by_server=True)
    return attempt


def attempt_start(*, exam: Exam, staff, at: dt.datetime | None = None, device_hash: str = "",
                  ) -> tuple[Attempt, bool]:
    """Start an attempt, or resume the person's attempt in progress: (attempt, created).

    An attempt in progress whose time is over is submitted by the server first. A new one is
    refused unless the exam is published and the person is in its audience (`exam_is_eligible`),
    it is open at `at`, and the person has attempts left. The deadline is the earlier of start +
    time allowed and the close. The paper (question versions, order, option order) is drawn and
    stored in one transaction, with the hash of the device it was started on (integrity checks
    compare them). Two starts racing each other end on the same attempt. Someone outside the
    audience (or no longer in it) is refused with PermissionDenied, even for an attempt in progress."""
    at = at or timezone.now()
    if not exam_is_eligible(exam, staff):
        raise PermissionDenied(_("这场考试没有向你开放。"))
    # One query for the common case (a first start): the person's attempts so far, and the one in
    # progress if there is one.
    done = Attempt.objects.filter(exam=exam, staff=staff).aggregate(
        used=Count("pk"), last=Max("number"), active=Max("pk", filter=Q(status=Attempt.Status.IN_PROGRESS)))
    if done["active"] is not None:
        active = Attempt.objects.select_related("exam").get(pk=done["active"])
        active = attempt_expire_if_overdue(attempt=active, at=at)
        if active.status == Attempt.Status.IN_PROGRESS:
            return active, False
    return _start(exam=exam, staff=staff, at=at, device_hash=device_hash, done=done)


def _start(*, exam: Exam, staff, at: dt.datetime, device_hash: str, done: dict) -> tuple[Attempt, bool]:
    """A new attempt for someone `attempt_start` found eligible, with no attempt in progress (`done`:
    how many attempts they used and the last one's number). The attempt and its paper are written in
    one transaction; two starts racing each other meet at the one-active-attempt and attempt-number
    constraints, and the loser returns the winner's attempt. The attempt comes back with its items in
    `started_items`, so showing the paper costs no query."""
    if exam.status != Exam.Status.PUBLISHED:
        raise PermissionDenied(_("这场考试没有向你开放。"))
    if exam.opens_at and at < exam.opens_at:
        raise ValidationError(_("考试尚未开始，开始时间：%(t)s。")
                              % {"t": timezone.localtime(exam.opens_at).strftime("%Y-%m-%d %H:%M")})
    if exam.closes_at and at >= exam.closes_at:
        raise ValidationError(_("考试已结束。"))
    if exam.attempts_allowed and done["used"] >= exam.attempts_allowed:
        raise ValidationError(_("你已用完这场考试的 %(n)d 次作答机会。") % {"n": exam.attempts_allowed})
    number = (done["last"] or 0) + 1
    deadline = at + dt.timedelta(seconds=exam.time_limit_seconds)
    if exam.closes_at:
        deadline = min(deadline, exam.closes_at)
    code = uuid.uuid4()
    paper = paper_draw(exam=exam, rng=random.Random(code.int))
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                code=code, exam=exam, staff=staff, number=number, started_at=at, deadline=deadline,
                max_score=sum((p.points for p in paper), Decimal(0)), device_hash=device_hash[:64],
            )
            items = AttemptItem.objects.bulk_create([
                AttemptItem(attempt=attempt, position=position, version=p.version, option_order=p.option_order,
                            points=p.points)
                for position, p in enumerate(paper, start=1)
            ])
            attempt.exam = exam
            attempt.started_items = items  # the paper the caller shows: selectors.attempt_paper
            transaction.on_commit(lambda: answering.remember(attempt, items))
    except IntegrityError:
        # Another request of the same person started first (the one-active-attempt index).
        active = Attempt.objects.filter(exam=exam, staff=staff, status=Attempt.Status.IN_PROGRESS).first()
        if active is None:
            raise
        return active, False
    return attempt, True


def to_original_keys(item: AttemptItem, displayed: list[str]) -> list[str]:
    """Map the option keys the person was shown to the question's own keys."""
    return answering.original_keys(item.version.type, item.option_order, displayed)


def to_displayed_keys(item: AttemptItem, original: list[str]) -> list[str]:
    """Map the question's own option keys to those the person was shown, in display order."""
    return answering.displayed_keys(item.version.type, item.option_order, original)


def attempt_answer(*, attempt: Attempt, position: int, response: list[str], client_id: uuid.UUID,
                   at: dt.datetime | None = None) -> AttemptItem:
    """Save the answer to one question of an attempt in progress, in the keys the person was shown
    (answering.answer: one statement). Past deadline + grace the attempt is submitted by the server
    and the answer refused (AttemptClosed). A resend with the same `client_id` changes nothing; a
    later answer replaces the earlier one; an empty answer clears it. Nothing about correctness is
    computed or returned here. The returned item (as saved, not re-read) carries `answered`, the
    number of questions of the paper that now have an answer."""
    sitting = answering.sitting(attempt.code)
    saved = answering.answer(sitting=sitting, position=position, response=response, client_id=client_id, at=at)
    item = saved.item
    saved_item = AttemptItem(pk=item.item_id, attempt=attempt, position=item.position, version_id=item.version_id,
                             option_order=list(item.option_order), points=item.points, response=saved.response,
                             client_id=saved.client_id, answered_at=saved.answered_at)
    saved_item._state.adding = False
    saved_item.answered = saved.answered
    return saved_item


def attempt_submit(*, attempt: Attempt, at: dt.datetime | None = None, by_server: bool = False) -> Attempt:
    """Submit and score an attempt, exactly once however many requests race to do it.

    Every question is graded with the one grading rule (unanswered is wrong); the duration is
    counted up to the deadline at most. Submitted by the person the status is 已交卷; by the
    server (or by the person after deadline + grace) 超时自动交卷, with the deadline as the
    submit time. With the exam's speed bonus on, the score includes `speed_bonus`. For 竞赛 and
    考试 the person's counted result on the board is recorded in the same transaction. An
    attempt already submitted is returned unchanged."""
    at = at or timezone.now()
    return _finish(attempt_pk=attempt.pk, at=at, by_server=by_server)[0]


@transaction.atomic
def _finish(*, attempt_pk: int, at: dt.datetime, by_server: bool) -> tuple[Attempt, bool]:
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=attempt_pk)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return attempt, False
    if at > closes_for_answers(attempt):
        by_server = True
    items = _score(attempt)
    ended = min(at, attempt.deadline)
    attempt.status = Attempt.Status.EXPIRED if by_server else Attempt.Status.SUBMITTED
    attempt.submitted_at = ended if by_server else at
    attempt.duration_seconds = max(0, int((ended - attempt.started_at).total_seconds()))
    if attempt.exam.speed_bonus:
        attempt.bonus = speed_bonus(paper_score=attempt.score, duration_seconds=attempt.duration_seconds,
                                    time_limit_seconds=attempt.exam.time_limit_seconds)
        attempt.score += attempt.bonus
    attempt.save(update_fields=["status", "submitted_at", "duration_seconds", "score", "bonus", "correct_count"])
    attempt.board_entry = board_record(attempt)  # the result the caller shows: selectors.my_standing
    integrity.check_after_commit(attempt, items)
    attempt.graded_items = items  # the result the caller shows: selectors.attempt_result
    return attempt, True


def speed_bonus(*, paper_score: Decimal, duration_seconds: int, time_limit_seconds: int) -> Decimal:
    """The speed bonus, when an exam turns it on: up to SPEED_BONUS_SHARE (10 %) of the paper
    score, in proportion to the share of the time allowed left unused, rounded down to 0.01.

    It grows with the paper score, so handing in a blank paper quickly earns nothing, and it
    never lifts a paper past one scoring more than 10 % higher: 90 points in the full time
    (bonus 0) still beat 81 points in no time at all (81 + 8.1). Without the bonus, speed only
    breaks ties."""
    left = max(0, time_limit_seconds - duration_seconds)
    bonus = paper_score * SPEED_BONUS_SHARE * Decimal(left) / Decimal(time_limit_seconds)
    return bonus.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _score(attempt: Attempt) -> list[AttemptItem]:
    """Grade every item; two UPDATEs (the right ones, the rest) whatever the paper's length. The
    items come back graded, in paper order."""
    items = list(AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position"))
    right = [item for item in items if item.response is not None and is_correct(item.version, item.response)]
    if right:
        AttemptItem.objects.filter(pk__in=[item.pk for item in right]).update(is_correct=True, awarded=F("points"))
    AttemptItem.objects.filter(attempt=attempt).exclude(pk__in=[item.pk for item in right]).update(
        is_correct=False, awarded=Decimal(0))
    right_pks = {item.pk for item in right}
    for item in items:
        item.is_correct = item.pk in right_pks
        item.awarded = item.points if item.is_correct else Decimal(0)
    attempt.score = sum((item.points for item in right), Decimal(0))
    attempt.correct_count = len(right)
    return items


def attempts_expire_overdue(*, now: dt.datetime | None = None) -> int:
    """Submit by the server every attempt in progress whose deadline + grace has passed; the
    number submitted. Each attempt is its own transaction, so a crash loses nothing and a
    second worker running at the same time scores nothing twice."""
    now = now or timezone.now()
    overdue = (Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS, deadline__lt=now)
               .select_related("exam").order_by("deadline"))
    submitted = 0
    for attempt in overdue.iterator(chunk_size=500):
        if now > closes_for_answers(attempt):
            submitted += _finish(attempt_pk=attempt.pk, at=now, by_server=True)[1]
    return submitted


def _score_text(value: Decimal) -> str:
    return f"{value.normalize():f}"
