"""What leaves the portal: the outbox of notices, their failed attempts, the reminders
waiting for their time, and the webhook endpoints member organisations register.

The foreign keys to meetings are written as strings: the notices app's models are
the outbox's, and the outbox imports nothing from the meetings app.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Organisation, Person


class WebhookEndpoint(models.Model):
    """A URL an organisation registered to receive signed event notifications."""

    class Event(models.TextChoices):
        MEETING_SCHEDULED = "meeting.scheduled", "meeting.scheduled"
        MEETING_UPDATED = "meeting.updated", "meeting.updated"
        MEETING_CANCELLED = "meeting.cancelled", "meeting.cancelled"
        MINUTES_PUBLISHED = "minutes.published", "minutes.published"
        ACTION_POINT_DUE = "action_point.due", "action_point.due"
        SERIES_SCHEDULED = "series.scheduled", "series.scheduled"
        SERIES_UPDATED = "series.updated", "series.updated"
        SERIES_CANCELLED = "series.cancelled", "series.cancelled"
        MEETING_PAPERS_ADDED = "meeting.papers_added", "meeting.papers_added"

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    url = models.URLField(_("URL"), max_length=500)
    # The HMAC-SHA256 key; shown once to the agency when the endpoint is registered.
    secret = models.CharField(max_length=80, editable=False, verbose_name=_("secret"))
    events = models.JSONField(
        _("events"), default=list, blank=True, help_text=_("Empty: every event.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["organisation__name", "url"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "url"],
                name="webhook_endpoint_unique_url",
                violation_error_message=_("This URL is already registered."),
            ),
        ]

    def __str__(self) -> str:
        return self.url


# A resend's copy is keyed by its original's key and this, then its number (1, 2, ...).
RESEND_KEY_SUFFIX = ":resend"


class Notice(models.Model):
    """The outbox: one row per recipient and event version, unique by `dedup_key`.

    Written in the transaction of the change that causes it; delivered by a worker
    that claims the row before sending and marks it sent right after, so a crash
    can repeat at most the two messages that were in flight (notices.delivery), each
    with the Message-ID it was first sent with.
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        UPDATE = "update", _("Update")
        CANCELLATION = "cancellation", _("Cancellation")
        REMINDER = "reminder", _("Reminder")
        ANSWER_REMINDER = "answer_reminder", _("Reminder to answer")
        MINUTES = "minutes", _("Minutes published")
        ACTION_DUE = "action_due", _("Action point due")
        SERIES_INVITATION = "series_invitation", _("Invitation to a meeting series")
        SERIES_UPDATE = "series_update", _("Meeting series changed")
        SERIES_CANCELLATION = "series_cancellation", _("Meeting series cancelled")
        PAPERS_ADDED = "papers_added", _("Papers added to a meeting")
        MINUTES_CIRCULATED = "minutes_circulated", _("Draft minutes circulated for comments")
        COMMENTS_REMINDER = "comments_reminder", _("Reminder to comment on draft minutes")
        PROCEDURE = "procedure", _("Written procedure circulated")
        PROCEDURE_OUTCOME = "procedure_outcome", _("Outcome of a written procedure")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent: superseded")

    dedup_key = models.CharField(
        max_length=200, unique=True, editable=False, verbose_name=_("dedup key")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    event = models.CharField(_("event"), max_length=40)
    # The delivery log is history: what it points at is never deleted from under it.
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.PROTECT,
        related_name="notices",
        null=True,
        blank=True,
        verbose_name=_("meeting"),
    )
    series = models.ForeignKey(
        "meetings.MeetingSeries",
        on_delete=models.PROTECT,
        related_name="notices",
        null=True,
        blank=True,
        verbose_name=_("meeting series"),
    )
    action_point = models.ForeignKey(
        "meetings.ActionPoint",
        on_delete=models.PROTECT,
        related_name="notices",
        null=True,
        blank=True,
        verbose_name=_("action point"),
    )
    procedure = models.ForeignKey(
        "decisions.WrittenProcedure",
        on_delete=models.PROTECT,
        related_name="notices",
        null=True,
        blank=True,
        verbose_name=_("written procedure"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="notices",
        null=True,
        blank=True,
        # Indexed with the log's order instead (Meta.indexes), which serves both.
        db_index=False,
        verbose_name=_("person"),
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.PROTECT,
        related_name="notices",
        null=True,
        blank=True,
        verbose_name=_("endpoint"),
    )
    # The state the event describes, frozen when it happened (webhook body, calendar sequence).
    payload = models.JSONField(default=dict, verbose_name=_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone_now)
    claim_token = models.CharField(
        max_length=40, blank=True, editable=False, verbose_name=_("claim token")
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("claimed at")
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["meeting", "person"]),
            # The delivery log's order (newest first), read from the index rather than sorted.
            models.Index(fields=["created_at", "id"]),
            # The failed ones on the dashboard, newest first: without it the log's order
            # above was walked in search of them.
            models.Index(fields=["status", "created_at", "id"]),
            # And their count. Nearly every notice is sent, and statistics SQLite took
            # while none had failed give the status test no selectivity: it counted the
            # failed ones by reading the whole log (1.5 ms at the benchmark's 20,000
            # notices). An index of the failed alone tells its planner the test is
            # selective, and it reads them through the status index above (0.005 ms).
            # PostgreSQL keeps statistics per value and reads that index anyway. Only
            # the failed are in this one, so sending a notice never touches it.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(status="failed"),
                name="notice_failed_idx",
            ),
            # The webhook calls, apart from the e-mails. The endpoint's own index holds
            # every e-mail under null: SQLite's statistics then say an endpoint has as
            # many notices as the log, and an agency's log (its people's e-mails or its
            # endpoints' calls, newest first) was read by walking the whole log in order
            # (12.7 ms at the benchmark's 20,000 notices, 183 ms at 200,000). With this
            # index it reads the two by index, then sorts what it found.
            models.Index(
                fields=["endpoint", "created_at", "id"],
                condition=Q(endpoint__isnull=False),
                name="notice_webhook_calls_idx",
            ),
            # A person's e-mails newest first, read in order as one part of their log
            # (portal.ordering.merged_in_order) rather than all read and sorted.
            models.Index(fields=["person", "created_at", "id"], name="notice_person_log_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(channel="email") & Q(person__isnull=False) & Q(endpoint__isnull=True))
                | (Q(channel="webhook") & Q(endpoint__isnull=False) & Q(person__isnull=True)),
                name="notice_has_one_recipient_for_its_channel",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notice_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "skipped"]),
                name="notice_status_valid",
            ),
        ]

    def __str__(self) -> str:
        recipient = self.person if self.person_id else self.endpoint
        return _("%(kind)s to %(recipient)s (%(status)s)") % {
            "kind": self.get_kind_display(),
            "recipient": recipient,
            "status": self.get_status_display(),
        }


class NoticeAttempt(models.Model):
    """One try at delivering a notice that did not succeed: the delivery log's detail."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="failed_attempts", verbose_name=_("notice")
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("attempted at"))
    is_permanent = models.BooleanField(default=False, verbose_name=_("is permanent"))
    error = models.TextField(verbose_name=_("error"))

    class Meta:
        ordering = ["notice", "at"]
        verbose_name = _("failed delivery attempt")
        verbose_name_plural = _("failed delivery attempts")

    def __str__(self) -> str:
        return f"{self.notice_id} at {self.at}: {self.error[:60]}"


class Reminder(models.Model):
    """A reminder due at a time kept here, picked up by the beat task when due."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting reminder")
        ANSWER = "answer", _("Reminder to answer")

    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("meeting"),
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    days_before = models.PositiveIntegerField(verbose_name=_("days before"))
    due_at = models.DateTimeField(verbose_name=_("due at"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [models.Index(fields=["done_at", "due_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind", "days_before"], name="reminder_once_per_offset"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.days_before} days before {self.meeting}"


class CalendarReply(models.Model):
    """One message read from the inbound mailbox: what a calendar program's Accept,
    Decline or Tentative button sent back, and what the portal made of it.

    The unique message key is what makes a reply count once, even when filing the
    message away in the mailbox fails and it is read again.
    """

    class Outcome(models.TextChoices):
        RECORDED = "recorded", _("Answer recorded")
        UNCHANGED = "unchanged", _("Already on record")
        IGNORED = "ignored", _("Ignored")

    class Reason(models.TextChoices):
        NO_TOKEN = "no_token", _("Not addressed to an invitation's reply address")
        NOT_A_REPLY = "not_a_reply", _("No calendar reply in the message")
        MALFORMED = "malformed", _("The calendar reply cannot be read")
        NO_INVITATION = "no_invitation", _("The invitation no longer exists")
        OTHER_MEETING = "other_meeting", _("The reply is for another meeting")
        OTHER_ATTENDEE = "other_attendee", _("The reply is from someone other than the invitee")
        NOT_AN_ANSWER = "not_an_answer", _("The reply gives no answer the portal takes")
        REFUSED = "refused", _("The answer was refused")
        LATER_ANSWER = "later_answer", _("A later answer is on record")
        SAME_ANSWER = "same_answer", _("The same answer is on record")

    message_key = models.CharField(max_length=255, unique=True, editable=False)
    sender = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    invitation = models.ForeignKey(
        "meetings.Invitation",
        on_delete=models.PROTECT,
        related_name="calendar_replies",
        null=True,
        blank=True,
    )
    answer = models.CharField(_("answer"), max_length=20, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        ordering = ["-read_at", "-id"]
        verbose_name = _("calendar reply")
        verbose_name_plural = _("calendar replies")

    def __str__(self) -> str:
        return f"{self.sender}: {self.get_outcome_display()}"
