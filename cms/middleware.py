from django.conf import settings
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control

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


class CachedSiteMiddleware:
    """Finds the Wagtail site of a public request in the shared cache (saves a query)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/admin/"):
            shared.find_site(request)
        return self.get_response(request)


PRIVATE_PREFIXES = ("/my/", "/admin/", "/api/", "/evcs/", "/account/", "/documents/")


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
