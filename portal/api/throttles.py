"""Throttles: every API request is limited per user (per client address when signed
out), and the token endpoint per client address, failed logins included.

The client's address is REMOTE_ADDR, or behind the TLS proxy (BEHIND_TLS_PROXY) the
address that proxy added to X-Forwarded-For: REST_FRAMEWORK["NUM_PROXIES"]. Addresses a
client writes into that header itself are never used, or rotating them would reset the
count.

Requests are counted, not listed. DRF's throttles keep a list of every request's time in
the last period, read, extended and written back whole by each request: the cost grows
with the rate (at the 1,200 a minute a client may make, 1,200 times pickled and, with
Redis, sent both ways on every request; 0.02 ms a request with 1,000 in memory, 0.16 ms
with 7,000, as the benchmarks' clients make), and two requests at once read the same
list and count as one, so parallel requests slip through. Here the period is cut into
BUCKETS counters: a request adds one to its own with the cache's atomic increment and
reads the others in one call (0.01 ms at any rate). The oldest counter, partly out of
the period, counts in proportion, as if its requests had come evenly: a client that sent
all of them at its end may get up to one bucket's share (a sixth) more through.
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
    and rate). A refused request is not counted, as in DRF, so a client that keeps asking
    while refused is let in again as soon as its earlier requests age out."""

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
        keys = [f"{key}:{index}" for index in range(bucket - BUCKETS, bucket + 1)]
        current = keys[-1]
        try:
            added = self.cache.incr(current)
        except ValueError:
            # The bucket's first request. It is kept as long as it counts: its own span
            # and a period after it.
            if self.cache.add(current, 1, timeout=math.ceil((BUCKETS + 2) * self.span)):
                added = 1
            else:  # another request started it meanwhile
                added = self.cache.incr(current)
        found = self.cache.get_many(keys[:-1])
        # Oldest first; the current bucket as this request's increment left it.
        self.counts = [found.get(name, 0) for name in keys[:-1]] + [added]
        if self._counted() <= self.limit:
            return True
        self.cache.decr(current)
        self.counts[-1] -= 1
        return False

    def _counted(self) -> float:
        """The requests of the period up to now: the buckets it holds whole, and the
        share of the oldest it still covers."""
        oldest, *whole = self.counts
        return oldest * (self.span - self.elapsed) / self.span + sum(whole)

    def wait(self) -> float | None:
        """Seconds until one more request would be let in (the Retry-After header): as
        the buckets slide out of the period one after another, each in proportion."""
        span = self.span
        room = self.limit - 1  # what the count may be with the next one added
        counts = list(self.counts)
        waited, share = 0.0, (span - self.elapsed) / span  # of the oldest still counted
        while counts:
            sliding, rest = counts[0], sum(counts[1:])
            if sliding * share + rest <= room:
                return waited
            if rest <= room:  # reached while this bucket slides out
                return waited + span * (share - (room - rest) / sliding)
            waited += span * share
            counts, share = counts[1:], 1.0
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
