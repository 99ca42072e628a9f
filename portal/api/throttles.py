"""Throttles: every API request is limited per user (per client address when signed
out), and the token endpoint per client address, failed logins included.

The client's address is REMOTE_ADDR, or behind the TLS proxy (BEHIND_TLS_PROXY) the
address that proxy added to X-Forwarded-For: REST_FRAMEWORK["NUM_PROXIES"]. Addresses a
client writes into that header itself are never used, or rotating them would reset the
count.

Requests are counted, not listed. DRF's throttles keep a list of every request's time in
the last period, read, extended and written back whole by each request: the cost grows
with the rate (at the 1,200 a minute a client may make, 1,200 times pickled and, with
Redis, sent both ways on every request; in memory 0.02 ms a request with 1,000, 0.16 ms
with 7,000), and two requests at once read the same list and count as one, so parallel
requests slip through. Here the period is cut into BUCKETS counters: a request adds one
to its own with the cache's increment and reads the others in one call (in memory 0.01
ms at any rate; with Redis three round trips, however many requests came before). The
oldest counter, which the period covers in part, counts whole: no period ever holds more
requests than the rate allows, and a client may wait up to a sixth of the period longer
than an exact list would make it.
"""

import math

from rest_framework.throttling import (
    AnonRateThrottle,
    BaseThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

BUCKETS = 6


class CountingRateThrottle(SimpleRateThrottle):
    """DRF's rate throttle counting requests in counters of a sixth of the period. Put
    before one of DRF's throttles, which says whose requests count (its cache key, scope
    and rate). A request it refuses is not counted by it, as in DRF, so a client that
    keeps asking while refused is let in again as soon as its earlier requests age out."""

    # Set by DRF's __init__ from the rate (None without one).
    num_requests: int | None
    duration: int | None

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        # With a rate, DRF's parse_rate gave both.
        self.limit, self.span = self.num_requests or 0, (self.duration or 0) / BUCKETS
        now = self.timer()
        bucket = int(now // self.span)
        self.elapsed = now - bucket * self.span  # into the current bucket
        # The current bucket and the BUCKETS before it: the last period and the part of
        # a bucket before it.
        keys = [f"{key}:{index}" for index in range(bucket - BUCKETS, bucket + 1)]
        current = keys[-1]
        added = self._add_one(current)
        found = self.cache.get_many(keys[:-1])
        # Oldest first; the current bucket as this request's increment left it.
        self.counts = [found.get(name, 0) for name in keys[:-1]] + [added]
        if sum(self.counts) <= self.limit:
            return True
        try:
            self.cache.decr(current)
        except ValueError:  # the cache lost it meanwhile (Redis gone): nothing to undo
            pass
        self.counts[-1] -= 1
        return False

    def _add_one(self, key: str) -> int:
        """The bucket's count with this request in it."""
        try:
            return self.cache.incr(key)
        except ValueError:
            pass
        # The bucket's first request. It is kept as long as it counts: its own span and
        # the BUCKETS after it (and one more, for the time it was made into its span).
        if self.cache.add(key, 1, timeout=math.ceil((BUCKETS + 2) * self.span)):
            return 1
        try:  # another request started it meanwhile
            return self.cache.incr(key)
        except ValueError:  # and the cache lost it again (Redis gone): this one alone
            return 1

    def wait(self) -> float | None:
        """Seconds until one more request would be let in (the Retry-After header): the
        buckets leave the count whole, oldest first, at the ends of their periods."""
        room = self.limit - 1  # what the count may be with the next one added
        left = sum(self.counts)
        if left <= room:
            return 0.0
        waited = self.span - self.elapsed  # until the oldest bucket leaves
        for count in self.counts:
            left -= count
            if left <= room:
                return waited
            waited += self.span
        return waited


class AnonCountingThrottle(CountingRateThrottle, AnonRateThrottle):
    pass


class UserCountingThrottle(CountingRateThrottle, UserRateThrottle):
    pass


class LoginRateThrottle(CountingRateThrottle, AnonRateThrottle):
    scope = "login"


def client_address(request) -> str:
    """The client's address as the throttles count it, for the logs: a logged failed
    sign-in names the address that was throttled."""
    return BaseThrottle().get_ident(request) or "?"
