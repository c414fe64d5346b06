"""What a publish changes: a new content generation and a front-cache purge, after commit.

Publishing, unpublishing, moving or deleting a page purges, through
``wagtail.contrib.frontend_cache`` (Varnish in production), the page's URL, the URLs of
its ancestors (the index pages and the home page), the policy feeds, the sitemap and
search results. Editing a snippet shown on public pages (issuing bodies, topics, service
items) does the same for the section it appears in. Everything runs after the
transaction commits, so no request can cache the old content in between, and before the
search and reference index updates of the same transaction (``cms.aftercommit``).
"""

import copy
import logging

from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from catalogue.models import Department, MaterialRequirement, ServiceItem
from cms import aftercommit
from cms import cache as shared
from cms.home.models import PortalSettings
from policies.models import IssuingBody, PolicyIndexPage, PolicyTopic

logger = logging.getLogger(__name__)

SITE_WIDE_PATHS = ("/policies/feed/rss/", "/policies/feed/atom/", "/sitemap.xml", "/search/")
SERVICES_PATH = "/services/"


def _site_roots(page) -> list[str]:
    """Root URLs of the sites serving the page ('http://host:port')."""
    return [
        site.root_url
        for site in Site.objects.select_related("root_page")
        if page.path.startswith(site.root_page.path) or site.is_default_site
    ]


def page_urls(page, url_path=None) -> set[str]:
    """Full URLs of the page (at ``url_path`` if given) and of its ancestors."""
    urls = set()
    target = page
    if url_path is not None:
        target = copy.copy(page)
        target.url_path = url_path
    url = target.get_full_url()
    if url:
        urls.add(url)
    for ancestor in page.get_ancestors().filter(depth__gt=1):
        ancestor_url = ancestor.get_full_url()
        if ancestor_url:
            urls.add(ancestor_url)
    return urls


def site_wide_urls(page=None) -> set[str]:
    roots = _site_roots(page) if page is not None else [s.root_url for s in Site.objects.all()]
    return {root + path for root in roots for path in SITE_WIDE_PATHS}


def after_commit(urls=()):
    """Start a new content generation and purge ``urls`` once the transaction commits."""
    urls = sorted(set(urls))

    def run():
        shared.bump_generation()
        if urls:
            try:
                purge_urls_from_cache(urls)
            except Exception:  # a cache that cannot be purged must not fail the publish
                logger.exception("front cache purge failed for %s", urls)

    aftercommit.schedule(run, first=True)


def on_page_changed(sender, instance, **kwargs):
    after_commit(page_urls(instance) | site_wide_urls(instance))


def on_page_moved(sender, instance, url_path_before=None, url_path_after=None, **kwargs):
    urls = page_urls(instance) | site_wide_urls(instance)
    if url_path_before and url_path_after and url_path_before != url_path_after:
        urls |= page_urls(instance, url_path_before)
        for descendant in instance.get_descendants():
            urls.add(descendant.get_full_url() or "")
            old = copy.copy(descendant)
            old.url_path = url_path_before + descendant.url_path[len(url_path_after) :]
            urls.add(old.get_full_url() or "")
        parent_before = kwargs.get("parent_page_before")
        if parent_before is not None:
            urls |= page_urls(parent_before)
    after_commit(u for u in urls if u)


def on_page_deleted(sender, instance, **kwargs):
    if instance.live and instance.depth > 1:
        after_commit(page_urls(instance) | site_wide_urls(instance))


def on_site_data_changed(sender, **kwargs):
    after_commit()


def on_section_snippet_changed(sender, **kwargs):
    """Issuing bodies and topics are printed on policy pages and in the filters."""
    urls = site_wide_urls()
    for index in PolicyIndexPage.objects.live():
        urls |= page_urls(index)
    after_commit(urls)


def on_catalogue_changed(sender, **kwargs):
    roots = [site.root_url for site in Site.objects.all()]
    paths = [SERVICES_PATH] + [
        f"{SERVICES_PATH}{code}/" for code in ServiceItem.objects.values_list("code", flat=True)
    ]
    after_commit(root + path for root in roots for path in paths)


def connect():
    page_published.connect(on_page_changed, dispatch_uid="portal-cache-published")
    page_unpublished.connect(on_page_changed, dispatch_uid="portal-cache-unpublished")
    post_page_move.connect(on_page_moved, dispatch_uid="portal-cache-moved")
    # Deleting a page deletes its specific row through the base Page row: listen on all.
    pre_delete.connect(on_page_deleted, sender=Page, dispatch_uid="portal-cache-deleted")
    for model in (Site, PageViewRestriction, PortalSettings):
        for signal in (post_save, post_delete):
            signal.connect(on_site_data_changed, sender=model, dispatch_uid=f"portal-cache-{model}")
    for model in (IssuingBody, PolicyTopic):
        for signal in (post_save, post_delete):
            signal.connect(
                on_section_snippet_changed, sender=model, dispatch_uid=f"portal-cache-{model}"
            )
    for model in (ServiceItem, Department, MaterialRequirement):
        for signal in (post_save, post_delete):
            signal.connect(on_catalogue_changed, sender=model, dispatch_uid=f"portal-cache-{model}")
