"""The portal's pages, htmx, the admin and the API docs run under the Content-Security-Policy
in a real browser: nothing is refused and nothing fails in the console."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.services import agenda_item_add, meeting_create
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

# Runs in every document before its own scripts, so a refusal during loading is caught too.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"}` +
      ` at ${event.sourceFile}:${event.lineNumber} (${event.sample})`
  );
});
"""


def _violations(page: Page) -> list[str]:
    return page.evaluate("window.__csp")


def _visit(page: Page, url: str, heading: str) -> list[str]:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"], url
    expect(page.locator("h1, h2").filter(has_text=heading).first).to_be_visible()
    return [f"{url}: {violation}" for violation in _violations(page)]


def test_pages_htmx_admin_and_api_docs_run_under_the_policy(page, live_cast):
    cast = live_cast
    start = timezone.localtime() + dt.timedelta(days=10)
    meeting = meeting_create(
        group=cast.mwg,
        title="Quarterly coordination meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
    )
    for title in ("Opening", "Return and reintegration"):
        agenda_item_add(meeting=meeting, title=title, by=cast.secretariat)
    errors: list[str] = []

    def record_console(message) -> None:
        # Every page links the portal's icon, the admin's and the browsable API's too:
        # a browser asking for /favicon.ico would find nothing there.
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", record_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, "secretariat")
    violations: list[str] = []

    violations += _visit(page, "/", "Dashboard")
    violations += _visit(page, "/meetings/", "Meetings")
    violations += _visit(page, "/calendar/", "Calendar")
    violations += _visit(page, f"/meetings/{meeting.pk}/", "Quarterly coordination meeting")
    # The agenda's controls are htmx: the move swaps #agenda in place, no page load.
    with page.expect_response(
        lambda response: response.request.headers.get("hx-request") == "true"
    ) as moved:
        page.get_by_role("button", name="Move “Return and reintegration” up").click()
    assert moved.value.status == 200
    expect(page.locator(".agenda li").first).to_contain_text("Return and reintegration")
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "Return and reintegration",
        "Opening",
    ]
    violations += _violations(page)

    violations += _visit(page, "/admin/", "Working groups, members and meetings")
    violations += _visit(page, f"/admin/meetings/meeting/{meeting.pk}/change/", "Change meeting")
    violations += _visit(page, "/admin/meetings/meeting/add/", "Add meeting")
    # The group's autocomplete (select2) builds its own markup when it opens.
    page.locator(".field-group .select2-selection").click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    violations += _violations(page)
    violations += _visit(page, f"/admin/meetings/meeting/{meeting.pk}/permissions/", "Users")
    violations += _visit(
        page, f"/admin/groups/coordinationgroup/{cast.mwg.pk}/permissions/", "Object permissions"
    )
    violations += _visit(page, f"/admin/meetings/meeting/{meeting.pk}/history/", "history")
    violations += _visit(page, "/api/v1/meetings/", "Meeting")

    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tansiq API")
    expect(page.locator(".opblock").first).to_be_visible()
    violations += _violations(page)

    assert violations == [], "\n".join(violations)
    assert errors == []
