"""The admin of meetings and what hangs off them, every write through the services.

Rows with rules (agenda positions, invitations, attendance, decision numbers) are
added and removed through their services and shown read-only inside the meeting;
nothing that carries history is deleted: a scheduled meeting is cancelled, a draft
may be deleted (nobody was told of it).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from groups.admin import ConfidentialityTrailMixin
from groups.models import Confidentiality
from groups.services import confidentiality_set
from meetings.follow_up import report_back_accept, report_back_drop
from meetings.minutes_cycle import approval_text
from meetings.models import (
    ActionPoint,
    ActionPointReview,
    AgendaItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingSeries,
    Minutes,
    MinutesComment,
    MinutesVersion,
    ReportBack,
)
from meetings.selectors import answer_counts
from meetings.services import (
    MEETING_FIELDS,
    MEETING_GRANTS,
    SERIES_CHANGEABLE_FIELDS,
    SERIES_FIELDS,
    SERIES_RULE_FIELDS,
    action_point_create,
    action_point_report,
    action_point_update,
    agenda_item_add,
    agenda_item_remove,
    agenda_item_update,
    attendance_record,
    attendance_remove,
    attendance_update,
    decision_add,
    decision_supersede,
    decision_translations_set,
    decision_withdraw,
    invitation_create,
    invitations_create_for_group,
    meeting_access_set,
    meeting_cancel,
    meeting_create,
    meeting_delete_draft,
    meeting_mark_held,
    meeting_schedule,
    meeting_update,
    minutes_approve,
    minutes_publish,
    minutes_save,
    series_cancel,
    series_create,
    series_schedule,
    series_update,
)
from portal.admin_base import (
    GuardedServiceAdmin,
    NoDeleteMixin,
    ReadOnlyAdmin,
    ServiceAdmin,
    UserPermissionsForm,
    error_text,
    pristine,
    service_action,
)
from portal.audit import Actor

LABEL_FIELDS = ["confidentiality", "restricted_to"]


class LabelAdminForm(forms.ModelForm):
    """A labelled row's admin form: on a new row, an empty first choice leaves the label
    to the service's default (`default_choice` names it); on a change, a form sent
    without it leaves the label as it is."""

    default_choice = _("As the meeting")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("confidentiality")
        if not isinstance(field, forms.ChoiceField):
            return
        # Left out of a change, the label stays as it is.
        field.required = False
        if getattr(self.instance, "pk", None) is None:
            field.choices = [("", self.default_choice), *Confidentiality.choices]
            self.initial["confidentiality"] = ""


def label_of(form) -> dict:
    """The label an admin form holds, as the services take it (None: the default)."""
    return {
        "confidentiality": form.cleaned_data.get("confidentiality") or None,
        "restricted_to": list(form.cleaned_data.get("restricted_to") or []),
    }


def label_only_changed(form) -> bool:
    """Whether a change form changed the row's label and nothing else: the label changes
    whatever the row's state, its other fields only as their service allows."""
    changed = set(form.changed_data)
    return bool(changed) and changed <= set(LABEL_FIELDS)


def label_save(form, record, *, by):
    """A change form's label, through the one service that changes labels (when the
    form changed it)."""
    if not set(LABEL_FIELDS) & set(form.changed_data):
        return record
    label = label_of(form)
    return confidentiality_set(
        record=record,
        confidentiality=label["confidentiality"] or record.confidentiality,
        restricted_to=label["restricted_to"],
        by=by,
    )


class LabelledAdmin(ConfidentialityTrailMixin):
    """The label's fields and its trail on a labelled row's admin."""

    label_fields = [*LABEL_FIELDS, "confidentiality_trail"]


class ReadOnlyInline(admin.TabularInline):
    """Rows shown inside their meeting; added, changed and removed on their own pages."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AgendaItemInline(ReadOnlyInline):
    model = AgendaItem
    fk_name = "meeting"
    fields = ["position", "title", "kind", "presenter", "duration_minutes"]
    verbose_name_plural = _("agenda (add, change and reorder items under Agenda items)")


class InvitationInline(ReadOnlyInline):
    model = Invitation
    fields = ["person", "organisation", "response", "alternate", "responded_at"]
    verbose_name_plural = _("invitations (invite people under Invitations)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "organisation", "alternate")


class MeetingAccessForm(UserPermissionsForm):
    """A user's direct grants on one meeting, saved through meeting_access_set."""

    obj: Meeting
    by: Actor = None

    def get_obj_perms_field_choices(self):
        return [
            (code, name)
            for code, name in super().get_obj_perms_field_choices()
            if code in MEETING_GRANTS
        ]

    def save_obj_perms(self) -> None:
        meeting_access_set(
            meeting=self.obj,
            user=self.user,
            permissions=set(self.cleaned_data[self.get_obj_perms_field_name()]),
            by=self.by,
        )


class MeetingAdminForm(LabelAdminForm):
    default_choice = _("The group's usual label")

    # Handed to meeting_update, which reads it only when a scheduled meeting moves inside
    # its group's notice period (meetings.services.notice_period_check).
    short_notice_reason = forms.CharField(
        label=_("reason for short notice"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed to move a scheduled meeting to a start inside its group's notice "
            "period; the invitees read it in their update."
        ),
    )

    class Meta:
        model = Meeting
        # The admin's own `fields` list decides what the form shows.
        fields = ["short_notice_reason"]


@admin.register(Meeting)
class MeetingAdmin(LabelledAdmin, GuardedServiceAdmin):
    form = MeetingAdminForm
    obj_perms_manage_template = "admin/meeting_access.html"
    list_display = ["reference", "title", "group", "kind", "status", "start_at", "venue", "invited"]
    list_display_links = ["reference", "title"]
    list_filter = ["status", "kind", "group"]
    search_fields = ["reference", "title", "venue", "group__name"]
    list_select_related = ["group"]
    date_hierarchy = "start_at"
    autocomplete_fields = ["group", "restricted_to"]
    fields = [
        "group",
        "reference",
        "title",
        "kind",
        "start_at",
        "end_at",
        "time_zone",
        "venue",
        "online_url",
        "description",
        "status",
        "sequence",
        "cancellation_reason",
        "short_notice_reason",
        "short_notice_by",
        *LabelledAdmin.label_fields,
        "notices",
    ]
    readonly_fields = [
        "reference",
        "status",
        "sequence",
        "cancellation_reason",
        "short_notice_by",
        "confidentiality_trail",
        "notices",
    ]
    inlines = [AgendaItemInline, InvitationInline]
    actions = [
        service_action(_("Schedule"), lambda m, user: meeting_schedule(meeting=m, by=user)),
        service_action(_("Mark held"), lambda m, user: meeting_mark_held(meeting=m, by=user)),
        service_action(_("Cancel"), lambda m, user: meeting_cancel(meeting=m, by=user)),
        "invite_the_group",
    ]

    @admin.action(description=_("Invite the group's representatives"))
    def invite_the_group(self, request, queryset):
        """Invite each selected meeting's group, saying for each whom it could not reach,
        as the meeting's page does."""
        for meeting in queryset:
            try:
                invited = invitations_create_for_group(meeting=meeting, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{meeting}: {error_text(error)}", messages.ERROR)
                continue
            invited_count = _("%(count)s representatives of the group are invited.") % {
                "count": len(invited.invitations)
            }
            self.message_user(request, f"{meeting}: {invited_count}", messages.SUCCESS)
            for sentence in invited.shortfalls():
                self.message_user(request, f"{meeting}: {sentence}", messages.WARNING)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**answer_counts(Invitation.Response.ACCEPTED))

    def get_readonly_fields(self, request, obj=None):
        # A meeting stays in its group; a new one in another group is a new meeting.
        return [*self.readonly_fields, "group"] if obj is not None else self.readonly_fields

    @admin.display(description=_("invited"), ordering="invited_count")
    def invited(self, obj):
        return obj.invited_count

    @admin.display(description=_("notices"))
    def notices(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:notices_notice_changelist") + f"?meeting__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("The delivery log of this meeting"))

    def service_save(self, request, form, change):
        data = {name: form.cleaned_data[name] for name in MEETING_FIELDS}
        if change:
            # The label first: an update the change sends is written for those who may
            # see the meeting under the label it leaves.
            meeting = label_save(form, pristine(form.instance), by=request.user)
            if not label_only_changed(form):
                meeting = meeting_update(
                    meeting=meeting,
                    by=request.user,
                    short_notice_reason=form.cleaned_data.get("short_notice_reason", ""),
                    **data,
                )
            return meeting
        return meeting_create(
            group=form.cleaned_data["group"], by=request.user, **data, **label_of(form)
        )

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status == Meeting.Status.DRAFT)

    def delete_model(self, request, obj):
        meeting_delete_draft(meeting=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for meeting in queryset:
            meeting_delete_draft(meeting=meeting, by=request.user)

    def get_obj_perms_manage_user_form(self, request):
        return type("MeetingAccessForm", (MeetingAccessForm,), {"by": request.user})

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        raise PermissionDenied(_("Grant access on a meeting to people, one by one."))


class SeriesOccurrenceInline(ReadOnlyInline):
    model = Meeting
    fk_name = "series"
    fields = [
        "reference",
        "title",
        "status",
        "start_at",
        "occurrence_start",
        "detached_from_series",
    ]
    readonly_fields = [
        "reference",
        "title",
        "status",
        "start_at",
        "occurrence_start",
        "detached_from_series",
    ]
    ordering = ["occurrence_start"]
    verbose_name = _("meeting of the series")
    verbose_name_plural = _("meetings of the series (each is changed on its own page)")


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(NoDeleteMixin, ServiceAdmin):
    """A series is made and changed through its services: the rule is fixed once made,
    the rest changes the meetings still to come that were not changed on their own."""

    list_display = ["title", "group", "frequency", "starts_on", "status", "sequence"]
    list_filter = ["status", "frequency", "group"]
    search_fields = ["title", "group__name"]
    list_select_related = ["group"]
    autocomplete_fields = ["group"]
    fields = [
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
        "calendar_uid",
    ]
    readonly_fields = ["status", "sequence", "calendar_uid"]
    inlines = [SeriesOccurrenceInline]
    actions = [
        service_action(
            _("Schedule the series"), lambda s, user: series_schedule(series=s, by=user)
        ),
        service_action(_("Cancel the series"), lambda s, user: series_cancel(series=s, by=user)),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # The rule stays as it was made: a series that meets otherwise is a new series.
        return [*self.readonly_fields, "group", *sorted(SERIES_RULE_FIELDS)]

    def service_save(self, request, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in SERIES_CHANGEABLE_FIELDS}
            return series_update(series=pristine(form.instance), by=request.user, **data)
        data = {name: form.cleaned_data[name] for name in SERIES_FIELDS}
        return series_create(group=form.cleaned_data["group"], by=request.user, **data)


class AgendaItemAdminForm(LabelAdminForm):
    class Meta:
        model = AgendaItem
        fields = ["meeting"]


@admin.register(AgendaItem)
class AgendaItemAdmin(LabelledAdmin, ServiceAdmin):
    form = AgendaItemAdminForm
    list_display = [
        "title",
        "meeting",
        "position",
        "kind",
        "source_meeting",
        "presenter",
        "duration_minutes",
        "confidentiality",
    ]
    search_fields = ["title", "meeting__title"]
    list_filter = ["kind", "meeting__group", "confidentiality"]
    list_select_related = ["meeting", "source_meeting", "presenter"]
    autocomplete_fields = ["meeting", "presenter", "restricted_to"]
    fields = [
        "meeting",
        "position",
        "kind",
        "source_meeting",
        "title",
        "description",
        "presenter",
        "duration_minutes",
        *LabelledAdmin.label_fields,
    ]
    # The portal puts its own items there (meetings.follow_up); one added here is regular.
    readonly_fields = ["position", "kind", "source_meeting", "confidentiality_trail"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["meeting", "position"] if obj is not None else ["position"]
        return [*fixed, "kind", "source_meeting", "confidentiality_trail"]

    def service_save(self, request, form, change):
        data = form.cleaned_data
        details = {
            "title": data["title"],
            "description": data["description"],
            "presenter": data.get("presenter"),
            "duration_minutes": data["duration_minutes"],
        }
        if change:
            item = pristine(form.instance)
            if not label_only_changed(form):
                item = agenda_item_update(item=item, by=request.user, **details)
            return label_save(form, item, by=request.user)
        return agenda_item_add(
            meeting=data["meeting"], by=request.user, **details, **label_of(form)
        )

    def delete_model(self, request, obj):
        agenda_item_remove(item=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        # One at a time, highest position first, so each removal closes its own gap.
        for item in queryset.order_by("meeting", "-position"):
            agenda_item_remove(item=item, by=request.user)


@admin.register(Invitation)
class InvitationAdmin(NoDeleteMixin, ServiceAdmin):
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
        # Answers are the invitee's (pages, API, answer links); nothing here changes.
        fixed = ["meeting", "person"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and obj is None

    def service_save(self, request, form, change):
        return invitation_create(
            meeting=form.cleaned_data["meeting"],
            person=form.cleaned_data["person"],
            by=request.user,
        )


@admin.register(Attendance)
class AttendanceAdmin(ServiceAdmin):
    list_display = ["person", "organisation", "meeting", "invited", "mode", "interpretation"]
    list_filter = ["meeting__group", "organisation__kind", "mode", "interpretation"]
    search_fields = ["person__full_name", "organisation__name", "meeting__title"]
    list_select_related = ["person", "organisation", "meeting"]
    autocomplete_fields = ["meeting", "person", "organisation"]
    fields = [
        "meeting",
        "person",
        "organisation",
        "invitation",
        "mode",
        "interpretation",
        "recorded_at",
    ]
    readonly_fields = ["invitation", "recorded_at"]

    def get_readonly_fields(self, request, obj=None):
        # A line of the register is recorded or removed; only how the person attended
        # and their interpretation change.
        if obj is None:
            return self.readonly_fields
        return [name for name in self.fields if name not in {"mode", "interpretation"}]

    @admin.display(boolean=True, description=_("invited"))
    def invited(self, obj):
        return obj.invitation_id is not None

    def service_save(self, request, form, change):
        if change:
            return attendance_update(
                attendance=form.instance,
                mode=form.cleaned_data["mode"],
                interpretation=form.cleaned_data["interpretation"],
                by=request.user,
            )
        return attendance_record(
            meeting=form.cleaned_data["meeting"],
            person=form.cleaned_data["person"],
            organisation=form.cleaned_data.get("organisation"),
            mode=form.cleaned_data["mode"],
            interpretation=form.cleaned_data["interpretation"],
            by=request.user,
        )

    def delete_model(self, request, obj):
        attendance_remove(attendance=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for attendance in queryset:
            attendance_remove(attendance=attendance, by=request.user)


class MinutesVersionInline(ReadOnlyInline):
    """Every text the minutes had; kept, never changed."""

    model = MinutesVersion
    fields = ["number", "reason", "created_by", "created_at", "body"]
    readonly_fields = ["number", "reason", "created_by", "created_at", "body"]
    show_change_link = False
    verbose_name_plural = _("versions (kept as written)")


class MinutesCommentInline(ReadOnlyInline):
    """The comments of the invited organisations; answered in the minutes' pages."""

    model = MinutesComment
    fields = ["section", "organisation", "body", "status", "answer", "answered_at"]
    readonly_fields = ["section", "organisation", "body", "status", "answer", "answered_at"]
    show_change_link = False
    verbose_name_plural = _("comments (answered on the minutes' page)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


class MinutesAdminForm(LabelAdminForm):
    class Meta:
        model = Minutes
        fields = ["meeting"]


@admin.register(Minutes)
class MinutesAdmin(LabelledAdmin, NoDeleteMixin, ServiceAdmin):
    form = MinutesAdminForm
    list_display = ["meeting", "status", "approved_at", "published_at", "confidentiality"]
    list_filter = ["status", "meeting__group", "confidentiality"]
    search_fields = ["meeting__title", "body"]
    list_select_related = ["meeting"]
    autocomplete_fields = ["meeting", "restricted_to"]
    fields = [
        "meeting",
        "body",
        "status",
        "version",
        "circulated_at",
        "comments_until",
        "approval",
        "approved_at",
        "approved_by",
        "approved_as",
        "approved_for",
        "published_at",
        *LabelledAdmin.label_fields,
    ]
    readonly_fields = [
        "status",
        "version",
        "circulated_at",
        "comments_until",
        "approval",
        "approved_at",
        "approved_by",
        "approved_as",
        "approved_for",
        "published_at",
        "confidentiality_trail",
    ]
    inlines = [MinutesVersionInline, MinutesCommentInline]

    @admin.display(description=_("sign-off"))
    def approval(self, obj: Minutes) -> str:
        return approval_text(obj) if obj.pk else ""

    actions = [
        service_action(_("Approve"), lambda m, user: minutes_approve(minutes=m, by=user)),
        service_action(_("Publish"), lambda m, user: minutes_publish(minutes=m, by=user)),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "meeting"] if obj is not None else self.readonly_fields

    def service_save(self, request, form, change):
        if change:
            minutes = pristine(form.instance)
            if not label_only_changed(form):
                minutes = minutes_save(
                    meeting=minutes.meeting, body=form.cleaned_data["body"], by=request.user
                )
            return label_save(form, minutes, by=request.user)
        return minutes_save(
            meeting=form.cleaned_data["meeting"],
            body=form.cleaned_data["body"],
            by=request.user,
            **label_of(form),
        )


class DecisionAdminForm(LabelAdminForm):
    class Meta:
        model = Decision
        fields = ["meeting"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Like the label: a change form sent without the status leaves it as it is.
        if "status" in self.fields:
            self.fields["status"].required = False

    def sent_and_changed(self, names) -> set[str]:
        """The fields among `names` this form was sent with and changed (a field left
        out of the form keeps what the row has)."""
        return {name for name in names if name in self.changed_data and name in self.data}


DECISION_RECORD_FIELDS = ["meeting", "number", "reference", "agenda_item", "text", "quorum_met"]
# Where and when it was taken, and when its status last changed: set by the services.
DECISION_FACT_FIELDS = ["group", "decided_on", "corrected_at", "status_changed_at"]
# Changed on an existing decision, each through its service.
DECISION_STATUS_FIELDS = ["status", "superseded_by", "status_reason"]
DECISION_TRANSLATION_FIELDS = ["text_ar", "text_fr"]


@admin.register(Decision)
class DecisionAdmin(LabelledAdmin, NoDeleteMixin, ServiceAdmin):
    form = DecisionAdminForm
    list_display = [
        "reference",
        "group",
        "decided_on",
        "status",
        "superseded_by",
        "text",
        "confidentiality",
    ]
    list_filter = ["status", "group", "quorum_met", "confidentiality"]
    search_fields = ["reference", "text", "text_ar", "text_fr", "meeting__title"]
    list_select_related = ["meeting", "group", "superseded_by"]
    autocomplete_fields = ["meeting", "restricted_to"]
    raw_id_fields = ["agenda_item", "superseded_by"]
    fields = [
        *DECISION_RECORD_FIELDS,
        *DECISION_FACT_FIELDS,
        *DECISION_STATUS_FIELDS,
        *DECISION_TRANSLATION_FIELDS,
        *LabelledAdmin.label_fields,
    ]
    readonly_fields = [
        "number",
        "reference",
        "quorum_met",
        *DECISION_FACT_FIELDS,
        *DECISION_STATUS_FIELDS,
        *DECISION_TRANSLATION_FIELDS,
        "confidentiality_trail",
    ]

    def get_readonly_fields(self, request, obj=None):
        # A recorded decision is the group's record: its words are not rewritten here;
        # who may see it, its status and its translations change, each by its service.
        if obj is not None:
            return [*DECISION_RECORD_FIELDS, *DECISION_FACT_FIELDS, "confidentiality_trail"]
        return self.readonly_fields

    def service_save(self, request, form, change):
        if not change:
            return decision_add(
                meeting=form.cleaned_data["meeting"],
                text=form.cleaned_data["text"],
                agenda_item=form.cleaned_data.get("agenda_item"),
                by=request.user,
                **label_of(form),
            )
        data, stored = form.cleaned_data, pristine(form.instance)
        if form.sent_and_changed(DECISION_STATUS_FIELDS):
            _decision_status_change(stored, data, by=request.user)
        translations = form.sent_and_changed(DECISION_TRANSLATION_FIELDS)
        if translations:
            decision_translations_set(
                decision=stored,
                text_ar=data["text_ar"] if "text_ar" in translations else stored.text_ar,
                text_fr=data["text_fr"] if "text_fr" in translations else stored.text_fr,
                by=request.user,
            )
        return label_save(form, pristine(form.instance), by=request.user)


def _decision_status_change(decision: Decision, data: dict, *, by) -> None:
    """The admin form's status fields, through decision_supersede or decision_withdraw."""
    status = data.get("status") or decision.status
    reason = data.get("status_reason") or ""
    if status == decision.status:
        raise ValidationError(
            {"status": _("Choose the new status (superseded or withdrawn) with its details.")}
        )
    if status == Decision.Status.SUPERSEDED:
        if data.get("superseded_by") is None:
            raise ValidationError({"superseded_by": _("Choose the decision that supersedes it.")})
        decision_supersede(
            decision=decision, by_decision=data["superseded_by"], reason=reason, by=by
        )
    elif status == Decision.Status.WITHDRAWN:
        decision_withdraw(decision=decision, reason=reason, by=by)
    else:
        raise ValidationError(
            {"status": _("A decision that no longer stands is not brought back; record a new one.")}
        )


class ActionPointForm(LabelAdminForm):
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
            *LABEL_FIELDS,
        ]


@admin.register(ActionPoint)
class ActionPointAdmin(LabelledAdmin, NoDeleteMixin, ServiceAdmin):
    form = ActionPointForm
    list_display = ["title", "owner_organisation", "owner_person", "due_on", "status", "meeting"]
    list_filter = ["status", "meeting__group", "owner_organisation__kind"]
    search_fields = [
        "title",
        "owner_organisation__name",
        "owner_person__full_name",
        "meeting__reference",
    ]
    list_select_related = ["owner_organisation", "owner_person", "meeting"]
    autocomplete_fields = ["meeting", "owner_organisation", "owner_person", "restricted_to"]
    raw_id_fields = ["decision"]
    date_hierarchy = "due_on"
    readonly_fields = ["closed_at", "confidentiality_trail"]
    actions = [
        service_action(
            _("Mark done"),
            lambda a, user: action_point_report(action_point=a, status="done", by=user),
        ),
        service_action(
            _("Drop"),
            lambda a, user: action_point_report(action_point=a, status="dropped", by=user),
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["closed_at", "meeting", "decision"] if obj is not None else ["closed_at"]
        return [*fixed, "confidentiality_trail"]

    def service_save(self, request, form, change):
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
                action_point=pristine(form.instance), by=request.user, **details
            )
            action_point = label_save(form, action_point, by=request.user)
        else:
            action_point = action_point_create(
                meeting=data["meeting"],
                decision=data.get("decision"),
                by=request.user,
                **details,
                **label_of(form),
            )
        if not {"status", "progress"} & set(form.changed_data):
            return action_point
        return action_point_report(
            action_point=action_point,
            status=data["status"],
            progress=data["progress"],
            by=request.user,
        )


@admin.register(ActionPointReview)
class ActionPointReviewAdmin(ReadOnlyAdmin):
    """What each meeting said of an action point: written by its review on the
    meeting's page or the API (meetings.follow_up.action_point_review)."""

    list_display = ["action_point", "meeting", "status", "note", "by", "at"]
    list_filter = ["status", "meeting__group"]
    search_fields = ["action_point__title", "meeting__title", "meeting__reference", "note"]
    list_select_related = ["action_point", "meeting", "by"]
    date_hierarchy = "at"


@admin.register(ReportBack)
class ReportBackAdmin(ReadOnlyAdmin):
    """Sub-groups' reports proposed to their parent group's meetings; proposed by the
    portal, accepted or dropped by the meeting's managers (also here, as actions)."""

    list_display = ["__str__", "meeting", "source_meeting", "status", "decided_by", "decided_at"]
    list_filter = ["status", "meeting__group"]
    search_fields = ["meeting__title", "source_meeting__title", "source_meeting__group__name"]
    list_select_related = ["meeting", "source_meeting__group", "decided_by"]
    actions = [
        service_action(
            _("Accept onto the agenda"),
            lambda report, user: report_back_accept(report_back=report, by=user),
        ),
        service_action(
            _("Drop"), lambda report, user: report_back_drop(report_back=report, by=user)
        ),
    ]
