"""Forms of the meetings pages. They only validate input; views call the services."""

import copy
import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from groups.models import Confidentiality, CoordinationGroup, Labelled
from groups.selectors import TermsOfReference
from meetings.models import (
    INTERPRETATION_LANGUAGES,
    MINUTES_MAX_CHARS,
    WEEK_OF_MONTH,
    WEEKDAYS,
    ActionPoint,
    AgendaItem,
    AttendanceMode,
    Decision,
    Invitation,
    Meeting,
    MeetingSeries,
)
from meetings.selectors import OrganisationNamed, invitation_alternates
from members.models import Organisation, Person
from portal import zones
from portal.dates import date_in_range, out_of_range_message
from portal.pages import LocalNameChoiceField, PageForm, form_field, local_name

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
# When a new meeting is proposed to start, local time, on the day the form suggests.
USUAL_START = dt.time(10, 0)


def time_zone_choices(keep: str = "") -> list[tuple[str, str]]:
    """The places offered (portal.zones), labelled in the page's language; `keep` is the
    meeting's stored zone, offered back even when it is an older name."""
    return zones.zone_choices(keep=keep)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_INPUT, **kwargs)


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as typed, with no zone: the form puts it in the meeting's zone.
    Django would read it in the reader's zone first, and refuse a time that falls in
    that zone's summer-time gap though it exists where the meeting is."""

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value
        return forms.fields.BaseTemporalField.to_python(self, str(value).strip())


class OrganisationsChoiceField(forms.ModelMultipleChoiceField):
    """Organisations to pick, labelled in the page's language."""

    def label_from_instance(self, obj) -> str:
        return local_name(obj)


def confidentiality_fields_add(
    form: forms.BaseForm,
    *,
    organisations: QuerySet[Organisation],
    record: Labelled | None = None,
    default_choice: str = "",
    required: bool = True,
) -> None:
    """Add a row's label to `form`, after its other fields: the label, and the
    organisations a restricted one names (static/js/confidentiality.js shows them only
    with "restricted"; without JavaScript both show, and the service ignores the
    organisations under the other labels). `record`: the row whose label it changes
    (its label and organisations to start with, and those organisations still offered
    when the user would not be offered them). `default_choice`: for a new row, the
    words of an empty first choice that leaves the label to the service's default.
    Not `required`: a form sent without a label leaves the row's as it is."""
    named = list(record.restricted_to.all()) if record is not None and record.pk else []
    choices: list[tuple[str, Any]] = list(Confidentiality.choices)
    if default_choice:
        choices = [("", default_choice), *choices]
    form.fields["confidentiality"] = forms.ChoiceField(
        label=_("Confidentiality"),
        choices=choices,
        required=required and not default_choice,
        widget=forms.Select(attrs={"data-confidentiality": ""}),
    )
    offered = Organisation.objects.filter(
        Q(pk__in=organisations.values("pk")) | Q(pk__in=[organisation.pk for organisation in named])
    ).order_by("name")
    form.fields["restricted_to"] = OrganisationsChoiceField(
        label=_("Restricted to"),
        queryset=offered,
        required=False,
        widget=forms.SelectMultiple(attrs={"data-restricted-to": "", "size": 6}),
        help_text=_(
            "With “restricted” only: the organisations whose people may see it, besides "
            "the secretariat and the group's chairs."
        ),
    )
    if record is not None:
        form.initial.setdefault("confidentiality", record.confidentiality)
        form.initial.setdefault("restricted_to", [organisation.pk for organisation in named])


def confidentiality_values(form: forms.BaseForm) -> dict[str, Any]:
    """The label a form with confidentiality_fields_add holds, as the services take it
    (None: the default)."""
    return {
        "confidentiality": form.cleaned_data["confidentiality"] or None,
        "restricted_to": list(form.cleaned_data["restricted_to"]),
    }


class ConfidentialityForm(PageForm):
    """A row's label on its own: the "Confidentiality" control of a meeting, an agenda
    item, minutes, a decision or an action point."""

    def __init__(self, *args, record: Labelled, organisations: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        confidentiality_fields_add(self, organisations=organisations, record=record)


class MeetingForm(PageForm):
    """Create or edit a meeting; times are read in the meeting's own time zone."""

    group = LocalNameChoiceField(label=_("Group"), queryset=CoordinationGroup.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=Meeting.Kind.choices)
    start_at = WallClockDateTimeField(
        label=_("Starts at"), widget=LocalDateTimeInput(), input_formats=[DATETIME_INPUT]
    )
    end_at = WallClockDateTimeField(
        label=_("Ends at"), widget=LocalDateTimeInput(), input_formats=[DATETIME_INPUT]
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("The start and end times are in this time zone."),
        widget=zones.ZoneSelect,
        error_messages={"invalid_choice": zones.NOT_OFFERED_MESSAGE},
    )
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    # Offered only when needed: a scheduled meeting moved inside its group's notice
    # period (the view offers it when the service refuses the move without one).
    short_notice_reason = forms.CharField(
        label=_("Reason for short notice"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "The meeting starts inside its group's notice period: say why it is called "
            "now. The invitees read it in their invitation."
        ),
    )

    def __init__(
        self,
        *args,
        groups=None,
        meeting: Meeting | None = None,
        group_terms: TermsOfReference | None = None,
        organisations: QuerySet[Organisation] | None = None,
        **kwargs,
    ):
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
        form_field(self, "time_zone", forms.ChoiceField).choices = time_zone_choices(
            keep=meeting.time_zone if meeting is not None else ""
        )
        self.initial.setdefault("time_zone", timezone.get_default_timezone_name())
        self.initial.setdefault("kind", Meeting.Kind.REGULAR)
        if meeting is not None:
            # A meeting stays in its group; moving it would re-address its invitations.
            del self.fields["group"]
        else:
            form_field(self, "group", forms.ModelChoiceField).queryset = groups
        if meeting is not None:
            self.initial.setdefault("short_notice_reason", meeting.short_notice_reason)
        offered = (
            meeting is not None
            and meeting.status == Meeting.Status.SCHEDULED
            and (bool(meeting.short_notice_reason) or "short_notice_reason" in self.data)
        )
        if not offered:
            del self.fields["short_notice_reason"]
        if meeting is None and group_terms is not None and not self.is_bound:
            self._usual_defaults(group_terms)
        if organisations is not None:
            confidentiality_fields_add(
                self,
                organisations=organisations,
                record=meeting,
                default_choice="" if meeting is not None else str(_("The group's usual label")),
                required=False,
            )

    def _usual_defaults(self, terms: TermsOfReference) -> None:
        """A new meeting of a group starts with the group's usual place and length: the
        length from a start proposed on the first day outside its notice period."""
        if terms.usual_venue:
            self.initial.setdefault("venue", terms.usual_venue)
        if terms.usual_duration_minutes and "start_at" not in self.initial:
            zone = zoneinfo.ZoneInfo(self.initial["time_zone"])
            day = timezone.localdate(timezone.now(), zone) + dt.timedelta(
                days=(terms.notice_period_days or 0) + 1
            )
            start = dt.datetime.combine(day, USUAL_START)
            self.initial["start_at"] = start
            self.initial.setdefault(
                "end_at", start + dt.timedelta(minutes=terms.usual_duration_minutes)
            )

    def offer_short_notice(self) -> None:
        """Show the reason for short notice (after the service asked for one)."""
        if "short_notice_reason" not in self.fields:
            self.fields["short_notice_reason"] = copy.deepcopy(
                self.base_fields["short_notice_reason"]
            )

    def reason_for_short_notice(self) -> str:
        return self.cleaned_data.get("short_notice_reason", "")

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


class ScheduleForm(forms.Form):
    """The preview's button: schedule, with a reason when the meeting is called inside
    its group's notice period."""

    short_notice_reason = forms.CharField(
        label=_("Reason for short notice"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(PageForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the invitees with the cancellation."),
    )


class AgendaItemForm(PageForm):
    """An agenda item. Its presenter is chosen among the few matches of a search
    (`search`, from meetings.views.person_search.person_matches), never from a list of
    everyone the user may offer: the agenda costs what the meeting holds, not what the
    directory does. Whatever is posted is still checked against all the user may offer
    (`people`), in one query. The presenter stays optional: "No presenter" clears it."""

    title = forms.CharField(label=_("Agenda item"), max_length=300)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=1440, initial=15
    )
    presenter = LocalNameChoiceField(
        label=_("Presenter"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _(
                "That presenter cannot be chosen: search again and choose one of the matches."
            ),
        },
    )

    item: AgendaItem | None = None

    def __init__(
        self, *args, people: QuerySet[Person], search: dict[str, Any] | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.presenters_found = search or {"query": "", "matches": [], "more": False}
        found_people_offer(
            self, people=people, people_shown=self.presenters_found["matches"], name="presenter"
        )

    def presenter_stored(self) -> Person | None:
        """The item's presenter as it is stored: none for a new item."""
        return None

    def presenter_posted(self) -> bool:
        """Whether a choice of presenter was sent ("No presenter" sends an empty one)."""
        return self.is_bound and self.add_prefix("presenter") in self.data

    @cached_property
    def presenter_search(self) -> dict[str, Any]:
        """What the agenda's presenter templates show (the `search` of
        _agenda_presenter_field.html): "No presenter", the presenter kept chosen above
        the search, so that a new search never unsets them (the one posted when it is
        accepted; else the item's own), and the matches found without them. `refused`:
        what was posted was not accepted, so "No presenter" is not shown chosen either."""
        refused = self.is_bound and "presenter" in self.errors
        if self.presenter_posted() and not refused:
            kept = self.cleaned_data.get("presenter")
        else:
            kept = self.presenter_stored()
        field = self.add_prefix("presenter")
        found = self.presenters_found
        params = {"item": self.item.pk} if self.item is not None else {}
        if kept is not None:
            params["kept"] = kept.pk
        return {
            **found,
            "prefix": field,
            "field": field,
            "matches": [person for person in found["matches"] if person != kept],
            "kept": kept,
            "refused": refused,
            # The search endpoint's own parameters (meetings.views.agenda).
            "params": urlencode(params),
        }


class AgendaItemEditForm(AgendaItemForm):
    """An agenda item edited in place: its row becomes this form (prefixed by the item,
    so its fields' ids do not clash with the add form's on the same page). Its presenter
    is shown chosen, so saving without touching it keeps them."""

    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, item: AgendaItem, people: QuerySet[Person], **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": item.title,
                "duration_minutes": item.duration_minutes,
                "presenter": item.presenter_id,
                "description": item.description,
            },
        )
        self.item = item
        # The presenter stays accepted even when the editor would not be offered them
        # (still one query when posted).
        people = (
            Person.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=item.presenter_id))
            .select_related("organisation")
            .order_by("full_name")
        )
        super().__init__(*args, people=people, prefix=f"item-{item.pk}", **kwargs)
        self.fields["title"].widget.attrs["autofocus"] = True

    def presenter_stored(self) -> Person | None:
        if self.item is None or self.item.presenter_id is None:
            return None
        return (
            Person.objects.select_related("organisation").filter(pk=self.item.presenter_id).first()
        )


def found_people_offer(
    form: forms.Form,
    *,
    people: QuerySet[Person],
    people_shown: Iterable[Person],
    name: str = "person",
) -> None:
    """The field `name` of a form that finds people by search: it accepts any of
    `people` (checked in one query when posted) but shows only those found."""
    person = form_field(form, name, forms.ModelChoiceField)
    person.queryset = people
    # Setting the queryset offers all of it; only what was found is shown.
    person.widget.choices = [(shown.pk, local_name(shown)) for shown in people_shown]


class InviteeForm(PageForm):
    """One more person to invite. They are chosen among the few matches of a search
    (`people_shown`), never from a list of everyone the user may invite: the tab costs
    what the meeting holds, not what the portal does. Whatever is posted is still checked
    against all the user may invite (`people`), in one query."""

    person = LocalNameChoiceField(
        label=_("Person to invite"),
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Search for the person to invite and choose them among the matches."),
            "invalid_choice": _(
                "That person cannot be invited: search again and choose one of the matches."
            ),
        },
    )

    def __init__(
        self, *args, people: QuerySet[Person], people_shown: Iterable[Person] = (), **kwargs
    ):
        super().__init__(*args, **kwargs)
        found_people_offer(self, people=people, people_shown=people_shown)


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
    """Someone who came without an invitation. The person is chosen among the few
    matches of a search (`people_shown`), never from a list of everyone the user may
    see, and the organisation among those invited (`organisations_shown`): the page costs
    what the meeting holds, not what the portal does. Whatever is posted is still checked
    against all the user may pick (`people`, `organisations`), one query each."""

    person = LocalNameChoiceField(
        label=_("Person who came"),
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Search for the person who came and choose them among the matches."),
            "invalid_choice": _(
                "That person cannot be added: search again and choose one of the matches."
            ),
        },
    )
    organisation = LocalNameChoiceField(
        label=_("For organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Leave empty for the person's own organisation."),
    )

    mode = forms.ChoiceField(
        label=_("Attended"),
        choices=AttendanceMode.choices,
        initial=AttendanceMode.IN_PERSON,
        required=False,
    )
    interpretation = forms.ChoiceField(
        label=_("Interpretation"),
        choices=[("", _("No interpretation")), *INTERPRETATION_LANGUAGES],
        required=False,
    )

    def __init__(
        self,
        *args,
        people: QuerySet[Person],
        organisations: QuerySet[Organisation],
        people_shown: Iterable[Person] = (),
        organisations_shown: Iterable[Organisation | OrganisationNamed] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        found_people_offer(self, people=people, people_shown=people_shown)
        organisation = form_field(self, "organisation", forms.ModelChoiceField)
        organisation.queryset = organisations
        organisation.widget.choices = [
            ("", organisation.empty_label),
            *((shown.pk, local_name(shown)) for shown in organisations_shown),
        ]


class AttendanceDetailsForm(forms.Form):
    """How a person in the register attended and the interpretation they need, changed
    in place in the register (the row's own small form)."""

    mode = forms.ChoiceField(label=_("Attended"), choices=AttendanceMode.choices)
    interpretation = forms.ChoiceField(
        label=_("Interpretation"),
        choices=[("", _("No interpretation")), *INTERPRETATION_LANGUAGES],
        required=False,
    )


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

    def __init__(
        self,
        *args,
        meeting: Meeting,
        organisations: QuerySet[Organisation] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        agenda_items = AgendaItem.objects.filter(meeting=meeting)
        form_field(self, "agenda_item", forms.ModelChoiceField).queryset = agenda_items
        if organisations is not None:
            confidentiality_fields_add(
                self, organisations=organisations, default_choice=str(_("As the meeting"))
            )


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
        confidentiality_fields_add(
            self,
            organisations=form_field(self, "owner_organisation", forms.ModelChoiceField).queryset,  # type: ignore[arg-type]
            default_choice=str(_("As the meeting")),
        )


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
    # Part of the name or acronym, not a drop-down of every organisation: the
    # directory grows into the thousands, and the page would render each one.
    owner = forms.CharField(
        label=_("Owner organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or acronym")}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *ActionPoint.Status.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "group", forms.ModelChoiceField).queryset = groups


class MeetingFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Title or reference"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "MWG/2026/04"}),
    )
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


# --- Series -----------------------------------------------------------------------------


def _blank_first(choices: list, label: str) -> list:
    return [("", label), *choices]


class SeriesForm(PageForm):
    """A new series; the service checks the rule (what each kind of repetition needs,
    one end, a first meeting to come) and the errors come back next to the fields."""

    group = LocalNameChoiceField(label=_("Group"), queryset=CoordinationGroup.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=Meeting.Kind.choices)
    frequency = forms.ChoiceField(label=_("Repeats"), choices=MeetingSeries.Frequency.choices)
    interval = forms.IntegerField(
        label=_("Every"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("Every how many weeks or months: 1 for every week or every month."),
    )
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"),
        choices=_blank_first(WEEKDAYS, "—"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For a weekly series, and for the nth weekday of the month."),
    )
    month_day = forms.IntegerField(
        label=_("Day of the month"),
        min_value=1,
        max_value=28,
        required=False,
        help_text=_("For a monthly series on a day of the month (1 to 28)."),
    )
    week_of_month = forms.TypedChoiceField(
        label=_("Which weekday of the month"),
        choices=_blank_first(WEEK_OF_MONTH, "—"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For the nth weekday of the month: the second Tuesday, the last Friday."),
    )
    start_time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=1, max_value=1440, initial=120
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("The start time is in this time zone, summer time included."),
        widget=zones.ZoneSelect,
        error_messages={"invalid_choice": zones.NOT_OFFERED_MESSAGE},
    )
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    starts_on = forms.DateField(
        label=_("First meeting on or after"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Last meeting on or before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Give an end date or a number of meetings, not both."),
    )
    count = forms.IntegerField(
        label=_("Or after this many meetings"), min_value=1, max_value=520, required=False
    )
    create_ahead_days = forms.IntegerField(
        label=_("Prepare meetings this many days ahead"),
        min_value=1,
        max_value=730,
        initial=90,
        help_text=_(
            "Each meeting of the series is a meeting of its own, with its agenda and "
            "invitations, made this far ahead."
        ),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)

    series_field_names: tuple[str, ...] = (
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
        "starts_on",
        "ends_on",
        "count",
        "create_ahead_days",
        "description",
    )

    def __init__(self, *args, groups=None, group_terms: TermsOfReference | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if "group" in self.fields:
            form_field(self, "group", forms.ModelChoiceField).queryset = groups
        keep = self.initial.get("time_zone", "")
        form_field(self, "time_zone", forms.ChoiceField).choices = time_zone_choices(keep=keep)
        self.initial.setdefault("time_zone", timezone.get_default_timezone_name())
        self.initial.setdefault("kind", Meeting.Kind.REGULAR)
        self.initial.setdefault("start_time", USUAL_START)
        if group_terms is not None:
            # The group's usual length and place, as its terms of reference say.
            if group_terms.usual_duration_minutes:
                self.initial.setdefault("duration_minutes", group_terms.usual_duration_minutes)
            if group_terms.usual_venue:
                self.initial.setdefault("venue", group_terms.usual_venue)

    def series_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.series_field_names}


class SeriesEditForm(SeriesForm):
    """What may change in a series (not its rule); `short_notice_reason` when a meeting
    moves inside the group's notice period."""

    short_notice_reason = forms.CharField(
        label=_("Reason for short notice"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when a meeting moves inside the group's notice period: say why. The "
            "invitees read it."
        ),
    )
    series_field_names = (
        "title",
        "kind",
        "start_time",
        "duration_minutes",
        "time_zone",
        "venue",
        "online_url",
        "ends_on",
        "count",
        "create_ahead_days",
        "description",
    )

    def __init__(self, *args, series: MeetingSeries, **kwargs):
        if "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(series, name) for name in self.series_field_names}
        super().__init__(*args, **kwargs)
        # The rule stays: a series that meets otherwise is a new series.
        rule = ("group", "frequency", "interval", "weekday", "month_day", "week_of_month")
        for name in (*rule, "starts_on"):
            del self.fields[name]


class SeriesScheduleForm(PageForm):
    short_notice_reason = forms.CharField(
        label=_("Reason for short notice"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when the first meetings fall inside the group's notice period: say why "
            "they are called now. The invitees read it."
        ),
    )


# --- Follow-up across meetings (meetings.follow_up) ------------------------------------------


class ActionPointReviewForm(forms.Form):
    """One click of a meeting's review of open action points (the note is optional)."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionPoint.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class MinutesAdoptionForm(PageForm):
    """The adoption of earlier minutes: their text as adopted (shown as it stands, so an
    unchanged text adopts them as they are) and the words of each of their decisions."""

    corrections = forms.CharField(
        label=_("The minutes as adopted"),
        required=False,
        strip=False,
        max_length=MINUTES_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 10}),
    )

    def __init__(self, *args, decisions: list[Decision] = (), **kwargs):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.decisions = list(decisions)
        for decision in self.decisions:
            self.fields[f"decision_{decision.pk}"] = forms.CharField(
                label=_("Decision %(reference)s")
                % {"reference": decision.reference or decision.number},
                required=False,
                initial=decision.text,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def decision_corrections(self) -> dict[int, str]:
        """The decisions whose words were changed (an emptied field keeps the words)."""
        changed = {}
        for decision in self.decisions:
            text = self.cleaned_data.get(f"decision_{decision.pk}", "").strip()
            if text and text != decision.text:
                changed[decision.pk] = text
        return changed
