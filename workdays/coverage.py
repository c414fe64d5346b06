"""Which years the calendar lacks, and what happens once staff enter one.

From 1 October the next year's holiday notice is due (国务院办公厅 usually publishes it
in October or November), so the admin dashboard and the reviewers' list warn while it is
missing. A year is also reported when today lies in it or when open reviews have a
deadline flagged in it (``DepartmentReview.calendar_missing_year``). Once the year is
entered, ``recompute_flagged_deadlines`` computes those deadlines; when its holidays or
调休 days are added, changed or deleted later, ``recompute_deadlines_spanning`` computes
again the open deadlines whose span holds a changed day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .models import CalendarYear

# The first day (month, day) of the year on which the next year's calendar is expected.
NEXT_YEAR_DUE_FROM = (10, 1)


@dataclass(frozen=True)
class MissingYear:
    """A year the calendar lacks that somebody will meet soon (or already meets)."""

    year: int
    current: bool  # today lies in it
    flagged: int  # open reviews whose deadline could not be computed for want of it

    @property
    def message(self) -> str:
        when = "本年度" if self.current else "下一年度"
        text = f"{self.year} 年（{when}）的工作日历尚未录入"
        if self.flagged:
            text += f"，{self.flagged} 个办理期限因此无法计算"
        return text + "。请按国务院办公厅节假日安排通知录入该年度。"


# What depends on the calendar registers here (applications: its review deadlines, in
# ApplicationsConfig.ready); workdays itself knows no reviews. A source has
# ``flagged_counts() -> {year: open deadlines flagged for want of it}`` and
# ``recompute(years) -> how many deadlines got a due date`` and
# ``recompute_spanning(days) -> how many open deadlines were computed again`` (those
# running from their receipt to their due date across one of ``days``).
DEADLINE_SOURCES: list = []


def register_deadline_source(source) -> None:
    if source not in DEADLINE_SOURCES:
        DEADLINE_SOURCES.append(source)


def _flagged_counts() -> dict[int, int]:
    counts: dict[int, int] = {}
    for source in DEADLINE_SOURCES:
        for year, n in source.flagged_counts().items():
            counts[year] = counts.get(year, 0) + n
    return counts


def missing_years(today: datetime.date | None = None) -> list[MissingYear]:
    """The years to warn about on ``today`` (default: the local date), earliest first:
    this year if it is missing, the next one from 1 October if it is missing, and any
    year in which open reviews have a flagged deadline."""
    today = today or timezone.localdate()
    covered = set(CalendarYear.objects.values_list("year", flat=True))
    flagged = _flagged_counts()
    wanted = {today.year, *flagged}
    if (today.month, today.day) >= NEXT_YEAR_DUE_FROM:
        wanted.add(today.year + 1)
    return [
        MissingYear(year, year == today.year, flagged.get(year, 0))
        for year in sorted(wanted - covered)
    ]


def recompute_flagged_deadlines(years=None) -> int:
    """Compute every deadline flagged as uncovered (in ``years``, default all) now that
    the calendar may cover it; returns how many got a due date. A deadline that still
    reaches a missing year stays flagged, with that year."""
    return sum(source.recompute(years) for source in DEADLINE_SOURCES)


def recompute_deadlines_spanning(days) -> int:
    """Compute again every open deadline whose span (receipt to due date) holds one of
    ``days`` — special days just added, changed or deleted; returns how many."""
    days = set(days)
    if not days:
        return 0
    return sum(source.recompute_spanning(days) for source in DEADLINE_SOURCES)
