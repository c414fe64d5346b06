"""Benchmark: upload a 200 MB PDF through the HTTP API and measure the web process.

Run with ``make bench`` (or ``.venv/bin/python bench/upload_memory.py``). Needs nothing
but the virtualenv: everything runs on the embedded default (SQLite, local private
storage), in a temporary folder that is removed afterwards. See bench/README.md.

What happens:

1. a throwaway ``PORTAL_VAR_DIR``: ``manage.py migrate``, then ``create_applicant`` for
   an operator with an API token;
2. the PDFs are written to disk in 1 MiB pieces (a valid one-page PDF whose bulk is one
   unreferenced stream object), their SHA-256 computed on the way;
3. gunicorn serves ``cms.wsgi`` with one sync worker, one thread;
4. through the API: create a 建站资料 application, one tiny warm-up upload, then a
   64 KB reference upload, the baseline uploads and the measured uploads. For each, the worker's peak RSS is reset
   (``/proc/<pid>/clear_refs``) and read back (``VmHWM``) afterwards, and ``VmRSS`` is
   sampled every 50 ms as a cross-check. The body is streamed from disk with an exact
   Content-Length, so the client never holds the file either;
5. a raw disk copy of the big file gives the throughput baseline.

Exit status 1 when the measured upload grows the worker's peak RSS by the limit or more
(default 50 MB), 2 when the benchmark itself could not run.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
CHUNK = MIB

API = "/api/v1"
KIND = "station_dossier"
MATERIAL = "completion-acceptance-report"  # 竣工验收报告, pdf only
DETAIL = {
    "station_name": "基准测试充电站",
    "started_on": "2025-03-01",
    "completed_on": "2025-06-30",
    "manager": "张三",
    "manager_phone": "13800138000",
    "filed_name": "基准测试充电站",
    "filed_address": "河南省信阳市浉河区测试路1号",
}
REGION = "411502"  # 浉河区, 信阳市

# Variables that would point the portal at external services; the benchmark always
# runs on the embedded default so that its figures are reproducible.
EXTERNAL_ENV = (
    "DATABASE_URL",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "OPENSEARCH_URL",
    "MEDIA_ROOT",
    "PORTAL_PRIVATE_ROOT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOWED_HOSTS",
)


class BenchError(RuntimeError):
    """The benchmark could not run (not a measurement failure)."""


# --------------------------------------------------------------------------- PDFs


def write_pdf(path: Path, size: int) -> str:
    """Write a valid one-page PDF of exactly ``size`` bytes; return its SHA-256.

    The page shows one line of text. The bulk is an unreferenced stream object (never
    parsed or rendered), written 1 MiB at a time, so neither this process nor the
    upload checks ever need the file in memory. The xref table has exact offsets, so
    PDFium does not fall back to scanning the whole file.
    """
    digest = hashlib.sha256()
    offsets: dict[int, int] = {}
    written = 0

    def put(data: bytes) -> None:
        nonlocal written
        out.write(data)
        digest.update(data)
        written += len(data)

    def obj(number: int, body: bytes) -> None:
        offsets[number] = written
        put(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    content = b"BT /F1 24 Tf 72 760 Td (Upload benchmark) Tj ET"
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    objects = [
        (1, b"<< /Type /Catalog /Pages 2 0 R >>"),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        (
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
        ),
        (4, b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"),
        (5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
    ]
    bulk_open = b"6 0 obj\n<< /Length %d >>\nstream\n"
    bulk_close = b"\nendstream\nendobj\n"
    xref_len = len(b"xref\n0 7\n") + 7 * 20
    trailer_fixed = b"trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n"

    # Size of everything except the bulk payload (the Length and startxref digits
    # depend on the payload size, so settle them by iterating).
    fixed = len(head) + sum(len(b"%d 0 obj\n" % n + b + b"\nendobj\n") for n, b in objects)
    payload = 0
    for _ in range(5):
        xref_at = fixed + len(bulk_open % payload) + payload + len(bulk_close)
        tail = len(trailer_fixed) + len(b"%d\n%%%%EOF\n" % xref_at)
        overhead = fixed + len(bulk_open % payload) + len(bulk_close) + xref_len + tail
        payload = size - overhead
    if payload < 0:
        raise BenchError(f"{size} bytes is too small for the benchmark PDF")

    block = os.urandom(CHUNK)  # incompressible, so no layer can shrink it
    with open(path, "wb") as out:
        put(head)
        for number, body in objects:
            obj(number, body)
        offsets[6] = written
        put(bulk_open % payload)
        left = payload
        while left:
            piece = block[: min(left, CHUNK)]
            put(piece)
            left -= len(piece)
        put(bulk_close)
        xref_at = written
        put(b"xref\n0 7\n0000000000 65535 f \n")
        for number in range(1, 7):
            put(b"%010d 00000 n \n" % offsets[number])
        put(trailer_fixed + b"%d\n%%%%EOF\n" % xref_at)
    if written != size:
        raise BenchError(f"PDF generator wrote {written} bytes, expected {size}")
    return digest.hexdigest()


def check_pdf(path: Path) -> float:
    """Open the PDF with PDFium and render page 1 small; returns seconds taken."""
    import pypdfium2 as pdfium

    started = time.perf_counter()
    pdf = pdfium.PdfDocument(str(path))
    try:
        if len(pdf) != 1:
            raise BenchError(f"{path.name}: expected 1 page, PDFium sees {len(pdf)}")
        page = pdf[0]
        page.render(scale=0.5).close()
        page.close()
    finally:
        pdf.close()
    return time.perf_counter() - started


# --------------------------------------------------------------------------- /proc


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM of ``pid`` in bytes."""
    values = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024  # kB
    return values


def reset_peak(pid: int) -> bool:
    """Reset the peak RSS (VmHWM) of ``pid`` to its current RSS (Linux >= 4.0)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may contain spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return sorted(found)


class RssSampler(threading.Thread):
    """Highest VmRSS of ``pid`` seen, sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.peak = max(self.peak, proc_status(self.pid)["VmRSS"])
                self.samples += 1
            except (OSError, KeyError):
                return
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


# --------------------------------------------------------------------------- HTTP


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request_json(port: int, method: str, path: str, *, token: str = "", body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw[:500].decode("utf-8", "replace")
        return response.status, payload
    finally:
        conn.close()


@dataclass
class UploadResult:
    size: int
    seconds: float
    send_seconds: float  # until the last body byte was handed to the socket
    status: int
    payload: object
    rss_before: int
    hwm_after: int
    sampled_peak: int
    samples: int
    hwm_reset: bool
    hwm_before: int

    @property
    def growth(self) -> int:
        """Peak RSS growth during the upload (bytes)."""
        if self.hwm_reset:
            return max(self.hwm_after - self.rss_before, 0)
        return max(self.hwm_after - self.hwm_before, 0)

    @property
    def sampled_growth(self) -> int:
        return max(self.sampled_peak - self.rss_before, 0)

    @property
    def throughput(self) -> float:
        return self.size / MIB / self.seconds


def upload(port: int, token: str, reference: str, path: Path, worker: int) -> UploadResult:
    """POST the file as multipart/form-data, streamed from disk with an exact length."""
    boundary = f"----bench{uuid.uuid4().hex}"
    pre = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="requirement"\r\n\r\n'
        f"{MATERIAL}\r\n"
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    post = f"\r\n--{boundary}--\r\n".encode()
    size = path.stat().st_size

    status_before = proc_status(worker)
    hwm_reset = reset_peak(worker)
    rss_before = proc_status(worker)["VmRSS"]
    sampler = RssSampler(worker)
    sampler.start()

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        started = time.perf_counter()
        conn.putrequest("POST", f"{API}/applications/{reference}/attachments")
        conn.putheader("Authorization", f"Bearer {token}")
        conn.putheader("Accept", "application/json")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(len(pre) + size + len(post)))
        conn.endheaders()
        conn.send(pre)
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                conn.send(chunk)
        conn.send(post)
        sent = time.perf_counter()
        response = conn.getresponse()
        raw = response.read()
        finished = time.perf_counter()
    finally:
        conn.close()
        sampled_peak = sampler.stop()

    hwm_after = proc_status(worker)["VmHWM"]
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = raw[:500].decode("utf-8", "replace")
    return UploadResult(
        size=size,
        seconds=finished - started,
        send_seconds=sent - started,
        status=response.status,
        payload=payload,
        rss_before=rss_before,
        hwm_after=hwm_after,
        sampled_peak=max(sampled_peak, rss_before),
        samples=sampler.samples,
        hwm_reset=hwm_reset,
        hwm_before=status_before["VmHWM"],
    )


def check_upload(result: UploadResult, sha256: str, label: str) -> None:
    if result.status not in (200, 201):
        raise BenchError(f"{label}: HTTP {result.status}: {result.payload}")
    returned = result.payload.get("sha256") if isinstance(result.payload, dict) else None
    if returned != sha256:
        raise BenchError(f"{label}: server sha256 {returned!r} != file sha256 {sha256}")


# --------------------------------------------------------------------------- setup


def portal_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in EXTERNAL_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        PORTAL_VAR_DIR=str(tmp / "var"),
        PORTAL_MAX_UPLOAD_MB="300",
        PORTAL_LOG_LEVEL="WARNING",
        TMPDIR=str(tmp / "uploads"),  # Django spools request files here
        PYTHONUNBUFFERED="1",
    )
    (tmp / "uploads").mkdir(exist_ok=True)
    # /healthz reports the local storage "down" until MEDIA_ROOT exists.
    (tmp / "var" / "media").mkdir(parents=True, exist_ok=True)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BenchError(
            f"manage.py {args[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def credit_code() -> str:
    """A valid 统一社会信用代码 (GB 32100) for the benchmark operator."""
    from stdnum.cn import uscc

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
    body = "91411502MA" + "".join(secrets.choice(alphabet) for _ in range(7))
    return body + uscc.calc_check_digit(body)


def create_token(env: dict[str, str]) -> str:
    out = manage(
        env,
        "create_applicant",
        "--username",
        "bench-operator",
        "--password",
        f"Bench-{uuid.uuid4().hex}",
        "--kind",
        "operator",
        "--name",
        "基准测试充电运营有限公司",
        "--credit-code",
        credit_code(),
        "--contact",
        "张三",
        "--mobile",
        "13800138000",
        "--region",
        REGION,
        "--token",
    )
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    if not lines:
        raise BenchError("create_applicant printed no token")
    return lines[-1]


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    logfile = open(log, "wb")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "1",
            "--worker-class",
            "sync",
            "--timeout",
            "600",
        ],
        cwd=ROOT,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
    )


def wait_ready(server: subprocess.Popen, port: int, deadline: float = 60) -> int:
    """Wait for /healthz; returns the worker's pid."""
    until = time.monotonic() + deadline
    last = None
    while time.monotonic() < until:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with {server.returncode}")
        try:
            status, last = request_json(port, "GET", "/healthz")
            if status == 200:
                workers = children_of(server.pid)
                if len(workers) == 1:
                    return workers[0]
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"/healthz did not report healthy within {deadline:.0f} s: {last}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --------------------------------------------------------------------------- run


def mb(n: float) -> str:
    return f"{n / MIB:.1f} MB"


def measure(port, token, reference, worker, path, sha256, label, repeat):
    results = []
    for _ in range(repeat):
        result = upload(port, token, reference, path, worker)
        check_upload(result, sha256, label)
        results.append(result)
    return results


def disk_copy_speed(path: Path, repeat: int) -> float:
    """Median MB/s of copying ``path`` to a sibling file (page cache, like the upload)."""
    speeds = []
    target = path.with_name("copy.tmp")
    for _ in range(repeat):
        started = time.perf_counter()
        shutil.copyfile(path, target)
        speeds.append(path.stat().st_size / MIB / (time.perf_counter() - started))
        target.unlink()
    return statistics.median(speeds)


def report_row(label: str, results: list[UploadResult]) -> str:
    worst = max(results, key=lambda r: r.growth)
    return (
        f"  {label:>8}: peak RSS growth {mb(worst.growth)} (max of {len(results)}; "
        f"50 ms RSS samples {mb(max(r.sampled_growth for r in results))}), "
        f"{statistics.median(r.seconds for r in results):.2f} s, "
        f"{statistics.median(r.throughput for r in results):.0f} MB/s "
        f"(median; body sent in {statistics.median(r.send_seconds for r in results):.2f} s)"
    )


def run(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    server = None
    try:
        env = portal_env(tmp)
        big, small, tiny = tmp / "big.pdf", tmp / "baseline.pdf", tmp / "tiny.pdf"

        print(f"writing {args.size} MB and {args.baseline} MB PDFs in {tmp} ...", flush=True)
        hashes = {
            big: write_pdf(big, args.size * MIB),
            small: write_pdf(small, args.baseline * MIB),
            tiny: write_pdf(tiny, 64 * 1024),
        }
        for path in (tiny, small, big):
            check_pdf(path)

        print("migrating a fresh SQLite database, starting gunicorn ...", flush=True)
        manage(env, "migrate", "--noinput")
        token = create_token(env)
        port = free_port()
        server = start_server(env, port, tmp / "gunicorn.log")
        worker = wait_ready(server, port)

        status, payload = request_json(
            port, "POST", f"{API}/applications", token=token, body={"kind": KIND, "detail": DETAIL}
        )
        if status not in (200, 201) or not isinstance(payload, dict):
            raise BenchError(f"creating the application: HTTP {status}: {payload}")
        reference = payload["reference"]

        # Warm-up: imports, PDFium, Pillow, the first queries.
        check_upload(upload(port, token, reference, tiny, worker), hashes[tiny], "warm-up")
        print(f"uploading to {reference} ({args.repeat}× each) ...", flush=True)
        fixed = measure(port, token, reference, worker, tiny, hashes[tiny], "64 KB", 1)
        base = measure(
            port, token, reference, worker, small, hashes[small], "baseline", args.repeat
        )
        main = measure(port, token, reference, worker, big, hashes[big], "measured", args.repeat)
        disk = disk_copy_speed(big, args.repeat)

        growth = max(r.growth for r in main)
        base_growth = max(r.growth for r in base)
        speed = statistics.median(r.throughput for r in main)
        passed = growth < args.limit * MIB
        how = "VmHWM reset before each upload" if main[0].hwm_reset else "VmHWM difference"
        ratio = growth / base_growth if base_growth else float("inf")

        print()
        print(
            f"web process: gunicorn, 1 sync worker (pid {worker}), "
            f"RSS {mb(main[-1].rss_before)} at rest; peak RSS growth = {how}"
        )
        print(report_row("64 KB", fixed))
        print(report_row(f"{args.baseline} MB", base))
        print(report_row(f"{args.size} MB", main))
        print()
        print(
            f"upload {args.size} MB PDF via API: peak RSS growth {mb(growth)} "
            f"(target < {args.limit} MB) — {'PASS' if passed else 'FAIL'}, "
            f"throughput {speed:.0f} MB/s"
        )
        print(
            f"baseline {args.baseline} MB: growth {mb(base_growth)}; growth ratio "
            f"{args.size}MB/{args.baseline}MB = {ratio:.2f}; disk copy {disk:.0f} MB/s; "
            f"API/disk = {speed / disk:.2f}"
        )
        return 0 if passed else 1
    finally:
        if server is not None:
            stop_server(server)
            if args.verbose:
                print((tmp / "gunicorn.log").read_text(errors="replace")[-5000:])
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=200, help="measured upload, MB (200)")
    parser.add_argument("--baseline", type=int, default=20, help="baseline upload, MB (20)")
    parser.add_argument("--limit", type=int, default=50, help="peak RSS growth limit, MB (50)")
    parser.add_argument("--repeat", type=int, default=3, help="uploads per size (3, max 4)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--verbose", action="store_true", help="print the server log")
    args = parser.parse_args()
    if not 1 <= args.repeat <= 4:  # the material accepts at most 10 files
        parser.error("--repeat must be between 1 and 4")
    try:
        return run(args)
    except BenchError as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
