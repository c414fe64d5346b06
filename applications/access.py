"""Who may see which application. Every view, API route and download goes through here.

Applicants see their own applications; reviewers see the applications that have a
review in one of their departments; superusers see everything. Anything else is a 404
(never a 403), so nobody can learn that someone else's application exists.
"""

from django.db.models import QuerySet
from django.http import Http404

from catalogue.reviewers import is_reviewer, reviewer_departments

from .models import Application, Attachment

__all__ = ["is_reviewer", "reviewer_departments", "visible_applications"]


def visible_applications(user) -> QuerySet[Application]:
    if not user.is_authenticated:
        return Application.objects.none()
    if user.is_superuser:
        return Application.objects.all()
    departments = list(user.review_departments.values_list("pk", flat=True))
    applicant = getattr(user, "applicant", None)
    query = Application.objects.none()
    if departments:
        query = Application.objects.filter(reviews__department__in=departments).exclude(
            state="draft"
        )
    if applicant is not None:
        own = Application.objects.filter(applicant=applicant)
        query = own if not departments else (query | own)
    return query.distinct()


def own_applications(user) -> QuerySet[Application]:
    applicant = getattr(user, "applicant", None) if user.is_authenticated else None
    if applicant is None:
        return Application.objects.none()
    return Application.objects.filter(applicant=applicant)


def get_own_application(user, reference: str) -> Application:
    try:
        return own_applications(user).get(reference=reference)
    except Application.DoesNotExist as exc:
        raise Http404("申请不存在") from exc


def get_visible_application(user, reference: str) -> Application:
    try:
        return visible_applications(user).get(reference=reference)
    except Application.DoesNotExist as exc:
        raise Http404("申请不存在") from exc


def get_visible_attachment(user, pk: int) -> Attachment:
    try:
        return Attachment.objects.select_related("application", "requirement").get(
            pk=pk, application__in=visible_applications(user)
        )
    except Attachment.DoesNotExist as exc:
        raise Http404("文件不存在") from exc


def can_review(user, application: Application, department=None) -> bool:
    departments = reviewer_departments(user)
    reviews = application.reviews.filter(department__in=departments)
    if department is not None:
        reviews = reviews.filter(department=department)
    return reviews.exists()
