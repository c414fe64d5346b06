"""政策汇编: the policy library. The documents and their metadata are in `policy.py`;
this module adds the index page, whose filters and paging are `listing.py`."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from cms import cache as shared
from cms.pages import CachedRestrictionsMixin

from .listing import policy_listing
from .policy import (
    IssuingBody,
    PolicyIssuer,
    PolicyPage,
    PolicyTopic,
    normalize_document_number,
    validate_document_number,
)

__all__ = [
    "IssuingBody",
    "PolicyIndexPage",
    "PolicyIssuer",
    "PolicyPage",
    "PolicyTopic",
    "normalize_document_number",
    "validate_document_number",
]


class PolicyIndexPage(CachedRestrictionsMixin, Page):
    """政策汇编 index: filters by year, issuing body, region, validity and topic."""

    intro = models.TextField("导语", blank=True)
    per_page = models.PositiveSmallIntegerField("每页条数", default=15)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("per_page")]
    subpage_types = ["policies.PolicyPage"]
    parent_page_types = ["home.HomePage"]

    class Meta:
        verbose_name = "政策汇编栏目"

    def policies(self, request=None):
        return shared.public(PolicyPage.objects.live().descendant_of(self), request)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            policy_listing(
                self.policies(request), request.GET, per_page=self.per_page, request=request
            )
        )
        return context
