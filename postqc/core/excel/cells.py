"""Cell types and sheet specs: how a module describes a worksheet, and how one cell becomes a clean value.

Each `Column` of a `SheetSpec` has a cell type (`Text`, `Code`, `Integer`,
`DecimalNumber`, `Choice`, `MultiChoice`, `Time`, `Mobile`) that turns a raw cell
into a clean value or raises `CellError` with the reason, and formats a clean
value back into a cell for export.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _


class CellError(ValueError):
    """A cell type's complaint about one cell; the message is shown to the person importing."""


# --- Cell types ------------------------------------------------------------------------


def _as_text(raw: Any) -> str:
    """A cell as text: integral numbers without ".0" (工号 typed as a number), dates as ISO."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, (dt.date, dt.time)):
        return raw.isoformat()
    return str(raw).strip()


class CellType(ABC):
    """Turns a non-empty raw cell into a clean value (`parse`) and back into a cell (`format`)."""

    choices: tuple[str, ...] = ()  # allowed labels, offered as a dropdown in the template
    text_format = False  # the template formats the column as text (codes keep leading zeros)

    @abstractmethod
    def parse(self, raw: Any) -> Any:
        """The clean value of a non-empty cell; raises ValueError with the reason otherwise."""

    def format(self, value: Any) -> Any:
        return value

    def describe(self) -> str:
        """Allowed values or format, for the template's 说明 sheet."""
        return ""


class Text(CellType):
    def __init__(self, max_length: int):
        self.max_length = max_length

    def parse(self, raw: Any) -> str:
        value = _as_text(raw)
        if len(value) > self.max_length:
            raise CellError(_("不能超过 %(n)d 个字符（现有 %(len)d 个）") % {"n": self.max_length, "len": len(value)})
        return value

    def format(self, value: Any) -> str:
        return value or ""

    def describe(self) -> str:
        return _("最多 %(n)d 个字符") % {"n": self.max_length}


class Code(Text):
    """A public code (单位编码, 工号): letters, digits, '.', '_', '-'; a number cell reads as its digits."""

    text_format = True
    PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

    def parse(self, raw: Any) -> str:
        value = super().parse(raw)
        if not self.PATTERN.fullmatch(value):
            raise CellError(_("“%(v)s”不是有效编码：只能包含字母、数字、点、下划线和连字符") % {"v": value})
        return value

    def describe(self) -> str:
        return _("字母、数字、点、下划线、连字符，最长 %(n)d 位") % {"n": self.max_length}


class Integer(CellType):
    def __init__(self, minimum: int | None = None, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def describe(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return _("%(a)d–%(b)d 的整数") % {"a": self.minimum, "b": self.maximum}
        if self.minimum is not None:
            return _("不小于 %(a)d 的整数") % {"a": self.minimum}
        return _("整数")

    def parse(self, raw: Any) -> int:
        if isinstance(raw, bool):
            raise CellError(_("应为整数"))
        if isinstance(raw, int):
            value = raw
        elif isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        else:
            text = _as_text(raw)
            if not re.fullmatch(r"[+-]?\d+", text):
                raise CellError(_("“%(v)s”不是整数") % {"v": text})
            value = int(text)
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise CellError(_("%(v)d 超出范围，应为 %(range)s") % {"v": value, "range": self.describe()})
        return value


class DecimalNumber(CellType):
    def __init__(self, places: int, minimum: Decimal | int, maximum: Decimal | int):
        self.quantum = Decimal(1).scaleb(-places)
        self.minimum, self.maximum = Decimal(minimum), Decimal(maximum)

    def describe(self) -> str:
        return _("%(a)s–%(b)s 之间的数") % {"a": self.minimum, "b": self.maximum}

    def parse(self, raw: Any) -> Decimal:
        text = repr(raw) if isinstance(raw, float) else _as_text(raw)
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise CellError(_("“%(v)s”不是数字") % {"v": text}) from None
        if not value.is_finite() or not self.minimum <= value <= self.maximum:
            raise CellError(_("%(v)s 超出范围，应在 %(a)s–%(b)s 之间") % {"v": text, "a": self.minimum, "b": self.maximum})
        return value.quantize(self.quantum)


def zh_choices(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, str]]:
    """(value, Chinese label) pairs of a TextChoices' `.choices`, whatever the active language."""
    with translation.override("zh-hans"):
        return [(value, str(label)) for value, label in choices]


class Choice(CellType):
    """One of a fixed set of labels (一级/二级/三级); the stored value may differ from the label."""

    def __init__(self, options: Sequence[tuple[Any, str]]):
        self.by_label = {label: value for value, label in options}
        self.label_of = {value: label for value, label in options}
        self.choices = tuple(label for _value, label in options)

    def parse(self, raw: Any) -> Any:
        text = _as_text(raw)
        if text not in self.by_label:
            raise CellError(_("“%(v)s”不是有效值，可选：%(ok)s") % {"v": text, "ok": "、".join(self.choices)})
        return self.by_label[text]

    def format(self, value: Any) -> str:
        return self.label_of.get(value, "" if value is None else str(value))

    def describe(self) -> str:
        return "、".join(self.by_label)


class MultiChoice(Choice):
    """Several labels in one cell, separated by 、 (also accepted: ， , ； ; and line breaks)."""

    SEPARATORS = re.compile(r"[、，,；;\n]+")

    def __init__(self, options: Sequence[tuple[Any, str]]):
        super().__init__(options)
        self.choices = ()  # a dropdown can offer only one value

    def parse(self, raw: Any) -> list:
        labels = [part.strip() for part in self.SEPARATORS.split(_as_text(raw)) if part.strip()]
        unknown = [label for label in labels if label not in self.by_label]
        if unknown:
            raise CellError(_("“%(v)s”不是有效值，可选：%(ok)s") % {
                "v": "、".join(unknown), "ok": "、".join(self.by_label)})
        return list(dict.fromkeys(self.by_label[label] for label in labels))

    def format(self, value: Iterable) -> str:
        return "、".join(self.label_of.get(v, str(v)) for v in value or ())

    def describe(self) -> str:
        return _("可多选，用“、”分隔：%(ok)s") % {"ok": "、".join(self.by_label)}


class Time(CellType):
    """A time of day, written HH:MM; a time-formatted Excel cell works too."""

    def parse(self, raw: Any) -> dt.time:
        if isinstance(raw, dt.datetime):
            return raw.time().replace(second=0, microsecond=0)
        if isinstance(raw, dt.time):
            return raw.replace(second=0, microsecond=0)
        if isinstance(raw, float) and 0 <= raw < 1:  # Excel stores times as a fraction of a day
            minutes = round(raw * 24 * 60)
            return dt.time(minutes // 60 % 24, minutes % 60)
        text = _as_text(raw).replace("：", ":")
        match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise CellError(_("“%(v)s”不是有效时间，格式应为 HH:MM，如 08:30") % {"v": text})
        return dt.time(int(match[1]), int(match[2]))

    def format(self, value: dt.time | None) -> str:
        return value.strftime("%H:%M") if value else ""

    def describe(self) -> str:
        return _("HH:MM，如 08:30")


class Date(CellType):
    """A calendar date, written YYYY-MM-DD (also 2026/5/1, 2026.5.1, 2026年5月1日); a date-formatted
    Excel cell works too."""

    def parse(self, raw: Any) -> dt.date:
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        text = _as_text(raw)
        match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
        try:
            if not match:
                raise ValueError
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise CellError(_("“%(v)s”不是有效日期，格式应为 YYYY-MM-DD，如 2026-05-01") % {"v": text}) from None

    def format(self, value: dt.date | None) -> str:
        return f"{value:%Y-%m-%d}" if value else ""

    def describe(self) -> str:
        return _("YYYY-MM-DD，如 2026-05-01")


class Mobile(CellType):
    """A mainland China mobile number: 11 digits starting 1[3-9]; spaces, dashes and +86 are dropped."""

    text_format = True

    def parse(self, raw: Any) -> str:
        text = re.sub(r"[\s-]", "", _as_text(raw))
        text = re.sub(r"^(\+?86)(?=1\d{10}$)", "", text)
        if not re.fullmatch(r"1[3-9]\d{9}", text):
            raise CellError(_("“%(v)s”不是有效的手机号（应为 1 开头的 11 位数字）") % {"v": _as_text(raw)})
        return text

    def format(self, value: str) -> str:
        return value or ""

    def describe(self) -> str:
        return _("11 位手机号，如 13800000000")


# --- Specs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a sheet. `header` is the Chinese header as the file shows it (without "*")."""

    header: str
    field: str
    type: CellType
    required: bool = False
    default: Any = ""  # the value of an empty optional cell
    help: str = ""  # what the column means, for the 说明 sheet (may be a lazy translation)
    aliases: tuple[str, ...] = ()
    width: int = 14

    @property
    def title(self) -> str:
        return f"{self.header}*" if self.required else self.header


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    example: Mapping[str, Any] = field(default_factory=dict)  # field → clean value, one example row
    help: str = ""  # what the sheet holds, for the 说明 sheet (may be a lazy translation)

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)

    def header_of(self, field_name: str) -> str:
        return self.column(field_name).header
