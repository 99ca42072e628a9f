"""Writes for papers: a new paper with its first version, a new version, its details,
its withdrawal, and the reading of a version's text for search.

An upload is checked (documents.validation) before anything is written; its file is
stored last, just before its row, and removed again if the row cannot be saved, so a
refused upload leaves neither a row nor a file. Versions are numbered under a lock on
their paper. Papers are never deleted: a withdrawn one leaves the lists and keeps its
versions. The search index follows every audited write by itself (portal.indexing).
"""

import logging
import secrets
from collections.abc import Iterable
from functools import partial
from typing import BinaryIO, cast

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from documents import announcements
from documents import text as file_text
from documents.models import Document, DocumentVersion, document_file_name
from documents.validation import CheckedUpload, upload_check
from groups.models import CoordinationGroup
from groups.services import label_for_new
from meetings.models import AgendaItem, Meeting
from members.models import Organisation
from portal.audit import Actor, audited_save, author_of
from portal.celery import app as celery_app

logger = logging.getLogger(__name__)

TEXT_EXTRACT_TASK = "documents.tasks.document_text_extract_task"
DETAIL_FIELDS = ("title", "title_ar", "title_fr", "description", "language")


def _place_check(
    *, group: CoordinationGroup, meeting: Meeting | None, agenda_item: AgendaItem | None
) -> Meeting | None:
    """The meeting a new paper goes on (locked, so it cannot be cancelled meanwhile),
    after checking that the agenda item is the meeting's and the meeting the group's."""
    if agenda_item is not None:
        if meeting is None:
            meeting = agenda_item.meeting
        elif agenda_item.meeting_id != meeting.pk:
            raise ValidationError(
                {"agenda_item": _("The agenda item is not on this paper's meeting.")}
            )
    if group.is_archived:
        raise ValidationError({"group": _("An archived group takes no new papers.")})
    if meeting is None:
        return None
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.group_id != group.pk:
        raise ValidationError({"meeting": _("The meeting is not this group's.")})
    _meeting_open_check(meeting)
    return meeting


def _meeting_open_check(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"meeting": _("A cancelled meeting takes no papers.")})


@transaction.atomic
def document_create(
    *,
    group: CoordinationGroup,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    title: str,
    title_ar: str = "",
    title_fr: str = "",
    description: str = "",
    language: str = "en",
    upload: File,
    note: str = "",
    confidentiality: str | None = None,
    restricted_to: Iterable[Organisation] = (),
    by: Actor,
) -> Document:
    """A new paper in the group's library, on `meeting`, or on `agenda_item` of it,
    with `upload` as its version 1. Its label is the one given, else its agenda item's
    or its meeting's (a paper on a restricted item is restricted to the same
    organisations), else, in the library, the group's usual one (its terms of reference)."""
    meeting = _place_check(group=group, meeting=meeting, agenda_item=agenda_item)
    label = label_for_new(
        confidentiality=confidentiality,
        restricted_to=restricted_to,
        group=group,
        container=agenda_item or meeting,
    )
    checked = upload_check(upload)
    document = Document(
        group=group,
        meeting=meeting,
        agenda_item=agenda_item,
        title=title,
        title_ar=title_ar,
        title_fr=title_fr,
        description=description,
        language=language,
        confidentiality=label.confidentiality,
        created_by=author_of(by),
    )
    audited_save(document, by=by)
    label.attach(document)
    _version_store(document=document, number=1, upload=upload, checked=checked, note=note, by=by)
    return document


@transaction.atomic
def document_version_add(
    *, document: Document, upload: File, note: str = "", by: Actor
) -> DocumentVersion:
    """The paper's next version. The paper is locked while its number is chosen, so two
    uploads at once get two numbers."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _open_for_changes_check(document)
    if document.meeting_id is not None:
        _meeting_open_check(Meeting.objects.select_for_update().get(pk=document.meeting_id))
    checked = upload_check(upload)
    last = document.versions.aggregate(last=Max("number"))["last"] or 0
    return _version_store(
        document=document, number=last + 1, upload=upload, checked=checked, note=note, by=by
    )


def _open_for_changes_check(document: Document) -> None:
    if document.is_withdrawn:
        raise ValidationError({"is_withdrawn": _("A withdrawn paper cannot be changed.")})


def _version_store(
    *,
    document: Document,
    number: int,
    upload: File,
    checked: CheckedUpload,
    note: str,
    by: Actor,
) -> DocumentVersion:
    version = DocumentVersion(
        document=document,
        number=number,
        storage_key=secrets.token_hex(16),
        file_name=checked.file_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        note=note,
        uploaded_by=author_of(by),
    )
    upload.seek(0)
    stored = default_storage.save(document_file_name(version, checked.file_name), upload)
    version.file.name = stored
    try:
        audited_save(version, by=by)
    except BaseException:
        # The row is refused (a bad note, a race on the number): its file goes too.
        default_storage.delete(stored)
        raise
    # Should the transaction roll back after this (a caller's later step failing), the
    # file would stay behind; a committed version's file is never deleted.
    transaction.on_commit(partial(_text_extract_soon, version.pk))
    # The invitees of a scheduled meeting hear of it, one notice an hour at most.
    announcements.papers_added_announce(version=version)
    return version


def _text_extract_soon(version_id: int) -> None:
    """Enqueue the reading of a version's text. A dead broker leaves the version
    "being read" and its paper found by its titles only; the upload stands."""
    try:
        celery_app.tasks[TEXT_EXTRACT_TASK].delay(version_id)
    except Exception:  # any broker failure means "later", not a failed upload
        logger.exception("The text of document version %s was not queued for reading.", version_id)


@transaction.atomic
def document_update(
    *,
    document: Document,
    title: str | None = None,
    title_ar: str | None = None,
    title_fr: str | None = None,
    description: str | None = None,
    language: str | None = None,
    by: Actor,
) -> Document:
    """Change the details given (None leaves a detail as it is). The label changes
    through groups.services.confidentiality_set."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _open_for_changes_check(document)
    given = {
        "title": title,
        "title_ar": title_ar,
        "title_fr": title_fr,
        "description": description,
        "language": language,
    }
    changed = [name for name, value in given.items() if value is not None]
    for name in changed:
        setattr(document, name, given[name])
    if changed:
        audited_save(document, by=by, update_fields=[*changed, "updated_at"])
    return document


@transaction.atomic
def document_withdraw(*, document: Document, by: Actor) -> Document:
    """Take the paper out of the lists, the pack and the notices; it and its versions
    stay, readable by id for those who see it."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _open_for_changes_check(document)
    document.is_withdrawn = True
    audited_save(document, by=by, update_fields=["is_withdrawn", "updated_at"])
    return document


def document_text_extract(*, version_id: int) -> DocumentVersion | None:
    """Read the words of a version still "being read" and store them (the search index
    follows): read, none to read (an image), or could not be read. Safe to run twice: a
    version already read is left as it is. Not one transaction: reading a long file
    takes seconds, and no lock is held meanwhile."""
    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is None or version.text_status != DocumentVersion.TextStatus.PENDING:
        return version
    try:
        with default_storage.open(version.file.name, "rb") as stored:
            found = file_text.text_of(cast(BinaryIO, stored), version.content_type)
        status, words = found.status, found.text
    except Exception:  # a damaged or hostile file is recorded as unreadable, never raised
        logger.warning("The text of document version %s could not be read.", version_id)
        status, words = DocumentVersion.TextStatus.FAILED, ""
    return _text_store(version_id=version_id, status=status, words=words)


@transaction.atomic
def _text_store(*, version_id: int, status: str, words: str) -> DocumentVersion | None:
    version = DocumentVersion.objects.select_for_update().filter(pk=version_id).first()
    if version is None or version.text_status != DocumentVersion.TextStatus.PENDING:
        # Another run stored it first.
        return version
    version.text = words
    version.text_status = status
    audited_save(version, by=None, update_fields=["text", "text_status"])
    return version
