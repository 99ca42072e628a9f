"""Organisations and people: plain edits, deactivation, and what members may not know."""

import pytest
from django.core.exceptions import ValidationError

from groups.models import Membership, Representative
from groups.services import organisation_deactivate, person_deactivate, representative_add
from members.models import Organisation, Person
from members.services import organisation_update, person_set_active, person_update

pytestmark = pytest.mark.django_db


def test_unknown_fields_are_refused_and_nothing_changes(cast):
    with pytest.raises(ValidationError) as refusal:
        person_update(person=cast.member_person, calendar_token="x", by=None)

    assert "calendar_token" in refusal.value.message_dict
    assert Person.objects.get(pk=cast.member_person.pk).calendar_token != "x"


def test_an_update_with_nothing_changed_writes_no_history(cast):
    before = cast.moh.history.count()

    organisation_update(organisation=cast.moh, name=cast.moh.name, by=None)

    assert cast.moh.history.count() == before


def test_deactivating_a_person_ends_representations_and_seats_but_keeps_them(cast):
    person_deactivate(person=cast.chair_person, by=None)

    chair_person = Person.objects.get(pk=cast.chair_person.pk)
    assert chair_person.is_active is False
    assert not Membership.objects.filter(seat_holder=chair_person, end_on__isnull=True).exists()
    assert not cast.chair.has_perm("groups.manage_group", cast.mwg)


def test_a_deactivated_person_cannot_become_a_representative(cast):
    person_set_active(person=cast.outsider_person, is_active=False, by=None)
    membership = Membership.objects.get(group=cast.mwg, organisation=cast.moh, end_on__isnull=True)

    with pytest.raises(ValidationError, match="no longer active"):
        representative_add(membership=membership, person=cast.outsider_person, by=None)
    assert not Representative.objects.filter(person=cast.outsider_person).exists()


def test_deactivating_an_organisation_ends_its_memberships_and_keeps_the_row(cast):
    organisation_deactivate(organisation=cast.embassy, by=None)

    assert Organisation.objects.get(pk=cast.embassy.pk).is_active is False
    assert not Membership.objects.filter(organisation=cast.embassy, end_on__isnull=True).exists()
    assert Membership.objects.filter(organisation=cast.embassy).exists()


def test_a_failed_sign_in_is_logged_once_without_the_password(client, cast, caplog):
    with caplog.at_level("WARNING", logger="tansiq.security"):
        client.post("/accounts/login/", {"login": "member", "password": "wrong-secret"})

    lines = [r.getMessage() for r in caplog.records if r.name == "tansiq.security"]
    assert len(lines) == 1
    assert "'member'" in lines[0]
    assert "wrong-secret" not in lines[0]
