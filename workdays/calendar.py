"""Working-day arithmetic: the single place review deadlines are computed.

Everything is read from the database on each call (no cross-request cache), so an edit
made in the Wagtail admin takes effect immediately. A date in a year without a
``CalendarYear`` row raises ``CalendarNotCovered``: deadlines are flagged, never guessed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .models import CalendarYear, SpecialDay

__all__ = [
    "CalendarNotCovered",
    "Deadline",
    "add_working_days",
    "deadline_for",
    "is_overdue",
    "is_working_day",
    "working_days_between",
]

ONE_DAY = datetime.timedelta(days=1)
# How far past the obviously needed range to read special days in one query; holiday
# blocks add at most a handful of extra calendar days per working day counted.
_CHUNK = datetime.timedelta(days=45)


class CalendarNotCovered(Exception):
    """The working-day calendar has no data for ``year``."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(year)

    def __str__(self) -> str:
        return f"{self.year} 年的工作日历尚未维护，无法计算期限，请在“工作日历”中补充该年度。"


@dataclass(frozen=True)
class Deadline:
    """A computed deadline: ``due`` is None when there is no statutory limit or when
    ``uncovered_year`` names the year the calendar does not cover."""

    due: datetime.date | None
    uncovered_year: int | None = None

    @property
    def is_uncovered(self) -> bool:
        return self.uncovered_year is not None


class Calendar:
    """Covered years and special days for one computation, read in date-range chunks."""

    def __init__(self):
        self._covered: set[int] | None = None
        self._special: dict[datetime.date, str] = {}
        self._lo: datetime.date | None = None
        self._hi: datetime.date | None = None

    def _check_covered(self, day: datetime.date) -> None:
        if self._covered is None:
            self._covered = set(CalendarYear.objects.values_list("year", flat=True))
        if day.year not in self._covered:
            raise CalendarNotCovered(day.year)

    def _read(self, lo: datetime.date, hi: datetime.date) -> None:
        self._special.update(
            SpecialDay.objects.filter(date__range=(lo, hi)).values_list("date", "kind")
        )

    def load(self, lo: datetime.date, hi: datetime.date) -> None:
        """Make sure special days in [lo, hi] are loaded (reads only the missing part)."""
        if self._lo is None:
            self._read(lo, hi)
            self._lo, self._hi = lo, hi
            return
        if lo < self._lo:
            self._read(lo, self._lo - ONE_DAY)
            self._lo = lo
        if hi > self._hi:
            self._read(self._hi + ONE_DAY, hi)
            self._hi = hi

    def is_working_day(self, day: datetime.date) -> bool:
        self._check_covered(day)
        if self._lo is None or not (self._lo <= day <= self._hi):
            self.load(min(day, self._lo or day), max(day + _CHUNK, self._hi or day))
        kind = self._special.get(day)
        if kind == SpecialDay.Kind.WORKDAY:
            return True
        if kind == SpecialDay.Kind.HOLIDAY:
            return False
        return day.weekday() < 5


def is_working_day(d: datetime.date) -> bool:
    """Whether ``d`` is a working day; raises ``CalendarNotCovered`` for an unknown year."""
    calendar = Calendar()
    calendar.load(d, d)
    return calendar.is_working_day(d)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The last day for a matter received on ``start`` to be finished within ``days``
    working days: counting starts the day after ``start``. ``days == 0`` (即办件) gives
    ``start`` itself when it is a working day, otherwise the next working day.

    Raises ``CalendarNotCovered`` when the count reaches a year the calendar lacks.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    calendar = Calendar()
    # Weekends alone stretch n working days to about 1.4·n calendar days; the chunk
    # margin absorbs holiday blocks, and further chunks are read only if needed.
    calendar.load(start, start + datetime.timedelta(days=days * 7 // 5) + _CHUNK)
    day = start
    if days == 0:
        while not calendar.is_working_day(day):
            day += ONE_DAY
        return day
    remaining = days
    while remaining:
        day += ONE_DAY
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]; negative (the count in (end, start]) when end < start.

    Used for “已超期 N 个工作日”: ``working_days_between(due, today)``.
    Raises ``CalendarNotCovered`` when the range touches a year the calendar lacks.
    """
    if end == start:
        return 0
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    calendar = Calendar()
    calendar.load(start + ONE_DAY, end)
    count = 0
    day = start + ONE_DAY
    while day <= end:
        if calendar.is_working_day(day):
            count += 1
        day += ONE_DAY
    return sign * count


def _local_date(value: datetime.datetime | datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            return value.date()
        return timezone.localdate(value)
    return value


def deadline_for(received: datetime.datetime | datetime.date, days: int | None) -> Deadline:
    """The deadline for a matter received at ``received`` with a limit of ``days``
    working days. ``days=None`` means no statutory limit. Never raises
    ``CalendarNotCovered``: an uncovered year is reported in ``uncovered_year``."""
    if days is None:
        return Deadline(None, None)
    try:
        return Deadline(add_working_days(_local_date(received), days), None)
    except CalendarNotCovered as exc:
        return Deadline(None, exc.year)


def is_overdue(due: datetime.date | None, today: datetime.date | None = None) -> bool:
    """Whether ``today`` (default: the local date) is past ``due``; finishing on the due
    date itself is on time. No deadline is never overdue."""
    if due is None:
        return False
    if today is None:
        today = timezone.localdate()
    return today > due
