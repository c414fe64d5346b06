"""Who may open a case's documents: its applicant, the reviewers of its departments and
the staff of the 综合窗口 of its county (window.intake); anybody else gets a 404, as for every other
piece of an application."""

from django.http import Http404

from applications.access import can_review
from applications.models import Application, State
from window.intake import serves


def is_own(user, application) -> bool:
    applicant = getattr(user, "applicant", None) if user.is_authenticated else None
    return applicant is not None and application.applicant_id == applicant.pk


def is_staff_for(user, application) -> bool:
    """Staff who may see (and hand over) the case's documents."""
    if not user.is_authenticated or not user.is_active:
        return False
    at_window = serves(user, application)
    if application.state == State.DRAFT and not at_window:
        return False
    return at_window or can_review(user, application)


def get_document_application(user, reference: str) -> Application:
    application = (
        Application.objects.select_related("applicant", "region")
        .filter(reference=reference)
        .first()
    )
    if application is None or not (is_own(user, application) or is_staff_for(user, application)):
        raise Http404("申请不存在")
    return application
