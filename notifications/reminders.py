"""Daily reminders: accounts that lock in 7 days, and each reviewer's digest of cases due
on the next working day and overdue. Both are safe to run more than once a day (a
message carries a key of its day and is written once)."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import IDLE_LOCK_AFTER, Applicant
from applications.models import DepartmentReview
from workdays.calendar import CalendarNotCovered, add_working_days

from .service import notify

WARN_BEFORE = datetime.timedelta(days=7)


def lock_date(applicant) -> datetime.date:
    return timezone.localdate(applicant.last_seen() + IDLE_LOCK_AFTER)


def warn_account_locks(today: datetime.date) -> int:
    """Tell every active applicant whose account locks on ``today + 7 days``."""
    target = today + WARN_BEFORE
    sent = 0
    for applicant in Applicant.objects.filter(status=Applicant.Status.ACTIVE).select_related(
        "user"
    ):
        when = lock_date(applicant)
        if when != target:
            continue
        written = notify(
            "account_lock_warning",
            applicant.user,
            {"applicant": applicant.name, "lock_date": f"{when:%Y-%m-%d}"},
            link=reverse("accounts:login"),
            dedupe_key=f"account_lock_warning:{when:%Y%m%d}",
        )
        sent += bool(written)
    return sent


def _row(review):
    return {
        "reference": review.application.reference,
        "department": review.department.name,
        "due_date": f"{review.due_date:%Y-%m-%d}",
    }


def send_review_digest(today: datetime.date) -> int:
    """One message per reviewer with open reviews due on the next working day or overdue."""
    try:
        tomorrow = add_working_days(today, 1)
    except CalendarNotCovered:
        tomorrow = today + datetime.timedelta(days=1)
    open_reviews = (
        DepartmentReview.objects.filter(
            status__in=[DepartmentReview.Status.PENDING, DepartmentReview.Status.UNDER_REVIEW],
            due_date__isnull=False,
        )
        .filter(Q(due_date__lt=today) | Q(due_date__gt=today, due_date__lte=tomorrow))
        .select_related("application", "department")
        .order_by("due_date", "pk")
    )
    by_department = {}
    for review in open_reviews:
        by_department.setdefault(review.department_id, []).append(review)
    if not by_department:
        return 0
    sent = 0
    reviewers = (
        get_user_model()
        .objects.filter(is_active=True, review_departments__in=list(by_department))
        .distinct()
    )
    for user in reviewers:
        mine = [
            r
            for pk in user.review_departments.values_list("pk", flat=True)
            for r in by_department.get(pk, [])
        ]
        due_soon = [_row(r) for r in mine if r.due_date > today]
        overdue = [_row(r) for r in mine if r.due_date < today]
        written = notify(
            "review_digest",
            user,
            {"due_soon": due_soon, "overdue": overdue, "today": f"{today:%Y-%m-%d}"},
            link=reverse("wagtailadmin_home"),
            dedupe_key=f"review_digest:{today:%Y%m%d}",
        )
        sent += bool(written)
    return sent
