"""RSS and Atom feeds of the newest published policies."""

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from cms import cache as shared

from .models import PolicyIssuer, PolicyPage


class PolicyRssFeed(Feed):
    title = "河南省充电基础设施服务门户 · 政策汇编"
    link = "/"
    description = "最新发布的充电基础设施相关政策文件"

    def items(self):
        return shared.public(
            PolicyPage.objects.live().order_by("-publish_date", "-pk")
        ).prefetch_related(
            Prefetch("issuers", queryset=PolicyIssuer.objects.select_related("body"))
        )[:30]

    def item_title(self, item):
        return f"{item.title}（{item.document_number}）" if item.document_number else item.title

    def item_description(self, item):
        issuers = "、".join(body.name for body in item.issuing_bodies)
        return " ".join(filter(None, [issuers, item.summary]))

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        date = item.publish_date or item.written_date
        if date is None:
            return item.first_published_at
        return timezone.make_aware(datetime.combine(date, time(9, 0)))

    def item_updateddate(self, item):
        return item.last_published_at


class PolicyAtomFeed(PolicyRssFeed):
    feed_type = Atom1Feed
    subtitle = PolicyRssFeed.description
