"""The review page of one application: detail, materials, reviews, notices, history."""

from collections import OrderedDict
from decimal import Decimal

from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from catalogue.models import ApplicationKind

from .. import hooks, workflow
from ..access import (
    reviewer_departments,
)
from ..display import detail_facts
from ..materials import checklist, duplicate_hashes
from ..models import Attachment, State
from ..rules import orders_for_year, registered_station_counts
from .base import audit, get_review_application, url

STATE_LABELS = dict(State.choices)


# --- The review page --------------------------------------------------------------


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
        reviews, my_reviews = _reviews(application, self.request.user)
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
                "steps": hooks.steps(application),
                "extra_links": hooks.portal_links(self.request.user, application),
                "facts": detail_facts(detail),
                "detail": detail,
                "checklist": checklist_rows(application, my_reviews),
                "notices": list(application.supplement_notices.all()),
                "events": _events(application),
                "extra": self.extra_context_for(application, detail),
                "summaries": hooks.summaries(application),
                "urls": {
                    name: url(name, application.reference)
                    for name in ("start", "supplement", "decide")
                },
            }
        )
        return context

    @staticmethod
    def extra_context_for(application, detail) -> dict:
        """The per-type extras a reviewer compares against the form."""
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


def _reviews(application, user):
    """All reviews (with `overdue` set) and those of the user's departments."""
    my_departments = set(reviewer_departments(user).values_list("pk", flat=True))
    reviews = list(application.reviews.select_related("department", "reviewer"))
    today = timezone.localdate()
    for review in reviews:
        review.overdue = review.is_overdue(today)
    return reviews, [r for r in reviews if r.department_id in my_departments]


def _events(application):
    return [
        (event, event.label, STATE_LABELS.get(event.to_state, event.to_state))
        for event in application.events.select_related("actor", "department")
    ]


def _seen_elsewhere(application, digests) -> dict[str, set]:
    """sha256 → references of other applications holding the same file."""
    elsewhere = {}
    for digest, reference in (
        Attachment.objects.filter(sha256__in=digests)
        .exclude(application=application)
        .values_list("sha256", "application__reference")
    ):
        elsewhere.setdefault(digest, set()).add(reference)
    return elsewhere


def checklist_rows(application, my_reviews):
    """The checklist with what the review page shows per row and file: who judges it,
    duplicates here and elsewhere, and the file and verdict URLs."""
    rows = checklist(application)
    in_app = duplicate_hashes(application)
    elsewhere = _seen_elsewhere(application, {a.sha256 for row in rows for a in row.attachments})
    judging = application.state in workflow.IN_REVIEW
    open_departments = {r.department_id for r in my_reviews if r.is_open}
    for row in rows:
        row.department = row.requirement.item.department
        row.can_judge = judging and row.department.pk in open_departments
        for attachment in row.attachments:
            _annotate(attachment, application.reference, in_app, elsewhere)
    return rows


def _annotate(attachment, reference, in_app, elsewhere) -> None:
    attachment.size_label = filesizeformat(attachment.size)
    attachment.sha_short = attachment.sha256[:12]
    attachment.duplicate_here = attachment.sha256 in in_app
    attachment.seen_elsewhere = len(elsewhere.get(attachment.sha256, ()))
    attachment.download_url = url("download", attachment.pk)
    attachment.preview_url = (
        url("preview", attachment.pk) if attachment.preview or attachment.is_image else ""
    )
    attachment.verdict_url = url("material", reference, attachment.pk)
