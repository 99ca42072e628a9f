"""Meetings API serializers.

The two hot lists (meetings, action points) are built from one `.values()` query and
shaped by `rows()` into plain dicts that orjson renders; their serializer classes
describe exactly that shape for the schema, and a test holds the two together.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from groups.api.serializers import GroupBriefSerializer
from groups.models import Confidentiality, Membership
from groups.permissions import groups_visible_to, organisations_visible_to, people_visible_to
from meetings.minutes_cycle import approval_text, approval_texts
from meetings.models import (
    INTERPRETATION_LANGUAGES,
    MINUTES_MAX_CHARS,
    WEEK_OF_MONTH,
    WEEKDAYS,
    ActionPoint,
    ActionPointReview,
    AgendaItem,
    Attendance,
    AttendanceMode,
    Decision,
    Invitation,
    Meeting,
    MeetingSeries,
    Minutes,
)
from meetings.permissions import (
    agenda_items_visible_to,
    decisions_visible_to,
    meetings_visible_to,
)
from meetings.selectors import UnreachedReason, minutes_approved_among
from meetings.series import rrule_text
from members.api.serializers import OrganisationBriefSerializer, PersonBriefSerializer
from portal import zones
from portal.api.rows import many_to_many_ids
from portal.api.serializers import (
    InputSerializer,
    OutputModelSerializer,
    UTCDateTimeField,
    VisibleRelatedField,
)

# --- Shapes shared by the fast lists and the model serializers ---------------------

CONFIDENTIALITY_HELP = (
    "Who may see it: `public` (everyone with an account), `members` (whoever sees the "
    "meeting: the group's members and observers, the invitees) or `restricted` (the "
    "secretariat, the group's chairs and the organisations in `restricted_to`)."
)
RESTRICTED_TO_HELP = "With `restricted`: the ids of the organisations that may see it."
# Lists and details alike give them in the organisations' order, as the directory does.
RESTRICTED_TO_LISTED_HELP = RESTRICTED_TO_HELP + " By organisation name."


def _confidentiality_field(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=Confidentiality.choices, help_text=CONFIDENTIALITY_HELP, **kwargs
    )


def _restricted_to_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=RESTRICTED_TO_LISTED_HELP
    )


class LabelInputSerializer(InputSerializer):
    """A row's label in a request body: written through
    groups.services.confidentiality_set (on creation, the service's default when left
    out: the group's usual label for a meeting, the meeting's for its records)."""

    confidentiality = _confidentiality_field(required=False)
    restricted_to = VisibleRelatedField(
        visible=organisations_visible_to,
        many=True,
        required=False,
        help_text=RESTRICTED_TO_HELP + " An id you may not see is refused like a missing one.",
    )


class ChairSeatSerializer(serializers.Serializer):
    """The current chair seat of the meeting's group."""

    organisation = OrganisationBriefSerializer()
    seat_holder = PersonBriefSerializer(allow_null=True)


REFERENCE_HELP = "The official reference, e.g. MWG/2026/04; '' until the meeting is scheduled."


class MeetingBriefSerializer(OutputModelSerializer):
    reference = serializers.CharField(read_only=True, help_text=REFERENCE_HELP)

    class Meta:
        model = Meeting
        fields = ["id", "reference", "title", "start_at"]


def _brief(row: dict, prefix: str, names: tuple[str, ...]) -> dict | None:
    if row[f"{prefix}id"] is None:
        return None
    return {name: row[f"{prefix}{name}"] for name in names}


# --- Meetings -----------------------------------------------------------------------


class MeetingListSerializer(serializers.Serializer):
    """A meeting in a list: its group, the group's chair and the RSVP counts."""

    id = serializers.IntegerField()
    reference = serializers.CharField(help_text=REFERENCE_HELP)
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    status = serializers.ChoiceField(choices=Meeting.Status.choices)
    start_at = UTCDateTimeField()
    end_at = UTCDateTimeField()
    time_zone = serializers.CharField(help_text="IANA name of the meeting's own time zone.")
    venue = serializers.CharField()
    online_url = serializers.CharField(help_text="Link to join online, or ''.")
    group = GroupBriefSerializer()
    chair = ChairSeatSerializer(allow_null=True)
    invited_count = serializers.IntegerField()
    accepted_count = serializers.IntegerField()
    confidentiality = _confidentiality_field()
    restricted_to = serializers.ListField(
        child=serializers.IntegerField(), help_text=RESTRICTED_TO_LISTED_HELP
    )

    VALUES = (
        "id",
        "reference",
        "title",
        "kind",
        "status",
        "confidentiality",
        "start_at",
        "end_at",
        "time_zone",
        "venue",
        "online_url",
        "group_id",
        "group__name",
        "group__short_name",
        "chair_seat__organisation_id",
        "chair_seat__organisation__name",
        "chair_seat__organisation__acronym",
        "chair_seat__seat_holder_id",
        "chair_seat__seat_holder__full_name",
        "invited_count",
        "accepted_count",
    )

    @classmethod
    def rows(cls, values) -> list[dict]:
        values = list(values)
        named = many_to_many_ids(
            Meeting._meta.get_field("restricted_to"), [row["id"] for row in values]
        )
        return [
            {
                "id": row["id"],
                "reference": row["reference"],
                "title": row["title"],
                "kind": row["kind"],
                "status": row["status"],
                "confidentiality": row["confidentiality"],
                "restricted_to": named[row["id"]],
                "start_at": row["start_at"],
                "end_at": row["end_at"],
                "time_zone": row["time_zone"],
                "venue": row["venue"],
                "online_url": row["online_url"],
                "group": {
                    "id": row["group_id"],
                    "name": row["group__name"],
                    "short_name": row["group__short_name"],
                },
                "chair": None
                if row["chair_seat__organisation_id"] is None
                else {
                    "organisation": {
                        "id": row["chair_seat__organisation_id"],
                        "name": row["chair_seat__organisation__name"],
                        "acronym": row["chair_seat__organisation__acronym"],
                    },
                    "seat_holder": None
                    if row["chair_seat__seat_holder_id"] is None
                    else {
                        "id": row["chair_seat__seat_holder_id"],
                        "full_name": row["chair_seat__seat_holder__full_name"],
                    },
                },
                "invited_count": row["invited_count"],
                "accepted_count": row["accepted_count"],
            }
            for row in values
        ]


class AgendaItemSerializer(OutputModelSerializer):
    presenter = PersonBriefSerializer(allow_null=True)
    confidentiality = _confidentiality_field()
    restricted_to = _restricted_to_field()

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "position",
            "title",
            "description",
            "presenter",
            "duration_minutes",
            "confidentiality",
            "restricted_to",
            "kind",
            "source_meeting",
        ]
        extra_kwargs = {
            "kind": {
                "help_text": "`regular`, or an item the portal put there: `minutes_adoption`, "
                "`action_review`, `report_back`."
            },
            "source_meeting": {
                "help_text": "The earlier meeting whose minutes the item adopts, or the "
                "sub-group's meeting whose report it hears; null otherwise."
            },
        }


class MeetingSerializer(OutputModelSerializer):
    """A meeting with its agenda and RSVP counts."""

    group = GroupBriefSerializer()
    reference = serializers.CharField(read_only=True, help_text=REFERENCE_HELP)
    online_url = serializers.CharField(help_text="Link to join online, or ''.")
    agenda_items = AgendaItemSerializer(many=True)
    invited_count = serializers.IntegerField()
    accepted_count = serializers.IntegerField()
    short_notice = serializers.SerializerMethodField(
        help_text="Called inside its group's notice period, with a reason (the override)."
    )
    short_notice_reason = serializers.CharField(
        read_only=True, help_text="Why it was called at short notice, or ''."
    )
    confidentiality = _confidentiality_field()
    restricted_to = _restricted_to_field()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "reference",
            "title",
            "kind",
            "status",
            "start_at",
            "end_at",
            "time_zone",
            "venue",
            "online_url",
            "description",
            "group",
            "sequence",
            "cancellation_reason",
            "short_notice",
            "short_notice_reason",
            "confidentiality",
            "restricted_to",
            "invited_count",
            "accepted_count",
            "agenda_items",
            "created_at",
            "updated_at",
        ]

    def get_short_notice(self, meeting: Meeting) -> bool:
        return bool(meeting.short_notice_reason)


SHORT_NOTICE_REASON_HELP = (
    "Needed to call the meeting inside its group's notice period (its terms of reference); "
    "only the secretariat and the group's chairs may. Without it such a call is refused "
    "with 400 on `start_at`, naming the rule. The invitees read it in their invitation."
)


class MeetingScheduleInputSerializer(InputSerializer):
    short_notice_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2_000, help_text=SHORT_NOTICE_REASON_HELP
    )


class MeetingInputSerializer(LabelInputSerializer):
    group = VisibleRelatedField(visible=groups_visible_to)
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices, required=False)
    start_at = UTCDateTimeField()
    end_at = UTCDateTimeField()
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        help_text="The meeting's own zone: a place's IANA name (Africa/Tripoli), UTC, or "
        "another canonical zone of the tz database; old aliases (US/Pacific) are refused.",
    )
    venue = serializers.CharField(max_length=300, required=False, allow_blank=True)
    online_url = serializers.URLField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)

    def validate_time_zone(self, value: str) -> str:
        # A place, UTC or a canonical zone; a meeting's own older name may be sent back.
        if zones.is_accepted(value) or value == getattr(self.instance, "time_zone", None):
            return value
        raise serializers.ValidationError(zones.refusal(value))

    def validate(self, data):
        # On a change, the side not sent keeps the meeting's current value.
        start = data.get("start_at", getattr(self.instance, "start_at", None))
        end = data.get("end_at", getattr(self.instance, "end_at", None))
        if start is not None and end is not None and end <= start:
            raise serializers.ValidationError({"end_at": _("A meeting must end after it starts.")})
        return data


PREVIEW_GUARD_FIELDS = ("previewed_sequence", "previewed_addressees")


class MeetingUpdateInputSerializer(MeetingInputSerializer):
    """What may change on a draft or scheduled meeting (not its group)."""

    group = None  # type: ignore[assignment]  # DRF drops an inherited field set to None
    title = serializers.CharField(max_length=200, required=False)
    start_at = UTCDateTimeField(required=False)
    end_at = UTCDateTimeField(required=False)
    short_notice_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2_000,
        help_text="When a scheduled meeting moves inside its group's notice period. "
        + SHORT_NOTICE_REASON_HELP,
    )
    previewed_sequence = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="With `previewed_addressees`, as `POST update-preview/` answered them: "
        "the change is saved only if it sends what was previewed (the next update after "
        "this sequence, to the same people and systems; or no update, when the preview "
        "answered `previewed_addressees` empty); otherwise a 400 naming "
        "`previewed_addressees`, and nothing is saved.",
    )
    previewed_addressees = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="As `POST update-preview/` answered it (empty when it sends no update); "
        "see `previewed_sequence`.",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        given = [name for name in PREVIEW_GUARD_FIELDS if name in attrs]
        if len(given) == 1:
            missing = next(name for name in PREVIEW_GUARD_FIELDS if name not in attrs)
            raise serializers.ValidationError(
                {missing: _("Give both previewed_sequence and previewed_addressees, or neither.")}
            )
        return attrs


class MeetingCancelInputSerializer(InputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5_000)


class AgendaReorderInputSerializer(InputSerializer):
    item_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=500, allow_empty=False
    )


class UnreachedOrganisationSerializer(serializers.Serializer):
    """A current member organisation of the meeting's group (observers too) for whom
    nobody is invited."""

    organisation = OrganisationBriefSerializer()
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    is_observer = serializers.BooleanField()
    reason = serializers.ChoiceField(
        choices=UnreachedReason.choices,
        help_text=(
            "not_invited: it has active representatives, none invited; no_active_person: "
            "none of its representatives is active; no_representative: it has none."
        ),
    )


class GroupInvitationsSerializer(serializers.Serializer):
    """What inviting the group did, and whom it could not reach."""

    created = serializers.IntegerField(help_text="How many people were invited now.")
    invited = PersonBriefSerializer(many=True, help_text="The people invited now.")
    unreached_organisations = UnreachedOrganisationSerializer(
        many=True, help_text="Current member organisations that still have nobody invited."
    )
    without_email = PersonBriefSerializer(
        many=True,
        help_text="People invited now who have no e-mail address: no invitation reaches them.",
    )


class InviteesOfOrganisationSerializer(serializers.Serializer):
    organisation = OrganisationBriefSerializer(
        allow_null=True, help_text="The organisation the invitations are for, or null."
    )
    people = PersonBriefSerializer(many=True)


# --- Series -------------------------------------------------------------------------


class SeriesOccurrenceSerializer(OutputModelSerializer):
    """A meeting of the series: `occurrence_start` is its slot in the rule (the iCalendar
    RECURRENCE-ID), `detached_from_series` that it was moved or changed on its own."""

    reference = serializers.CharField(read_only=True, help_text=REFERENCE_HELP)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "start_at",
            "end_at",
            "occurrence_start",
            "detached_from_series",
        ]


class SeriesSerializer(OutputModelSerializer):
    """A group's meeting series: its rule, and its meetings made so far (slot order)."""

    group = GroupBriefSerializer()
    online_url = serializers.CharField(help_text="Link to join online, or ''.")
    rule = serializers.SerializerMethodField(
        help_text="The rule as an iCalendar RRULE, e.g. FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;COUNT=12."
    )
    occurrences = SeriesOccurrenceSerializer(many=True)

    class Meta:
        model = MeetingSeries
        fields = [
            "id",
            "group",
            "title",
            "kind",
            "frequency",
            "interval",
            "weekday",
            "month_day",
            "week_of_month",
            "start_time",
            "duration_minutes",
            "time_zone",
            "venue",
            "online_url",
            "description",
            "starts_on",
            "ends_on",
            "count",
            "create_ahead_days",
            "status",
            "sequence",
            "rule",
            "occurrences",
            "created_at",
            "updated_at",
        ]

    def get_rule(self, series: MeetingSeries) -> str:
        return rrule_text(series)


class SeriesInputSerializer(InputSerializer):
    """A new series. Weekly needs `weekday`; monthly on a day `month_day`; monthly on a
    weekday `weekday` and `week_of_month`. It ends on `ends_on` or after `count`
    meetings (one of the two); its first meeting is in the future."""

    group = VisibleRelatedField(visible=groups_visible_to)
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices, required=False)
    frequency = serializers.ChoiceField(choices=MeetingSeries.Frequency.choices)
    interval = serializers.IntegerField(min_value=1, max_value=12, required=False)
    weekday = serializers.ChoiceField(
        choices=WEEKDAYS, required=False, allow_null=True, help_text="0 = Monday … 6 = Sunday."
    )
    month_day = serializers.IntegerField(min_value=1, max_value=28, required=False, allow_null=True)
    week_of_month = serializers.ChoiceField(
        choices=WEEK_OF_MONTH,
        required=False,
        allow_null=True,
        help_text="1 to 4, or -1 for the last such weekday of the month.",
    )
    start_time = serializers.TimeField(help_text="HH:MM on the wall clock of `time_zone`.")
    duration_minutes = serializers.IntegerField(min_value=1, max_value=1440)
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        help_text="The series' own zone: a place's IANA name (Africa/Tripoli) or UTC.",
    )
    venue = serializers.CharField(max_length=300, required=False, allow_blank=True)
    online_url = serializers.URLField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    starts_on = serializers.DateField(help_text="The first meeting is on or after this day.")
    ends_on = serializers.DateField(required=False, allow_null=True)
    count = serializers.IntegerField(min_value=1, max_value=520, required=False, allow_null=True)
    create_ahead_days = serializers.IntegerField(min_value=1, max_value=730, required=False)

    def validate_time_zone(self, value: str) -> str:
        if zones.is_accepted(value) or value == getattr(self.instance, "time_zone", None):
            return value
        raise serializers.ValidationError(zones.refusal(value))


class SeriesUpdateInputSerializer(SeriesInputSerializer):
    """What may change in a series: not its rule (how often, which day, from when).
    The meetings still to come that were not changed on their own follow."""

    group = None  # type: ignore[assignment]  # DRF drops an inherited field set to None
    frequency = None  # type: ignore[assignment]
    interval = None  # type: ignore[assignment]
    weekday = None  # type: ignore[assignment]
    month_day = None  # type: ignore[assignment]
    week_of_month = None  # type: ignore[assignment]
    starts_on = None  # type: ignore[assignment]
    title = serializers.CharField(max_length=200, required=False)
    start_time = serializers.TimeField(required=False)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=1440, required=False)
    short_notice_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Needed when a meeting moves inside the group's notice period.",
    )


class SeriesScheduleInputSerializer(InputSerializer):
    short_notice_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Needed when a meeting falls inside the group's notice period.",
    )


class SeriesCancelInputSerializer(InputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5_000)


# --- Agenda items -------------------------------------------------------------------


class AgendaItemInputSerializer(LabelInputSerializer):
    meeting = VisibleRelatedField(visible=meetings_visible_to)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    presenter = VisibleRelatedField(visible=people_visible_to, required=False, allow_null=True)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=1440, required=False)


class AgendaItemUpdateInputSerializer(AgendaItemInputSerializer):
    meeting = None  # type: ignore[assignment]  # DRF drops an inherited field set to None
    title = serializers.CharField(max_length=300, required=False)


# --- Invitations --------------------------------------------------------------------


class InvitationSerializer(OutputModelSerializer):
    meeting = MeetingBriefSerializer()
    person = PersonBriefSerializer()
    organisation = OrganisationBriefSerializer(allow_null=True)
    alternate = PersonBriefSerializer(allow_null=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "meeting",
            "person",
            "organisation",
            "response",
            "alternate",
            "response_note",
            "responded_at",
            "created_at",
        ]


class InvitationInputSerializer(InputSerializer):
    meeting = VisibleRelatedField(visible=meetings_visible_to)
    person = VisibleRelatedField(visible=people_visible_to)


class InvitationRespondInputSerializer(InputSerializer):
    response = serializers.ChoiceField(
        choices=[
            choice
            for choice in Invitation.Response.choices
            if choice[0] != Invitation.Response.PENDING
        ]
    )
    alternate = VisibleRelatedField(
        visible=people_visible_to,
        required=False,
        allow_null=True,
        help_text="With `alternate`: the colleague you send in your place.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


# --- Attendance ---------------------------------------------------------------------


MODE_HELP = "How the person attended: `in_person` or `online`."
INTERPRETATION_HELP = "Interpretation needed: `ar`, `en`, `fr`, or empty for none."
INTERPRETATION_CHOICES = [("", "None"), *INTERPRETATION_LANGUAGES]


class AttendanceSerializer(OutputModelSerializer):
    person = PersonBriefSerializer()
    organisation = OrganisationBriefSerializer(allow_null=True)
    mode = serializers.ChoiceField(choices=AttendanceMode.choices, help_text=MODE_HELP)
    interpretation = serializers.ChoiceField(
        choices=INTERPRETATION_CHOICES, help_text=INTERPRETATION_HELP
    )

    class Meta:
        model = Attendance
        fields = [
            "id",
            "meeting",
            "person",
            "organisation",
            "invitation",
            "mode",
            "interpretation",
            "recorded_at",
        ]


class AttendanceInputSerializer(InputSerializer):
    meeting = VisibleRelatedField(visible=meetings_visible_to)
    person = VisibleRelatedField(visible=people_visible_to)
    organisation = VisibleRelatedField(
        visible=organisations_visible_to, required=False, allow_null=True
    )
    mode = serializers.ChoiceField(
        choices=AttendanceMode.choices, required=False, help_text=MODE_HELP
    )
    interpretation = serializers.ChoiceField(
        choices=INTERPRETATION_CHOICES,
        required=False,
        allow_blank=True,
        help_text=INTERPRETATION_HELP,
    )


class AttendanceUpdateInputSerializer(InputSerializer):
    mode = serializers.ChoiceField(
        choices=AttendanceMode.choices, required=False, help_text=MODE_HELP
    )
    interpretation = serializers.ChoiceField(
        choices=INTERPRETATION_CHOICES,
        required=False,
        allow_blank=True,
        help_text=INTERPRETATION_HELP,
    )


# --- Minutes and decisions ----------------------------------------------------------


def _approvals_of(minutes_ids: list[int]) -> dict[int, dict]:
    """The reader of a page's approval texts for a list answered from rows
    (portal.api.rows): the approved minutes among them, read again with their meeting
    and signatory, then approval_texts as the instances' path gives them."""
    texts = approval_texts(minutes_approved_among(minutes_ids))
    return {pk: {"approval": texts.get(pk, "")} for pk in minutes_ids}


class MinutesSerializer(OutputModelSerializer):
    meeting = MeetingBriefSerializer()
    confidentiality = _confidentiality_field()
    restricted_to = _restricted_to_field()
    approved_as = serializers.CharField(
        read_only=True,
        help_text="chair, cochair, on_behalf (the secretariat for `approved_for`), or ''.",
    )
    approved_for = serializers.IntegerField(
        source="approved_for_id",
        read_only=True,
        allow_null=True,
        help_text="The chair or co-chair (person id) the approval is theirs; null when "
        "not approved.",
    )
    approval = serializers.SerializerMethodField(
        help_text='Who signed off, in words: "Approved by X (co-chair)".'
    )

    class Meta:
        model = Minutes
        fields = [
            "id",
            "meeting",
            "status",
            "body",
            "version",
            "approved_at",
            "approved_as",
            "approved_for",
            "approval",
            "circulated_at",
            "comments_until",
            "published_at",
            "updated_at",
            "confidentiality",
            "restricted_to",
        ]

    ROW_PAGE = {"approval": (_approvals_of, "approval")}

    def get_approval(self, minutes: Minutes) -> str:
        texts = self.context.get("approval_texts")
        return texts.get(minutes.pk, "") if texts is not None else approval_text(minutes)


class MinutesInputSerializer(LabelInputSerializer):
    meeting = VisibleRelatedField(visible=meetings_visible_to)
    body = serializers.CharField(max_length=MINUTES_MAX_CHARS)


class MinutesUpdateInputSerializer(LabelInputSerializer):
    """Rewrite the minutes (`body`), change their label, or both."""

    body = serializers.CharField(max_length=MINUTES_MAX_CHARS, required=False)

    def validate(self, data):
        if not data:
            raise serializers.ValidationError({"body": [_("This field is required.")]})
        return data


def _decision_source(meeting_id: int | None) -> str:
    return "meeting" if meeting_id is not None else "written_procedure"


class DecisionSerializer(OutputModelSerializer):
    reference = serializers.CharField(
        read_only=True, help_text="The official reference, e.g. MWG/2026/04/D3."
    )
    quorum_met = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Whether the quorum was met when the decision was recorded (false: "
        "recorded without quorum); null when the group's terms of reference set none.",
    )

    confidentiality = _confidentiality_field()
    restricted_to = _restricted_to_field()
    text_ar = serializers.CharField(
        read_only=True, help_text="The words in Arabic; empty when not given."
    )
    text_fr = serializers.CharField(
        read_only=True, help_text="The words in French; empty when not given."
    )
    # A field named like DRF's own `Field.source` attribute, which the metaclass takes
    # out of the class: the name is the API's, the clash is only the stubs'.
    source = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text="`meeting`: taken at `meeting`; `written_procedure`: adopted between "
        "meetings by the written procedure `written_procedure`."
    )
    written_procedure = serializers.SerializerMethodField(
        help_text="The id of the written procedure that adopted it; null for a meeting's."
    )
    status_reason = serializers.CharField(
        read_only=True, help_text="Why it was withdrawn, or a note on its superseding."
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "group",
            "meeting",
            "number",
            "reference",
            "decided_on",
            "agenda_item",
            "text",
            "text_ar",
            "text_fr",
            "status",
            "superseded_by",
            "status_reason",
            "status_changed_at",
            "source",
            "written_procedure",
            "quorum_met",
            "confidentiality",
            "restricted_to",
        ]

    # The method fields from a list's `.values()` row (portal.api.rows).
    ROW_FIELDS = {
        "source": (("meeting",), _decision_source),
        "written_procedure": (("written_procedure",), lambda procedure_id: procedure_id),
    }

    @extend_schema_field(serializers.ChoiceField(choices=["meeting", "written_procedure"]))
    def get_source(self, decision: Decision) -> str:
        return _decision_source(decision.meeting_id)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_written_procedure(self, decision: Decision) -> int | None:
        # The reverse side of decisions.WrittenProcedure.decision, joined by the selector;
        # meetings may not import decisions, so it is read by name.
        procedure = getattr(decision, "written_procedure", None)
        return procedure.pk if procedure is not None else None


class DecisionUpdateInputSerializer(LabelInputSerializer):
    """A recorded decision's words stay as they were taken; its label may change, and
    its words in Arabic and French may be given or corrected (empty: not given)."""

    text_ar = serializers.CharField(
        max_length=20_000, required=False, allow_blank=True, trim_whitespace=True
    )
    text_fr = serializers.CharField(
        max_length=20_000, required=False, allow_blank=True, trim_whitespace=True
    )


class DecisionSupersedeInputSerializer(InputSerializer):
    superseded_by = VisibleRelatedField(
        visible=decisions_visible_to,
        help_text="A decision of the same group, taken that day or later, still adopted.",
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DecisionWithdrawInputSerializer(InputSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Why; shown in the register.")


class DecisionInputSerializer(LabelInputSerializer):
    meeting = VisibleRelatedField(visible=meetings_visible_to)
    text = serializers.CharField(max_length=20_000)
    agenda_item = VisibleRelatedField(
        visible=agenda_items_visible_to, required=False, allow_null=True
    )


# --- Action points ------------------------------------------------------------------


class ActionPointListSerializer(serializers.Serializer):
    """An action point with where it was raised and who owns it."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=ActionPoint.Status.choices)
    due_on = serializers.DateField()
    is_overdue = serializers.BooleanField(help_text="Open and due before today.")
    progress = serializers.CharField()
    closed_at = UTCDateTimeField(allow_null=True)
    updated_at = UTCDateTimeField()
    meeting = MeetingBriefSerializer()
    group = GroupBriefSerializer()
    decision = serializers.IntegerField(allow_null=True)
    owner_organisation = OrganisationBriefSerializer()
    owner_person = PersonBriefSerializer(allow_null=True)
    confidentiality = _confidentiality_field()
    restricted_to = serializers.ListField(
        child=serializers.IntegerField(), help_text=RESTRICTED_TO_LISTED_HELP
    )

    VALUES = (
        "id",
        "title",
        "status",
        "confidentiality",
        "due_on",
        "progress",
        "closed_at",
        "updated_at",
        "meeting_id",
        "meeting__reference",
        "meeting__title",
        "meeting__start_at",
        "meeting__group_id",
        "meeting__group__name",
        "meeting__group__short_name",
        "decision_id",
        "owner_organisation_id",
        "owner_organisation__name",
        "owner_organisation__acronym",
        "owner_person_id",
        "owner_person__full_name",
    )

    @classmethod
    def rows(cls, values, *, today: dt.date | None = None) -> list[dict]:
        today = today or timezone.localdate()
        open_status = ActionPoint.Status.OPEN.value
        values = list(values)
        named = many_to_many_ids(
            ActionPoint._meta.get_field("restricted_to"), [row["id"] for row in values]
        )
        return [
            {
                "id": row["id"],
                "title": row["title"],
                "status": row["status"],
                "confidentiality": row["confidentiality"],
                "restricted_to": named[row["id"]],
                "due_on": row["due_on"],
                "is_overdue": row["status"] == open_status and row["due_on"] < today,
                "progress": row["progress"],
                "closed_at": row["closed_at"],
                "updated_at": row["updated_at"],
                "meeting": {
                    "id": row["meeting_id"],
                    "reference": row["meeting__reference"],
                    "title": row["meeting__title"],
                    "start_at": row["meeting__start_at"],
                },
                "group": {
                    "id": row["meeting__group_id"],
                    "name": row["meeting__group__name"],
                    "short_name": row["meeting__group__short_name"],
                },
                "decision": row["decision_id"],
                "owner_organisation": {
                    "id": row["owner_organisation_id"],
                    "name": row["owner_organisation__name"],
                    "acronym": row["owner_organisation__acronym"],
                },
                "owner_person": None
                if row["owner_person_id"] is None
                else {"id": row["owner_person_id"], "full_name": row["owner_person__full_name"]},
            }
            for row in values
        ]


class ActionPointReviewSerializer(OutputModelSerializer):
    """What a meeting said of the action point: its status after and a note."""

    class Meta:
        model = ActionPointReview
        fields = ["id", "meeting", "status", "note", "at"]


class ActionPointSerializer(OutputModelSerializer):
    meeting = MeetingBriefSerializer()
    reviews = ActionPointReviewSerializer(
        many=True, read_only=True, help_text="Its history: each review, oldest first."
    )
    owner_organisation = OrganisationBriefSerializer()
    owner_person = PersonBriefSerializer(allow_null=True)
    confidentiality = _confidentiality_field()
    restricted_to = _restricted_to_field()

    class Meta:
        model = ActionPoint
        fields = [
            "id",
            "title",
            "description",
            "status",
            "due_on",
            "progress",
            "closed_at",
            "meeting",
            "decision",
            "owner_organisation",
            "owner_person",
            "confidentiality",
            "restricted_to",
            "created_at",
            "updated_at",
            "reviews",
        ]


class ActionPointInputSerializer(LabelInputSerializer):
    meeting = VisibleRelatedField(visible=meetings_visible_to)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    owner_organisation = VisibleRelatedField(visible=organisations_visible_to)
    owner_person = VisibleRelatedField(visible=people_visible_to, required=False, allow_null=True)
    due_on = serializers.DateField()
    decision = VisibleRelatedField(visible=decisions_visible_to, required=False, allow_null=True)


class ActionPointUpdateInputSerializer(ActionPointInputSerializer):
    """The managers' edit: what, who and when."""

    meeting = None  # type: ignore[assignment]  # DRF drops an inherited field set to None
    decision = None  # type: ignore[assignment]  # DRF drops an inherited field set to None
    title = serializers.CharField(max_length=300, required=False)
    owner_organisation = VisibleRelatedField(visible=organisations_visible_to, required=False)
    due_on = serializers.DateField(required=False)


class ActionPointReportInputSerializer(InputSerializer):
    """The owner organisation's report: progress, and done, dropped or reopened."""

    status = serializers.ChoiceField(choices=ActionPoint.Status.choices, required=False)
    progress = serializers.CharField(required=False, allow_blank=True, max_length=20_000)


# --- Notices and webhooks -------------------------------------------------------------
