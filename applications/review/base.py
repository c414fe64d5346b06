"""The reviewers' side of the Wagtail admin: 审核工作台, the review page and its files.

Reviewers are members of a Department (供电/城管/公安/住建/省平台); they see the
DepartmentReview rows of their departments and the applications behind them, nothing
else — another department's application is a 404, never a 403. Every state change goes
through `applications.workflow`; every view, download, export and decision is written
to the application's history (Event) and to Wagtail's audit log.
"""

from django.http import Http404
from django.urls import reverse
from wagtail.log_actions import log

from catalogue.reviewers import ReviewerViewOnlyPolicy

from ..access import (
    get_visible_application,
    get_visible_attachment,
    is_reviewer,
    reviewer_departments,
)
from ..models import Application, Attachment, DepartmentReview

URL_NAMESPACE = "review"


# Wagtail log actions (registered with Chinese labels in wagtail_hooks.py).
LOG_ACTIONS = {
    "applications.view": ("查看申请", "查看了申请"),
    "applications.download": ("下载申请材料", "下载了申请材料"),
    "applications.preview": ("预览申请材料", "预览了申请材料"),
    "applications.export": ("导出审核列表", "导出审核列表"),
    "applications.start_review": ("开始审核", "开始审核"),
    "applications.material_verdict": ("审核材料", "审核了一份材料"),
    "applications.supplement": ("要求补正", "发出一次性告知，要求补正"),
    "applications.approve": ("审核通过", "审核通过"),
    "applications.reject": ("审核不通过", "审核不通过"),
}


def url(name, *args):
    return reverse(f"{URL_NAMESPACE}:{name}", args=args)


# --- Who may see what -------------------------------------------------------------


def review_queryset(user):
    """The DepartmentReview rows this user works on (superuser: all)."""
    if not is_reviewer(user):
        return DepartmentReview.objects.none()
    reviews = DepartmentReview.objects.select_related(
        "application",
        "application__applicant",
        "application__region",
        "application__region__parent",
        "department",
    )
    if user.is_superuser:
        return reviews
    return reviews.filter(department__in=reviewer_departments(user))


def get_review_application(user, reference: str) -> Application:
    """The application with this reference if the user reviews it; 404 otherwise."""
    if not is_reviewer(user):
        raise Http404("申请不存在")
    application = get_visible_application(user, reference)
    if (
        not user.is_superuser
        and not application.reviews.filter(department__in=reviewer_departments(user)).exists()
    ):
        raise Http404("申请不存在")
    return application


def get_review_attachment(user, pk: int) -> Attachment:
    if not is_reviewer(user):
        raise Http404("文件不存在")
    attachment = get_visible_attachment(user, pk)
    if (
        not user.is_superuser
        and not attachment.application.reviews.filter(
            department__in=reviewer_departments(user)
        ).exists()
    ):
        raise Http404("文件不存在")
    return attachment


class ReviewPermissionPolicy(ReviewerViewOnlyPolicy):
    """Reviewers (department members) and superusers may view the reviews of their
    departments; nobody adds or edits reviews in the admin — only the workflow does."""

    def user_has_permission_for_instance(self, user, action, instance):
        return action == "view" and review_queryset(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if "view" not in actions:
            return DepartmentReview.objects.none()
        return review_queryset(user)


def audit(request, application, action, **data):
    """One Wagtail audit-log entry for an application."""
    log(instance=application, action=action, user=request.user, data=data or None)
