"""Opening hours per weekday: the text people write, the structure stored, and "open now".

Stored form (Station.hours): ISO weekday as a string ('1' Monday … '7' Sunday) → a list of
['HH:MM', 'HH:MM'] ranges, in order and not overlapping; a day absent or with no range is closed.
'24:00' may end a range (open until midnight); a range never crosses midnight — a station open
through the night writes two ranges on two days. Written form (forms, Excel): one day's ranges
separated by commas, e.g. "08:00-12:00,13:00-17:30"; "休息" (or empty) for a closed day; "全天"
for 00:00-24:00.

"Open now" is judged on the local clock of the station (settings.TIME_ZONE, Asia/Shanghai),
whatever the time zone of the moment passed in.
"""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WEEKDAYS = ("1", "2", "3", "4", "5", "6", "7")
WEEKDAY_LABELS = (gettext_lazy("周一"), gettext_lazy("周二"), gettext_lazy("周三"), gettext_lazy("周四"),
                  gettext_lazy("周五"), gettext_lazy("周六"), gettext_lazy("周日"))
# The file format (Excel headers) stays Chinese whatever the reader's language.
WEEKDAY_HEADERS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
CLOSED_WORDS = {"", "休息", "闭站", "不开放", "-", "—"}
ALL_DAY_WORDS = {"全天", "24小时", "24 小时", "00:00-24:00"}
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-~至到—–]\s*(\d{1,2}):(\d{2})$")
_SEPARATORS = re.compile(r"[,，、;；\s]+(?=\d)")


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def parse_day(text: str) -> list[list[str]]:
    """One day's ranges from what a person wrote; ValueError names what is wrong."""
    text = (text or "").strip().replace("：", ":")
    if text in CLOSED_WORDS:
        return []
    if text in ALL_DAY_WORDS:
        return [["00:00", "24:00"]]
    ranges: list[list[str]] = []
    for part in _SEPARATORS.split(text):
        match = _RANGE.match(part.strip())
        if not match:
            raise ValueError(_("“%(v)s”不是有效的时间段，应写成 08:00-17:30，多段用逗号分隔，不开放写“休息”。")
                             % {"v": part.strip()})
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise ValueError(_("“%(v)s”中的时间无效。") % {"v": part.strip()})
        start, end = f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"
        if _minutes(end) <= _minutes(start):
            raise ValueError(_("“%(v)s”：结束时间应晚于开始时间（跨夜请分两天填写）。") % {"v": part.strip()})
        ranges.append([start, end])
    ranges.sort()
    for before, after in zip(ranges, ranges[1:], strict=False):
        if _minutes(after[0]) < _minutes(before[1]):
            raise ValueError(_("时间段 %(a)s 与 %(b)s 重叠。") % {"a": "-".join(before), "b": "-".join(after)})
    return ranges


def parse_week(days: dict[str, str]) -> dict[str, list[list[str]]]:
    """The week from the written form of each day ('1'…'7' → text); ValidationError keyed 'hours_<day>'."""
    errors: dict[str, list[str]] = {}
    week: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        try:
            ranges = parse_day(days.get(day, ""))
        except ValueError as exc:
            errors[f"hours_{day}"] = [f"{WEEKDAY_LABELS[int(day) - 1]}：{exc}"]
            continue
        if ranges:
            week[day] = ranges
    if errors:
        raise ValidationError(errors)
    return week


def validate_week(week) -> dict[str, list[list[str]]]:
    """The stored form checked (from the API or code): the same rules as the written form."""
    if not isinstance(week, dict) or set(week) - set(WEEKDAYS):
        raise ValidationError({"hours": [_("开放时间应按周一至周日（1–7）填写。")]})
    written = {}
    for day, ranges in week.items():
        if not isinstance(ranges, list) or not all(isinstance(r, list | tuple) and len(r) == 2 for r in ranges):
            raise ValidationError({f"hours_{day}": [_("每个时间段应为 [开始, 结束]。")]})
        written[day] = ",".join(f"{a}-{b}" for a, b in ranges)
    return parse_week(written)


def day_text(ranges: list[list[str]] | None) -> str:
    """The written form of one day ("" when closed)."""
    return ",".join(f"{a}-{b}" for a, b in ranges or [])


def week_rows(week: dict) -> list[tuple[str, str]]:
    """(weekday label, '08:00-17:30' or '休息') for Monday to Sunday, for display."""
    return [(str(WEEKDAY_LABELS[i]), day_text(week.get(day)) or _("休息")) for i, day in enumerate(WEEKDAYS)]


def is_open_at(week: dict, when: dt.datetime) -> bool:
    """Whether `week` has `when` (any aware datetime) inside one of its ranges, on the local clock."""
    local = timezone.localtime(when)
    ranges = week.get(str(local.isoweekday())) or []
    now = local.hour * 60 + local.minute
    return any(_minutes(a) <= now < _minutes(b) for a, b in ranges)


def open_days(week: dict) -> int:
    return sum(bool(week.get(day)) for day in WEEKDAYS)
