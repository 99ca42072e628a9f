"""Background jobs of search: keeping the index up to date after a commit."""

from celery import shared_task

from search import services


@shared_task
def search_index_task(kind: str, ids: list[int]) -> int:
    """Index these records of `kind` as they are now (enqueued after commit by
    portal.indexing, once per kind and transaction); safe to run twice. Returns how
    many records were asked for."""
    services.index_update(kind, ids)
    return len(ids)
