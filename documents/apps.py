from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The meeting pack lists the papers; meetings cannot import this app, so the
        # papers' source is handed to it here.
        from documents.pack import pack_papers_of
        from meetings.pack import pack_papers_source_register

        pack_papers_source_register(pack_papers_of)
        # The upload's service enqueues the reading of a version's text by task name
        # (services cannot import the tasks that call them); registering it here lets a
        # web process enqueue it.
        from documents import tasks  # noqa: F401
