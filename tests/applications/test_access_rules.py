"""Who may see which application (applications/access.py): the cases a planted bug in
access.py slipped past — anonymous users, superusers, a draft that still has a review
row, an application reviewed by two of one reviewer's departments, and the Chinese
message the HTTP API returns for a 404."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from applications.access import (
    can_review,
    get_own_application,
    get_visible_application,
    get_visible_attachment,
    own_applications,
    visible_applications,
)
from applications.models import Application, DepartmentReview

from .factories import (
    POWER_ITEM,
    ROAD_ITEM,
    TRAFFIC_ITEM,
    make_reviewer,
    make_user,
    ready_joint_application,
    submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]


@pytest.fixture
def submitted(operator):
    return submit(ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM]))


def test_an_anonymous_visitor_sees_nothing_and_gets_the_404_message(submitted):
    anonymous = AnonymousUser()
    assert Application.objects.filter(pk=submitted.pk).exists()
    assert not visible_applications(anonymous).exists()
    assert not own_applications(anonymous).exists()
    with pytest.raises(Http404, match=r"^申请不存在$"):
        get_visible_application(anonymous, submitted.reference)
    with pytest.raises(Http404, match=r"^申请不存在$"):
        get_own_application(anonymous, submitted.reference)
    with pytest.raises(Http404, match=r"^文件不存在$"):
        get_visible_attachment(anonymous, submitted.attachments.first().pk)


def test_a_staff_user_who_is_no_applicant_has_no_own_applications(submitted, reviewers):
    assert not own_applications(reviewers["power"]).exists()
    with pytest.raises(Http404, match=r"^申请不存在$"):
        get_own_application(reviewers["power"], submitted.reference)
    # ... though the reviewer sees it among the applications to review.
    assert get_visible_application(reviewers["power"], submitted.reference) == submitted


def test_a_superuser_sees_every_application_even_others_drafts(operator, submitted):
    draft = ready_joint_application(operator, [POWER_ITEM, TRAFFIC_ITEM])
    superuser = make_user(is_superuser=True, is_staff=True)
    assert set(visible_applications(superuser)) == {submitted, draft}
    assert get_visible_application(superuser, draft.reference) == draft
    attachment = draft.attachments.first()
    assert get_visible_attachment(superuser, attachment.pk) == attachment


def test_a_draft_is_hidden_from_reviewers_even_with_a_review_row(operator, reviewers, catalogue):
    draft = ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM])
    submitted = submit(ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM]))
    review = submitted.reviews.get(department=catalogue.departments["power"])
    # A review row left on a draft (withdrawal deletes them; this is the safety net).
    DepartmentReview.objects.create(
        application=draft,
        department=catalogue.departments["power"],
        received_at=review.received_at,
    )
    assert list(visible_applications(reviewers["power"])) == [submitted]
    with pytest.raises(Http404):
        get_visible_application(reviewers["power"], draft.reference)


def test_an_application_reviewed_by_two_of_ones_departments_is_listed_once(submitted):
    both = make_reviewer("power", "urban")
    assert submitted.reviews.count() == 2
    assert list(visible_applications(both)) == [submitted]
    assert get_visible_application(both, submitted.reference) == submitted
    assert can_review(both, submitted)


def test_can_review_only_in_a_department_that_reviews_it(submitted, catalogue, reviewers):
    power, urban, police = (catalogue.departments[c] for c in ("power", "urban", "police"))
    both = make_reviewer("power", "police")
    assert can_review(both, submitted, power)
    assert not can_review(both, submitted, urban)  # reviews it, but not one of hers
    assert not can_review(both, submitted, police)  # hers, but it does not review it
    assert not can_review(reviewers["police"], submitted)
