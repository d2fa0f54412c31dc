"""Tracked-item numbers: UPU S10 (``RR123456785CN``) and the configurable domestic pattern.

S10 (UPU standard S10): 13 characters — a 2-letter service indicator, an 8-digit serial number, one
check digit over the serial (weights 8 6 4 2 3 5 9 7; C = 11 − (Σ mod 11); 10 → 0, 11 → 5) and the
ISO 3166-1 alpha-2 code of the issuing country. J, K, S, T and W are reserved first letters.

China Post's domestic numbering was not confirmed, so a second form is accepted: whatever matches
the regular expression in the setting TRACKING_DOMESTIC_PATTERN (default 13 digits). A number is
normalised first (spaces removed, upper case), and every error says exactly what is wrong.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from operator import mul

from django.conf import settings
from django.utils.translation import gettext as _

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
RESERVED_FIRST = frozenset("JKSTW")
# Service indicator first letters → the delivery app's mail class (postqc.delivery.models.MailClass).
INDICATOR_CLASS = {"R": "letter", "L": "letter", "U": "letter", "V": "letter", "E": "express", "C": "parcel",
                   "H": "parcel"}
# ISO 3166-1 alpha-2: the codes officially assigned (plus UN for UPU international bureau use).
ISO_COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO
FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE
JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO
MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM
TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())
_SPACES = re.compile(r"[\s\-\u3000]+")
_domestic_cache: tuple[str, re.Pattern] | None = None


class NumberError(ValueError):
    """The number is not a valid S10 or domestic number; the message says why (in Chinese)."""


@dataclass(frozen=True)
class Number:
    number: str  # normalised
    indicator: str  # "" for a domestic number
    country: str  # "" for a domestic number (China)
    domestic: bool

    @property
    def mail_class(self) -> str:
        """The delivery app's mail class for the indicator's first letter ("" when unknown)."""
        return INDICATOR_CLASS.get(self.indicator[:1], "")


def check_digit(serial: str) -> int:
    """The S10 check digit of an 8-digit serial number."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError("serial must be 8 digits")
    c = 11 - sum(map(mul, map(int, serial), WEIGHTS)) % 11
    return {10: 0, 11: 5}.get(c, c)


def normalise(raw: str) -> str:
    return _SPACES.sub("", str(raw or "")).upper()


def _domestic() -> re.Pattern:
    global _domestic_cache
    pattern = settings.TRACKING_DOMESTIC_PATTERN
    if _domestic_cache is None or _domestic_cache[0] != pattern:
        _domestic_cache = (pattern, re.compile(pattern))
    return _domestic_cache[1]


def parse(raw: str) -> Number:
    """The number `raw` as a Number, or NumberError naming what is wrong."""
    number = normalise(raw)
    if not number:
        raise NumberError(_("邮件号不能为空。"))
    if _domestic().fullmatch(number):
        return Number(number, "", "", True)
    if number[:1].isdigit():
        raise NumberError(_("邮件号 %(n)s 既不是国际标准（S10）邮件号，也不符合国内邮件号格式。") % {"n": number})
    if len(number) != 13:
        raise NumberError(_("邮件号应为 13 位（2 位字母 + 9 位数字 + 2 位国家代码），%(n)s 是 %(k)d 位。")
                          % {"n": number, "k": len(number)})
    indicator, serial, check, country = number[:2], number[2:10], number[10], number[11:]
    if not (indicator.isascii() and indicator.isalpha()):
        raise NumberError(_("邮件号前 2 位应为业务代码字母，%(n)s 的前 2 位是“%(i)s”。") % {"n": number, "i": indicator})
    if indicator[0] in RESERVED_FIRST:
        raise NumberError(_("业务代码 %(i)s 无效：首字母 J、K、S、T、W 为保留字母，不用于邮件号。") % {"i": indicator})
    if not (serial.isdigit() and check.isdigit() and serial.isascii()):
        raise NumberError(_("邮件号第 3–11 位应为 9 位数字（8 位序号 + 1 位校验码），%(n)s 中是“%(s)s”。")
                          % {"n": number, "s": number[2:11]})
    expected = check_digit(serial)
    if int(check) != expected:
        raise NumberError(_("邮件号 %(n)s 校验码错误：按序号 %(s)s 计算应为 %(e)d，实为 %(c)s。请核对是否抄错。")
                          % {"n": number, "s": serial, "e": expected, "c": check})
    if country not in ISO_COUNTRIES:
        raise NumberError(_("邮件号末 2 位应为国家代码（如 CN），“%(c)s”不是有效的国家代码。") % {"c": country})
    return Number(number, indicator, country, False)


def make(indicator: str, serial: int | str, country: str = "CN") -> str:
    """An S10 number from its parts (demo data, tests, benchmarks)."""
    serial = f"{int(serial):08d}"
    return f"{indicator}{serial}{check_digit(serial)}{country}"
