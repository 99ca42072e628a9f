"""The admin of papers, every write through the services: a paper is added with its
first file (document_create), its details change through document_update, its label
through groups.services.confidentiality_set, a new file becomes its next version
(document_version_add), and withdrawal is an action. Versions are shown read-only
inside their paper, each with its download (through the permission check, like any
other); nothing is deleted.

Papers have no object-permission screen: who sees a paper follows from its group, its
meeting and its label (documents.permissions), never from grants on the paper, so a
grant given here would change nothing.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from documents.models import Document, DocumentVersion
from documents.services import (
    DETAIL_FIELDS,
    document_create,
    document_update,
    document_version_add,
    document_withdraw,
)
from groups.models import Confidentiality
from groups.services import confidentiality_set
from portal.admin_base import NoDeleteMixin, ServiceAdmin, pristine, service_action

VERSION_COLUMNS = (
    "number",
    "download",
    "content_type",
    "size",
    "note",
    "uploaded_by",
    "uploaded_at",
    "text_status",
)


class DocumentVersionInline(admin.TabularInline):
    model = DocumentVersion
    fields = VERSION_COLUMNS
    readonly_fields = VERSION_COLUMNS
    extra = 0
    can_delete = False
    verbose_name_plural = _("versions (upload a new file above to add one)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("text").select_related("uploaded_by")

    @admin.display(description=_("file"))
    def download(self, version: DocumentVersion) -> str:
        url = reverse("documents:version_download", args=[version.pk])
        return format_html('<a href="{}">{}</a>', url, version.file_name)


class DocumentAdminForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("file"),
        required=False,
        help_text=_(
            "A PDF, an office document, an image or plain text. On a paper that exists, "
            "a file chosen here becomes its next version."
        ),
    )
    note = forms.CharField(
        label=_("what changed"),
        max_length=300,
        required=False,
        help_text=_("Shown with the version in the paper's history."),
    )

    class Meta:
        model = Document
        fields = [
            "group",
            "meeting",
            "agenda_item",
            *DETAIL_FIELDS,
            "confidentiality",
            "restricted_to",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A new paper takes its group's usual label unless one is chosen.
            self.fields["confidentiality"] = forms.ChoiceField(
                label=_("confidentiality"),
                choices=[("", _("The group's usual label")), *Confidentiality.choices],
                required=False,
            )
            self.fields["upload"].required = True


@admin.register(Document)
class DocumentAdmin(NoDeleteMixin, ServiceAdmin):
    form = DocumentAdminForm
    list_display = [
        "title",
        "group",
        "meeting",
        "agenda_item",
        "language",
        "confidentiality",
        "is_withdrawn",
        "created_at",
    ]
    list_filter = ["is_withdrawn", "confidentiality", "language", "group"]
    search_fields = ["title", "title_ar", "title_fr", "meeting__reference", "meeting__title"]
    list_select_related = ["group", "meeting", "agenda_item"]
    autocomplete_fields = ["group", "meeting", "restricted_to"]
    raw_id_fields = ["agenda_item"]
    date_hierarchy = "created_at"
    inlines = [DocumentVersionInline]
    actions = [
        service_action(_("Withdraw"), lambda d, user: document_withdraw(document=d, by=user)),
    ]

    def get_fields(self, request, obj=None):
        fields = [
            "group",
            "meeting",
            "agenda_item",
            *DETAIL_FIELDS,
            "confidentiality",
            "restricted_to",
            "upload",
            "note",
        ]
        if obj is not None:
            fields += ["is_withdrawn", "created_by", "created_at"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        # Where a paper is does not change once it is there.
        if obj is None:
            return []
        return ["group", "meeting", "agenda_item", "is_withdrawn", "created_by", "created_at"]

    def service_save(self, request, form, change):
        data = form.cleaned_data
        details = {name: data[name] for name in DETAIL_FIELDS}
        upload, note = data.get("upload"), data.get("note", "")
        if not change:
            return document_create(
                group=data["group"],
                meeting=data.get("meeting"),
                agenda_item=data.get("agenda_item"),
                upload=upload,
                note=note,
                confidentiality=data.get("confidentiality") or None,
                restricted_to=data.get("restricted_to") or (),
                by=request.user,
                **details,
            )
        document = document_update(document=pristine(form.instance), by=request.user, **details)
        confidentiality_set(
            record=document,
            confidentiality=data["confidentiality"],
            restricted_to=data.get("restricted_to") or (),
            by=request.user,
        )
        if upload is not None:
            document_version_add(document=document, upload=upload, note=note, by=request.user)
        return document
