from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from groups.models import Labelled
from groups.permissions import group_get_for_user
from groups.selectors import group_descendant_ids, restricted_to_prefetch
from groups.services import confidentiality_set
from meetings import announcements
from meetings.api.follow_up import ActionPointReviewInputSerializer, MinutesAdoptInputSerializer
from meetings.api.minutes_cycle import (
    MinutesApproveInputSerializer,
    MinutesCirculateInputSerializer,
    MinutesVersionSerializer,
)
from meetings.api.serializers import (
    PREVIEW_GUARD_FIELDS,
    ActionPointInputSerializer,
    ActionPointListSerializer,
    ActionPointReportInputSerializer,
    ActionPointSerializer,
    ActionPointUpdateInputSerializer,
    AgendaItemInputSerializer,
    AgendaItemSerializer,
    AgendaItemUpdateInputSerializer,
    AgendaReorderInputSerializer,
    AttendanceInputSerializer,
    AttendanceSerializer,
    AttendanceUpdateInputSerializer,
    DecisionInputSerializer,
    DecisionSerializer,
    DecisionSupersedeInputSerializer,
    DecisionUpdateInputSerializer,
    DecisionWithdrawInputSerializer,
    GroupInvitationsSerializer,
    InvitationInputSerializer,
    InvitationRespondInputSerializer,
    InvitationSerializer,
    MeetingCancelInputSerializer,
    MeetingInputSerializer,
    MeetingListSerializer,
    MeetingScheduleInputSerializer,
    MeetingSerializer,
    MeetingUpdateInputSerializer,
    MinutesInputSerializer,
    MinutesSerializer,
    MinutesUpdateInputSerializer,
    SeriesCancelInputSerializer,
    SeriesInputSerializer,
    SeriesScheduleInputSerializer,
    SeriesSerializer,
    SeriesUpdateInputSerializer,
)
from meetings.follow_up import action_point_review, minutes_adopt
from meetings.minutes_cycle import approval_texts, minutes_circulate, minutes_versions_for
from meetings.models import (
    ActionPoint,
    AgendaItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingSeries,
    Minutes,
)
from meetings.permissions import (
    action_point_get_for_user,
    action_points_visible_to,
    agenda_item_get_for_user,
    agenda_items_visible_to,
    attendance_get_for_user,
    attendance_visible_to,
    decision_get_for_user,
    decisions_visible_to,
    invitation_get_for_user,
    invitations_visible_to,
    meeting_get_for_user,
    meetings_visible_to,
    minutes_get_for_user,
    minutes_visible_to,
    series_get_for_user,
    series_visible_to,
)
from meetings.selectors import (
    DecisionSource,
    action_point_list,
    action_point_reviews_prefetch,
    action_points_of_group_tree,
    action_points_overdue,
    decision_filter,
    meeting_list,
    meeting_summaries,
    meetings_of_group_tree,
    minutes_list,
    series_list,
)
from meetings.services import (
    action_point_create,
    action_point_report,
    action_point_update,
    agenda_item_add,
    agenda_item_remove,
    agenda_item_update,
    agenda_reorder,
    attendance_record,
    attendance_remove,
    attendance_update,
    decision_add,
    decision_supersede,
    decision_translations_set,
    decision_withdraw,
    invitation_create,
    invitation_respond,
    invitations_create_for_group,
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    meeting_sequence_locked,
    meeting_update,
    minutes_approve,
    minutes_create,
    minutes_publish,
    minutes_save,
    series_cancel,
    series_create,
    series_schedule,
    series_update,
)
from portal.api.filters import FilterSet, IdFilter, RangeFilterSet
from portal.api.views import FunnelViewSet
from portal.audit import Actor

LABEL_FIELDS = ("confidentiality", "restricted_to")


def _label_taken(data: dict) -> dict:
    """The label fields of a validated PATCH body, taken out of it."""
    return {name: data.pop(name) for name in LABEL_FIELDS if name in data}


def _relabelled(record: Labelled, label: dict, *, by: Actor) -> None:
    """A PATCH's label, through the one service that changes labels; a field left out
    keeps what the row has."""
    if not label:
        return
    confidentiality_set(
        record=record,
        confidentiality=label.get("confidentiality", record.confidentiality),
        restricted_to=label.get("restricted_to", record.restricted_to.all()),
        by=by,
    )


@transaction.atomic
def meeting_patched(*, meeting: Meeting, data: dict, by: Actor) -> Meeting:
    """A validated PATCH body (MeetingUpdateInputSerializer) applied: the label first, so
    that an update the change sends is written for those who may see the meeting under
    the label it leaves, then the meeting. With `previewed_sequence` and
    `previewed_addressees` (from `POST update-preview/`), refused with a 400 naming them,
    and nothing saved, unless it sends what the preview showed: the update previewed,
    or none when the preview showed none (`previewed_addressees` empty)."""
    data = dict(data)
    label = _label_taken(data)
    previewed = {name: data.pop(name) for name in PREVIEW_GUARD_FIELDS if name in data}
    sequence_before = meeting_sequence_locked(meeting) if previewed else None
    _relabelled(meeting, label, by=by)
    if data or not label:
        meeting = meeting_update(meeting=meeting, by=by, **data)
    if sequence_before is not None and not announcements.update_as_previewed(
        meeting,
        sequence_before=sequence_before,
        sequence=previewed["previewed_sequence"],
        addressees=previewed["previewed_addressees"],
    ):
        raise ValidationError(
            {
                "previewed_addressees": _(
                    "The meeting, or whom its update reaches, changed since the preview: "
                    "nothing was saved. Preview the change again."
                )
            }
        )
    return meeting


def _meetings_in_group_tree(queryset, name, value):
    return meetings_of_group_tree(queryset=queryset, group_id=value)


def _action_points_in_group_tree(queryset, name, value):
    return action_points_of_group_tree(queryset=queryset, group_id=value)


# --- Meetings -----------------------------------------------------------------------


class MeetingFilter(RangeFilterSet):
    group = IdFilter(
        method=_meetings_in_group_tree, label="Group id; its sub-groups' meetings too."
    )
    reference = filters.CharFilter(
        lookup_expr="iexact", label="Official reference, in any case (MWG/2026/04)."
    )
    status = filters.MultipleChoiceFilter(choices=Meeting.Status.choices)
    kind = filters.MultipleChoiceFilter(choices=Meeting.Kind.choices)
    start_after = filters.IsoDateTimeFilter(
        field_name="start_at", lookup_expr="gte", label="Starts at or after (ISO 8601)."
    )
    start_before = filters.IsoDateTimeFilter(
        field_name="start_at", lookup_expr="lt", label="Starts before (ISO 8601)."
    )
    ordering = filters.OrderingFilter(fields=["start_at", "title", "id"])

    ranges = [("start_after", "start_before")]

    class Meta:
        model = Meeting
        fields = ["group", "reference", "status", "kind", "start_after", "start_before"]


class MeetingViewSet(FunnelViewSet):
    """Meetings of the groups you can see (and those you are invited to)."""

    visible = staticmethod(meetings_visible_to)
    get_for_user = staticmethod(meeting_get_for_user)
    output_serializer_class = MeetingSerializer
    filterset_class = MeetingFilter

    def select(self, queryset):
        if self.action == "list":
            return meeting_summaries(queryset=queryset).order_by("-start_at", "-id")
        # The agenda as the caller may read it: its items' labels apply.
        items = agenda_items_visible_to(self.request.user).select_related("presenter")
        return meeting_list(queryset=queryset).prefetch_related(
            "restricted_to",
            Prefetch("agenda_items", queryset=items.prefetch_related(restricted_to_prefetch())),
        )

    @extend_schema(responses=MeetingListSerializer(many=True))
    def list(self, request):
        """Newest first unless `ordering` says otherwise; filter by group (with its
        sub-groups), official reference, status, kind and start date range."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset.values(*MeetingListSerializer.VALUES))
        return self.get_paginated_response(MeetingListSerializer.rows(page))

    @extend_schema(request=MeetingInputSerializer, responses={201: MeetingSerializer})
    def create(self, request):
        """A draft meeting of a group you manage."""
        data = self.validated(MeetingInputSerializer)
        group = group_get_for_user(request.user, data.pop("group").pk, manage=True)
        meeting = meeting_create(group=group, by=request.user, **data)
        return self._rendered(meeting, code=status.HTTP_201_CREATED)

    @extend_schema(request=MeetingUpdateInputSerializer, responses=MeetingSerializer)
    def partial_update(self, request, pk=None):
        """Change a draft or scheduled meeting; invitees' calendars follow. Its label
        (`confidentiality`, `restricted_to`) changes whatever its state, and is kept in
        its trail."""
        meeting = self.get_object(manage=True)
        data = self.validated(MeetingUpdateInputSerializer, instance=meeting)
        return self._rendered(meeting_patched(meeting=meeting, data=data, by=request.user))

    @extend_schema(request=MeetingScheduleInputSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        """Draft → scheduled: the invitations go out at once and invitees may answer.
        `GET /api/v1/meetings/{id}/invitation-preview/` shows first who will be invited,
        which member organisations have nobody invited, who has no e-mail address, and
        the invitation in each language it goes out in. Inside the group's notice period
        it needs `short_notice_reason`."""
        meeting = self.get_object(manage=True)
        data = self.validated(MeetingScheduleInputSerializer)
        return self._rendered(meeting_schedule(meeting=meeting, by=request.user, **data))

    @extend_schema(request=MeetingCancelInputSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a draft or scheduled meeting."""
        meeting = self.get_object(manage=True)
        data = self.validated(MeetingCancelInputSerializer)
        return self._rendered(meeting_cancel(meeting=meeting, by=request.user, **data))

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"], url_path="mark-held")
    def mark_held(self, request, pk=None):
        """Record that the meeting took place (it must have started)."""
        meeting = self.get_object(manage=True)
        return self._rendered(meeting_mark_held(meeting=meeting, by=request.user))

    @extend_schema(request=None, responses={201: GroupInvitationsSerializer})
    @action(detail=True, methods=["post"], url_path="invite-group")
    def invite_group(self, request, pk=None):
        """Invite the chairs and every current representative not invited yet; the
        answer says which member organisations still have nobody invited and which new
        invitees have no e-mail address."""
        meeting = self.get_object(manage=True)
        invited = invitations_create_for_group(meeting=meeting, by=request.user)
        result = {
            "created": len(invited.invitations),
            "invited": [invitation.person for invitation in invited.invitations],
            "unreached_organisations": invited.unreached_organisations,
            "without_email": invited.without_email,
        }
        return self.render(result, GroupInvitationsSerializer, code=status.HTTP_201_CREATED)

    @extend_schema(request=AgendaReorderInputSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"], url_path="reorder-agenda")
    def reorder_agenda(self, request, pk=None):
        """Put the agenda in this order; list every item id exactly once."""
        meeting = self.get_object(manage=True)
        data = self.validated(AgendaReorderInputSerializer)
        agenda_reorder(meeting=meeting, item_ids=data["item_ids"], by=request.user)
        return self._rendered(meeting)

    def _rendered(self, meeting, *, code=status.HTTP_200_OK):
        return self.render(self.get_queryset().get(pk=meeting.pk), code=code)


# --- Series -------------------------------------------------------------------------


class SeriesFilter(FilterSet):
    group = IdFilter(field_name="group_id")
    status = filters.MultipleChoiceFilter(choices=MeetingSeries.Status.choices)

    class Meta:
        model = MeetingSeries
        fields = ["group", "status"]


class SeriesViewSet(FunnelViewSet):
    """Meeting series of the groups you can see (and those you are invited to), each
    with its meetings made so far."""

    visible = staticmethod(series_visible_to)
    get_for_user = staticmethod(series_get_for_user)
    output_serializer_class = SeriesSerializer
    filterset_class = SeriesFilter

    def select(self, queryset):
        return series_list(queryset=queryset, user=self.request.user).order_by("-starts_on", "-id")

    @extend_schema(request=SeriesInputSerializer, responses={201: SeriesSerializer})
    def create(self, request):
        """A series of a group you manage, its first meetings made as drafts; schedule it
        to invite the group."""
        data = self.validated(SeriesInputSerializer)
        group = group_get_for_user(request.user, data.pop("group").pk, manage=True)
        series = series_create(group=group, by=request.user, **data)
        return self._rendered(series, code=status.HTTP_201_CREATED)

    @extend_schema(request=SeriesUpdateInputSerializer, responses=SeriesSerializer)
    def partial_update(self, request, pk=None):
        """Change the series; its meetings still to come that were not changed on their
        own follow, and invitees are told once."""
        series = self.get_object(manage=True)
        data = self.validated(SeriesUpdateInputSerializer, instance=series)
        series_update(series=series, by=request.user, **data)
        return self._rendered(series)

    @extend_schema(request=SeriesScheduleInputSerializer, responses=SeriesSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        """Schedule the draft meetings to come: the group is invited to each, and each
        invitee gets one invitation to the whole series."""
        series = self.get_object(manage=True)
        data = self.validated(SeriesScheduleInputSerializer)
        return self._rendered(series_schedule(series=series, by=request.user, **data))

    @extend_schema(request=SeriesCancelInputSerializer, responses=SeriesSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the series and its meetings still to come; those held stay."""
        series = self.get_object(manage=True)
        data = self.validated(SeriesCancelInputSerializer)
        return self._rendered(series_cancel(series=series, by=request.user, **data))

    def _rendered(self, series, *, code=status.HTTP_200_OK):
        return self.render(self.get_queryset().get(pk=series.pk), code=code)


# --- Agenda items -------------------------------------------------------------------


class MeetingChildFilter(FilterSet):
    meeting = IdFilter(field_name="meeting_id")


class AgendaItemFilter(MeetingChildFilter):
    class Meta:
        model = AgendaItem
        fields = ["meeting"]


class AgendaItemViewSet(FunnelViewSet):
    """Agenda items of the meetings you can see, in meeting and position order."""

    visible = staticmethod(agenda_items_visible_to)
    get_for_user = staticmethod(agenda_item_get_for_user)
    output_serializer_class = AgendaItemSerializer
    filterset_class = AgendaItemFilter

    def select(self, queryset):
        return (
            queryset.select_related("presenter")
            .prefetch_related(restricted_to_prefetch())
            .order_by("meeting_id", "position")
        )

    @extend_schema(request=AgendaItemInputSerializer, responses={201: AgendaItemSerializer})
    def create(self, request):
        """Add an item at the end of the agenda of a draft or scheduled meeting you manage."""
        data = self.validated(AgendaItemInputSerializer)
        meeting = meeting_get_for_user(request.user, data.pop("meeting").pk, manage=True)
        item = agenda_item_add(meeting=meeting, by=request.user, **data)
        return self.render(item, code=status.HTTP_201_CREATED)

    @extend_schema(request=AgendaItemUpdateInputSerializer, responses=AgendaItemSerializer)
    def partial_update(self, request, pk=None):
        """Change an item of a draft or scheduled meeting; its label changes whatever
        the meeting's state."""
        item = self.get_object(manage=True)
        data = self.validated(AgendaItemUpdateInputSerializer)
        label = _label_taken(data)
        with transaction.atomic():
            if data or not label:
                agenda_item_update(item=item, by=request.user, **data)
            _relabelled(item, label, by=request.user)
        return self.render(self.get_visible_object())

    def destroy(self, request, pk=None):
        """Remove an item; the ones after it move up."""
        agenda_item_remove(item=self.get_object(manage=True), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MinutesAdoptInputSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"], url_path="adopt-minutes")
    def adopt_minutes(self, request, pk=None):
        """On the adoption item of a held meeting you manage: record that the earlier
        minutes are adopted, with corrections if any (meetings.follow_up.minutes_adopt)."""
        item = self.get_object(manage=True)
        data = self.validated(MinutesAdoptInputSerializer)
        decision = minutes_adopt(item=item, by=request.user, **data)
        return self.render(
            decisions_visible_to(request.user).get(pk=decision.pk),
            DecisionSerializer,
            code=status.HTTP_201_CREATED,
        )


# --- Invitations --------------------------------------------------------------------


class InvitationFilter(MeetingChildFilter):
    person = IdFilter(field_name="person_id")
    organisation = IdFilter(field_name="organisation_id")
    response = filters.MultipleChoiceFilter(choices=Invitation.Response.choices)
    mine = filters.BooleanFilter(method="filter_mine", label="Only invitations to you.")
    ordering = filters.OrderingFilter(fields=[("meeting__start_at", "start_at"), "id"])

    class Meta:
        model = Invitation
        fields = ["meeting", "person", "organisation", "response", "mine"]

    def filter_mine(self, queryset, name, value):
        user = self.request.user
        return queryset.filter(person__user=user) if value else queryset.exclude(person__user=user)


class InvitationViewSet(FunnelViewSet):
    """Invitations to the meetings you can see, with their answers."""

    visible = staticmethod(invitations_visible_to)
    get_for_user = staticmethod(invitation_get_for_user)
    output_serializer_class = InvitationSerializer
    filterset_class = InvitationFilter

    def select(self, queryset):
        return queryset.select_related("meeting", "person", "organisation", "alternate").order_by(
            "-meeting__start_at", "person__full_name", "id"
        )

    @extend_schema(request=InvitationInputSerializer, responses={201: InvitationSerializer})
    def create(self, request):
        """Invite one person to a draft or scheduled meeting you manage."""
        data = self.validated(InvitationInputSerializer)
        meeting = meeting_get_for_user(request.user, data["meeting"].pk, manage=True)
        invitation = invitation_create(meeting=meeting, person=data["person"], by=request.user)
        return self.render(invitation, code=status.HTTP_201_CREATED)

    @extend_schema(request=InvitationRespondInputSerializer, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """Answer for yourself, or for your organisation's invitee: accepted, declined,
        tentative, or alternate (naming the colleague you send)."""
        invitation = self.get_object(answer=True)
        data = self.validated(InvitationRespondInputSerializer)
        invitation = invitation_respond(invitation=invitation, by=request.user, **data)
        return self.render(self.get_queryset().get(pk=invitation.pk))


# --- Attendance ---------------------------------------------------------------------


class AttendanceFilter(MeetingChildFilter):
    organisation = IdFilter(field_name="organisation_id")

    class Meta:
        model = Attendance
        fields = ["meeting", "organisation"]


class AttendanceViewSet(FunnelViewSet):
    """The attendance registers of the meetings you can see."""

    visible = staticmethod(attendance_visible_to)
    get_for_user = staticmethod(attendance_get_for_user)
    output_serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilter

    def select(self, queryset):
        return queryset.select_related("person", "organisation").order_by("meeting_id", "id")

    @extend_schema(request=AttendanceInputSerializer, responses={201: AttendanceSerializer})
    def create(self, request):
        """Record someone present at a meeting you manage (once it has started)."""
        data = self.validated(AttendanceInputSerializer)
        meeting = meeting_get_for_user(request.user, data.pop("meeting").pk, manage=True)
        attendance = attendance_record(meeting=meeting, by=request.user, **data)
        return self.render(attendance, code=status.HTTP_201_CREATED)

    @extend_schema(request=AttendanceUpdateInputSerializer, responses=AttendanceSerializer)
    def partial_update(self, request, pk=None):
        """Change how someone attended (`mode`) or the interpretation they need, at a
        meeting you manage."""
        attendance = self.get_object(manage=True)
        data = self.validated(AttendanceUpdateInputSerializer)
        attendance_update(attendance=attendance, by=request.user, **data)
        return self.render(self.get_visible_object())

    def destroy(self, request, pk=None):
        attendance_remove(attendance=self.get_object(manage=True), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Minutes ------------------------------------------------------------------------


class MinutesFilter(MeetingChildFilter):
    status = filters.MultipleChoiceFilter(choices=Minutes.Status.choices)

    class Meta:
        model = Minutes
        fields = ["meeting", "status"]


class MinutesViewSet(FunnelViewSet):
    """Minutes: published ones of the meetings you can see; drafts only to managers."""

    visible = staticmethod(minutes_visible_to)
    get_for_user = staticmethod(minutes_get_for_user)
    output_serializer_class = MinutesSerializer
    filterset_class = MinutesFilter

    def select(self, queryset):
        return minutes_list(queryset=queryset)

    def context_for(self, instances):
        # Who signed off, in words, for every row at once (meetings.minutes_cycle).
        minutes = [instance for instance in instances if isinstance(instance, Minutes)]
        return {**super().context_for(instances), "approval_texts": approval_texts(minutes)}

    @extend_schema(request=MinutesInputSerializer, responses={201: MinutesSerializer})
    def create(self, request):
        """Write the minutes of a held meeting you manage (a draft)."""
        data = self.validated(MinutesInputSerializer)
        meeting = meeting_get_for_user(request.user, data.pop("meeting").pk, manage=True)
        minutes = minutes_create(meeting=meeting, by=request.user, **data)
        return self.render(minutes, code=status.HTTP_201_CREATED)

    @extend_schema(request=MinutesUpdateInputSerializer, responses=MinutesSerializer)
    def partial_update(self, request, pk=None):
        """Rewrite draft or approved minutes (approved ones go back to draft); their
        label changes whatever their state."""
        minutes = self.get_object(manage=True)
        data = self.validated(MinutesUpdateInputSerializer)
        label = _label_taken(data)
        with transaction.atomic():
            if "body" in data:
                minutes_save(meeting=minutes.meeting, body=data["body"], by=request.user)
            _relabelled(minutes, label, by=request.user)
        return self.render(self.get_visible_object())

    @extend_schema(request=MinutesApproveInputSerializer, responses=MinutesSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Sign the minutes off: the chair or co-chair in their own name, or the
        secretariat on behalf of the one it names (`on_behalf_of`). Closes the comment
        period."""
        minutes = self.get_object(manage=True)
        data = self.validated(MinutesApproveInputSerializer)
        minutes_approve(minutes=minutes, by=request.user, on_behalf_of=data.get("on_behalf_of"))
        return self.render(self.get_visible_object())

    @extend_schema(request=MinutesCirculateInputSerializer, responses=MinutesSerializer)
    @action(detail=True, methods=["post"])
    def circulate(self, request, pk=None):
        """Circulate draft minutes to the invited organisations for comments until
        `comments_until` (they are told, by mail and webhook)."""
        minutes = self.get_object(manage=True)
        data = self.validated(MinutesCirculateInputSerializer)
        minutes_circulate(minutes=minutes, comments_until=data["comments_until"], by=request.user)
        return self.render(self.get_visible_object())

    @extend_schema(request=None, responses=MinutesVersionSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filterset_class=None)
    def versions(self, request, pk=None):
        """Every text the minutes had, newest first, a page at a time."""
        return self.paginated(
            minutes_versions_for(request.user, self.get_object()), MinutesVersionSerializer
        )

    @extend_schema(request=None, responses=MinutesSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish approved minutes: every member of the group can read them."""
        return self.render(minutes_publish(minutes=self.get_object(manage=True), by=request.user))


# --- Decisions ----------------------------------------------------------------------


def _decisions_in_group_tree(queryset, name, value):
    return queryset.filter(group_id__in=group_descendant_ids([value]))


class DecisionFilter(MeetingChildFilter, RangeFilterSet):
    reference = filters.CharFilter(
        lookup_expr="iexact", label="Official reference, in any case (MWG/2026/04/D3)."
    )
    group = IdFilter(
        method=_decisions_in_group_tree, label="Group id; its sub-groups' decisions too."
    )
    status = filters.MultipleChoiceFilter(choices=Decision.Status.choices)
    source = filters.ChoiceFilter(
        choices=[(value, value) for value in DecisionSource.values],
        method="filter_source",
        label="`meeting` or `written_procedure`.",
    )
    decided_after = filters.DateFilter(
        field_name="decided_on", lookup_expr="gte", label="Decided on or after."
    )
    decided_before = filters.DateFilter(
        field_name="decided_on", lookup_expr="lt", label="Decided before."
    )
    q = filters.CharFilter(
        method="filter_words",
        max_length=200,
        label="Words in the reference or the text (any of the three languages), any case.",
    )

    ranges = [("decided_after", "decided_before")]

    class Meta:
        model = Decision
        fields = [
            "meeting",
            "reference",
            "group",
            "status",
            "source",
            "decided_after",
            "decided_before",
            "q",
        ]

    def filter_source(self, queryset, name, value):
        return decision_filter(queryset, source=value)

    def filter_words(self, queryset, name, value):
        return decision_filter(queryset, words=value)


class DecisionViewSet(FunnelViewSet):
    """Decisions of the groups you can see: taken at meetings (once their minutes are
    published) or adopted by written procedure; the register across the framework."""

    visible = staticmethod(decisions_visible_to)
    get_for_user = staticmethod(decision_get_for_user)
    output_serializer_class = DecisionSerializer
    filterset_class = DecisionFilter

    def select(self, queryset):
        return (
            queryset.select_related("written_procedure")
            .prefetch_related(restricted_to_prefetch())
            # Newest day first; a day's decisions in the order they were taken (a
            # meeting's by number).
            .order_by("-decided_on", "id")
        )

    def list(self, request, *args, **kwargs):
        """Newest day first, each day's decisions in the order taken; filter by group
        (with its sub-groups), status, source, date range and words (`q`)."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=DecisionInputSerializer, responses={201: DecisionSerializer})
    def create(self, request):
        """Record a decision of a held meeting you manage; it is numbered in order."""
        data = self.validated(DecisionInputSerializer)
        meeting = meeting_get_for_user(request.user, data.pop("meeting").pk, manage=True)
        decision = decision_add(meeting=meeting, by=request.user, **data)
        return self.render(decision, code=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionUpdateInputSerializer, responses=DecisionSerializer)
    def partial_update(self, request, pk=None):
        """Change who may see a decision, or give its words in Arabic and French; the
        words as taken stay as they were."""
        decision = self.get_object(manage=True)
        data = self.validated(DecisionUpdateInputSerializer)
        label = _label_taken(data)
        with transaction.atomic():
            if "text_ar" in data or "text_fr" in data:
                decision_translations_set(
                    decision=decision,
                    text_ar=data.get("text_ar", decision.text_ar),
                    text_fr=data.get("text_fr", decision.text_fr),
                    by=request.user,
                )
            _relabelled(decision, label, by=request.user)
        return self.render(self.get_visible_object())

    @extend_schema(request=DecisionSupersedeInputSerializer, responses=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def supersede(self, request, pk=None):
        """Mark an adopted decision as superseded by a later (or same-day) adopted
        decision of the same group."""
        decision = self.get_object(manage=True)
        data = self.validated(DecisionSupersedeInputSerializer)
        decision_supersede(
            decision=decision,
            by_decision=data["superseded_by"],
            reason=data["reason"],
            by=request.user,
        )
        return self.render(self.get_visible_object())

    @extend_schema(request=DecisionWithdrawInputSerializer, responses=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw an adopted decision, saying why."""
        decision = self.get_object(manage=True)
        data = self.validated(DecisionWithdrawInputSerializer)
        decision_withdraw(decision=decision, reason=data["reason"], by=request.user)
        return self.render(self.get_visible_object())


# --- Action points ------------------------------------------------------------------


class ActionPointFilter(RangeFilterSet):
    owner_organisation = IdFilter(field_name="owner_organisation_id")
    meeting = IdFilter(field_name="meeting_id")
    group = IdFilter(
        field_name="meeting_group",
        method=_action_points_in_group_tree,
        label="Group id; its sub-groups' action points too.",
    )
    status = filters.MultipleChoiceFilter(choices=ActionPoint.Status.choices)
    due_after = filters.DateFilter(field_name="due_on", lookup_expr="gte", label="Due on or after.")
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lt", label="Due before.")
    is_overdue = filters.BooleanFilter(method="filter_overdue", label="Open and due before today.")
    ordering = filters.OrderingFilter(fields=["due_on", "id", "updated_at"])

    ranges = [("due_after", "due_before")]

    class Meta:
        model = ActionPoint
        fields = ["owner_organisation", "meeting", "group", "status", "due_after", "due_before"]

    def filter_overdue(self, queryset, name, value):
        return action_points_overdue(queryset=queryset, overdue=value)


class ActionPointViewSet(FunnelViewSet):
    """Action points raised at the meetings you can see, and your organisation's."""

    visible = staticmethod(action_points_visible_to)
    get_for_user = staticmethod(action_point_get_for_user)
    output_serializer_class = ActionPointSerializer
    filterset_class = ActionPointFilter

    def select(self, queryset):
        return (
            action_point_list(queryset=queryset)
            .prefetch_related(restricted_to_prefetch(), action_point_reviews_prefetch())
            .order_by("due_on", "id")
        )

    @extend_schema(responses=ActionPointListSerializer(many=True))
    def list(self, request):
        """Soonest due first unless `ordering` says otherwise."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset.values(*ActionPointListSerializer.VALUES))
        return self.get_paginated_response(ActionPointListSerializer.rows(page))

    @extend_schema(request=ActionPointInputSerializer, responses={201: ActionPointSerializer})
    def create(self, request):
        """Raise an action point at a held meeting you manage."""
        data = self.validated(ActionPointInputSerializer)
        meeting = meeting_get_for_user(request.user, data.pop("meeting").pk, manage=True)
        action_point = action_point_create(meeting=meeting, by=request.user, **data)
        return self._rendered(action_point, code=status.HTTP_201_CREATED)

    @extend_schema(request=ActionPointUpdateInputSerializer, responses=ActionPointSerializer)
    def partial_update(self, request, pk=None):
        """The managers' edit: title, details, owners, due date, label."""
        action_point = self.get_object(manage=True)
        data = self.validated(ActionPointUpdateInputSerializer)
        label = _label_taken(data)
        with transaction.atomic():
            if data or not label:
                action_point = action_point_update(
                    action_point=action_point, by=request.user, **data
                )
            _relabelled(action_point, label, by=request.user)
        return self._rendered(action_point)

    @extend_schema(request=ActionPointReportInputSerializer, responses=ActionPointSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """Your organisation's report: progress, and done, dropped or reopened."""
        action_point = self.get_object(report=True)
        data = self.validated(ActionPointReportInputSerializer)
        return self._rendered(
            action_point_report(action_point=action_point, by=request.user, **data)
        )

    @extend_schema(request=ActionPointReviewInputSerializer, responses=ActionPointSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """What a later meeting of the group you manage said of it: done, still open or
        dropped, with a note; kept in `reviews`."""
        action_point = self.get_object()
        data = self.validated(ActionPointReviewInputSerializer)
        meeting = meeting_get_for_user(request.user, data.pop("meeting").pk, manage=True)
        action_point_review(action_point=action_point, meeting=meeting, by=request.user, **data)
        return self._rendered(action_point)

    def _rendered(self, action_point, *, code=status.HTTP_200_OK):
        return self.render(self.get_queryset().get(pk=action_point.pk), code=code)
