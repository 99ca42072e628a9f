from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _

from meetings.models import (
    ActionPoint,
    AgendaItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    Minutes,
)
from meetings.services import (
    MEETING_FIELDS,
    OPEN_STATUSES,
    action_point_create,
    action_point_report,
    action_point_update,
    invitation_create,
    invitations_create_for_group,
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    meeting_update,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from portal.admin_base import AuditedAdmin, GuardedAuditedAdmin, pristine, service_action


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ["position", "title", "presenter", "duration_minutes"]
    autocomplete_fields = ["presenter"]
    extra = 0


class InvitationInline(admin.TabularInline):
    model = Invitation
    fields = ["person", "organisation", "response", "alternate", "responded_at"]
    readonly_fields = ["organisation", "response", "alternate", "responded_at"]
    autocomplete_fields = ["person"]
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "organisation", "alternate")


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "group",
            "title",
            "kind",
            "start_at",
            "end_at",
            "time_zone",
            "venue",
            "online_url",
            "description",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status not in OPEN_STATUSES and self.changed_data:
            status = self.instance.get_status_display().lower()
            raise ValidationError(_("A %(status)s meeting cannot be changed.") % {"status": status})
        return cleaned


@admin.register(Meeting)
class MeetingAdmin(GuardedAuditedAdmin):
    form = MeetingForm
    list_display = ["title", "group", "kind", "status", "start_at", "venue", "invited"]
    list_filter = ["status", "kind", "group"]
    search_fields = ["title", "venue", "group__name"]
    list_select_related = ["group"]
    date_hierarchy = "start_at"
    autocomplete_fields = ["group"]
    readonly_fields = ["status", "sequence", "cancellation_reason"]
    inlines = [AgendaItemInline, InvitationInline]
    actions = [
        service_action("Schedule", lambda m, user: meeting_schedule(meeting=m, by=user)),
        service_action("Mark held", lambda m, user: meeting_mark_held(meeting=m, by=user)),
        service_action("Cancel", lambda m, user: meeting_cancel(meeting=m, by=user)),
        service_action(
            "Invite the group's representatives",
            lambda m, user: invitations_create_for_group(meeting=m, by=user),
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(invited_total=Count("invitations"))

    @admin.display(description="invited", ordering="invited_total")
    def invited(self, obj):
        return obj.invited_total

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in MEETING_FIELDS}
        if change:
            meeting_update(meeting=pristine(obj), by=request.user, **data)
        else:
            meeting = meeting_create(group=form.cleaned_data["group"], by=request.user, **data)
            obj.pk = meeting.pk

    def save_formset(self, request, form, formset, change):
        if formset.model is not Invitation:
            return super().save_formset(request, form, formset, change)
        # New invitees go through the service so they hear about the meeting.
        for inline_form in formset.forms:
            person = inline_form.cleaned_data.get("person")
            if person and not inline_form.instance.pk:
                invitation_create(meeting=form.instance, person=person, by=request.user)
        return None


@admin.register(AgendaItem)
class AgendaItemAdmin(AuditedAdmin):
    list_display = ["title", "meeting", "position", "presenter", "duration_minutes"]
    search_fields = ["title", "meeting__title"]
    list_filter = ["meeting__group"]
    list_select_related = ["meeting", "presenter"]
    autocomplete_fields = ["meeting", "presenter"]


@admin.register(Invitation)
class InvitationAdmin(AuditedAdmin):
    list_display = ["person", "organisation", "meeting", "response", "alternate", "responded_at"]
    list_filter = ["response", "meeting__group"]
    search_fields = ["person__full_name", "organisation__name", "meeting__title"]
    list_select_related = ["person", "organisation", "meeting", "alternate"]
    autocomplete_fields = ["meeting", "person"]
    fields = [
        "meeting",
        "person",
        "organisation",
        "response",
        "alternate",
        "response_note",
        "responded_at",
    ]
    readonly_fields = ["organisation", "response", "alternate", "response_note", "responded_at"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["meeting", "person"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if not change:
            invitation = invitation_create(
                meeting=form.cleaned_data["meeting"],
                person=form.cleaned_data["person"],
                by=request.user,
            )
            obj.pk = invitation.pk


@admin.register(Attendance)
class AttendanceAdmin(AuditedAdmin):
    list_display = ["person", "organisation", "meeting", "invited", "recorded_at"]
    list_filter = ["meeting__group", "organisation__kind"]
    search_fields = ["person__full_name", "organisation__name", "meeting__title"]
    list_select_related = ["person", "organisation", "meeting"]
    autocomplete_fields = ["meeting", "person", "organisation"]
    raw_id_fields = ["invitation"]

    @admin.display(boolean=True, description="invited")
    def invited(self, obj):
        return obj.invitation_id is not None


class MinutesForm(forms.ModelForm):
    class Meta:
        model = Minutes
        fields = ["meeting", "body"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status == Minutes.Status.PUBLISHED:
            raise ValidationError(_("Published minutes cannot be changed."))
        meeting = cleaned.get("meeting") or getattr(self.instance, "meeting", None)
        if meeting is not None and meeting.status != Meeting.Status.HELD:
            raise ValidationError(_("Minutes are written for held meetings only."))
        return cleaned


@admin.register(Minutes)
class MinutesAdmin(AuditedAdmin):
    form = MinutesForm
    list_display = ["meeting", "status", "approved_at", "published_at"]
    list_filter = ["status", "meeting__group"]
    search_fields = ["meeting__title", "body"]
    list_select_related = ["meeting"]
    autocomplete_fields = ["meeting"]
    readonly_fields = ["status", "approved_at", "approved_by", "published_at"]
    actions = [
        service_action("Approve", lambda m, user: minutes_approve(minutes=m, by=user)),
        service_action("Publish", lambda m, user: minutes_publish(minutes=m, by=user)),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "meeting"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        meeting = obj.meeting if change else form.cleaned_data["meeting"]
        minutes = minutes_save(meeting=meeting, body=form.cleaned_data["body"], by=request.user)
        obj.pk = minutes.pk


@admin.register(Decision)
class DecisionAdmin(AuditedAdmin):
    list_display = ["meeting", "number", "text"]
    list_filter = ["meeting__group"]
    search_fields = ["text", "meeting__title"]
    list_select_related = ["meeting"]
    autocomplete_fields = ["meeting"]
    raw_id_fields = ["agenda_item"]


class ActionPointForm(forms.ModelForm):
    class Meta:
        model = ActionPoint
        fields = [
            "meeting",
            "decision",
            "title",
            "description",
            "owner_organisation",
            "owner_person",
            "due_on",
            "status",
            "progress",
        ]

    def clean(self):
        cleaned = super().clean()
        organisation, person = cleaned.get("owner_organisation"), cleaned.get("owner_person")
        if organisation and person and person.organisation_id != organisation.pk:
            self.add_error(
                "owner_person",
                _("%(person)s does not work for %(organisation)s.")
                % {"person": person, "organisation": organisation},
            )
        meeting = cleaned.get("meeting")
        if not self.instance.pk and meeting and meeting.status != Meeting.Status.HELD:
            self.add_error("meeting", _("Action points are raised at held meetings."))
        return cleaned


@admin.register(ActionPoint)
class ActionPointAdmin(AuditedAdmin):
    form = ActionPointForm
    list_display = ["title", "owner_organisation", "owner_person", "due_on", "status", "meeting"]
    list_filter = ["status", "meeting__group", "owner_organisation__kind"]
    search_fields = ["title", "owner_organisation__name", "owner_person__full_name"]
    list_select_related = ["owner_organisation", "owner_person", "meeting"]
    autocomplete_fields = ["meeting", "owner_organisation", "owner_person"]
    raw_id_fields = ["decision"]
    date_hierarchy = "due_on"
    readonly_fields = ["closed_at"]
    actions = [
        service_action(
            "Mark done", lambda a, user: action_point_report(action_point=a, status="done", by=user)
        ),
        service_action(
            "Drop", lambda a, user: action_point_report(action_point=a, status="dropped", by=user)
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["closed_at", "meeting"] if obj is not None else ["closed_at"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        details = {
            "title": data["title"],
            "description": data["description"],
            "owner_organisation": data["owner_organisation"],
            "owner_person": data.get("owner_person"),
            "due_on": data["due_on"],
        }
        if change:
            action_point = action_point_update(
                action_point=pristine(obj), by=request.user, **details
            )
        else:
            action_point = action_point_create(
                meeting=data["meeting"], decision=data.get("decision"), by=request.user, **details
            )
            obj.pk = action_point.pk
        action_point_report(
            action_point=action_point,
            status=data["status"],
            progress=data["progress"],
            by=request.user,
        )
