"""The written procedure in the admin: drafts saved through the services, the answers
a read-only trail inside their procedure, the steps (circulate, close when due) as
actions calling one service per row. Nothing here is deleted."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from decisions.models import ProcedureAnswer, WrittenProcedure
from decisions.services import (
    procedure_circulate,
    procedure_close,
    procedure_create,
    procedure_update,
)
from meetings.admin import LabelAdminForm, LabelledAdmin, label_of, label_save
from portal.admin_base import NoDeleteMixin, ServiceAdmin, pristine, service_action


class WrittenProcedureAdminForm(LabelAdminForm):
    default_choice = _("The group's usual label")

    class Meta:
        model = WrittenProcedure
        fields: list[str] = []


class ProcedureAnswerInline(admin.TabularInline):
    """The organisations asked and their answers; answers are given by their
    representatives (pages, API, signed links), never here."""

    model = ProcedureAnswer
    extra = 0
    can_delete = False
    fields = ("organisation", "answer", "reason", "answered_by_person", "answered_at", "channel")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "answered_by_person")


def _close(procedure: WrittenProcedure, user) -> None:
    procedure_close(procedure_id=procedure.pk)


@admin.register(WrittenProcedure)
class WrittenProcedureAdmin(NoDeleteMixin, LabelledAdmin, ServiceAdmin):
    form = WrittenProcedureAdminForm
    list_display = ["reference", "title", "group", "status", "deadline", "decision"]
    list_display_links = ["reference", "title"]
    list_filter = ["status", "group"]
    search_fields = ["reference", "title", "text", "group__name"]
    list_select_related = ["group", "decision"]
    date_hierarchy = "deadline"
    autocomplete_fields = ["group", "restricted_to"]
    fields = [
        "group",
        "reference",
        "title",
        "text",
        "text_ar",
        "text_fr",
        "deadline",
        "status",
        "circulated_at",
        "closed_at",
        "withdrawn_reason",
        "decision",
        *LabelledAdmin.label_fields,
    ]
    readonly_fields = [
        "reference",
        "status",
        "circulated_at",
        "closed_at",
        "withdrawn_reason",
        "decision",
        "confidentiality_trail",
    ]
    inlines = [ProcedureAnswerInline]
    actions = [
        service_action(_("Circulate"), lambda p, user: procedure_circulate(procedure=p, by=user)),
        service_action(_("Close if the deadline has come"), _close),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("group")
        return fields

    def service_save(self, request, form, change):
        data = form.cleaned_data
        if not change:
            return procedure_create(
                group=data["group"],
                title=data["title"],
                text=data["text"],
                text_ar=data.get("text_ar", ""),
                text_fr=data.get("text_fr", ""),
                deadline=data["deadline"],
                by=request.user,
                **label_of(form),
            )
        procedure = pristine(form.instance)
        changed = {
            name: data[name]
            for name in ("title", "text", "text_ar", "text_fr", "deadline")
            if name in form.changed_data
        }
        if changed:
            procedure = procedure_update(procedure=procedure, by=request.user, **changed)
        return label_save(form, procedure, by=request.user)
