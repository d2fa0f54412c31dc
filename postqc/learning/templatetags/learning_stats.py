"""Template filters of the statistics pages: shares as percentages, correlations with two decimals."""
from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value, digits: int = 0) -> str:
    """0.853 → "85%" (|pct:1 → "85.3%"); None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def pct_int(value) -> int:
    """0.853 → 85, for a <progress max="100">; None → 0."""
    if value is None or value == "":
        return 0
    return max(0, min(100, round(float(value) * 100)))


@register.filter
def corr(value) -> str:
    """A correlation as 0.42 / −0.38; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.2f}".replace("-", "−")
