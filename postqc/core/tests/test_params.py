"""core.downloads: the year and the day a page is asked for, within the years the pages report on."""
import datetime as dt

import pytest

from postqc.core.downloads import day_param


@pytest.mark.parametrize("text, expected", [
    ("2026-11-18", dt.date(2026, 11, 18)),
    (" 2026-11-18 ", dt.date(2026, 11, 18)),
    ("2000-01-01", dt.date(2000, 1, 1)),
    ("2100-12-31", dt.date(2100, 12, 31)),
    ("1999-12-31", None),
    ("2101-01-01", None),
    ("0001-01-01", None),
    ("9999-12-31", None),
    ("2026-02-30", None),
    ("", None),
    (None, None),
    ("昨天", None),
])
def test_day_param(text, expected):
    assert day_param(text) == expected
