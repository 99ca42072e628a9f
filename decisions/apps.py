from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("Decisions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the beat's closing task with the worker and with web processes.
        from decisions import tasks  # noqa: F401
