"""A meeting's invitations and register read as lines (meetings.selectors.invitation_lines,
register_lines): one query each, naming people and organisations as the model rows do."""

import pytest
from django.utils import translation

from meetings.models import Attendance, AttendanceMode, Invitation
from meetings.selectors import invitation_lines, register_lines
from portal.pages import local_name
from tests.factories import InvitationFactory, MeetingFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _named(named) -> tuple:
    return (
        None if named is None else named.pk,
        "" if named is None else str(named),
        local_name(named),
        local_name(named, bare=True),
    )


@pytest.fixture
def meeting():
    meeting = MeetingFactory(calendar_uid="lines@test.local")
    ministry = OrganisationFactory(name="Ministry of Health", name_ar="وزارة الصحة", acronym="MoH")
    embassy = OrganisationFactory(name="Embassy <of> Italy", acronym="")
    huda = PersonFactory(
        full_name="Huda Elmaghrabi", full_name_ar="هدى المغربي", organisation=ministry
    )
    khaled = PersonFactory(full_name="Khaled Shibani", organisation=ministry)
    giulia = PersonFactory(full_name="Giulia & Romano", organisation=embassy)
    walk_in = PersonFactory(full_name="Laurence Hart", organisation=None)
    InvitationFactory(meeting=meeting, person=giulia, response=Invitation.Response.ACCEPTED)
    InvitationFactory(
        meeting=meeting,
        person=khaled,
        response=Invitation.Response.ALTERNATE,
        alternate=huda,
        response_note="Dr Elmaghrabi attends.",
    )
    InvitationFactory(meeting=meeting, person=walk_in, organisation=None)
    Attendance.objects.create(meeting=meeting, person=huda, organisation=ministry)
    Attendance.objects.create(
        meeting=meeting, person=walk_in, mode=AttendanceMode.ONLINE, interpretation="ar"
    )
    return meeting


def _invitation(invitation) -> tuple:
    """What an invitation line and an invitation row must agree on."""
    return (
        invitation.pk,
        invitation.meeting_id,
        invitation.person_id,
        invitation.organisation_id,
        invitation.response,
        invitation.response_note,
        invitation.person.user_id,
        _named(invitation.person),
        _named(invitation.organisation),
        _named(invitation.alternate),
    )


def _register_line(line) -> tuple:
    """What a register line and an attendance row must agree on."""
    return (
        line.person_id,
        line.organisation_id,
        line.mode,
        line.interpretation,
        line.person.position,
        _named(line.person),
        _named(line.organisation),
    )


@pytest.mark.parametrize("language", ["en", "ar", "fr"])
def test_invitation_lines_name_everyone_as_the_rows_do(
    meeting, language, django_assert_num_queries
):
    with django_assert_num_queries(1):
        lines = invitation_lines(meeting)
    rows = (
        Invitation.objects.filter(meeting=meeting)
        .select_related("person", "organisation", "alternate")
        .order_by("person__full_name", "pk")
    )

    with translation.override(language):
        assert [_invitation(line) for line in lines] == [_invitation(row) for row in rows]
    assert [line.person.full_name for line in lines] == [
        "Giulia & Romano",
        "Khaled Shibani",
        "Laurence Hart",
    ]


@pytest.mark.parametrize("language", ["en", "ar", "fr"])
def test_register_lines_name_everyone_as_the_rows_do(meeting, language, django_assert_num_queries):
    with django_assert_num_queries(1):
        lines = register_lines(meeting)
    rows = (
        Attendance.objects.filter(meeting=meeting)
        .select_related("person", "organisation")
        .order_by("organisation__name", "person__full_name", "pk")
    )

    with translation.override(language):
        assert [_register_line(line) for line in lines] == [_register_line(row) for row in rows]
    assert sum(line.organisation is None for line in lines) == 1  # the walk-in
