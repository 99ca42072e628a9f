import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from groups.models import CoordinationGroup, Membership, Representative
from groups.selectors import group_descendant_ids
from groups.services import (
    group_create,
    group_update,
    membership_create,
    membership_end,
    membership_update,
    person_transfer,
    representative_add,
)
from tests.factories import GroupFactory, MembershipFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_subgroups_form_a_tree_two_levels_below_the_framework(cast):
    deeper = group_create(
        name="Health data", kind=CoordinationGroup.Kind.SUB_GROUP, parent=cast.health, by=None
    )

    assert group_descendant_ids([cast.framework.pk]) >= {
        cast.framework.pk,
        cast.mwg.pk,
        cast.health.pk,
        deeper.pk,
    }
    assert deeper.parent.parent == cast.mwg


def test_move_under_own_descendant_is_refused_and_nothing_changes(cast):
    with pytest.raises(ValidationError, match="cannot sit under itself or its sub-groups"):
        group_update(group=cast.mwg, parent=cast.health, by=cast.secretariat)

    cast.mwg.refresh_from_db()
    assert cast.mwg.parent == cast.framework


def test_database_refuses_a_group_as_its_own_parent(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        CoordinationGroup.objects.filter(pk=cast.health.pk).update(parent=cast.health)


def test_working_group_cannot_sit_at_the_top(db):
    with pytest.raises(ValidationError, match="cannot sit under the top level"):
        group_create(name="Loose", kind=CoordinationGroup.Kind.WORKING_GROUP, by=None)
    assert not CoordinationGroup.objects.filter(name="Loose").exists()


def test_framework_cannot_have_a_parent_in_the_database(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        CoordinationGroup.objects.create(name="Nested", kind="framework", parent=cast.framework)


def test_second_chair_is_refused_and_the_first_kept(cast):
    other = OrganisationFactory()

    with pytest.raises(ValidationError, match="already has a chair"):
        membership_create(group=cast.mwg, organisation=other, role="chair", by=cast.secretariat)

    chairs = Membership.objects.filter(group=cast.mwg, role="chair", end_on__isnull=True)
    assert list(chairs.values_list("organisation", flat=True)) == [cast.mofa.pk]


def test_second_co_chair_is_refused_by_the_database_too(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            group=cast.mwg,
            organisation=OrganisationFactory(),
            role="co_chair",
            start_on=dt.date(2020, 1, 1),
        )


def test_seat_holder_must_work_for_the_organisation(cast):
    with pytest.raises(ValidationError, match="does not work for"):
        membership_create(
            group=cast.border,
            organisation=cast.mofa,
            role="chair",
            seat_holder=cast.member_person,
            by=cast.secretariat,
        )
    assert not cast.border.memberships.exists()


def test_member_seat_has_no_holder(cast):
    with pytest.raises(ValidationError, match="Only the chair and co-chair seats"):
        membership_create(
            group=cast.border,
            organisation=cast.moh,
            role="member",
            seat_holder=cast.member_person,
            by=cast.secretariat,
        )


def test_representative_must_work_for_the_member(cast):
    membership = Membership.objects.get(group=cast.mwg, organisation=cast.moh)

    with pytest.raises(ValidationError, match="does not work for Ministry of Health"):
        representative_add(membership=membership, person=cast.outsider_person, by=cast.secretariat)
    assert not membership.representatives.filter(person=cast.outsider_person).exists()


def test_one_principal_per_membership(cast):
    membership = Membership.objects.get(group=cast.mwg, organisation=cast.moh)
    newcomer = PersonFactory(organisation=cast.moh)

    with pytest.raises(ValidationError, match="already has a principal"):
        representative_add(membership=membership, person=newcomer, kind="principal", by=None)


def test_ending_a_membership_ends_its_representatives_and_access(cast):
    membership = Membership.objects.get(group=cast.health, organisation=cast.moh)

    membership_end(membership=membership, end_on=dt.date(2024, 1, 1), by=cast.secretariat)

    assert not membership.representatives.filter(end_on__isnull=True).exists()
    assert not cast.member.has_perm("groups.view_coordinationgroup", cast.health)
    assert cast.member.has_perm("groups.view_coordinationgroup", cast.mwg)


def test_membership_cannot_end_before_it_starts(cast):
    membership = Membership.objects.get(group=cast.health, organisation=cast.moh)

    with pytest.raises(ValidationError, match="cannot end before it starts"):
        membership_end(membership=membership, end_on=dt.date(2000, 1, 1), by=None)
    membership.refresh_from_db()
    assert membership.end_on is None


def test_moving_the_chair_seat_moves_management(cast):
    membership = Membership.objects.get(group=cast.mwg, role="chair")
    deputy = PersonFactory(organisation=cast.mofa)
    from groups.services import person_link_user
    from tests.factories import UserFactory

    deputy_user = UserFactory(username="deputy")
    person_link_user(person=deputy, user=deputy_user, by=None)

    membership_update(membership=membership, role="chair", seat_holder=deputy, by=cast.secretariat)

    chair = type(cast.chair).objects.get(pk=cast.chair.pk)
    assert not chair.has_perm("groups.manage_group", cast.mwg)
    assert deputy_user.has_perm("groups.manage_group", cast.mwg)
    assert deputy_user.has_perm("groups.manage_group", cast.health)


def test_new_sub_group_is_managed_by_the_chairs_above(cast):
    labour = group_create(
        name="Labour policies", kind=CoordinationGroup.Kind.SUB_GROUP, parent=cast.mwg, by=None
    )

    assert cast.chair.has_perm("groups.manage_group", labour)
    assert cast.cochair.has_perm("groups.manage_group", labour)
    assert not cast.member.has_perm("groups.view_coordinationgroup", labour)


def test_person_transfer_keeps_who_represented_whom_and_when(cast):
    move_day = dt.date(2025, 6, 1)

    person_transfer(
        person=cast.member_person,
        organisation=cast.elsewhere,
        position="Adviser",
        on=move_day,
        by=cast.secretariat,
    )

    history = list(
        cast.member_person.affiliations.order_by("start_on").values_list(
            "organisation__name", "end_on"
        )
    )
    assert history == [("Ministry of Health", move_day), ("Chamber of Commerce", None)]
    ended = Representative.objects.filter(person=cast.member_person)
    assert set(ended.values_list("end_on", flat=True)) == {move_day}
    member = type(cast.member).objects.get(pk=cast.member.pk)
    assert not member.has_perm("groups.view_coordinationgroup", cast.mwg)
    assert not member.has_perm("members.act_for_organisation", cast.moh)


def test_archived_group_takes_no_new_members(cast):
    from groups.services import group_set_status

    group_set_status(group=cast.border, status="archived", by=cast.secretariat)

    with pytest.raises(ValidationError, match="archived"):
        membership_create(group=cast.border, organisation=cast.moh, by=cast.secretariat)
    assert not cast.border.memberships.exists()


def test_factories_build_consistent_rows(db):
    membership = MembershipFactory(group=GroupFactory())
    assert membership.group.parent.kind == "framework"
