"""The minutes' cycle in the API: the versions of minutes, their circulation and
sign-off (actions of /api/v1/minutes/, meetings.api.views), and the comments on draft
minutes (/api/v1/minutes-comments/)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action

from groups.permissions import people_visible_to
from meetings.minutes_cycle import (
    COMMENT_MAX_CHARS,
    minutes_comment_add,
    minutes_comment_answer,
)
from meetings.models import AgendaItem, MinutesComment, MinutesVersion
from meetings.permissions import (
    agenda_items_visible_to,
    minutes_comment_get_for_user,
    minutes_comments_visible_to,
    minutes_get_for_user,
    minutes_visible_to,
)
from portal.api.filters import FilterSet
from portal.api.serializers import (
    InputSerializer,
    OutputModelSerializer,
    UTCDateTimeField,
    VisibleRelatedField,
)
from portal.api.views import FunnelViewSet


class MinutesVersionSerializer(OutputModelSerializer):
    created_by = serializers.SerializerMethodField(help_text="Who wrote it (login), or null.")

    class Meta:
        model = MinutesVersion
        fields = ["number", "reason", "body", "created_by", "created_at"]

    def get_created_by(self, version: MinutesVersion) -> str | None:
        return version.created_by.get_username() if version.created_by else None


class MinutesCirculateInputSerializer(InputSerializer):
    comments_until = serializers.DateTimeField(
        help_text="Comments are taken until then (in the future; with an offset)."
    )


class MinutesApproveInputSerializer(InputSerializer):
    on_behalf_of = VisibleRelatedField(
        visible=people_visible_to,
        required=False,
        allow_null=True,
        help_text="The secretariat names the chair or co-chair it approves for (by "
        "default the chair); a chair or co-chair approves in their own name.",
    )


def _organisation_brief(organisation_id: int, name: str) -> dict:
    return {"id": organisation_id, "name": name}


class MinutesCommentSerializer(OutputModelSerializer):
    organisation = serializers.SerializerMethodField()
    answered_at = UTCDateTimeField(allow_null=True)

    class Meta:
        model = MinutesComment
        fields = [
            "id",
            "minutes",
            "version",
            "section",
            "agenda_item",
            "body",
            "organisation",
            "created_at",
            "status",
            "answer",
            "answered_at",
        ]

    def get_organisation(self, comment: MinutesComment) -> dict:
        return _organisation_brief(comment.organisation_id, comment.organisation.name)

    # The method field from a list's `.values()` row (portal.api.rows).
    ROW_FIELDS = {"organisation": (("organisation", "organisation__name"), _organisation_brief)}


class MinutesCommentInputSerializer(InputSerializer):
    minutes = VisibleRelatedField(visible=minutes_visible_to)
    section = serializers.CharField(
        max_length=300,
        allow_blank=True,
        required=False,
        default="",
        help_text='The heading commented on, as in the text without "## " (e.g. "2. Returns"); '
        "'' for the minutes as a whole.",
    )
    agenda_item = VisibleRelatedField(
        visible=agenda_items_visible_to, required=False, allow_null=True, default=None
    )
    body = serializers.CharField(max_length=COMMENT_MAX_CHARS)


class MinutesCommentAnswerInputSerializer(InputSerializer):
    answer = serializers.CharField(max_length=COMMENT_MAX_CHARS)
    applied = serializers.BooleanField(
        default=False, help_text="Whether the comment was applied to the text."
    )


class MinutesCommentFilter(FilterSet):
    minutes = filters.NumberFilter(field_name="minutes_id")
    status = filters.MultipleChoiceFilter(choices=MinutesComment.Status.choices)

    class Meta:
        model = MinutesComment
        fields = ["minutes", "status"]


class MinutesCommentViewSet(FunnelViewSet):
    """Comments on draft minutes circulated for comments: the secretariat and the
    group's chairs read them all; a representative those of their own organisation,
    with the secretariat's answers. Representatives of the invited organisations
    (observers excepted) comment while the period is open."""

    visible = staticmethod(minutes_comments_visible_to)
    get_for_user = staticmethod(minutes_comment_get_for_user)
    output_serializer_class = MinutesCommentSerializer
    filterset_class = MinutesCommentFilter

    def select(self, queryset):
        return queryset.select_related("organisation").order_by("minutes_id", "created_at", "id")

    @extend_schema(request=MinutesCommentInputSerializer, responses={201: MinutesCommentSerializer})
    def create(self, request):
        """Comment on a section of draft minutes circulated to your organisation."""
        data = self.validated(MinutesCommentInputSerializer)
        minutes = minutes_get_for_user(request.user, data["minutes"].pk)
        agenda_item: AgendaItem | None = data["agenda_item"]
        comment = minutes_comment_add(
            minutes=minutes,
            section=data["section"],
            agenda_item=agenda_item,
            body=data["body"],
            by=request.user,
        )
        return self.render(comment, code=status.HTTP_201_CREATED)

    @extend_schema(request=MinutesCommentAnswerInputSerializer, responses=MinutesCommentSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The secretariat's (or a chair's) answer, and whether it was applied."""
        comment = self.get_object(answer=True)
        data = self.validated(MinutesCommentAnswerInputSerializer)
        comment = minutes_comment_answer(
            comment=comment, answer=data["answer"], applied=data["applied"], by=request.user
        )
        return self.render(self.get_visible_object())
