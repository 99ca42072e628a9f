"""The header's search box in a real browser: typed words find the records the reader
may see, with the words marked, in English and in Arabic (right to left, whatever
spelling of the word was typed), and the results page passes axe-core."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Confidentiality
from meetings.services import meeting_create
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
BLOCKING = {"serious", "critical"}


def _meeting(group, title, description, **label):
    start = timezone.now() + dt.timedelta(days=12)
    return meeting_create(
        group=group,
        title=title,
        description=description,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        **label,
    )


@pytest.fixture
def searchable(live_cast):
    """Committed one by one, so each is indexed as the portal indexes: after commit."""
    cast = live_cast
    return {
        "harbour": _meeting(
            cast.mwg, "Harbour coordination", "Review of the harbour screening points."
        ),
        "arabic": _meeting(cast.mwg, "اجتماع فريق الهجرة", "عُقِدَ الإجتماع في طرابلس."),
        "hidden": _meeting(
            cast.mwg,
            "Harbour security briefing",
            "Restricted.",
            confidentiality=Confidentiality.RESTRICTED,
            restricted_to=[cast.iom],
        ),
    }


def test_typing_in_the_header_box_finds_and_marks_what_the_member_may_see(
    page, live_cast, searchable, shoot
):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "member")

    box = page.get_by_label("Search what you may see")
    box.fill("harbour")
    box.press("Enter")

    page.wait_for_url("**/search/?q=harbour")
    results = page.locator(".search-result")
    expect(results).to_have_count(1)
    expect(results.first.get_by_role("link")).to_have_text("Harbour coordination")
    expect(results.first.locator("mark").first).to_have_text("harbour")
    expect(page.locator("text=Harbour security briefing")).to_have_count(0)
    shoot(page, "en-search-results")

    results.first.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("Harbour coordination")
    assert errors == []


def test_an_arabic_search_finds_another_spelling_right_to_left(page, live_cast, searchable, shoot):
    sign_in(page, "member", "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"

    box = page.locator("#header-search")
    box.fill("إجتماع")
    box.press("Enter")

    result = page.locator(".search-result")
    expect(result).to_have_count(1)
    expect(result.get_by_role("link")).to_have_text("اجتماع فريق الهجرة")
    expect(result.locator("mark")).to_have_text("الإجتماع")
    found = Axe().run(page).response["violations"]
    shoot(page, "ar-search-results")
    assert [v["id"] for v in found if v["impact"] in BLOCKING] == []


def test_the_empty_and_the_filtered_search_pages_pass_axe(page, live_cast, searchable):
    sign_in(page, "secretariat")
    axe = Axe()

    page.goto("/search/")
    empty = axe.run(page).response["violations"]
    page.goto("/search/?q=harbour&kind=meeting&date_from=2100-13-01")
    refused = axe.run(page).response["violations"]

    expect(page.locator(".field.has-error")).to_have_count(1)
    assert [v["id"] for v in empty + refused if v["impact"] in BLOCKING] == []
