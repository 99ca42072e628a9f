"""Every paper's file leaves the portal here, after the funnel has said the reader may
see it: one version, or a ZIP of a meeting's papers. Stored files have no address of
their own (neither under MEDIA_ROOT nor in the object store), so there is no URL to
guess or to pass on."""

import logging
import shutil
import tempfile
import zipfile

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from documents.models import Document, DocumentVersion
from documents.permissions import document_version_get_for_user
from documents.selectors import documents_of_meeting
from documents.validation import TEXT_TYPES, name_part_clean
from meetings.models import Meeting
from meetings.permissions import meeting_get_for_user

logger = logging.getLogger(__name__)

ZIP_FOLDER_MAX_CHARS = 80
_COPY_BYTES = 1024 * 1024


def _private(response: FileResponse) -> FileResponse:
    # The browser must take the bytes as the type we found, never as what they look
    # like, and no cache may keep what depends on who asked.
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


def version_file_response(version: DocumentVersion) -> FileResponse:
    """The version's file as an attachment called by its cleaned name (RFC 5987
    `filename*` for a name that is not ASCII), with the type found at upload."""
    try:
        stored = default_storage.open(version.file.name, "rb")
    except FileNotFoundError:
        logger.error("The file of document version %s is missing from storage.", version.pk)
        raise Http404(_("The file of this version is missing; tell the secretariat.")) from None
    content_type = version.content_type
    if content_type in TEXT_TYPES:
        content_type = f"{content_type}; charset=utf-8"
    return _private(
        FileResponse(
            stored, as_attachment=True, filename=version.file_name, content_type=content_type
        )
    )


@login_required
@require_GET
def version_download(request, version_id: int):
    """One version of a paper the reader sees (404 otherwise), withdrawn papers' too."""
    return version_file_response(document_version_get_for_user(request.user, version_id))


@login_required
@require_GET
def meeting_papers_zip(request, meeting_id: int):
    """The current version of each of the meeting's papers that the reader may see, in a
    ZIP: a folder per agenda item ("03 Returns/"), the meeting's own papers at the top.
    Built in a temporary file, not in memory, and streamed from there."""
    meeting = meeting_get_for_user(request.user, meeting_id)
    papers = documents_of_meeting(meeting=meeting, user=request.user)
    # FileResponse closes it once it is sent.
    archive = tempfile.TemporaryFile()
    try:
        _zip_write(archive, papers)
    except BaseException:
        archive.close()
        raise
    archive.seek(0)
    return _private(
        FileResponse(
            archive,
            as_attachment=True,
            filename=_zip_name(meeting),
            content_type="application/zip",
        )
    )


def _zip_write(archive, papers: list[Document]) -> None:
    taken: set[str] = set()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for paper in papers:
            version: DocumentVersion | None = getattr(paper, "current_version", None)
            if version is None:
                continue
            member = zipfile.ZipInfo(
                _unique(_folder_of(paper) + version.file_name, taken),
                date_time=timezone.localtime(version.uploaded_at).timetuple()[:6],
            )
            member.compress_type = zipfile.ZIP_DEFLATED
            try:
                stored = default_storage.open(version.file.name, "rb")
            except FileNotFoundError:
                logger.error("The file of document version %s is missing from storage.", version.pk)
                continue
            with stored, zipped.open(member, "w") as target:
                shutil.copyfileobj(stored, target, _COPY_BYTES)


def _folder_of(paper: Document) -> str:
    item = paper.agenda_item
    if item is None:
        return ""
    folder = name_part_clean(f"{item.position:02d} {item.title}")[:ZIP_FOLDER_MAX_CHARS]
    return f"{folder.rstrip(' .') or f'{item.position:02d}'}/"


def _unique(name: str, taken: set[str]) -> str:
    """`name`, or "name (2).ext", "name (3).ext"… when the ZIP has it already (compared
    without case, as Windows and macOS unpack them)."""
    stem, dot, extension = name.rpartition(".")
    if not dot or "/" in extension:
        stem, dot, extension = name, "", ""
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem} ({number}){dot}{extension}"
    taken.add(candidate.casefold())
    return candidate


def _zip_name(meeting: Meeting) -> str:
    name = name_part_clean(
        _("%(meeting)s papers") % {"meeting": meeting.reference or meeting.title}
    )
    return f"{name[:100].rstrip(' .') or 'papers'}.zip"
