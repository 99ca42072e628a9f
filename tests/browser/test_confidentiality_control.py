"""A meeting's label changed in a real browser: the organisations to name show only with
"restricted" (static/js/confidentiality.js), and the change is saved with its trail."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import ConfidentialityChange
from meetings.models import Meeting
from meetings.services import meeting_create
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_organisations_show_only_with_restricted_and_the_change_is_saved(
    page, live_cast, shoot
):
    cast = live_cast
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    start = timezone.now() + dt.timedelta(days=30)
    meeting = meeting_create(
        group=cast.mwg,
        title="MWG: funding of returns",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
    )
    sign_in(page, "chair")
    page.goto(f"/meetings/{meeting.pk}/")
    page.locator("h1 a.badge").click()

    organisations = page.locator("#id_restricted_to")
    expect(organisations).to_be_hidden()
    page.locator("#id_confidentiality").select_option("restricted")
    expect(organisations).to_be_visible()
    organisations.select_option([str(cast.iom.pk), str(cast.mofa.pk)])
    page.get_by_role("button", name="Save").click()

    expect(page.locator("h1")).to_contain_text("Restricted")
    shoot(page, "en-restricted-meeting")
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.confidentiality == "restricted"
    assert set(meeting.restricted_to.all()) == {cast.iom, cast.mofa}
    assert ConfidentialityChange.objects.get().changed_by == cast.chair
    assert errors == []
