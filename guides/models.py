"""使用帮助: step-by-step help guides with a table of contents and stable anchors."""

from django.db import models
from django.utils.html import strip_tags
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms import cache as shared
from cms.pages import CachedRestrictionsMixin

from .blocks import SectionBlock
from .outline import build_outline


class GuideIndexPage(CachedRestrictionsMixin, Page):
    intro = models.TextField("导语", blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["guides.GuidePage"]
    parent_page_types = ["home.HomePage"]

    class Meta:
        verbose_name = "使用帮助栏目"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Evaluated only when the template's cached fragment is missing.
        context["guides"] = shared.public(
            GuidePage.objects.live().child_of(self).order_by("path"), request
        )
        return context


class GuidePage(CachedRestrictionsMixin, Page):
    intro = RichTextField("概述", blank=True, features=["bold", "italic", "link"])
    sections = StreamField([("section", SectionBlock())], verbose_name="章节", blank=True)
    source_key = models.CharField(
        "导入来源标识", max_length=64, blank=True, db_index=True, editable=False
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("sections")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("sections"),
    ]
    parent_page_types = ["guides.GuideIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "帮助指南"
        verbose_name_plural = "帮助指南"

    @property
    def outline(self):
        return build_outline(self.sections)

    def search_snippet_source(self) -> str:
        parts = [strip_tags(self.intro)]
        for block in self.sections:
            parts.extend(block.block.get_searchable_content(block.value))
        return strip_tags(" ".join(p for p in parts if p))
