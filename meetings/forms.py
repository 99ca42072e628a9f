"""Forms of the meetings pages. They only validate input; views call the services."""

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import CoordinationGroup
from meetings.models import (
    MINUTES_MAX_CHARS,
    ActionPoint,
    AgendaItem,
    Decision,
    Invitation,
    Meeting,
)
from meetings.selectors import invitation_alternates
from members.models import Organisation, Person
from portal.dates import date_in_range, out_of_range_message
from portal.pages import LocalNameChoiceField, PageForm, form_field

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
# The zones offered first: where the working group meets and its members sit.
COMMON_ZONES = [
    "Africa/Tripoli",
    "Africa/Tunis",
    "Africa/Cairo",
    "Europe/Rome",
    "Europe/Brussels",
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "Asia/Amman",
    "UTC",
]


def time_zone_choices() -> list[tuple[str, str]]:
    others = sorted(zoneinfo.available_timezones() - set(COMMON_ZONES))
    return [(zone, zone) for zone in COMMON_ZONES + others]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_INPUT, **kwargs)


class MeetingForm(PageForm):
    """Create or edit a meeting; times are read in the meeting's own time zone."""

    group = LocalNameChoiceField(label=_("Group"), queryset=CoordinationGroup.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=Meeting.Kind.choices)
    start_at = forms.DateTimeField(
        label=_("Starts at"), widget=LocalDateTimeInput(), input_formats=[DATETIME_INPUT]
    )
    end_at = forms.DateTimeField(
        label=_("Ends at"), widget=LocalDateTimeInput(), input_formats=[DATETIME_INPUT]
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("The start and end times are in this time zone."),
    )
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)

    def __init__(self, *args, groups=None, meeting: Meeting | None = None, **kwargs):
        if meeting is not None and "initial" not in kwargs:
            zone = meeting.zone
            kwargs["initial"] = {
                "group": meeting.group_id,
                "title": meeting.title,
                "kind": meeting.kind,
                "start_at": meeting.start_at.astimezone(zone).replace(tzinfo=None),
                "end_at": meeting.end_at.astimezone(zone).replace(tzinfo=None),
                "time_zone": meeting.time_zone,
                "venue": meeting.venue,
                "online_url": meeting.online_url,
                "description": meeting.description,
            }
        super().__init__(*args, **kwargs)
        form_field(self, "time_zone", forms.ChoiceField).choices = time_zone_choices()
        self.initial.setdefault("time_zone", timezone.get_default_timezone_name())
        self.initial.setdefault("kind", Meeting.Kind.REGULAR)
        if meeting is not None:
            # A meeting stays in its group; moving it would re-address its invitations.
            del self.fields["group"]
        else:
            form_field(self, "group", forms.ModelChoiceField).queryset = groups

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        zone_name = data.get("time_zone")
        if zone_name:
            zone = zoneinfo.ZoneInfo(zone_name)
            for name in ("start_at", "end_at"):
                value = data.get(name)
                if value is not None:
                    # The browser sends a wall-clock time; it is a time in the chosen zone.
                    naive = timezone.make_naive(value) if timezone.is_aware(value) else value
                    data[name] = naive.replace(tzinfo=zone)
        start, end = data.get("start_at"), data.get("end_at")
        if start and end and end <= start:
            self.add_error("end_at", _("The meeting must end after it starts."))
        return data

    def meeting_fields(self) -> dict:
        names = ["title", "kind", "start_at", "end_at", "time_zone", "venue", "online_url"]
        return {name: self.cleaned_data[name] for name in [*names, "description"]}


class CancelForm(PageForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the invitees with the cancellation."),
    )


class AgendaItemForm(PageForm):
    title = forms.CharField(label=_("Agenda item"), max_length=300)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=1440, initial=15
    )
    presenter = LocalNameChoiceField(
        label=_("Presenter"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "presenter", forms.ModelChoiceField).queryset = people


class InviteeForm(PageForm):
    person = LocalNameChoiceField(label=_("Person to invite"), queryset=Person.objects.none())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "person", forms.ModelChoiceField).queryset = people


class RespondForm(PageForm):
    response = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            choice
            for choice in Invitation.Response.choices
            if choice[0] != Invitation.Response.PENDING
        ],
        widget=forms.RadioSelect,
    )
    alternate = LocalNameChoiceField(
        label=_("Alternate sent"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Only when sending an alternate: a colleague from the same organisation."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        alternates = invitation_alternates(invitation)
        form_field(self, "alternate", forms.ModelChoiceField).queryset = alternates


class AttendanceAddForm(PageForm):
    person = LocalNameChoiceField(label=_("Person who came"), queryset=Person.objects.none())
    organisation = LocalNameChoiceField(
        label=_("For organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Leave empty for the person's own organisation."),
    )

    def __init__(self, *args, people, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "person", forms.ModelChoiceField).queryset = people
        form_field(self, "organisation", forms.ModelChoiceField).queryset = organisations


class MinutesForm(PageForm):
    body = forms.CharField(
        label=_("Minutes"),
        widget=forms.Textarea(attrs={"rows": 14}),
        strip=False,
        max_length=MINUTES_MAX_CHARS,
    )


class DecisionForm(PageForm):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    agenda_item = LocalNameChoiceField(
        label=_("Agenda item"), queryset=AgendaItem.objects.none(), required=False
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        agenda_items = AgendaItem.objects.filter(meeting=meeting)
        form_field(self, "agenda_item", forms.ModelChoiceField).queryset = agenda_items


class ActionPointForm(PageForm):
    title = forms.CharField(label=_("Action"), max_length=300)
    owner_organisation = LocalNameChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.none()
    )
    owner_person = LocalNameChoiceField(
        label=_("Owner"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Someone who works for the owner organisation."),
    )
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args,
        organisations: QuerySet[Organisation],
        people: QuerySet[Person],
        action_point: ActionPoint | None = None,
        **kwargs,
    ):
        if action_point is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": action_point.title,
                "owner_organisation": action_point.owner_organisation_id,
                "owner_person": action_point.owner_person_id,
                "due_on": action_point.due_on,
                "description": action_point.description,
            }
        super().__init__(*args, **kwargs)
        # Those the user may see (the directory funnels), active ones only.
        form_field(self, "owner_organisation", forms.ModelChoiceField).queryset = organisations
        form_field(self, "owner_person", forms.ModelChoiceField).queryset = people


class ActionPointCreateForm(ActionPointForm):
    decision = LocalNameChoiceField(
        label=_("Decision"), queryset=Decision.objects.none(), required=False
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        decisions = Decision.objects.filter(meeting=meeting)
        form_field(self, "decision", forms.ModelChoiceField).queryset = decisions


class ActionPointReportForm(PageForm):
    status = forms.ChoiceField(label=_("Status"), choices=ActionPoint.Status.choices)
    progress = forms.CharField(
        label=_("Progress"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ActionPointFilterForm(forms.Form):
    group = LocalNameChoiceField(
        label=_("Group (with its sub-groups)"),
        queryset=CoordinationGroup.objects.none(),
        required=False,
    )
    organisation = LocalNameChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *ActionPoint.Status.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, groups=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "group", forms.ModelChoiceField).queryset = groups
        form_field(self, "organisation", forms.ModelChoiceField).queryset = organisations


class MeetingFilterForm(forms.Form):
    group = LocalNameChoiceField(
        label=_("Group (with its sub-groups)"),
        queryset=CoordinationGroup.objects.none(),
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Meeting.Status.choices], required=False
    )
    when = forms.ChoiceField(
        label=_("When"),
        choices=[("", _("All")), ("upcoming", _("Upcoming")), ("past", _("Past"))],
        required=False,
    )

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "group", forms.ModelChoiceField).queryset = groups


def month_start(value: str | None, today: dt.date) -> dt.date:
    """The first day of the month named `YYYY-MM`, or of today's month when none is
    named; ValidationError naming `month` for anything else, or a month outside the
    portal's range of dates."""
    if not value:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-", 1))
        first = dt.date(year, month, 1)
    except ValueError:
        raise ValidationError({"month": _("Give a month as YYYY-MM.")}) from None
    if not date_in_range(first):
        raise ValidationError({"month": out_of_range_message()})
    return first
