"""Opening hours: what people write, what is stored, and "open now" on Jilin's clock from any time zone."""
import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from postqc.stations.hours import is_open_at, parse_day, parse_week, validate_week, week_rows

from .conftest import SPLIT_JH, WEEKDAYS_CY


def test_a_day_is_written_as_ranges_and_read_back_sorted():
    assert parse_day("13:00-17:30，08:00-11:30") == [["08:00", "11:30"], ["13:00", "17:30"]]
    assert parse_day("8:00~17:00") == [["08:00", "17:00"]]
    assert parse_day("休息") == parse_day("") == []
    assert parse_day("全天") == [["00:00", "24:00"]]
    assert parse_day("18:00-24:00") == [["18:00", "24:00"]]


@pytest.mark.parametrize("text, says", [
    ("8点到5点", "不是有效的时间段"), ("17:00-08:00", "结束时间应晚于开始时间"), ("08:00-25:00", "时间无效"),
    ("08:00-12:00,11:00-13:00", "重叠"), ("08:70-12:00", "时间无效"),
])
def test_bad_hours_say_what_is_wrong(text, says):
    with pytest.raises(ValueError, match=says):
        parse_day(text)


def test_a_week_names_the_day_that_is_wrong():
    with pytest.raises(ValidationError) as caught:
        parse_week({"1": "08:00-17:00", "3": "17:00-08:00", "6": "半天"})
    errors = caught.value.message_dict
    assert set(errors) == {"hours_3", "hours_6"} and errors["hours_3"][0].startswith("周三")
    assert parse_week({"1": "08:00-17:00", "7": "休息"}) == {"1": [["08:00", "17:00"]]}


def test_the_stored_form_is_checked_by_the_same_rules():
    assert validate_week(WEEKDAYS_CY) == WEEKDAYS_CY
    with pytest.raises(ValidationError):
        validate_week({"8": [["08:00", "17:00"]]})
    with pytest.raises(ValidationError):
        validate_week({"1": [["09:00"]]})
    with pytest.raises(ValidationError):
        validate_week({"1": [["12:00", "09:00"]]})


def test_week_rows_name_every_day():
    assert week_rows(WEEKDAYS_CY)[0] == ("周一", "08:00-17:30") and week_rows(WEEKDAYS_CY)[6] == ("周日", "休息")


SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


@pytest.mark.parametrize("when, is_open", [
    (dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI), True),  # Wednesday morning
    (dt.datetime(2026, 11, 25, 17, 30, tzinfo=SHANGHAI), False),  # the closing minute is closed
    (dt.datetime(2026, 11, 25, 17, 29, tzinfo=SHANGHAI), True),
    (dt.datetime(2026, 11, 25, 1, 0, tzinfo=UTC), True),  # 09:00 Wednesday in Jilin
    (dt.datetime(2026, 11, 24, 23, 30, tzinfo=UTC), False),  # 07:30 Wednesday in Jilin (Tuesday in UTC)
    (dt.datetime(2026, 11, 25, 16, 0, tzinfo=UTC), False),  # midnight in Jilin (still Wednesday in UTC)
    (dt.datetime(2026, 11, 27, 20, 0, tzinfo=NEW_YORK), True),  # Saturday 09:00 in Jilin, Friday evening in New York
    (dt.datetime(2026, 11, 28, 2, 0, tzinfo=UTC), True),  # Saturday 10:00 in Jilin
    (dt.datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI), False),  # Sunday: closed all day
    (dt.datetime(2026, 11, 28, 23, 0, tzinfo=NEW_YORK), False),  # Sunday 12:00 in Jilin, Saturday in New York
])
def test_open_now_is_judged_on_jilins_clock(when, is_open):
    assert is_open_at(WEEKDAYS_CY, when) is is_open


def test_split_hours_close_at_midday():
    wednesday = dt.datetime(2026, 11, 25, tzinfo=SHANGHAI)
    assert [h for h in range(24) if is_open_at(SPLIT_JH, wednesday.replace(hour=h))] == [7, 8, 16, 17, 18]
