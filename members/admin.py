from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from guardian.admin import GuardedModelAdminMixin

from groups.services import person_link_user
from members.models import Affiliation, Organisation, Person
from members.services import organisation_create, organisation_update, person_create, person_update
from portal.admin_base import AuditedAdmin, pristine

ORGANISATION_EDITABLE = ["name", "name_ar", "acronym", "kind", "country", "website"]
PERSON_EDITABLE = ["full_name", "full_name_ar", "position", "email", "phone", "preferred_language"]


@admin.register(Organisation)
class OrganisationAdmin(GuardedModelAdminMixin, AuditedAdmin):
    list_display = ["name", "acronym", "kind", "country", "people_count"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "name_ar", "acronym"]
    fields = ORGANISATION_EDITABLE

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(people_total=Count("people"))

    @admin.display(description="people", ordering="people_total")
    def people_count(self, obj):
        return obj.people_total

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ORGANISATION_EDITABLE}
        if change:
            organisation_update(organisation=pristine(obj), by=request.user, **data)
        else:
            saved = organisation_create(by=request.user, **data)
            obj.pk = saved.pk


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    fields = ["organisation", "position", "start_on", "end_on"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "organisations over time (change with the 'move' service)"

    def has_add_permission(self, request, obj=None):
        return False


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [*PERSON_EDITABLE, "organisation", "user"]

    def clean_user(self):
        user = self.cleaned_data.get("user")
        if user and Person.objects.filter(user=user).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This login already belongs to someone else."))
        return user


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    form = PersonForm
    list_display = ["full_name", "position", "organisation", "email", "preferred_language", "user"]
    list_filter = ["preferred_language", "organisation__kind"]
    search_fields = ["full_name", "full_name_ar", "email", "organisation__name"]
    list_select_related = ["organisation", "user"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["user"]
    inlines = [AffiliationInline]

    def get_readonly_fields(self, request, obj=None):
        # Moving someone to another organisation ends their representations; that is
        # the person_transfer service's job, not a field edit.
        return ["organisation"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in PERSON_EDITABLE}
        user = form.cleaned_data.get("user")
        if change:
            person = person_update(person=pristine(obj), by=request.user, **data)
        else:
            person = person_create(
                organisation=form.cleaned_data.get("organisation"), by=request.user, **data
            )
            obj.pk = person.pk
        if person.user_id != (user.pk if user else None):
            person_link_user(person=person, user=user, by=request.user)


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "position", "start_on", "end_on"]
    list_filter = ["organisation__kind"]
    search_fields = ["person__full_name", "organisation__name"]
    list_select_related = ["person", "organisation"]
    date_hierarchy = "start_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
