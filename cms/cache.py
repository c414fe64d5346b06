"""The shared cache behind public pages: one content generation, bumped on publish.

Everything cached here (site lookup, routes, view restrictions, navigation, Wagtail
settings, rendered fragments) is keyed by the current *content generation*. Publishing,
unpublishing, moving or deleting a page, editing a snippet shown on public pages, a site
or a view restriction starts a new generation (see ``cms.invalidation``), so every node
sharing the cache (Redis in production) stops using the old entries at once; they expire
on their own.
"""

import hashlib
import threading
import time

from django.apps import apps
from django.core.cache import cache
from django.db.models import Q
from wagtail.models import Site

GENERATION_KEY = "portal:generation"
TIMEOUT = 24 * 3600
_MISSING = object()
_current = threading.local()


def serving(request):
    """Context for one request (cms.middleware.CachedSiteMiddleware): code without the
    request at hand (page methods Wagtail calls) still reads the generation only once."""
    _current.request = request


def generation(request=None) -> str:
    """The current content generation; read once per request."""
    if request is None:
        request = getattr(_current, "request", None)
    if request is not None and hasattr(request, "_portal_generation"):
        return request._portal_generation
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = str(time.time_ns())
        if not cache.add(GENERATION_KEY, value, None):
            value = cache.get(GENERATION_KEY, value)
    if request is not None:
        request._portal_generation = value
    return value


def bump_generation() -> str:
    value = str(time.time_ns())
    cache.set(GENERATION_KEY, value, None)
    return value


def key(*parts, request=None) -> str:
    return ":".join(["portal", generation(request), *(str(p) for p in parts)])


def get_or_build(name, builder, *, request=None, timeout=TIMEOUT):
    """The cached value of ``name`` in this generation, built (and stored) on a miss."""
    cache_key = key(name, request=request)
    value = cache.get(cache_key, _MISSING)
    if value is _MISSING:
        value = builder()
        cache.set(cache_key, value, timeout)
    return value


# --------------------------------------------------------------------------- view restrictions


def restricted_paths(request=None) -> list[str]:
    """Tree paths of every page carrying a view restriction (login, group, password)."""

    def build():
        PageViewRestriction = apps.get_model("wagtailcore", "PageViewRestriction")
        return sorted(PageViewRestriction.objects.values_list("page__path", flat=True).distinct())

    return get_or_build("restricted-paths", build, request=request)


def public(queryset, request=None):
    """``queryset.public()`` without a query for the restrictions on every call."""
    q = Q()
    for path in restricted_paths(request):
        q |= Q(path__startswith=path)
    return queryset.exclude(q) if q else queryset


def no_view_restrictions(request=None) -> bool:
    """True when no page of the site carries a view restriction (the usual case)."""
    return not restricted_paths(request)


# --------------------------------------------------------------------------- sites


def find_site(request):
    """Wagtail's site lookup for the request, from the cache; the root page comes specific,
    so routing the home page costs no query."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    try:
        host = request._get_raw_host()
        port = request.get_port()
    except Exception:  # a malformed Host header: let Wagtail and Django handle it
        return None

    def build():
        site = Site._find_for_request(request)
        if site is not None:
            site.root_page = site.root_page.specific
        return site

    digest = hashlib.sha256(f"{host}:{port}".encode(errors="replace")).hexdigest()[:32]
    site = get_or_build(f"site:{digest}", build, request=request)
    request._wagtail_site = site
    return site
