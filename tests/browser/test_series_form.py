"""A meeting series made in a real browser: the form shows only the fields the chosen
repetition needs, and saving makes the series' first meetings."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import MeetingSeries
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_series_form_asks_only_what_the_repetition_needs_and_makes_the_meetings(
    page, live_cast, shoot
):
    cast = live_cast
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "secretariat")
    page.goto(f"/series/new/?group={cast.mwg.pk}")
    weekday = page.locator("#id_weekday")
    month_day = page.locator("#id_month_day")
    which = page.locator("#id_week_of_month")

    page.locator("#id_frequency").select_option("monthly_day")
    expect(month_day).to_be_visible()
    expect(weekday).to_be_hidden()
    expect(which).to_be_hidden()

    page.locator("#id_frequency").select_option("monthly_weekday")
    expect(weekday).to_be_visible()
    expect(which).to_be_visible()
    expect(month_day).to_be_hidden()

    first_day = timezone.localdate() + dt.timedelta(days=40)
    page.locator("#id_title").fill("Monthly coordination")
    weekday.select_option("1")
    which.select_option("2")
    page.locator("#id_start_time").fill("10:00")
    page.locator("#id_starts_on").fill(first_day.isoformat())
    page.locator("#id_count").fill("12")
    # (No full-page screenshot before the click: Chromium loses a click that follows one.)
    page.get_by_role("button", name="Save").click()

    expect(page.locator("h1")).to_contain_text("Monthly coordination")
    series = MeetingSeries.objects.get(title="Monthly coordination")
    meetings = list(series.occurrences.order_by("start_at"))
    assert meetings
    for meeting in meetings:
        local = meeting.start_at.astimezone(series.zone)
        assert (local.weekday(), (local.day - 1) // 7 + 1, local.hour) == (1, 2, 10)
    expect(page.locator("main")).to_contain_text(meetings[0].title)
    shoot(page, "en-series-page")
    assert errors == []
