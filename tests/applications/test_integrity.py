"""Integrity rules that hold on every front end: what a department has approved cannot
change behind its back, and the workflow refuses steps the application's state forbids.

Rule chosen: changing anything a department has approved (one of its materials, or the
shared application form) reopens that department's review; it reviews again after the
applicant resubmits. Nothing approved ends up approved unseen.
"""

import pytest

from applications.materials import remove_attachment
from applications.models import Application, DepartmentReview, State
from applications.uploads import UploadRejected
from applications.workflow import (
    WorkflowError,
    decide,
    request_supplement,
    set_items,
    start_review,
)

from .factories import (
    POWER_ITEM,
    ROAD_ITEM,
    TRAFFIC_ITEM,
    attach,
    pdf_upload,
    ready_joint_application,
    submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]  # submitting counts working days

R = DepartmentReview.Status


def refreshed(application) -> Application:
    return Application.objects.get(pk=application.pk)


def review_of(application, code) -> DepartmentReview:
    return application.reviews.get(department__code=code)


@pytest.fixture
def urban_approved_power_asks(operator, reviewers):
    """Joint application: 城管 approved, 供电 asked for a supplement (state 需补正)."""
    application = submit(ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM]))
    start_review(application, user=reviewers["power"])
    request_supplement(application, user=reviewers["power"], extra=["请补充用电容量说明"])
    decide(application, user=reviewers["urban"], approve=True, opinion="准予许可")
    application = refreshed(application)
    assert application.state == State.NEEDS_SUPPLEMENT
    return application


def test_removing_an_approved_departments_material_reopens_its_review(
    urban_approved_power_asks, reviewers
):
    application = urban_approved_power_asks
    permit = application.attachments.get(requirement__code="construction-planning-permit")
    remove_attachment(permit, user=application.applicant.user)
    attach(application, "construction-planning-permit", pdf_upload("换过的许可证.pdf"))

    assert review_of(application, "urban").status == R.NEEDS_SUPPLEMENT
    assert application.events.filter(action="review_reopened", department__code="urban").exists()
    application = submit(application)
    assert review_of(application, "urban").status == R.PENDING
    decide(application, user=reviewers["power"], approve=True)
    # 城管 has not seen the new file: the application is not approved yet.
    assert refreshed(application).state != State.APPROVED
    decide(application, user=reviewers["urban"], approve=True)
    assert refreshed(application).state == State.CONNECTING  # then 装表接电 (issue 15)


def test_changing_the_shared_form_reopens_every_approved_department(urban_approved_power_asks):
    from applications.forms import save_detail
    from applications.models import JointInstallation

    application = urban_approved_power_asks
    detail = application.detail
    data = {
        f.name: getattr(detail, f.attname)
        for f in JointInstallation._meta.concrete_fields
        if f.name not in ("id", "application")
    }
    _, form = save_detail(application, {**data}, user=application.applicant.user)
    assert form.is_valid(), form.errors
    assert review_of(application, "urban").status == R.APPROVED
    _, form = save_detail(
        application, {**data, "road_name": "民权路"}, user=application.applicant.user
    )
    assert form.is_valid(), form.errors
    assert review_of(application, "urban").status == R.NEEDS_SUPPLEMENT


def test_items_cannot_change_after_submission(urban_approved_power_asks):
    with pytest.raises(WorkflowError, match="不能修改办理事项"):
        set_items(urban_approved_power_asks, [POWER_ITEM, TRAFFIC_ITEM], user=None)


def test_decide_checks_the_application_state(operator, reviewers):
    application = submit(ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM]))
    # A review row left open while the application itself is a draft (e.g. data repair).
    Application.objects.filter(pk=application.pk).update(state=State.DRAFT)
    with pytest.raises(WorkflowError, match="不能作出审核结论"):
        decide(refreshed(application), user=reviewers["power"], approve=True)
    assert review_of(application, "power").status == R.PENDING


def test_a_deferred_material_is_refused_once_its_department_decided(operator, reviewers):
    from applications.materials import accepts_late_upload

    application = submit(ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM]))
    receipt = application.requirements().get(code="road-occupation-fee-receipt")
    assert receipt.source == receipt.Source.DEFERRABLE
    assert accepts_late_upload(application, receipt)
    decide(application, user=reviewers["urban"], approve=True)
    assert not accepts_late_upload(refreshed(application), receipt)
    with pytest.raises(UploadRejected):
        attach(refreshed(application), receipt.code, pdf_upload("后补.pdf"))


def test_the_api_follows_the_same_rule(urban_approved_power_asks, reviewers):
    from wagtail.models import APIToken

    from .test_api import ApiClient

    application = urban_approved_power_asks
    _, token = APIToken.create_token(user=application.applicant.user, name="t")
    api = ApiClient(token)
    permit = application.attachments.get(requirement__code="construction-planning-permit")
    response = api.delete(f"/applications/{application.reference}/attachments/{permit.pk}")
    assert response.status_code == 204
    assert review_of(application, "urban").status == R.NEEDS_SUPPLEMENT
