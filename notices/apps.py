from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices")

    def ready(self) -> None:
        # The outbox enqueues delivery by task name; registering the task here means
        # a web process can enqueue it without the outbox importing the delivery code.
        from notices import tasks  # noqa: F401
