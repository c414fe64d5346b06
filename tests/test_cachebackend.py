"""cms.cachebackend.ResilientRedisCache when Redis cannot be reached (a closed port).

The live Redis cases (an outage in the middle of serving, recovery, the generation after
it) are in tests/integration/test_shared_cache.py.
"""

import logging
import time

import pytest

from bench.frontcache import free_port
from cms.cachebackend import ResilientRedisCache

GENERATION = "portal:generation"


@pytest.fixture
def unreachable():
    port = free_port()  # nothing listens there
    cache = ResilientRedisCache(
        f"redis://127.0.0.1:{port}/0",
        {
            "KEY_PREFIX": f"unreachable{port}",
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                "RETRY_SECONDS": 60,
                "SHARED_ONLY_KEYS": [GENERATION],
                "IMMUTABLE_PREFIXES": ["portal:"],
            },
        },
    )
    yield cache
    cache.clear()


def test_unreachable_redis_answers_from_memory_and_warns_once(unreachable, caplog):
    with caplog.at_level(logging.WARNING, logger="cms.cachebackend"):
        unreachable.set("progress:client:1", 3, 60)
        assert unreachable.get("progress:client:1") == 3
        assert unreachable.incr("progress:client:1") == 4
        assert unreachable.add("progress:client:1", 0) is False
        assert unreachable.get_many(["progress:client:1", "nothing"]) == {"progress:client:1": 4}
        unreachable.delete("progress:client:1")
        assert unreachable.get("progress:client:1", "gone") == "gone"
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1, "one warning per outage, not one per operation"


def test_while_redis_is_away_it_is_not_tried_on_every_operation(unreachable):
    unreachable.get("first")  # finds Redis away
    started = time.monotonic()
    for n in range(200):
        unreachable.get(f"key{n}")
    assert time.monotonic() - started < 0.5


def test_the_generation_is_never_kept_in_one_process_while_redis_is_away(unreachable):
    """Else a publish in one process would leave the others serving their old pages."""
    assert unreachable.add(GENERATION, "1", None) is False
    unreachable.set(GENERATION, "2", None)
    assert unreachable.get(GENERATION) is None
    assert unreachable.has_key(GENERATION) is False
    with pytest.raises(ValueError):
        unreachable.incr(GENERATION)


def test_the_site_serves_when_redis_is_unreachable(client, home_page, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.cachebackend.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "RETRY_SECONDS": 60,
                "SHARED_ONLY_KEYS": [GENERATION],
            },
        }
    }
    for path in ("/", "/sitemap.xml", "/search/?q=补贴"):
        assert client.get(path).status_code == 200, path
