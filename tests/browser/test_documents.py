"""Papers in a real browser: the secretariat uploads a paper through the form and
downloads it back byte for byte; the library reads right to left in Arabic; a member
does not see a restricted paper, on the meeting's page or by its address; the pages
run under the Content-Security-Policy."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from documents.models import Document
from meetings.services import (
    agenda_item_add,
    invitations_create_for_group,
    meeting_create,
    meeting_schedule,
)
from tests.browser.conftest import sign_in
from tests.documents.paper_files import paper_add, pdf_bytes

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.effectiveDirective} refused ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _violations(page: Page) -> list[str]:
    return page.evaluate("window.__csp || []")


def test_the_secretariat_uploads_a_paper_and_downloads_it_back(
    page, live_cast, media, shoot, tmp_path
):
    cast = live_cast
    page.add_init_script(RECORD_VIOLATIONS)
    content = pdf_bytes("Draft terms of reference of the Migration Working Group")
    upload = tmp_path / "terms-of-reference.pdf"
    upload.write_bytes(content)

    sign_in(page, "secretariat")
    page.goto(f"/groups/{cast.mwg.pk}/")
    page.get_by_role("link", name="The group's library of papers").click()
    expect(page.locator("h1")).to_contain_text("Papers of Migration Working Group")
    page.get_by_role("link", name="Add a paper").click()
    page.locator("#id_title").fill("Draft terms of reference")
    page.locator("#id_title_ar").fill("مسودة الاختصاصات")
    page.locator("#id_title_fr").fill("Projet de mandat")
    page.locator("#id_language").select_option("en")
    page.locator("#id_upload").set_input_files(str(upload))
    page.get_by_role("button", name="Upload", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("The paper is uploaded.")
    expect(page.locator("h1")).to_contain_text("Draft terms of reference")
    document = Document.objects.get(title="Draft terms of reference")
    assert document.versions.get().size == len(content)
    shoot(page, "en-paper")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="terms-of-reference.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "terms-of-reference.pdf"
    assert Path(download.path()).read_bytes() == content

    # The library in Arabic: the page runs right to left, the title is the Arabic one.
    page.locator('.language-switch button[value="ar"]').click()
    page.goto(f"/groups/{cast.mwg.pk}/documents/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("main table")).to_contain_text("مسودة الاختصاصات")
    title_cell = page.locator("main table tbody td").first.bounding_box()
    version_cell = page.locator("main table tbody td.number").first.bounding_box()
    assert title_cell is not None
    assert version_cell is not None
    # Right to left: the first column (the title) sits right of the later ones.
    assert title_cell["x"] > version_cell["x"]
    shoot(page, "ar-library")
    assert _violations(page) == []


def test_a_refused_upload_says_why_and_keeps_the_title(page, live_cast, media, tmp_path):
    cast = live_cast
    disguised = tmp_path / "report.pdf"
    disguised.write_bytes(b"<html><body>not a paper</body></html>")

    sign_in(page, "secretariat")
    page.goto(f"/groups/{cast.mwg.pk}/documents/new/")
    page.locator("#id_title").fill("Country report")
    page.locator("#id_upload").set_input_files(str(disguised))
    page.get_by_role("button", name="Upload", exact=True).click()

    expect(page.locator("#id_upload_error")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("Country report")
    assert not Document.objects.exists()


def test_a_member_does_not_see_a_restricted_paper(page, live_cast, media, shoot):
    cast = live_cast
    start = timezone.localtime() + dt.timedelta(days=10)
    meeting = meeting_create(
        group=cast.mwg,
        title="Quarterly meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
    )
    agenda_item_add(meeting=meeting, title="Border management", by=cast.secretariat)
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    meeting = meeting_schedule(meeting=meeting, by=cast.secretariat)
    item = meeting.agenda_items.get()
    paper_add(
        by=cast.secretariat,
        group=cast.mwg,
        meeting=meeting,
        agenda_item=item,
        title="Border management concept note",
    )
    restricted = paper_add(
        by=cast.secretariat,
        group=cast.mwg,
        meeting=meeting,
        agenda_item=item,
        title="Border capacity assessment",
        confidentiality="restricted",
        restricted_to=[cast.iom, cast.mofa],
    )
    version = restricted.versions.get()

    sign_in(page, "member")
    page.goto(f"/meetings/{meeting.pk}/")
    papers = page.locator("#papers")
    expect(papers).to_contain_text("Border management concept note")
    expect(papers).not_to_contain_text("Border capacity assessment")
    shoot(page, "en-meeting-papers-member")
    response = page.goto(f"/documents/{restricted.pk}/")
    assert response is not None
    assert response.status == 404
    response = page.goto(f"/documents/versions/{version.pk}/download/")
    assert response is not None
    assert response.status == 404

    # The co-chair (IOM, named) sees it.
    sign_in(page, "cochair")
    page.goto(f"/meetings/{meeting.pk}/")
    expect(page.locator("#papers")).to_contain_text("Border capacity assessment")


def test_the_upload_form_asks_for_organisations_only_for_a_restricted_paper(page, live_cast, media):
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, "secretariat")
    page.goto(f"/groups/{live_cast.mwg.pk}/documents/new/")
    organisations = page.locator("#id_restricted_to")

    expect(organisations).to_be_hidden()
    page.locator("#id_confidentiality").select_option("restricted")
    expect(organisations).to_be_visible()
    page.locator("#id_confidentiality").select_option("public")
    expect(organisations).to_be_hidden()
    assert _violations(page) == []
