"""审核工作台: the list of the user's department reviews, with filters and export."""

from collections import OrderedDict

from django.db.models import F
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.log_actions import log

from regions.choices import county_label

from .. import hooks, workflow
from .base import review_queryset, url

# --- 审核工作台 (list) ----------------------------------------------------------------


def _local(value):
    return timezone.localtime(value) if value else None


class DeadlineColumn(Column):
    cell_template_name = "applications/admin/deadline_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["review"] = instance
        context["overdue"] = instance.is_overdue(parent_context.get("today"))
        return context


class ReviewIndexView(IndexView):
    page_title = "审核工作台"
    template_name = "applications/admin/review_index.html"  # + the missing-calendar warning
    any_permission_required = ["view"]
    header_icon = "tasks"

    export_headings = OrderedDict(
        [
            ("reference", "申请编号"),
            ("kind", "申请类型"),
            ("title", "申请名称"),
            ("applicant", "申请人"),
            ("credit_code", "统一社会信用代码"),
            ("region", "地区"),
            ("department", "部门"),
            ("status", "审核状态"),
            ("received_at", "收件时间"),
            ("due_date", "办理期限"),
            ("overdue", "是否超期"),
            ("calendar_missing_year", "日历未覆盖年度"),
            ("state", "申请状态"),
            ("steps", "办理环节"),
        ]
    )
    list_export = list(export_headings)

    def get_base_queryset(self):
        return review_queryset(self.request.user)

    @cached_property
    def today(self):
        return timezone.localdate()

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "reference",
                label="申请编号",
                accessor="application.reference",
                sort_key="application__reference",
                get_url=lambda review: url("application", review.application.reference),
            ),
            Column(
                "kind",
                label="申请类型",
                accessor="application.get_kind_display",
                sort_key="application__kind",
            ),
            Column("applicant", label="申请人", accessor="application.applicant.name"),
            Column(
                "region",
                label="地区",
                accessor=lambda review: county_label(review.application.region),
            ),
            Column("department", label="部门", accessor="department.name", sort_key="department"),
            StatusTagColumn(
                "status",
                label="审核状态",
                accessor="get_status_display",
                sort_key="status",
                primary=lambda review: review.is_open,
            ),
            Column(
                "received_at",
                label="收件时间",
                accessor=lambda review: f"{_local(review.received_at):%Y-%m-%d %H:%M}",
                sort_key="received_at",
            ),
            DeadlineColumn("due_date", label="办理期限", sort_key="due_date"),
            Column(
                "state",
                label="申请状态",
                accessor="application.get_state_display",
                sort_key="application__state",
            ),
            # 综合窗口预审 and 装表接电 with their time limits (issue 15).
            Column(
                "steps",
                label="办理环节",
                accessor=lambda review: hooks.step_summary(review.application) or "—",
            ),
        ]

    def order_queryset(self, queryset):
        ordering = self.ordering or "due_date"
        if ordering in ("due_date", "-due_date"):
            due = F("due_date")
            first = (
                due.asc(nulls_last=True) if ordering == "due_date" else due.desc(nulls_last=True)
            )
            return queryset.order_by(first, "received_at", "pk")
        return queryset.order_by(ordering, "pk")

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["today"] = self.today
        return context

    # -- export ------------------------------------------------------------------

    def get_filename(self):
        return f"审核列表-{timezone.localdate():%Y%m%d}"

    def to_row_dict(self, review):
        application = review.application
        received = _local(review.received_at)
        return OrderedDict(
            [
                ("reference", application.reference),
                ("kind", application.get_kind_display()),
                ("title", application.title),
                ("applicant", application.applicant.name),
                ("credit_code", application.applicant.credit_code),
                ("region", county_label(application.region)),
                ("department", review.department.name),
                ("status", review.get_status_display()),
                ("received_at", received.replace(tzinfo=None) if received else None),
                ("due_date", review.due_date),
                ("overdue", "已超期" if review.is_overdue(self.today) else ""),
                ("calendar_missing_year", review.calendar_missing_year or ""),
                ("state", application.get_state_display()),
                ("steps", hooks.step_summary(application)),
                *(
                    (key, values.get(application.pk, ""))
                    for key, values in getattr(self, "_hook_values", {}).items()
                ),
            ]
        )

    def as_spreadsheet(self, queryset, spreadsheet_format):
        reviews = list(queryset)
        applications = list(
            OrderedDict((r.application_id, r.application) for r in reviews).values()
        )
        user = self.request.user
        workflow.record_views(
            applications, user, "exported", f"导出审核列表（{spreadsheet_format}）"
        )
        log(
            instance=user,
            action="applications.export",
            user=user,
            title="导出审核列表",
            data={
                "format": spreadsheet_format,
                "rows": len(reviews),
                "references": [a.reference for a in applications][:1000],
                "query": self.request.GET.urlencode(),
            },
        )
        # Columns registered by apps above this one (e.g. 补贴金额), filled in one query each.
        ids = [a.pk for a in applications]
        self._hook_values = {key: values(ids) for key, _, values in hooks.EXPORT_COLUMNS}
        extra = [(key, heading) for key, heading, _ in hooks.EXPORT_COLUMNS]
        self.export_headings = OrderedDict([*self.export_headings.items(), *extra])
        self.list_export = [*self.list_export, *(key for key, _ in extra)]
        return super().as_spreadsheet(reviews, spreadsheet_format)

    def get_heading(self, queryset, field):
        return self.export_headings.get(field, field)
