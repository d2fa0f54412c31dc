"""Counting numerals as the reader's language writes them: 一、二、三 in Chinese, 1, 2, 3 otherwise."""
from __future__ import annotations

from django.utils.translation import get_language

CHINESE_NUMERALS = "一二三四五六七八九十"


def counting_numeral(n: int) -> str:
    """`n` (from 1) as the active language counts sections and quarters: 一…十 in Chinese (digits
    from 11 on), digits in any other language."""
    if (get_language() or "").startswith("zh") and 1 <= n <= len(CHINESE_NUMERALS):
        return CHINESE_NUMERALS[n - 1]
    return str(n)
