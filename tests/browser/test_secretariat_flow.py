"""The working group's day in a real browser: schedule, agenda, invitations, answers,
attendance, minutes, action points; then the same pages in Arabic."""

import datetime as dt
from collections import Counter
from email.utils import parseaddr

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import ActionPoint, Attendance, Invitation, Meeting, Minutes
from notices.models import Notice
from tests.browser.conftest import htmx_settled, sign_in

pytestmark = pytest.mark.browser


def test_health_sub_group_meeting_from_scheduling_to_action_point(
    page, live_cast, shoot, browser, browser_context_args
):
    cast = live_cast
    start = (timezone.localtime() + dt.timedelta(days=14)).replace(hour=10, minute=0)

    # The secretariat creates the health sub-group's meeting.
    sign_in(page, "secretariat")
    shoot(page, "en-dashboard")
    page.goto(f"/meetings/new/?group={cast.health.pk}")
    page.locator("#id_title").fill("Health sub-group: referral pathway validation")
    page.locator("#id_start_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_end_at").fill((start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_venue").fill("Ministry of Health, Tripoli")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("Health sub-group: referral pathway validation")
    meeting = Meeting.objects.get(title="Health sub-group: referral pathway validation")

    # The agenda is built in place (htmx): add two items, move the second up.
    for title in ("Welcome and introductions", "Referral pathway for migrants"):
        page.locator("#id_title").fill(title)
        page.get_by_role("button", name="Add to the agenda").click()
        expect(page.locator("#agenda")).to_contain_text(title)
    page.get_by_role("button", name="Move “Referral pathway for migrants” up").click()
    expect(page.locator(".agenda li").first).to_contain_text("Referral pathway for migrants")
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "Referral pathway for migrants",
        "Welcome and introductions",
    ]
    shoot(page, "en-meeting-agenda")

    # Invite the sub-group, then schedule: the invitations go out.
    page.get_by_role("link", name="Invitations", exact=True).click()
    page.get_by_role("button", name="Invite the group's chairs and representatives").click()
    expect(page.locator("table")).to_contain_text("Amina Health")
    page.get_by_role("link", name="Overview and agenda").click()
    page.get_by_role("link", name="Preview the invitations and schedule").click()
    expect(page.locator("h1")).to_contain_text("Before the invitations go out")
    assert not Notice.objects.filter(meeting=meeting).exists()
    page.get_by_role("button", name="Schedule and send the invitations").click()
    expect(page.locator(".messages")).to_contain_text("the invitations are being sent")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    invitees = set(meeting.invitations.values_list("person__email", flat=True))
    assert cast.member_person.email in invitees
    delivered = Counter(parseaddr(message.to[0])[1] for message in mail.outbox)
    assert set(delivered) == invitees
    assert set(delivered.values()) == {1}
    assert all(
        any(name == "invite.ics" for name, _, _ in message.attachments) for message in mail.outbox
    )
    assert set(
        Notice.objects.filter(meeting=meeting, channel="email").values_list("status", flat=True)
    ) == {Notice.Status.SENT}
    page.get_by_role("link", name="Invitations", exact=True).click()
    expect(page.locator("table")).to_contain_text("Pending")
    shoot(page, "en-invitations")

    # The member answers from their dashboard.
    member = browser.new_context(**browser_context_args).new_page()
    sign_in(member, "member")
    member.get_by_role("link", name="Answer").first.click()
    member.get_by_label("Accepted").check()
    member.get_by_role("button", name="Send my answer").click()
    expect(member.locator(".messages")).to_contain_text("Your answer is recorded")
    invitation = Invitation.objects.get(meeting=meeting, person=cast.member_person)
    assert invitation.response == Invitation.Response.ACCEPTED

    # The day comes: the meeting has started.
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        start_at=now - dt.timedelta(minutes=30), end_at=now + dt.timedelta(minutes=90)
    )

    # The register: tick the member, add a walk-in who was not invited.
    page.goto(f"/meetings/{meeting.pk}/attendance/")
    page.get_by_role("button", name="Mark present — Amina Health").click()
    expect(page.get_by_role("button", name="✓ Present — Amina Health")).to_be_visible()
    # The walk-in is found by a search of what is typed, not picked from everyone.
    page.get_by_label("Find them by name, e-mail or organisation").fill("olivia")
    matches = page.locator("#walk-in-matches")
    expect(matches.get_by_role("radio")).to_have_count(1)
    htmx_settled(page)
    matches.get_by_label("Olivia Outsider").check()
    page.get_by_role("button", name="Add to the register").click()
    expect(page.locator("#register")).to_contain_text("Olivia Outsider")
    assert Attendance.objects.filter(meeting=meeting).count() == 2
    shoot(page, "en-attendance")

    # Held; minutes approved and published; a decision and an action point.
    page.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("button", name="Mark as held").click()
    page.get_by_role("link", name="Minutes and decisions").click()
    page.locator("#id_body").fill("The sub-group validated the referral pathway.")
    page.get_by_role("button", name="Save the draft").click()
    # The decision before publication: published minutes freeze their decisions.
    page.locator("#id_text").fill("The referral pathway is adopted.")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_role("button", name="Approve the minutes").click()
    page.get_by_role("link", name="Publish to the members…").click()
    expect(page.locator("h1")).to_contain_text("Before the minutes go out")
    page.get_by_role("button", name="Publish to the members").click()
    expect(page.locator(".messages")).to_contain_text("published")
    page.get_by_role("link", name="New action point").click()
    page.locator("#id_title").fill("Circulate the pathway to the regional health offices")
    page.locator("#id_owner_organisation").select_option(label="Ministry of Health (MoH)")
    page.locator("#id_owner_person").select_option(label="Amina Health")
    page.locator("#id_due_on").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#action-points")).to_contain_text("Circulate the pathway")
    assert Minutes.objects.get(meeting=meeting).status == Minutes.Status.PUBLISHED
    shoot(page, "en-meeting-held")

    # The member reports on the action point.
    member.goto("/action-points/")
    member.get_by_role("link", name="Circulate the pathway to the regional health offices").click()
    member.locator("#id_status").select_option("done")
    member.locator("#id_progress").fill("Sent to the twelve regional offices.")
    member.get_by_role("button", name="Save the report").click()
    expect(member.locator(".messages")).to_contain_text("Your report is saved")
    action_point = ActionPoint.objects.get(title__startswith="Circulate the pathway")
    assert action_point.status == ActionPoint.Status.DONE
    shoot(member, "en-member-action-point")
    member.context.close()

    # The same pages in Arabic: right to left.
    page.locator('.language-switch button[value="ar"]').click()
    for name, url in [
        ("ar-dashboard", "/"),
        ("ar-meeting", f"/meetings/{meeting.pk}/"),
        ("ar-invitations", f"/meetings/{meeting.pk}/invitations/"),
        ("ar-attendance", f"/meetings/{meeting.pk}/attendance/"),
        ("ar-minutes", f"/meetings/{meeting.pk}/minutes/"),
        ("ar-action-points", "/action-points/"),
    ]:
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        shoot(page, name)
    expect(page.locator("h1")).to_contain_text("نقاط العمل")
