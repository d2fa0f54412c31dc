"""Quality-control flags on survey responses (docs/surveys.md, "Quality control").

A flag is a reason for a reviewer to look, not a verdict: a flagged response waits as pending
until a person approves or rejects it; an unflagged one is approved when submitted.

- speeder: answered in under SPEEDER_SHARE of the survey's median duration, once at least
  SPEEDER_MIN_SAMPLE responses with a duration give a median (rejected ones left out).
- straightline: every answered rated item has the same value, with at least
  STRAIGHTLINE_MIN_ITEMS answered.
- burst: at least BURST_COUNT responses from one device within BURST_WINDOW (all of them are
  flagged). Responses without a device (paper, interviewers without one) are never a burst.
- off_hours: submitted outside the outlet's opening hours (opens_at–closes_at, Asia/Shanghai),
  or on a Sunday at an outlet open fewer than 7 days a week — the assumption being that such an
  outlet's closed day is Sunday (the common pattern; outlet records carry no weekday list).
  Paper questionnaires carry a date, not a time, and are not checked.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from .models import Rating, Response, Survey

SPEEDER_SHARE = 0.30
SPEEDER_MIN_SAMPLE = 20
STRAIGHTLINE_MIN_ITEMS = 8
BURST_COUNT = 5
BURST_WINDOW = dt.timedelta(minutes=10)
SUNDAY = 6  # date.weekday()

SPEEDER = "speeder"
STRAIGHTLINE = "straightline"
BURST = "burst"
OFF_HOURS = "off_hours"
FLAGS = (SPEEDER, STRAIGHTLINE, BURST, OFF_HOURS)
TIMED_CHANNELS = (Response.Channel.QR, Response.Channel.INTERVIEWER)


def median_duration(survey: Survey) -> float | None:
    """The median duration of the survey's (non-rejected) responses that have one, or None when
    fewer than SPEEDER_MIN_SAMPLE do."""
    qs = (Response.objects.filter(survey=survey, duration_seconds__isnull=False)
          .exclude(status=Response.Status.REJECTED).order_by("duration_seconds"))
    n = qs.count()
    if n < SPEEDER_MIN_SAMPLE:
        return None
    values = list(qs.values_list("duration_seconds", flat=True)[(n - 1) // 2:n // 2 + 1])
    return sum(values) / len(values)


def is_speeder(duration: int | None, median: float | None) -> bool:
    return duration is not None and median is not None and duration < SPEEDER_SHARE * median


def is_straightline(values: Iterable[int | None]) -> bool:
    answered = [v for v in values if v is not None]
    return len(answered) >= STRAIGHTLINE_MIN_ITEMS and len(set(answered)) == 1


def is_off_hours(submitted_at: dt.datetime, outlet, channel: str) -> bool:
    if channel not in TIMED_CHANNELS:
        return False
    local = timezone.localtime(submitted_at)
    if outlet.open_days_per_week < 7 and local.weekday() == SUNDAY:
        return True
    if outlet.opens_at is None or outlet.closes_at is None:
        return False
    return not outlet.opens_at <= local.time() < outlet.closes_at


def _device_window(survey_id: int, device_hash: str, moment: dt.datetime):
    return Response.objects.filter(survey_id=survey_id, device_hash=device_hash,
                                   submitted_at__gt=moment - BURST_WINDOW, submitted_at__lte=moment + BURST_WINDOW)


def flags_for(response: Response, rated_values: list[int | None]) -> list[str]:
    """The flags of a response being submitted (not yet saved). When it completes a burst, the
    service flags the earlier responses of that burst too, once it is saved (burst_mark_others)."""
    flags = []
    if is_speeder(response.duration_seconds, median_duration(response.survey)):
        flags.append(SPEEDER)
    if is_straightline(rated_values):
        flags.append(STRAIGHTLINE)
    if response.device_hash:
        times = sorted([*_device_window(response.survey_id, response.device_hash, response.submitted_at)
                        .values_list("submitted_at", flat=True), response.submitted_at])
        if _has_burst(times):
            flags.append(BURST)
    if is_off_hours(response.submitted_at, response.outlet, response.channel):
        flags.append(OFF_HOURS)
    return flags


def _has_burst(times: list[dt.datetime]) -> bool:
    return any(times[i + BURST_COUNT - 1] - times[i] <= BURST_WINDOW for i in range(len(times) - BURST_COUNT + 1))


def _burst_members(times: list[tuple[dt.datetime, int]]) -> set[int]:
    """Ids of responses inside any window of BURST_WINDOW holding ≥ BURST_COUNT responses."""
    members: set[int] = set()
    for i in range(len(times) - BURST_COUNT + 1):
        if times[i + BURST_COUNT - 1][0] - times[i][0] <= BURST_WINDOW:
            j = i + BURST_COUNT - 1
            while j + 1 < len(times) and times[j + 1][0] - times[i][0] <= BURST_WINDOW:
                j += 1
            members.update(pk for _t, pk in times[i:j + 1])
    return members


def _set_flags(response: Response, flags: list[str]) -> bool:
    """Store new flags; a response nobody has reviewed follows them (flagged → pending,
    unflagged → approved). A person's decision is kept. Returns whether anything changed."""
    status = response.status
    if response.reviewed_by_id is None and status != Response.Status.REJECTED:
        status = Response.Status.PENDING if flags else Response.Status.APPROVED
    if flags == response.flags and status == response.status:
        return False
    response.flags, response.status = flags, status
    return True


def burst_mark_others(response: Response) -> None:
    """Flag the earlier responses of the burst `response` completed."""
    rows = sorted(_device_window(response.survey_id, response.device_hash, response.submitted_at)
                  .values_list("submitted_at", "pk"))
    ids = _burst_members(rows) - {response.pk}
    changed = []
    for other in Response.objects.filter(pk__in=ids):
        if BURST not in other.flags and _set_flags(other, sorted({*other.flags, BURST}, key=FLAGS.index)):
            changed.append(other)
    Response.objects.bulk_update(changed, ["flags", "status"])


@transaction.atomic
def survey_recheck(survey: Survey) -> dict[str, int]:
    """Recompute every response's flags (the `survey_qc` command). Returns how many responses
    carry each flag, and how many changed."""
    median = median_duration(survey)
    responses = list(Response.objects.filter(survey=survey).select_related("outlet").order_by("pk"))
    spread = {
        row["response_id"]: row for row in
        Rating.objects.filter(response__survey=survey, value__isnull=False, item__dimension__isnull=False,
                              item__is_overall=False)
        .values("response_id").annotate(n=Count("id"), lo=Min("value"), hi=Max("value"))
    }
    by_device: dict[str, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for r in responses:
        if r.device_hash:
            by_device[r.device_hash].append((r.submitted_at, r.pk))
    bursts: set[int] = set()
    for times in by_device.values():
        bursts |= _burst_members(sorted(times))
    counts = {flag: 0 for flag in FLAGS}
    changed = []
    for r in responses:
        s = spread.get(r.pk)
        flags = []
        if is_speeder(r.duration_seconds, median):
            flags.append(SPEEDER)
        if s and s["n"] >= STRAIGHTLINE_MIN_ITEMS and s["lo"] == s["hi"]:
            flags.append(STRAIGHTLINE)
        if r.pk in bursts:
            flags.append(BURST)
        if is_off_hours(r.submitted_at, r.outlet, r.channel):
            flags.append(OFF_HOURS)
        for flag in flags:
            counts[flag] += 1
        if _set_flags(r, flags):
            changed.append(r)
    Response.objects.bulk_update(changed, ["flags", "status"], batch_size=1000)
    counts["changed"] = len(changed)
    counts["flagged"] = sum(1 for r in responses if r.flags)
    return counts

