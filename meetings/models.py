import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from groups.models import CoordinationGroup, Labelled
from members.models import Organisation, Person
from portal import zones
from portal.constraints import ConstraintsPassAtRest
from portal.dates import dates_check


def default_time_zone() -> str:
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    """Any zone Python knows, so that older stored values stay valid; the forms offer
    and the API takes fewer (portal.zones)."""
    zones.validate_zone(value)


class MeetingKind(models.TextChoices):
    LAUNCH = "launch", _("Launch")
    REGULAR = "regular", _("Regular meeting")
    EXTRAORDINARY = "extraordinary", _("Extraordinary meeting")
    WORKSHOP = "workshop", _("Workshop")
    CONSULTATION = "consultation", _("Consultation")


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
WEEK_OF_MONTH = [
    (1, _("first")),
    (2, _("second")),
    (3, _("third")),
    (4, _("fourth")),
    (-1, _("last")),
]


class MeetingSeries(models.Model):
    """A group's recurring meetings: a rule (weekly, every n weeks, monthly on a day or
    on the nth weekday) with an end, whose occurrences are meetings of their own,
    created ahead as far as `create_ahead_days` (meetings.series)."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every n weeks")
        MONTHLY_DAY = "monthly_day", _("Monthly on a day of the month")
        MONTHLY_WEEKDAY = "monthly_weekday", _("Monthly on the nth weekday")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey(
        CoordinationGroup,
        on_delete=models.PROTECT,
        related_name="meeting_series",
        verbose_name=_("group"),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.REGULAR
    )
    frequency = models.CharField(_("repeats"), max_length=20, choices=Frequency.choices)
    interval = models.PositiveSmallIntegerField(
        _("every"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Every how many weeks or months."),
    )
    # 0 = Monday … 6 = Sunday, as Python's datetime.weekday().
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), null=True, blank=True, choices=WEEKDAYS
    )
    month_day = models.PositiveSmallIntegerField(
        _("day of the month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # 1 to 4, or -1 for the last such weekday of the month.
    week_of_month = models.SmallIntegerField(
        _("which weekday of the month"), null=True, blank=True, choices=WEEK_OF_MONTH
    )
    start_time = models.TimeField(_("starts at (local time)"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("first meeting on or after"))
    ends_on = models.DateField(_("last meeting on or before"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(
        _("number of meetings"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(520)],
    )
    create_ahead_days = models.PositiveSmallIntegerField(
        _("create meetings this many days ahead"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    # The series' iCalendar UID and SEQUENCE: invitees hold one recurring event.
    calendar_uid = models.CharField(
        max_length=200, unique=True, editable=False, verbose_name=_("calendar UID")
    )
    sequence = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("sequence"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["group", "starts_on"]
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(count__isnull=True),
                name="series_ends_by_date_or_count",
                violation_error_message=_(
                    "End the series on a date or after a number of meetings, not both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=["weekly", "monthly_day", "monthly_weekday"]),
                name="series_frequency_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "cancelled"]), name="series_status_valid"
            ),
        ]

    def clean(self) -> None:
        dates_check({"starts_on": self.starts_on, "ends_on": self.ends_on})

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Meeting(Labelled):
    """A meeting of a group. Times are stored in UTC and shown in `time_zone`."""

    Kind = MeetingKind

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey(
        CoordinationGroup,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("group"),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    start_at = models.DateTimeField(_("starts at"))
    end_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    description = models.TextField(_("description"), blank=True)
    # The iCalendar UID, fixed when the meeting is created: calendar programs know the
    # event by it, so it must survive a change of the portal's domain.
    calendar_uid = models.CharField(
        max_length=200, unique=True, editable=False, verbose_name=_("calendar UID")
    )
    # Raised on every change that invitees must hear about (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("sequence"))
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    # The official reference (MWG/2026/04), given when the meeting is scheduled and
    # never given again (ReferenceCounter).
    reference = models.CharField(_("reference"), max_length=40, blank=True, editable=False)
    # Called inside the group's notice period: who allowed it and why.
    short_notice_reason = models.TextField(_("reason for short notice"), blank=True)
    short_notice_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("short notice allowed by"),
    )
    series = models.ForeignKey(
        MeetingSeries,
        on_delete=models.PROTECT,
        related_name="occurrences",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("series"),
    )
    # The occurrence's slot in its series (the iCalendar RECURRENCE-ID), kept when the
    # meeting is moved.
    occurrence_start = models.DateTimeField(
        _("slot in the series"), null=True, blank=True, editable=False
    )
    # Moved or changed by hand: a change to the series leaves it as it is.
    detached_from_series = models.BooleanField(
        _("changed apart from its series"), default=False, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-start_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=["group", "start_at"]),
            models.Index(fields=["status", "start_at"]),
            # Every list of meetings, and of what hangs off them (invitations, minutes),
            # is read newest first: walked from this index, page 1 reads a page of
            # meetings whatever the table's size, instead of sorting all of them.
            models.Index(fields=["start_at", "id"]),
            # The meetings not yet over (the dashboard, "upcoming"): the starts of those
            # ending from now on, read from this index alone (meetings.selectors.not_over),
            # not by walking every meeting ever held.
            models.Index(fields=["end_at", "start_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=F("start_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("A meeting must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "scheduled", "held", "cancelled"]),
                name="meeting_status_valid",
            ),
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(reference=""),
                name="meeting_reference_unique",
                violation_error_message=_("Another meeting already has this reference."),
            ),
            models.UniqueConstraint(
                fields=["series", "occurrence_start"],
                name="meeting_once_per_series_slot",
                violation_error_message=_("The series already has a meeting in this slot."),
            ),
            models.CheckConstraint(
                condition=Q(series__isnull=True) | Q(occurrence_start__isnull=False),
                name="meeting_series_occurrence_has_slot",
            ),
        ]

    def clean(self) -> None:
        dates_check({"start_at": self.start_at, "end_at": self.end_at}, self.time_zone)

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class ReferenceCounter(models.Model):
    """The last meeting number given in a group's year, so a reference is never given
    twice, even when its meeting is cancelled."""

    group = models.ForeignKey(
        CoordinationGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("group")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")
        constraints = [
            models.UniqueConstraint(fields=["group", "year"], name="reference_counter_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.year}: {self.last_number}"


class AgendaItemKind(models.TextChoices):
    """What an agenda item is for. Every kind but "regular" is put there by the portal
    (meetings.follow_up): one of each per meeting, and per source meeting where it has one."""

    REGULAR = "regular", _("Regular item")
    MINUTES_ADOPTION = "minutes_adoption", _("Adoption of the minutes")
    ACTION_REVIEW = "action_review", _("Review of open action points")
    REPORT_BACK = "report_back", _("Report of a sub-group")


class AgendaItem(ConstraintsPassAtRest, Labelled):
    """One item of a meeting's agenda, in `position` order."""

    Kind = AgendaItemKind
    # A regular item passes the constraints on the portal's own items (one of each per
    # meeting) by construction: every agenda edit would otherwise ask the database.
    constraints_pass_at_rest = {"kind": AgendaItemKind.REGULAR, "source_meeting": None}

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
    )
    kind = models.CharField(
        _("kind of item"), max_length=20, choices=AgendaItemKind.choices, default="regular"
    )
    # The earlier meeting the item is about: the meeting whose minutes it adopts, or the
    # sub-group's meeting whose report it hears.
    source_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up_items",
        verbose_name=_("about the meeting"),
    )
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    presenter = models.ForeignKey(
        Person,
        verbose_name=_("presenter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="presented_items",
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=15)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="agenda_item_position_unique",
                violation_error_message=_("Another agenda item already has this position."),
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=1440),
                name="agenda_item_duration_in_range",
                violation_error_message=_("An item lasts between 1 minute and 24 hours."),
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["regular", "minutes_adoption", "action_review", "report_back"]
                ),
                name="agenda_item_kind_valid",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["minutes_adoption", "report_back"])
                    & Q(source_meeting__isnull=False)
                )
                | (Q(kind__in=["regular", "action_review"]) & Q(source_meeting__isnull=True)),
                name="agenda_item_source_meeting_iff_about_one",
            ),
            # The portal's items exist once: two clicks or two tasks never add a second.
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(kind="action_review"),
                name="agenda_item_one_action_review",
            ),
            models.UniqueConstraint(
                fields=["meeting", "kind", "source_meeting"],
                condition=Q(kind__in=["minutes_adoption", "report_back"]),
                name="agenda_item_one_per_source_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Invitation(models.Model):
    """A person invited to a meeting, and their answer."""

    # A note may run over several lines; every other short field holds one.
    multiline_fields = frozenset({"response_note"})

    class Response(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        TENTATIVE = "tentative", _("Tentative")
        ALTERNATE = "alternate", _("Sending an alternate")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("meeting")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("person")
    )
    # The organisation the person was invited for, kept as it was on the day.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="invitations",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    response = models.CharField(
        _("response"), max_length=10, choices=Response.choices, default=Response.PENDING
    )
    alternate = models.ForeignKey(
        Person,
        verbose_name=_("alternate sent"),
        on_delete=models.PROTECT,
        related_name="alternate_for",
        null=True,
        blank=True,
    )
    response_note = models.CharField(_("note"), max_length=500, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "person__full_name"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            # The answers a person or an organisation still owes (the dashboard): a few
            # rows each, where all their invitations are every year's. PostgreSQL reads
            # them for each coming meeting.
            models.Index(
                fields=["organisation"],
                condition=Q(response="pending"),
                name="invitation_pending_by_org",
            ),
            models.Index(
                fields=["person"],
                condition=Q(response="pending"),
                name="invitation_pending_by_person",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="invitation_once_per_person",
                violation_error_message=_("This person is already invited to the meeting."),
            ),
            models.CheckConstraint(
                condition=(Q(response="alternate") & Q(alternate__isnull=False))
                | (~Q(response="alternate") & Q(alternate__isnull=True)),
                name="invitation_alternate_iff_sending_alternate",
                violation_error_message=_("Name the alternate exactly when sending one."),
            ),
            models.CheckConstraint(
                condition=~Q(alternate=F("person")),
                name="invitation_alternate_not_invitee",
                violation_error_message=_("The alternate must be someone else."),
            ),
            models.CheckConstraint(
                condition=Q(
                    response__in=["pending", "accepted", "declined", "tentative", "alternate"]
                ),
                name="invitation_response_valid",
            ),
        ]

    def __str__(self) -> str:
        # Words, not an arrow: an arrow points the wrong way in right-to-left text.
        return _("%(person)s, invited to %(meeting)s") % {
            "person": self.person,
            "meeting": self.meeting,
        }


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


INTERPRETATION_LANGUAGES = [("ar", _("Arabic")), ("en", _("English")), ("fr", _("French"))]


class Attendance(models.Model):
    """A line of the attendance register; invitation is empty for people not invited."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="attendance",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendance",
        verbose_name=_("invitation"),
    )
    mode = models.CharField(
        _("attended"),
        max_length=10,
        choices=AttendanceMode.choices,
        default=AttendanceMode.IN_PERSON,
    )
    interpretation = models.CharField(
        _("interpretation into"), max_length=2, choices=INTERPRETATION_LANGUAGES, blank=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("recorded at"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "organisation__name", "person__full_name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance register")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="attendance_once_per_person",
                violation_error_message=_("This person is already in the register."),
            ),
            models.CheckConstraint(
                condition=Q(mode__in=["in_person", "online"]), name="attendance_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(interpretation__in=["", "ar", "en", "fr"]),
                name="attendance_interpretation_valid",
            ),
        ]

    def __str__(self) -> str:
        return _("%(person)s at %(meeting)s") % {"person": self.person, "meeting": self.meeting}


# Long minutes of a long meeting, in Arabic, fit; DATA_UPLOAD_MAX_MEMORY_SIZE is sized so
# this many characters pass in a form or in JSON with every letter escaped.
MINUTES_MAX_CHARS = 200_000


class ApprovalCapacity(models.TextChoices):
    CHAIR = "chair", _("Chair")
    COCHAIR = "cochair", _("Co-chair")
    ON_BEHALF = "on_behalf", _("Secretariat on the chair's behalf")


class Minutes(ConstraintsPassAtRest, Labelled):
    """The record of a held meeting: draft, then approved, then published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    # Minutes neither circulated nor adopted pass those constraints by construction;
    # each would cost a query on every save of the text.
    constraints_pass_at_rest = {"circulated_at": None, "adopted_at": None, "adopted_on": None}

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="minutes", verbose_name=_("meeting")
    )
    body = models.TextField(_("minutes"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    approved_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("approved at")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    published_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("published at")
    )
    # Who signed the minutes off in what capacity: the chair or co-chair themselves, or
    # the secretariat on their behalf (approved_by is then the secretariat's login and
    # approved_for the chair's person).
    approved_as = models.CharField(
        _("approved as"),
        max_length=20,
        choices=ApprovalCapacity.choices,
        blank=True,
        editable=False,
    )
    approved_for = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approved for"),
    )
    # The comment period: the draft went to the invitees' organisations at circulated_at,
    # comments are taken until comments_until, and the one reminder went at reminded_at.
    circulated_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("circulated for comments at")
    )
    comments_until = models.DateTimeField(
        _("comments until"), null=True, blank=True, editable=False
    )
    comment_reminder_sent_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("comment reminder sent at")
    )
    # Adoption by a later meeting of the group: the decision that adopted them.
    adopted_at = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopted_minutes",
        editable=False,
        verbose_name=_("adopted at"),
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True, editable=False)
    adoption_decision = models.OneToOneField(
        "Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopted_minutes",
        editable=False,
        verbose_name=_("adoption decision"),
    )
    # The number of the current MinutesVersion: every text the minutes had is kept.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-meeting__start_at"]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False),
                name="minutes_approved_have_approval_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="minutes_published_have_publication_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "approved", "published"]),
                name="minutes_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(adopted_at__isnull=True, adopted_on__isnull=True)
                | Q(adopted_at__isnull=False, adopted_on__isnull=False),
                name="minutes_adopted_at_a_meeting_on_a_date",
            ),
            models.CheckConstraint(
                condition=Q(circulated_at__isnull=True) | Q(comments_until__isnull=False),
                name="minutes_circulated_have_a_closing_date",
            ),
        ]

    def __str__(self) -> str:
        return _("Minutes of %(meeting)s") % {"meeting": self.meeting}


class MinutesVersion(models.Model):
    """One text the minutes had. A new version is kept each time the text changes; the
    corrections made when a later meeting adopts them are one too."""

    class Reason(models.TextChoices):
        DRAFTED = "drafted", _("First draft")
        EDITED = "edited", _("Edited")
        CORRECTED = "corrected", _("Corrected at adoption")

    minutes = models.ForeignKey(
        Minutes, on_delete=models.CASCADE, related_name="versions", verbose_name=_("minutes")
    )
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("minutes"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        ordering = ["minutes", "number"]
        verbose_name = _("version of minutes")
        verbose_name_plural = _("versions of minutes")
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "number"], name="minutes_version_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=["drafted", "edited", "corrected"]),
                name="minutes_version_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return _("%(minutes)s, version %(number)s") % {
            "minutes": self.minutes,
            "number": self.number,
        }


class MinutesComment(models.Model):
    """A member organisation's comment on one section of draft minutes, and the
    secretariat's answer. `section` is the heading it is on (the agenda item's heading of
    the template, or "" for the minutes as a whole); `version` the text it was made on."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting an answer")
        ANSWERED = "answered", _("Answered")
        APPLIED = "applied", _("Applied to the text")

    minutes = models.ForeignKey(
        Minutes, on_delete=models.CASCADE, related_name="comments", verbose_name=_("minutes")
    )
    version = models.PositiveIntegerField(_("on version"))
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agenda item"),
    )
    section = models.CharField(_("section"), max_length=300, blank=True)
    body = models.TextField(_("comment"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="minutes_comments",
        verbose_name=_("organisation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["minutes", "created_at", "id"]
        verbose_name = _("comment on minutes")
        verbose_name_plural = _("comments on minutes")
        indexes = [
            models.Index(fields=["minutes", "organisation"]),
            # The API's list order, read from the index rather than sorted.
            models.Index(fields=["minutes", "created_at", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "answered", "applied"]),
                name="minutes_comment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(answered_at__isnull=False),
                name="minutes_comment_answered_have_time",
            ),
        ]

    def __str__(self) -> str:
        return _("Comment by %(organisation)s on %(minutes)s") % {
            "organisation": self.organisation,
            "minutes": self.minutes,
        }


class DecisionStatus(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Decision(ConstraintsPassAtRest, Labelled):
    """A decision of a group: taken at a meeting (numbered within it) or, with no
    meeting, adopted by written procedure (decisions.WrittenProcedure.decision)."""

    Status = DecisionStatus
    # An adopted decision passes its status constraints by construction; only a change
    # of status asks the database (a query per constraint).
    constraints_pass_at_rest = {"status": DecisionStatus.ADOPTED, "superseded_by": None}

    group = models.ForeignKey(
        CoordinationGroup,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("group"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("meeting"),
    )
    number = models.PositiveIntegerField(_("number"))
    # The day it was taken (the meeting's day in its own zone, or the procedure's
    # deadline): the register's order and date filter.
    decided_on = models.DateField(_("decided on"))
    text_ar = models.TextField(_("decision (Arabic)"), blank=True)
    text_fr = models.TextField(_("decision (French)"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=DecisionStatus.choices, default="adopted"
    )
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    # The later meeting that corrected the words when adopting the minutes.
    corrected_at = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_decisions",
        verbose_name=_("corrected at"),
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("agenda item"),
    )
    text = models.TextField(_("decision"))
    # The meeting's reference and the number (MWG/2026/04/D3), fixed when recorded.
    reference = models.CharField(_("reference"), max_length=50, blank=True, editable=False)
    # Whether the quorum was met when the decision was recorded; None when the group's
    # terms set no quorum.
    quorum_met = models.BooleanField(_("quorum met"), null=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "number"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            models.Index(fields=["group", "-decided_on"]),
            models.Index(fields=["-decided_on", "-id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"],
                name="decision_number_unique",
                violation_error_message=_("Another decision already has this number."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["adopted", "superseded", "withdrawn"]),
                name="decision_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="superseded", superseded_by__isnull=False)
                | (~Q(status="superseded") & Q(superseded_by__isnull=True)),
                name="decision_superseded_iff_by_another",
            ),
        ]

    def __str__(self) -> str:
        if self.reference:
            return self.reference
        if self.meeting_id is None:
            return _("Decision %(number)s") % {"number": self.pk}
        return _("%(meeting)s — decision %(number)s") % {
            "meeting": self.meeting,
            "number": self.number,
        }

    def text_in(self, language: str) -> str:
        """The words in `language` where they were given, else as taken."""
        return {"ar": self.text_ar, "fr": self.text_fr}.get(language[:2], "") or self.text


class ActionPoint(Labelled):
    """A task raised at a meeting for an organisation; carried until done or dropped."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("raised at"),
        on_delete=models.PROTECT,
        related_name="action_points",
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_points",
        verbose_name=_("decision"),
    )
    title = models.CharField(_("action"), max_length=300)
    description = models.TextField(_("details"), blank=True)
    owner_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("owner organisation"),
        on_delete=models.PROTECT,
        related_name="action_points",
    )
    owner_person = models.ForeignKey(
        Person,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_points",
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    progress = models.TextField(_("progress"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action point")
        verbose_name_plural = _("action points")
        indexes = [
            models.Index(fields=["owner_organisation", "status", "due_on"]),
            models.Index(fields=["status", "due_on"]),
            # The lists' order (Meta.ordering): page 1 walks it instead of sorting.
            models.Index(fields=["due_on", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_at__isnull=True))
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="action_point_closed_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "done", "dropped"]),
                name="action_point_status_valid",
            ),
        ]

    def clean(self) -> None:
        dates_check({"due_on": self.due_on})

    def __str__(self) -> str:
        return self.title


class ActionPointReview(models.Model):
    """What a meeting (or a report between meetings) said of an action point: its
    status after it and a note. An open action point is listed again at each of its
    group's meetings, with these underneath, until it is done or dropped."""

    action_point = models.ForeignKey(
        ActionPoint,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("action point"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="action_point_reviews",
        verbose_name=_("reviewed at"),
    )
    status = models.CharField(_("status after"), max_length=10, choices=ActionPoint.Status.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["action_point", "at", "id"]
        verbose_name = _("review of an action point")
        verbose_name_plural = _("reviews of action points")
        indexes = [models.Index(fields=["meeting", "action_point"])]

    def __str__(self) -> str:
        return f"{self.action_point} — {self.get_status_display()}"


class ReportBack(models.Model):
    """A sub-group's published minutes proposed to its parent group's next meeting as
    an agenda item "Report of the <sub-group>"; the parent's secretariat accepts it (the
    item is added) or drops it (it is not proposed again)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DROPPED = "dropped", _("Dropped")

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="report_backs",
        verbose_name=_("meeting of the parent group"),
    )
    source_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="reported_to",
        verbose_name=_("meeting of the sub-group"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    agenda_item = models.OneToOneField(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_back",
        verbose_name=_("agenda item"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)

    class Meta:
        ordering = ["meeting", "created_at"]
        verbose_name = _("report back")
        verbose_name_plural = _("reports back")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "source_meeting"], name="report_back_once_per_meeting"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "accepted", "dropped"]),
                name="report_back_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return _("Report of %(group)s to %(meeting)s") % {
            "group": self.source_meeting.group,
            "meeting": self.meeting,
        }


def meeting_pack_file_name(pack: "MeetingPack", filename: str) -> str:
    return f"packs/meeting-{pack.meeting_id}/{filename}"


class MeetingPack(models.Model):
    """A meeting pack PDF built in the background and kept on the default storage, one
    per version: `key` is a hash of everything the pack shows, in its language and for
    its audience, so a change to any of it is a new version (meetings.pack)."""

    class Audience(models.TextChoices):
        # Who may read the minutes it shows: draft minutes only those who manage the
        # meeting; published ones (or none) everyone who sees it.
        MEMBERS = "members", _("Members")
        MANAGERS = "managers", _("Managers")

    class Status(models.TextChoices):
        BUILDING = "building", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="packs", verbose_name=_("meeting")
    )
    key = models.CharField(_("version"), max_length=64, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=10)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    file = models.FileField(_("file"), upload_to=meeting_pack_file_name, max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.BUILDING
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # When a build was last asked for: a pack still building long after this lost its
    # task (a broker outage, a killed worker), and the next request asks again.
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("meeting pack")
        verbose_name_plural = _("meeting packs")
        indexes = [models.Index(fields=["meeting", "language", "audience", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["building", "ready", "failed"]),
                name="meeting_pack_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=["members", "managers"]),
                name="meeting_pack_audience_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(file=""),
                name="meeting_pack_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return _("Meeting pack of %(meeting)s (%(language)s)") % {
            "meeting": self.meeting,
            "language": self.language,
        }


class MeetingUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)


class MeetingGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)
