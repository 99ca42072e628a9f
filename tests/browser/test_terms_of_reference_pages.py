"""The terms of reference panel, its edit page and the reason for short notice: no serious
axe-core violation, in English and Arabic, and the short-notice call works in a browser."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from groups.services import group_update
from meetings.models import Meeting
from meetings.services import invitations_create_for_group, meeting_create
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
BLOCKING = {"serious", "critical"}
REASON = "The minister's visit was moved forward"


@pytest.fixture
def short_notice_draft(live_cast):
    """The Migration Working Group's terms (its sub-groups follow them), and a draft of the
    health sub-group three days ahead: inside the 14 days' notice."""
    cast = live_cast
    group_update(
        group=cast.mwg,
        reference_code="MWG",
        mandate="To coordinate strategy and policies on migration.",
        mandate_ar="تنسيق الاستراتيجيات والسياسات في مجال الهجرة.",
        endorsed_by="Senior Policy Committee",
        endorsed_on=dt.date(2017, 7, 18),
        notice_period_days=14,
        quorum_rule="share",
        quorum_value=50,
        usual_duration_minutes=120,
        usual_venue="Ministry of Planning, Tripoli",
        rhythm="monthly",
        by=cast.secretariat,
    )
    start = timezone.now() + dt.timedelta(days=3)
    meeting = meeting_create(
        group=cast.health,
        title="Health sub-group: urgent referral review",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
    )
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    return meeting


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_terms_pages_have_no_serious_violations(
    page, live_cast, short_notice_draft, shoot, language
):
    cast = live_cast
    axe = Axe()
    sign_in(page, "chair", language)
    pages = {
        "group-terms": f"/groups/{cast.health.pk}/",
        "terms-form": f"/groups/{cast.health.pk}/terms/",
        "short-notice-preview": f"/meetings/{short_notice_draft.pk}/schedule/preview/",
    }
    found = {}
    for name, url in pages.items():
        page.goto(url)
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        found[name] = axe.run(page).response["violations"]
        shoot(page, f"{language}-axe-{name}")
    blocking = {
        name: [(v["id"], v["help"]) for v in violations if v["impact"] in BLOCKING]
        for name, violations in found.items()
    }
    assert {name: v for name, v in blocking.items() if v} == {}


def test_the_chair_calls_the_meeting_at_short_notice_from_the_preview(
    page, live_cast, short_notice_draft
):
    sign_in(page, "chair")
    page.goto(f"/meetings/{short_notice_draft.pk}/schedule/preview/")
    page.locator("#id_short_notice_reason").fill(REASON)
    page.locator("#schedule-confirm button[type=submit]").click()
    page.wait_for_url(f"**/meetings/{short_notice_draft.pk}/")

    assert page.locator(".badge.short-notice").is_visible()
    meeting = Meeting.objects.get(pk=short_notice_draft.pk)
    assert (meeting.status, meeting.short_notice_reason) == ("scheduled", REASON)
