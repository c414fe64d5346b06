import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

application = get_wsgi_application()


def _load_urlconf():
    """Import every URL module and view now, not in a worker's first request.

    gunicorn imports this module once before forking (preload_app) and recycles each
    worker after ~2000 requests; without this every new worker spent its first request
    (about 0.5 s on the 2-core machine) importing the views, and the requests queued
    behind it waited as long (bench/interconnect.py, open loop)."""
    get_resolver().resolve("/")


_load_urlconf()
