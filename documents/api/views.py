from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser

from documents.api.serializers import (
    DocumentCreateInputSerializer,
    DocumentSerializer,
    DocumentUpdateInputSerializer,
    DocumentVersionInputSerializer,
    DocumentVersionSerializer,
)
from documents.downloads import version_file_response
from documents.models import Document, DocumentLanguage, DocumentVersion
from documents.permissions import (
    document_get_for_user,
    document_version_get_for_user,
    document_versions_visible_to,
    documents_visible_to,
    user_can_add_document,
)
from documents.selectors import current_versions_attach, document_versions
from documents.services import (
    document_create,
    document_update,
    document_version_add,
    document_withdraw,
)
from groups.models import Confidentiality
from groups.selectors import restricted_to_prefetch
from groups.services import confidentiality_set
from portal.api.filters import FilterSet, IdFilter
from portal.api.parsers import BoundedJSONParser
from portal.api.views import FunnelViewSet


class DocumentFilter(FilterSet):
    group = IdFilter(field_name="group_id", label="Group id (its own papers and its meetings').")
    meeting = IdFilter(field_name="meeting_id")
    agenda_item = IdFilter(field_name="agenda_item_id")
    language = filters.MultipleChoiceFilter(choices=DocumentLanguage.choices)
    confidentiality = filters.MultipleChoiceFilter(choices=Confidentiality.choices)

    class Meta:
        model = Document
        fields = ["group", "meeting", "agenda_item", "language", "confidentiality"]


class DocumentViewSet(FunnelViewSet):
    """Papers you may see: a group's library, a meeting's and its agenda items' papers,
    each with its current version. Withdrawn papers are not listed, but stay readable by
    id. Uploads are multipart/form-data with the file in `upload`."""

    visible = staticmethod(documents_visible_to)
    get_for_user = staticmethod(document_get_for_user)
    output_serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    # Multipart for uploads (Django's parser, whose handlers cap each file: documents.uploads).
    parser_classes = [BoundedJSONParser, MultiPartParser]

    def select(self, queryset):
        queryset = (
            queryset.select_related("group", "meeting", "agenda_item")
            .prefetch_related(restricted_to_prefetch())
            .order_by("-created_at", "-id")
        )
        if self.action == "list":
            queryset = queryset.filter(is_withdrawn=False)
        return queryset

    def context_for(self, instances):
        current_versions_attach(
            instance for instance in instances if isinstance(instance, Document)
        )
        return super().context_for(instances)

    @extend_schema(
        request={"multipart/form-data": DocumentCreateInputSerializer},
        responses={201: DocumentSerializer},
    )
    def create(self, request):
        """A new paper with its first version: in a group's library (its secretariat and
        chairs), on a meeting (who manages it), or on an agenda item (also the invitees
        acting for the organisation presenting it)."""
        data = self.validated(DocumentCreateInputSerializer)
        item = data.pop("agenda_item", None)
        meeting = data.pop("meeting", None)
        if meeting is None and item is not None:
            meeting = item.meeting
        group = data.pop("group", None)
        if group is None and meeting is not None:
            group = meeting.group
        if not user_can_add_document(request.user, group=group, meeting=meeting, agenda_item=item):
            raise PermissionDenied(_("You may not add papers there."))
        document = document_create(
            group=group, meeting=meeting, agenda_item=item, by=request.user, **data
        )
        return self._rendered(document, code=status.HTTP_201_CREATED)

    @extend_schema(
        request={"application/json": DocumentUpdateInputSerializer}, responses=DocumentSerializer
    )
    def partial_update(self, request, pk=None):
        """Change the paper's titles, description, file language or label."""
        document = self.get_object(manage=True)
        data = self.validated(DocumentUpdateInputSerializer)
        label_given = "confidentiality" in data or "restricted_to" in data
        confidentiality = data.pop("confidentiality", document.confidentiality)
        restricted_to = data.pop("restricted_to", None)
        with transaction.atomic():
            document = document_update(document=document, by=request.user, **data)
            if label_given:
                confidentiality_set(
                    record=document,
                    confidentiality=confidentiality,
                    restricted_to=(
                        document.restricted_to.all() if restricted_to is None else restricted_to
                    ),
                    by=request.user,
                )
        return self._rendered(document)

    @extend_schema(request=None, responses=DocumentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Take the paper out of the lists, the meeting pack and the notices; it and its
        versions are kept."""
        document = self.get_object(manage=True)
        return self._rendered(document_withdraw(document=document, by=request.user))

    @extend_schema(methods=["GET"], request=None, responses=DocumentVersionSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": DocumentVersionInputSerializer},
        responses={201: DocumentVersionSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def versions(self, request, pk=None):
        """GET: every version of the paper, newest first. POST: a new version (who may
        change the paper)."""
        if request.method == "GET":
            return self.paginated(document_versions(self.get_object()), DocumentVersionSerializer)
        document = self.get_object(manage=True)
        data = self.validated(DocumentVersionInputSerializer)
        version = document_version_add(document=document, by=request.user, **data)
        return self.render(version, DocumentVersionSerializer, code=status.HTTP_201_CREATED)

    def _rendered(self, document, *, code=status.HTTP_200_OK):
        return self.render(self.get_queryset().get(pk=document.pk), code=code)


class DocumentVersionFilter(FilterSet):
    document = IdFilter(field_name="document_id")

    class Meta:
        model = DocumentVersion
        fields = ["document"]


class DocumentVersionViewSet(FunnelViewSet):
    """Versions of the papers you may see, newest first (a withdrawn paper's are not
    listed but stay readable by id); each file is downloaded from its version."""

    visible = staticmethod(document_versions_visible_to)
    get_for_user = staticmethod(document_version_get_for_user)
    output_serializer_class = DocumentVersionSerializer
    filterset_class = DocumentVersionFilter

    def select(self, queryset):
        queryset = queryset.defer("text").order_by("-uploaded_at", "-id")
        if self.action == "list":
            # As papers: a withdrawn one's versions are fetched by id, not listed.
            queryset = queryset.filter(document__is_withdrawn=False)
        return queryset

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file, as an attachment named by `file_name`, with the "
                "`content_type` found at upload (send `Accept: */*`).",
            )
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The version's file."""
        return version_file_response(self.get_object())
