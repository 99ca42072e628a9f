"""POST /api/v1/meetings/{id}/update-preview/: what a PATCH would send, before anything is
saved or sent; a PATCH with the preview's guard saves exactly that, or nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from meetings.models import Meeting
from meetings.services import (
    invitation_respond,
    invitations_create_for_group,
    meeting_create,
    meeting_schedule,
    meeting_update,
)
from members.models import Person
from members.services import person_create
from notices.models import Notice, Reminder
from notices.services import webhook_endpoint_register
from tests.api.conftest import SchemaCheckedClient, fingerprint
from tests.conftest import scheduled_plenary

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
NEW_VENUE = "Ministry of Interior, Tripoli"


def _api(cast, persona: str) -> SchemaCheckedClient:
    client = SchemaCheckedClient()
    if persona != "anonymous":
        client.force_authenticate(user=cast.user(persona))
    return client


@pytest.fixture
def plenary(cast):
    """The scheduled plenary; the member reads Arabic."""
    Person.objects.filter(pk=cast.member_person.pk).update(preferred_language="ar")
    return scheduled_plenary(cast)


def _told(meeting: Meeting) -> set[int]:
    return set(
        Notice.objects.filter(
            meeting=meeting, kind=Notice.Kind.UPDATE, channel="email"
        ).values_list("person_id", flat=True)
    )


def _preview(client, meeting: Meeting, body: dict):
    return client.post(f"{V1}/meetings/{meeting.pk}/update-preview/", body, format="json")


def test_the_preview_says_what_changes_and_whom_it_tells_and_saves_nothing(cast, plenary):
    webhook_endpoint_register(
        organisation=cast.moh, url="https://moh.example.org/hooks", by=cast.secretariat
    )
    before = fingerprint()
    notices = Notice.objects.count()

    response = _preview(_api(cast, "secretariat"), plenary, {"venue": NEW_VENUE})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["sends_update"] is True
    assert body["changes"] == [
        {"field": "venue", "before": "Ministry of Foreign Affairs, Tripoli", "after": NEW_VENUE}
    ]
    people = {person["full_name"] for group in body["invitees"] for person in group["people"]}
    assert {"Amina Health", "Jaalal Alashi", "Marco Observer"} <= people
    assert body["invitee_count"] == len(people)
    assert [o["name"] for o in body["webhook_organisations"]] == ["Ministry of Health"]
    assert [message["language"] for message in body["messages"]] == ["en", "ar"]
    assert all(NEW_VENUE in message["text"] for message in body["messages"])
    assert "تحديث" in body["messages"][1]["subject"]
    assert body["previewed_sequence"] == 0
    assert len(body["previewed_addressees"]) == 32
    assert fingerprint() == before
    assert Notice.objects.count() == notices


def test_a_patch_with_the_preview_s_guard_tells_exactly_those_previewed(cast, plenary):
    client = _api(cast, "secretariat")
    body = _preview(client, plenary, {"venue": NEW_VENUE}).json()
    previewed = {person["id"] for group in body["invitees"] for person in group["people"]}

    response = client.patch(
        f"{V1}/meetings/{plenary.pk}/",
        {
            "venue": NEW_VENUE,
            "previewed_sequence": body["previewed_sequence"],
            "previewed_addressees": body["previewed_addressees"],
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    plenary.refresh_from_db()
    assert (plenary.venue, plenary.sequence) == (NEW_VENUE, 1)
    assert _told(plenary) == previewed


@pytest.mark.parametrize(
    "overtaken_by", ["another update", "the same update, by someone else", "an alternate"]
)
def test_a_patch_whose_preview_was_overtaken_saves_nothing(cast, plenary, overtaken_by):
    client = _api(cast, "secretariat")
    body = _preview(client, plenary, {"venue": NEW_VENUE}).json()
    if overtaken_by == "another update":
        meeting_update(meeting=plenary, by=cast.chair, online_url="https://meet.example.org/m")
    elif overtaken_by == "the same update, by someone else":
        # Their update goes to the same people: the PATCH would now send nothing, and
        # must not answer as if the update previewed had gone out.
        meeting_update(
            meeting=plenary, by=cast.chair, venue=NEW_VENUE, online_url="https://meet.example.org/m"
        )
    else:
        deputy = person_create(
            full_name="Nadia Deputy", organisation=cast.moh, email="n@example.org", by=None
        )
        invitation_respond(
            invitation=plenary.invitations.get(person=cast.member_person),
            response="alternate",
            alternate=deputy,
            by=cast.member,
        )
    before = fingerprint()
    notices = (Notice.objects.count(), Reminder.objects.count())

    response = client.patch(
        f"{V1}/meetings/{plenary.pk}/",
        {
            "venue": NEW_VENUE,
            "previewed_sequence": body["previewed_sequence"],
            "previewed_addressees": body["previewed_addressees"],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "previewed_addressees" in response.json()["errors"]
    assert "Preview the change again" in response.json()["errors"]["previewed_addressees"][0]
    assert fingerprint() == before
    assert (Notice.objects.count(), Reminder.objects.count()) == notices


def test_half_a_guard_is_refused_by_name(cast, plenary):
    before = fingerprint()

    response = _api(cast, "secretariat").patch(
        f"{V1}/meetings/{plenary.pk}/", {"venue": NEW_VENUE, "previewed_sequence": 0}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["previewed_addressees"]
    assert fingerprint() == before


def test_a_change_that_tells_nobody_says_so_and_its_guard_saves_it(cast, plenary):
    client = _api(cast, "secretariat")
    change = {"title": "MWG: labour and returns"}
    body = _preview(client, plenary, change).json()

    assert body["sends_update"] is False
    assert body["changes"] == [
        {"field": "title", "before": "MWG: labour migration", "after": "MWG: labour and returns"}
    ]
    assert (body["invitees"], body["messages"], body["previewed_addressees"]) == ([], [], "")

    guard = {name: body[name] for name in ("previewed_sequence", "previewed_addressees")}
    response = client.patch(f"{V1}/meetings/{plenary.pk}/", {**change, **guard}, format="json")
    assert response.status_code == 200, response.content
    plenary.refresh_from_db()
    assert (plenary.title, plenary.sequence) == ("MWG: labour and returns", 0)
    assert _told(plenary) == set()


def test_a_change_previewed_as_quiet_is_refused_once_it_would_tell(cast):
    """A draft's venue changes quietly; scheduled in between, the same change would send
    an update nobody previewed."""
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=21)
    draft = meeting_create(
        group=cast.mwg,
        title="MWG: labour migration",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
    )
    invitations_create_for_group(meeting=draft, by=cast.secretariat)
    client = _api(cast, "secretariat")
    body = _preview(client, draft, {"venue": NEW_VENUE}).json()
    assert (body["sends_update"], body["previewed_addressees"]) == (False, "")
    meeting_schedule(meeting=draft, by=cast.secretariat)
    before = fingerprint()

    response = client.patch(
        f"{V1}/meetings/{draft.pk}/",
        {
            "venue": NEW_VENUE,
            "previewed_sequence": body["previewed_sequence"],
            "previewed_addressees": "",
        },
        format="json",
    )

    assert response.status_code == 400
    assert fingerprint() == before
    assert _told(draft) == set()


def test_a_move_is_listed_in_utc_as_the_resource_gives_it(cast, plenary):
    start = plenary.start_at + dt.timedelta(days=1)
    before = fingerprint()
    reminders = Reminder.objects.count()

    body = _preview(
        _api(cast, "secretariat"),
        plenary,
        {"start_at": start.isoformat(), "end_at": (start + dt.timedelta(hours=2)).isoformat()},
    ).json()

    assert [change["field"] for change in body["changes"]] == ["start_at", "end_at"]
    assert body["changes"][0]["after"] == start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # The move replans the reminders, in the trial only.
    assert Reminder.objects.count() == reminders
    assert fingerprint() == before


def test_a_change_the_patch_refuses_is_refused_alike(cast, plenary):
    before = fingerprint()
    yesterday = timezone.now() - dt.timedelta(days=1)

    response = _preview(
        _api(cast, "secretariat"),
        plenary,
        {
            "start_at": yesterday.isoformat(),
            "end_at": (yesterday + dt.timedelta(hours=1)).isoformat(),
        },
    )

    assert response.status_code == 400
    assert "start_at" in response.json()["errors"]
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("chair", 200),
        ("member", 403),
        ("observer", 403),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_only_those_who_may_change_the_meeting_preview_it(cast, plenary, persona, expected):
    before = fingerprint()

    response = _preview(_api(cast, persona), plenary, {"venue": NEW_VENUE})

    assert response.status_code == expected
    assert fingerprint() == before
