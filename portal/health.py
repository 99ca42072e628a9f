"""GET /health/: the state of the database and the broker, for load balancers."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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


@never_cache
@require_GET
def health(request):
    database = _database_state()
    broker = _broker_state()
    healthy = database == "ok" and not broker.startswith("error")
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
