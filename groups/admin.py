"""The admin of groups, memberships, representatives, and of the organisations and
people who hold them, every write through the services.

Organisations and people are registered here rather than in members/admin.py: linking
a login, deactivating someone or an organisation ends seats and recomputes access.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from groups.models import ConfidentialityChange, CoordinationGroup, Membership, Representative
from groups.selectors import confidentiality_trail
from groups.services import (
    GROUP_FIELDS,
    TERMS_FIELDS,
    group_create,
    group_set_status,
    group_update,
    membership_create,
    membership_end,
    membership_update,
    organisation_deactivate,
    person_deactivate,
    person_link_user,
    representative_add,
    representative_end,
)
from members.models import Affiliation, Organisation, Person
from members.services import (
    organisation_create,
    organisation_set_active,
    organisation_update,
    person_contact_visibility_set,
    person_create,
    person_set_active,
    person_time_zone_set,
    person_update,
)
from portal import zones
from portal.admin_base import (
    SEAT_GRANTS,
    DerivedGrantsAdmin,
    NoDeleteMixin,
    ReadOnlyAdmin,
    ServiceAdmin,
    pristine,
    service_action,
)
from portal.pages import form_field

TERMS_ADMIN_FIELDS = list(TERMS_FIELDS)


class GroupForm(forms.ModelForm):
    class Meta:
        model = CoordinationGroup
        fields = [
            "name",
            "name_ar",
            "name_fr",
            "short_name",
            "kind",
            "parent",
            "status",
            "description",
            "established_on",
            *TERMS_ADMIN_FIELDS,
        ]

    def clean_reminder_days(self):
        # An emptied box means no reminders, not a missing value.
        value = self.cleaned_data.get("reminder_days")
        return [] if value is None else value


class SubGroupInline(admin.TabularInline):
    model = CoordinationGroup
    fk_name = "parent"
    fields = ("name", "kind", "status")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name = _("sub-group")
    verbose_name_plural = _("sub-groups (add one with 'Add group' and this group as parent)")

    def has_add_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("organisation", "role", "seat_holder", "start_on", "end_on")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = _("memberships (add and change them under Memberships)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "seat_holder")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CoordinationGroup)
class CoordinationGroupAdmin(NoDeleteMixin, DerivedGrantsAdmin):
    form = GroupForm
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "name_ar",
                    "name_fr",
                    "short_name",
                    "kind",
                    "parent",
                    "status",
                    "description",
                    "established_on",
                ]
            },
        ),
        (
            _("Terms of reference"),
            {
                "fields": TERMS_ADMIN_FIELDS,
                "description": _(
                    "A sub-group follows the group above it in every rule it leaves empty."
                ),
            },
        ),
    ]
    list_display = [
        "name",
        "short_name",
        "reference_code",
        "kind",
        "parent",
        "status",
        "established_on",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["name", "name_ar", "name_fr", "short_name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [SubGroupInline, MembershipInline]
    read_only_reason = SEAT_GRANTS
    actions = [
        service_action(
            _("Archive"),
            lambda group, user: group_set_status(group=group, status="archived", by=user),
        ),
        service_action(
            _("Reactivate"),
            lambda group, user: group_set_status(group=group, status="active", by=user),
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj is not None else []

    def service_save(self, request, form, change):
        data = {name: form.cleaned_data[name] for name in GROUP_FIELDS if name in form.cleaned_data}
        parent = form.cleaned_data.get("parent")
        status = form.cleaned_data["status"]
        if change:
            group = group_update(
                group=pristine(form.instance), parent=parent, by=request.user, **data
            )
        else:
            group = group_create(
                kind=form.cleaned_data["kind"], parent=parent, by=request.user, **data
            )
        if group.status != status:
            group = group_set_status(group=group, status=status, by=request.user)
        return group


class RepresentativeInline(admin.TabularInline):
    model = Representative
    fields = ("person", "kind", "start_on", "end_on")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("representatives (add and end them under Representatives)")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(NoDeleteMixin, ServiceAdmin):
    fields = ["group", "organisation", "role", "seat_holder", "start_on", "end_on"]
    list_display = ["organisation", "group", "role", "seat_holder", "start_on", "end_on"]
    list_filter = ["role", "group", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__acronym", "group__name"]
    list_select_related = ["organisation", "group", "seat_holder"]
    autocomplete_fields = ["group", "organisation", "seat_holder"]
    inlines = [RepresentativeInline]
    actions = [
        service_action(_("End membership"), lambda m, user: membership_end(membership=m, by=user))
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.end_on is not None:
            return self.fields  # an ended membership is history
        return ["group", "organisation", "start_on"] if obj is not None else []

    def service_save(self, request, form, change):
        data = form.cleaned_data
        if not change:
            membership = membership_create(
                group=data["group"],
                organisation=data["organisation"],
                role=data["role"],
                seat_holder=data.get("seat_holder"),
                start_on=data["start_on"],
                by=request.user,
            )
            if data.get("end_on"):
                membership = membership_end(
                    membership=membership, end_on=data["end_on"], by=request.user
                )
            return membership
        membership = pristine(form.instance)
        if {"role", "seat_holder"} & set(form.changed_data):
            membership = membership_update(
                membership=membership,
                role=data["role"],
                seat_holder=data.get("seat_holder"),
                by=request.user,
            )
        if data.get("end_on"):
            membership = membership_end(
                membership=membership, end_on=data["end_on"], by=request.user
            )
        return membership


@admin.register(Representative)
class RepresentativeAdmin(NoDeleteMixin, ServiceAdmin):
    fields = ["membership", "person", "kind", "start_on", "end_on"]
    list_display = ["person", "kind", "membership", "start_on", "end_on"]
    list_filter = ["kind", "membership__group"]
    search_fields = ["person__full_name", "membership__organisation__name"]
    list_select_related = ["person", "membership__organisation", "membership__group"]
    autocomplete_fields = ["person"]
    raw_id_fields = ["membership"]
    actions = [
        service_action(
            _("End representation"), lambda r, user: representative_end(representative=r, by=user)
        )
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.end_on is not None:
            return self.fields  # an ended representation is history
        return ["membership", "person", "kind", "start_on"] if obj is not None else []

    def service_save(self, request, form, change):
        data = form.cleaned_data
        if change:
            representative = pristine(form.instance)
        else:
            representative = representative_add(
                membership=data["membership"],
                person=data["person"],
                kind=data["kind"],
                start_on=data["start_on"],
                by=request.user,
            )
        if data.get("end_on"):
            representative = representative_end(
                representative=representative, end_on=data["end_on"], by=request.user
            )
        return representative


# --- Organisations and people: registered here, since deactivating them ends seats ---

ORGANISATION_EDITABLE = ["name", "name_ar", "acronym", "kind", "country", "website"]
PERSON_EDITABLE = ["full_name", "full_name_ar", "position", "email", "phone", "preferred_language"]


@admin.register(Organisation)
class OrganisationAdmin(NoDeleteMixin, DerivedGrantsAdmin):
    list_display = ["name", "acronym", "kind", "country", "is_active", "people_count"]
    list_filter = ["is_active", "kind", "country"]
    search_fields = ["name", "name_ar", "acronym"]
    fields = [*ORGANISATION_EDITABLE, "is_active"]
    readonly_fields = ["is_active"]
    read_only_reason = SEAT_GRANTS
    actions = [
        service_action(
            _("Deactivate (ends its memberships)"),
            lambda o, user: organisation_deactivate(organisation=o, by=user),
        ),
        service_action(
            _("Reactivate"),
            lambda o, user: organisation_set_active(organisation=o, is_active=True, by=user),
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(people_total=Count("people"))

    @admin.display(description=_("people"), ordering="people_total")
    def people_count(self, obj):
        return obj.people_total

    def service_save(self, request, form, change):
        data = {name: form.cleaned_data[name] for name in ORGANISATION_EDITABLE}
        if change:
            return organisation_update(
                organisation=pristine(form.instance), by=request.user, **data
            )
        return organisation_create(by=request.user, **data)


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    fields = ("organisation", "position", "start_on", "end_on")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("organisations over time (change with the 'move' service)")

    def has_add_permission(self, request, obj=None):
        return False


class PersonForm(forms.ModelForm):
    # The places offered (portal.zones) rather than a free text box; a zone stored before
    # that is no longer offered is offered back, so saving does not change it unasked.
    time_zone = forms.ChoiceField(
        label=_("time zone for the pages"),
        required=False,
        widget=zones.ZoneSelect,
        error_messages={"invalid_choice": zones.NOT_OFFERED_MESSAGE},
        help_text=Person._meta.get_field("time_zone").help_text,
    )

    class Meta:
        model = Person
        fields = [*PERSON_EDITABLE, "contact_visibility", "time_zone", "organisation", "user"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.time_zone if self.instance.pk else ""
        form_field(self, "time_zone", forms.ChoiceField).choices = [
            ("", _("Each meeting's own time zone")),
            *zones.zone_choices(keep=current),
        ]


@admin.register(Person)
class PersonAdmin(NoDeleteMixin, ServiceAdmin):
    form = PersonForm
    list_display = [
        "full_name",
        "position",
        "organisation",
        "email",
        "contact_visibility",
        "preferred_language",
        "user",
        "is_active",
    ]
    list_filter = ["is_active", "contact_visibility", "preferred_language", "organisation__kind"]
    actions = [
        service_action(
            _("Deactivate (ends representations and seats)"),
            lambda p, user: person_deactivate(person=p, by=user),
        ),
        service_action(
            _("Reactivate"), lambda p, user: person_set_active(person=p, is_active=True, by=user)
        ),
    ]
    search_fields = ["full_name", "full_name_ar", "email", "organisation__name"]
    list_select_related = ["organisation", "user"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["user"]
    inlines = [AffiliationInline]

    def get_readonly_fields(self, request, obj=None):
        # Moving someone to another organisation ends their representations; that is
        # the person_transfer service's job, not a field edit.
        return ["organisation", "is_active"] if obj is not None else ["is_active"]

    def service_save(self, request, form, change):
        data = {name: form.cleaned_data[name] for name in PERSON_EDITABLE}
        user = form.cleaned_data.get("user")
        if change:
            person = person_update(person=pristine(form.instance), by=request.user, **data)
        else:
            person = person_create(
                organisation=form.cleaned_data.get("organisation"), by=request.user, **data
            )
        if person.user_id != (user.pk if user else None):
            person = person_link_user(person=person, user=user, by=request.user)
        person = person_time_zone_set(
            person=person, time_zone=form.cleaned_data["time_zone"], by=request.user
        )
        return person_contact_visibility_set(
            person=person, visibility=form.cleaned_data["contact_visibility"], by=request.user
        )


# --- Confidentiality labels -------------------------------------------------------------


def _changed_by(change: ConfidentialityChange) -> str:
    user = change.changed_by
    if user is None:
        return str(_("the portal"))
    person = getattr(user, "person", None)
    return person.full_name if person is not None else user.get_username()


class ConfidentialityTrailMixin:
    """A labelled row's admin shows the changes of its label, newest first, read-only;
    the label itself changes through groups.services.confidentiality_set (the row's
    service_save calls it)."""

    @admin.display(description=_("changes of confidentiality"))
    def confidentiality_trail(self, obj):
        changes = confidentiality_trail(obj) if obj is not None and obj.pk else []
        if not changes:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} → {}{} — {}, {}</li>",
                (
                    (
                        change.get_old_label_display(),
                        change.get_new_label_display(),
                        f" ({', '.join(change.organisations)})" if change.organisations else "",
                        _changed_by(change),
                        change.changed_at.strftime("%Y-%m-%d %H:%M"),
                    )
                    for change in changes
                ),
            ),
        )


@admin.register(ConfidentialityChange)
class ConfidentialityChangeAdmin(ReadOnlyAdmin):
    """Every change of a label, as services wrote it: never written here."""

    list_display = ["changed_at", "content_type", "record", "old_label", "new_label", "changed_by"]
    list_filter = ["content_type", "new_label"]
    list_select_related = ["content_type", "changed_by"]
    date_hierarchy = "changed_at"
    readonly_fields = (
        "content_type",
        "record",
        "old_label",
        "new_label",
        "organisations",
        "changed_by",
        "changed_at",
    )
    fields = readonly_fields

    @admin.display(description=_("record"))
    def record(self, obj):
        content_type = obj.content_type
        try:
            url = reverse(
                f"admin:{content_type.app_label}_{content_type.model}_change",
                args=[obj.object_id],
            )
        except NoReverseMatch:
            return f"{content_type.model} {obj.object_id}"
        return format_html('<a href="{}">{} {}</a>', url, content_type.model, obj.object_id)
