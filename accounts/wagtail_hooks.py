"""Wagtail admin: 申请人账号 (list, details, unlock) and 登录记录 for platform staff.

Approving a new enterprise account is not done here: registration creates a 账号注册
application, which the 省平台 reviewers decide in 审核工作台 like any other application.
Here staff look accounts up and unlock accounts locked for three months of inactivity.

Who sees what: every reviewer may look accounts up; unlocking and the login records are
for superusers and members of the 省平台 department.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import BooleanColumn, Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton, ListingButton
from wagtail.log_actions import log
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from catalogue.models import ApplicationKind
from catalogue.reviewers import is_reviewer
from cms.crypto import Secret, mask
from regions.choices import county_label

from .hooks import account_review
from .models import Applicant, LoginAttempt

PLATFORM_DEPARTMENT = "platform"


def manages_accounts(user) -> bool:
    """Superusers and 省平台 reviewers unlock accounts and read the login records."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.review_departments.filter(code=PLATFORM_DEPARTMENT).exists()


def visible_applicants(user):
    """Account managers (省平台, superusers) see every applicant; any other reviewer only
    the applicants of applications its departments review (applications, via hooks)."""
    applicants = Applicant.objects.all()
    if manages_accounts(user):
        return applicants
    return applicants.filter(pk__in=account_review().visible_applicants(user))


def _staff_users(condition):
    return get_user_model().objects.filter(condition, is_active=True).distinct()


class ApplicantPermissionPolicy(BasePermissionPolicy):
    """'view' for reviewers, 'unlock' for account managers; nothing is added, edited or
    deleted here (accounts change only through accounts.services and the workflow)."""

    def user_has_permission(self, user, action):
        if action == "view":
            return is_reviewer(user)
        if action == "unlock":
            return manages_accounts(user)
        return False

    def users_with_any_permission(self, actions):
        condition = Q(pk__in=[])
        if "view" in actions:
            condition |= Q(is_superuser=True) | Q(review_departments__isnull=False)
        if "unlock" in actions:
            condition |= Q(is_superuser=True) | Q(review_departments__code=PLATFORM_DEPARTMENT)
        return _staff_users(condition)


class LoginAttemptPermissionPolicy(BasePermissionPolicy):
    def user_has_permission(self, user, action):
        return action == "view" and manages_accounts(user)

    def users_with_any_permission(self, actions):
        if "view" not in actions:
            return get_user_model().objects.none()
        return _staff_users(Q(is_superuser=True) | Q(review_departments__code=PLATFORM_DEPARTMENT))


register_permission_policy(Applicant, ApplicantPermissionPolicy(Applicant), exact_class=True)
register_permission_policy(
    LoginAttempt, LoginAttemptPermissionPolicy(LoginAttempt), exact_class=True
)


def _when(value):
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "—"


# --- 申请人账号 ---------------------------------------------------------------------


class ApplicantIndexView(IndexView):
    page_title = "申请人账号"
    any_permission_required = ["view"]

    def get_base_queryset(self):
        return visible_applicants(self.request.user).select_related(
            "user", "region", "region__parent"
        )

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label="名称",
                sort_key="name",
                get_url=lambda applicant: reverse("applicants:inspect", args=[applicant.pk]),
            ),
            Column("kind", label="用户类型", accessor="get_kind_display", sort_key="kind"),
            Column("credit_code", label="统一社会信用代码", sort_key="credit_code"),
            Column("region", label="注册地", accessor=lambda a: county_label(a.region)),
            StatusTagColumn(
                "status",
                label="状态",
                accessor="get_status_display",
                sort_key="status",
                primary=lambda applicant: applicant.is_active,
            ),
            Column(
                "created_at",
                label="注册时间",
                accessor=lambda a: _when(a.created_at),
                sort_key="created_at",
            ),
            Column(
                "last_login",
                label="最近登录",
                accessor=lambda a: _when(a.user.last_login),
                sort_key="user__last_login",
            ),
        ]

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status == Applicant.Status.LOCKED and manages_accounts(self.request.user):
            buttons.append(
                ListingButton(
                    "解锁",
                    url=reverse("applicants:unlock", args=[instance.pk]),
                    icon_name="lock-open",
                    priority=5,
                )
            )
        return buttons

    def order_queryset(self, queryset):
        return queryset.order_by(self.ordering or "-created_at", "-pk")


class ApplicantInspectView(InspectView):
    page_title = "申请人账号"
    any_permission_required = ["view"]

    EXTRA_LABELS = {
        "username": "登录用户名",
        "last_login": "最近登录",
        "id_number": "身份证号码",
        "registration": "账号注册申请",
    }

    def get_object(self, queryset=None):
        return get_object_or_404(visible_applicants(self.request.user), pk=self.pk)

    def get_field_label(self, field_name, field):
        if field_name in self.EXTRA_LABELS:
            return self.EXTRA_LABELS[field_name]
        return super().get_field_label(field_name, field)

    def get_username_display_value(self):
        return self.object.user.get_username()

    def get_last_login_display_value(self):
        return _when(self.object.user.last_login)

    def get_id_number_display_value(self):
        value = self.object.id_number
        if not value:
            return "—"
        return value.masked if isinstance(value, Secret) else mask(str(value))

    def get_region_display_value(self):
        return self.object.region.full_name

    def get_registration_display_value(self):
        application = (
            self.object.applications.filter(kind=ApplicationKind.ACCOUNT)
            .order_by("-created_at")
            .first()
        )
        if application is None:
            return "无（个人/居民账号无需审核）"
        return f"{application.reference}（{application.get_state_display()}），在“审核工作台”中审核"

    @cached_property
    def header_more_buttons(self):
        return []

    def get_header_buttons(self):
        buttons = list(super().get_header_buttons())
        if self.object.status == Applicant.Status.LOCKED and manages_accounts(self.request.user):
            buttons.append(
                HeaderButton(
                    "解锁账号",
                    url=reverse("applicants:unlock", args=[self.object.pk]),
                    icon_name="lock-open",
                )
            )
        return buttons


class UnlockView(WagtailAdminTemplateMixin, TemplateView):
    """GET asks for confirmation; POST unlocks (the idle clock restarts) and logs it."""

    template_name = "applications/admin/account_unlock.html"
    header_icon = "lock-open"
    page_title = "解锁账号"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.applicant = get_object_or_404(
            Applicant.objects.select_related("user"), pk=kwargs["pk"]
        )

    def dispatch(self, request, *args, **kwargs):
        if not manages_accounts(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.applicant.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("applicants:index"), "label": "申请人账号"},
            {
                "url": reverse("applicants:inspect", args=[self.applicant.pk]),
                "label": self.applicant.name,
            },
            {"url": "", "label": "解锁账号"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["applicant"] = self.applicant
        context["inspect_url"] = reverse("applicants:inspect", args=[self.applicant.pk])
        return context

    def post(self, request, *args, **kwargs):
        applicant = self.applicant
        target = reverse("applicants:inspect", args=[applicant.pk])
        if applicant.status != Applicant.Status.LOCKED:
            messages.error(
                request,
                f"账号“{applicant.name}”当前状态为“{applicant.get_status_display()}”，无需解锁。",
            )
            return redirect(target)
        reason = applicant.status_note
        applicant.unlock()
        log(
            instance=applicant,
            action="accounts.unlock",
            user=request.user,
            data={"reason": reason},
        )
        messages.success(
            request, f"已解锁账号“{applicant.name}”，三个月未登录的计时从现在重新开始。"
        )
        return redirect(target)


class ApplicantViewSet(ModelViewSet):
    model = Applicant
    name = "applicants"
    icon = "user"
    menu_label = "申请人账号"
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ApplicantIndexView
    inspect_view_class = ApplicantInspectView
    inspect_view_fields = [
        "name",
        "kind",
        "credit_code",
        "id_number",
        "contact_name",
        "mobile",
        "region",
        "status",
        "status_note",
        "created_at",
        "reviewed_at",
        "locked_at",
        "username",
        "last_login",
        "registration",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["name", "credit_code", "user__username"]
    search_backend_name = None
    ordering = "-created_at"
    list_per_page = 50

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("unlock/<int:pk>/", UnlockView.as_view(), name="unlock"),
        ]

    def get_permissions_to_register(self):
        return Permission.objects.none()

    def register_admin_url_finder(self):
        pass  # no edit view: audit listings show the name without a link


# --- 登录记录 -----------------------------------------------------------------------


class LoginAttemptIndexView(IndexView):
    page_title = "登录记录"
    any_permission_required = ["view"]

    @cached_property
    def columns(self):
        return [
            Column("username", label="用户名", sort_key="username"),
            Column("ip_address", label="IP 地址"),
            BooleanColumn("succeeded", label="成功", sort_key="succeeded"),
            Column("at", label="时间", accessor=lambda a: _when(a.at), sort_key="at"),
        ]

    def order_queryset(self, queryset):
        return queryset.order_by(self.ordering or "-at", "-pk")


class LoginAttemptViewSet(ModelViewSet):
    model = LoginAttempt
    name = "login-attempts"
    icon = "history"
    menu_label = "登录记录"
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = LoginAttemptIndexView
    list_filter = ["succeeded"]
    search_fields = ["username"]
    search_backend_name = None
    ordering = "-at"
    list_per_page = 100

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]

    def get_permissions_to_register(self):
        return Permission.objects.none()

    def register_admin_url_finder(self):
        pass


class AccountsViewSetGroup(ModelViewSetGroup):
    menu_label = "账号管理"
    menu_icon = "user"
    menu_order = 60
    items = (ApplicantViewSet, LoginAttemptViewSet)


@hooks.register("register_admin_viewset")
def register_accounts_viewsets():
    return AccountsViewSetGroup()


@hooks.register("register_log_actions")
def register_account_log_actions(actions):
    actions.register_action("accounts.unlock", "解锁账号", "解锁了申请人账号")
