"""Papers API serializers: a paper with its current version, a version, and the inputs
of an upload (multipart, the file in `upload`) and of a change of details or label."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from documents.models import Document, DocumentLanguage, DocumentVersion
from documents.selectors import current_versions
from groups.api.serializers import GroupBriefSerializer
from groups.models import Confidentiality
from groups.permissions import groups_visible_to
from meetings.api.serializers import (
    CONFIDENTIALITY_HELP,
    LabelInputSerializer,
    MeetingBriefSerializer,
    _restricted_to_field,
)
from meetings.models import AgendaItem
from meetings.permissions import agenda_items_visible_to, meetings_visible_to
from portal.api.rows import PerPage
from portal.api.serializers import InputSerializer, OutputModelSerializer, VisibleRelatedField
from portal.pages import reverse_id, reverse_id_for_page

UPLOAD_HELP = (
    "The file (multipart/form-data). Its type is read from its content, not its name: a "
    "PDF, an office document (docx, xlsx, pptx, odt, ods, odp, doc, xls, ppt), an image "
    "(png, jpeg, gif, webp) or UTF-8 text (txt, csv, md), at most DOCUMENTS_MAX_UPLOAD_BYTES "
    "(25 MB unless configured). Anything else is a 400 on `upload` and nothing is stored."
)


def _download_url(version_id: int) -> str:
    return reverse_id("api:document-version-download", version_id)


class DocumentVersionSerializer(OutputModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text="Where the file is downloaded (GET, same credentials)."
    )
    file_name = serializers.CharField(
        read_only=True, help_text="The uploaded name, cleaned: what a download is called."
    )
    content_type = serializers.CharField(
        read_only=True, help_text="The type found in the file's content at upload."
    )
    text_status = serializers.ChoiceField(
        choices=DocumentVersion.TextStatus.choices,
        read_only=True,
        help_text="Whether the file's words have been read for search yet.",
    )

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "document",
            "number",
            "file_name",
            "content_type",
            "size",
            "sha256",
            "note",
            "uploaded_at",
            "text_status",
            "download_url",
        ]

    ROW_FIELDS = {
        "download_url": (
            ("pk",),
            PerPage(lambda: reverse_id_for_page("api:document-version-download")),
        )
    }

    def get_download_url(self, version: DocumentVersion) -> str:
        return _download_url(version.pk)


class AgendaItemBriefSerializer(OutputModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "position", "title"]


class DocumentSerializer(OutputModelSerializer):
    """A paper: where it is (a group's library, a meeting, an agenda item), its titles,
    its label and its current version."""

    group = GroupBriefSerializer()
    meeting = MeetingBriefSerializer(allow_null=True)
    agenda_item = AgendaItemBriefSerializer(allow_null=True)
    confidentiality = serializers.ChoiceField(
        choices=Confidentiality.choices, help_text=CONFIDENTIALITY_HELP
    )
    restricted_to = _restricted_to_field()
    current_version = DocumentVersionSerializer(
        allow_null=True, read_only=True, help_text="The newest version; null before the first."
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "group",
            "meeting",
            "agenda_item",
            "title",
            "title_ar",
            "title_fr",
            "description",
            "language",
            "confidentiality",
            "restricted_to",
            "is_withdrawn",
            "current_version",
            "created_at",
            "updated_at",
        ]

    ROW_ONE = {"current_version": ("document", current_versions)}


class DocumentDetailsInputSerializer(LabelInputSerializer):
    """A paper's details and label (the label changes through
    groups.services.confidentiality_set; a new paper without one takes its group's
    usual label)."""

    title = serializers.CharField(max_length=300)
    title_ar = serializers.CharField(max_length=300, required=False, allow_blank=True)
    title_fr = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    language = serializers.ChoiceField(choices=DocumentLanguage.choices, required=False)


class DocumentCreateInputSerializer(DocumentDetailsInputSerializer):
    group = VisibleRelatedField(
        visible=groups_visible_to,
        required=False,
        help_text="The group whose library takes the paper; implied by `meeting`.",
    )
    meeting = VisibleRelatedField(
        visible=meetings_visible_to,
        required=False,
        help_text="The meeting the paper is for; implied by `agenda_item`.",
    )
    agenda_item = VisibleRelatedField(
        visible=agenda_items_visible_to,
        required=False,
        help_text="The agenda item the paper is for.",
    )
    upload = serializers.FileField(allow_empty_file=True, help_text=UPLOAD_HELP)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def validate(self, data):
        if not any(data.get(name) for name in ("group", "meeting", "agenda_item")):
            raise serializers.ValidationError(
                {"group": _("Name the group, the meeting or the agenda item the paper is for.")}
            )
        return data


class DocumentUpdateInputSerializer(DocumentDetailsInputSerializer):
    title = serializers.CharField(max_length=300, required=False)


class DocumentVersionInputSerializer(InputSerializer):
    upload = serializers.FileField(allow_empty_file=True, help_text=UPLOAD_HELP)
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="What changed."
    )
