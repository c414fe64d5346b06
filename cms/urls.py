from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import Sitemap
from wagtail.documents import urls as wagtaildocs_urls

from applications.api import api as portal_api
from cms.health import healthz
from notifications.progress import progress
from policies.feeds import PolicyAtomFeed, PolicyRssFeed
from search import views as search_views

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    path("services/", include("catalogue.urls")),
    path("account/", include("accounts.urls")),
    path("my/notifications/", include("notifications.urls")),
    path("my/", include("applications.portal.urls")),
    path("progress/", progress, name="progress"),
    path("window/", include("window.urls")),
    path("connection/", include("connection.urls")),
    path("policies/feed/rss/", PolicyRssFeed(), name="policy_feed_rss"),
    path("policies/feed/atom/", PolicyAtomFeed(), name="policy_feed_atom"),
    path("api/v1/", portal_api.urls),
    path("evcs/", include("interconnect.urls")),
    path("my/interconnect/", include("interconnect.portal")),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": Sitemap}}, name="sitemap"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
