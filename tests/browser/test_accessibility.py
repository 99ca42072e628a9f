"""axe-core finds no serious or critical violation on the main pages, in English and Arabic."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from meetings.services import (
    action_point_create,
    agenda_item_add,
    invitations_create_for_group,
    meeting_create,
    meeting_mark_held,
    minutes_save,
)
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
BLOCKING = {"serious", "critical"}


@pytest.fixture
def held_meeting(live_cast):
    cast = live_cast
    start = timezone.now() - dt.timedelta(hours=3)
    meeting = meeting_create(
        group=cast.health,
        title="Health sub-group launch",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
        record_past=True,
    )
    agenda_item_add(meeting=meeting, title="Welcome", by=cast.secretariat)
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    meeting_mark_held(meeting=meeting, by=cast.secretariat)
    minutes_save(meeting=meeting, body="The sub-group met.", by=cast.secretariat)
    action_point_create(
        meeting=meeting,
        title="Draft the referral pathway",
        owner_organisation=cast.moh,
        due_on=timezone.localdate(),
        by=cast.secretariat,
    )
    return meeting


@pytest.fixture
def draft_meeting(live_cast):
    """A draft with an agenda and the group invited: the agenda's controls and the preview
    before scheduling."""
    cast = live_cast
    start = timezone.now() + dt.timedelta(days=30)
    meeting = meeting_create(
        group=cast.health,
        title="Health sub-group review",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=cast.secretariat,
    )
    for title in ("Welcome", "Referral pathway"):
        agenda_item_add(meeting=meeting, title=title, duration_minutes=40, by=cast.secretariat)
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    return meeting


@pytest.mark.parametrize("language", ["en", "ar"])
def test_main_pages_have_no_serious_violations(
    page, live_cast, held_meeting, draft_meeting, shoot, language
):
    cast = live_cast
    item = draft_meeting.agenda_items.first()
    axe = Axe()
    page.goto("/accounts/login/")
    if language != "en":
        page.locator(f'.language-switch button[value="{language}"]').click()
    pages = {"sign-in": None}
    found = {"sign-in": axe.run(page).response["violations"]}
    sign_in(page, "secretariat", language)
    pages = {
        "dashboard": "/",
        "meetings": "/meetings/",
        "meeting": f"/meetings/{held_meeting.pk}/",
        "meeting-form": f"/meetings/new/?group={cast.health.pk}",
        "invitations": f"/meetings/{held_meeting.pk}/invitations/",
        "attendance": f"/meetings/{held_meeting.pk}/attendance/",
        # The walk-in form with a search's matches (shown as without script).
        "attendance-walk-in": f"/meetings/{held_meeting.pk}/attendance/?q=a",
        "minutes": f"/meetings/{held_meeting.pk}/minutes/",
        "action-points": "/action-points/",
        "groups": "/groups/",
        "group": f"/groups/{cast.mwg.pk}/",
        "directory": "/directory/people/",
        "calendar": "/calendar/",
        "draft-meeting": f"/meetings/{draft_meeting.pk}/",
        "schedule-preview": f"/meetings/{draft_meeting.pk}/schedule/preview/",
        "agenda-item-edit": f"/meetings/{draft_meeting.pk}/agenda/{item.pk}/edit/",
        "agenda-item-remove": f"/meetings/{draft_meeting.pk}/agenda/{item.pk}/remove/",
    }
    for name, url in pages.items():
        page.goto(url)
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        found[name] = axe.run(page).response["violations"]
        shoot(page, f"{language}-axe-{name}")
    blocking = {
        name: [
            (violation["id"], violation["help"])
            for violation in violations
            if violation["impact"] in BLOCKING
        ]
        for name, violations in found.items()
    }
    assert {name: v for name, v in blocking.items() if v} == {}
