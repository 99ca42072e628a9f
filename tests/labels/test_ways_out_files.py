"""Confidentiality labels in the files the portal hands out: the meeting pack (its text
read back with pypdf) and the CSV exports (read with the csv module, strict). The
members' pack is one file for every member, so it has no restricted row whichever
organisation the row names, and no decision before the minutes are published; the
managers' pack has everything. Exports list what the funnels show the reader."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from groups.services import confidentiality_set
from meetings import pack
from meetings.audience import pack_audience_of
from meetings.models import Meeting, MeetingPack
from meetings.selectors import meeting_detail
from meetings.services import (
    action_point_create,
    attendance_record,
    decision_add,
    meeting_mark_held,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from tests.labels.outbound import (
    CLOSED_ITEM,
    CLOSED_TITLE,
    MEMBERS,
    OPEN_ITEMS,
    PUBLIC,
    RESTRICTED,
    RESTRICTED_ITEM,
    csv_rows,
    scene,
)
from tests.pages.conftest import login, streamed

pytestmark = pytest.mark.django_db
MANAGERS = MeetingPack.Audience.MANAGERS
DECISIONS = {"members": "Adopt the referral pathway", "restricted": "Share the border figures"}
ACTIONS = {"members": "Draft the pathway note", "restricted": "Verify the border figures"}
EVERY_RESTRICTED = [RESTRICTED_ITEM, DECISIONS["restricted"], ACTIONS["restricted"]]


def _text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return "\n".join(page.extract_text() for page in pages)


@pytest.fixture
def held(cast):
    """The scene's meetings, held three days ago; the open one with a decision and an
    action point of each label (the restricted decision names the Ministry of Health,
    the restricted action point the Ministry of Foreign Affairs) and draft minutes."""
    world = scene(cast, start=timezone.now() - dt.timedelta(days=3), record_past=True)
    meeting = meeting_mark_held(meeting=world.open, by=None)
    decision_add(meeting=meeting, text=DECISIONS["members"], confidentiality=MEMBERS, by=None)
    decision_add(
        meeting=meeting,
        text=DECISIONS["restricted"],
        confidentiality=RESTRICTED,
        restricted_to=[cast.moh],
        by=None,
    )
    due = timezone.localdate() + dt.timedelta(days=30)
    action_point_create(
        meeting=meeting,
        title=ACTIONS["members"],
        owner_organisation=cast.moh,
        due_on=due,
        confidentiality=MEMBERS,
        by=None,
    )
    action_point_create(
        meeting=meeting,
        title=ACTIONS["restricted"],
        owner_organisation=cast.iom,
        due_on=due,
        confidentiality=RESTRICTED,
        restricted_to=[cast.mofa],
        by=None,
    )
    minutes_save(meeting=meeting, body="The group met.", confidentiality=MEMBERS, by=None)
    closed = meeting_mark_held(meeting=world.closed, by=None)
    return meeting, closed


def _publish(meeting):
    minutes = meeting.minutes
    minutes_approve(minutes=minutes, by=None)
    minutes_publish(minutes=minutes, by=None)


@pytest.fixture
def pack_download(client, settings, tmp_path, django_capture_on_commit_callbacks):
    """GET a meeting's pack as the signed-in reader, its build run when the request
    commits, the stored file in the test's own folder (as tests/pages does)."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def download(meeting):
        url = reverse("meeting-pack", args=[meeting.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url)
        if response.status_code == 202:
            response = client.get(url)
        return response

    return download


def _loaded(meeting) -> Meeting:
    return meeting_detail(queryset=Meeting.objects.filter(pk=meeting.pk)).get()


# --- The meeting pack ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member", "observer"])
def test_the_members_pack_has_no_restricted_row_and_no_decision_before_the_minutes(
    client, cast, held, pack_download, persona
):
    meeting, _closed = held
    login(client, cast, persona)

    text = _text(streamed(pack_download(meeting)))

    assert [title for title in OPEN_ITEMS.values() if title in text] == list(OPEN_ITEMS.values())
    assert ACTIONS["members"] in text
    # Not even the member, whose ministry the restricted decision names: the pack is
    # one file for every member.
    assert [word for word in EVERY_RESTRICTED if word in text] == []
    assert DECISIONS["members"] not in text
    assert "The group met." not in text
    (stored,) = MeetingPack.objects.filter(meeting=meeting)
    assert stored.audience == MeetingPack.Audience.MEMBERS


def test_the_members_pack_has_the_members_decisions_once_the_minutes_are_published(
    client, cast, held, pack_download
):
    meeting, _closed = held
    _publish(meeting)
    login(client, cast, "observer")

    text = _text(streamed(pack_download(meeting)))

    assert DECISIONS["members"] in text
    assert "The group met." in text
    assert [word for word in EVERY_RESTRICTED if word in text] == []


def test_the_managers_pack_has_every_row(cast, held):
    meeting, _closed = held
    loaded = _loaded(meeting)

    text = _text(pack.meeting_pack_pdf(loaded, minutes=loaded.minutes, audience=MANAGERS))

    for word in [*OPEN_ITEMS.values(), *DECISIONS.values(), *ACTIONS.values()]:
        assert word in text
    assert RESTRICTED_ITEM in text
    assert "The group met." in text
    assert pack_audience_of(cast.chair, meeting) == MANAGERS
    assert pack_audience_of(cast.secretariat, meeting) == MANAGERS
    assert pack_audience_of(cast.member, meeting) == MeetingPack.Audience.MEMBERS


def test_a_chair_reading_draft_minutes_gets_the_managers_pack(client, cast, held, pack_download):
    meeting, _closed = held
    login(client, cast, "chair")

    text = _text(streamed(pack_download(meeting)))

    assert "The group met." in text
    for word in EVERY_RESTRICTED:
        assert word in text


@pytest.mark.parametrize("persona", ["observer", "outsider"])
def test_a_restricted_meetings_pack_is_not_served_to_those_it_does_not_name(
    client, cast, held, persona
):
    _meeting, closed = held
    login(client, cast, persona)

    response = client.get(reverse("meeting-pack", args=[closed.pk]))

    assert response.status_code == 404
    assert not MeetingPack.objects.filter(meeting=closed).exists()
    assert CLOSED_TITLE not in response.content.decode()


def test_a_restricted_meetings_pack_reaches_the_organisation_it_names(
    client, cast, held, pack_download
):
    _meeting, closed = held
    login(client, cast, "member")

    text = _text(streamed(pack_download(closed)))

    assert CLOSED_TITLE in text
    # Its agenda item took the meeting's label: for the managers' pack only.
    assert CLOSED_ITEM not in text


def test_a_label_change_makes_a_new_version_of_either_pack(cast, held):
    meeting, _closed = held
    item = meeting.agenda_items.get(title=OPEN_ITEMS["members"])

    def keys():
        loaded = _loaded(meeting)
        return {
            audience: pack.meeting_pack_version(
                loaded, minutes=None, language="en", audience=audience
            ).key
            for audience in MeetingPack.Audience.values
        }

    before, again = keys(), keys()
    # Members to public changes no word of either pack, but it is a new version.
    confidentiality_set(record=item, confidentiality=PUBLIC, by=None)
    after = keys()

    assert before == again
    for audience in MeetingPack.Audience.values:
        assert after[audience] != before[audience]


# --- CSV exports -----------------------------------------------------------------------


def _action_point_titles(client, cast, persona) -> list[str]:
    login(client, cast, persona)
    response = client.get(reverse("action-point-csv"))
    assert response.status_code == 200
    header, *rows = csv_rows(response.content)
    assert header[0] == "Action"
    return sorted(row[0] for row in rows)


ACTION_POINTS_LISTED = {
    "chair": sorted(ACTIONS.values()),
    # The co-chair's organisation owns the restricted one.
    "cochair": sorted(ACTIONS.values()),
    "member": [ACTIONS["members"]],
    "observer": [ACTIONS["members"]],
}


@pytest.mark.parametrize("persona", sorted(ACTION_POINTS_LISTED))
def test_the_action_point_export_lists_only_what_its_reader_may_see(client, cast, held, persona):
    assert _action_point_titles(client, cast, persona) == ACTION_POINTS_LISTED[persona]


def test_the_action_point_export_leaves_out_a_restricted_meetings_points(client, cast, held):
    _meeting, closed = held
    action_point_create(
        meeting=closed,
        title="Collect the district returns",
        owner_organisation=cast.mofa,
        due_on=timezone.localdate() + dt.timedelta(days=5),
        by=None,
    )

    assert "Collect the district returns" in _action_point_titles(client, cast, "member")
    assert "Collect the district returns" not in _action_point_titles(client, cast, "observer")
    assert "Collect the district returns" not in _action_point_titles(client, cast, "outsider")


@pytest.mark.parametrize(("persona", "status"), [("member", 200), ("observer", 404)])
def test_the_attendance_export_of_a_restricted_meeting(client, cast, held, persona, status):
    _meeting, closed = held
    attendance_record(meeting=closed, person=cast.member_person, by=None)
    login(client, cast, persona)

    response = client.get(reverse("meeting-attendance-csv", args=[closed.pk]))

    assert response.status_code == status
    if status == 200:
        header, *rows = csv_rows(response.content)
        assert header[:2] == ["Organisation", "Name"]
        assert "Amina Health" in [row[1] for row in rows]
    else:
        assert "Amina Health" not in response.content.decode()
        assert CLOSED_TITLE not in response.content.decode()
