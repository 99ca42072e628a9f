"""The minutes' cycle in a real browser: the secretariat starts the draft from the
template and circulates it; the member comments on a section; the secretariat answers;
the chair signs the minutes off."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import ApprovalCapacity, Minutes, MinutesComment
from notices.models import Notice
from tests.browser.conftest import sign_in
from tests.meetings.minutes_world import build_world

pytestmark = pytest.mark.browser


def test_draft_from_template_commented_answered_and_signed_off(page, live_cast, shoot):
    cast = live_cast
    world = build_world(cast)
    meeting = world.meeting
    minutes_url = f"/meetings/{meeting.pk}/minutes/"

    # The secretariat starts from the template, saves and circulates the draft.
    sign_in(page, "secretariat")
    page.goto(minutes_url)
    body = page.locator("#id_body").input_value()
    assert "## 2. Voluntary returns" in body
    assert "Adopt the returns referral pathway." in body
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator(".messages")).to_contain_text("saved as a draft")
    until = timezone.localtime(timezone.now() + dt.timedelta(days=7), meeting.zone)
    page.locator("#id_comments_until").fill(until.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Circulate for comments").click()
    expect(page.locator(".messages")).to_contain_text("circulated for comments")
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.circulated_at is not None
    assert Notice.objects.filter(
        kind=Notice.Kind.MINUTES_CIRCULATED, person=cast.member_person
    ).exists()
    shoot(page, "en-minutes-circulated")

    # The member comments on the returns section.
    sign_in(page, "member")
    page.goto(minutes_url)
    expect(page.locator("h1")).to_contain_text("Draft minutes for comments")
    section = page.locator("#section-2-Voluntary-returns")
    section.get_by_label("Your comment on this section").fill("Name the regional offices.")
    section.get_by_role("button", name="Send the comment").click()
    expect(page.locator(".messages")).to_contain_text("Your comment is sent")
    comment = MinutesComment.objects.get(minutes=minutes)
    assert (comment.section, comment.organisation) == ("2. Voluntary returns", cast.moh)
    expect(page.locator("#section-2-Voluntary-returns")).to_contain_text(
        "Name the regional offices."
    )
    shoot(page, "en-minutes-comment")

    # The secretariat answers it beside the section.
    sign_in(page, "secretariat")
    page.goto(minutes_url)
    answer = page.locator(f"#comment-{comment.pk}")
    answer.get_by_label("Answer").fill("Added to section 2.")
    answer.get_by_label("Applied to the text").check()
    answer.get_by_role("button", name="Answer the comment").click()
    expect(page.locator(".messages")).to_contain_text("The answer is recorded")
    comment.refresh_from_db()
    assert (comment.status, comment.answer) == ("applied", "Added to section 2.")

    # The member reads the answer.
    sign_in(page, "member")
    page.goto(minutes_url)
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("Added to section 2.")

    # The chair signs off, in their own name.
    sign_in(page, "chair")
    page.goto(minutes_url)
    page.get_by_role("button", name="Approve the minutes").click()
    expect(page.locator(".messages")).to_contain_text("The minutes are approved")
    expect(page.locator(".approval")).to_contain_text("Approved by Jaalal Alashi (chair)")
    minutes.refresh_from_db()
    assert (minutes.status, minutes.approved_as) == (
        Minutes.Status.APPROVED,
        ApprovalCapacity.CHAIR,
    )
    shoot(page, "en-minutes-approved")

    # Versions: the draft kept as written.
    page.goto(f"/meetings/{meeting.pk}/minutes/versions/")
    expect(page.locator("h1")).to_contain_text("Versions of the minutes")
