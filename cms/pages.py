"""Page behaviour shared by the public page types: cheap routing and restriction checks."""

import hashlib

from django.apps import apps
from django.core.cache import cache
from wagtail.models import Page, PageViewRestriction
from wagtail.url_routing import RouteResult

from cms import cache as shared


class CachedRestrictionsMixin:
    """Skips the two restriction queries per request when no page is restricted at all."""

    def get_view_restrictions(self):
        if shared.no_view_restrictions():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class CachedRoutingMixin(CachedRestrictionsMixin):
    """For the site root: a path resolved once is found again with one query.

    The cache holds (model, id) per path in the current content generation; any publish,
    unpublish, move or delete starts a new generation. Only plain pages (Wagtail's own
    ``route``, no sub-routes) are remembered; anything else routes the usual way.
    """

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        path = "/".join(path_components)
        digest = hashlib.sha256(path.encode(errors="replace")).hexdigest()[:32]
        route_key = shared.key("route", self.pk, digest, request=request)
        hit = cache.get(route_key)
        if hit is not None:
            model = apps.get_model(hit[0])
            # The body is rendered from the cached fragment: parse it only on a miss.
            page = model.objects.filter(pk=hit[1], live=True).defer_streamfields().first()
            if page is not None:
                return RouteResult(page)
        result = super().route(request, path_components)
        page, args, kwargs = result
        if not args and not kwargs and type(page).route is Page.route:
            cache.set(route_key, (page._meta.label, page.pk), shared.TIMEOUT)
        return result
