"""The meeting form's time-zone list is searchable in a real browser: typing a city or a
country (in English or in the page's language) keeps the places that match."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import Meeting
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def _shown_options(page: Page) -> list[str]:
    return page.locator("#id_time_zone option:not([hidden])").evaluate_all(
        "options => options.map(option => option.value)"
    )


def test_typing_in_the_time_zone_search_finds_the_place_and_saves_it(page, live_cast, shoot):
    cast = live_cast
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    start = (timezone.localtime() + dt.timedelta(days=30)).replace(hour=10, minute=0)
    sign_in(page, "secretariat")
    page.goto(f"/meetings/new/?group={cast.health.pk}")
    search = page.get_by_label("Find a city or country")
    select = page.locator("#id_time_zone")
    expect(select).to_have_value("Africa/Tripoli")

    # A country's name finds its places; the first is selected as you type.
    search.fill("italy")
    expect(select).to_have_value("Europe/Rome")
    assert _shown_options(page) == ["Europe/Rome"]

    # Several words narrow down; accents and case do not matter.
    search.fill("sao paulo")
    expect(select).to_have_value("America/Sao_Paulo")

    # A looser search shows the matches as an open list to pick from.
    search.fill("europe")
    assert "Europe/Rome" in _shown_options(page)
    assert "Africa/Tripoli" not in _shown_options(page)
    expect(select).to_have_attribute("size", "8")
    select.select_option("Europe/Rome")
    shoot(page, "en-time-zone-search")

    page.locator("#id_title").fill("Health sub-group: in Rome")
    page.locator("#id_start_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_end_at").fill((start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("Health sub-group: in Rome")
    meeting = Meeting.objects.get(title="Health sub-group: in Rome")
    assert meeting.time_zone == "Europe/Rome"
    assert meeting.start_at.astimezone(meeting.zone).hour == 10
    expect(page.locator(".zone-caption")).to_contain_text("Times in Rome — Italy")
    assert errors == []


def test_the_time_zone_search_finds_arabic_names(page, live_cast):
    cast = live_cast
    sign_in(page, "secretariat", language="ar")
    page.goto(f"/meetings/new/?group={cast.health.pk}")
    select = page.locator("#id_time_zone")

    page.locator("#id_time_zone_search").fill("روما")
    expect(select).to_have_value("Europe/Rome")
    expect(select.locator("option:checked")).to_contain_text("روما — إيطاليا")

    # The English name still finds it on an Arabic page.
    page.locator("#id_time_zone_search").fill("tripoli")
    expect(select).to_have_value("Africa/Tripoli")
