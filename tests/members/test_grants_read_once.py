"""A request reads the user's grants once (members.permissions.granted_ids), and a user
object that outlives a change of grants reads them again."""

import pytest
from django.contrib.auth.models import Group as AuthGroup
from guardian.shortcuts import assign_perm, remove_perm

from groups.models import Confidentiality
from groups.permissions import group_ids_visible_to, user_can_manage_group, user_can_view_group
from groups.services import membership_create, representative_add
from meetings.permissions import (
    action_points_visible_to,
    invitations_to_answer_by,
    meetings_visible_to,
)
from members.permissions import (
    SECRETARIAT_GROUP,
    organisation_ids_acted_for_by,
    user_can_act_for_organisation,
    user_is_secretariat,
)
from tests.conftest import LAUNCH
from tests.factories import InvitationFactory, MeetingFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_the_grants_are_read_in_one_query_for_every_funnel(cast, django_assert_num_queries):
    member = cast.member
    assert not user_is_secretariat(member)

    with django_assert_num_queries(1):
        assert group_ids_visible_to(member) == {cast.mwg.pk, cast.health.pk}
        assert organisation_ids_acted_for_by(member) == {cast.moh.pk}
        assert user_can_view_group(member, cast.health)
        assert not user_can_manage_group(member, cast.mwg)
        assert user_can_act_for_organisation(member, cast.moh.pk)

    # The funnels then cost their own query and no more.
    with django_assert_num_queries(2):
        list(meetings_visible_to(member))
        list(action_points_visible_to(member))


def test_a_seat_given_after_the_first_read_is_seen_by_the_same_user_object(cast):
    outsider = cast.outsider
    assert not user_can_view_group(outsider, cast.other_wg)

    membership = membership_create(
        group=cast.other_wg, organisation=cast.elsewhere, start_on=LAUNCH, by=None
    )
    representative_add(membership=membership, person=cast.outsider_person, start_on=LAUNCH, by=None)

    assert user_can_view_group(outsider, cast.other_wg)
    assert cast.elsewhere.pk in organisation_ids_acted_for_by(outsider)


def test_a_direct_grant_and_its_removal_are_seen_by_the_same_user_object(cast):
    outsider = cast.outsider
    assert not user_can_view_group(outsider, cast.border)

    assign_perm("groups.view_coordinationgroup", outsider, cast.border)
    assert user_can_view_group(outsider, cast.border)

    remove_perm("groups.view_coordinationgroup", outsider, cast.border)
    assert not user_can_view_group(outsider, cast.border)


def test_a_grant_to_an_auth_group_counts_once_the_user_joins_it(cast):
    outsider = cast.outsider
    auditors = AuthGroup.objects.create(name="Auditors")
    assign_perm("groups.view_coordinationgroup", auditors, cast.border)
    assert not user_can_view_group(outsider, cast.border)

    outsider.groups.add(auditors)

    assert user_can_view_group(outsider, cast.border)

    # Leaving it takes the grant away from the same user object, and from a fresh one
    # (whose grants query then asks for no grant to a group).
    outsider.groups.remove(auditors)

    assert not user_can_view_group(outsider, cast.border)
    assert not user_can_view_group(type(outsider).objects.get(pk=outsider.pk), cast.border)


def test_the_secretariat_has_its_own_invitations_to_answer_wherever_they_are(cast):
    # Given a member of the secretariat invited, as a person, to a restricted meeting of a
    # group they have no seat in (which names no organisation of theirs)
    person = PersonFactory(user=cast.secretariat, organisation=cast.elsewhere)
    mine = InvitationFactory(
        meeting=MeetingFactory(group=cast.other_wg, confidentiality=Confidentiality.RESTRICTED),
        person=person,
    )
    InvitationFactory(meeting=mine.meeting)  # someone else's

    assert list(invitations_to_answer_by(cast.secretariat)) == [mine]


@pytest.mark.parametrize(
    ("persona", "secretariat"), [("secretariat", True), ("member", False), ("outsider", False)]
)
def test_the_auth_groups_are_read_once_per_user_object(
    cast, persona, secretariat, django_assert_num_queries
):
    user = type(cast.member).objects.get(pk=getattr(cast, persona).pk)

    with django_assert_num_queries(1):
        assert user_is_secretariat(user) is secretariat
    with django_assert_num_queries(0):
        assert user_is_secretariat(user) is secretariat


def test_another_auth_group_is_not_the_secretariat_and_makes_grants_to_groups_count(cast):
    auditors = AuthGroup.objects.create(name="Auditors")
    assign_perm("groups.view_coordinationgroup", auditors, cast.border)
    cast.outsider.groups.add(auditors)
    outsider = type(cast.outsider).objects.get(pk=cast.outsider.pk)

    assert not user_is_secretariat(outsider)
    assert user_can_view_group(outsider, cast.border)


def test_a_superuser_outside_the_secretariat_group_is_the_secretariat(cast):
    cast.outsider.is_superuser = True
    cast.outsider.save(update_fields=["is_superuser"])

    assert user_is_secretariat(type(cast.outsider).objects.get(pk=cast.outsider.pk))


def test_joining_and_leaving_the_secretariat_is_seen_by_the_same_user_object(cast):
    outsider = cast.outsider
    assert not user_is_secretariat(outsider)

    outsider.groups.add(AuthGroup.objects.get(name=SECRETARIAT_GROUP))
    assert user_is_secretariat(outsider)

    outsider.groups.clear()
    assert not user_is_secretariat(outsider)
