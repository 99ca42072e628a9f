from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The house has no signals for domain behaviour: portal.audit tells
        # portal.indexing of each row it writes, and these say which rows are searched.
        from documents.models import DocumentVersion
        from portal.indexing import indexed

        # portal.indexing enqueues the index's task by name: registering it here lets a
        # web process enqueue it without a worker's autodiscovery.
        from search import tasks  # noqa: F401
        from search.models import SearchKind
        from search.services import SOURCES

        for source in SOURCES.values():
            indexed(source.model, source.kind)
        # A paper's text is its current version's.
        indexed(DocumentVersion, SearchKind.DOCUMENT, ids_of=_document_of_version)


def _document_of_version(version) -> list[int]:
    return [version.document_id]
