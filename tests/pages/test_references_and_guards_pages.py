"""References on the pages (meeting, lists, dashboard, calendar, minutes, action points,
the pack and the export), the meetings list's search, and the date guards as the pages
meet them: a form error or a message, and nothing changed."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from meetings.models import Meeting
from meetings.services import decision_add, meeting_create, meeting_schedule
from notices.models import Notice
from tests.pages.conftest import login, streamed

pytestmark = pytest.mark.django_db


def _decided(held):
    decision_add(meeting=held, text="Adopt the referral pathway.", by=None)
    decision_add(meeting=held, text="Report back in a month.", by=None)
    held.refresh_from_db()
    return held


def _state(meeting: Meeting) -> tuple:
    meeting = Meeting.objects.get(pk=meeting.pk)
    return (
        meeting.status,
        meeting.title,
        meeting.start_at,
        meeting.end_at,
        meeting.sequence,
        meeting.reference,
        meeting.history.count(),
        Notice.objects.filter(meeting=meeting).count(),
    )


def _form_data(meeting: Meeting, start: dt.datetime, **overrides) -> dict:
    local = timezone.localtime(start, meeting.zone)
    data = {
        "group": meeting.group_id,
        "title": meeting.title,
        "kind": meeting.kind,
        "start_at": local.strftime("%Y-%m-%dT%H:%M"),
        "end_at": (local + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "time_zone": meeting.time_zone,
        "venue": meeting.venue,
        "online_url": "",
        "description": "",
        "form_token": "references-1",
    }
    data.update(overrides)
    return data


def test_the_meeting_page_shows_its_reference(client, cast, scheduled):
    login(client, cast, "member")

    page = client.get(reverse("meeting-detail", args=[scheduled.pk])).content.decode()

    assert scheduled.reference
    assert f'<bdi class="reference" dir="ltr">{scheduled.reference}</bdi>' in page


def test_a_draft_shows_no_reference(client, cast, draft):
    login(client, cast, "secretariat")

    page = client.get(reverse("meeting-detail", args=[draft.pk])).content.decode()

    assert 'class="reference"' not in page


def test_decisions_show_their_references_on_the_meeting_and_minutes_pages(client, cast, held):
    held = _decided(held)
    login(client, cast, "secretariat")

    for name in ("meeting-detail", "meeting-minutes"):
        page = client.get(reverse(name, args=[held.pk])).content.decode()
        assert f"{held.reference}/D1" in page, name
        assert f"{held.reference}/D2" in page, name


def test_the_meetings_list_shows_references_and_finds_one(client, cast, scheduled, held):
    login(client, cast, "secretariat")
    url = reverse("meeting-list")

    everything = client.get(url).content.decode()
    found = client.get(url, {"q": scheduled.reference}).content.decode()
    by_title = client.get(url, {"q": "LAUNCH health"}).content.decode()

    assert scheduled.reference in everything
    assert held.reference in everything
    assert scheduled.title in found
    assert held.title not in found
    assert held.title in by_title
    assert scheduled.title not in by_title


def test_the_meetings_list_search_keeps_its_queries_bounded(
    client, cast, scheduled, held, django_assert_max_num_queries
):
    login(client, cast, "secretariat")

    with django_assert_max_num_queries(12):
        response = client.get(reverse("meeting-list"), {"q": scheduled.reference})

    assert response.status_code == 200


def test_the_dashboard_and_the_calendar_show_the_reference(client, cast, scheduled):
    login(client, cast, "member")
    month = timezone.localtime(scheduled.start_at, scheduled.zone).strftime("%Y-%m")

    dashboard = client.get(reverse("dashboard")).content.decode()
    calendar = client.get(reverse("meeting-calendar"), {"month": month}).content.decode()

    assert scheduled.reference in dashboard
    assert scheduled.reference in calendar


def test_action_points_name_the_reference_of_their_meeting(client, cast, held):
    login(client, cast, "member")
    action_point = held.action_points.get()

    detail = client.get(reverse("action-point-detail", args=[action_point.pk])).content.decode()
    listing = client.get(reverse("action-point-list")).content.decode()
    export = client.get(reverse("action-point-csv")).content.decode("utf-8-sig")

    assert held.reference in detail
    assert held.reference in listing
    header, *rows = list(csv.reader(io.StringIO(export)))
    assert header[header.index("Meeting") + 1] == "Meeting reference"
    assert [row[header.index("Meeting reference")] for row in rows] == [held.reference]


def test_the_group_page_shows_the_references_of_its_meetings(client, cast, scheduled):
    login(client, cast, "secretariat")

    page = client.get(reverse("group-detail", args=[cast.health.pk])).content.decode()

    assert scheduled.reference in page


def test_the_pack_shows_the_meeting_and_decision_references(client, cast, held, pack_download):
    held = _decided(held)
    login(client, cast, "secretariat")

    response = pack_download(held)

    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(streamed(response))).pages
    )
    assert f"Reference: {held.reference}" in text
    assert f"{held.reference}/D1" in text
    assert f"{held.reference}/D2" in text


# --- The guards ---------------------------------------------------------------------


def test_the_new_meeting_form_refuses_a_start_in_the_past(client, cast):
    login(client, cast, "secretariat")
    before = Meeting.objects.count()
    template = Meeting(group=cast.health, title="Yesterday's meeting", venue="Tripoli")

    response = client.post(
        reverse("meeting-create"),
        _form_data(template, timezone.now() - dt.timedelta(days=1)),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["start_at"] == [
        "A new meeting cannot start in the past."
    ]
    assert Meeting.objects.count() == before


@pytest.mark.parametrize("fixture", ["draft", "scheduled"])
def test_the_edit_form_moves_no_meeting_into_the_past(request, client, cast, fixture):
    meeting = request.getfixturevalue(fixture)
    before = _state(meeting)
    login(client, cast, "secretariat")

    response = client.post(
        reverse("meeting-edit", args=[meeting.pk]),
        _form_data(meeting, timezone.now() - dt.timedelta(days=1)),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["start_at"] == [
        "A meeting cannot be moved into the past."
    ]
    assert "A meeting cannot be moved into the past." in response.content.decode()
    assert _state(meeting) == before


def test_the_held_button_refuses_a_meeting_not_started(client, cast, scheduled):
    before = _state(scheduled)
    login(client, cast, "secretariat")

    page = client.post(
        reverse("meeting-held", args=[scheduled.pk]), {"form_token": "held-1"}, follow=True
    )

    assert "A meeting cannot be held before it starts." in page.content.decode()
    assert _state(scheduled) == before


def test_mark_as_held_is_offered_once_the_meeting_has_begun(client, cast, scheduled, held):
    login(client, cast, "secretariat")
    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.SCHEDULED)

    to_come = client.get(reverse("meeting-detail", args=[scheduled.pk])).content.decode()
    begun = client.get(reverse("meeting-detail", args=[held.pk])).content.decode()

    assert reverse("meeting-held", args=[scheduled.pk]) not in to_come
    assert reverse("meeting-held", args=[held.pk]) in begun


def test_a_meeting_scheduled_from_the_page_gets_its_reference(client, cast):
    start = timezone.now() + dt.timedelta(days=30)
    draft = meeting_create(
        group=cast.health,
        title="Next",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
    )
    other = meeting_schedule(
        meeting=meeting_create(
            group=cast.health,
            title="Earlier",
            start_at=start,
            end_at=start + dt.timedelta(hours=1),
            by=None,
        ),
        by=None,
    )
    login(client, cast, "secretariat")

    client.post(reverse("meeting-schedule", args=[draft.pk]), {"form_token": "schedule-1"})

    draft.refresh_from_db()
    year = timezone.localtime(start, draft.zone).year
    assert other.reference == f"G{cast.health.pk}/{year}/01"
    assert draft.reference == f"G{cast.health.pk}/{year}/02"
