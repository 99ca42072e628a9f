"""The API of follow-up across meetings (meetings.follow_up): the reports of sub-groups
proposed to their parent group's next meeting, and the bodies of the adoption of
minutes and of an action point's review (their actions sit on the agenda items' and
action points' viewsets, in meetings.api.views)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from groups.api.serializers import GroupBriefSerializer
from meetings.api.serializers import MeetingBriefSerializer
from meetings.follow_up import report_back_accept, report_back_drop
from meetings.models import MINUTES_MAX_CHARS, ActionPoint, ReportBack
from meetings.permissions import (
    meetings_visible_to,
    report_back_get_for_user,
    report_backs_visible_to,
)
from portal.api.filters import FilterSet, IdFilter
from portal.api.serializers import InputSerializer, OutputModelSerializer, VisibleRelatedField
from portal.api.views import FunnelViewSet


class MinutesAdoptInputSerializer(InputSerializer):
    """The adoption of the earlier minutes, at the held meeting of their adoption item."""

    corrections = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MINUTES_MAX_CHARS,
        help_text="The whole corrected text of the minutes, kept as a new version; empty "
        "or unchanged adopts them as they stand.",
    )
    decision_corrections = serializers.DictField(
        child=serializers.CharField(max_length=20_000),
        required=False,
        help_text="New words for decisions of the earlier meeting, by decision id.",
    )

    def validate_decision_corrections(self, value: dict) -> dict[int, str]:
        corrections = {}
        for key, text in value.items():
            if not (str(key).isascii() and str(key).isdigit()) or len(str(key)) > 18:
                raise serializers.ValidationError("Decision ids are whole numbers.")
            corrections[int(key)] = text
        return corrections


class ActionPointReviewInputSerializer(InputSerializer):
    """What a meeting of the group said of the action point."""

    meeting = VisibleRelatedField(
        visible=meetings_visible_to, help_text="The meeting reviewing it (one you manage)."
    )
    status = serializers.ChoiceField(choices=ActionPoint.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReportBackSerializer(OutputModelSerializer):
    """A sub-group's meeting proposed as "Report of the <sub-group>" to the parent
    group's meeting: proposed, accepted (with its agenda item) or dropped."""

    meeting = MeetingBriefSerializer(help_text="The parent group's meeting.")
    source_meeting = MeetingBriefSerializer(help_text="The sub-group's meeting.")
    source_group = GroupBriefSerializer(source="source_meeting.group", help_text="The sub-group.")

    class Meta:
        model = ReportBack
        fields = [
            "id",
            "meeting",
            "source_meeting",
            "source_group",
            "status",
            "agenda_item",
            "decided_at",
            "created_at",
        ]


class ReportBackFilter(FilterSet):
    meeting = IdFilter(field_name="meeting_id")
    status = filters.MultipleChoiceFilter(choices=ReportBack.Status.choices)

    class Meta:
        model = ReportBack
        fields = ["meeting", "status"]


class ReportBackViewSet(FunnelViewSet):
    """Reports of sub-groups proposed to the meetings you can see; those who manage the
    meeting accept (the item goes on the agenda) or drop them (never proposed again)."""

    visible = staticmethod(report_backs_visible_to)
    get_for_user = staticmethod(report_back_get_for_user)
    output_serializer_class = ReportBackSerializer
    filterset_class = ReportBackFilter

    def select(self, queryset):
        return queryset.select_related("meeting", "source_meeting__group").order_by(
            "meeting_id", "created_at", "pk"
        )

    @extend_schema(request=None, responses=ReportBackSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Put the report on the meeting's agenda, at its end."""
        report_back = report_back_accept(report_back=self.get_object(manage=True), by=request.user)
        return self.render(self.get_queryset().get(pk=report_back.pk))

    @extend_schema(request=None, responses=ReportBackSerializer)
    @action(detail=True, methods=["post"])
    def drop(self, request, pk=None):
        """Leave the report off the agenda; it is not proposed again."""
        report_back = report_back_drop(report_back=self.get_object(manage=True), by=request.user)
        return self.render(self.get_queryset().get(pk=report_back.pk))
