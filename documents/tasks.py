"""Background jobs for papers: reading a new version's words for search. One service
call, safe to run twice (a version already read is left as it is)."""

from celery import shared_task

from documents import services


@shared_task
def document_text_extract_task(version_id: int) -> str | None:
    """Read and store the text of a newly uploaded version (enqueued by the upload's
    service after commit); returns the version's text status, or None when it is gone."""
    version = services.document_text_extract(version_id=version_id)
    return None if version is None else version.text_status
