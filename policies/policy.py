"""One policy document and what describes it (issuing bodies, topics), with the
metadata Chinese policy libraries use. `models.py` adds the index page that lists them
(through `listing.py`, which reads these models)."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import strip_tags
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from cms.pages import CachedRestrictionsMixin

from .blocks import AttachmentsBlock, BodyBlock

DOCUMENT_NUMBER_RE = re.compile(
    r"^(?P<prefix>[\u4e00-\u9fffA-Za-z]+)〔(?P<year>\d{4})〕(?P<seq>\d+)号$"
)
_BRACKETS = str.maketrans(
    {
        "[": "〔",
        "]": "〕",
        "【": "〔",
        "】": "〕",
        "（": "〔",
        "）": "〕",
        "(": "〔",
        ")": "〕",
        "﹝": "〔",
        "﹞": "〕",
        "［": "〔",
        "］": "〕",
    }
)


def normalize_document_number(value: str) -> str:
    """Write 发文字号 the standard way: 信电[2024]141号 → 信电〔2024〕141号."""
    return re.sub(r"\s+", "", value or "").translate(_BRACKETS)


def validate_document_number(value: str) -> None:
    if value and not DOCUMENT_NUMBER_RE.match(value):
        raise ValidationError(
            "发文字号格式应为“机关代字〔年份〕序号号”，例如 信电〔2024〕141号。",
            code="invalid_document_number",
        )


@register_snippet
class IssuingBody(models.Model):
    """发文机关."""

    name = models.CharField("机关名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)

    class Meta:
        verbose_name = "发文机关"
        verbose_name_plural = "发文机关"
        ordering = ["name"]

    def __str__(self):
        return self.name


@register_snippet
class PolicyTopic(models.Model):
    """主题分类."""

    name = models.CharField("分类名称", max_length=50, unique=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "主题分类"
        verbose_name_plural = "主题分类"
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class PolicyPage(CachedRestrictionsMixin, Page):
    """One policy document (通知、方案、办法…) with its metadata, body and attachments."""

    class Validity(models.TextChoices):
        IN_FORCE = "in_force", "现行有效"
        AMENDED = "amended", "已修订"
        REPEALED = "repealed", "已废止"

    document_number = models.CharField(
        "发文字号",
        max_length=60,
        blank=True,
        validators=[validate_document_number],
        help_text="例如 信电〔2024〕141号",
    )
    written_date = models.DateField("成文日期", null=True, blank=True)
    publish_date = models.DateField("发布日期", null=True, blank=True)
    validity = models.CharField(
        "有效性", max_length=10, choices=Validity.choices, default=Validity.IN_FORCE
    )
    topic = models.ForeignKey(
        PolicyTopic,
        verbose_name="主题分类",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="policies",
    )
    regions = ParentalManyToManyField("regions.Region", verbose_name="适用地区", blank=True)
    summary = models.TextField("摘要", blank=True)
    body = StreamField(BodyBlock(), verbose_name="正文", blank=True)
    attachments = StreamField(AttachmentsBlock(), verbose_name="附件", blank=True)
    source_key = models.CharField(
        "导入来源标识",
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
        help_text="由导入程序写入，用于再次导入时更新而不是重复创建。",
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("document_number"),
                InlinePanel("issuers", label="发文机关", min_num=0),
                FieldRowPanel([FieldPanel("written_date"), FieldPanel("publish_date")]),
                FieldRowPanel([FieldPanel("validity"), FieldPanel("topic")]),
                FieldPanel("regions"),
            ],
            heading="文件信息",
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("attachments"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("document_number", boost=5),
        index.SearchField("issuer_names", boost=2),
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("attachments"),
        index.FilterField("validity"),
        index.FilterField("publish_date"),
    ]

    parent_page_types = ["policies.PolicyIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "政策文件"
        verbose_name_plural = "政策文件"

    def clean(self):
        super().clean()
        self.document_number = normalize_document_number(self.document_number)
        if self.written_date and self.publish_date and self.publish_date < self.written_date:
            raise ValidationError({"publish_date": "发布日期不能早于成文日期。"})

    @property
    def issuer_names(self) -> str:
        return " ".join(body.name for body in self.issuing_bodies)

    @property
    def issuing_bodies(self):
        """Bodies in order; one query (none when the list prefetched ``issuers__body``)."""
        links = self.issuers.all()
        if "issuers" not in getattr(self, "_prefetched_objects_cache", {}):
            links = links.select_related("body")
        return [link.body for link in links]

    def search_snippet_source(self) -> str:
        """Plain text a search result snippet is cut from."""
        parts = [self.summary]
        for block in list(self.body) + list(self.attachments):
            parts.extend(block.block.get_searchable_content(block.value))
        return strip_tags(" ".join(p for p in parts if p))


class PolicyIssuer(Orderable):
    """Ordered link page → 发文机关; the first is the lead body (主办)."""

    page = ParentalKey(PolicyPage, on_delete=models.CASCADE, related_name="issuers")
    body = models.ForeignKey(
        IssuingBody, verbose_name="发文机关", on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldPanel("body")]

    class Meta(Orderable.Meta):
        verbose_name = "发文机关"
