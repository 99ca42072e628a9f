from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        # meeting_pack_request enqueues the pack build by task name (services cannot
        # import the tasks that call them); registering it here lets a web process enqueue it.
        from meetings import tasks  # noqa: F401
