"""Benchmark: public pages under load, against nginx and a stock Wagtail site, same run.

Run with ``make bench`` (or ``.venv/bin/python bench/public_pages.py``). Needs the
virtualenv and the Debian packages wrk, nginx (nginx-light), varnish and redis-server
(``ops/services start redis varnish`` installs the last two). Everything runs in a
temporary folder that is removed afterwards. See bench/README.md.

1. this portal, production settings (DEBUG off, compressed manifest static files) on a
   throwaway SQLite database: migrate, ``load_demo``, the seed documents imported
   (the 信阳 plan page), collectstatic; Redis (REDIS_URL from ``ops/services env``) as the
   shared cache when it answers; gunicorn with ops/gunicorn.conf.py (4 sync workers);
2. a stock Wagtail 8 project (``wagtail start`` in the temp folder, database search, a
   few pages), gunicorn with the same worker count;
3. nginx serving a static copy of the portal's home page (the ceiling);
4. a varnishd with ops/varnish/portal.vcl in front of the portal's gunicorn;
5. ``wrk -t2 -c16 -d<N>s`` against each: nginx; stock home and search; portal home,
   policy list, plan page, a guide and a search, uncached (gunicorn) and through Varnish;
6. publish → visible: a new title is published (``save_revision().publish()``, in a
   process warmed by one request and one publish, as a web worker is) while the plan page
   is cached in Varnish; the time until Varnish serves the new title.

Targets (exit 1 when missed, 2 when the benchmark could not run): uncached portal home and
plan page ≥ the stock Wagtail home rate; through Varnish ≥ 25 % of nginx's static rate
(each page); publish visible ≤ 1 s. The machine is shared: figures vary between runs, the
ratios less so.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.frontcache import Varnish, free_port  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
SEEDS = ROOT.parent.parent / "shared" / "seeds"
WORKERS = 4
EXTERNAL = ("DATABASE_URL", "S3_BUCKET", "OPENSEARCH_URL", "FRONTEND_CACHE_URL", "CACHE_URL")


class BenchError(Exception):
    pass


def run(cmd, env, cwd=ROOT, timeout=900) -> str:
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise BenchError(
            f"{' '.join(map(str, cmd))} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def wait_http(url, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except Exception:
            time.sleep(0.3)
    raise BenchError(f"{url} did not answer 200 within {timeout}s")


def fetch(url) -> str:
    with urllib.request.urlopen(quote(url, safe=":/?=&%"), timeout=10) as response:
        return response.read().decode()


def wrk(url, duration, connections) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", quote(url, safe=":/?=&%")],
        capture_output=True,
        text=True,
        timeout=duration + 60,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise BenchError(f"{url}: {errors.group(1)} error responses under load\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise BenchError(f"wrk gave no rate for {url}:\n{out}")
    return float(match.group(1))


def gunicorn(app, env, cwd, port):
    command = [str(BIN / "gunicorn"), "-c", str(ROOT / "ops" / "gunicorn.conf.py"), app]
    env = {**env, "PORTAL_WEB_BIND": f"127.0.0.1:{port}", "PORTAL_WEB_WORKERS": str(WORKERS)}
    return subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def redis_url() -> str | None:
    url = os.environ.get("REDIS_URL")
    if not url:
        out = subprocess.run(
            [str(ROOT / "ops" / "services"), "env"], capture_output=True, text=True
        ).stdout
        match = re.search(r"REDIS_URL=(\S+)", out)
        url = match.group(1) if match else None
    try:
        import redis

        redis.Redis.from_url(url).ping()
        return url
    except Exception:
        return None


# --------------------------------------------------------------------------- the portal

PORTAL_URLS = """
import json
from guides.models import GuidePage
from policies.models import PolicyPage
plan = PolicyPage.objects.live().filter(document_number="信电〔2024〕141号").first() or PolicyPage.objects.live().first()
guide = GuidePage.objects.live().order_by("-pk").first()
print(json.dumps({"plan": plan.url, "plan_id": plan.pk, "guide": guide.url}))
"""

# The editor's publish runs in a web worker that has served requests before: warm this
# process the same way (URL configuration, cache and purge clients, a first publish of
# the guide) before the timed publish of the plan page.
PUBLISH = """
import time
from django.test import Client
from guides.models import GuidePage
from policies.models import PolicyPage
Client().get("/")
GuidePage.objects.live().first().save_revision().publish()
page = PolicyPage.objects.get(pk={pk})
page.title = {title!r}
started = time.time()
page.save_revision().publish()
print(started, time.time())
"""


def prepare_portal(tmp: Path, env: dict) -> dict:
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PY, "manage.py", "load_demo"], env)
    if SEEDS.is_dir():
        run([PY, "manage.py", "import_document", str(SEEDS), "--kind", "auto", "--publish"], env)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    return json.loads(
        run([PY, "manage.py", "shell", "-c", PORTAL_URLS], env).strip().splitlines()[-1]
    )


def portal_env(tmp: Path, cache_url: str | None, frontend: str) -> dict:
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if k not in EXTERNAL and k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        DJANGO_SECRET_KEY="bench-" + os.urandom(40).hex(),
        DJANGO_ALLOWED_HOSTS="*",
        DJANGO_SECURE_SSL_REDIRECT="0",
        PORTAL_VAR_DIR=str(tmp / "portal-var"),
        PORTAL_FIELD_KEYS=Fernet.generate_key().decode(),
        PORTAL_LOG_LEVEL="WARNING",
        FRONTEND_CACHE_URL=frontend,
        CACHE_KEY_PREFIX=f"bench{os.getpid()}",
    )
    if cache_url:
        env["REDIS_URL"] = cache_url
    return env


# --------------------------------------------------------------------------- stock Wagtail

STOCK_SETTINGS = """
from .production import *  # noqa
DEBUG = False
ALLOWED_HOSTS = ["*"]
SECRET_KEY = "stock-bench-not-secret"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
"""

STOCK_PAGES = """
from home.models import HomePage
home = HomePage.objects.first()
for n in range(5):
    page = home.add_child(instance=HomePage(title=f"Charging news {n}", slug=f"news-{n}"))
    page.save_revision().publish()
"""


def prepare_stock(tmp: Path) -> tuple[Path, dict]:
    project = tmp / "stock"
    project.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in EXTERNAL}
    run([str(BIN / "wagtail"), "start", "stocksite", str(project)], env)
    (project / "stocksite" / "settings" / "bench.py").write_text(STOCK_SETTINGS)
    env["DJANGO_SETTINGS_MODULE"] = "stocksite.settings.bench"
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env, cwd=project)
    run([PY, "manage.py", "shell", "-c", STOCK_PAGES], env, cwd=project)
    run([PY, "manage.py", "update_index"], env, cwd=project)
    return project, env


# --------------------------------------------------------------------------- nginx

NGINX_CONF = """
worker_processes 2;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/tmp;
    proxy_temp_path {dir}/tmp;
    fastcgi_temp_path {dir}/tmp;
    uwsgi_temp_path {dir}/tmp;
    scgi_temp_path {dir}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/www;
        location / {{ default_type text/html; }}
    }}
}}
"""


def start_nginx(tmp: Path, html: str):
    base = tmp / "nginx"
    (base / "www").mkdir(parents=True)
    (base / "tmp").mkdir()
    for path in (tmp, base, base / "www"):
        path.chmod(0o755)
    (base / "www" / "index.html").write_text(html)
    (base / "www" / "index.html").chmod(0o644)
    port = free_port()
    (base / "nginx.conf").write_text(NGINX_CONF.format(dir=base, port=port))
    process = subprocess.Popen(["nginx", "-c", str(base / "nginx.conf"), "-p", str(base)])
    wait_http(f"http://127.0.0.1:{port}/")
    return process, f"http://127.0.0.1:{port}/"


# --------------------------------------------------------------------------- the run


def publish_visible(env, varnish_url, page_url, pk) -> tuple[float, float]:
    """(seconds from the publish() call, seconds from its return) until Varnish serves the
    new title; the page is polled every 10 ms while another process publishes."""
    for _ in range(2):
        fetch(varnish_url + page_url)
    title = f"基准测试发布标题 {time.time_ns()}"
    command = [PY, "manage.py", "shell", "-c", PUBLISH.format(pk=pk, title=title)]
    publisher = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while title not in fetch(varnish_url + page_url):
        if time.time() > deadline:
            publisher.kill()
            raise BenchError("the published title was not served through Varnish within 120 s")
        time.sleep(0.01)
    seen = time.time()
    out, _ = publisher.communicate(timeout=120)
    started, returned = map(float, out.strip().splitlines()[-1].split())
    return seen - started, max(0.0, seen - returned)


def measure(args) -> int:
    for tool in ("wrk", "nginx", "varnishd"):
        if not shutil.which(tool):
            raise BenchError(
                f"{tool} not found (Debian: apt-get install -y wrk nginx-light varnish)"
            )
    tmp = Path(tempfile.mkdtemp(prefix="bench-public-"))
    processes, varnish = [], None
    try:
        cache_url = redis_url()
        portal_port, stock_port = free_port(), free_port()
        varnish = Varnish("127.0.0.1", portal_port, memory="256m")
        env = portal_env(tmp, cache_url, varnish.url)
        print(
            f"shared cache: {'Redis ' + cache_url if cache_url else 'local memory (Redis not answering)'}"
        )
        print("preparing the portal (migrate, demo content, seeds, collectstatic)...", flush=True)
        urls = prepare_portal(tmp, env)
        print("preparing a stock Wagtail project (wagtail start)...", flush=True)
        stock_dir, stock_env = prepare_stock(tmp)

        processes.append(gunicorn("cms.wsgi", env, ROOT, portal_port))
        processes.append(gunicorn("stocksite.wsgi", stock_env, stock_dir, stock_port))
        portal, stock = f"http://127.0.0.1:{portal_port}", f"http://127.0.0.1:{stock_port}"
        wait_http(portal + "/")
        wait_http(stock + "/")
        nginx, nginx_url = start_nginx(tmp, fetch(portal + "/"))
        processes.append(nginx)

        pages = {
            "home": "/",
            "policy list": "/policies/",
            "plan page": urls["plan"],
            "guide": urls["guide"],
            "search": "/search/?q=补贴",
        }
        rate = lambda url: wrk(url, args.duration, args.connections)  # noqa: E731
        results = {"nginx static home": rate(nginx_url)}
        results["stock Wagtail home"] = rate(stock + "/")
        results["stock Wagtail search"] = rate(stock + "/search/?query=charging")
        for name, path in pages.items():
            fetch(portal + path)
            results[f"portal {name} (gunicorn)"] = rate(portal + path)
        for name, path in pages.items():
            fetch(varnish.url + path)
            results[f"portal {name} (Varnish)"] = rate(varnish.url + path)
        visible = publish_visible(env, varnish.url, urls["plan"], urls["plan_id"])
        print(f"publish() took {visible[0] - visible[1]:.2f} s", flush=True)
        return report(results, visible, pages)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if varnish:
            varnish.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def report(results, visible, pages) -> int:
    print(f"\n{'target':42} {'req/s':>10}")
    for name, value in results.items():
        print(f"{name:42} {value:10.0f}")
    stock_home = results["stock Wagtail home"]
    nginx = results["nginx static home"]
    checks = []
    for name in ("home", "plan page"):
        ratio = results[f"portal {name} (gunicorn)"] / stock_home
        checks.append((f"uncached {name} / stock Wagtail home", ratio, 1.0))
    for name in ("policy list", "guide", "search"):
        ratio = results[f"portal {name} (gunicorn)"] / stock_home
        print(f"(info) uncached {name} / stock Wagtail home: {ratio:.2f}×")
    for name in pages:
        ratio = results[f"portal {name} (Varnish)"] / nginx
        checks.append((f"through Varnish {name} / nginx static", ratio, 0.25))
    print()
    missed = 0
    for label, ratio, target in checks:
        ok = ratio >= target
        missed += not ok
        print(f"{label:48} {ratio:6.2f}   target ≥ {target:.2f}   {'ok' if ok else 'MISSED'}")
    total, after = visible
    ok = total <= 1.0
    missed += not ok
    verdict = "ok" if ok else "MISSED"
    label = "publish() call → visible through Varnish"
    print(f"{label:48} {total:6.2f} s target ≤ 1.00 s {verdict}")
    print(f"{'(info) publish() returned → visible':48} {after:6.2f} s")
    print("\nThe machine is shared: absolute figures move between runs; compare the ratios.")
    return 1 if missed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds of wrk per target")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    args = parser.parse_args()
    try:
        return measure(args)
    except BenchError as error:
        print(f"benchmark could not run: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
