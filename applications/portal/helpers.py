"""Small helpers every portal module uses."""

from django.urls import reverse

# --- helpers ------------------------------------------------------------------------


def current_applicant(request):
    return getattr(request.user, "applicant", None)


def detail_url(application, anchor=""):
    url = reverse("portal:detail", args=[application.reference])
    return f"{url}#{anchor}" if anchor else url


def no_store(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
