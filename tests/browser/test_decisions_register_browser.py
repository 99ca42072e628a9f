"""The decisions register in a real browser: the chair filters it, opens a decision
and marks it superseded by a later one; the register then says so."""

import pytest
from playwright.sync_api import expect

from meetings.models import Decision
from tests.browser.conftest import sign_in
from tests.decisions.world import build_world

pytestmark = pytest.mark.browser


def test_chair_filters_the_register_opens_a_decision_and_marks_it_superseded(
    page, live_cast, shoot
):
    world = build_world(live_cast)
    earlier, later = world["open"], world["later"]

    sign_in(page, "chair")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Decisions").click()
    page.get_by_label("Reference or words").fill("annual work plan")
    page.get_by_role("button", name="Filter").click()

    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(later.reference)
    expect(rows.nth(1)).to_contain_text(earlier.reference)
    shoot(page, "decisions-register-filtered")

    rows.nth(1).get_by_role("link", name=earlier.reference).click()
    expect(page.locator("h1")).to_contain_text(earlier.reference)
    page.get_by_role("combobox", name="Superseded by").select_option(str(later.pk))
    page.get_by_role("button", name="Mark as superseded").click()

    expect(page.locator(".messages")).to_contain_text("marked as superseded")
    expect(page.locator("dl.facts")).to_contain_text(later.reference)
    shoot(page, "decisions-decision-superseded")
    assert Decision.objects.get(pk=earlier.pk).superseded_by_id == later.pk

    page.goto("/decisions/?status=superseded")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"by {later.reference}")
