from django.http import JsonResponse
from django.template.response import TemplateResponse

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
