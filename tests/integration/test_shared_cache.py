"""The shared cache on the real Redis from ops/services (REDIS_URL): used and invalidated."""

import os

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
