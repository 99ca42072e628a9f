"""The written procedure in a real browser: the secretariat drafts one from the group's
page and circulates it through the preview; a member agrees on the page; an observer
reads it with no form to answer."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from decisions.models import WrittenProcedure
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_drafted_circulated_and_agreed(page, live_cast, shoot):
    cast = live_cast
    deadline = timezone.localtime(timezone.now() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")

    sign_in(page, "secretariat")
    page.goto(f"/groups/{cast.mwg.pk}/")
    page.get_by_role("link", name="Written procedures").click()
    page.get_by_role("link", name="New written procedure").click()
    page.locator("#id_title").fill("Referral pathways")
    page.locator("#id_text").fill("The group endorses the pathways.")
    page.locator("#id_deadline").fill(deadline)
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#procedure-status")).to_have_text("Draft")

    page.get_by_role("link", name="Circulate…").click()
    asked = page.locator(".procedure-asked")
    expect(asked).to_contain_text("Ministry of Health")
    expect(asked).to_contain_text("Amina Health")
    expect(page.locator(".procedure-informed")).to_contain_text("Embassy of Italy")
    shoot(page, "procedure-circulate-preview")
    procedure = WrittenProcedure.objects.get()
    assert procedure.status == "draft"
    page.get_by_role("button", name="Confirm and circulate").click()
    expect(page.locator("#procedure-status")).to_have_text("Open for answers")
    procedure.refresh_from_db()
    assert procedure.reference

    sign_in(page, "member")
    page.goto(f"/procedures/{procedure.pk}/")
    page.get_by_label("Agree").check()
    page.get_by_role("button", name="Record the answer").click()
    row = page.locator(f'#answers tr[data-organisation="{cast.moh.pk}"]')
    expect(row).to_contain_text("Agrees")
    expect(row).to_contain_text("Portal page")
    shoot(page, "procedure-answered")

    sign_in(page, "observer")
    page.goto(f"/procedures/{procedure.pk}/")
    expect(page.locator("h1")).to_contain_text("Referral pathways")
    expect(page.locator("#answer")).to_have_count(0)
    expect(page.get_by_role("button", name="Record the answer")).to_have_count(0)
