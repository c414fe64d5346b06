"""HTTP load for bench/interconnect.py, and where the CPU goes.

The client runs in its own processes (forked after the request bodies are built, so the
bodies are shared, not copied), each with a few threads, instead of threads in the
benchmark's own process: on a 2-core machine a single Python process creating a thread
per request fought the server for the GIL-bound client work and fell behind the
schedule it was meant to keep. The client does what an operator platform does per
message (a new HTTP connection — gunicorn's sync workers close it after each answer —,
the POST, reading and parsing the JSON answer); only the signing and encryption of the
bodies happens before the timed window.

Open loop: message i is due at `begin + i / rate`; its latency is counted from that
moment, so any lag of the client itself counts against the server (no coordinated
omission). CPU seconds per message are read from /proc for the gunicorn master and its
workers (reaped workers included through the master's cutime), the PostgreSQL server's
processes and the client processes.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import statistics
import threading
import time
from pathlib import Path

FORK = multiprocessing.get_context("fork")
TICK = os.sysconf("SC_CLK_TCK")
PROCESSES = 2


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
    return response.status, json.loads(data or b"{}"), time.perf_counter() - started


def _failure(status, answer) -> str | None:
    if status != 200 or answer.get("Ret") != 0:
        return f"{status} {answer.get('Ret')} {answer.get('Msg')}"
    return None


def _send(port, path, body, token):
    try:
        status, answer, _ = post(port, path, body, token)
    except OSError as exc:
        status, answer = 0, {"Msg": str(exc)}
    return _failure(status, answer)


def _cpu_now() -> float:
    t = os.times()
    return t.user + t.system


def _closed_child(conn, port, path, bodies, token, begin, seconds, threads):
    latencies, failures, lock = [], [], threading.Lock()
    index = iter(range(len(bodies)))
    stop = begin + seconds

    def worker():
        while time.monotonic() < stop:
            with lock:
                i = next(index, None)
            if i is None:
                return
            started = time.monotonic()
            failure = _send(port, path, bodies[i], token)
            with lock:
                latencies.append(time.monotonic() - started)
                if failure:
                    failures.append(failure)

    _until(begin)
    cpu = _cpu_now()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    conn.send((latencies, failures, time.monotonic(), _cpu_now() - cpu))


def _open_child(conn, port, path, bodies, token, begin, rate, threads, offset, step):
    latencies, failures, lock = [], [], threading.Lock()
    index = iter(range(offset, len(bodies), step))

    def worker():
        while True:
            with lock:
                i = next(index, None)
            if i is None:
                return
            due = begin + i / rate
            _until(due)
            failure = _send(port, path, bodies[i], token)
            with lock:
                latencies.append(time.monotonic() - due)  # from the moment it was due
                if failure:
                    failures.append(failure)

    _until(begin)
    cpu = _cpu_now()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    conn.send((latencies, failures, time.monotonic(), _cpu_now() - cpu))


def _until(moment):
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def _run(children, begin, meters):
    before = {name: meter() for name, meter in meters.items()}
    pipes = []
    for target, args in children:
        parent, child = FORK.Pipe(duplex=False)
        process = FORK.Process(target=target, args=(child, *args))
        process.start()
        pipes.append((parent, process))
    latencies, failures, ended, client_cpu = [], [], begin, 0.0
    for parent, process in pipes:
        lat, fail, end, cpu = parent.recv()
        process.join()
        latencies += lat
        failures += fail
        ended = max(ended, end)
        client_cpu += cpu
    cpu = {name: meter() - before[name] for name, meter in meters.items()}
    cpu["client"] = client_cpu
    return summary(latencies, failures, ended - begin, cpu)


def closed_loop(port, path, bodies, token, seconds, clients, meters):
    """`clients` concurrent senders, each sending its next message when answered."""
    begin = time.monotonic() + 0.3
    per = max(1, clients // PROCESSES)
    children = [
        (_closed_child, (port, path, bodies[p::PROCESSES], token, begin, seconds, per))
        for p in range(PROCESSES)
    ]
    return _run(children, begin, meters)


def open_loop(port, path, bodies, token, rate, seconds, meters, threads=32):
    """`rate` messages per second on a fixed schedule, whatever the answers take."""
    count = min(len(bodies), int(rate * seconds))
    begin = time.monotonic() + 0.3
    children = [
        (_open_child, (port, path, bodies[:count], token, begin, rate, threads, p, PROCESSES))
        for p in range(PROCESSES)
    ]
    return _run(children, begin, meters)


def summary(latencies, failures, seconds, cpu):
    ordered = sorted(latencies) or [0.0]
    n = len(latencies)
    return {
        "n": n,
        "rate": n / seconds if seconds else 0,
        "p50": statistics.median(ordered) * 1000,
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
        "failures": failures,
        "cpu_ms": {name: value / n * 1000 if n else 0 for name, value in cpu.items()},
    }


# --- CPU seconds of process trees, from /proc ------------------------------------------


def _stat(pid) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return [text[: text.rindex(")") + 1], *text[text.rindex(")") + 2 :].split()]


def _processes() -> dict[int, tuple[str, int, float]]:
    """pid -> (name, parent pid, own + reaped children's CPU seconds)."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat(entry.name)
        if fields is None:
            continue
        name = fields[0].split("(", 1)[1].rstrip(")")
        # fields[1:] start at "state" (field 3): ppid is 4, utime..cstime are 14..17
        ppid = int(fields[2])
        ticks = sum(int(v) for v in fields[12:16])
        found[int(entry.name)] = (name, ppid, ticks / TICK)
    return found


def tree_cpu(root_pids) -> float:
    """CPU seconds of the processes under `root_pids` (live ones and reaped ones)."""
    table = _processes()
    children: dict[int, list[int]] = {}
    for pid, (_, ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [p for p in root_pids if p in table]
    while todo:
        pid = todo.pop()
        total += table[pid][2]
        todo += children.get(pid, [])
    return total


def postgres_roots() -> list[int]:
    """The postmaster(s): `postgres` processes whose parent is not one."""
    table = _processes()
    return [
        pid
        for pid, (name, ppid, _) in table.items()
        if name == "postgres" and table.get(ppid, ("",))[0] != "postgres"
    ]


class BackendMeter:
    """CPU seconds of the PostgreSQL backends connected to one database (the run's own),
    so that other users of a shared server do not count. Cumulative over every backend
    seen: one that exits keeps its last reading (its CPU after that reading is lost, so
    this is a lower bound when workers are recycled); one that appears counts whole."""

    def __init__(self, admin_url: str, database: str):
        import psycopg

        self.conn = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
        self.database = database
        self.seen: dict[int, float] = {}

    def __call__(self) -> float:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
        ).fetchall()
        for (pid,) in rows:
            fields = _stat(pid)
            if fields is not None:
                self.seen[pid] = sum(int(v) for v in fields[12:16]) / TICK
        return sum(self.seen.values())

    def close(self):
        self.conn.close()
