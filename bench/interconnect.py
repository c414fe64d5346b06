"""T/CEC 102 interface throughput: status notifications/s and orders/s through gunicorn
over HTTP, p50/p95 latency, on SQLite and on PostgreSQL, against a same-run baseline (a
trivial JSON POST view on the same server).

    .venv/bin/python bench/interconnect.py [--engines sqlite,postgres] [--seconds 10]

For each engine: a fresh database (SQLite in a temporary folder; PostgreSQL: a database
created for the run on the ops/services server, dropped afterwards), migrate, one operator
with active credentials and 50 stations × 2 connectors pushed through the interface, then
gunicorn with ops/gunicorn.conf.py (sync workers, 2 per core) serves
`bench.interconnect_settings`. Envelopes (signed, encrypted,
unique TimeStamp/Seq) are built before timing, so the client's crypto is not measured.

1. closed loop, 4 client threads, `--seconds` each: baseline echo, status notifications
   (one connector per message, alternating status so history grows), orders (unique
   StartChargeSeq) → messages/s, p50, p95, failures (anything but HTTP 200 and Ret 0);
2. open loop at 200 status notifications/s offered for `--seconds` → p50/p95.

Target (exit 1 when missed): on PostgreSQL ≥ 300 status notifications/s closed loop and
p95 < 50 ms at 200/s offered. Exit 2 when the benchmark cannot run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
STATIONS = 50
THREADS = 4
OFFERED = 200
TARGET_RATE = 300
TARGET_P95_MS = 50
EXTERNAL_ENV = ("DATABASE_URL", "S3_BUCKET", "OPENSEARCH_URL", "DJANGO_SETTINGS_MODULE")


class BenchError(Exception):
    pass


SETUP = """
import json, sys
from accounts.models import Applicant
from interconnect import credentials, simulate
a = Applicant.objects.get(user__username="bench-operator")
p = credentials.activate(a, source="BENCH", operator_secret=credentials.random_secret(),
    sig_secret=credentials.random_secret(), data_secret=credentials.random_secret(),
    data_secret_iv=credentials.random_secret())
n, _, failures = simulate.run(p, stations=%d, orders=0)
assert not failures, failures
print(json.dumps({"operator_id": p.operator_id, **p.secrets()}))
"""


def manage(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BenchError(f"manage.py {args[0]} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return done.stdout


def credit_code() -> str:
    from stdnum.cn import uscc

    body = "91411502" + uuid.uuid4().hex[:9].upper().replace("I", "1").replace("O", "0")
    body = "".join(c if c in "0123456789ABCDEFGHJKLMNPQRTUWXY" else "1" for c in body)
    return body + uscc.calc_check_digit(body)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env) -> dict:
    manage(env, "migrate", "--noinput")
    manage(
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
        "411502",
    )
    out = manage(env, "shell", "-c", SETUP % STATIONS)
    return json.loads(out.strip().splitlines()[-1])


def start_server(env, port, log):
    """gunicorn as production runs it: ops/gunicorn.conf.py (sync workers, 2 per core)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "ops" / "gunicorn.conf.py"),
            "cms.wsgi:application",
        ],
        cwd=ROOT,
        env={**env, "PORTAL_WEB_BIND": f"127.0.0.1:{port}", "PORTAL_WEB_ACCESS_LOG": ""},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def post(port, path, body: bytes, token="") -> tuple[int, dict, float]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    elapsed = time.perf_counter() - started
    return response.status, json.loads(data or b"{}"), elapsed


def wait_ready(server, port, deadline=60):
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with {server.returncode}")
        try:
            if post(port, "/bench/echo", b'{"Data": ""}')[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise BenchError("gunicorn did not answer within 60 s")


class Messages:
    """Pre-built envelopes with unique (TimeStamp, Seq), all inside the ±5 min window."""

    def __init__(self, creds):
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
        django.setup()
        from interconnect import envelope

        self.envelope = envelope
        self.creds = creds
        self.counter = 0
        self.base = time.time()

    def build(self, payload) -> bytes:
        import datetime

        n = self.counter
        self.counter += 1
        moment = datetime.datetime.fromtimestamp(
            self.base + n // 9999, tz=datetime.timezone(datetime.timedelta(hours=8))
        )
        body = self.envelope.build_request(
            payload,
            operator_id=self.creds["operator_id"],
            timestamp=moment.strftime("%Y%m%d%H%M%S"),
            seq=f"{n % 9999 + 1:04d}",
            secrets=self.creds,
        )
        return json.dumps(body).encode()


def status_bodies(messages, count):
    """Each of the 100 connectors in turn (2 per station), alternating idle/charging."""
    bodies = []
    for i in range(count):
        cid = f"S{i % STATIONS + 1:04d}E{i // STATIONS % 2 + 1}C1"
        status = 3 if i // (2 * STATIONS) % 2 else 1
        bodies.append(
            messages.build({"ConnectorStatusInfo": {"ConnectorID": cid, "Status": status}})
        )
    return bodies


def order_bodies(messages, count, operator_id):
    import datetime

    from interconnect import simulate

    class P:
        pass

    platform = P()
    platform.operator_id = operator_id
    now = datetime.datetime.now(tz=datetime.timezone(datetime.timedelta(hours=8)))
    run = uuid.uuid4().int % 10**6
    bodies = []
    for i in range(count):
        payload = simulate.order(
            platform, f"S{i % STATIONS + 1:04d}E1C1", i + 1, now - datetime.timedelta(hours=1)
        )
        payload["StartChargeSeq"] = f"{operator_id}{run:06d}{i:012d}"
        bodies.append(messages.build(payload))
    return bodies


def closed_loop(port, path, bodies, token, seconds):
    latencies, failures, lock = [], [], threading.Lock()
    index = iter(range(len(bodies)))
    stop = time.monotonic() + seconds

    def worker():
        while time.monotonic() < stop:
            with lock:
                i = next(index, None)
            if i is None:
                return
            try:
                status, answer, elapsed = post(port, path, bodies[i], token)
            except OSError as exc:
                status, answer, elapsed = 0, {"Msg": str(exc)}, 30.0
            with lock:
                latencies.append(elapsed)
                if status != 200 or answer.get("Ret") != 0:
                    failures.append(f"{status} {answer.get('Ret')} {answer.get('Msg')}")

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summary(latencies, failures, time.monotonic() - started)


def open_loop(port, path, bodies, token, rate, seconds):
    latencies, failures, lock = [], [], threading.Lock()
    count = min(len(bodies), int(rate * seconds))
    started = time.monotonic()
    threads = []

    def one(i):
        started_one = time.perf_counter()
        try:
            status, answer, elapsed = post(port, path, bodies[i], token)
        except OSError as exc:
            status, answer, elapsed = 0, {"Msg": str(exc)}, time.perf_counter() - started_one
        with lock:
            latencies.append(elapsed)
            if status != 200 or answer.get("Ret") != 0:
                failures.append(f"{status} {answer.get('Ret')} {answer.get('Msg')}")

    for i in range(count):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        t = threading.Thread(target=one, args=(i,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    return summary(latencies, failures, time.monotonic() - started)


def summary(latencies, failures, seconds):
    ordered = sorted(latencies) or [0.0]
    return {
        "n": len(latencies),
        "rate": len(latencies) / seconds if seconds else 0,
        "p50": statistics.median(ordered) * 1000,
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
        "failures": failures,
    }


def line(label, r, baseline_rate):
    bad = f", {len(r['failures'])} failed (e.g. {r['failures'][0]})" if r["failures"] else ""
    ratio = r["rate"] / baseline_rate if baseline_rate else 0
    return (
        f"  {label:<28} {r['rate']:7.0f}/s ({ratio:4.2f}× baseline)  p50 {r['p50']:6.1f} ms"
        f"  p95 {r['p95']:6.1f} ms  ({r['n']} messages{bad})"
    )


def run_engine(engine, args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-interconnect-"))
    env = {k: v for k, v in os.environ.items() if k not in EXTERNAL_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.interconnect_settings",
        PORTAL_VAR_DIR=str(tmp / "var"),
        PORTAL_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        DATABASE_CONN_MAX_AGE="60",  # persistent connections, as production should run
    )
    (tmp / "var" / "media").mkdir(parents=True)
    database = None
    server = None
    try:
        if engine == "postgres":
            database = PostgresDatabase(services_database_url())
            database.create()
            env["DATABASE_URL"] = database.url
        creds = prepare(env)
        port = free_port()
        with open(tmp / "gunicorn.log", "wb") as log:
            server = start_server(env, port, log)
            wait_ready(server, port)
            messages = Messages(creds)
            login = messages.build(
                {"OperatorID": creds["operator_id"], "OperatorSecret": creds["operator_secret"]}
            )
            _, answer, _ = post(port, "/evcs/v1/query_token", login)
            _, _, data = messages.envelope.open_response(answer, creds)
            token = data["AccessToken"]
            # Warm every worker (imports, database connection, site cache) before timing.
            warm = json.dumps({"Data": ""}).encode()
            closed_loop(port, "/bench/echo", [warm] * 200, "", 5)
            status_path = "/evcs/v1/notification_stationStatus"
            closed_loop(port, status_path, status_bodies(messages, 200), token, 5)
            budget = int(args.seconds * 1500)
            echo = [json.dumps({"Data": "x" * 200}).encode()] * budget
            results = {
                "baseline (trivial JSON POST)": closed_loop(
                    port, "/bench/echo", echo, "", args.seconds
                ),
                "notification_stationStatus": closed_loop(
                    port,
                    "/evcs/v1/notification_stationStatus",
                    status_bodies(messages, budget),
                    token,
                    args.seconds,
                ),
                "notification_charge_order_info": closed_loop(
                    port,
                    "/evcs/v1/notification_charge_order_info",
                    order_bodies(messages, budget, creds["operator_id"]),
                    token,
                    args.seconds,
                ),
                f"status at {OFFERED}/s offered": open_loop(
                    port,
                    "/evcs/v1/notification_stationStatus",
                    status_bodies(messages, OFFERED * args.seconds),
                    token,
                    OFFERED,
                    args.seconds,
                ),
            }
        return results
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
        if database is not None:
            database.drop()
        shutil.rmtree(tmp, ignore_errors=True)


def services_database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    done = subprocess.run(
        [str(ROOT / "ops" / "services"), "env"], capture_output=True, text=True, timeout=60
    )
    for token in done.stdout.replace("export ", "").split():
        if token.startswith("DATABASE_URL="):
            return token.split("=", 1)[1].strip("'\"")
    raise BenchError("DATABASE_URL not set and `ops/services env` does not name it")


class PostgresDatabase:
    def __init__(self, url):
        self.name = f"bench_interconnect_{uuid.uuid4().hex[:8]}"
        parts = urlsplit(url)
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))

    def create(self):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    verdict = 0
    for engine in args.engines.split(","):
        print(f"== {engine}", flush=True)
        try:
            results = run_engine(engine, args)
        except Exception as exc:  # the benchmark itself could not run
            print(f"  could not run: {exc}", file=sys.stderr)
            verdict = max(verdict, 2)
            continue
        baseline_rate = next(iter(results.values()))["rate"]
        for label, r in results.items():
            print(line(label, r, baseline_rate), flush=True)
        if engine == "postgres":
            status = results["notification_stationStatus"]
            offered = results[f"status at {OFFERED}/s offered"]
            ok = status["rate"] >= TARGET_RATE and offered["p95"] < TARGET_P95_MS
            print(
                f"  target: ≥ {TARGET_RATE}/s closed loop and p95 < {TARGET_P95_MS} ms at "
                f"{OFFERED}/s offered: {'met' if ok else 'MISSED'}"
            )
            if not ok:
                verdict = max(verdict, 1)
    return verdict


if __name__ == "__main__":
    sys.exit(main())
