"""Django's Redis cache, made to keep the site serving when Redis is away, and quicker.

``ResilientRedisCache`` is ``django.core.cache.backends.redis.RedisCache`` with three changes:

* **Redis unreachable** (refused, timed out, loading): the operation is answered by a
  process-local memory cache instead, a warning is logged once per outage, and Redis is
  not tried again for ``RETRY_SECONDS``; the first operation that succeeds afterwards
  logs the recovery. Keys listed in ``SHARED_ONLY_KEYS`` only make sense shared between
  processes (the portal's content generation, ``cms.cache``): while Redis is away they
  read as missing and are not kept locally, so each request starts a generation of its
  own and renders from the database (never a stale page); after the outage they are
  deleted from Redis, since a publish may have failed to renew them meanwhile.
* **Immutable keys** (``IMMUTABLE_PREFIXES``: keys that carry the content generation, so
  their value never changes) are also kept in process memory for ``LOCAL_TIMEOUT``
  seconds: a warm page asks Redis only for the generation.
* One Redis client object per connection pool instead of one per operation.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisError, OSError)


class _ReusedClient(RedisCacheClient):
    """Builds the redis-py client for each pool once (the client is thread-safe)."""

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(index)
        if client is None:
            client = clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class _Outage:
    """Whether Redis at one location is being skipped, shared by the threads of a process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0


_OUTAGES: dict[str, _Outage] = {}


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        self.shared_only = frozenset(options.pop("SHARED_ONLY_KEYS", ()))
        self.immutable_prefixes = tuple(options.pop("IMMUTABLE_PREFIXES", ()))
        local_timeout = int(options.pop("LOCAL_TIMEOUT", 300))
        local_entries = int(options.pop("LOCAL_MAX_ENTRIES", 2000))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _ReusedClient
        location = ",".join(self._servers)
        self._outage = _OUTAGES.setdefault(location, _Outage())
        local = {"OPTIONS": {"MAX_ENTRIES": local_entries}}
        # LocMemCache shares its store between instances of the same name (one per thread).
        self._local = LocMemCache(f"redis-local:{location}", {**local, "TIMEOUT": local_timeout})
        self._fallback = LocMemCache(f"redis-fallback:{location}", {**local, "TIMEOUT": 300})

    # ----------------------------------------------------------------- outage handling

    def _redis(self, name, *args, **kwargs):
        """Runs RedisCache.<name>; raises _Skipped while Redis is being skipped or failing."""
        outage = self._outage
        try:
            if outage.down:
                if time.monotonic() < outage.retry_at:
                    raise _Skipped
                self._recover()
            return getattr(super(), name)(*args, **kwargs)
        except UNREACHABLE as error:
            self._went_down(error)
            raise _Skipped from error

    def _went_down(self, error):
        outage = self._outage
        with outage.lock:
            first = not outage.down
            outage.down = True
            outage.retry_at = time.monotonic() + self.retry_seconds
        if first:
            logger.warning(
                "shared cache (Redis) unreachable, serving without it and retrying every %.0f s: %s",
                self.retry_seconds,
                error,
            )

    def _recover(self):
        """Before the first operation after an outage: forget the shared-only keys (a
        publish may have failed to renew them meanwhile); raises if Redis is still away."""
        if self.shared_only:
            super().delete_many(list(self.shared_only))
        else:
            self._cache.get_client(write=True).ping()
        with self._outage.lock:
            if not self._outage.down:
                return
            self._outage.down = False
        logger.warning("shared cache (Redis) reachable again")
        self._fallback.clear()

    def _kept_locally(self, key) -> bool:
        return key not in self.shared_only and key.startswith(self.immutable_prefixes)

    def _local_timeout(self, timeout):
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        if timeout is None:
            return self._local.default_timeout
        return min(timeout, self._local.default_timeout)

    # ----------------------------------------------------------------- the cache API

    def get(self, key, default=None, version=None):
        local = self._kept_locally(key)
        if local:
            value = self._local.get(key, _MISSING, version)
            if value is not _MISSING:
                return value
        try:
            value = self._redis("get", key, _MISSING, version)
        except _Skipped:
            if key in self.shared_only:
                return default
            return self._fallback.get(key, default, version)
        if value is _MISSING:
            return default
        if local:
            self._local.set(key, value, self._local.default_timeout, version)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if self._kept_locally(key):
            self._local.set(key, value, self._local_timeout(timeout), version)
        try:
            self._redis("set", key, value, timeout, version)
        except _Skipped:
            if key not in self.shared_only:
                self._fallback.set(key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._redis("add", key, value, timeout, version)
        except _Skipped:
            if key in self.shared_only:
                return False
            return self._fallback.add(key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._redis("touch", key, timeout, version)
        except _Skipped:
            return self._fallback.touch(key, timeout, version)

    def delete(self, key, version=None):
        self._local.delete(key, version)
        self._fallback.delete(key, version)
        try:
            return self._redis("delete", key, version)
        except _Skipped:
            return False

    def get_many(self, keys, version=None):
        try:
            return self._redis("get_many", keys, version)
        except _Skipped:
            return self._fallback.get_many([k for k in keys if k not in self.shared_only], version)

    def has_key(self, key, version=None):
        try:
            return self._redis("has_key", key, version)
        except _Skipped:
            return key not in self.shared_only and self._fallback.has_key(key, version)

    def incr(self, key, delta=1, version=None):
        try:
            return self._redis("incr", key, delta, version)
        except _Skipped:
            if key in self.shared_only:
                raise ValueError(f"Key '{key}' not found") from None
            return self._fallback.incr(key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._redis("set_many", data, timeout, version)
        except _Skipped:
            kept = {k: v for k, v in data.items() if k not in self.shared_only}
            return self._fallback.set_many(kept, timeout, version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._local.delete_many(keys, version)
        self._fallback.delete_many(keys, version)
        try:
            self._redis("delete_many", keys, version)
        except _Skipped:
            pass

    def clear(self):
        self._local.clear()
        self._fallback.clear()
        try:
            return self._redis("clear")
        except _Skipped:
            return False


class _Skipped(Exception):
    """Redis is unreachable (or being skipped after an outage): answer from memory."""


_MISSING = object()
