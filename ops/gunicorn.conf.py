"""gunicorn settings for the portal (``gunicorn -c ops/gunicorn.conf.py cms.wsgi``).

Every value can be overridden from the environment, so one file serves a laptop
(``ops/serve``) and a production node alike.

- workers: sync workers, ``PORTAL_WEB_WORKERS`` (default 2 × CPU cores, at least 2). Pages
  spend their time in Python, not waiting, so more workers than 2 per core only add memory.
  Varnish in front answers most public traffic without reaching them.
- timeout: a worker stuck longer than ``PORTAL_WEB_TIMEOUT`` seconds (default 60: large
  uploads stream to disk, the 200 MB benchmark takes ~10 s) is killed and replaced.
- graceful_timeout: on deploy/restart (SIGHUP/SIGTERM) requests in flight get 30 s.
- keepalive: 5 s, for the front cache's reused connections.
- max_requests: each worker is recycled after ~2000 requests (jittered), which bounds
  slow memory growth (PDF and image libraries).
- preload_app: the app is imported once before forking (faster start, shared memory).
- post_fork: each worker warms the printed documents (WeasyPrint, fonts) before serving
  (`PORTAL_WARM_DOCUMENTS=0` skips it), then freezes what is loaded out of the garbage
  collector's scans.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("PORTAL_WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PORTAL_WEB_WORKERS", max(2, 2 * multiprocessing.cpu_count())))
worker_class = "sync"
timeout = int(os.environ.get("PORTAL_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
preload_app = True
# Access log off by default (Varnish's varnishncsa logs every request); errors to stderr.
accesslog = os.environ.get("PORTAL_WEB_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("PORTAL_WEB_LOG_LEVEL", "warning")
forwarded_allow_ips = "127.0.0.1"


def post_fork(server, worker):
    """Warm the printed documents in each worker (WeasyPrint imported, fonts opened): the
    first PDF a user downloads then costs what the later ones do. Only when the documents
    app is installed; a missing pango is logged here and reported again on the first PDF."""
    from django.apps import apps

    if apps.is_installed("documents") and os.environ.get("PORTAL_WARM_DOCUMENTS") != "0":
        _warm_documents(server)
    # Everything loaded so far (Django, Wagtail, WeasyPrint, fonts) lives as long as the
    # worker: out of the collector's sight, a PDF's layout no longer pays for scanning it
    # (measured: 64 → 9 ms of collection per 联办申请表).
    gc.freeze()


def _warm_documents(server):
    try:
        from documents.rendering import warm

        warm()
    except Exception:  # a worker must start even without pango
        server.log.exception("documents: warming WeasyPrint failed")
