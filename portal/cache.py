"""The shared cache (Redis) that keeps the portal working while Redis is down.

The API's throttle counters and the pages' one-time form tokens live in the cache. Django's
own Redis backend raises on a lost connection, which made every API request and every
form with a one-time token answer 500. This backend answers from the process's own memory
instead, until Redis can be reached again: throttles keep counting and form tokens keep
stopping double submits, per process rather than across processes, for as long as the
outage lasts. Sessions are in the database, so nobody is signed out.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

T = TypeVar("T")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# Once Redis has failed, requests skip it for this long, so an outage costs one connection
# timeout per process every few seconds rather than one per cache call.
RETRY_SECONDS = 5.0

# Per process and per Redis address, shared by the per-thread backend instances Django
# makes: when Redis was last found unreachable (0.0: it was not).
_down_since: dict[str, float] = {}
_down_lock = threading.Lock()


class RedisCacheWithFallback(RedisCache):
    """Django's Redis cache that, while Redis cannot be reached, reads and writes the
    process's memory instead of raising (a warning is logged when it happens and when
    Redis is back)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._address = server if isinstance(server, str) else ",".join(server)
        # Every thread's instance shares one memory store per Redis address (LocMemCache
        # keys its store by name), so a token claimed in one thread is seen by the others.
        # Room for an outage's throttle counters and form tokens, not LocMemCache's 300.
        self._memory = LocMemCache(
            f"tansiq-redis-fallback:{self._address}", {**params, "max_entries": 10_000}
        )

    def is_reachable(self) -> bool:
        """Ask Redis now, whatever the last call found (for /health/)."""
        try:
            super().has_key("health-probe")
        except UNREACHABLE as error:
            self._mark_down(error)
            return False
        self._mark_up()
        return True

    def _either(self, redis_call: Callable[[], T], memory_call: Callable[[], T]) -> T:
        down_since = _down_since.get(self._address, 0.0)
        if down_since and time.monotonic() - down_since < RETRY_SECONDS:
            return memory_call()
        try:
            result = redis_call()
        except UNREACHABLE as error:
            self._mark_down(error)
            return memory_call()
        if down_since:
            self._mark_up()
        return result

    def _mark_down(self, error: Exception) -> None:
        with _down_lock:
            first = not _down_since.get(self._address)
            _down_since[self._address] = time.monotonic()
        if first:
            logger.warning(
                "Redis cache unreachable (%s: %s): throttles and form tokens use this "
                "process's memory until it is back.",
                error.__class__.__name__,
                error,
            )

    def _mark_up(self) -> None:
        with _down_lock:
            was_down = bool(_down_since.pop(self._address, 0.0))
        if was_down:
            logger.warning("Redis cache reachable again.")

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._either(
            lambda: super(RedisCacheWithFallback, self).add(key, value, timeout, version),
            lambda: self._memory.add(key, value, timeout, version),
        )

    def get(self, key, default=None, version=None) -> Any:
        return self._either(
            lambda: super(RedisCacheWithFallback, self).get(key, default, version),
            lambda: self._memory.get(key, default, version),
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._either(
            lambda: super(RedisCacheWithFallback, self).set(key, value, timeout, version),
            lambda: self._memory.set(key, value, timeout, version),
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._either(
            lambda: super(RedisCacheWithFallback, self).touch(key, timeout, version),
            lambda: self._memory.touch(key, timeout, version),
        )

    def delete(self, key, version=None) -> bool:
        return self._either(
            lambda: super(RedisCacheWithFallback, self).delete(key, version),
            lambda: self._memory.delete(key, version),
        )

    def get_many(self, keys, version=None) -> dict[str, Any]:
        return self._either(
            lambda: super(RedisCacheWithFallback, self).get_many(keys, version),
            lambda: self._memory.get_many(keys, version),
        )

    def has_key(self, key, version=None) -> bool:
        return self._either(
            lambda: super(RedisCacheWithFallback, self).has_key(key, version),
            lambda: self._memory.has_key(key, version),
        )

    def incr(self, key, delta=1, version=None) -> int:
        return self._either(
            lambda: super(RedisCacheWithFallback, self).incr(key, delta, version),
            lambda: self._memory.incr(key, delta, version),
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        return self._either(
            lambda: super(RedisCacheWithFallback, self).set_many(data, timeout, version),
            lambda: self._memory.set_many(data, timeout, version),
        )

    def delete_many(self, keys, version=None) -> None:
        self._either(
            lambda: super(RedisCacheWithFallback, self).delete_many(keys, version),
            lambda: self._memory.delete_many(keys, version),
        )

    def clear(self) -> None:
        # Both: what was written to memory during an outage must not outlive a clear.
        self._memory.clear()
        self._either(lambda: super(RedisCacheWithFallback, self).clear(), lambda: None)
