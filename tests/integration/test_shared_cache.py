"""The shared cache on the real Redis from ops/services (REDIS_URL): used and invalidated."""

import os
import signal
import subprocess
import time

import pytest
import redis
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.cache import GENERATION_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_client():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail('REDIS_URL is not set: run with `eval "$(ops/services env)"`')
    client = redis.Redis.from_url(url)
    assert client.ping()
    return client


def test_django_cache_is_redis(redis_client):
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)
    cache.set("probe", "值", 30)
    assert redis_client.get(cache.make_key("probe")) is not None


def test_public_pages_fill_redis_and_a_publish_invalidates_them(
    client, redis_client, policy_index, django_capture_on_commit_callbacks
):
    from policies.models import PolicyPage

    page = PolicyPage(title="第一份补贴通知", slug="first")
    policy_index.add_child(instance=page)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    assert "第一份补贴通知" in client.get("/").content.decode()
    generation = cache.get(GENERATION_KEY)
    stored = redis_client.keys(cache.make_key(f"portal:{generation}:*"))
    assert stored, "the home page stored nothing in Redis"
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    assert len(ctx.captured_queries) <= 6  # site, route, settings, navigation, fragment: Redis

    page.title = "第一份补贴通知（修订）"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert cache.get(GENERATION_KEY) != generation
    assert redis_client.get(cache.make_key(GENERATION_KEY)) is not None
    html = client.get("/").content.decode()
    assert "第一份补贴通知（修订）" in html
    assert "第一份补贴通知（修订）" in client.get(page.url).content.decode()


# --------------------------------------------------------------------------- Redis outage


class PrivateRedis:
    """A redis-server of the test's own on a free port, so it can be paused and stopped."""

    def __init__(self, workdir):
        from bench.frontcache import free_port

        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(workdir)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        self.client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.05)

    def stop(self):
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path, settings):
    server = PrivateRedis(tmp_path)
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": server.url,
            "OPTIONS": {
                **settings.CACHES["default"]["OPTIONS"],
                "socket_connect_timeout": 0.3,
                "socket_timeout": 0.3,
                "RETRY_SECONDS": 1,
            },
        }
    }
    yield server
    server.stop()


def _wait_for_retry():
    time.sleep(1.1)


def test_pages_are_served_while_redis_is_away_and_right_after_it_returns(
    client, private_redis, policy_index, caplog, django_capture_on_commit_callbacks
):
    from policies.models import PolicyPage

    assert caches["default"].__class__.__name__ == "ResilientRedisCache"
    page = PolicyPage(title="停机前的补贴通知", slug="before")
    policy_index.add_child(instance=page)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert "停机前的补贴通知" in client.get("/").content.decode()
    old_generation = private_redis.client.get(cache.make_key(GENERATION_KEY))
    assert old_generation, "the generation lives in the private Redis"

    # Redis stops answering (paused: connections hang, as with a dead host).
    private_redis.process.send_signal(signal.SIGSTOP)
    for path in ("/", "/policies/", page.url, "/sitemap.xml", "/search/?q=补贴"):
        assert client.get(path).status_code == 200, path
    page.title = "停机期间修订的补贴通知"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()  # the generation cannot be renewed in Redis now
    assert "停机期间修订的补贴通知" in client.get("/").content.decode()  # no stale page
    assert "停机期间修订的补贴通知" in client.get(page.url).content.decode()
    assert any("unreachable" in r.getMessage() for r in caplog.records)

    # Redis answers again, still holding the generation from before the publish.
    private_redis.process.send_signal(signal.SIGCONT)
    assert private_redis.client.get(cache.make_key(GENERATION_KEY)) == old_generation
    _wait_for_retry()
    html = client.get("/").content.decode()
    assert "停机期间修订的补贴通知" in html, "an entry from before the outage was served"
    assert any("reachable again" in r.getMessage() for r in caplog.records)
    new_generation = private_redis.client.get(cache.make_key(GENERATION_KEY))
    assert new_generation and new_generation != old_generation
    assert private_redis.client.keys(cache.make_key("portal:*:*")), "Redis is used again"

    # Stopped for good: still served.
    private_redis.stop()
    _wait_for_retry()
    for path in ("/", page.url):
        assert client.get(path).status_code == 200, path
