"""UPU S10 numbers: the check digit, the standard's vectors, and errors that say what is wrong."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from postqc.tracking import s10

VECTORS = [("47312482", 9), ("12345678", 5), ("00071759", 5), ("96633102", 0), ("00000015", 5)]
INDICATORS = st.sampled_from(["RR", "EA", "CP", "VV", "LA", "UA", "HA", "RB"])


@pytest.mark.parametrize(("serial", "digit"), VECTORS)
def test_the_check_digit_of_the_given_vectors(serial, digit):
    assert s10.check_digit(serial) == digit


def test_a_valid_number_is_normalised_and_split(settings):
    number = s10.parse(" rr 1234 5678 5cn ")
    assert number == s10.Number("RR123456785CN", "RR", "CN", False)
    assert number.mail_class == "letter"
    assert s10.parse("EA000717595CN").mail_class == "express"


@pytest.mark.parametrize(("raw", "says"), [
    ("RR12345678CN", "应为 13 位"),
    ("RR1234567850CN", "是 14 位"),
    ("RR123456780CN", "校验码错误：按序号 12345678 计算应为 5，实为 0"),
    ("JJ123456785CN", "J、K、S、T、W 为保留字母"),
    ("SA123456785CN", "保留字母"),
    ("R1123456785CN", "前 2 位应为业务代码字母"),
    ("RR12345A785CN", "应为 9 位数字"),
    ("RR123456785XX", "“XX”不是有效的国家代码"),
    ("12345", "既不是国际标准"),
    ("", "不能为空"),
])
def test_every_error_names_what_is_wrong(raw, says):
    with pytest.raises(s10.NumberError) as exc:
        s10.parse(raw)
    assert says in str(exc.value)


def test_the_domestic_pattern_is_a_setting(settings):
    assert s10.parse("1151234567890").domestic
    settings.TRACKING_DOMESTIC_PATTERN = r"XA\d{11}"
    assert s10.parse("xa12345678901") == s10.Number("XA12345678901", "", "", True)
    with pytest.raises(s10.NumberError):
        s10.parse("1151234567890")


@given(indicator=INDICATORS, serial=st.integers(0, 99_999_999), country=st.sampled_from(["CN", "US", "DE", "JP"]))
def test_every_made_number_parses_back(indicator, serial, country):
    number = s10.make(indicator, serial, country)
    parsed = s10.parse(number)
    assert (parsed.number, parsed.indicator, parsed.country) == (number, indicator, country)
    assert len(number) == 13


@given(serial=st.integers(0, 99_999_999), wrong=st.integers(0, 9))
def test_any_other_check_digit_is_rejected_with_the_expected_one(serial, wrong):
    good = s10.make("RR", serial)
    expected = int(good[10])
    if wrong == expected:
        return
    with pytest.raises(s10.NumberError) as exc:
        s10.parse(f"{good[:10]}{wrong}CN")
    assert f"应为 {expected}，实为 {wrong}" in str(exc.value)


@given(serial=st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_the_check_digit_follows_the_formula(serial):
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7)))
    c = 11 - total % 11
    assert s10.check_digit(serial) == {10: 0, 11: 5}.get(c, c)
