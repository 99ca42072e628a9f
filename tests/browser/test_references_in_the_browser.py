"""A reference in a real browser: found by the meetings list's search, and read whole,
left to right, on an Arabic page."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import CoordinationGroup
from meetings.services import decision_add, meeting_create, meeting_mark_held, meeting_schedule
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_meetings_list_finds_a_meeting_by_its_reference(page, live_cast, shoot):
    cast = live_cast
    CoordinationGroup.objects.filter(pk=cast.mwg.pk).update(reference_code="MWG")
    cast.mwg.refresh_from_db()
    start = timezone.now() + dt.timedelta(days=20)
    titles = ("Quarterly meeting", "Extraordinary meeting")
    meetings = [
        meeting_schedule(
            meeting=meeting_create(
                group=cast.mwg,
                title=title,
                start_at=start + dt.timedelta(days=n),
                end_at=start + dt.timedelta(days=n, hours=2),
                by=None,
            ),
            by=None,
        )
        for n, title in enumerate(titles)
    ]

    sign_in(page, "secretariat")
    page.goto("/meetings/")
    page.get_by_label("Title or reference").fill(meetings[1].reference)
    page.get_by_role("button", name="Filter").click()

    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(meetings[1].reference)
    expect(rows.first).to_contain_text("Extraordinary meeting")
    shoot(page, "references-meetings-list")


def test_an_arabic_page_shows_the_reference_whole_and_left_to_right(page, live_cast, shoot):
    cast = live_cast
    CoordinationGroup.objects.filter(pk=cast.mwg.pk).update(reference_code="MWG")
    cast.mwg.refresh_from_db()
    start = timezone.now() - dt.timedelta(hours=3)
    held = meeting_mark_held(
        meeting=meeting_create(
            group=cast.mwg,
            title="اجتماع مجموعة عمل الهجرة",
            start_at=start,
            end_at=start + dt.timedelta(hours=2),
            record_past=True,
            by=None,
        ),
        by=None,
    )
    decision_add(meeting=held, text="اعتماد خطة العمل.", by=None)

    sign_in(page, "secretariat", language="ar")
    page.goto(f"/meetings/{held.pk}/")

    heading = page.locator("h1 .reference")
    expect(heading).to_have_text(held.reference)
    decision = page.locator("ol.decisions .reference")
    expect(decision).to_have_text(f"{held.reference}/D1")
    # Isolated left to right inside the right-to-left page: the year stays in the middle.
    assert heading.evaluate("element => getComputedStyle(element).direction") == "ltr"
    assert page.evaluate("document.documentElement.dir") == "rtl"
    shoot(page, "references-meeting-arabic")
