"""Benchmark: archive text extraction — OCR throughput, and ingest from import to searchable.

Run with ``make bench`` (or ``.venv/bin/python bench/archive_extract.py``). The OCR part and
the embedded ingest need nothing but the virtualenv and the Noto CJK fonts (the sample
generators of cms/samples.py draw with them); ``--services`` repeats the ingest
on the real PostgreSQL, MinIO and OpenSearch of ``ops/services``. Everything happens in a
temporary folder (and, with ``--services``, a throwaway database, bucket prefix and index
prefix) that is removed afterwards. See bench/README.md.

What happens:

1. OCR, in this process: distinct document images are drawn (营业执照 with a different
   credit code each, 增值税电子普通发票 with a different invoice number in the QR code,
   电工进网作业许可证; the invoices and certificates carry a different 档案号 line each),
   saved as PNG. The OCR models are loaded and one throwaway image read first (both
   times printed, not counted). Then ``archive.extract.extract(path, "png")`` reads each
   image (PNG decode, QR scan, OCR); its wall time gives images/second and the per-image
   p50/p95. Every answer is checked: the credit code recognised on each licence
   (``archive.fields.recognise``), the invoice number from each QR code, each 档案号 in
   the text — a benchmark that measures garbage is worthless;
2. the same for scans saved as PDF (image-only pages: PDFium renders, then OCR), and the
   same-run baseline: PDFs with a text layer (Chinese and Latin lines, several pages),
   read by PDFium without OCR, in pages/second;
3. ingest end to end, on the embedded default: a fresh ``PORTAL_VAR_DIR`` with
   ``cms.settings.dev`` (``manage.py migrate``; variables pointing at PostgreSQL, S3 or
   OpenSearch removed), a folder of licence scans (PNG, and every third one an
   image-only PDF), then the real commands, timed from the start of the import until the
   worker has finished every entry: ``manage.py archive_import <folder> --kind licence
   --no-extract`` (check, store, one row each, queued) followed by ``manage.py db_worker
   --backend archive --queue-name '*' --batch --no-startup-delay`` (the background
   worker that ``make run`` starts). Every entry must be done with the right credit code.
   Baselines in the same run: the import alone (store and row, no extraction) and the
   start-up of a Django command that does nothing (``archive_retry --pending`` with an
   empty queue);
4. with ``--services``, step 3 again on PostgreSQL (a database created for the run and
   dropped after it), MinIO (a key prefix of the bucket, emptied after) and OpenSearch
   (index prefix ``bench_``, deleted after); afterwards every entry must be in the
   OpenSearch archive index.

Exit status 1 when the recognition accuracy is below ``--min-accuracy`` (default 90 %) or
an ingested file did not end up done (and, with ``--services``, indexed); 2 when the
benchmark itself could not run (fonts missing, services unreachable, a command failed).
There is no throughput target: the figures and their ratios to the baselines are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Variables that would point the portal at external services: removed for the
# embedded run, replaced by the benchmark's own for the services run.
EXTERNAL_ENV = (
    "DATABASE_URL",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_ADDRESSING_STYLE",
    "S3_LOCATION",
    "OPENSEARCH_URL",
    "OPENSEARCH_INDEX_PREFIX",
    "MEDIA_ROOT",
    "PORTAL_PRIVATE_ROOT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOWED_HOSTS",
)
SERVICE_ENV = (
    "DATABASE_URL",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_ADDRESSING_STYLE",
    "OPENSEARCH_URL",
)
INDEX_PREFIX = "bench_"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
COUNTIES = ["411502", "411503", "410102", "410105", "410302", "411102", "411302", "410702"]


class BenchError(RuntimeError):
    """The benchmark could not run (not a measurement failure)."""


# --------------------------------------------------------------------------- statistics


def pct(values: list[float], q: int) -> float:
    """The q-th percentile (linear interpolation between the closest ranks)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


# --------------------------------------------------------------------------- documents


@dataclass
class Doc:
    path: Path
    fmt: str
    kind: str  # licence | invoice | certificate
    credit_code: str = ""  # licences: what recognise() must find
    invoice_number: str = ""  # invoices: what the QR code says
    serial: str = ""  # invoices and certificates: the 档案号 line


@dataclass
class Read:
    doc: Doc
    seconds: float
    ok: bool
    detail: str = ""


def samples_module():
    try:
        from cms import samples
    except Exception as exc:  # segno/Pillow missing: not a measurement
        raise BenchError(f"cannot import cms/samples.py: {exc}") from exc
    if not samples.fonts_available():
        raise BenchError(f"the Noto CJK fonts are missing ({samples.FONT_DIR})")
    return samples


class Generator:
    """Distinct documents: nothing repeats, so no cache of any kind can help."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.used: set[str] = set()
        self.samples = samples_module()

    def _unique(self, make) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def credit_code(self) -> str:
        rng = self.rng
        return self._unique(
            lambda: self.samples.make_credit_code(
                f"91{rng.choice(COUNTIES)}MA" + "".join(rng.choice(ALPHABET) for _ in range(7))
            )
        )

    def digits(self, n: int) -> str:
        return self._unique(lambda: str(self.rng.randrange(10 ** (n - 1), 10**n)))

    def serial(self) -> str:
        return self._unique(lambda: f"DA2026{self.rng.randrange(10**6):06d}")

    def _stamp(self, img, xy, text: str, size: int):
        from PIL import ImageDraw

        s = self.samples
        ImageDraw.Draw(img).text(xy, text, font=s._font(s.SANS, size), fill=s.INK)
        return img

    def licence(self, folder: Path, name: str, *, as_pdf: bool = False) -> Doc:
        folder.mkdir(parents=True, exist_ok=True)
        code = self.credit_code()
        img = self.samples.licence_image(code)
        path = folder / f"{name}.{'pdf' if as_pdf else 'png'}"
        if as_pdf:
            path.write_bytes(self.samples.image_only_pdf(img))
        else:
            img.save(path, "PNG")
        return Doc(path, "pdf" if as_pdf else "png", "licence", credit_code=code)

    def invoice(self, folder: Path, name: str) -> Doc:
        number, serial = self.digits(8), self.serial()
        payload = f"01,10,044031900111,{number},1000.00,20260315,{self.digits(20)},A1B2"
        img = self._stamp(self.samples.invoice_image(payload), (1230, 1030), f"档案号 {serial}", 32)
        path = folder / f"{name}.png"
        img.save(path, "PNG")
        return Doc(path, "png", "invoice", invoice_number=number, serial=serial)

    def certificate(self, folder: Path, name: str) -> Doc:
        serial = self.serial()
        img = self._stamp(self.samples.certificate_image(), (400, 550), f"档案号：{serial}", 34)
        path = folder / f"{name}.png"
        img.save(path, "PNG")
        return Doc(path, "png", "certificate", serial=serial)

    def images(self, folder: Path, count: int) -> list[Doc]:
        """Half licences, a quarter invoices, a quarter certificates."""
        folder.mkdir(parents=True, exist_ok=True)
        docs = []
        for i in range(count):
            name = f"image-{i + 1:03d}"
            if i % 4 in (0, 2):
                docs.append(self.licence(folder, name))
            elif i % 4 == 1:
                docs.append(self.invoice(folder, name))
            else:
                docs.append(self.certificate(folder, name))
        return docs

    def text_pdfs(self, folder: Path, count: int, pages: int) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for i in range(count):
            content = []
            for page in range(pages):
                content.append(
                    [
                        f"建设补贴申请表（第 {page + 1} 页）",
                        f"统一社会信用代码 {self.credit_code()}",
                        f"Invoice number: {self.digits(8)}",
                        f"发票代码 {self.digits(12)} 金额 {self.rng.randrange(1000, 99999)}.00 元",
                        "充电基础设施建设补贴 竣工验收合格 产品合格证齐全",
                        "NB/T 33001-2018  GB/T 18487.1-2015",
                    ]
                )
            path = folder / f"text-{i + 1:03d}.pdf"
            path.write_bytes(self.samples.text_pdf(content))
            paths.append(path)
        return paths


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def check_read(doc: Doc, result) -> tuple[bool, str]:
    from archive.fields import recognise

    fields = recognise(doc.kind, result.text, result.qr_payloads)
    if doc.kind == "licence":
        found = fields.get("credit_code")
        return found == doc.credit_code, f"credit code {found!r}, drawn {doc.credit_code}"
    if doc.kind == "invoice":
        found = fields.get("invoice_number")
        ok = found == doc.invoice_number and doc.serial in squeeze(result.text)
        return ok, f"invoice number {found!r} (QR {doc.invoice_number}), 档案号 {doc.serial}"
    return doc.serial in squeeze(result.text), f"档案号 {doc.serial}"


# --------------------------------------------------------------------------- OCR


def ocr_bench(args, tmp: Path, gen: Generator) -> bool:
    print(
        f"drawing {args.images} images, {args.scans} scanned PDFs and {args.text_pdfs} "
        f"text PDFs ({args.pdf_pages} pages each) ...",
        flush=True,
    )
    docs = gen.images(tmp / "images", args.images)
    scans = [
        gen.licence(tmp / "scans", f"scan-{i + 1:03d}", as_pdf=True) for i in range(args.scans)
    ]
    texts = gen.text_pdfs(tmp / "text", args.text_pdfs, args.pdf_pages)
    warm = gen.certificate(tmp, "warm-up")

    started = time.perf_counter()
    from archive import extract as ex

    ex.warm_up()
    load = time.perf_counter() - started
    first = ex.extract(warm.path, "png").seconds

    reads: list[Read] = []
    for doc in docs:
        started = time.perf_counter()
        result = ex.extract(doc.path, doc.fmt)
        seconds = time.perf_counter() - started
        ok, detail = check_read(doc, result)
        reads.append(Read(doc, seconds, ok, detail))
    scan_reads: list[Read] = []
    for doc in scans:
        started = time.perf_counter()
        result = ex.extract(doc.path, "pdf")
        seconds = time.perf_counter() - started
        ok, detail = check_read(doc, result)
        ok = ok and result.method == "ocr"
        scan_reads.append(Read(doc, seconds, ok, f"{detail}, method {result.method}"))
    text_seconds, text_pages = [], 0
    for path in texts:
        started = time.perf_counter()
        result = ex.extract(path, "pdf")
        text_seconds.append(time.perf_counter() - started)
        text_pages += result.pages
        if result.method != "text-layer" or "建设补贴申请表" not in result.text:
            raise BenchError(f"{path.name}: text layer not read (method {result.method})")

    seconds = [r.seconds for r in reads]
    rate = len(reads) / sum(seconds)
    text_rate = text_pages / sum(text_seconds)
    print()
    print(
        f"OCR engine (rapidocr 3.10, PP-OCRv6 small, onnxruntime on {os.cpu_count()} cores): models "
        f"loaded in {load:.2f} s; first image {first:.2f} s (warm-up, not counted)"
    )
    by_kind: dict[str, list[float]] = {}
    for r in reads:
        by_kind.setdefault(r.doc.kind, []).append(r.seconds)
    kinds = ", ".join(
        f"{kind} {ms(statistics.median(v))} ({len(v)})" for kind, v in sorted(by_kind.items())
    )
    print(
        f"  OCR of PNG images: {len(reads)} in {sum(seconds):.1f} s = {rate:.2f} images/s; "
        f"per image p50 {ms(pct(seconds, 50))}, p95 {ms(pct(seconds, 95))}, "
        f"max {ms(max(seconds))} (median by kind: {kinds})"
    )
    if scan_reads:
        scan_seconds = [r.seconds for r in scan_reads]
        print(
            f"  scanned PDFs (image-only pages, PDFium render + OCR): {len(scan_reads)} pages "
            f"in {sum(scan_seconds):.1f} s = {len(scan_reads) / sum(scan_seconds):.2f} pages/s"
        )
    print(
        f"  baseline, PDF text layer (no OCR): {text_pages} pages in {sum(text_seconds):.2f} s "
        f"= {text_rate:.0f} pages/s; OCR reads {text_rate / rate:.0f}× fewer pages per second"
    )

    licences = [r for r in reads + scan_reads if r.doc.kind == "licence"]
    others = [r for r in reads if r.doc.kind != "licence"]
    good = sum(r.ok for r in licences)
    good_others = sum(r.ok for r in others)
    for r in reads + scan_reads:
        if not r.ok:
            print(f"  misread {r.doc.path.name}: {r.detail}")
    accuracy = (good + good_others) / max(1, len(licences) + len(others))
    passed = accuracy * 100 >= args.min_accuracy
    print(
        f"OCR recognition: credit code right on {good}/{len(licences)} licences; invoice "
        f"number (QR) and 档案号 right on {good_others}/{len(others)} invoices and "
        f"certificates; accuracy {accuracy:.0%} (target ≥ {args.min_accuracy:.0f} %) — "
        f"{'PASS' if passed else 'FAIL'}"
    )
    print(
        f"OCR throughput: {rate:.2f} images/s (p50 {ms(pct(seconds, 50))}, "
        f"p95 {ms(pct(seconds, 95))}); text-layer baseline {text_rate:.0f} pages/s"
    )
    return passed


# --------------------------------------------------------------------------- ingest

VERIFY = r"""
import json
import django

django.setup()
from archive import documents
from archive.models import ArchiveEntry
from django_tasks_db.models import DBTaskResult

rows = [
    {
        "id": e.pk,
        "name": e.original_name,
        "status": e.status,
        "error": e.error,
        "method": e.method,
        "credit_code": (e.fields or {}).get("credit_code"),
        "started": e.started_at.timestamp() if e.started_at else None,
        "finished": e.finished_at.timestamp() if e.finished_at else None,
        "stored": e.file.name,
    }
    for e in ArchiveEntry.objects.order_by("pk")
]
tasks = {}
for status in DBTaskResult.objects.values_list("status", flat=True):
    tasks[status] = tasks.get(status, 0) + 1
out = {"entries": rows, "tasks": tasks, "indexed": None}
if documents.is_configured():
    es = documents.client()
    documents.refresh(es)
    ids = [row["id"] for row in rows]
    found = es.mget(index=documents.alias_name(), body={"ids": ids}) if ids else {"docs": []}
    out["indexed"] = sum(1 for doc in found["docs"] if doc.get("found"))
    out["index"] = documents.aliased_indices(es)
print("BENCH-JSON " + json.dumps(out))
"""


@dataclass
class Ingest:
    label: str
    files: int
    migrate: float = 0.0
    noop: float = 0.0  # start-up of a Django command that does nothing
    imported: float = 0.0  # archive_import --no-extract
    worker: float = 0.0  # db_worker --batch
    total: float = 0.0  # import start → worker done
    first_start: float = 0.0  # worker launch → first entry started
    busy: float = 0.0  # first entry started → last entry finished
    problems: list[str] = field(default_factory=list)
    indexed: int | None = None


def manage(env: dict[str, str], *args: str, log: Path | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if log is not None:
        with open(log, "a") as fh:
            fh.write(f"$ manage.py {shlex.join(args)}\n{done.stdout}\n{done.stderr}\n")
    if done.returncode != 0:
        raise BenchError(
            f"manage.py {args[0]} failed ({done.returncode}):\n{done.stdout[-2000:]}\n"
            f"{done.stderr[-3000:]}"
        )
    return done.stdout


def verify(env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", VERIFY], cwd=ROOT, env=env, capture_output=True, text=True
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line.removeprefix("BENCH-JSON "))
    raise BenchError(f"reading the entries back failed:\n{done.stdout}\n{done.stderr[-3000:]}")


def ingest(label: str, env: dict[str, str], folder: Path, docs: list[Doc], log: Path) -> Ingest:
    result = Ingest(label, len(docs))
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", log=log)
    result.migrate = time.perf_counter() - started

    started = time.perf_counter()
    manage(env, "archive_retry", "--pending", log=log)  # nothing pending: start-up only
    result.noop = time.perf_counter() - started

    started = time.perf_counter()
    manage(env, "archive_import", str(folder), "--kind", "licence", "--no-extract", log=log)
    result.imported = time.perf_counter() - started
    launched_wall = time.time()
    launched = time.perf_counter()
    manage(
        env,
        "db_worker",
        "--backend",
        "archive",
        "--queue-name",
        "*",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        log=log,
    )
    finished = time.perf_counter()
    result.worker = finished - launched
    result.total = finished - started

    found = verify(env)
    entries = found["entries"]
    expected = {doc.path.name: doc for doc in docs}
    if len(entries) != len(docs):
        result.problems.append(f"{len(entries)} entries for {len(docs)} files")
    for entry in entries:
        doc = expected.get(entry["name"])
        if entry["status"] != "done":
            result.problems.append(f"{entry['name']}: {entry['status']} {entry['error']}")
        elif doc is None or entry["credit_code"] != doc.credit_code:
            drawn = doc.credit_code if doc else "?"
            result.problems.append(
                f"{entry['name']}: credit code {entry['credit_code']!r}, drawn {drawn}"
            )
    starts = [e["started"] for e in entries if e["started"]]
    ends = [e["finished"] for e in entries if e["finished"]]
    if starts and ends:
        result.first_start = min(starts) - launched_wall
        result.busy = max(ends) - min(starts)
    if found.get("indexed") is not None:
        result.indexed = found["indexed"]
        if result.indexed != len(entries):
            result.problems.append(
                f"{result.indexed} of {len(entries)} entries in the OpenSearch index"
            )
    unfinished = {k: v for k, v in found["tasks"].items() if k != "SUCCESSFUL"}
    if unfinished:
        result.problems.append(f"tasks not successful: {unfinished}")
    return result


def report_ingest(r: Ingest) -> None:
    per_second = r.files / r.total
    import_rate = r.files / r.imported
    print(
        f"  {r.label}: {r.files} files imported and read in {r.total:.1f} s = "
        f"{per_second:.2f} files/s end to end (import {r.imported:.1f} s, worker "
        f"{r.worker:.1f} s; the worker started its first file {r.first_start:.1f} s after "
        f"launch and read all in {r.busy:.1f} s = {r.files / max(r.busy, 1e-9):.2f} files/s)"
    )
    print(
        f"    baseline: import alone (check, store, row, queue) {import_rate:.2f} files/s; "
        f"end to end is {import_rate / per_second:.1f}× slower; a Django command that does "
        f"nothing takes {r.noop:.1f} s (migrate took {r.migrate:.0f} s)"
    )
    if r.indexed is not None:
        print(f"    OpenSearch: {r.indexed}/{r.files} entries in the archive index")
    for problem in r.problems:
        print(f"    PROBLEM: {problem}")


def embedded_env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in EXTERNAL_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        PORTAL_VAR_DIR=str(var),
        PORTAL_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    (var / "media").mkdir(parents=True, exist_ok=True)
    return env


# --------------------------------------------------------------------------- services


def read_services_env() -> dict[str, str]:
    """The services' variables: from the environment, else from `ops/services env`."""
    if all(os.environ.get(k) for k in ("DATABASE_URL", "S3_BUCKET", "OPENSEARCH_URL")):
        return {k: os.environ[k] for k in SERVICE_ENV if os.environ.get(k)}
    try:
        done = subprocess.run(
            [str(ROOT / "ops" / "services"), "env"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BenchError(f"`ops/services env` failed: {exc}") from exc
    found = {}
    for line in done.stdout.splitlines():
        parts = shlex.split(line)
        if len(parts) == 2 and parts[0] == "export" and "=" in parts[1]:
            key, value = parts[1].split("=", 1)
            found[key] = value
    missing = [k for k in ("DATABASE_URL", "S3_BUCKET", "OPENSEARCH_URL") if not found.get(k)]
    if missing:
        raise BenchError(f"`ops/services env` does not name {', '.join(missing)}")
    return {k: found[k] for k in SERVICE_ENV if found.get(k)}


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


class Services:
    """A throwaway database, bucket prefix and index prefix on the ops/services stack."""

    def __init__(self, values: dict[str, str], tag: str):
        self.values = values
        self.database = f"bench_ingest_{tag}"
        self.location = f"bench-ingest-{tag}"
        self.admin_url = with_database(values["DATABASE_URL"], "postgres")
        self.created = False
        self.bucket_ok = False
        self.indices_before: set[str] | None = None

    def _s3(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.values.get("S3_ENDPOINT_URL") or None,
            region_name=self.values.get("S3_REGION") or None,
            aws_access_key_id=self.values.get("S3_ACCESS_KEY_ID"),
            aws_secret_access_key=self.values.get("S3_SECRET_ACCESS_KEY"),
            config=Config(
                connect_timeout=3,
                read_timeout=30,
                s3={"addressing_style": self.values.get("S3_ADDRESSING_STYLE", "path")},
            ),
        )

    def _opensearch(self):
        from opensearchpy import OpenSearch

        return OpenSearch(hosts=[self.values["OPENSEARCH_URL"]], timeout=10, max_retries=0)

    def _bench_indices(self, es) -> set[str]:
        found = es.indices.get(
            index=f"{INDEX_PREFIX}*", allow_no_indices=True, expand_wildcards="all"
        )
        return set(found)

    def start(self) -> None:
        import psycopg

        hint = "start them with `ops/services start`"
        try:
            with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'CREATE DATABASE "{self.database}"')
                self.created = True
        except psycopg.Error as exc:
            raise BenchError(f"PostgreSQL: {exc}; {hint}") from exc
        try:
            self._s3().head_bucket(Bucket=self.values["S3_BUCKET"])
            self.bucket_ok = True
        except Exception as exc:
            raise BenchError(f"MinIO bucket {self.values['S3_BUCKET']}: {exc}; {hint}") from exc
        try:
            es = self._opensearch()
            es.info()
            self.indices_before = self._bench_indices(es)
        except Exception as exc:
            raise BenchError(f"OpenSearch: {exc}; {hint}") from exc

    def env(self, var: Path) -> dict[str, str]:
        env = embedded_env(var)
        env.update(self.values)
        env.update(
            DATABASE_URL=with_database(self.values["DATABASE_URL"], self.database),
            S3_LOCATION=self.location,
            OPENSEARCH_INDEX_PREFIX=INDEX_PREFIX,
        )
        return env

    def clean(self) -> list[str]:
        done = []
        if self.indices_before is not None:
            try:
                es = self._opensearch()
                for name in sorted(self._bench_indices(es) - self.indices_before):
                    if name.startswith(INDEX_PREFIX):
                        es.indices.delete(index=name, ignore_unavailable=True)
                        done.append(f"index {name}")
            except Exception as exc:
                print(f"could not delete the benchmark indexes: {exc}", file=sys.stderr)
        try:
            if not self.bucket_ok:
                raise LookupError("nothing stored")
            s3 = self._s3()
            bucket = self.values["S3_BUCKET"]
            count = 0
            for page in s3.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=f"{self.location}/"
            ):
                keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
                if keys:
                    s3.delete_objects(Bucket=bucket, Delete={"Objects": keys})
                    count += len(keys)
            if count:
                done.append(f"{count} objects under {bucket}/{self.location}/")
        except LookupError:
            pass
        except Exception as exc:
            print(f"could not delete the benchmark objects: {exc}", file=sys.stderr)
        if self.created:
            import psycopg

            try:
                with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
                done.append(f"database {self.database}")
            except psycopg.Error as exc:
                print(f"could not drop database {self.database}: {exc}", file=sys.stderr)
        return done


# --------------------------------------------------------------------------- run


def run(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-extract-"))
    services = None
    passed = True
    try:
        gen = Generator(args.seed)
        if args.services and args.files:  # fail fast, before the long parts
            services = Services(read_services_env(), uuid.uuid4().hex[:8])
            services.start()
        if args.images:
            passed = ocr_bench(args, tmp, gen) and passed

        if args.files:
            folder = tmp / "archive-scans"
            folder.mkdir()
            docs = [
                gen.licence(folder, f"licence-{i + 1:03d}", as_pdf=(i % 3 == 2))
                for i in range(args.files)
            ]
            pdfs = sum(doc.fmt == "pdf" for doc in docs)
            runs = []
            print()
            print(
                f"ingest of {len(docs)} licence scans ({len(docs) - pdfs} PNG, {pdfs} image-only "
                "PDF): archive_import --no-extract, then db_worker --batch ...",
                flush=True,
            )
            runs.append(
                ingest(
                    "embedded default (SQLite, local files, no OpenSearch)",
                    embedded_env(tmp / "embedded"),
                    folder,
                    docs,
                    tmp / "embedded.log",
                )
            )
            if services is not None:
                runs.append(
                    ingest(
                        f"services (PostgreSQL, MinIO, OpenSearch; database {services.database}, "
                        f"prefix {services.location}/, indexes {INDEX_PREFIX}*)",
                        services.env(tmp / "services"),
                        folder,
                        docs,
                        tmp / "services.log",
                    )
                )
            print()
            print("ingest end to end (import start → every entry read by the worker):")
            for r in runs:
                report_ingest(r)
            print(
                "ingest throughput: "
                + "; ".join(
                    f"{r.label.split(' (')[0]} {r.files / r.total:.2f} files/s end to end, "
                    f"import alone {r.files / r.imported:.2f} files/s"
                    + ("" if not r.problems else " — FAIL")
                    for r in runs
                )
            )
            passed = passed and not any(r.problems for r in runs)
            if args.verbose:
                for log in sorted(tmp.glob("*.log")):
                    print(log.read_text(errors="replace")[-4000:])
        return 0 if passed else 1
    finally:
        if services is not None:
            removed = services.clean()
            if removed:
                print(f"removed: {', '.join(removed)}")
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=24, help="PNG images to OCR (24; 0 skips)")
    parser.add_argument("--scans", type=int, default=4, help="image-only PDFs to OCR (4)")
    parser.add_argument("--text-pdfs", type=int, default=12, help="text-layer PDFs, baseline (12)")
    parser.add_argument("--pdf-pages", type=int, default=5, help="pages per text-layer PDF (5)")
    parser.add_argument("--files", type=int, default=12, help="files to ingest (12; 0 skips)")
    parser.add_argument(
        "--services",
        action="store_true",
        help="also ingest on PostgreSQL, MinIO and OpenSearch from ops/services",
    )
    parser.add_argument(
        "--min-accuracy", type=float, default=90, help="OCR accuracy target, percent (90)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--verbose", action="store_true", help="print the commands' output")
    args = parser.parse_args()
    if args.images and args.images < 4:
        parser.error("--images must be 0 or at least 4")
    if args.images and args.text_pdfs < 1:
        parser.error("--text-pdfs must be at least 1 (the baseline)")
    try:
        return run(args)
    except BenchError as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 2
    except Exception:  # a crash is no measurement either
        traceback.print_exc()
        print("benchmark could not run (unexpected error above)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
