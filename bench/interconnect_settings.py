"""Settings for bench/interconnect.py: production settings (the benchmark supplies the
secret key, field key and hosts) plus one trivial JSON POST view, the same-run baseline.
Never used outside the benchmark."""

from cms.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.interconnect_urls"
