from django.conf import settings
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from wagtail.models import APIToken

from cms import cache as shared

from .storage import StorageUnavailable


class ServiceUnavailableMiddleware:
    """Turns a storage outage into a 503 that tells the user what happened."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StorageUnavailable):
            return None
        wants_json = "application/json" in request.headers.get("Accept", "") or (
            request.headers.get("X-Requested-With") == "XMLHttpRequest"
        )
        if wants_json or request.path.startswith("/api/"):
            return JsonResponse({"error": exception.message}, status=503)
        return TemplateResponse(
            request, "503.html", {"message": exception.message}, status=503
        ).render()


MIB = 1024 * 1024
FORM_MARGIN_MB = 1  # the form fields around the largest file


class RequestBodyLimitMiddleware:
    """Refuses an oversized request body from its Content-Length, before anything reads
    (and spools) it: anonymous requests — no signed-in user, no valid API token —
    may send `PORTAL_ANONYMOUS_MAX_BODY_MB` (registration with its licence scan);
    everyone else `PORTAL_MAX_UPLOAD_MB` plus a margin for the form. Under WSGI a body
    without Content-Length is never read; under ASGI the server's or proxy's body limit
    must be set too (README, Security model)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # Who is asking only matters above the anonymous limit: smaller bodies (all API
        # calls and T/CEC 102 messages but uploads) pass without a session or token query.
        if length > self._anonymous_mb() * MIB:
            limit_mb = self._limit_mb(request)
            if length > limit_mb * MIB:
                return _too_large(request, limit_mb)
        return self.get_response(request)

    @staticmethod
    def _full_mb() -> int:
        return getattr(settings, "PORTAL_MAX_UPLOAD_MB", 50) + FORM_MARGIN_MB

    def _anonymous_mb(self) -> int:
        return min(getattr(settings, "PORTAL_ANONYMOUS_MAX_BODY_MB", 12), self._full_mb())

    def _limit_mb(self, request) -> int:
        if request.user.is_authenticated or _valid_bearer(request):
            return self._full_mb()
        return self._anonymous_mb()


def _valid_bearer(request) -> bool:
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return APIToken.objects.filter(
        key_hash__in=APIToken.candidate_key_hashes(token.strip()), revoked_at__isnull=True
    ).exists()


def bad_request(request, message):
    """A 400 that tells the user, in Chinese, what was wrong with the request."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return TemplateResponse(request, "400.html", {"message": message}, status=400).render()


def _too_large(request, limit_mb):
    message = f"提交的内容超过 {limit_mb} MB，未被接收。请压缩文件或分次上传后重试。"
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return TemplateResponse(request, "413.html", {"message": message}, status=413).render()


class CachedSiteMiddleware:
    """Finds the Wagtail site of a public request in the shared cache (saves a query).
    The admin and the T/CEC 102 receiver (/evcs/, machine-to-machine, no pages) do not
    need it: for them it would only be a Redis round trip per request."""

    SKIP = ("/admin/", "/evcs/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(self.SKIP):
            return self.get_response(request)
        shared.serving(request)
        try:
            shared.find_site(request)
            return self.get_response(request)
        finally:
            shared.serving(None)


PRIVATE_PREFIXES = ("/my/", "/admin/", "/api/", "/evcs/", "/account/", "/documents/", "/progress/")


class PrivateCacheControlMiddleware:
    """Marks every personal response as private, whatever cache sits in front.

    Anything under the personal prefixes, and any response to a request that carries a
    session, is sent with ``Cache-Control: private, no-store`` unless the view said
    otherwise; the front cache (ops/varnish/portal.vcl) never stores such a response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        personal = request.path.startswith(PRIVATE_PREFIXES) or (
            settings.SESSION_COOKIE_NAME in request.COOKIES
        )
        if personal and "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_store=True, no_cache=True)
        return response
