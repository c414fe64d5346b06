"""The working-day calendar reads the database in as few queries as it promises
(workdays/calendar.py): one for the covered years and one per chunk of special days,
never an extra read for a range it already holds. Cases a planted bug slipped past
(`make mutation`)."""

import datetime

import pytest

from workdays.calendar import add_working_days, is_working_day, working_days_between
from workdays.models import SpecialDay

pytestmark = pytest.mark.django_db

D = datetime.date


def test_a_long_count_reads_the_calendar_in_two_queries(django_assert_num_queries):
    # 120 working days from Monday 5 January 2026 end in July: the first chunk
    # (start .. start + 120·7/5 + 45 days) holds every day counted.
    with django_assert_num_queries(2):  # the covered years, one chunk of special days
        due = add_working_days(D(2026, 1, 5), 120)
    assert due == D(2026, 7, 2)
    with django_assert_num_queries(2):
        assert working_days_between(D(2026, 1, 5), due) == 120


def test_a_year_long_count_still_fits_the_first_chunk(django_assert_num_queries):
    # 250 working days from 2 January 2024 take 364 calendar days: weekends stretch a
    # count by 7/5, and the chunk margin holds the holidays.
    with django_assert_num_queries(2):
        assert add_working_days(D(2024, 1, 2), 250) == D(2024, 12, 31)


def test_one_day_is_told_in_two_queries(django_assert_num_queries):
    with django_assert_num_queries(2):  # the covered years, that day's special days
        assert is_working_day(D(2026, 10, 1)) is False


def test_counting_past_the_first_chunk_reads_one_more_chunk(django_assert_num_queries):
    start = D(2026, 3, 2)  # a Monday; its first chunk for 3 days ends on 20 April
    day = start + datetime.timedelta(days=1)
    while day <= D(2026, 4, 21):  # everything off up to the day after the chunk
        SpecialDay.objects.update_or_create(
            date=day, defaults={"kind": SpecialDay.Kind.HOLIDAY, "name": "测试停工"}
        )
        day += datetime.timedelta(days=1)
    with django_assert_num_queries(3):  # covered years, first chunk, the next chunk
        assert add_working_days(start, 3) == D(2026, 4, 24)


def test_a_negative_number_of_days_is_a_programming_error():
    with pytest.raises(ValueError, match=r"^days must not be negative$"):
        add_working_days(D(2026, 3, 16), -1)


def test_widening_the_loaded_range_reads_only_the_new_days(django_assert_num_queries):
    from workdays.calendar import Calendar

    calendar = Calendar()
    with django_assert_num_queries(1):
        calendar.load(D(2026, 10, 2), D(2026, 10, 9))
    with django_assert_num_queries(1):  # only 20 September .. 1 October
        calendar.load(D(2026, 9, 20), D(2026, 10, 9))
    assert (calendar._lo, calendar._hi) == (D(2026, 9, 20), D(2026, 10, 9))
    with django_assert_num_queries(0):  # nothing new
        calendar.load(D(2026, 9, 25), D(2026, 10, 9))
    with django_assert_num_queries(1):  # only 10 .. 20 October
        calendar.load(D(2026, 9, 20), D(2026, 10, 20))
    assert (calendar._lo, calendar._hi) == (D(2026, 9, 20), D(2026, 10, 20))
