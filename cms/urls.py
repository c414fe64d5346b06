from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from applications.api import api as portal_api
from applications.portal import urls as portal_urls
from cms.health import healthz
from cms.sitemap import PortalSitemap
from notifications import urls as notification_urls
from notifications.progress import progress
from policies.feeds import PolicyAtomFeed, PolicyRssFeed
from search import views as search_views

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Operator platforms' T/CEC 102 pushes, the busiest path: matched first.
    path("evcs/", include("interconnect.urls")),
    path("admin/", include(wagtailadmin_urls)),
    # The printed documents of a case (SQ… references) before Wagtail's documents (numeric ids).
    path("documents/", include("documents.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    path("services/", include("catalogue.urls")),
    path("account/", include("accounts.urls")),
    path("my/notifications/", include("notifications.urls")),
    # The applicant portal: applications' pages plus the rating notifications adds.
    path(
        "my/",
        include(
            (portal_urls.urlpatterns + notification_urls.portal_urlpatterns, portal_urls.app_name)
        ),
    ),
    path("progress/", progress, name="progress"),
    path("window/", include("window.urls")),
    path("connection/", include("connection.urls")),
    path("policies/feed/rss/", PolicyRssFeed(), name="policy_feed_rss"),
    path("policies/feed/atom/", PolicyAtomFeed(), name="policy_feed_atom"),
    path("api/v1/", portal_api.urls),
    path("my/interconnect/", include("interconnect.portal")),
    path("my/subsidies/", include("subsidies.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": PortalSitemap}}, name="sitemap"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
