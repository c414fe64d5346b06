"""Benchmark: the 联办申请表 (附件3) as a PDF, against WeasyPrint's own floor.

Run with ``make bench`` (or ``.venv/bin/python bench/document_pdf.py``). Needs only the
virtualenv and the system libraries of ``ops/pdf`` (pango, a CJK font): a SQLite database
in a temporary folder is migrated, one 充电桩报装一件事 application with every part of the
form filled is written, and then, after one warm-up each,

* baseline: WeasyPrint turning a one-line page in the same CJK font into a PDF (parsing,
  font lookup, subsetting and embedding: the floor any document pays), and
* document: ``documents.rendering.render_pdf`` of the application form (queries, the
  template, the QR code, layout of the ticked-box tables, the PDF),

are each timed ``--samples`` times, alternating. Exit 1 when the document's median is
300 ms or more, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_MS = 300.0


class BenchError(Exception):
    pass


def prepare(tmp: Path) -> None:
    for key in ("DATABASE_URL", "S3_BUCKET", "OPENSEARCH_URL", "REDIS_URL", "CACHE_URL"):
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


def make_application():
    from django.contrib.auth import get_user_model

    from accounts.models import Applicant
    from applications.models import Application, JointInstallation
    from catalogue.models import ApplicationKind, ServiceItem
    from regions.models import Region

    region = Region.objects.get(code="411502")
    user = get_user_model().objects.create_user("bench-applicant", password=None)
    applicant = Applicant.objects.create(
        user=user,
        kind="operator",
        name="信阳基准测试充电科技有限公司",
        credit_code="91411502MA44XYZ12X",
        contact_name="张伟",
        mobile="13812345678",
        region=region,
        status=Applicant.Status.ACTIVE,
    )
    application = Application.objects.create(
        applicant=applicant, kind=ApplicationKind.JOINT_INSTALLATION, region=region
    )
    application.items.set(
        ServiceItem.objects.filter(
            code__in=[
                "xy-low-voltage-non-resident",
                "xy-road-occupation-excavation",
                "xy-traffic-safety-road-works",
                "xy-green-space-trees",
            ]
        )
    )
    JointInstallation.objects.create(
        application=application,
        applicant_name=applicant.name,
        tenure="owned",
        contact_name="张伟",
        contact_phone="13812345678",
        address="信阳市浉河区新华路 1 号",
        business="new_build",
        survey_date=date(2026, 6, 15),
        survey_half_day="am",
        power_use="commercial",
        capacity_kva=Decimal("250.0"),
        expected_power_date=date(2026, 9, 1),
        project_code="2026-411502-44-01-000001",
        construction_address="信阳市浉河区新华路 1 号",
        construction_company="信阳城建电力工程有限公司",
        construction_contact="李强 13912345678",
        works_description="敷设低压电缆 120 米，新建充电桩 8 台",
        occupation_reason="敷设充电桩电缆",
        occupation_start=date(2026, 7, 1),
        occupation_end=date(2026, 7, 10),
        road_type="arterial",
        road_name="新华路",
        road_address="信阳市浉河区新华路",
        green_address="新华路绿化带",
        green_nature="公共绿地",
        green_length_m=Decimal("5.00"),
        green_width_m=Decimal("1.20"),
        delivery="post",
        postal_address="信阳市平桥区中山路 8 号",
    )
    return application


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def run(samples: int) -> int:
    from weasyprint import HTML

    from documents.kinds import KINDS, select
    from documents.rendering import FONT_FAMILY, render_pdf

    application = make_application()
    kind = KINDS["application_form"]
    issued, reason = select(kind, application)
    if issued is None:
        raise BenchError(reason)
    floor_html = (
        f"<html><head><style>body {{ font-family: {FONT_FAMILY} }}</style></head>"
        "<body><h1>充电桩报装一件事</h1></body></html>"
    )

    def baseline():
        HTML(string=floor_html).write_pdf()

    def document():
        render_pdf(kind, application, issued)

    baseline()
    document()
    base_ms, doc_ms = [], []
    for _ in range(samples):
        base_ms.append(timed(baseline))
        doc_ms.append(timed(document))
    size = len(render_pdf(kind, application, issued))
    base, doc = statistics.median(base_ms), statistics.median(doc_ms)
    print(f"baseline (one-line CJK page)  median {base:7.1f} ms  max {max(base_ms):7.1f} ms")
    print(
        f"联办申请表 PDF ({size // 1024} KiB)   median {doc:7.1f} ms  max {max(doc_ms):7.1f} ms"
        f"  = {doc / base:.2f}× baseline"
    )
    ok = doc < TARGET_MS
    print(f"target: median < {TARGET_MS:.0f} ms — {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-documents-") as tmp:
            prepare(Path(tmp))
            return run(args.samples)
    except BenchError as exc:
        print(f"bench/document_pdf.py could not run: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # pango or the font missing
        print(f"bench/document_pdf.py could not run: {exc} (run ops/pdf install)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
