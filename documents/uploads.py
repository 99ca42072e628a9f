"""An upload handler that keeps no more of any uploaded file than the portal could
take: bytes past DOCUMENTS_MAX_UPLOAD_BYTES + 1 are read from the request but never
written to memory or a temporary file, so an upload of gigabytes costs no disk. The
file that reaches a view is then one byte over the limit, and documents.validation
refuses it as too large.

It comes first in FILE_UPLOAD_HANDLERS: Django parses a multipart body (as soon as
anything reads request.POST, portal.middleware included) before any view or parser
of ours runs."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler


class UploadCapHandler(FileUploadHandler):
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        # One byte over is enough to know the file is too large.
        cap = settings.DOCUMENTS_MAX_UPLOAD_BYTES + 1
        if start >= cap:
            return None
        return raw_data[: cap - start]

    def file_complete(self, file_size: int) -> None:
        # The handlers after this one make the file from what was passed on.
        return None
