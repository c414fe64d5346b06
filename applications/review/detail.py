"""The review page of one application: detail, materials, reviews, notices, history."""

from collections import OrderedDict
from decimal import Decimal

from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from catalogue.models import ApplicationKind
from cms.crypto import Secret, mask

from .. import extensions, workflow
from ..access import (
    reviewer_departments,
)
from ..materials import checklist, duplicate_hashes
from ..models import Attachment, State
from .base import audit, get_review_application, url

STATE_LABELS = dict(State.choices)


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
                # 综合窗口预审 and 装表接电 (issue 15), from the apps that run them.
                "steps": extensions.steps(application),
                "extra_links": extensions.portal_links(self.request.user, application),
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
        from ..rules import orders_for_year, registered_station_counts

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
