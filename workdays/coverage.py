"""Which years the calendar lacks, and what happens once staff enter one.

From 1 October the next year's holiday notice is due (国务院办公厅 usually publishes it
in October or November), so the admin dashboard and the reviewers' list warn while it is
missing. A year is also reported when today lies in it or when open reviews have a
deadline flagged in it (``DepartmentReview.calendar_missing_year``). Once the year is
entered, ``recompute_flagged_deadlines`` computes those deadlines.
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


def _flagged_counts() -> dict[int, int]:
    from django.db.models import Count

    from applications.models import DepartmentReview

    open_statuses = (DepartmentReview.Status.PENDING, DepartmentReview.Status.UNDER_REVIEW)
    rows = (
        DepartmentReview.objects.filter(
            calendar_missing_year__isnull=False, status__in=open_statuses
        )
        .values("calendar_missing_year")
        .annotate(n=Count("pk"))
    )
    return {row["calendar_missing_year"]: row["n"] for row in rows}


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
    the calendar may cover it; returns how many reviews got a due date. A deadline that
    still reaches a missing year stays flagged, with that year."""
    from applications.models import DepartmentReview
    from applications.workflow import _deadline_fields

    reviews = DepartmentReview.objects.filter(calendar_missing_year__isnull=False)
    if years is not None:
        reviews = reviews.filter(calendar_missing_year__in=list(years))
    computed = 0
    for review in reviews.prefetch_related("items"):
        fields = _deadline_fields(review.received_at, list(review.items.all()))
        DepartmentReview.objects.filter(pk=review.pk).update(**fields)
        computed += fields["due_date"] is not None
    return computed
