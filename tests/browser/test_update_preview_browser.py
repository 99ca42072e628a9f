"""In a real browser: a scheduled meeting moved to another place shows the update first
(in English, then in Arabic, right to left); "Change it again" keeps what was typed; only
"Save and send the update" saves and tells the invitees."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Meeting
from meetings.services import invitations_create_for_group, meeting_create, meeting_schedule
from members.models import Person
from notices.models import Notice
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
NEW_VENUE = "Ministry of Interior, Tripoli"


def _updates(meeting: Meeting) -> set[int]:
    return set(
        Notice.objects.filter(
            meeting=meeting, kind=Notice.Kind.UPDATE, channel="email"
        ).values_list("person_id", flat=True)
    )


def test_a_move_is_previewed_then_sent(page, live_cast, shoot):
    cast = live_cast
    Person.objects.filter(pk=cast.member_person.pk).update(preferred_language="ar")
    start = (timezone.localtime() + dt.timedelta(days=30)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    meeting = meeting_create(
        group=cast.mwg,
        title="Quarterly coordination meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        venue="Ministry of Foreign Affairs, Tripoli",
        by=cast.secretariat,
    )
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    meeting = meeting_schedule(meeting=meeting, by=cast.secretariat)

    sign_in(page, "secretariat")
    page.goto(f"/meetings/{meeting.pk}/edit/")
    page.get_by_label("Venue").fill(NEW_VENUE)
    page.locator("main form.stacked button[type=submit]").click()

    expect(page.locator("h1")).to_have_text("Before the update goes out")
    expect(page.locator("#changes tbody tr")).to_have_count(1)
    expect(page.locator("#changes tbody tr")).to_contain_text(NEW_VENUE)
    expect(page.locator("#recipients")).to_contain_text("Amina Health")
    expect(page.locator('.message-preview pre[lang="ar"]')).to_contain_text(NEW_VENUE)
    expect(page.locator('.message-preview pre[lang="en"]')).to_contain_text(NEW_VENUE)
    shoot(page, "en-update-preview")
    assert Meeting.objects.get(pk=meeting.pk).venue == "Ministry of Foreign Affairs, Tripoli"
    assert _updates(meeting) == set()

    # Back to the form with what was typed; saved again, the preview comes back.
    page.get_by_role("button", name="Change it again").click()
    expect(page.get_by_label("Venue")).to_have_value(NEW_VENUE)
    page.locator("main form.stacked button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Before the update goes out")

    # In Arabic, right to left. Switching the language reloads the page with a GET: the
    # form again, with the meeting as it is; nothing was sent.
    page.locator('.language-switch button[value="ar"]').click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert _updates(meeting) == set()
    page.locator("#id_venue").fill(NEW_VENUE)
    page.locator("main form.stacked button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("قبل إرسال التحديث")
    expect(page.locator('.message-preview pre[lang="ar"]')).to_have_attribute("dir", "rtl")
    shoot(page, "ar-update-preview")

    page.locator('.language-switch button[value="en"]').click()
    page.locator("#id_venue").fill(NEW_VENUE)
    page.locator("main form.stacked button[type=submit]").click()
    previewed = set(
        Person.objects.filter(
            full_name__in=page.locator("#recipients li bdi").all_inner_texts()
        ).values_list("pk", flat=True)
    )
    page.get_by_role("button", name="Save and send the update").click()

    expect(page.locator("main")).to_contain_text("The meeting is updated.")
    meeting.refresh_from_db()
    assert (meeting.venue, meeting.sequence) == (NEW_VENUE, 1)
    assert _updates(meeting) == previewed
    assert cast.member_person.pk in previewed
