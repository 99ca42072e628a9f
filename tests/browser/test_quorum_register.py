"""The quorum, live, in a real browser: ticking people in the register updates the quorum
panel (htmx, out of band) until it says the quorum is met; how someone attended is
changed in place."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.services import group_update
from meetings.models import Attendance
from meetings.services import invitations_create_for_group, meeting_create, meeting_mark_held
from tests.browser.conftest import htmx_settled, sign_in

pytestmark = pytest.mark.browser


def test_ticking_member_organisations_until_the_quorum_is_met(page, live_cast, shoot):
    cast = live_cast
    group_update(group=cast.mwg, quorum_rule="count", quorum_value=2, by=None)
    start = timezone.now() - dt.timedelta(minutes=30)
    meeting = meeting_create(
        group=cast.mwg,
        title="MWG monthly meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        record_past=True,
        by=None,
    )
    invitations_create_for_group(meeting=meeting, by=None)
    meeting = meeting_mark_held(meeting=meeting, by=None)

    sign_in(page, "secretariat")
    page.goto(f"/meetings/{meeting.pk}/attendance/")
    quorum = page.locator("#quorum")
    expect(quorum).to_contain_text("Member organisations present: 0 of 3; quorum 2 — not met")

    page.get_by_role("button", name="Mark present — Amina Health").click()
    expect(quorum).to_contain_text("present: 1 of 3; quorum 2 — not met: 1 more needed.")
    # An observer in the room does not count.
    page.get_by_role("button", name="Mark present — Marco Observer").click()
    expect(page.get_by_role("button", name="✓ Present — Marco Observer")).to_be_visible()
    expect(quorum).to_contain_text("present: 1 of 3;")

    page.get_by_role("button", name="Mark present — Jaalal Alashi").click()
    expect(quorum).to_contain_text("Member organisations present: 2 of 3; quorum 2 — met.")
    expect(quorum).to_contain_text("Ministry of Foreign Affairs (MoFA)")

    # How the member attended, changed in place: the choice is saved as it is made.
    saved = "**/attendance/*/details/"
    # The register was just drawn anew by the last tick: a select htmx has not yet
    # processed would change without saving.
    htmx_settled(page)
    with page.expect_response(saved):
        page.get_by_label("How Amina Health attended").select_option("online")
    expect(page.get_by_label("How Amina Health attended")).to_have_value("online")
    interpretation = page.get_by_label("Interpretation for Amina Health")
    interpretation.focus()
    htmx_settled(page)
    with page.expect_response(saved):
        interpretation.select_option("ar")
    expect(page.get_by_label("Interpretation for Amina Health")).to_have_value("ar")
    # The register was drawn anew around the choice: the focus stays where it was.
    expect(page.get_by_label("Interpretation for Amina Health")).to_be_focused()
    shoot(page, "en-attendance-quorum")
    line = Attendance.objects.get(meeting=meeting, person=cast.member_person)
    assert (line.mode, line.interpretation) == ("online", "ar")

    page.get_by_role("button", name="✓ Present — Jaalal Alashi").click()
    expect(quorum).to_contain_text("present: 1 of 3; quorum 2 — not met: 1 more needed.")
