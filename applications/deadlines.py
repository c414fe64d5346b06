"""Department review deadlines in working days, and the reviews whose deadline waits for
a calendar year (registered with workdays.coverage, which warns about them and computes
them once the year is entered)."""

from django.db.models import Count

from workdays.calendar import deadline_for

from .models import DepartmentReview


def deadline_fields(received_at, items):
    limits = [item.time_limit_days for item in items if item.time_limit_days is not None]
    if not limits:
        return {"due_date": None, "calendar_missing_year": None}
    deadline = deadline_for(received_at, max(limits))
    return {"due_date": deadline.due, "calendar_missing_year": deadline.uncovered_year}


class FlaggedDeadlines:
    """Review deadlines the calendar could not compute (registered with
    workdays.coverage, which warns about them and recomputes them once a year is in)."""

    OPEN = (DepartmentReview.Status.PENDING, DepartmentReview.Status.UNDER_REVIEW)

    @classmethod
    def flagged_counts(cls) -> dict[int, int]:
        rows = (
            DepartmentReview.objects.filter(
                calendar_missing_year__isnull=False, status__in=cls.OPEN
            )
            .values("calendar_missing_year")
            .annotate(n=Count("pk"))
        )
        return {row["calendar_missing_year"]: row["n"] for row in rows}

    @staticmethod
    def recompute(years=None) -> int:
        reviews = DepartmentReview.objects.filter(calendar_missing_year__isnull=False)
        if years is not None:
            reviews = reviews.filter(calendar_missing_year__in=list(years))
        computed = 0
        for review in reviews.prefetch_related("items"):
            fields = deadline_fields(review.received_at, list(review.items.all()))
            DepartmentReview.objects.filter(pk=review.pk).update(**fields)
            computed += fields["due_date"] is not None
        return computed
