"""A year added or edited through the plain 日历年度 snippet computes the deadlines that
were flagged for want of it, once the transaction commits (workdays/signals.py)."""

import datetime

import pytest

from applications.models import DepartmentReview
from catalogue.models import ApplicantType, ApplicationKind
from tests.applications import factories
from workdays.calendar import add_working_days
from workdays.models import CalendarYear, SpecialDay

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-12-30 10:00")]

D = datetime.date
ADD_URL = "/admin/snippets/workdays/calendaryear/add/"


@pytest.fixture
def admin_client(client, django_user_model):
    SpecialDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    client.force_login(django_user_model.objects.create_superuser("cal", "c@example.com", "pw"))
    return client


def flagged_review() -> DepartmentReview:
    """An account registration received Wednesday 2026-12-30: 3 working days reach 2027."""
    factories.ensure_reference_data()
    applicant = factories.make_applicant(ApplicantType.OPERATOR, status="pending")
    application = factories.make_application(applicant, ApplicationKind.ACCOUNT)
    factories.attach(application, "business-licence", factories.png_upload("营业执照.png"))
    review = factories.submit(application).reviews.get()
    assert (review.due_date, review.calendar_missing_year) == (None, 2027)
    return review


def test_adding_the_year_in_the_snippet_computes_the_flagged_deadline_after_commit(
    admin_client, django_capture_on_commit_callbacks
):
    review = flagged_review()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(ADD_URL, {"year": "2027", "published_on": "", "note": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CalendarYear.objects.filter(year=2027).exists()
    review.refresh_from_db()
    assert review.calendar_missing_year == 2027  # nothing before the commit

    for callback in callbacks:
        callback()
    review.refresh_from_db()
    # Thursday 31 Dec, then Friday 1 and Monday 4 Jan (no 2027 holidays entered yet).
    assert (review.due_date, review.calendar_missing_year) == (D(2027, 1, 4), None)
    assert review.due_date == add_working_days(D(2026, 12, 30), 3)


def test_editing_the_year_in_the_snippet_computes_a_deadline_still_flagged_for_it(
    admin_client, django_capture_on_commit_callbacks
):
    review = flagged_review()
    entry = CalendarYear.objects.create(year=2027)  # outside any request: no commit yet
    review.refresh_from_db()
    assert review.calendar_missing_year == 2027
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/snippets/workdays/calendaryear/edit/{entry.pk}/",
            {"year": "2027", "published_on": "2026-11-04", "note": "国办发明电〔2026〕7号"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    review.refresh_from_db()
    assert (review.due_date, review.calendar_missing_year) == (D(2027, 1, 4), None)


def test_a_deadline_flagged_for_another_year_is_left_flagged(
    admin_client, django_capture_on_commit_callbacks
):
    review = flagged_review()
    DepartmentReview.objects.filter(pk=review.pk).update(calendar_missing_year=2031)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(ADD_URL, {"year": "2027", "published_on": "", "note": ""})
    review.refresh_from_db()
    assert (review.due_date, review.calendar_missing_year) == (None, 2031)


# --- holidays entered later through the 节假日与调休 snippet move the deadline --------------

SPECIAL_DAY = "/admin/snippets/workdays/specialday/"


def _due(review) -> datetime.date | None:
    review.refresh_from_db()
    assert review.calendar_missing_year is None
    return review.due_date


def _post(client, url: str, data: dict | None = None) -> None:
    response = client.post(url, data or {})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_holidays_entered_after_the_year_move_its_computed_deadlines(
    admin_client, django_capture_on_commit_callbacks
):
    review = flagged_review()
    with django_capture_on_commit_callbacks(execute=True):
        _post(admin_client, ADD_URL, {"year": "2027", "published_on": "", "note": ""})
    assert _due(review) == D(2027, 1, 4)  # Thu 31 Dec, Fri 1 and Mon 4 Jan: no holidays yet

    # 元旦 Friday 1 January, entered after the year: the deadline moves to Tuesday 5.
    with django_capture_on_commit_callbacks(execute=True):
        _post(
            admin_client,
            SPECIAL_DAY + "add/",
            {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        )
    assert _due(review) == D(2027, 1, 5) == add_working_days(D(2026, 12, 30), 3)

    # The day corrected to a date outside the span: the old date counted again.
    day = SpecialDay.objects.get(date=D(2027, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        _post(
            admin_client,
            f"{SPECIAL_DAY}edit/{day.pk}/",
            {"date": "2027-01-11", "kind": "holiday", "name": "元旦"},
        )
    assert _due(review) == D(2027, 1, 4) == add_working_days(D(2026, 12, 30), 3)

    # A holiday on Monday 4 January, then deleted again.
    with django_capture_on_commit_callbacks(execute=True):
        _post(
            admin_client,
            SPECIAL_DAY + "add/",
            {"date": "2027-01-04", "kind": "holiday", "name": "元旦"},
        )
    assert _due(review) == D(2027, 1, 5)
    day = SpecialDay.objects.get(date=D(2027, 1, 4))
    with django_capture_on_commit_callbacks(execute=True):
        _post(admin_client, f"{SPECIAL_DAY}delete/{day.pk}/")
    assert _due(review) == D(2027, 1, 4)


def test_a_holiday_changes_nothing_before_the_commit_nor_a_decided_review(
    admin_client, django_capture_on_commit_callbacks
):
    review = flagged_review()
    with django_capture_on_commit_callbacks(execute=True):
        _post(admin_client, ADD_URL, {"year": "2027", "published_on": "", "note": ""})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _post(
            admin_client,
            SPECIAL_DAY + "add/",
            {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        )
    assert _due(review) == D(2027, 1, 4)  # nothing before the commit
    DepartmentReview.objects.filter(pk=review.pk).update(status="approved")
    for callback in callbacks:
        callback()
    assert _due(review) == D(2027, 1, 4)  # a decided review keeps the deadline it had
