"""T/CEC 102 interface throughput: status notifications/s and orders/s through gunicorn
over HTTP, p50/p95 latency, on SQLite and on PostgreSQL, against a same-run baseline (a
trivial JSON POST view on the same server and the same middleware path, /evcs/bench/echo).

    .venv/bin/python bench/interconnect.py [--engines sqlite,postgres] [--seconds 10]
        [--clients 8] [--workers N] [--rates 200[,300,...]]

For each engine: a fresh database (SQLite in a temporary folder; PostgreSQL: a database
created for the run on the ops/services server, dropped afterwards), migrate, one operator
with active credentials and 50 stations × 2 connectors pushed through the interface, then
gunicorn with ops/gunicorn.conf.py (sync workers, 2 per core) serves
`bench.interconnect_settings` (production settings). Envelopes (signed, encrypted,
unique TimeStamp/Seq) are built before timing, so the client's crypto is not measured;
the client runs in separate processes (bench/loadgen.py).

1. closed loop, `--clients` concurrent senders, `--seconds` each: baseline echo, status
   notifications (one connector per message, alternating status so history grows), orders
   (unique StartChargeSeq) → messages/s, p50, p95, failures (anything but HTTP 200 and
   Ret 0);
2. open loop at each of `--rates` status notifications/s offered for `--seconds`,
   latency counted from the moment each message was due → p50/p95.

Each line also gives CPU milliseconds per message of the gunicorn server (master and
workers), PostgreSQL ("database": all its processes, so other users of a shared server
count too; "its backends": only the backends connected to the run's database, a lower
bound when recycled workers' backends exit) and the client, so a busy machine can still
tell where the work goes. The load average is printed before and after each engine.

Target (exit 1 when missed): on PostgreSQL ≥ 300 status notifications/s closed loop and
p95 < 50 ms at 200/s offered with no failure. Exit 2 when the benchmark cannot run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import loadgen  # noqa: E402

STATIONS = 50
CLIENTS = 8
ECHO = "/evcs/bench/echo"  # under /evcs/: the same middleware path as the receiver
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


def start_server(env, port, log, workers=None):
    """gunicorn as production runs it: ops/gunicorn.conf.py (sync workers, 2 per core,
    unless `--workers` says otherwise)."""
    env = {**env, "PORTAL_WEB_WORKERS": str(workers)} if workers else env
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


def wait_ready(server, port, deadline=60):
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with {server.returncode}")
        try:
            if loadgen.post(port, ECHO, b'{"Data": ""}')[0] == 200:
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


def line(label, r, baseline_rate):
    bad = f", {len(r['failures'])} failed (e.g. {r['failures'][0]})" if r["failures"] else ""
    ratio = r["rate"] / baseline_rate if baseline_rate else 0
    cpu = ", ".join(f"{name} {ms:.2f}" for name, ms in r["cpu_ms"].items())
    return (
        f"  {label:<30} {r['rate']:7.0f}/s ({ratio:4.2f}× baseline)  p50 {r['p50']:6.1f} ms"
        f"  p95 {r['p95']:6.1f} ms  ({r['n']} messages{bad})\n"
        f"  {'':<30} CPU ms per message: {cpu}"
    )


def load() -> str:
    return "load average " + " ".join(f"{v:.1f}" for v in os.getloadavg())


def run_engine(engine, args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-interconnect-"))
    env = {k: v for k, v in os.environ.items() if k not in EXTERNAL_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.interconnect_settings",
        PORTAL_VAR_DIR=str(tmp / "var"),
        PORTAL_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # production settings (persistent database connections included), served over HTTP
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        PORTAL_FIELD_KEYS=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
    )
    (tmp / "var" / "media").mkdir(parents=True)
    database = server = backends = None
    try:
        if engine == "postgres":
            database = PostgresDatabase(services_database_url())
            database.create()
            env["DATABASE_URL"] = database.url
        creds = prepare(env)
        port = free_port()
        with open(tmp / "gunicorn.log", "wb") as log:
            server = start_server(env, port, log, args.workers)
            wait_ready(server, port)
            meters = {"server": lambda: loadgen.tree_cpu([server.pid])}
            if engine == "postgres":
                roots = loadgen.postgres_roots()
                meters["database"] = lambda: loadgen.tree_cpu(roots)
                backends = loadgen.BackendMeter(database.admin_url, database.name)
                meters["its backends"] = backends
            return measure(port, Messages(creds), creds, meters, args)
    finally:
        if backends is not None:
            backends.close()
        if server is not None and server.poll() is None:
            server.terminate()
            try:  # gunicorn gives requests in flight its graceful_timeout (30 s)
                server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if database is not None:
            database.drop()
        shutil.rmtree(tmp, ignore_errors=True)


def measure(port, messages, creds, meters, args) -> dict:
    login = messages.build(
        {"OperatorID": creds["operator_id"], "OperatorSecret": creds["operator_secret"]}
    )
    _, answer, _ = loadgen.post(port, "/evcs/v1/query_token", login)
    _, _, data = messages.envelope.open_response(answer, creds)
    token = data["AccessToken"]
    status_path = "/evcs/v1/notification_stationStatus"
    order_path = "/evcs/v1/notification_charge_order_info"
    closed = {"seconds": args.seconds, "clients": args.clients, "meters": meters}
    # Warm every worker (imports, database connection) before timing.
    warm = json.dumps({"Data": ""}).encode()
    loadgen.closed_loop(port, ECHO, [warm] * 400, "", 3, args.clients, meters)
    loadgen.closed_loop(port, status_path, status_bodies(messages, 400), token, 3, 8, meters)
    budget = int(args.seconds * 1500)
    echo = [json.dumps({"Data": "x" * 200}).encode()] * budget
    results = {}
    results["baseline (trivial JSON POST)"] = loadgen.closed_loop(port, ECHO, echo, "", **closed)
    statuses = status_bodies(messages, budget)
    results["notification_stationStatus"] = loadgen.closed_loop(
        port, status_path, statuses, token, **closed
    )
    orders = order_bodies(messages, budget, creds["operator_id"])
    results["notification_charge_order_info"] = loadgen.closed_loop(
        port, order_path, orders, token, **closed
    )
    for rate in args.rates:
        offered = status_bodies(messages, rate * args.seconds)
        results[f"status at {rate}/s offered"] = loadgen.open_loop(
            port, status_path, offered, token, rate, args.seconds, meters
        )
    return results


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
    parser.add_argument("--clients", type=int, default=CLIENTS, help="closed-loop senders")
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (default: ops/gunicorn.conf.py)"
    )
    parser.add_argument(
        "--rates", default=f"{OFFERED}", help="open-loop rates, comma-separated (e.g. 200,300)"
    )
    args = parser.parse_args()
    args.rates = [int(r) for r in args.rates.split(",") if r]
    verdict = 0
    for engine in args.engines.split(","):
        print(f"== {engine} ({load()})", flush=True)
        try:
            results = run_engine(engine, args)
        except Exception as exc:  # the benchmark itself could not run
            traceback.print_exc()
            print(f"  could not run: {exc}", file=sys.stderr)
            verdict = max(verdict, 2)
            continue
        baseline_rate = next(iter(results.values()))["rate"]
        for label, r in results.items():
            print(line(label, r, baseline_rate), flush=True)
        print(f"  after the run: {load()}", flush=True)
        if engine == "postgres":
            verdict = max(verdict, verdict_for(results))
    return verdict


def verdict_for(results) -> int:
    status = results["notification_stationStatus"]
    offered = results.get(f"status at {OFFERED}/s offered")
    if offered is None:
        print(f"  target not judged: {OFFERED}/s was not among the offered rates")
        return 0
    ok = (
        status["rate"] >= TARGET_RATE and offered["p95"] < TARGET_P95_MS and not offered["failures"]
    )
    print(
        f"  target: ≥ {TARGET_RATE}/s closed loop and p95 < {TARGET_P95_MS} ms at "
        f"{OFFERED}/s offered: {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
