"""GET /health/: the state of the database, the broker and the cache, for load balancers.

Only a dead database keeps the portal from serving (503). Without Redis the pages and the
API keep working (notices wait in the outbox, throttles and form tokens fall back to each
process's memory), so a load balancer must keep sending traffic: 200, "degraded".
"""

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.cache import RedisCacheWithFallback


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "down", with its reason
        return f"error: {error.__class__.__name__}"
    return "ok"


def _broker_state() -> str:
    if settings.REDIS_URL is None:
        return "in-process"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except redis.RedisError as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def _cache_state() -> str:
    backend = caches["default"]
    if not isinstance(backend, RedisCacheWithFallback):
        return "in-process"
    return "ok" if backend.is_reachable() else "fallback"


@never_cache
@require_GET
def health(request):
    database = _database_state()
    broker = _broker_state()
    cache = _cache_state()
    if database != "ok":
        status = "error"
    elif broker.startswith("error") or cache == "fallback":
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "database": database, "broker": broker, "cache": cache},
        status=503 if status == "error" else 200,
    )
