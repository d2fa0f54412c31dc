"""COPY's text format as the bulk paths write it; on PostgreSQL, what goes in comes back unchanged."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from postqc.conftest import needs_postgres
from postqc.core.copytext import copy_escape, copy_lines

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROW = (7, None, True, False, "王\\五\t收\n二楼\r", Decimal("12.50"), dt.date(2026, 11, 30),
       dt.datetime(2026, 11, 30, 9, 5, 1, 250000, tzinfo=SHANGHAI))


def test_each_kind_of_value_is_written_as_copy_reads_it():
    assert copy_escape("plain 文本") == "plain 文本"
    line = ("7\t\\N\tt\tf\t王\\\\五\\t收\\n二楼\\r\t12.50\t2026-11-30\t"
            "2026-11-30T09:05:01.250000+08:00\n")
    assert list(copy_lines([ROW, ROW])) == [line, line]  # the second from the formatted dates kept


@needs_postgres()
@pytest.mark.django_db
def test_postgresql_reads_back_exactly_what_was_written():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copytext (a int, b int, c bool, d bool, e text, f numeric(8, 2), g date, "
                       "h timestamptz)")
        with cursor.cursor.copy("COPY copytext FROM STDIN") as copy:
            copy.write("".join(copy_lines([ROW])))
        cursor.execute("SELECT * FROM copytext")
        back = cursor.fetchone()
    assert back[:7] == ROW[:7] and back[7] == ROW[7]
