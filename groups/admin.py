from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from groups.models import CoordinationGroup, Membership, Representative
from groups.services import (
    GROUP_FIELDS,
    group_create,
    group_placement_check,
    group_set_status,
    group_update,
    membership_create,
    membership_end,
    membership_seat_holder_check,
    membership_update,
    representative_add,
    representative_check,
    representative_end,
)
from portal.admin_base import AuditedAdmin, GuardedAuditedAdmin, pristine, service_action


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
            "terms_of_reference",
            "established_on",
            "endorsed_by",
        ]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind") or self.instance.kind
        if kind:
            try:
                group_placement_check(
                    kind=kind,
                    parent=cleaned.get("parent"),
                    group=self.instance if self.instance.pk else None,
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class SubGroupInline(admin.TabularInline):
    model = CoordinationGroup
    fk_name = "parent"
    fields = ["name", "kind", "status"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name = "sub-group"
    verbose_name_plural = "sub-groups (add one with 'Add group' and this group as parent)"

    def has_add_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["organisation", "role", "seat_holder", "start_on", "end_on"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = "memberships (add and change them under Memberships)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "seat_holder")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CoordinationGroup)
class CoordinationGroupAdmin(GuardedAuditedAdmin):
    form = GroupForm
    list_display = ["name", "short_name", "kind", "parent", "status", "established_on"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "name_ar", "name_fr", "short_name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [SubGroupInline, MembershipInline]
    actions = [
        service_action(
            "Archive",
            lambda group, user: group_set_status(group=group, status="archived", by=user),
        ),
        service_action(
            "Reactivate",
            lambda group, user: group_set_status(group=group, status="active", by=user),
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in GROUP_FIELDS}
        parent = form.cleaned_data.get("parent")
        status = form.cleaned_data["status"]
        if change:
            group = group_update(group=pristine(obj), parent=parent, by=request.user, **data)
        else:
            group = group_create(
                kind=form.cleaned_data["kind"], parent=parent, by=request.user, **data
            )
            obj.pk = group.pk
        if group.status != status:
            group_set_status(group=group, status=status, by=request.user)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["group", "organisation", "role", "seat_holder", "start_on", "end_on"]

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation") or getattr(self.instance, "organisation", None)
        if organisation and cleaned.get("role"):
            try:
                membership_seat_holder_check(
                    role=cleaned["role"],
                    seat_holder=cleaned.get("seat_holder"),
                    organisation=organisation,
                )
            except ValidationError as error:
                self.add_error(None, error)
        if self.instance.pk and self.instance.end_on and self.changed_data:
            self.add_error(None, _("An ended membership cannot be changed."))
        return cleaned


class RepresentativeInline(admin.TabularInline):
    model = Representative
    fields = ["person", "kind", "start_on", "end_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "representatives (add and end them under Representatives)"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    form = MembershipForm
    list_display = ["organisation", "group", "role", "seat_holder", "start_on", "end_on"]
    list_filter = ["role", "group", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__acronym", "group__name"]
    list_select_related = ["organisation", "group", "seat_holder"]
    autocomplete_fields = ["group", "organisation", "seat_holder"]
    inlines = [RepresentativeInline]
    actions = [
        service_action("End membership", lambda m, user: membership_end(membership=m, by=user))
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["group", "organisation", "start_on"] if obj is not None else []

    def save_model(self, request, obj, form, change):
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
            obj.pk = membership.pk
            return
        membership = pristine(obj)
        if {"role", "seat_holder"} & set(form.changed_data):
            membership = membership_update(
                membership=membership,
                role=data["role"],
                seat_holder=data.get("seat_holder"),
                by=request.user,
            )
        if data.get("end_on"):
            membership_end(membership=membership, end_on=data["end_on"], by=request.user)


class RepresentativeForm(forms.ModelForm):
    class Meta:
        model = Representative
        fields = ["membership", "person", "kind", "start_on", "end_on"]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and cleaned.get("membership") and cleaned.get("person"):
            try:
                representative_check(membership=cleaned["membership"], person=cleaned["person"])
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Representative)
class RepresentativeAdmin(AuditedAdmin):
    form = RepresentativeForm
    list_display = ["person", "kind", "membership", "start_on", "end_on"]
    list_filter = ["kind", "membership__group"]
    search_fields = ["person__full_name", "membership__organisation__name"]
    list_select_related = ["person", "membership__organisation", "membership__group"]
    autocomplete_fields = ["person"]
    raw_id_fields = ["membership"]
    actions = [
        service_action(
            "End representation", lambda r, user: representative_end(representative=r, by=user)
        )
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["membership", "person", "kind", "start_on"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            representative = representative_add(
                membership=data["membership"],
                person=data["person"],
                kind=data["kind"],
                start_on=data["start_on"],
                by=request.user,
            )
            obj.pk = representative.pk
            if data.get("end_on"):
                representative_end(
                    representative=representative, end_on=data["end_on"], by=request.user
                )
        elif data.get("end_on") and "end_on" in form.changed_data:
            representative_end(representative=pristine(obj), end_on=data["end_on"], by=request.user)
