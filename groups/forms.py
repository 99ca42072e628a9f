"""Forms of the groups pages: memberships, representatives, who sees a person's
contact details, and the zone a person's pages show times in."""

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import (
    Confidentiality,
    CoordinationGroup,
    Membership,
    QuorumRule,
    Representative,
    Rhythm,
)
from groups.services import TERMS_FIELDS
from members.models import Organisation, Person
from portal import zones
from portal.pages import LocalNameChoiceField, PageForm, form_field


class MembershipForm(PageForm):
    organisation = LocalNameChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    seat_holder = LocalNameChoiceField(
        label=_("Seat holder"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Only for the chair and co-chair seats: the person who holds the seat."),
    )
    start_on = forms.DateField(
        label=_("Member since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, organisations, people, **kwargs):
        """`organisations` and `people`: those the user may see (the directory funnels),
        active ones only."""
        super().__init__(*args, **kwargs)
        form_field(self, "organisation", forms.ModelChoiceField).queryset = organisations
        form_field(self, "seat_holder", forms.ModelChoiceField).queryset = people


class MembershipChangeForm(PageForm):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    seat_holder = LocalNameChoiceField(
        label=_("Seat holder"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Only for the chair and co-chair seats: the person who holds the seat."),
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        kwargs.setdefault(
            "initial", {"role": membership.role, "seat_holder": membership.seat_holder_id}
        )
        super().__init__(*args, **kwargs)
        staff = Person.objects.filter(organisation_id=membership.organisation_id, is_active=True)
        form_field(self, "seat_holder", forms.ModelChoiceField).queryset = staff


class RepresentativeForm(PageForm):
    person = LocalNameChoiceField(label=_("Person"), queryset=Person.objects.none())
    kind = forms.ChoiceField(label=_("Represents as"), choices=Representative.Kind.choices)

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        staff = Person.objects.filter(organisation_id=membership.organisation_id, is_active=True)
        form_field(self, "person", forms.ModelChoiceField).queryset = staff


class ContactVisibilityForm(forms.Form):
    contact_visibility = forms.ChoiceField(
        label=_("Who sees the e-mail address and phone number"),
        choices=Person.ContactVisibility.choices,
        help_text=_(
            "Members of their groups: everyone who sees the person in this directory. "
            "The person and the secretariat always see them."
        ),
    )


class TimeZoneForm(forms.Form):
    """The zone a person's pages show meeting times in (members.Person.time_zone)."""

    time_zone = forms.ChoiceField(
        label=_("Show meeting times in"),
        required=False,
        widget=zones.ZoneSelect,
        error_messages={"invalid_choice": zones.NOT_OFFERED_MESSAGE},
        help_text=_(
            "The portal's pages show every meeting's times in this zone. E-mails and "
            "calendar files always give the meeting's own zone."
        ),
    )

    def __init__(self, *args, current: str = "", **kwargs):
        kwargs.setdefault("initial", {"time_zone": current})
        super().__init__(*args, **kwargs)
        form_field(self, "time_zone", forms.ChoiceField).choices = [
            ("", _("Each meeting's own time zone")),
            *zones.zone_choices(keep=current),
        ]


class TermsOfReferenceForm(PageForm):
    """A group's terms of reference. Empty rules are inherited from the group above; the
    service checks that the rules hold together (groups.services.terms_of_reference_check)."""

    reference_code = forms.CharField(
        label=_("Reference code"),
        max_length=20,
        required=False,
        help_text=_("Starts the official references of its meetings, e.g. MWG for MWG/2026/04."),
    )
    mandate = forms.CharField(
        label=_("Mandate (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    mandate_ar = forms.CharField(
        label=_("Mandate (Arabic)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "ar", "dir": "rtl"}),
    )
    mandate_fr = forms.CharField(
        label=_("Mandate (French)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "fr", "dir": "ltr"}),
    )
    endorsed_by = forms.CharField(
        label=_("Endorsed by"),
        max_length=200,
        required=False,
        help_text=_("The body that endorsed the terms, e.g. Senior Policy Committee."),
    )
    endorsed_on = forms.DateField(
        label=_("Endorsed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notice_period_days = forms.IntegerField(
        label=_("Notice period (days)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 365}),
        help_text=_(
            "Meetings are called at least this many days ahead; calling one later needs "
            "a reason for short notice."
        ),
    )
    quorum_rule = forms.ChoiceField(
        label=_("Quorum rule"),
        required=False,
        choices=[("", _("No rule of its own")), *QuorumRule.choices],
    )
    quorum_value = forms.IntegerField(
        label=_("Quorum"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_(
            "A number of member organisations, or a percentage of them; observers never count."
        ),
    )
    usual_duration_minutes = forms.IntegerField(
        label=_("Usual length (minutes)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 1440}),
    )
    usual_venue = forms.CharField(label=_("Usual place"), max_length=300, required=False)
    rhythm = forms.ChoiceField(
        label=_("Meeting rhythm"),
        required=False,
        choices=[("", _("No rhythm of its own")), *Rhythm.choices],
    )
    default_confidentiality = forms.ChoiceField(
        label=_("Usual confidentiality"),
        required=False,
        choices=[("", _("No label of its own")), *Confidentiality.choices],
        help_text=_(
            "New meetings, their records and papers start with this label; each can be "
            "changed. Without one, the group above's applies, or “members”."
        ),
    )
    reminder_days = forms.CharField(
        label=_("Reminder days before meetings"),
        max_length=100,
        required=False,
        help_text=_("Days before each meeting when invitees are reminded, e.g. 7, 1."),
    )

    FIELDS = TERMS_FIELDS

    def __init__(self, *args, group: CoordinationGroup, **kwargs):
        initial = {name: getattr(group, name) for name in self.FIELDS}
        initial["reminder_days"] = ", ".join(str(day) for day in group.reminder_days or [])
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def clean_reference_code(self) -> str:
        return self.cleaned_data["reference_code"].strip().upper()

    def clean_reminder_days(self) -> list[int]:
        text = self.cleaned_data["reminder_days"]
        parts = [part.strip() for part in text.replace("،", ",").split(",") if part.strip()]
        if not all(part.isdecimal() for part in parts):
            raise forms.ValidationError(_("Give whole days separated by commas, e.g. 7, 1."))
        return [int(part) for part in parts]

    def terms(self) -> dict:
        """The cleaned terms, as group_update takes them."""
        return {name: self.cleaned_data[name] for name in self.FIELDS}
