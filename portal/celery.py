"""The Celery application. Tasks live in each app's tasks.py."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def load_the_urls(**_) -> None:
    """Notices link to the portal's pages. The first reverse() imports the URLconf and
    with it every view, the API and its schema (0.4 s), and the first in each language
    indexes the patterns for it (0.06 s): done once in the worker's main process, before
    it starts its pool, not in the first batch each pool process delivers."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            resolver.reverse_dict  # noqa: B018 - indexing the patterns is the point
