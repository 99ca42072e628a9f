"""Forms of the groups pages: memberships, representatives, and who sees a person's
contact details."""

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import Membership, Representative
from members.models import Organisation, Person
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
