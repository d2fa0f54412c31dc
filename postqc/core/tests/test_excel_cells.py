import datetime as dt

import pytest

from postqc.core.excel import CellError, Date


@pytest.mark.parametrize("raw", ["2026-05-01", "2026/5/1", "2026.05.01", "2026年5月1日", " 2026-5-1 ",
                                 dt.date(2026, 5, 1), dt.datetime(2026, 5, 1, 13, 30)])
def test_a_date_is_read_in_the_ways_people_write_it(raw):
    assert Date().parse(raw) == dt.date(2026, 5, 1)


@pytest.mark.parametrize("raw", ["2026-02-30", "5/1/2026", "明天", "2026-13-01", "20260501"])
def test_anything_else_is_refused_with_the_format_to_use(raw):
    with pytest.raises(CellError, match="YYYY-MM-DD"):
        Date().parse(raw)


def test_a_date_is_written_as_it_is_read():
    assert Date().format(dt.date(2026, 5, 1)) == "2026-05-01"
    assert Date().format(None) == ""
