"""Filters of the cockpit's pages: a KPI's figures with its own number of decimals."""
from django import template

register = template.Library()

BADGES = {"met": "badge-green", "missed": "badge-red"}


@register.filter
def figure(value, kpi) -> str:
    """`value` with the KPI's decimals, or "—" when there is none."""
    if value is None:
        return "—"
    return f"{float(value):.{kpi.decimals}f}"


@register.filter
def signed(value, kpi) -> str:
    """A difference with its sign: +1.2, −0.8 (a real minus sign)."""
    if value is None:
        return ""
    text = f"{abs(float(value)):.{kpi.decimals}f}"
    return ("+" if value >= 0 else "\u2212") + text


@register.filter
def status_badge(status: str) -> str:
    return BADGES.get(status, "")


@register.filter
def kpi_name(names: dict, code: str) -> str:
    """The name of the KPI stored under `code` ("" for a code no longer registered)."""
    return names.get(code, "")
