"""/healthz: the state of the database, file storage and search, as JSON."""

import os
import time
from pathlib import Path

from django.core.files.storage import default_storage, storages
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from wagtail.search.backends import get_search_backend


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def check_storage():
    """The public media store and the private upload store must both be usable."""
    for store in (default_storage, storages["private"]):
        ping = getattr(store, "ping", None)
        if ping is not None:
            ping()
            continue
        # A local folder is created on the first save; it must be creatable and writable.
        location = Path(store.location)
        location.mkdir(parents=True, exist_ok=True)
        if not os.access(location, os.W_OK):
            raise PermissionError(f"{location} is not writable")
    return "s3" if hasattr(default_storage, "ping") else "filesystem"


def check_search():
    backend = get_search_backend()
    ping = getattr(backend, "ping", None)
    if ping is not None:
        if not ping():
            raise ConnectionError("OpenSearch did not answer")
        return "opensearch"
    return f"database ({connection.vendor})"


CHECKS = {"database": check_database, "storage": check_storage, "search": check_search}


def run_checks():
    results = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            backend = check()
            results[name] = {"status": "up", "backend": backend}
        except Exception as exc:  # report every failure, never raise from a health check
            results[name] = {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    return results


@never_cache
def healthz(request):
    checks = run_checks()
    healthy = all(check["status"] == "up" for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
