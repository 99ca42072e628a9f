"""What the portal's calendars say, as an independent reader takes them: ical.js, the
library Thunderbird and Nextcloud read calendars with (tests/js/)."""

import datetime as dt
import json
import os
import shutil
import subprocess
import zoneinfo
from pathlib import Path

import pytest
from django.utils import timezone

from meetings.services import invitation_create, meeting_create, meeting_schedule
from notices.calendar import feed_calendar, invitation_calendar

pytestmark = pytest.mark.django_db
READERS = Path(__file__).resolve().parents[1] / "js"
ROME = zoneinfo.ZoneInfo("Europe/Rome")


def read_with_ical_js(body: bytes, *, script: str = "read_ics.mjs") -> list[dict]:
    node = shutil.which("node")
    if node is None or not (READERS / "node_modules" / "ical.js").exists():
        if os.environ.get("CI"):
            pytest.fail("CI must provide node and `npm ci --prefix tests/js` (see .ci/run)")
        pytest.skip("node or tests/js/node_modules missing: npm ci --prefix tests/js")
    result = subprocess.run(  # noqa: S603 - our own reader script, fixed arguments
        [node, str(READERS / script)],
        input=body,
        capture_output=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def _rome_meeting(cast, title: str, day: dt.date):
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=ROME)
    meeting = meeting_create(
        group=cast.mwg,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        time_zone="Europe/Rome",
        by=None,
    )
    invitation_create(meeting=meeting, person=cast.member_person, by=None)
    return meeting_schedule(meeting=meeting, by=None)


def test_meetings_over_several_years_land_at_their_hour_in_ical_js(cast):
    year = timezone.localdate().year
    days = [dt.date(year + 1, 1, 20), dt.date(year + 1, 6, 15), dt.date(year + 2, 7, 14)]
    meetings = [_rome_meeting(cast, f"Meeting {day}", day) for day in days]

    events = read_with_ical_js(feed_calendar(meetings, name="Feed"))

    starts = {event["uid"]: event["start"] for event in events}
    assert starts == {
        meeting.calendar_uid: meeting.start_at.astimezone(dt.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
        for meeting in meetings
    }


def test_an_invitation_reads_the_same_in_ical_js(cast):
    meeting = _rome_meeting(cast, "Rome consultation", timezone.localdate() + dt.timedelta(days=30))

    (event,) = read_with_ical_js(invitation_calendar(meeting, meeting.invitations.all()))

    assert event["uid"] == meeting.calendar_uid
    assert event["summary"] == f"{meeting.reference} Migration Working Group: Rome consultation"
    assert event["end"] == meeting.end_at.astimezone(dt.UTC).isoformat(
        timespec="milliseconds"
    ).replace("+00:00", "Z")
