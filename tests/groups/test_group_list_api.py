"""The groups API list: every group's chair and co-chair and terms of reference in a
bounded number of queries, in the shape the schema gives them."""

import pytest

from groups.api.serializers import SeatSerializer
from groups.models import CoordinationGroup, Membership
from groups.permissions import groups_visible_to
from groups.services import group_create, membership_create
from members.models import Organisation, OrganisationKind, Person
from tests.api.conftest import SchemaCheckedClient

pytestmark = pytest.mark.django_db


def _client(cast, persona: str) -> SchemaCheckedClient:
    client = SchemaCheckedClient()
    client.force_authenticate(user=cast.user(persona))
    return client


def _groups_with_chairs(cast, number: int) -> None:
    """`number` more sub-groups of the MWG, each with a chair and a co-chair."""
    for index in range(number):
        group = group_create(
            name=f"Sub-group {index}",
            kind=CoordinationGroup.Kind.SUB_GROUP,
            parent=cast.mwg,
            by=None,
        )
        for role in (Membership.Role.CHAIR, Membership.Role.CO_CHAIR):
            organisation = Organisation.objects.create(
                name=f"Organisation {index} {role}",
                acronym=f"O{index}{role[:2]}",
                kind=OrganisationKind.MINISTRY,
            )
            holder = Person.objects.create(
                full_name=f"Holder {index} {role}", organisation=organisation
            )
            membership_create(
                group=group, organisation=organisation, role=role, seat_holder=holder, by=None
            )


@pytest.mark.parametrize("persona", ["secretariat", "chair"])
def test_the_group_list_queries_do_not_grow_with_groups_and_chairs(
    cast, persona, django_assert_max_num_queries
):
    _groups_with_chairs(cast, 12)
    client = _client(cast, persona)

    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/groups/", {"page_size": 100})

    assert response.status_code == 200
    visible = groups_visible_to(cast.user(persona))
    assert len(response.json()["results"]) == visible.count() >= 12


def test_the_group_lists_seats_read_as_the_seat_serializer_writes_them(cast):
    _groups_with_chairs(cast, 2)
    with_no_holder = Membership.objects.get(group=cast.mwg, role=Membership.Role.CO_CHAIR)
    Membership.objects.filter(pk=with_no_holder.pk).update(seat_holder=None)

    rows = _client(cast, "secretariat").get("/api/v1/groups/", {"page_size": 100}).json()

    seats = Membership.objects.filter(
        end_on__isnull=True, role__in=[Membership.Role.CHAIR, Membership.Role.CO_CHAIR]
    ).select_related("organisation", "seat_holder")
    expected = {(seat.group_id, seat.role): dict(SeatSerializer(seat).data) for seat in seats}
    for row in rows["results"]:
        assert row["chair"] == expected.get((row["id"], Membership.Role.CHAIR))
        assert row["co_chair"] == expected.get((row["id"], Membership.Role.CO_CHAIR))
    mwg = next(row for row in rows["results"] if row["id"] == cast.mwg.pk)
    assert mwg["co_chair"]["seat_holder"] is None
    assert list(mwg["chair"]) == ["id", "organisation", "seat_holder"]
    assert list(mwg["chair"]["organisation"]) == ["id", "name", "acronym"]
