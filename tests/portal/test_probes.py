"""portal.probes.Probe: the funnels' EXISTS probes, written from the table's metadata.
It must select exactly what Django's Exists of the same filter selects, at the top of
a query and inside a subquery (where Django renames the outer row), and the funnels
must now be built with it."""

import itertools

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from documents.permissions import document_versions_visible_to
from meetings.models import AgendaItem, Invitation, Meeting
from meetings.permissions import meetings_visible_to
from portal.probes import Probe
from tests.factories import (
    AgendaItemFactory,
    InvitationFactory,
    MeetingFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
_uids = itertools.count()


def _meeting(**fields) -> Meeting:
    return MeetingFactory(calendar_uid=f"probe-{next(_uids)}@test.local", **fields)


@pytest.fixture
def invited():
    """Three meetings; one person invited to the first two, another to the last."""
    person, other = PersonFactory(), PersonFactory()
    meetings = [_meeting() for _ in range(3)]
    for meeting in meetings[:2]:
        InvitationFactory(meeting=meeting, person=person)
    InvitationFactory(meeting=meetings[2], person=other)
    for meeting in meetings:
        AgendaItemFactory.create_batch(2, meeting=meeting)
    return person, other, meetings


def _ids(queryset) -> list[int]:
    return sorted(queryset.values_list("pk", flat=True))


def test_a_probe_selects_what_djangos_exists_selects(invited):
    person, other, meetings = invited
    probe = Probe(Invitation, key="meeting", outer="pk", person=person.pk)
    exists = Exists(Invitation.objects.filter(meeting=OuterRef("pk"), person=person.pk))

    assert _ids(Meeting.objects.filter(probe)) == [meetings[0].pk, meetings[1].pk]
    assert _ids(Meeting.objects.filter(probe)) == _ids(Meeting.objects.filter(exists))
    # Negated and ORed, as the funnels combine them.
    assert _ids(Meeting.objects.filter(~Q(probe))) == [meetings[2].pk]
    either = Q(probe) | Q(Probe(Invitation, key="meeting", outer="pk", person=other.pk))
    assert _ids(Meeting.objects.filter(either)) == sorted(m.pk for m in meetings)


def test_a_probe_through_a_foreign_key_and_of_a_collection(invited):
    person, other, meetings = invited
    # From the agenda items, by their meeting's key (no join to the meeting table).
    of_items = AgendaItem.objects.filter(
        Probe(Invitation, key="meeting", outer="meeting__pk", person=[other.pk, person.pk])
    )
    assert _ids(of_items) == _ids(AgendaItem.objects.all())
    only_other = AgendaItem.objects.filter(
        Probe(Invitation, key="meeting", outer="meeting_id", person={other.pk})
    )
    assert _ids(only_other) == _ids(AgendaItem.objects.filter(meeting=meetings[2]))
    sql = str(only_other.order_by().query)
    assert "JOIN" not in sql.upper()


def test_a_probe_inside_a_subquery_follows_the_renamed_outer_row(invited):
    person, _other, meetings = invited
    # The meetings query becomes a subquery of the agenda items' (Django renames its
    # table U0 or the like); the probe must compare with that name, not the table's.
    visible = Meeting.objects.filter(
        Probe(Invitation, key="meeting", outer="pk", person=person.pk), pk=OuterRef("meeting_id")
    )
    items = AgendaItem.objects.filter(Exists(visible))
    assert _ids(items) == _ids(AgendaItem.objects.filter(meeting__in=meetings[:2]))
    assert _ids(items.exclude(Exists(visible))) == []
    assert _ids(AgendaItem.objects.exclude(Exists(visible))) == _ids(
        AgendaItem.objects.filter(meeting=meetings[2])
    )


def test_a_probe_refuses_an_empty_collection():
    with pytest.raises(ValueError, match="Invitation.person: no value to match"):
        Probe(Invitation, key="meeting", outer="pk", person=[])


def test_the_funnels_probe_without_subquery_objects(cast):
    """A member's funnels probe invitations and labels with Probe's SQL: no Django
    subquery (`SELECT %s AS "a"`) for them, and each probe reads its table by the outer
    row's key."""
    sql, _params = meetings_visible_to(cast.member).query.sql_with_params()
    quote = connection.ops.quote_name
    assert (
        f"EXISTS(SELECT 1 FROM {quote('meetings_invitation')} probed WHERE "  # noqa: S608
        f"probed.{quote('meeting_id')} = {quote('meetings_meeting')}.{quote('id')} AND "
        f"probed.{quote('person_id')} = %s)"
    ) in sql
    assert f"FROM {quote('meetings_meeting_restricted_to')} probed" in sql
    assert 'AS "a"' not in sql

    # Nested: the versions' funnel asks of each version's paper, whose funnel probes
    # its own label and its meeting's invitations.
    versions_sql, _params = document_versions_visible_to(cast.member).query.sql_with_params()
    assert f"FROM {quote('documents_document_restricted_to')} probed" in versions_sql
    assert f"FROM {quote('meetings_invitation')} probed" in versions_sql


def test_a_member_sees_only_their_probed_meetings(cast):
    """The funnel with probes, end to end: a members-only meeting of a group the member
    is not in is seen once they are invited, a restricted one once it names their
    organisation, and neither for another person."""
    outside = _meeting(group=cast.other_wg, confidentiality="members")
    restricted = _meeting(group=cast.other_wg, confidentiality="restricted")
    unseen = {outside.pk, restricted.pk}
    assert unseen.isdisjoint(_ids(meetings_visible_to(cast.member)))

    InvitationFactory(meeting=outside, person=cast.member_person)
    restricted.restricted_to.add(cast.moh)
    assert unseen <= set(_ids(meetings_visible_to(cast.member)))
    assert unseen.isdisjoint(_ids(meetings_visible_to(cast.observer)))
