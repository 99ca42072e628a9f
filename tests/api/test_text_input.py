"""Single-line fields refuse control and bidirectional formatting characters, long text
loses its NUL, and a NUL anywhere in a query or form is a 400, never a 500."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Invitation, Meeting
from meetings.services import invitation_create, invitation_respond, meeting_create
from tests.api.conftest import fingerprint

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
START = "2030-03-04T10:00:00Z"
END = "2030-03-04T12:00:00Z"


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("Plenary\r\nBcc: everyone@example.org", "U+000D"),
        ("Plenary\nsecond line", "U+000A"),
        ("Review of \u202egnp.exe", "U+202E"),
        ("Isolated \u2066text", "U+2066"),
        ("Tab\tinside", "U+0009"),
        ("Bell\x07", "U+0007"),
    ],
)
def test_the_api_refuses_a_title_with_a_control_or_bidi_character(client_for, cast, title, code):
    before = fingerprint()
    response = client_for("secretariat").post(
        f"{V1}/meetings/",
        {"group": cast.mwg.pk, "title": title, "start_at": START, "end_at": END},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert code in response.json()["errors"]["title"][0]
    assert fingerprint() == before


def test_arabic_marks_stay_allowed(client_for, cast):
    title = "اجتماع \u200fMWG\u200f العام"
    response = client_for("secretariat").post(
        f"{V1}/meetings/",
        {"group": cast.mwg.pk, "title": title, "start_at": START, "end_at": END},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Meeting.objects.get().title == title


def test_the_meeting_form_names_the_refused_character(client, cast):
    client.force_login(cast.secretariat)
    response = client.post(
        reverse("meeting-create"),
        {
            "group": cast.mwg.pk,
            "title": "Plenary \u202eevil",
            "kind": Meeting.Kind.REGULAR,
            "start_at": "2030-03-04T10:00",
            "end_at": "2030-03-04T12:00",
            "time_zone": "Africa/Tripoli",
        },
    )
    assert response.status_code == 200
    assert "U+202E" in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "path", ["/directory/?q=a%00b", "/directory/people/?q=%00", "/meetings/?group=%00"]
)
def test_a_nul_in_a_query_is_a_400_naming_the_field(client, cast, path):
    client.force_login(cast.member)
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_an_api_query_is_a_400_naming_the_field(client_for):
    response = client_for("member").get(f"{V1}/meetings/?status=%00")
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_a_nul_in_an_answer_note_is_refused_and_nothing_changes(client, cast):
    start = timezone.now() + dt.timedelta(days=5)
    meeting = meeting_create(
        group=cast.mwg,
        title="Plenary",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
    )
    invitation = invitation_create(meeting=meeting, person=cast.member_person, by=None)
    client.force_login(cast.member)
    before = fingerprint()
    response = client.post(
        reverse("invitation-respond", args=[invitation.pk]),
        {"response": Invitation.Response.ACCEPTED, "note": "fine\x00"},
    )
    assert response.status_code == 400
    assert fingerprint() == before


def test_long_text_written_by_a_service_loses_its_nul(cast):
    start = timezone.now() + dt.timedelta(days=5)
    meeting = meeting_create(
        group=cast.mwg,
        title="Plenary",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
    )
    from meetings.services import meeting_schedule

    invitation = invitation_create(meeting=meeting, person=cast.member_person, by=None)
    meeting_schedule(meeting=meeting, by=None)
    invitation_respond(
        invitation=invitation,
        response=Invitation.Response.ACCEPTED,
        note="see\x00 you\nin Tripoli",
        by=None,
    )
    invitation.refresh_from_db()
    assert invitation.response_note == "see you\nin Tripoli"
