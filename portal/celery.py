"""The Celery application. Tasks live in each app's tasks.py."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def load_the_urls(**_) -> None:
    """Notices link to the portal's pages, and the first reverse() imports the URLconf
    and with it every view, the API and its schema (0.4 s): once in the worker's main
    process, before it starts its pool, not in the first batch each process delivers."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point
