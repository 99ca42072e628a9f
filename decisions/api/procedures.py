"""The written procedures' API: /api/v1/written-procedures/.

Reads go through decisions.permissions.procedures_visible_to; managers (the
secretariat and the group's chairs) create, change, circulate and withdraw; the
representatives of the organisations asked answer for them (observers cannot)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from decisions.models import ProcedureAnswer, WrittenProcedure
from decisions.permissions import (
    answer_check_for_user,
    answers_answerable_by,
    procedure_get_for_user,
    procedures_visible_to,
    user_may_answer,
)
from decisions.selectors import procedure_trails
from decisions.services import (
    procedure_answer,
    procedure_circulate,
    procedure_create,
    procedure_update,
    procedure_withdraw,
)
from groups.api.serializers import GroupBriefSerializer
from groups.models import Confidentiality
from groups.permissions import group_get_for_user, groups_visible_to, organisations_visible_to
from groups.selectors import restricted_to_prefetch
from meetings.api.serializers import LabelInputSerializer
from members.api.serializers import OrganisationBriefSerializer, PersonBriefSerializer
from members.models import Organisation
from portal.api.filters import FilterSet, IdFilter
from portal.api.serializers import (
    InputSerializer,
    OutputModelSerializer,
    UTCDateTimeField,
    VisibleRelatedField,
)
from portal.api.views import FunnelViewSet

# --- Serializers ------------------------------------------------------------------------


class ProcedureAnswerSerializer(OutputModelSerializer):
    """An organisation asked and its answer as it stands (`pending`: not answered; at
    the deadline silence counts as no objection)."""

    organisation = OrganisationBriefSerializer()
    answered_by_person = PersonBriefSerializer(allow_null=True)

    class Meta:
        model = ProcedureAnswer
        fields = [
            "organisation",
            "answer",
            "reason",
            "answered_by_person",
            "answered_at",
            "channel",
        ]


class ProcedureTrailEntrySerializer(serializers.Serializer):
    """One answer given (a changed answer leaves its earlier ones here)."""

    organisation = serializers.IntegerField(source="organisation_id")
    answer = serializers.ChoiceField(choices=ProcedureAnswer.Answer.choices)
    reason = serializers.CharField()
    answered_by_person = serializers.IntegerField(source="answered_by_person_id", allow_null=True)
    answered_at = UTCDateTimeField()
    channel = serializers.ChoiceField(choices=ProcedureAnswer.Channel.choices)


class WrittenProcedureSerializer(OutputModelSerializer):
    group = GroupBriefSerializer()
    reference = serializers.CharField(
        read_only=True, help_text="Given when circulated, e.g. MWG/2026/WP3; empty for a draft."
    )
    confidentiality = serializers.ChoiceField(choices=Confidentiality.choices)
    restricted_to: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    decision: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The decision adopted, once adopted."
    )
    answers = ProcedureAnswerSerializer(many=True, read_only=True)
    trail = serializers.SerializerMethodField(
        help_text="Every answer given, oldest first, changed answers included."
    )

    class Meta:
        model = WrittenProcedure
        fields = [
            "id",
            "reference",
            "group",
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
            "confidentiality",
            "restricted_to",
            "answers",
            "trail",
        ]

    @extend_schema_field(ProcedureTrailEntrySerializer(many=True))
    def get_trail(self, procedure: WrittenProcedure) -> list:
        # Read for the whole page at once (WrittenProcedureViewSet.context_for).
        entries = self.context["trails"][procedure.pk]
        return list(ProcedureTrailEntrySerializer(entries, many=True).data)


class WrittenProcedureInputSerializer(LabelInputSerializer):
    group = VisibleRelatedField(visible=groups_visible_to)
    title = serializers.CharField(max_length=300)
    text = serializers.CharField(max_length=20_000)
    text_ar = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    text_fr = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    deadline = UTCDateTimeField(help_text="At least one day from now.")


class WrittenProcedureUpdateInputSerializer(WrittenProcedureInputSerializer):
    """What may change on a draft (not its group)."""

    group = None  # type: ignore[assignment]  # DRF drops an inherited field set to None
    title = serializers.CharField(max_length=300, required=False)
    text = serializers.CharField(max_length=20_000, required=False)
    deadline = UTCDateTimeField(required=False, help_text="At least one day from now.")


class WithdrawInputSerializer(InputSerializer):
    reason = serializers.CharField(max_length=5_000)


class AnswerInputSerializer(InputSerializer):
    organisation = VisibleRelatedField(
        visible=organisations_visible_to,
        required=False,
        help_text="An organisation asked that you represent; may be left out when you "
        "represent only one of those asked.",
    )
    answer = serializers.ChoiceField(
        choices=[ProcedureAnswer.Answer.AGREE, ProcedureAnswer.Answer.OBJECT]
    )
    reason = serializers.CharField(
        max_length=5_000, required=False, allow_blank=True, help_text="Needed to object."
    )


def _only_organisation(user, procedure: WrittenProcedure) -> Organisation:
    """The one organisation asked that `user` answers for, when the request names none."""
    answerable = list(answers_answerable_by(user, procedure).select_related("organisation")[:2])
    if len(answerable) != 1:
        raise ValidationError(
            {"organisation": [_("You represent several organisations asked: name one.")]}
        )
    return answerable[0].organisation


# --- The viewset ------------------------------------------------------------------------


class WrittenProcedureFilter(FilterSet):
    group = IdFilter(field_name="group_id")
    status = filters.MultipleChoiceFilter(choices=WrittenProcedure.Status.choices)

    class Meta:
        model = WrittenProcedure
        fields = ["group", "status"]


class WrittenProcedureViewSet(FunnelViewSet):
    """Written (silence) procedures of the groups you can see; drafts only for those
    who manage the group."""

    visible = staticmethod(procedures_visible_to)
    get_for_user = staticmethod(procedure_get_for_user)
    output_serializer_class = WrittenProcedureSerializer
    filterset_class = WrittenProcedureFilter

    def select(self, queryset):
        answers = ProcedureAnswer.objects.select_related(
            "organisation", "answered_by_person"
        ).order_by("organisation__name")
        return (
            queryset.select_related("group", "decision")
            .prefetch_related(restricted_to_prefetch(), Prefetch("answers", queryset=answers))
            .order_by("-created_at", "-id")
        )

    def context_for(self, instances):
        return {
            **super().context_for(instances),
            "trails": procedure_trails(
                instance.pk for instance in instances if isinstance(instance, WrittenProcedure)
            ),
        }

    @extend_schema(
        request=WrittenProcedureInputSerializer, responses={201: WrittenProcedureSerializer}
    )
    def create(self, request):
        """A draft procedure of a group you manage; nobody hears of it until circulated."""
        data = self.validated(WrittenProcedureInputSerializer)
        group = group_get_for_user(request.user, data.pop("group").pk, manage=True)
        procedure = procedure_create(group=group, by=request.user, **data)
        return self._rendered(procedure, code=status.HTTP_201_CREATED)

    @extend_schema(
        request=WrittenProcedureUpdateInputSerializer, responses=WrittenProcedureSerializer
    )
    def partial_update(self, request, pk=None):
        """Change a draft: its words, deadline or label."""
        procedure = self.get_object(manage=True)
        data = self.validated(WrittenProcedureUpdateInputSerializer, instance=procedure)
        procedure_update(procedure=procedure, by=request.user, **data)
        return self._rendered(procedure)

    @extend_schema(request=None, responses=WrittenProcedureSerializer)
    @action(detail=True, methods=["post"])
    def circulate(self, request, pk=None):
        """Draft → open: the reference is given, the member organisations are asked and
        told, the observers told only."""
        procedure = self.get_object(manage=True)
        return self._rendered(procedure_circulate(procedure=procedure, by=request.user))

    @extend_schema(request=WithdrawInputSerializer, responses=WrittenProcedureSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a draft or an open procedure (with a reason); those told hear it."""
        procedure = self.get_object(manage=True)
        data = self.validated(WithdrawInputSerializer)
        procedure_withdraw(procedure=procedure, reason=data["reason"], by=request.user)
        return self._rendered(procedure)

    @extend_schema(request=AnswerInputSerializer, responses=WrittenProcedureSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Your organisation's answer until the deadline: `agree`, or `object` with a
        `reason`. Only for an organisation asked that you represent; it may be changed
        until the deadline, and every answer is kept in `trail`."""
        procedure = self.get_object()
        if not user_may_answer(request.user, procedure):
            raise PermissionDenied(
                _("Only a representative of an organisation asked may answer for it.")
            )
        data = self.validated(AnswerInputSerializer)
        organisation = data.get("organisation") or _only_organisation(request.user, procedure)
        answer_check_for_user(request.user, procedure, organisation)
        procedure_answer(
            procedure=procedure,
            organisation=organisation,
            answer=data["answer"],
            reason=data.get("reason", ""),
            channel=ProcedureAnswer.Channel.API,
            by=request.user,
        )
        return self._rendered(procedure)

    def _rendered(self, procedure, *, code=status.HTTP_200_OK):
        return self.render(self.get_queryset().get(pk=procedure.pk), code=code)
