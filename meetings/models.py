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


class AgendaItem(Labelled):
    """One item of a meeting's agenda, in `position` order."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
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


class Minutes(Labelled):
    """The record of a held meeting: draft, then approved, then published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

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
        ]

    def __str__(self) -> str:
        return _("Minutes of %(meeting)s") % {"meeting": self.meeting}


class Decision(Labelled):
    """A decision taken at a meeting, numbered within it."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("meeting")
    )
    number = models.PositiveIntegerField(_("number"))
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
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"],
                name="decision_number_unique",
                violation_error_message=_("Another decision already has this number."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(meeting)s — decision %(number)s") % {
            "meeting": self.meeting,
            "number": self.number,
        }


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
