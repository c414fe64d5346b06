"""Settings for bench/interconnect.py: the portal plus one trivial JSON POST view (the
same-run baseline). Never used outside the benchmark."""

from cms.settings.dev import *  # noqa: F403

ROOT_URLCONF = "bench.interconnect_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
