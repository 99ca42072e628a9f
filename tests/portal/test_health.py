import pytest
from django.test import override_settings

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.mark.django_db
def test_health_reports_database_and_in_process_broker(client):
    with override_settings(REDIS_URL=None, CACHES=LOCAL_CACHE):
        response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "in-process",
        "cache": "in-process",
    }


@pytest.mark.django_db
def test_health_is_degraded_but_200_when_the_broker_is_unreachable(client):
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/health/")

    # The portal still serves pages and the API: a load balancer must not take it out.
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")


@pytest.mark.django_db
def test_health_is_503_when_the_database_is_unreachable(client, monkeypatch):
    from portal import health

    monkeypatch.setattr(health, "_database_state", lambda: "error: OperationalError")
    with override_settings(REDIS_URL=None, CACHES=LOCAL_CACHE):
        response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "error: OperationalError"


@pytest.mark.django_db
def test_health_refuses_writes(client):
    assert client.post("/health/").status_code == 405


@pytest.fixture
def own_redis():
    from tests.servers import start_redis

    server = start_redis()
    yield server
    server.stop()


@pytest.mark.django_db
def test_health_reports_a_live_broker_then_its_loss(client, own_redis):
    with override_settings(REDIS_URL=own_redis.url):
        assert client.get("/health/").json()["broker"] == "ok"
        own_redis.stop()
        response = client.get("/health/")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"].startswith("error: ")
