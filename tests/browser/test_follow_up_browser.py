"""In a real browser: an action point marked done in one click on a begun meeting's
"Review of open action points" (htmx swaps its row, the page stays), then a sub-group's
report accepted onto the agenda of the parent group's next meeting."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import ActionPoint, ReportBack
from meetings.services import (
    action_point_create,
    meeting_create,
    meeting_mark_held,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from tests.browser.conftest import htmx_settled, sign_in

pytestmark = pytest.mark.browser


def _meeting(group, title, days, *, held=False):
    start = timezone.now() + dt.timedelta(days=days)
    meeting = meeting_create(
        group=group,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        record_past=days < 0,
    )
    return meeting_mark_held(meeting=meeting, by=None) if held else meeting


def test_review_in_one_click_then_accept_a_report(page, live_cast, shoot):
    cast = live_cast
    first = _meeting(cast.mwg, "MWG 1", -30, held=True)
    point = action_point_create(
        meeting=first,
        title="Map the referral services",
        owner_organisation=cast.moh,
        due_on=timezone.localdate() - dt.timedelta(days=3),
        by=None,
    )
    # A meeting reviews once it has begun; a report goes to the group's next meeting.
    begun = _meeting(cast.mwg, "MWG 2", -0.01)
    later = _meeting(cast.mwg, "MWG 3", 10)
    health = _meeting(cast.health, "Health sub-group 1", -2, held=True)
    minutes = minutes_save(meeting=health, body="The health sub-group met.", by=None)
    minutes_publish(minutes=minutes_approve(minutes=minutes, by=None), by=None)

    sign_in(page, "chair")
    page.goto(f"/meetings/{begun.pk}/")
    row = page.locator(f"#review-{point.pk}")
    expect(row).to_contain_text("Overdue")
    row.get_by_role("button", name="Mark “Map the referral services” done").click()
    expect(row.locator(".badge.done").first).to_be_visible()
    htmx_settled(page)
    expect(page.locator(f"#review-{point.pk} .review-history")).to_contain_text("Done")
    assert page.url.endswith(f"/meetings/{begun.pk}/")
    assert ActionPoint.objects.get(pk=point.pk).status == "done"
    shoot(page, "en-follow-up-review")

    page.goto(f"/meetings/{later.pk}/")

    report = ReportBack.objects.get()
    proposals = page.locator("#proposed-reports")
    expect(proposals).to_contain_text(f"Report of the {cast.health.name}")
    page.locator(f"#report-back-{report.pk}").get_by_role("button", name="Accept").click()
    expect(page.locator("#agenda")).to_contain_text(f"Report of the {cast.health.name}")
    expect(page.locator("#proposed-reports")).to_have_count(0)
    report.refresh_from_db()
    assert report.status == "accepted"
    shoot(page, "en-follow-up-report-accepted")
