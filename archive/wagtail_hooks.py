"""Wagtail admin: 识别进度, the progress of text recognition for staff.

Every archive entry with its status, attempts, method and failure reason; a detail
page with the recognised text and fields; and 重新识别 (start again with fresh
attempts). Superusers see every entry, imported paper archives included; reviewers
(department members) see the entries of the applications they may see
(``applications.access.visible_applications``), and no imported entries.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat, truncatechars
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton, ListingButton
from wagtail.log_actions import log
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from applications.access import is_reviewer, visible_applications

from .mismatches import entry_panel_context
from .models import ArchiveEntry
from .pipeline import METHOD_LABELS, reset_for_retry
from .tasks import enqueue_extraction

URL_NAMESPACE = "archive_entries"
STUCK_AFTER = timedelta(minutes=30)  # a "running" entry older than this may be restarted


def entry_queryset(user):
    """The entries this user may see (superuser: all, imported ones included)."""
    if not user.is_authenticated or not is_reviewer(user):
        return ArchiveEntry.objects.none()
    entries = ArchiveEntry.objects.select_related(
        "applicant", "attachment", "attachment__application"
    )
    if user.is_superuser:
        return entries
    return entries.filter(attachment__application__in=visible_applications(user))


def get_entry(user, pk) -> ArchiveEntry:
    try:
        return entry_queryset(user).get(pk=pk)
    except (ArchiveEntry.DoesNotExist, ValueError) as exc:
        raise Http404("档案材料不存在") from exc


def can_restart(entry: ArchiveEntry) -> bool:
    if entry.status != ArchiveEntry.Status.RUNNING:
        return True
    return entry.started_at is None or timezone.now() - entry.started_at > STUCK_AFTER


class ArchiveEntryPermissionPolicy(BasePermissionPolicy):
    """'view' and 'retry' for reviewers and superusers, limited to the entries they may
    see; entries are never added, edited or deleted here."""

    actions = ("view", "retry")

    def user_has_permission(self, user, action):
        return action in self.actions and is_reviewer(user)

    def user_has_any_permission(self, user, actions):
        return any(a in self.actions for a in actions) and is_reviewer(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if not any(a in self.actions for a in actions):
            return users.none()
        return users.filter(Q(is_superuser=True) | Q(review_departments__isnull=False)).distinct()

    def user_has_permission_for_instance(self, user, action, instance):
        return action in self.actions and entry_queryset(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if not any(a in self.actions for a in actions):
            return ArchiveEntry.objects.none()
        return entry_queryset(user)


register_permission_policy(
    ArchiveEntry, ArchiveEntryPermissionPolicy(ArchiveEntry), exact_class=True
)


def _when(value):
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "—"


def _reference(entry):
    if entry.attachment_id:
        return entry.attachment.application.reference
    return "导入档案"


def _inspect_url(entry):
    return reverse(f"{URL_NAMESPACE}:inspect", args=[entry.pk])


def _retry_url(entry):
    return reverse(f"{URL_NAMESPACE}:retry", args=[entry.pk])


class EntryIndexView(IndexView):
    page_title = "识别进度"
    header_icon = "doc-full"
    any_permission_required = ["view"]

    def get_base_queryset(self):
        return entry_queryset(self.request.user)

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "original_name",
                label="文件名",
                sort_key="original_name",
                get_url=_inspect_url,
            ),
            Column("kind", label="类别", accessor="get_kind_display", sort_key="kind"),
            Column("reference", label="申请编号", accessor=_reference),
            Column(
                "applicant",
                label="申请人",
                accessor=lambda e: e.applicant.name if e.applicant_id else "—",
            ),
            StatusTagColumn(
                "status",
                label="识别状态",
                accessor="get_status_display",
                sort_key="status",
                primary=lambda e: e.status == ArchiveEntry.Status.DONE,
            ),
            Column("attempts", label="尝试次数", sort_key="attempts"),
            Column(
                "method",
                label="识别方式",
                accessor=lambda e: METHOD_LABELS.get(e.method, e.method) or "—",
            ),
            Column(
                "finished_at",
                label="完成时间",
                accessor=lambda e: _when(e.finished_at),
                sort_key="finished_at",
            ),
            Column(
                "error",
                label="失败原因",
                accessor=lambda e: truncatechars(e.error, 60) if e.error else "",
            ),
        ]

    def get_list_more_buttons(self, instance):
        buttons = [
            ListingButton("查看", url=_inspect_url(instance), icon_name="doc-full", priority=1)
        ]
        if can_restart(instance):
            buttons.append(
                ListingButton("重新识别", url=_retry_url(instance), icon_name="rotate", priority=5)
            )
        return buttons

    def order_queryset(self, queryset):
        return queryset.order_by(self.ordering or "-created_at", "-pk")


class EntryInspectView(InspectView):
    page_title = "识别结果"
    any_permission_required = ["view"]
    template_name = "archive/admin/entry_inspect.html"

    EXTRA_LABELS = {
        "reference": "申请编号",
        "material": "材料",
        "pages_label": "页数",
        "text_length": "识别文字",
    }

    def get_object(self, queryset=None):
        return get_entry(self.request.user, self.pk)

    def get_field_label(self, field_name, field):
        if field_name in self.EXTRA_LABELS:
            return self.EXTRA_LABELS[field_name]
        return super().get_field_label(field_name, field)

    def get_reference_display_value(self):
        return _reference(self.object)

    def get_material_display_value(self):
        attachment = self.object.attachment
        return attachment.requirement.name if attachment else "—"

    def get_applicant_display_value(self):
        applicant = self.object.applicant
        if applicant is None:
            return "—"
        code = f"（{applicant.credit_code}）" if applicant.credit_code else ""
        return f"{applicant.name}{code}"

    def get_size_display_value(self):
        return filesizeformat(self.object.size)

    def get_method_display_value(self):
        return METHOD_LABELS.get(self.object.method, self.object.method) or "—"

    def get_pages_label_display_value(self):
        entry = self.object
        if not entry.pages:
            return "—"
        return f"{entry.pages} 页（其中 OCR {entry.ocr_pages} 页）"

    def get_text_length_display_value(self):
        return f"{len(self.object.text)} 字" if self.object.text else "—"

    def get_source_path_display_value(self):
        return self.object.source_path or "—"

    def get_error_display_value(self):
        return self.object.error or "—"

    def get_created_at_display_value(self):
        return _when(self.object.created_at)

    def get_started_at_display_value(self):
        return _when(self.object.started_at)

    def get_finished_at_display_value(self):
        return _when(self.object.finished_at)

    @cached_property
    def header_more_buttons(self):
        return []

    def get_header_buttons(self):
        buttons = list(super().get_header_buttons())
        buttons.append(
            HeaderButton(
                "查看原件",
                url=reverse("archive_search:file", args=[self.object.pk]),
                icon_name="doc-full",
                attrs={"target": "_blank", "rel": "noopener"},
            )
        )
        if can_restart(self.object):
            buttons.append(
                HeaderButton("重新识别", url=_retry_url(self.object), icon_name="rotate")
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        context["panel"] = entry_panel_context(entry)
        context["qr_payloads"] = entry.qr_payloads
        return context


class RetryView(WagtailAdminTemplateMixin, TemplateView):
    """GET asks for confirmation; POST resets the attempts and queues the entry."""

    template_name = "archive/admin/retry_confirm.html"
    header_icon = "rotate"
    page_title = "重新识别"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.entry = get_entry(request.user, kwargs["pk"])

    def get_page_subtitle(self):
        return self.entry.original_name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{URL_NAMESPACE}:index"), "label": "识别进度"},
            {"url": _inspect_url(self.entry), "label": self.entry.original_name},
            {"url": "", "label": "重新识别"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entry"] = self.entry
        context["inspect_url"] = _inspect_url(self.entry)
        context["can_restart"] = can_restart(self.entry)
        return context

    def post(self, request, *args, **kwargs):
        entry = self.entry
        target = _inspect_url(entry)
        if not can_restart(entry):
            messages.error(request, f"“{entry.original_name}”正在识别中，请稍后刷新查看结果。")
            return redirect(target)
        previous = entry.get_status_display()
        reset_for_retry(entry)
        enqueue_extraction(entry)
        log(
            instance=entry,
            action="archive.retry",
            user=request.user,
            data={"previous_status": previous},
        )
        messages.success(
            request, f"已将“{entry.original_name}”重新加入识别队列，稍后刷新查看结果。"
        )
        return redirect(target)


class ArchiveEntryViewSet(ModelViewSet):
    model = ArchiveEntry
    name = URL_NAMESPACE
    icon = "doc-full"
    menu_label = "识别进度"
    menu_name = "archive-progress"
    menu_order = 55
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = EntryIndexView
    inspect_view_class = EntryInspectView
    inspect_view_fields = [
        "original_name",
        "kind",
        "reference",
        "material",
        "applicant",
        "format",
        "size",
        "sha256",
        "source_path",
        "status",
        "attempts",
        "method",
        "pages_label",
        "text_length",
        "error",
        "created_at",
        "started_at",
        "finished_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = [
        "original_name",
        "attachment__application__reference",
        "applicant__name",
        "applicant__credit_code",
    ]
    search_backend_name = None  # plain ORM search on the joined fields
    ordering = "-created_at"
    list_per_page = 50

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("<int:pk>/retry/", RetryView.as_view(), name="retry"),
        ]

    def get_permissions_to_register(self):
        # Access follows department membership, not Django permissions.
        return Permission.objects.none()

    def register_admin_url_finder(self):
        pass  # no edit view


@hooks.register("register_admin_viewset")
def register_archive_viewset():
    return ArchiveEntryViewSet()


@hooks.register("register_log_actions")
def register_archive_log_actions(actions):
    actions.register_action("archive.retry", "重新识别", "重新识别档案材料")
    actions.register_action("archive.view_file", "查看原件", "查看档案材料原件")
