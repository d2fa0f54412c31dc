"""{{ value|rate:2 }}: a percentage rounded *down* to the places given, so 99.998 % shows as 99.99 %,
never as 100.00 % — the claim the pages exist to check is "100 %"."""
import math

from django import template

register = template.Library()


@register.filter
def rate(value, places=1) -> str:
    if value is None:
        return "—"
    factor = 10 ** int(places)
    return f"{math.floor(value * factor + 1e-9) / factor:.{int(places)}f}%"
