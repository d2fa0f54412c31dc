from django.utils import translation

from postqc.core.numerals import counting_numeral


def test_chinese_counts_in_chinese_numerals_up_to_ten_then_in_digits():
    with translation.override("zh-hans"):
        assert [counting_numeral(n) for n in (1, 2, 4, 10, 11)] == ["一", "二", "四", "十", "11"]


def test_english_counts_in_digits():
    with translation.override("en"):
        assert [counting_numeral(n) for n in (1, 4, 10)] == ["1", "4", "10"]
