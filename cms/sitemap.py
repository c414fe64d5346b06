"""sitemap.xml from the shared cache: no query once built in a content generation.

Wagtail's own sitemap loads every live page and then each page type's rows (one query
per type, plus the count and the view restrictions) on every request. Here the entries
(location and lastmod of every public page) are built once per site and content
generation (``cms.cache``; every publish, unpublish, move or delete starts a new one)
and the list is paginated and rendered from the cache.
"""

from wagtail.contrib.sitemaps import Sitemap

from cms import cache as shared


class PortalSitemap(Sitemap):
    def items(self):
        site = self.get_wagtail_site()
        return shared.get_or_build(
            f"sitemap:{site.pk}", lambda: self._entries(site), request=self.request
        )

    def _entries(self, site) -> list[dict]:
        pages = shared.public(site.root_page.get_descendants(inclusive=True).live(), self.request)
        pages = pages.order_by("path").defer_streamfields().specific()
        entries = []
        for page in pages.iterator():
            entries.extend(page.get_sitemap_urls(self.request))
        return entries

    def _urls(self, page, protocol, domain):
        urls = list(self.paginator.page(page).object_list)
        last_mods = {url.get("lastmod") for url in urls}
        # last_mods is empty when the whole site is private
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls
