"""Admin menu 通知与评价: 统计分析, 好差评, 差评整改, 通知发送记录 and 通知模板."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from applications.access import is_reviewer

from . import admin_views, stats_views
from .admin_views import is_manager
from .models import NotificationTemplate


class ManagerPolicy(BasePermissionPolicy):
    """Only managers edit message templates; templates are never added or deleted here."""

    def user_has_permission(self, user, action):
        return action in ("change", "view") and is_manager(user)

    def users_with_any_permission(self, actions):
        return (
            get_user_model()
            .objects.filter(
                Q(is_superuser=True) | Q(review_departments__code=admin_views.PLATFORM_DEPARTMENT),
                is_active=True,
            )
            .distinct()
        )


register_permission_policy(
    NotificationTemplate, ManagerPolicy(NotificationTemplate), exact_class=True
)


class TemplateViewSet(ModelViewSet):
    model = NotificationTemplate
    name = "notification-templates"
    icon = "doc-full"
    menu_label = "通知模板"
    add_to_admin_menu = False
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ["subject", "body", "sms_text", "enabled"]
    list_display = ["event_label", "subject", "enabled", "updated_at"]

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("edit/<str:pk>/", self.edit_view, name="edit"),
        ]

    def get_permissions_to_register(self):
        return Permission.objects.none()


templates_viewset = TemplateViewSet()


@hooks.register("register_admin_viewset")
def register_template_viewset():
    return templates_viewset


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("statistics/", stats_views.statistics, name="notifications_statistics"),
        path("ratings/", admin_views.ratings, name="notifications_ratings"),
        path("rectifications/", admin_views.rectifications, name="notifications_rectifications"),
        path("rectifications/<int:pk>/", admin_views.rectify, name="notifications_rectify"),
        path("outbox/", admin_views.outbox, name="notifications_outbox"),
    ]


class _Item(MenuItem):
    def __init__(self, label, url_name, icon, check, order):
        super().__init__(label, reverse(url_name), icon_name=icon, order=order)
        self.check = check

    def is_shown(self, request):
        return self.check(request.user)


@hooks.register("register_admin_menu_item")
def register_menu():
    items = [
        _Item("统计分析", "notifications_statistics", "table", is_manager, 100),
        _Item("好差评", "notifications_ratings", "pick", is_reviewer, 200),
        _Item("差评整改", "notifications_rectifications", "warning", is_reviewer, 300),
        _Item("通知发送记录", "notifications_outbox", "mail", is_manager, 400),
        _Item("通知模板", "notification-templates:index", "doc-full", is_manager, 500),
    ]
    return SubmenuMenuItem("通知与评价", Menu(items=items), icon_name="mail", order=70)
