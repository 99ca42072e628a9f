"""The group's papers: documents in a group's library, on a meeting or on one of its
agenda items, each with the versions uploaded over time."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.models import CoordinationGroup, Labelled
from meetings.models import AgendaItem, Meeting


class DocumentLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    FRENCH = "fr", _("French")
    SEVERAL = "mul", _("Several languages")
    OTHER = "other", _("Another language")


class Document(Labelled):
    """A paper of a group. On a meeting when `meeting` is set, on one of its agenda
    items when `agenda_item` is set too; otherwise in the group's library. What it
    says is in its versions; the newest is the current one."""

    Language = DocumentLanguage

    group = models.ForeignKey(
        CoordinationGroup,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("group"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
        verbose_name=_("meeting"),
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
        verbose_name=_("agenda item"),
    )
    title = models.CharField(_("title (English)"), max_length=300)
    title_ar = models.CharField(_("title (Arabic)"), max_length=300, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language of the file"), max_length=5, choices=Language.choices, default="en"
    )
    # Withdrawn papers stay (their history is the group's record) but are listed no more.
    is_withdrawn = models.BooleanField(_("withdrawn"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            models.Index(fields=["group", "created_at"]),
            models.Index(fields=["meeting", "agenda_item"]),
            # The API's list order (newest first), read from the index rather than sorted.
            models.Index(fields=["created_at", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(agenda_item__isnull=True) | Q(meeting__isnull=False),
                name="document_agenda_item_has_meeting",
                violation_error_message=_("A paper on an agenda item belongs to its meeting."),
            ),
            models.CheckConstraint(
                condition=Q(language__in=["en", "ar", "fr", "mul", "other"]),
                name="document_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def title_in(self, language: str) -> str:
        """The title in `language`, or in English when it has none in that language."""
        return {"ar": self.title_ar, "fr": self.title_fr}.get(language) or self.title


def document_file_name(version: "DocumentVersion", filename: str) -> str:
    # The stored name is not the uploaded one: a random part makes it unguessable even
    # on a storage that serves files itself, and the cleaned original is kept apart.
    return f"documents/{version.document_id}/{version.storage_key}/{filename}"


class DocumentVersion(models.Model):
    """One upload of a document's file. Versions are numbered from 1 and never removed."""

    class TextStatus(models.TextChoices):
        PENDING = "pending", _("Being read")
        DONE = "done", _("Read")
        NONE = "none", _("No text to read")
        FAILED = "failed", _("Could not be read")

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_file_name, max_length=300)
    storage_key = models.CharField(max_length=40, editable=False)
    # The uploaded name, cleaned (documents.validation.file_name_clean): what a download
    # is called.
    file_name = models.CharField(_("file name"), max_length=200)
    # Found from the content, not the name or the browser's claim.
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # The file's words, read by a background task for search.
    text = models.TextField(_("text"), blank=True, editable=False)
    text_status = models.CharField(
        _("text"), max_length=10, choices=TextStatus.choices, default=TextStatus.PENDING
    )

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        # The API's list of every version, newest first, read from the index.
        indexes = [models.Index(fields=["uploaded_at", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"],
                name="document_version_number_unique",
                violation_error_message=_("This version was uploaded at the same time; retry."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="document_version_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(text_status__in=["pending", "done", "none", "failed"]),
                name="document_version_text_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} (v{self.number})"
