"""In a real browser: an agenda item edited in place (the running times follow), a
removal that asks first, then the meeting scheduled through the preview."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.services import membership_create
from meetings.models import AgendaItem, Meeting
from meetings.services import agenda_item_add, invitations_create_for_group, meeting_create
from members.models import Person
from members.services import organisation_create
from notices.models import Notice
from tests.browser.conftest import htmx_settled, sign_in
from tests.conftest import LAUNCH

pytestmark = pytest.mark.browser


def test_agenda_edited_in_place_then_scheduled_through_the_preview(page, live_cast, shoot):
    cast = live_cast
    labour = organisation_create(name="Ministry of Labour", kind="ministry", by=None)
    membership_create(group=cast.mwg, organisation=labour, start_on=LAUNCH, by=None)
    Person.objects.filter(pk=cast.member_person.pk).update(preferred_language="ar")
    Person.objects.filter(pk=cast.member_colleague.pk).update(email="")
    start = (timezone.localtime() + dt.timedelta(days=30)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    meeting = meeting_create(
        group=cast.mwg,
        title="Quarterly coordination meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=cast.secretariat,
    )
    opening = agenda_item_add(meeting=meeting, title="Opening", duration_minutes=30, by=None)
    agenda_item_add(meeting=meeting, title="Return and reintegration", duration_minutes=20, by=None)
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)

    sign_in(page, "secretariat")
    page.goto(f"/meetings/{meeting.pk}/")
    row = page.locator(f"#agenda-item-{opening.pk}")
    expect(page.locator(".agenda .clock")).to_have_text(["10:00", "10:30"])
    expect(page.locator("#agenda-overrun")).to_have_count(0)

    # Edit in place: the row becomes a form; a wrong duration is refused in the row.
    row.get_by_role("link", name="Edit “Opening”").click()
    title = page.locator(f"#id_item-{opening.pk}-title")
    expect(title).to_be_focused()
    htmx_settled(page)
    page.locator(f"#id_item-{opening.pk}-duration_minutes").fill("0")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(f"#id_item-{opening.pk}-duration_minutes_error")).to_be_visible()
    assert page.url.endswith(f"/meetings/{meeting.pk}/")
    htmx_settled(page)

    title.fill("Opening and adoption of the agenda")
    page.locator(f"#id_item-{opening.pk}-duration_minutes").fill("45")
    row.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("Opening and adoption of the agenda")
    expect(page.locator(".agenda .clock")).to_have_text(["10:00", "10:45"])
    expect(page.locator("#agenda-overrun")).to_have_text(
        "The agenda runs 5 minutes past the planned end at 11:00."
    )
    assert page.url.endswith(f"/meetings/{meeting.pk}/")
    opening.refresh_from_db()
    assert (opening.title, opening.duration_minutes) == ("Opening and adoption of the agenda", 45)
    shoot(page, "en-agenda-in-place")

    # The presenter is found by search, the matches swapped in as they are typed; the
    # page never lists the directory. Saved again without touching it, they stay.
    row.get_by_role("link", name="Edit “Opening and adoption of the agenda”").click()
    htmx_settled(page)
    presenter = row.get_by_role("group", name="Presenter")
    expect(presenter.get_by_label("No presenter")).to_be_checked()
    expect(presenter).not_to_contain_text("Amina Health")
    presenter.get_by_label("Find them by name, e-mail or organisation").fill("Amina")
    expect(presenter.get_by_label("Amina Health")).to_have_count(1)
    shoot(page, "en-agenda-presenter-search")
    presenter.get_by_label("Amina Health").check()
    row.get_by_role("button", name="Save").click()
    edit = row.get_by_role("link", name="Edit “Opening and adoption of the agenda”")
    expect(edit).to_be_visible()
    expect(row).to_contain_text("Amina Health")
    opening.refresh_from_db()
    assert opening.presenter == cast.member_person
    edit.click()
    htmx_settled(page)
    expect(presenter.get_by_label("Amina Health")).to_be_checked()
    presenter.get_by_label("Find them by name, e-mail or organisation").fill("Karim")
    expect(presenter.get_by_label("Karim Alternate")).to_have_count(1)
    # A new search leaves the presenter chosen.
    expect(presenter.get_by_label("Amina Health")).to_be_checked()
    row.get_by_role("button", name="Save").click()
    expect(edit).to_be_visible()
    expect(row).to_contain_text("Amina Health")
    opening.refresh_from_db()
    assert opening.presenter == cast.member_person

    # Removing asks first: declined, nothing goes; confirmed, the item goes.
    remove = page.get_by_role("link", name="Remove “Return and reintegration”")
    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    expect(page.locator("#agenda")).to_contain_text("Return and reintegration")
    assert meeting.agenda_items.count() == 2
    page.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    expect(page.locator("#agenda")).not_to_contain_text("Return and reintegration")
    expect(page.locator("#agenda-overrun")).to_have_count(0)
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True)) == [
        "Opening and adoption of the agenda"
    ]

    # The preview: nothing is sent until the scheduler confirms.
    page.get_by_role("link", name="Preview the invitations and schedule").click()
    expect(page.locator("h1")).to_have_text("Before the invitations go out")
    expect(page.locator("#unreached")).to_contain_text("Ministry of Labour")
    expect(page.locator("#unreached")).to_contain_text("It has no current representative.")
    expect(page.locator("#without-email")).to_contain_text("Karim Alternate")
    expect(page.locator('.message-preview pre[lang="ar"]')).to_contain_text(
        "أنتم مدعوون إلى اجتماع"
    )
    expect(page.locator('.message-preview pre[lang="en"]')).to_contain_text(
        "You are invited to a meeting of the Migration Working Group."
    )
    shoot(page, "en-schedule-preview")
    page.locator('.language-switch button[value="ar"]').click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator('.message-preview pre[lang="en"]')).to_have_attribute("dir", "ltr")
    shoot(page, "ar-schedule-preview")
    page.locator('.language-switch button[value="en"]').click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    assert not Notice.objects.filter(meeting=meeting).exists()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT

    page.get_by_role("button", name="Schedule and send the invitations").click()
    expect(page.locator(".messages")).to_contain_text("the invitations are being sent")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    emailed = set(
        Notice.objects.filter(meeting=meeting, channel="email").values_list("person_id", flat=True)
    )
    assert emailed == set(meeting.invitations.values_list("person_id", flat=True))


def test_without_javascript_the_presenter_is_found_on_the_add_form_page(
    browser, browser_context_args, live_cast
):
    cast = live_cast
    start = (timezone.localtime() + dt.timedelta(days=30)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    meeting = meeting_create(
        group=cast.health,
        title="Health sub-group: referral pathway",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=cast.secretariat,
    )
    page = browser.new_context(**browser_context_args, java_script_enabled=False).new_page()
    sign_in(page, "secretariat")
    page.goto(f"/meetings/{meeting.pk}/")
    adding = page.get_by_role("form", name="Add an agenda item")
    expect(adding.get_by_label("No presenter")).to_be_checked()

    # "Find" opens the add form's own page with the matches as radio buttons.
    adding.get_by_label("Find them by name, e-mail or organisation").fill("Olivia")
    adding.get_by_role("button", name="Find").click()
    expect(page.locator("h1")).to_have_text("Add an agenda item")
    page.locator("#id_title").fill("Chamber of Commerce's proposal")
    page.get_by_label("Olivia Outsider").check()
    page.get_by_role("button", name="Add to the agenda").click()

    expect(page.locator("#agenda")).to_contain_text("Olivia Outsider")
    item = AgendaItem.objects.get(meeting=meeting)
    assert (item.title, item.presenter) == ("Chamber of Commerce's proposal", cast.outsider_person)

    # The item's own edit page keeps its presenter chosen while another is looked for.
    page.get_by_role("link", name="Edit “Chamber of Commerce's proposal”").click()
    page.get_by_label("Find them by name, e-mail or organisation").fill("Amina")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_label("Olivia Outsider")).to_be_checked()
    page.get_by_label("Amina Health").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#agenda")).to_contain_text("Amina Health")
    item.refresh_from_db()
    assert item.presenter == cast.member_person
