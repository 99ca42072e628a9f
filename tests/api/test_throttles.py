"""The API's rate limits (portal.api.throttles): counted per client in buckets of a sixth
of the period, refused requests not counted, the period sliding rather than starting
afresh each minute, never more than the rate in any period, and no request lost when
many arrive at once."""

import threading
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

from meetings.models import ActionPoint
from portal.api.throttles import CountingRateThrottle, UserCountingThrottle
from tests.servers import start_redis

V1 = "/api/v1"


class Clock:
    def __init__(self, now: float):
        self.now = now


@pytest.fixture
def clock(monkeypatch):
    # 600 s is the start of a minute and of its first ten-second bucket.
    clock = Clock(600.0)
    monkeypatch.setattr(CountingRateThrottle, "timer", staticmethod(lambda: clock.now))
    return clock


def _rate(monkeypatch, rate: str) -> None:
    monkeypatch.setattr(UserCountingThrottle, "rate", rate, raising=False)


def _asks(user, clock, times: list[float]) -> list[bool]:
    """Whether the throttle lets `user`'s request through at each of `times`."""
    request = SimpleNamespace(user=user, META={"REMOTE_ADDR": "127.0.0.1"})
    answers = []
    for now in times:
        clock.now = now
        answers.append(UserCountingThrottle().allow_request(request, None))
    return answers


def test_a_client_past_its_rate_is_refused_until_its_requests_age_out(
    cast, world, client_for, clock, monkeypatch
):
    _rate(monkeypatch, "4/minute")
    member, action = client_for("member"), world["action"]
    before = ActionPoint.objects.values().get(pk=action.pk)

    allowed = [member.get(f"{V1}/meetings/").status_code for _ in range(4)]
    refused = member.post(
        f"{V1}/action-points/{action.pk}/report/",
        {"status": "done", "progress": "Services mapped in 4 cities."},
        format="json",
    )

    assert allowed == [200] * 4
    assert refused.status_code == 429
    assert refused.json()["type"] == "throttled"
    # The four came in the bucket of 600-610 s, which leaves the count whole at 670 s.
    assert refused["Retry-After"] == "70"
    assert ActionPoint.objects.values().get(pk=action.pk) == before
    # Counted per client: another user is not held back by the member's requests.
    assert client_for("observer").get(f"{V1}/meetings/").status_code == 200

    clock.now = 669.9
    assert member.get(f"{V1}/meetings/").status_code == 429
    clock.now = 670.0
    assert member.get(f"{V1}/meetings/").status_code == 200


def test_a_refused_request_is_not_counted(cast, clock, monkeypatch):
    _rate(monkeypatch, "2/minute")

    answers = _asks(cast.member, clock, [600.0, 600.0, *[655.0] * 20, 670.0, 670.0])

    # At 670 s the 600 s bucket is out. Had the twenty refusals of the 650 s one
    # counted, the member would wait until 720 s.
    assert answers == [True, True, *[False] * 20, True, True]


@pytest.mark.parametrize("burst_at", [650.0, 655.0, 659.9])
def test_no_minute_holds_more_than_the_rate_however_the_requests_fall(
    cast, clock, monkeypatch, burst_at
):
    _rate(monkeypatch, "6/minute")

    burst = _asks(cast.member, clock, [burst_at] * 6)
    # A counter per minute would start again at 660 s and let six more through; one
    # that counted the oldest bucket in proportion would let nearly six through at
    # 719.8 s, less than a minute after a burst at 659.9 s.
    within_the_minute = _asks(cast.member, clock, [661.0, 690.0, 709.9, 719.8, 719.99])
    # At 720 s the 650-660 s bucket has left the count.
    after = _asks(cast.member, clock, [720.0] * 7)

    assert burst == [True] * 6
    assert within_the_minute == [False] * 5
    assert after == [True] * 6 + [False]


def test_requests_spread_over_the_minute_slide_out_in_turn(cast, clock, monkeypatch):
    _rate(monkeypatch, "3/minute")

    first = _asks(cast.member, clock, [600.0, 620.0, 640.0, 650.0])
    # The 600 s bucket leaves the count at 670 s, the 620 s one at 690 s.
    again = _asks(cast.member, clock, [669.0, 670.0, 671.0, 690.0])

    assert first == [True, True, True, False]
    assert again == [False, True, False, True]


def test_requests_at_once_from_many_threads_are_all_counted(cast, settings, monkeypatch):
    """DRF's throttle reads the client's list of requests and writes it back extended,
    so requests at the same moment count as one; a counter incremented in Redis counts
    each."""
    server = start_redis()
    try:
        settings.CACHES = {
            "default": {
                "BACKEND": "portal.cache.RedisCacheWithFallback",
                "LOCATION": server.url,
                # Patient: on a busy machine a timeout would fall back to memory.
                "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
            }
        }
        _rate(monkeypatch, "30/hour")
        request = SimpleNamespace(user=cast.member, META={"REMOTE_ADDR": "127.0.0.1"})
        answers: list[bool] = []
        start = threading.Barrier(12)

        def ask() -> None:
            start.wait()
            for _ in range(5):
                answers.append(UserCountingThrottle().allow_request(request, None))

        threads = [threading.Thread(target=ask) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert len(answers) == 60
        assert answers.count(True) == 30
        # What is stored agrees: thirty requests counted in the hour's buckets.
        throttle = UserCountingThrottle()
        assert throttle.allow_request(request, None) is False
        assert sum(throttle.counts) == 30
    finally:
        cache.clear()
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        server.stop()


def test_a_counter_lost_mid_request_is_no_error(cast, client_for, clock, monkeypatch):
    """Redis can go between a request's increment and its undoing (the cache then
    answers from memory, where the counter is not): the refusal stands, with no 500."""
    _rate(monkeypatch, "1/minute")
    member = client_for("member")
    lost = []

    def decr_lost(self, key, delta=1, version=None):
        lost.append(key)
        raise ValueError(f"Key '{key}' not found.")

    assert member.get(f"{V1}/meetings/").status_code == 200
    monkeypatch.setattr(LocMemCache, "decr", decr_lost)
    refused = member.get(f"{V1}/meetings/")

    assert refused.status_code == 429
    assert len(lost) == 1
