"""Wagtail admin: 审核工作台 for reviewers and the review page of each application.

URLs (all under /admin/review/):
  ""                              the list of the user's department reviews (filters, export)
  "<reference>/"                  the review page of one application
  "<reference>/start/", "supplement/", "decide/", "material/<pk>/"   POST actions
  "file/<pk>/preview/", "file/<pk>/download/"                     the application's files
"""

from django.contrib.auth.models import Permission
from django.urls import path, re_path
from wagtail import hooks
from wagtail.admin.admin_url_finder import ModelAdminURLFinder, register_admin_url_finder
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from .access import is_reviewer, reviewer_departments
from .models import Application, DepartmentReview
from .review import actions, files
from .review.base import LOG_ACTIONS, URL_NAMESPACE, ReviewPermissionPolicy, url
from .review.detail import ApplicationReviewView
from .review.filters import ReviewFilterSet
from .review.index import ReviewIndexView

# Registered before any view asks for DepartmentReview's policy (else Wagtail makes a
# fallback ModelPermissionPolicy and refuses a later registration).
register_permission_policy(
    DepartmentReview, ReviewPermissionPolicy(DepartmentReview), exact_class=True
)

REFERENCE = r"(?P<reference>SQ\d{8,16})"


class ApplicationURLFinder(ModelAdminURLFinder):
    """Audit-log listings link an application to its review page (if the user may see it)."""

    def construct_edit_url(self, instance):
        return url("application", instance.reference)

    def get_edit_url(self, instance):
        if self.user is not None:
            if not is_reviewer(self.user):
                return None
            reviews = instance.reviews.all()
            if (
                not self.user.is_superuser
                and not reviews.filter(department__in=reviewer_departments(self.user)).exists()
            ):
                return None
        return self.construct_edit_url(instance)


class ReviewURLFinder(ApplicationURLFinder):
    def get_edit_url(self, instance):
        return super().get_edit_url(instance.application)


class ReviewViewSet(ModelViewSet):
    model = DepartmentReview
    name = URL_NAMESPACE
    icon = "tasks"
    menu_label = "审核工作台"
    menu_name = "review"
    menu_order = 50  # first in the menu: it is where reviewers work
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = ReviewIndexView
    filterset_class = ReviewFilterSet
    search_fields = [
        "application__reference",
        "application__applicant__name",
        "application__applicant__credit_code",
    ]
    search_backend_name = None  # plain ORM search on the joined fields
    ordering = "due_date"
    list_per_page = 50
    list_export = ReviewIndexView.list_export
    export_headings = ReviewIndexView.export_headings

    @property
    def export_filename(self):
        return "审核列表"

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("file/<int:pk>/preview/", files.attachment_preview, name="preview"),
            path("file/<int:pk>/download/", files.attachment_download, name="download"),
            re_path(rf"^{REFERENCE}/$", ApplicationReviewView.as_view(), name="application"),
            re_path(rf"^{REFERENCE}/start/$", actions.StartReviewView.as_view(), name="start"),
            re_path(
                rf"^{REFERENCE}/supplement/$", actions.SupplementView.as_view(), name="supplement"
            ),
            re_path(rf"^{REFERENCE}/decide/$", actions.DecideView.as_view(), name="decide"),
            re_path(
                rf"^{REFERENCE}/material/(?P<pk>\d+)/$",
                actions.MaterialVerdictView.as_view(),
                name="material",
            ),
        ]

    def get_permissions_to_register(self):
        # Access follows department membership, not Django permissions.
        return Permission.objects.none()

    def register_admin_url_finder(self):
        register_admin_url_finder(Application, ApplicationURLFinder)
        register_admin_url_finder(DepartmentReview, ReviewURLFinder)


@hooks.register("register_admin_viewset")
def register_review_viewset():
    return ReviewViewSet()


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    for action, (label, message) in LOG_ACTIONS.items():
        actions.register_action(action, label, message)
