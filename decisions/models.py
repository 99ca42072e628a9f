"""Decisions taken between meetings: the written (silence) procedure.

The secretariat circulates a draft decision to the group's member organisations with a
deadline. Each organisation asked may agree or object (with a reason) until then; with
no objection by the deadline the draft is adopted as a decision of the group
(meetings.Decision with no meeting), otherwise it is not and the objections stay on
record. Observers are told but not asked. Every answer is kept (ProcedureAnswer and its
history): who was asked, who answered what, when, and how (page, API or e-mailed link).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.models import CoordinationGroup, Labelled
from meetings.models import Decision
from members.models import Organisation, Person


class WrittenProcedure(Labelled):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for answers")
        # Held for the instant one beat run closes it: a second run finds it taken.
        CLOSING = "closing", _("Being closed")
        ADOPTED = "adopted", _("Adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted: objected to")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    group = models.ForeignKey(
        CoordinationGroup,
        on_delete=models.PROTECT,
        related_name="written_procedures",
        verbose_name=_("group"),
    )
    # MWG/2026/WP3, given when circulated, never reused.
    reference = models.CharField(_("reference"), max_length=50, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("draft decision"))
    text_ar = models.TextField(_("draft decision (Arabic)"), blank=True)
    text_fr = models.TextField(_("draft decision (French)"), blank=True)
    deadline = models.DateTimeField(_("answers by"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    circulated_at = models.DateTimeField(_("circulated at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(_("reason for withdrawing"), blank=True)
    decision = models.OneToOneField(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="written_procedure",
        editable=False,
        verbose_name=_("decision"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("written procedure")
        verbose_name_plural = _("written procedures")
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["draft", "open", "closing", "adopted", "not_adopted", "withdrawn"]
                ),
                name="written_procedure_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(circulated_at__isnull=False)
                | Q(status="withdrawn"),
                name="written_procedure_circulated_have_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="adopted") | Q(decision__isnull=False),
                name="written_procedure_adopted_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["adopted", "not_adopted"]) | Q(closed_at__isnull=False),
                name="written_procedure_closed_have_time",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or self.title

    def text_in(self, language: str) -> str:
        return {"ar": self.text_ar, "fr": self.text_fr}.get(language[:2], "") or self.text


class ProcedureAnswer(models.Model):
    """One organisation asked in a written procedure, and its answer."""

    class Answer(models.TextChoices):
        PENDING = "pending", _("Not answered")
        AGREE = "agree", _("Agrees")
        OBJECT = "object", _("Objects")

    class Channel(models.TextChoices):
        PAGE = "page", _("Portal page")
        API = "api", _("API")
        LINK = "link", _("Link in the e-mail")

    procedure = models.ForeignKey(
        WrittenProcedure,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("written procedure"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="procedure_answers",
        verbose_name=_("organisation"),
    )
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, default=Answer.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    # Who answered through an e-mailed link (no login then).
    answered_by_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by (person)"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    channel = models.CharField(
        _("answered through"), max_length=10, choices=Channel.choices, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["procedure", "organisation__name"]
        verbose_name = _("answer to a written procedure")
        verbose_name_plural = _("answers to written procedures")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "organisation"], name="procedure_answer_once_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(answer__in=["pending", "agree", "object"]),
                name="procedure_answer_valid",
            ),
            models.CheckConstraint(
                condition=Q(answer="pending") | Q(answered_at__isnull=False),
                name="procedure_answer_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(answer="object") | ~Q(reason=""),
                name="procedure_objection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_answer_display()}"


class ProcedureCounter(models.Model):
    """The last written-procedure number given in a group's year (MWG/2026/WP3)."""

    group = models.ForeignKey(
        CoordinationGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("group")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("written-procedure counter")
        verbose_name_plural = _("written-procedure counters")
        constraints = [
            models.UniqueConstraint(fields=["group", "year"], name="procedure_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.year}: {self.last_number}"
