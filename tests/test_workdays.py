"""The working-day calendar (workdays): seeded data, deadline arithmetic, admin editing."""

import csv
import datetime
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from workdays.calendar import (
    CalendarNotCovered,
    Deadline,
    add_working_days,
    deadline_for,
    is_overdue,
    is_working_day,
    working_days_between,
)
from workdays.models import CalendarYear, SpecialDay

pytestmark = pytest.mark.django_db

D = datetime.date
CSV_PATH = Path(__file__).resolve().parents[1] / "workdays" / "data" / "cn_calendar.csv"


def csv_rows():
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        return [
            (D.fromisoformat(row["date"]), row["kind"], row["name"]) for row in csv.DictReader(f)
        ]


# --- seeded data ---------------------------------------------------------------------


def test_seed_covers_2024_to_2026_and_matches_the_csv():
    assert set(CalendarYear.objects.values_list("year", flat=True)) >= {2024, 2025, 2026}
    rows = csv_rows()
    assert {(r.date, r.kind, r.name) for r in SpecialDay.objects.all()} == set(rows)
    assert SpecialDay.objects.get(date=D(2026, 10, 1)).name == "国庆节"


def test_seeded_data_agrees_with_chinese_calendar_for_every_day_2024_2026():
    day = D(2024, 1, 1)
    mismatches = []
    while day <= D(2026, 12, 31):
        if is_working_day(day) != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += datetime.timedelta(days=1)
    assert mismatches == []


def test_national_day_2026_is_a_holiday():
    assert is_working_day(D(2026, 10, 1)) is False
    assert SpecialDay.objects.get(date=D(2026, 10, 1)).kind == SpecialDay.Kind.HOLIDAY


def test_adjusted_working_sundays_2026_are_working_days():
    sundays = [d for d, kind, _ in csv_rows() if kind == "workday" and d.year == 2026]
    sundays = [d for d in sundays if d.weekday() == 6]
    assert D(2026, 9, 20) in sundays  # 国庆节调休
    assert D(2026, 1, 4) in sundays  # 元旦调休
    for day in sundays:
        assert is_working_day(day) is True


def test_a_normal_monday_is_a_working_day_and_a_normal_saturday_is_not():
    monday, saturday = D(2026, 3, 9), D(2026, 3, 14)
    assert monday.weekday() == 0 and saturday.weekday() == 5
    assert is_working_day(monday) is True
    assert is_working_day(saturday) is False


# --- add_working_days ----------------------------------------------------------------


def test_add_working_days_across_national_day_2026():
    # 10-01..10-07 off, 10-08 Thu and 10-09 Fri work, 10-10 is a 调休 Saturday.
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)


def test_add_working_days_across_a_weekend():
    thursday = D(2026, 3, 12)
    assert thursday.weekday() == 3
    assert add_working_days(thursday, 1) == D(2026, 3, 13)
    assert add_working_days(thursday, 3) == D(2026, 3, 17)
    # Received on a Saturday: counting starts on Sunday, so Monday is day 1.
    assert add_working_days(D(2026, 3, 14), 1) == D(2026, 3, 16)


def test_add_working_days_zero_is_same_day_or_next_working_day():
    assert add_working_days(D(2026, 3, 14), 0) == D(2026, 3, 16)  # Saturday → Monday
    assert add_working_days(D(2026, 3, 16), 0) == D(2026, 3, 16)  # Monday stays
    assert add_working_days(D(2026, 10, 10), 0) == D(2026, 10, 10)  # 调休上班 Saturday
    assert add_working_days(D(2026, 10, 1), 0) == D(2026, 10, 8)  # inside 国庆


def test_add_working_days_rejects_negative_days():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 3, 16), -1)


def test_add_working_days_reads_the_calendar_in_few_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        due = add_working_days(D(2026, 1, 5), 120)
    assert working_days_between(D(2026, 1, 5), due) == 120


def test_an_edit_through_the_model_changes_the_result():
    thursday, tuesday = D(2026, 3, 12), D(2026, 3, 17)
    assert add_working_days(thursday, 3) == tuesday
    SpecialDay.objects.create(date=tuesday, kind=SpecialDay.Kind.HOLIDAY, name="临时休息日")
    assert is_working_day(tuesday) is False
    assert add_working_days(thursday, 3) == D(2026, 3, 18)
    SpecialDay.objects.filter(date=tuesday).delete()
    assert add_working_days(thursday, 3) == tuesday


# --- uncovered years -----------------------------------------------------------------


@pytest.fixture
def uncovered_2027():
    """2027 without a calendar, whatever the seed data holds by then (the tests below are
    about the year after the last one entered, not about 2027 itself)."""
    SpecialDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    return 2027


def test_a_date_in_2027_raises_calendar_not_covered(uncovered_2027):
    with pytest.raises(CalendarNotCovered) as info:
        is_working_day(D(2027, 1, 4))
    assert info.value.year == 2027
    assert str(info.value) == (
        "2027 年的工作日历尚未维护，无法计算期限，请在“工作日历”中补充该年度。"
    )


def test_counting_into_2027_raises_and_deadline_for_flags_it(uncovered_2027):
    with pytest.raises(CalendarNotCovered) as info:
        add_working_days(D(2026, 12, 28), 10)
    assert info.value.year == 2027
    assert deadline_for(D(2026, 12, 28), 10) == Deadline(None, 2027)
    assert deadline_for(D(2027, 3, 1), 0) == Deadline(None, 2027)
    assert deadline_for(D(2027, 3, 1), 0).is_uncovered


def test_adding_the_year_makes_it_covered(uncovered_2027):
    CalendarYear.objects.create(year=2027)
    assert is_working_day(D(2027, 1, 4)) is True  # Monday, no special days entered
    # 29–31 Dec, then 1 Jan (no holiday entered yet: a plain Friday) and 4–8, 11 Jan.
    assert deadline_for(D(2026, 12, 28), 10) == Deadline(D(2027, 1, 11), None)


# --- deadline_for / working_days_between / is_overdue --------------------------------


def test_deadline_for_without_a_limit():
    assert deadline_for(D(2026, 3, 12), None) == Deadline(None, None)


def test_deadline_for_dates_and_datetimes():
    assert deadline_for(D(2026, 9, 30), 3) == Deadline(D(2026, 10, 10), None)
    # 2026-03-13 16:30 UTC is Saturday 00:30 in Asia/Shanghai: 即办件 → Monday.
    received = datetime.datetime(2026, 3, 13, 16, 30, tzinfo=ZoneInfo("UTC"))
    assert deadline_for(received, 0) == Deadline(D(2026, 3, 16), None)
    # A naive datetime is taken as local time.
    assert deadline_for(datetime.datetime(2026, 3, 13, 16, 30), 0).due == D(2026, 3, 13)


def test_working_days_between(uncovered_2027):
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert working_days_between(D(2026, 10, 10), D(2026, 9, 30)) == -3
    assert working_days_between(D(2026, 3, 16), D(2026, 3, 16)) == 0
    assert working_days_between(D(2026, 3, 13), D(2026, 3, 15)) == 0  # weekend only
    with pytest.raises(CalendarNotCovered):
        working_days_between(D(2026, 12, 28), D(2027, 1, 5))


def test_is_overdue():
    due = D(2026, 10, 10)
    assert is_overdue(None) is False
    assert is_overdue(None, D(2030, 1, 1)) is False
    assert is_overdue(due, due) is False
    assert is_overdue(due, D(2026, 10, 9)) is False
    assert is_overdue(due, D(2026, 10, 11)) is True
    assert is_overdue(D(2000, 1, 1)) is True  # defaults to today


# --- SpecialDay.clean ----------------------------------------------------------------


def test_clean_refuses_a_workday_on_a_weekday():
    day = SpecialDay(date=D(2026, 3, 17), kind=SpecialDay.Kind.WORKDAY, name="调休")
    with pytest.raises(ValidationError) as info:
        day.clean()
    assert info.value.message_dict == {"kind": ["调休上班日应为周六或周日"]}


def test_clean_refuses_a_year_without_calendar_year(uncovered_2027):
    day = SpecialDay(date=D(2027, 1, 1), kind=SpecialDay.Kind.HOLIDAY, name="元旦")
    with pytest.raises(ValidationError) as info:
        day.clean()
    assert "2027 年尚未在“日历年度”中登记" in info.value.message_dict["date"][0]


def test_clean_accepts_weekend_holidays_and_weekend_workdays():
    SpecialDay(date=D(2026, 3, 21), kind=SpecialDay.Kind.HOLIDAY, name="测试").clean()
    SpecialDay(date=D(2026, 3, 22), kind=SpecialDay.Kind.WORKDAY, name="测试").clean()


# --- Wagtail admin -------------------------------------------------------------------


@pytest.fixture
def calendar_admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("calendar-admin", "a@example.com", "pw")
    client.force_login(user)
    return client


def test_snippet_list_loads_and_shows_adjusted_workdays(calendar_admin):
    url = reverse(SpecialDay.snippet_viewset.get_url_name("list"))
    response = calendar_admin.get(url)
    assert response.status_code == 200
    # Rows, not the kind filter's label: the first page (by date) holds 2024's days.
    listed = list(response.context["object_list"])
    first_rows = [(d.date, d.kind, d.name) for d in listed]
    assert first_rows == sorted(first_rows)[: len(first_rows)]
    assert first_rows[:2] == [
        (D(2024, 1, 1), "holiday", "元旦"),
        (D(2024, 2, 4), "workday", "春节"),
    ]
    html = response.content.decode()
    cells = re.findall(r">\s*调休上班\s*</td>", html)
    assert len(cells) == sum(d.kind == "workday" for d in listed) > 0
    assert "周日" in html  # the weekday column of 2024-02-04


def test_snippet_list_filters_by_year_and_kind(calendar_admin):
    url = reverse(SpecialDay.snippet_viewset.get_url_name("list"))
    response = calendar_admin.get(url, {"year": "2026", "kind": "workday"})
    assert response.status_code == 200
    dates = {day.date for day in response.context["object_list"]}
    assert dates == {d for d, kind, _ in csv_rows() if kind == "workday" and d.year == 2026}


def test_calendar_year_list_loads(calendar_admin):
    response = calendar_admin.get(reverse(CalendarYear.snippet_viewset.get_url_name("list")))
    assert response.status_code == 200
    assert "2026" in response.content.decode()


def test_admin_add_form_refuses_a_workday_on_a_weekday(calendar_admin):
    url = reverse(SpecialDay.snippet_viewset.get_url_name("add"))
    response = calendar_admin.post(url, {"date": "2026-03-17", "kind": "workday", "name": "调休"})
    assert response.status_code == 200
    assert "调休上班日应为周六或周日" in response.content.decode()
    assert not SpecialDay.objects.filter(date=D(2026, 3, 17)).exists()

    response = calendar_admin.post(url, {"date": "2026-03-17", "kind": "holiday", "name": "临时"})
    assert response.status_code == 302
    assert add_working_days(D(2026, 3, 12), 3) == D(2026, 3, 18)


def test_admin_menu_has_the_calendar_group(calendar_admin):
    response = calendar_admin.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    html = response.content.decode()
    # The sidebar menu is rendered as JSON props, with non-ASCII text \u-escaped.
    for label in ("工作日历", "节假日与调休", "日历年度"):
        assert json.dumps(label)[1:-1] in html


# --- chunked reading -----------------------------------------------------------------


def test_widening_the_loaded_range_reads_the_days_right_next_to_it():
    from workdays.calendar import Calendar

    calendar = Calendar()
    calendar.load(D(2026, 10, 2), D(2026, 10, 9))
    calendar.load(D(2026, 9, 20), D(2026, 10, 9))  # down to and including 1 October
    calendar.load(D(2026, 9, 20), D(2026, 10, 20))  # up from 10 October
    assert calendar.is_working_day(D(2026, 10, 1)) is False  # Thursday, 国庆节
    assert calendar.is_working_day(D(2026, 10, 9)) is True
    assert calendar.is_working_day(D(2026, 10, 10)) is True  # Saturday, 调休上班
    assert (calendar._lo, calendar._hi) == (D(2026, 9, 20), D(2026, 10, 20))
