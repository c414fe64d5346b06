"""cms.chinese: the one place dates are read from Chinese text, whole or found inside."""

from datetime import date

import pytest

from archive.values import parse_date as archive_date
from cms.chinese import DATE_PATTERNS, WRITTEN_DATES, find_date, parse_date
from importer.parse import date_line

FORMS = [
    ("2025年3月1日", date(2025, 3, 1)),
    ("2025 年 03 月 01 日", date(2025, 3, 1)),
    ("二〇二五年三月一日", date(2025, 3, 1)),
    ("二〇二五年十二月三十一日", date(2025, 12, 31)),
    ("2025-03-01", date(2025, 3, 1)),
    ("2025.3.1", date(2025, 3, 1)),
    ("2025/3/1", date(2025, 3, 1)),
    ("20250301", date(2025, 3, 1)),
    ("2025年2月30日", None),
    ("二〇二五年二月三十日", None),
    ("2025-13-01", None),
    ("长期", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), FORMS)
def test_parse_date_reads_a_whole_date(text, expected):
    assert parse_date(text) == expected
    assert parse_date(f"  {text}\n") == expected


@pytest.mark.parametrize(("text", "expected"), FORMS)
def test_find_date_reads_a_date_inside_text(text, expected):
    assert find_date(f"发证日期：{text}（盖章）") == expected


def test_parse_date_wants_the_date_alone():
    assert parse_date("2025年3月1日前提交") is None
    assert parse_date("发证日期：2025-03-01") is None
    assert find_date("2025年3月1日前提交") == date(2025, 3, 1)


def test_find_date_skips_an_impossible_date_for_a_real_one():
    assert find_date("有效期 2025年2月30日 至 2026年3月1日") == date(2026, 3, 1)
    assert find_date("编号 123456789012 金额 30.5") is None


def test_find_date_tries_arabic_forms_before_chinese_numerals():
    assert DATE_PATTERNS[-1] is WRITTEN_DATES[1]
    assert find_date("二〇二四年一月一日 补记 2025-03-01") == date(2025, 3, 1)


def test_the_patterns_narrow_what_counts():
    assert parse_date("2025-03-01", WRITTEN_DATES) is None
    assert parse_date("2025年3月1日", WRITTEN_DATES) == date(2025, 3, 1)


def test_importer_date_line_takes_written_dates_only():
    assert date_line("二〇二三年十二月二十一日") == date(2023, 12, 21)
    assert date_line("2023年5月8日") == date(2023, 5, 8)
    assert date_line("2023-05-08") is None
    assert date_line("2023年2月29日") is None


def test_archive_parse_date_finds_dates_in_normalised_text():
    assert archive_date("发证日期：２０２５年３月１日") == date(2025, 3, 1)
    assert archive_date(date(2025, 3, 1)) == date(2025, 3, 1)
    assert archive_date(None) is None
