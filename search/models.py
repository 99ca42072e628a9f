"""The search index: one row per searchable record, kept by search.services."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from groups.models import CoordinationGroup


class SearchKind(models.TextChoices):
    MEETING = "meeting", _("Meetings")
    AGENDA_ITEM = "agenda_item", _("Agenda items")
    MINUTES = "minutes", _("Minutes")
    DECISION = "decision", _("Decisions")
    ACTION_POINT = "action_point", _("Action points")
    DOCUMENT = "document", _("Documents")
    PERSON = "person", _("People")
    ORGANISATION = "organisation", _("Organisations")


class SearchEntry(models.Model):
    """What a record says, ready to be searched. Who may see it is not copied here: a
    search joins the entries to the record's own funnel (search.selectors), so a label
    or a seat that changes applies at once.

    `text` is what the reader is shown snippets of; `normalized` is the same words
    folded (case, Arabic letter variants, diacritics: search.normalize), which the
    simple matching of SQLite reads and from which PostgreSQL's `vector` is made, in
    the Arabic, English and French configurations, behind a GIN index."""

    Kind = SearchKind

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("record"))
    group = models.ForeignKey(
        CoordinationGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    title = models.CharField(_("title"), max_length=500)
    text = models.TextField(_("text"), blank=True)
    normalized = models.TextField(blank=True)
    # The record's date (a meeting's start, a paper's upload, a decision's meeting).
    date = models.DateTimeField(_("date"), null=True, blank=True)
    vector = SearchVectorField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_once"),
        ]
        indexes = [models.Index(fields=["kind", "date"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title[:60]}"
