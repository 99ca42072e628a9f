"""Who holds a meeting in their calendar, and so is told of its changes: the invitees,
and the alternates they sent in their place; nobody invited only to another meeting."""

from meetings.models import Invitation
from meetings.selectors import people_holding_meeting
from tests.factories import InvitationFactory, MeetingFactory, PersonFactory


def test_the_invitees_and_the_alternates_they_sent_in_name_order(db):
    meeting = MeetingFactory(calendar_uid="plenary@test.local")
    zaid = InvitationFactory(meeting=meeting, person=PersonFactory(full_name="Zaid Omar")).person
    sender = InvitationFactory(
        meeting=meeting,
        person=PersonFactory(full_name="Huda Ali"),
        response=Invitation.Response.ALTERNATE,
        alternate=PersonFactory(full_name="Amal Saleh"),
    )
    InvitationFactory(person=PersonFactory(full_name="Other Meeting"))
    InvitationFactory(
        meeting=MeetingFactory(calendar_uid="other@test.local"),
        response=Invitation.Response.ALTERNATE,
        alternate=PersonFactory(full_name="Elsewhere"),
    )

    people = list(people_holding_meeting(meeting))

    assert people == [sender.alternate, sender.person, zaid]


def test_an_invitee_who_is_also_an_alternate_is_told_once(db):
    meeting = MeetingFactory()
    colleague = PersonFactory(full_name="Samir Haddad")
    InvitationFactory(meeting=meeting, person=colleague)
    InvitationFactory(
        meeting=meeting,
        person=PersonFactory(full_name="Nuri Fellah"),
        response=Invitation.Response.ALTERNATE,
        alternate=colleague,
    )

    assert [p.full_name for p in people_holding_meeting(meeting)] == [
        "Nuri Fellah",
        "Samir Haddad",
    ]


def test_read_by_id_without_joining_the_directory_to_the_invitations(db, django_assert_num_queries):
    meeting = MeetingFactory()
    for _ in range(5):
        InvitationFactory(
            meeting=meeting, response=Invitation.Response.ALTERNATE, alternate=PersonFactory()
        )

    with django_assert_num_queries(2) as captured:
        people = list(people_holding_meeting(meeting))

    assert len(people) == 10
    person_query = captured.captured_queries[1]["sql"]
    assert "JOIN" not in person_query.upper()
    assert "meetings_invitation" not in person_query
