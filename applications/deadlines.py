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

    @classmethod
    def recompute(cls, years=None) -> int:
        reviews = DepartmentReview.objects.filter(calendar_missing_year__isnull=False)
        if years is not None:
            reviews = reviews.filter(calendar_missing_year__in=list(years))
        return sum(due is not None for due in cls._compute_again(reviews))

    @classmethod
    def recompute_spanning(cls, days) -> int:
        """Open reviews received by the last of ``days`` and due on or after the first:
        a special day among them may move their deadline (a superset is harmless)."""
        reviews = DepartmentReview.objects.filter(
            status__in=cls.OPEN,
            due_date__gte=min(days),
            received_at__date__lte=max(days),
        )
        return len(cls._compute_again(reviews))

    @staticmethod
    def _compute_again(reviews) -> list:
        """Store each review's deadline as the calendar now gives it; the due dates."""
        dues = []
        for review in reviews.prefetch_related("items"):
            fields = deadline_fields(review.received_at, list(review.items.all()))
            DepartmentReview.objects.filter(pk=review.pk).update(**fields)
            dues.append(fields["due_date"])
        return dues
