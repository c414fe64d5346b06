from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page

from cms import cache as shared
from cms.pages import CachedRoutingMixin
from guides.models import GuidePage
from policies.models import PolicyPage


class HomePage(CachedRoutingMixin, Page):
    """The portal's front door: leads to policies, guides, search and services."""

    intro = models.CharField("导语", max_length=300, blank=True)
    notice = RichTextField("公告", blank=True, features=["bold", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("notice")]

    max_count = 1
    subpage_types = ["policies.PolicyIndexPage", "guides.GuideIndexPage"]

    class Meta:
        verbose_name = "首页"

    def get_context(self, request, *args, **kwargs):
        # Evaluated only when the template's cached fragment is missing.
        context = super().get_context(request, *args, **kwargs)
        context["latest_policies"] = shared.public(
            PolicyPage.objects.live().order_by("-publish_date", "-pk"), request
        ).only("title", "url_path", "document_number", "publish_date")[:6]
        context["guides"] = shared.public(GuidePage.objects.live().order_by("path"), request).only(
            "title", "url_path"
        )[:6]
        return context


@register_setting(icon="cog")
class PortalSettings(BaseSiteSetting):
    """Contact details and filing numbers shown in every page footer."""

    hotline = models.CharField("技术支持电话", max_length=40, blank=True)
    hotline_note = models.CharField(
        "电话说明",
        max_length=200,
        blank=True,
        default="技术支持电话只负责省平台与运营商平台的数据对接技术问题，政策问题请咨询当地相关部门。",
    )
    icp_number = models.CharField("ICP 备案号", max_length=60, blank=True)
    organiser = models.CharField("主办单位", max_length=100, blank=True)

    panels = [
        MultiFieldPanel([FieldPanel("hotline"), FieldPanel("hotline_note")], "联系方式"),
        MultiFieldPanel([FieldPanel("organiser"), FieldPanel("icp_number")], "备案信息"),
    ]

    class Meta:
        verbose_name = "门户设置"

    @classmethod
    def for_request(cls, request):
        """Public pages read the settings from the shared cache (saving them starts a new
        content generation); the admin reads the database."""
        attr_name = cls.get_cache_attr_name()
        if hasattr(request, attr_name) or request.path.startswith("/admin/"):
            return super().for_request(request)
        site = shared.find_site(request)
        if site is None:
            return super().for_request(request)
        instance = shared.get_or_build(
            f"settings:{cls._meta.label}:{site.pk}", lambda: cls.for_site(site), request=request
        )
        instance._request = request
        setattr(request, attr_name, instance)
        return instance
