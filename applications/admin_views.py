"""The reviewers' side of the Wagtail admin: 审核工作台, the review page and its files.

Reviewers are members of a Department (供电/城管/公安/住建/省平台); they see the
DepartmentReview rows of their departments and the applications behind them, nothing
else — another department's application is a 404, never a 403. Every state change goes
through `applications.workflow`; every view, download, export and decision is written
to the application's history (Event) and to Wagtail's audit log.
"""

from collections import OrderedDict
from decimal import Decimal

from django.db.models import F, Sum
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from catalogue.models import ApplicationKind, Department
from catalogue.reviewers import ReviewerViewOnlyPolicy
from cms.crypto import Secret, mask
from regions.choices import county_label

from . import files, workflow
from .access import (
    get_visible_application,
    get_visible_attachment,
    is_reviewer,
    reviewer_departments,
)
from .materials import checklist, duplicate_hashes
from .models import Application, Attachment, DepartmentReview, Event, State

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


STATE_LABELS = dict(State.choices)


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
            ]
        )

    def as_spreadsheet(self, queryset, spreadsheet_format):
        reviews = list(queryset)
        applications = list(
            OrderedDict((r.application_id, r.application) for r in reviews).values()
        )
        note = f"导出审核列表（{spreadsheet_format}）"
        user = self.request.user
        Event.objects.bulk_create(
            [
                Event(
                    application=application,
                    actor=user,
                    action="exported",
                    from_state=application.state,
                    to_state=application.state,
                    note=note,
                )
                for application in applications
            ]
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
        return super().as_spreadsheet(reviews, spreadsheet_format)

    def get_heading(self, queryset, field):
        return self.export_headings.get(field, field)


# --- The review page --------------------------------------------------------------


def _display(obj, field):
    value = getattr(obj, field.name)
    if field.name in getattr(type(obj), "SECRET_FIELDS", ()):
        if not value:
            return "—"
        return value.masked if isinstance(value, Secret) else mask(str(value))
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")() or "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "_meta"):
        return str(value)
    return str(value)


def detail_facts(detail) -> list[tuple[str, str]]:
    """(label, text) for every own field of a per-type record; secrets masked."""
    if detail is None:
        return []
    facts = []
    for field in detail._meta.concrete_fields:
        if field.name in ("id", "application"):
            continue
        facts.append((str(field.verbose_name), _display(detail, field)))
    area = getattr(detail, "green_area_m2", None)
    if area is not None:
        facts.append(("占用面积（平方米）", str(area)))
    return facts


def invoice_groups(subsidy) -> list[dict]:
    """Lines grouped per invoice, with whether the used amounts add up to the invoice."""
    groups = OrderedDict()
    for line in subsidy.invoice_lines.select_related("invoice_file"):
        groups.setdefault(line.invoice_key, []).append(line)
    result = []
    for (code, number), lines in groups.items():
        amounts = {line.invoice_amount for line in lines}
        used = sum((line.used_amount for line in lines), Decimal("0"))
        invoice_amount = lines[0].invoice_amount
        result.append(
            {
                "code": code,
                "number": number,
                "lines": lines,
                "invoice_amount": invoice_amount,
                "used_total": used,
                "amounts_consistent": len(amounts) == 1,
                "adds_up": len(amounts) == 1 and used == invoice_amount,
            }
        )
    return result


class ReviewPageMixin(WagtailAdminTemplateMixin):
    header_icon = "tasks"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": url("index"), "label": "审核工作台"},
            {"url": "", "label": self.application.reference},
        ]

    def get_page_title(self):
        return f"{self.application.reference} {self.application.get_kind_display()}"


class ApplicationReviewView(ReviewPageMixin, TemplateView):
    """Everything about one application, and the reviewer's actions on it."""

    template_name = "applications/admin/review.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.application = get_review_application(request.user, kwargs["reference"])

    def get(self, request, *args, **kwargs):
        workflow.record_view(self.application, request.user, "viewed")
        audit(request, self.application, "applications.view")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.application
        user = self.request.user
        my_departments = set(reviewer_departments(user).values_list("pk", flat=True))
        reviews = list(application.reviews.select_related("department", "reviewer"))
        my_reviews = [r for r in reviews if r.department_id in my_departments]
        today = timezone.localdate()
        for review in reviews:
            review.overdue = review.is_overdue(today)

        rows = checklist(application)
        digests = {a.sha256 for row in rows for a in row.attachments}
        in_app = duplicate_hashes(application)
        elsewhere = {}
        for digest, reference in (
            Attachment.objects.filter(sha256__in=digests)
            .exclude(application=application)
            .values_list("sha256", "application__reference")
        ):
            elsewhere.setdefault(digest, set()).add(reference)
        judging = application.state in ("submitted", "under_review", "resubmitted")
        open_departments = {r.department_id for r in my_reviews if r.is_open}
        for row in rows:
            row.department = row.requirement.item.department
            row.can_judge = judging and row.department.pk in open_departments
            for attachment in row.attachments:
                attachment.size_label = filesizeformat(attachment.size)
                attachment.sha_short = attachment.sha256[:12]
                attachment.duplicate_here = attachment.sha256 in in_app
                attachment.seen_elsewhere = len(elsewhere.get(attachment.sha256, ()))
                attachment.download_url = url("download", attachment.pk)
                attachment.preview_url = (
                    url("preview", attachment.pk)
                    if attachment.preview or attachment.is_image
                    else ""
                )
                attachment.verdict_url = url("material", application.reference, attachment.pk)

        detail = application.detail
        context.update(
            {
                "application": application,
                "applicant": application.applicant,
                "region_label": application.region.full_name,
                "items": application.items.select_related("department"),
                "reviews": reviews,
                "my_reviews": my_reviews,
                "facts": detail_facts(detail),
                "detail": detail,
                "checklist": rows,
                "notices": list(application.supplement_notices.all()),
                "events": [
                    (
                        event,
                        event.label,
                        STATE_LABELS.get(event.to_state, event.to_state),
                    )
                    for event in application.events.select_related("actor", "department")
                ],
                "extra": self.extra_context_for(application, detail),
                "urls": {
                    "start": url("start", application.reference),
                    "supplement": url("supplement", application.reference),
                    "decide": url("decide", application.reference),
                },
            }
        )
        return context

    @staticmethod
    def extra_context_for(application, detail) -> dict:
        """The per-type extras a reviewer compares against the form."""
        from .rules import orders_for_year, registered_station_counts

        if detail is None:
            return {}
        kind = application.kind
        if kind == ApplicationKind.OPERATOR_REGISTRATION:
            return {"technicians": list(detail.technicians.select_related("certificate"))}
        if kind == ApplicationKind.CONSTRUCTION_SUBSIDY:
            return {"invoices": invoice_groups(detail)}
        if kind == ApplicationKind.INTERCONNECTION:
            stations, piles = registered_station_counts(application.applicant)
            return {
                "registered": {
                    "stations": stations,
                    "piles": piles,
                    "matches": (stations, piles) == (detail.station_count, detail.pile_count),
                }
            }
        if kind == ApplicationKind.OPERATION_SUBSIDY:
            orders = orders_for_year(application.applicant, detail.year)
            totals = orders.aggregate(energy=Sum("energy_kwh"), amount=Sum("amount"))
            return {
                "orders": {
                    "count": orders.count(),
                    "energy": totals["energy"] or Decimal("0"),
                    "amount": totals["amount"] or Decimal("0"),
                }
            }
        if kind == ApplicationKind.STATION_DOSSIER:
            return {"station": detail.station}
        return {}


# --- Actions (POST) ---------------------------------------------------------------


class ReviewActionView(View):
    """Base for the POST-only actions of the review page; errors become messages."""

    http_method_names = ["post"]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.application = get_review_application(request.user, kwargs["reference"])

    def department(self):
        raw = self.request.POST.get("department", "")
        if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
            return None
        return Department.objects.filter(pk=int(raw)).first()

    def post(self, request, *args, **kwargs):
        try:
            self.perform()
        except workflow.WorkflowError as exc:
            for problem in exc.problems:
                messages.error(request, problem)
        return redirect(url("application", self.application.reference) + self.anchor)

    anchor = ""

    def perform(self):  # pragma: no cover - abstract
        raise NotImplementedError


class StartReviewView(ReviewActionView):
    anchor = "#reviews"

    def perform(self):
        review = workflow.start_review(
            self.application, user=self.request.user, department=self.department()
        )
        audit(
            self.request,
            self.application,
            "applications.start_review",
            department=review.department.name,
        )
        messages.success(self.request, f"已开始审核（{review.department.name}）。")


class MaterialVerdictView(ReviewActionView):
    anchor = "#materials"

    def perform(self):
        try:
            attachment = self.application.attachments.select_related(
                "requirement__item__department"
            ).get(pk=self.kwargs["pk"])
        except Attachment.DoesNotExist as exc:
            raise Http404("文件不存在") from exc
        department = attachment.requirement.item.department
        user = self.request.user
        if (
            not user.is_superuser
            and not reviewer_departments(user).filter(pk=department.pk).exists()
        ):
            raise workflow.WorkflowError(
                f"“{attachment.requirement.name}”由{department.name}审核，您不能判定这份材料。"
            )
        verdict = self.request.POST.get("verdict")
        if verdict not in ("accept", "reject"):
            raise workflow.WorkflowError("请选择“合格”或“不合格”。")
        accepted = verdict == "accept"
        note = self.request.POST.get("note", "")
        workflow.judge_material(attachment, user=user, accepted=accepted, note=note)
        audit(
            self.request,
            self.application,
            "applications.material_verdict",
            material=attachment.requirement.name,
            file=attachment.original_name,
            verdict="accepted" if accepted else "rejected",
            note=note.strip(),
        )
        label = "合格" if accepted else "不合格"
        messages.success(self.request, f"已将“{attachment.original_name}”判定为{label}。")


class SupplementView(ReviewActionView):
    anchor = "#notices"

    def perform(self):
        extra = [line.strip() for line in self.request.POST.get("extra", "").splitlines()]
        notice = workflow.request_supplement(
            self.application,
            user=self.request.user,
            extra=[line for line in extra if line],
            message=self.request.POST.get("message", ""),
            department=self.department(),
        )
        audit(
            self.request,
            self.application,
            "applications.supplement",
            items=[item["problem"] for item in notice.items],
        )
        messages.success(
            self.request,
            f"已发出一次性告知，共 {len(notice.items)} 项需补正；申请人补正后重新提交，期限重新计算。",
        )


class DecideView(ReviewActionView):
    anchor = "#reviews"

    def perform(self):
        decision = self.request.POST.get("decision")
        if decision not in ("approve", "reject"):
            raise workflow.WorkflowError("请选择“通过”或“不通过”。")
        approve = decision == "approve"
        opinion = self.request.POST.get("opinion", "")
        review = workflow.decide(
            self.application,
            user=self.request.user,
            approve=approve,
            opinion=opinion,
            department=self.department(),
        )
        audit(
            self.request,
            self.application,
            "applications.approve" if approve else "applications.reject",
            department=review.department.name,
            opinion=opinion.strip(),
        )
        self.application.refresh_from_db()
        result = "通过" if approve else "不通过"
        messages.success(
            self.request,
            f"{review.department.name}审核结论：{result}。申请当前状态：{self.application.get_state_display()}。",
        )


# --- Files ------------------------------------------------------------------------


def attachment_preview(request, pk):
    """The JPEG preview (image or PDF first page) of one attachment, for the review page;
    audited like a download."""
    attachment = get_review_attachment(request.user, pk)
    response = files.serve_preview(attachment)
    _audit_file(request, attachment, "previewed", "applications.preview")
    return response


def attachment_download(request, pk):
    attachment = get_review_attachment(request.user, pk)
    response = files.serve_attachment(attachment)
    _audit_file(request, attachment, "downloaded", "applications.download")
    return response


def _audit_file(request, attachment, what, action):
    workflow.record_view(
        attachment.application,
        request.user,
        what,
        f"{attachment.requirement.name}：{attachment.original_name}",
    )
    audit(
        request,
        attachment.application,
        action,
        file=attachment.original_name,
        sha256=attachment.sha256,
    )
