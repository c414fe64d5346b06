"""Benchmark: the finance office's subsidy report (补贴资金统计) at 10 000 subsidy
applications on SQLite.

    .venv/bin/python bench/subsidy_report.py [--applications 10000] [--samples 5]

A fresh SQLite database in a temporary folder is migrated; 200 operators in Henan
counties and 10 000 建设补贴/运营补贴 applications of every claiming state over
2025–2027 are written with ``bulk_create``, each with its stored computation. Then, after
one warm-up, ``--samples`` times each: the baseline -- a plain count of the same
computation rows through the ORM -- and the full report a reviewer waits for:
``/admin/subsidies/report/`` through Django's test client as a superuser (the grouped
query, the city merge and the HTML) and its xlsx export. Printed: medians and the ratio
of each to the baseline measured in this run. Exit 1 when the report's median is 1 s or
more, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 1.0
APPLICATIONS = 10_000
BATCH = 2_000


class BenchError(Exception):
    pass


def prepare(tmp: Path) -> None:
    for key in ("S3_BUCKET", "OPENSEARCH_URL", "DATABASE_URL", "REDIS_URL", "CACHE_URL"):
        os.environ.pop(key, None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        PORTAL_VAR_DIR=str(tmp),
        PORTAL_LOG_LEVEL="WARNING",
        DJANGO_DEBUG="0",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BenchError(f"migrate failed:\n{done.stderr[-2000:]}")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]


def populate(count: int, seed: int) -> None:
    from django.contrib.auth import get_user_model

    from accounts.models import Applicant
    from applications.models import Application
    from regions.models import Region
    from subsidies.models import SubsidyComputation

    rng = random.Random(seed)
    counties = list(Region.objects.filter(level=Region.Level.COUNTY, code__startswith="41"))
    if not counties:
        raise BenchError("no Henan counties: the regions data migration did not run")
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench-op{n}") for n in range(200)]
    )
    applicants = Applicant.objects.bulk_create(
        [
            Applicant(
                user=u,
                kind="operator",
                name=f"基准测试运营商{n}",
                contact_name="张三",
                mobile="13800000000",
                region=rng.choice(counties),
                status="active",
            )
            for n, u in enumerate(users)
        ]
    )
    states = [
        "submitted",
        "under_review",
        "needs_supplement",
        "resubmitted",
        "approved",
        "approved",
    ]
    kinds = [("construction_subsidy", "construction"), ("operation_subsidy", "operation")]
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        apps, picks = [], []
        for n in range(made, made + size):
            applicant = rng.choice(applicants)
            kind, subsidy_kind = rng.choice(kinds)
            apps.append(
                Application(
                    applicant=applicant,
                    kind=kind,
                    reference=f"SQB{n:011d}",
                    region=applicant.region,
                    state=rng.choice(states),
                )
            )
            picks.append((subsidy_kind, rng.choice((2025, 2026, 2027))))
        apps = Application.objects.bulk_create(apps)
        SubsidyComputation.objects.bulk_create(
            [
                SubsidyComputation(
                    application=a,
                    kind=kind,
                    year=year,
                    amount=Decimal(rng.randrange(1, 50_000_000)) / 100,
                )
                for a, (kind, year) in zip(apps, picks, strict=True)
            ]
        )
        made += size


def timed(samples: int, fn) -> list[float]:
    fn()  # warm-up
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return sorted(times)


def measure(samples: int) -> dict[str, list[float]]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from subsidies.models import SubsidyComputation

    admin = get_user_model().objects.create_superuser("bench-finance", password="x")
    client = Client()
    client.force_login(admin)

    def page():
        response = client.get("/admin/subsidies/report/")
        if response.status_code != 200 or "合计".encode() not in response.content:
            raise BenchError(f"report answered {response.status_code}")

    def export():
        response = client.get("/admin/subsidies/report.xlsx")
        if response.status_code != 200:
            raise BenchError(f"report export answered {response.status_code}")

    return {
        "baseline (count of the same rows)": timed(
            samples, lambda: SubsidyComputation.objects.count()
        ),
        "report page": timed(samples, page),
        "report xlsx": timed(samples, export),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=APPLICATIONS)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    try:
        with tempfile.TemporaryDirectory(prefix="portal-bench-subsidy-") as tmp:
            print("migrating a fresh SQLite database ...", flush=True)
            prepare(Path(tmp))
            print(f"writing {args.applications:,} subsidy applications ...", flush=True)
            began = time.perf_counter()
            populate(args.applications, args.seed)
            print(f"  written in {time.perf_counter() - began:.0f} s", flush=True)
            results = measure(args.samples)
    except BenchError as exc:
        print(f"cannot run: {exc}", file=sys.stderr)
        return 2
    medians = {name: times[len(times) // 2] for name, times in results.items()}
    baseline = medians["baseline (count of the same rows)"]
    for name, median in medians.items():
        print(
            f"  {name}: median {median * 1000:.1f} ms ({median / baseline:.0f}× the baseline)"
            if baseline
            else f"  {name}: median {median * 1000:.1f} ms"
        )
    report = medians["report page"]
    print(
        f"subsidy report at {args.applications:,} applications on SQLite: median "
        f"{report * 1000:.0f} ms ({args.samples} samples; target < {TARGET_SECONDS * 1000:.0f} ms)"
    )
    return 0 if report < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
