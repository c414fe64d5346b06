"""Benchmark: the managers' statistics page (统计分析) at 100 000 cases, SQLite and PostgreSQL.

Run with ``make bench`` (or ``.venv/bin/python bench/statistics_page.py [--engines
sqlite,postgres]``). Each engine runs in its own process. PostgreSQL needs the
ops/services PostgreSQL: a database is created for the run and dropped afterwards;
SQLite uses a file in a temporary folder.

What happens: a fresh database is migrated; 100 000 submitted cases of every kind, state,
Henan county and item are written with ``bulk_create`` (one to three department reviews
each, decided ones with received/decided dates over 2025–2026 and working-day due dates,
open ones partly overdue), 20 000 ratings of the five levels and a rectification for each
差评. Then the full page a manager waits for -- ``/admin/statistics/`` through Django's
test client as a superuser: every aggregate, the SVG charts and the HTML -- is requested
``--samples`` times after one warm-up. The cases are written without workflow events,
so the summary is built with ``rebuild_statistics`` (timed). Baseline in the same run:
the summary-backed figures computed from the raw rows (``notifications.stats_raw``, what
the page did before the summary), timed against the same figures from the summary, and
checked equal. Exit 1 when the page's median is 1 s or more or the figures differ, 2
when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

# This file shares its name with the standard library's `statistics`: make sure the
# bench folder is not where `import statistics` looks.
HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.archive_search import BenchError, PostgresDatabase, read_services_env  # noqa: E402

TARGET_SECONDS = 1.0
CASES = 100_000
BATCH = 5_000


def prepare(tmp: Path, database_url: str | None) -> None:
    for key in ("S3_BUCKET", "OPENSEARCH_URL", "DATABASE_URL"):
        os.environ.pop(key, None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        PORTAL_VAR_DIR=str(tmp),
        PORTAL_LOG_LEVEL="WARNING",
        DJANGO_DEBUG="0",
    )
    if database_url:
        os.environ["DATABASE_URL"] = database_url
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


def populate(cases: int, seed: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import Applicant
    from applications.models import Application, DepartmentReview
    from catalogue.models import ApplicationKind, ServiceItem
    from notifications.models import Rating, Rectification
    from regions.models import Region

    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    counties = list(Region.objects.filter(level=Region.Level.COUNTY, code__startswith="41"))
    items = [i for i in ServiceItem.objects.select_related("department") if i.kind != "account"]
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench{n}") for n in range(2000)]
    )
    applicants = Applicant.objects.bulk_create(
        [
            Applicant(
                user=u,
                kind="builder",
                name=f"基准测试企业{n}",
                contact_name="张三",
                mobile="13800000000",
                region=rng.choice(counties),
                status="active",
            )
            for n, u in enumerate(users)
        ]
    )
    states = ["submitted", "under_review", "needs_supplement", "approved", "approved", "rejected"]
    start = date(2025, 1, 1)
    through = Application.items.through
    review_items = DepartmentReview.items.through
    made = 0
    while made < cases:
        size = min(BATCH, cases - made)
        apps, picks = [], []
        for n in range(made, made + size):
            day = start + timedelta(days=rng.randrange(600))
            submitted = datetime.combine(day, dtime(9 + rng.randrange(8)), tz)
            chosen = rng.sample(items, rng.choice((1, 1, 2, 3)))
            state = rng.choice(states)
            decided = submitted + timedelta(days=rng.randrange(1, 12))
            apps.append(
                Application(
                    applicant=rng.choice(applicants),
                    kind=chosen[0].kind or ApplicationKind.JOINT_INSTALLATION,
                    reference=f"SQB{n:011d}",
                    region=rng.choice(counties),
                    state=state,
                    submitted_at=submitted,
                    created_at=submitted,
                    decided_at=decided if state in ("approved", "rejected") else None,
                )
            )
            picks.append((chosen, state, submitted, decided))
        apps = Application.objects.bulk_create(apps)
        through.objects.bulk_create(
            [
                through(application_id=a.pk, serviceitem_id=i.pk)
                for a, (chosen, *_) in zip(apps, picks, strict=True)
                for i in chosen
            ]
        )
        reviews, review_picks = [], []
        for a, (chosen, state, submitted, decided) in zip(apps, picks, strict=True):
            by_department = {}
            for item in chosen:
                by_department.setdefault(item.department_id, []).append(item)
            for department_id, dept_items in by_department.items():
                finished = state in ("approved", "rejected")
                reviews.append(
                    DepartmentReview(
                        application_id=a.pk,
                        department_id=department_id,
                        status=state if finished else rng.choice(("pending", "under_review")),
                        received_at=submitted,
                        due_date=(submitted + timedelta(days=rng.randrange(0, 10))).date(),
                        decided_at=decided if finished else None,
                    )
                )
                review_picks.append(dept_items)
        reviews = DepartmentReview.objects.bulk_create(reviews)
        review_items.objects.bulk_create(
            [
                review_items(departmentreview_id=r.pk, serviceitem_id=i.pk)
                for r, dept_items in zip(reviews, review_picks, strict=True)
                for i in dept_items
            ]
        )
        ratings = [
            Rating(
                application_id=a.pk,
                level=rng.choice((5, 5, 5, 4, 4, 3, 2, 1)),
                channel="online",
                department_id=chosen[0].department_id,
                created_at=decided,
            )
            for a, (chosen, state, _, decided) in zip(apps, picks, strict=True)
            if state in ("approved", "rejected") and rng.random() < 0.4
        ]
        ratings = Rating.objects.bulk_create(ratings)
        Rectification.objects.bulk_create(
            [
                Rectification(
                    rating_id=r.pk,
                    department_id=r.department_id,
                    state=rng.choice(("open", "replied", "accepted", "closed")),
                    opened_at=r.created_at,
                    due_date=(r.created_at + timedelta(days=7)).date(),
                )
                for r in ratings
                if r.level <= 2
            ]
        )
        made += size
        print(f"  {made:,} cases written", flush=True)
    from django.core.management import call_command
    from django.db import connection

    began = time.perf_counter()
    call_command("rebuild_statistics", stdout=io.StringIO())
    print(f"  summary rebuilt in {time.perf_counter() - began:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def parts(today) -> None:
    """Time each figure on its own, to show where the page's time goes."""
    from notifications import stats

    for name in (
        "by_item",
        "by_department",
        "by_county",
        "by_state",
        "department_performance",
        "item_performance",
        "satisfaction",
    ):
        began = time.perf_counter()
        getattr(stats, name)()
        print(f"    {name}: {(time.perf_counter() - began) * 1000:.0f} ms", flush=True)
    for name in ("overdue", "rectification_status", "monthly"):
        began = time.perf_counter()
        getattr(stats, name)(today)
        print(f"    {name}: {(time.perf_counter() - began) * 1000:.0f} ms", flush=True)


def _median(fn, samples: int) -> float:
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return sorted(times)[len(times) // 2]


def baseline(today, samples: int) -> tuple[float, float]:
    """(raw, summary) medians of the figures the summary serves; raises when they differ."""
    from notifications import stats, stats_raw

    found = stats_raw.differences(today)
    if found:
        raise BenchError("summary and raw figures differ:\n" + "\n".join(found))

    def from_summary():
        stats.summary_totals()
        for name in ("by_item", "by_department", "by_county", "by_state"):
            getattr(stats, name)()
        stats.department_performance()
        stats.item_performance()
        stats.monthly(today)

    def from_raw():
        stats_raw.totals()
        stats_raw.tables(today)

    return _median(from_raw, samples), _median(from_summary, samples)


def measure(samples: int) -> list[float]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    admin = get_user_model().objects.create_superuser("bench-manager", password="x")
    client = Client()
    client.force_login(admin)
    url = "/admin/statistics/?date=2026-08-20"
    first = client.get(url)
    if first.status_code != 200 or b"<svg" not in first.content:
        raise BenchError(f"statistics page answered {first.status_code}")
    parts(datetime(2026, 8, 20).date())
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200
    return times


def run_engine(engine: str, args) -> int:
    """One engine, in this process: create, populate, measure, drop."""
    database = None
    try:
        if engine == "postgres":
            services = read_services_env(postgres=True)
            database = PostgresDatabase(services["DATABASE_URL"])
            database.create()
        with tempfile.TemporaryDirectory(prefix="portal-bench-stats-") as tmp:
            name = database.name if database else "SQLite"
            print(f"[{engine}] migrating a fresh database {name} ...", flush=True)
            prepare(Path(tmp), database.url if database else None)
            print(f"[{engine}] writing {args.cases:,} cases ...", flush=True)
            began = time.perf_counter()
            populate(args.cases, args.seed)
            print(f"  written in {time.perf_counter() - began:.0f} s", flush=True)
            times = sorted(measure(args.samples))
            raw, summed = baseline(datetime(2026, 8, 20).date(), args.baseline_samples)
    except BenchError as exc:
        print(f"cannot run: {exc}", file=sys.stderr)
        return 2
    finally:
        if database is not None:
            database.drop()
    median = times[len(times) // 2]
    print(
        f"statistics page at {args.cases:,} cases on {engine}: median {median * 1000:.0f} ms, "
        f"min {times[0] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms "
        f"({args.samples} samples; target < {TARGET_SECONDS * 1000:.0f} ms)\n"
        f"  summary-backed figures: {summed * 1000:.0f} ms from the summary vs "
        f"{raw * 1000:.0f} ms from the raw rows (baseline, same run): "
        f"{raw / summed:.0f}x faster, figures equal"
    )
    return 0 if median < TARGET_SECONDS else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=CASES)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--baseline-samples", type=int, default=3)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--engine", help=argparse.SUPPRESS)  # the child process's engine
    args = parser.parse_args()
    if args.engine:
        return run_engine(args.engine, args)
    worst = 0
    for engine in args.engines.split(","):
        child = [*sys.argv, "--engine", engine.strip()]
        worst = max(worst, subprocess.run([sys.executable, *child], cwd=ROOT).returncode)
    return worst


if __name__ == "__main__":
    sys.exit(main())
