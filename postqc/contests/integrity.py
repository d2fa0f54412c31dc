"""Integrity of 竞赛 and 考试: flags on suspicious attempts, and the review that settles them.

Competitions with prizes get botted or shared. Besides per-person shuffles and the reserved
pool (the paper), each finished attempt is checked after its submit commits (`check_after_commit`,
inline: a handful of indexed queries) for:

- fast answers: the time spent on a question is its answered_at minus the previous answer's
  (or the attempt's start), in the order the answers were given; a question answered faster
  than ``reading_floor_ms + reading_ms_per_char × len(stem + options)`` is fast. The attempt is
  flagged at FAST_MIN (3) fast answers, or at 20 % of a paper shorter than 15 questions (but
  never on a single one). A changed answer counts at the time of its last change, so the
  timing is an estimate: a flag asks for a look, it is not a verdict.
- identical answer sheets: two people of the same exam who got the same question versions and
  gave the same response to each (compared per question, so per-person question and option
  shuffles do not hide it), on a sheet of at least IDENTICAL_MIN_ITEMS answered questions.
  Two perfect sheets are identical legitimately and are never compared. Residual false
  positives: strong candidates who share the same one or two mistakes — a common
  misconception on a question most get wrong — are flagged too, more easily on short papers
  and on 判断 questions; the review list shows how many answers were wrong or blank.
- several accounts on one device: attempts of two or more people started on the same device
  (a random device cookie, hashed with the SECRET_KEY: `device_hash`). Colleagues sharing an
  outlet's counter PC are the usual innocent cause; the reviewer decides.

Review (`flag_confirm`, `flag_dismiss`): a 质量管理员 or 系统管理员 (EDIT_CONTENT) whose subtree
holds the exam's organising unit settles an open flag with a reason. Confirming excludes the
attempt (Attempt.excluded_at; the attempt and its answers stay) and recomputes the person's
board entry by the exam's counting rule (`boards.counted_attempt`: with best or last another
attempt may count; with first nothing does). Dismissing leaves the attempt counted. A settled
flag is never changed again, and no flag is ever deleted.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import math
import re
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import is_in_scope, scoped
from postqc.org.roles import Capability

from .boards import BOARD_KINDS, FINISHED, board_refresh
from .models import Attempt, AttemptItem, Exam, IntegrityFlag

Kind = IntegrityFlag.Kind
Status = IntegrityFlag.Status

DEVICE_COOKIE = "postqc_device"
DEVICE_HEADER = "X-Device-Id"  # API clients without cookies send their installation id
DEVICE_COOKIE_AGE = 365 * 24 * 3600
DEVICE_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
FAST_MIN = 3
FAST_SHARE = 0.2
IDENTICAL_MIN_ITEMS = 10
REASON_MAX = IntegrityFlag._meta.get_field("reason").max_length


# --- The device --------------------------------------------------------------------------------------


def device_hash(request) -> str:
    """A stable, anonymous id of the device behind `request`: the HMAC (SECRET_KEY) of its
    device cookie, or of the X-Device-Id header an API client sends. A device without one is
    given a new random token, which `remembers_device` then sets as the cookie."""
    token = request.COOKIES.get(DEVICE_COOKIE) or request.headers.get(DEVICE_HEADER, "")
    if not DEVICE_TOKEN.match(token):
        token = secrets.token_urlsafe(24)
        request.new_device_token = token
    return hmac.new(settings.SECRET_KEY.encode(), token.encode(), hashlib.sha256).hexdigest()


def remembers_device(view):
    """Decorate a view that calls `device_hash`: a device token it minted is set as a cookie
    (HttpOnly, SameSite=Lax, one year; Secure as the session cookie is)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        token = getattr(request, "new_device_token", None)
        if token:
            response.set_cookie(DEVICE_COOKIE, token, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response

    return wrapper


# --- The checks ----------------------------------------------------------------------------------------


def check_after_commit(attempt: Attempt, items: list[AttemptItem] | None = None) -> None:
    """Run `attempt_check` once the current transaction (the submit) has committed; `items`, when
    given, are the attempt's items as that transaction graded them, in paper order."""
    if attempt.exam.kind not in BOARD_KINDS:
        return
    transaction.on_commit(lambda: attempt_check(attempt, items), robust=True)


def attempt_check(attempt: Attempt, items: list[AttemptItem] | None = None) -> list[IntegrityFlag]:
    """Check a finished attempt of a competition or exam; the flags raised or extended. Without
    `items` the attempt and its items are read again (a review, a test); with them (the submit
    that just committed) `attempt` is taken as it stands."""
    if items is None:
        attempt = Attempt.objects.select_related("exam").get(pk=attempt.pk)
    if attempt.exam.kind not in BOARD_KINDS or attempt.status not in FINISHED:
        return []
    if items is None:
        items = list(AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position"))
    flags = []
    fast = fast_answers(attempt, items)
    if fast is not None:
        flags.append(_raise(attempt.pk, Kind.FAST_ANSWER, fast))
    flags += _identical(attempt, items)
    flags += _shared_device(attempt)
    return flags


def reading_floor_ms(exam: Exam, version) -> int:
    """The least time in which the question can be read: base + per character of stem and options."""
    chars = len(version.stem) + sum(len(option) for option in version.options or ())
    return exam.reading_floor_ms + exam.reading_ms_per_char * chars


def fast_threshold(question_count: int) -> int:
    """How many fast answers flag an attempt: FAST_MIN, or 20 % of a short paper, at least 2."""
    return min(FAST_MIN, max(2, math.ceil(FAST_SHARE * question_count)))


def fast_answers(attempt: Attempt, items: list[AttemptItem]) -> dict | None:
    """The detail of a fast-answer flag, or None when the attempt is not flagged."""
    answered = sorted((i for i in items if i.answered_at is not None), key=lambda i: (i.answered_at, i.position))
    previous, fast = attempt.started_at, []
    for item in answered:
        spent = (item.answered_at - previous) // dt.timedelta(milliseconds=1)
        floor = reading_floor_ms(attempt.exam, item.version)
        if spent < floor:
            fast.append({"position": item.position, "ms": spent, "floor_ms": floor})
        previous = item.answered_at
    threshold = fast_threshold(len(items))
    if len(fast) < threshold:
        return None
    return {"fast": len(fast), "answered": len(answered), "questions": len(items), "threshold": threshold,
            "items": fast}


def sequence_digest(items: list[AttemptItem]) -> str:
    """The digest of a sheet's (question version, response) pairs, taken per question; blank when
    the sheet has fewer than IDENTICAL_MIN_ITEMS answers or is all correct (never compared)."""
    answered = [i for i in items if i.response is not None]
    if len(answered) < IDENTICAL_MIN_ITEMS or all(i.is_correct for i in items):
        return ""
    pairs = sorted(([i.version_id, i.response] for i in items), key=lambda pair: pair[0])
    return hashlib.sha256(json.dumps(pairs, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def _identical(attempt: Attempt, items: list[AttemptItem]) -> list[IntegrityFlag]:
    digest = sequence_digest(items)
    # Stored before looking for equals: of two identical sheets checked at the same time, the
    # later look sees the other's digest.
    Attempt.objects.filter(pk=attempt.pk).update(sequence_digest=digest)
    if not digest:
        return []
    others = list(Attempt.objects.filter(exam_id=attempt.exam_id, sequence_digest=digest, status__in=FINISHED)
                  .exclude(staff_id=attempt.staff_id).values_list("pk", "code"))
    if not others:
        return []
    wrong = sum(1 for i in items if not i.is_correct)
    detail = {"questions": len(items), "wrong": wrong}
    flags = [_raise(attempt.pk, Kind.IDENTICAL_SEQUENCE, {**detail, "with": [str(code) for _pk, code in others]})]
    for pk, _code in others:
        flags.append(_raise(pk, Kind.IDENTICAL_SEQUENCE, {**detail, "with": [str(attempt.code)]}))
    return flags


def _shared_device(attempt: Attempt) -> list[IntegrityFlag]:
    if not attempt.device_hash:
        return []
    others = list(Attempt.objects.filter(exam_id=attempt.exam_id, device_hash=attempt.device_hash,
                                         status__in=FINISHED).exclude(staff_id=attempt.staff_id)
                  .values_list("pk", "code"))
    if not others:
        return []
    flags = [_raise(attempt.pk, Kind.SHARED_DEVICE, {"with": [str(code) for _pk, code in others]})]
    for pk, _code in others:
        flags.append(_raise(pk, Kind.SHARED_DEVICE, {"with": [str(attempt.code)]}))
    return flags


@transaction.atomic
def _raise(attempt_pk: int, kind: str, detail: dict) -> IntegrityFlag:
    """Open a flag, or add the attempts named in detail["with"] to the open flag of this kind.
    A flag already settled is left as it was settled."""
    flag, created = IntegrityFlag.objects.select_for_update().get_or_create(
        attempt_id=attempt_pk, kind=kind, defaults={"detail": detail})
    if not created and flag.status == Status.OPEN and "with" in detail:
        named = flag.detail.get("with", [])
        added = [code for code in detail["with"] if code not in named]
        if added:
            flag.detail = {**flag.detail, **detail, "with": named + added}
            flag.save(update_fields=["detail"])
    return flag


# --- The review ------------------------------------------------------------------------------------------


def may_review(user, exam: Exam) -> bool:
    return bool(user and user.can(Capability.EDIT_CONTENT) and is_in_scope(user, exam.unit_id))


def _settle(flag: IntegrityFlag, *, status: str, reason: str, actor, at: dt.datetime | None) -> IntegrityFlag:
    flag = IntegrityFlag.objects.select_for_update(of=("self",)).select_related("attempt__exam").get(pk=flag.pk)
    exam = flag.attempt.exam
    if actor is None or not actor.can(Capability.EDIT_CONTENT):
        raise PermissionDenied(_("你的角色不能复核竞赛成绩。"))
    if not is_in_scope(actor, exam.unit_id):
        raise PermissionDenied(_("这场竞赛的主办单位不在你的管辖范围内。"))
    if flag.status != Status.OPEN:
        raise ValidationError(_("这条标记已复核（%(status)s），不能再改。") % {"status": flag.get_status_display()},
                              code="settled")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请写明复核意见。")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("复核意见不能超过 %(n)d 字。") % {"n": REASON_MAX}]})
    flag.status, flag.reason, flag.reviewed_by, flag.reviewed_at = status, reason, actor, at or timezone.now()
    flag.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at"])
    return flag


@transaction.atomic
def flag_confirm(*, flag: IntegrityFlag, reason: str, actor, at: dt.datetime | None = None) -> IntegrityFlag:
    """Confirm an open flag with a reason: the attempt is excluded from the rankings (it and its
    answers stay) and the person's board entry is recomputed by the counting rule."""
    flag = _settle(flag, status=Status.CONFIRMED, reason=reason, actor=actor, at=at)
    attempt = flag.attempt
    if attempt.excluded_at is None:
        attempt.excluded_at = flag.reviewed_at
        attempt.save(update_fields=["excluded_at"])
    board_refresh(exam=attempt.exam, staff_id=attempt.staff_id)
    return flag


@transaction.atomic
def flag_dismiss(*, flag: IntegrityFlag, reason: str, actor, at: dt.datetime | None = None) -> IntegrityFlag:
    """Dismiss an open flag with a reason: the attempt stays counted."""
    return _settle(flag, status=Status.DISMISSED, reason=reason, actor=actor, at=at)


def flags_to_review(user, *, exam: Exam | None = None, status: str | None = Status.OPEN) -> QuerySet[IntegrityFlag]:
    """Flags of the competitions and exams organised in the user's subtree (or of one), newest
    first; `status` None for all."""
    exams = scoped(Exam.objects.filter(kind__in=BOARD_KINDS), user)
    qs = IntegrityFlag.objects.filter(attempt__exam__in=exams)
    if exam is not None:
        qs = qs.filter(attempt__exam=exam)
    if status:
        qs = qs.filter(status=status)
    return (qs.select_related("attempt__exam", "attempt__staff__unit", "reviewed_by")
            .order_by("-created_at", "-pk"))


def with_people(flags: list[IntegrityFlag]) -> list[tuple[IntegrityFlag, list[Attempt]]]:
    """Each flag with the other attempts it names (detail["with"]), their people loaded; one query."""
    codes = {code for flag in flags for code in flag.detail.get("with", ())}
    named = {str(a.code): a for a in Attempt.objects.filter(code__in=codes).select_related("staff__unit")} \
        if codes else {}
    return [(flag, [named[c] for c in flag.detail.get("with", ()) if c in named]) for flag in flags]
