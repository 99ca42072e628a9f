import datetime as dt

from django.db import router
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from groups.models import (
    Confidentiality,
    CoordinationGroup,
    Membership,
    QuorumRule,
    Representative,
    Rhythm,
)
from groups.permissions import groups_visible_to, organisations_visible_to, people_visible_to
from groups.selectors import (
    INHERITED_RULES,
    TermsOfReference,
    current_chair_seat_rows,
    representatives_serving,
    terms_of_reference,
    terms_of_reference_rows,
)
from members.api.serializers import OrganisationBriefSerializer, PersonBriefSerializer
from portal.api.serializers import InputSerializer, OutputModelSerializer, VisibleRelatedField
from portal.compiled import CompiledForIds

# PositiveSmallIntegerField's upper bound in every database Django supports.
SMALL_INTEGER_MAX = 32767


class GroupBriefSerializer(OutputModelSerializer):
    class Meta:
        model = CoordinationGroup
        fields = ["id", "name", "short_name"]


class SeatSerializer(OutputModelSerializer):
    """A chair or co-chair seat: the organisation and the person holding it."""

    organisation = OrganisationBriefSerializer()
    seat_holder = PersonBriefSerializer(allow_null=True)

    class Meta:
        model = Membership
        fields = ["id", "organisation", "seat_holder"]


def _seat(group: CoordinationGroup, role: str) -> Membership | None:
    # `chair_seats` is the to_attr of groups.selectors.group_list_with_chairs' Prefetch, which
    # the selector's QuerySet[CoordinationGroup] return type cannot carry.
    chair_seats = group.chair_seats  # type: ignore[attr-defined]
    return next((seat for seat in chair_seats if seat.role == role), None)


# The serializer context key under which a response's terms of reference are worked
# out once for all its groups (groups.selectors.terms_of_reference_for).
TERMS_OF_REFERENCE = "terms_of_reference"


class TermsOfReferenceSerializer(serializers.Serializer):
    """The rules that apply to the group: its own, or else the nearest group's above it."""

    mandate = serializers.CharField(allow_blank=True)
    mandate_ar = serializers.CharField(allow_blank=True)
    mandate_fr = serializers.CharField(allow_blank=True)
    endorsed_by = serializers.CharField(allow_blank=True)
    endorsed_on = serializers.DateField(allow_null=True)
    notice_period_days = serializers.IntegerField(
        allow_null=True, help_text="Meetings are called at least this many days ahead."
    )
    quorum_rule = serializers.ChoiceField(
        choices=[("", ""), *QuorumRule.choices],
        help_text="`count`: a number of member organisations; `share`: a percentage of them.",
    )
    quorum_value = serializers.IntegerField(allow_null=True)
    usual_duration_minutes = serializers.IntegerField(allow_null=True)
    usual_venue = serializers.CharField(allow_blank=True)
    rhythm = serializers.ChoiceField(choices=[("", ""), *Rhythm.choices])
    default_confidentiality = serializers.ChoiceField(
        choices=Confidentiality.choices,
        help_text="The label new meetings and their records start with; `members` when no "
        "group in the chain sets one.",
    )
    reminder_days = serializers.ListField(
        child=serializers.IntegerField(), help_text="The group's own: not inherited."
    )
    inherited_from = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="For each rule taken from a group above: that group's id.",
    )

    def to_representation(self, instance: TermsOfReference) -> dict:
        return terms_of_reference_data(instance)


def terms_of_reference_data(terms: TermsOfReference) -> dict:
    """TermsOfReferenceSerializer's output, built without a serializer per group."""
    return _terms_data(
        {rule: getattr(terms, rule) for rule in (*INHERITED_RULES, "quorum_value")},
        {rule: source.pk for rule, source in terms.inherited_from.items()},
        terms.group.reminder_days,
    )


def _terms_data(
    rules: dict[str, object], inherited_from: dict[str, int], reminder_days: list[int] | None
) -> dict:
    """TermsOfReferenceSerializer's shape, from the instances' terms
    (terms_of_reference_data) or the rows' (_terms_of_reference_of)."""
    endorsed_on = rules["endorsed_on"]
    return {
        **{rule: rules[rule] for rule in (*INHERITED_RULES, "quorum_value")},
        "endorsed_on": endorsed_on.isoformat() if isinstance(endorsed_on, dt.date) else None,
        "reminder_days": list(reminder_days or []),
        "inherited_from": dict(sorted(inherited_from.items())),
    }


def _seat_data(seat: Membership | None) -> dict | None:
    """SeatSerializer's output from the prefetched seat, organisation and seat holder:
    a list builds two per group, so plain dicts rather than nested serializers."""
    if seat is None:
        return None
    organisation = seat.organisation
    holder = seat.seat_holder
    return _seat_dict(
        seat.pk,
        organisation.pk,
        organisation.name,
        organisation.acronym,
        None if holder is None else holder.pk,
        None if holder is None else holder.full_name,
    )


def _seat_dict(
    seat_id: int,
    organisation_id: int,
    name: str,
    acronym: str,
    holder_id: int | None,
    holder_name: str | None,
) -> dict:
    """SeatSerializer's shape, from an instance (_seat_data) or a row (_chair_seats_of)."""
    return {
        "id": seat_id,
        "organisation": {"id": organisation_id, "name": name, "acronym": acronym},
        "seat_holder": None if holder_id is None else {"id": holder_id, "full_name": holder_name},
    }


# Compiled once per number of groups: building and compiling the union cost a page of
# groups more than running it.
_CHAIR_SEAT_ROWS = CompiledForIds(lambda group_ids: current_chair_seat_rows(group_ids=group_ids))


def _chair_seats_of(group_ids: list[int]) -> dict[int, dict]:
    """The reader of a page's chair and co-chair for a list answered from rows
    (portal.api.rows): {group id: {"chair": _seat_data's output or None, "co_chair":
    the same}}, in one query."""
    seats: dict[int, dict] = {pk: {"chair": None, "co_chair": None} for pk in group_ids}
    for row in _CHAIR_SEAT_ROWS.rows(group_ids, using=router.db_for_read(Membership)):
        seats[row["group_id"]][row["role"]] = _seat_dict(
            row["pk"],
            row["organisation_id"],
            row["organisation__name"],
            row["organisation__acronym"],
            row["seat_holder_id"],
            row["seat_holder__full_name"],
        )
    return seats


def _terms_of_reference_of(group_ids: list[int]) -> dict[int, dict]:
    """The reader of a page's terms of reference for a list answered from rows. A group
    gone between the page's query and the tree's (groups are never deleted but by hand)
    gets the terms of a new group, not null, as the schema says."""
    terms = terms_of_reference_rows(group_ids)
    return {
        pk: {
            "terms_of_reference": (
                _terms_data(terms[pk].rules, terms[pk].inherited_from, terms[pk].reminder_days)
                if pk in terms
                else terms_of_reference_data(TermsOfReference(group=CoordinationGroup(pk=pk)))
            )
        }
        for pk in group_ids
    }


class GroupSerializer(OutputModelSerializer):
    chair = serializers.SerializerMethodField()
    co_chair = serializers.SerializerMethodField()
    terms_of_reference = serializers.SerializerMethodField()

    class Meta:
        model = CoordinationGroup
        fields = [
            "id",
            "name",
            "name_ar",
            "name_fr",
            "short_name",
            "kind",
            "status",
            "parent",
            "description",
            "reference_code",
            "mandate",
            "mandate_ar",
            "mandate_fr",
            "established_on",
            "endorsed_by",
            "endorsed_on",
            "notice_period_days",
            "quorum_rule",
            "quorum_value",
            "usual_duration_minutes",
            "usual_venue",
            "rhythm",
            "default_confidentiality",
            "terms_of_reference",
            "chair",
            "co_chair",
            "created_at",
        ]

    # The method fields, worked out for a list's whole page at once (portal.api.rows).
    ROW_PAGE = {
        "terms_of_reference": (_terms_of_reference_of, "terms_of_reference"),
        "chair": (_chair_seats_of, Membership.Role.CHAIR),
        "co_chair": (_chair_seats_of, Membership.Role.CO_CHAIR),
    }

    @extend_schema_field(TermsOfReferenceSerializer)
    def get_terms_of_reference(self, group: CoordinationGroup) -> dict:
        known = self.context.get(TERMS_OF_REFERENCE, {})
        return terms_of_reference_data(known.get(group.pk) or terms_of_reference(group))

    @extend_schema_field(SeatSerializer(allow_null=True))
    def get_chair(self, group: CoordinationGroup) -> dict | None:
        return _seat_data(_seat(group, Membership.Role.CHAIR))

    @extend_schema_field(SeatSerializer(allow_null=True))
    def get_co_chair(self, group: CoordinationGroup) -> dict | None:
        return _seat_data(_seat(group, Membership.Role.CO_CHAIR))


class RepresentativeSerializer(OutputModelSerializer):
    person = PersonBriefSerializer()

    class Meta:
        model = Representative
        fields = ["id", "person", "kind", "start_on", "end_on"]


class MembershipSerializer(OutputModelSerializer):
    group = GroupBriefSerializer()
    organisation = OrganisationBriefSerializer()
    seat_holder = PersonBriefSerializer(allow_null=True)
    representatives = RepresentativeSerializer(
        source="current_representatives", many=True, help_text="Current representatives."
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "group",
            "organisation",
            "role",
            "seat_holder",
            "start_on",
            "end_on",
            "representatives",
        ]

    # The nested list from a list's rows, as membership_list prefetches it
    # (portal.api.rows).
    ROW_MANY = {"representatives": ("membership", representatives_serving)}


class GroupDetailSerializer(GroupSerializer):
    children = GroupBriefSerializer(many=True, help_text="Sub-groups.")
    memberships = MembershipSerializer(
        source="current_memberships", many=True, help_text="Current seats."
    )

    class Meta(GroupSerializer.Meta):
        fields = [*GroupSerializer.Meta.fields, "children", "memberships"]


class GroupInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=CoordinationGroup.Kind.choices)
    # DRF's metaclass moves declared fields into `_declared_fields`, so this does not
    # replace Field.parent (the enclosing serializer); the stubs cannot know that.
    parent = VisibleRelatedField(  # type: ignore[assignment]
        visible=groups_visible_to, allow_null=True, required=False
    )
    name_ar = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_fr = serializers.CharField(max_length=200, required=False, allow_blank=True)
    short_name = serializers.CharField(max_length=40, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    mandate = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    mandate_ar = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    mandate_fr = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    established_on = serializers.DateField(required=False, allow_null=True)
    endorsed_by = serializers.CharField(max_length=200, required=False, allow_blank=True)
    endorsed_on = serializers.DateField(required=False, allow_null=True)
    reference_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    # Ranges and the quorum's rule-with-value are the service's to check, with its
    # sentences (groups.services.terms_of_reference_check); these bounds only keep the
    # numbers inside the database's small integers.
    notice_period_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=SMALL_INTEGER_MAX
    )
    quorum_rule = serializers.ChoiceField(
        choices=[("", ""), *QuorumRule.choices], required=False, allow_blank=True
    )
    quorum_value = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=SMALL_INTEGER_MAX
    )
    usual_duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=SMALL_INTEGER_MAX
    )
    usual_venue = serializers.CharField(max_length=300, required=False, allow_blank=True)
    rhythm = serializers.ChoiceField(
        choices=[("", ""), *Rhythm.choices], required=False, allow_blank=True
    )
    default_confidentiality = serializers.ChoiceField(
        choices=[("", ""), *Confidentiality.choices],
        required=False,
        allow_blank=True,
        help_text="The group's own usual label for new meetings and records; '' follows "
        "the group above.",
    )


class GroupUpdateInputSerializer(GroupInputSerializer):
    """What may change on a group; its kind is fixed once created."""

    name = serializers.CharField(max_length=200, required=False)
    kind = None  # type: ignore[assignment]  # DRF drops an inherited field set to None


class MembershipInputSerializer(InputSerializer):
    group = VisibleRelatedField(visible=groups_visible_to)
    organisation = VisibleRelatedField(visible=organisations_visible_to)
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    seat_holder = VisibleRelatedField(visible=people_visible_to, allow_null=True, required=False)
    start_on = serializers.DateField(required=False, allow_null=True)


class MembershipUpdateInputSerializer(InputSerializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices, required=False)
    seat_holder = VisibleRelatedField(visible=people_visible_to, allow_null=True, required=False)


class MembershipEndInputSerializer(InputSerializer):
    end_on = serializers.DateField(required=False, allow_null=True)
