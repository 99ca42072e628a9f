import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import ActionPoint
from meetings.services import (
    invitation_create,
    invitations_create_for_group,
    meeting_create,
    meeting_schedule,
)
from members.services import person_create
from notices.models import Notice
from notices.services import webhook_endpoint_register

pytestmark = pytest.mark.django_db


def test_member_sees_own_meeting_invitation_and_overdue_action(client, cast, scheduled, held):
    client.force_login(cast.member)
    page = client.get(reverse("dashboard")).content.decode()
    assert scheduled.title in page
    assert (
        reverse(
            "invitation-respond", args=[scheduled.invitations.get(person=cast.member_person).pk]
        )
        in page
    )
    assert "Draft the referral pathway" in page


def test_outsider_sees_nothing(client, cast, scheduled, held):
    client.force_login(cast.outsider)
    page = client.get(reverse("dashboard")).content.decode()
    assert scheduled.title not in page
    assert "Draft the referral pathway" not in page


def test_dashboard_queries_do_not_grow_with_data(client, cast, django_assert_max_num_queries):
    for number in range(12):
        start = timezone.now() + dt.timedelta(days=number + 1)
        meeting = meeting_create(
            group=cast.mwg,
            title=f"Meeting {number}",
            start_at=start,
            end_at=start + dt.timedelta(hours=1),
            by=cast.secretariat,
        )
        invitations_create_for_group(meeting=meeting, by=cast.secretariat)
        meeting_schedule(meeting=meeting, by=cast.secretariat)
    # Every notice failed, so the failed-notices panel is full too.
    Notice.objects.update(status=Notice.Status.FAILED, last_error="550 No such mailbox")
    client.force_login(cast.chair)
    with django_assert_max_num_queries(15) as captured:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    # The bound of the meetings not over (meetings.selectors.NotOver) is read once for
    # the three lists that ask it.
    bounds = [q for q in captured.captured_queries if 'MIN(COALESCE("meetings_meeting"' in q["sql"]]
    assert len(bounds) == 1


def _failed_notice(scheduled, person):
    notice = Notice.objects.get(meeting=scheduled, person=person)
    Notice.objects.filter(pk=notice.pk).update(
        status=Notice.Status.FAILED, last_error="SMTPRecipientsRefused: 550 No such mailbox"
    )
    return notice


def test_secretariat_sees_failed_notices_and_resends_once(client, cast, scheduled):
    notice = _failed_notice(scheduled, cast.member_person)
    client.force_login(cast.secretariat)

    page = client.get(reverse("dashboard")).content.decode()
    assert "550 No such mailbox" in page
    resend = reverse("notice-resend", args=[notice.pk])
    assert resend in page
    client.post(resend)
    client.post(resend)  # a double click

    copies = Notice.objects.filter(dedup_key__startswith=f"{notice.dedup_key}:resend")
    assert copies.count() == 1


def test_a_failed_notice_sent_again_leaves_the_panel_and_its_copys_failure_takes_its_place(
    client, cast, scheduled, django_capture_on_commit_callbacks
):
    """Once its copy has gone, the original's Resend button would only send another
    copy at each click: the failure is the copy's to report now, if it has one."""
    notice = _failed_notice(scheduled, cast.member_person)
    other = _failed_notice(scheduled, cast.member_colleague)
    client.force_login(cast.secretariat)
    resend = reverse("notice-resend", args=[notice.pk])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(resend)

    (copy,) = Notice.objects.filter(dedup_key__startswith=f"{notice.dedup_key}:resend")
    assert copy.status == Notice.Status.SENT
    notice.refresh_from_db()
    assert notice.status == Notice.Status.FAILED
    page = client.get(reverse("dashboard")).content.decode()
    assert resend not in page
    assert reverse("notice-resend", args=[other.pk]) in page
    assert page.count("550 No such mailbox") == 1

    Notice.objects.filter(pk=copy.pk).update(
        status=Notice.Status.FAILED, last_error="SMTPRecipientsRefused: 550 Mailbox full"
    )
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("notice-resend", args=[copy.pk]) in page
    assert "550 Mailbox full" in page
    assert resend not in page


def test_member_sees_only_own_failed_notices_and_cannot_resend(client, cast, scheduled):
    mine = _failed_notice(scheduled, cast.member_person)
    other = _failed_notice(scheduled, cast.member_colleague)
    client.force_login(cast.member)
    before = Notice.objects.count()

    page = client.get(reverse("dashboard")).content.decode()
    refused = client.post(reverse("notice-resend", args=[mine.pk]))
    hidden = client.post(reverse("notice-resend", args=[other.pk]))

    assert "550 No such mailbox" in page
    assert reverse("notice-resend", args=[other.pk]) not in page
    assert page.count("550 No such mailbox") == 1
    assert reverse("notice-resend", args=[mine.pk]) not in page
    assert (refused.status_code, hidden.status_code) == (403, 404)
    assert Notice.objects.count() == before


def test_resend_is_offered_only_on_notices_of_meetings_the_user_runs(client, cast):
    start = timezone.now() + dt.timedelta(days=6)
    ours, theirs = (
        meeting_create(
            group=group,
            title=title,
            start_at=start,
            end_at=start + dt.timedelta(hours=1),
            by=cast.secretariat,
        )
        for group, title in ((cast.mwg, "Ours"), (cast.other_wg, "Theirs"))
    )
    for meeting in (ours, theirs):
        invitation_create(meeting=meeting, person=cast.chair_person, by=cast.secretariat)
        meeting_schedule(meeting=meeting, by=cast.secretariat)
    Notice.objects.update(status=Notice.Status.FAILED, last_error="550 No such mailbox")
    client.force_login(cast.chair)

    page = client.get(reverse("dashboard")).content.decode()

    ours_notice = Notice.objects.get(meeting=ours, person=cast.chair_person)
    theirs_notice = Notice.objects.get(meeting=theirs, person=cast.chair_person)
    assert "Theirs" in page
    assert reverse("notice-resend", args=[ours_notice.pk]) in page
    assert reverse("notice-resend", args=[theirs_notice.pk]) not in page


def test_a_colleagues_invitation_to_a_group_out_of_sight_stays_off_the_dashboard(client, cast):
    """The member acts for the Ministry of Health, but has no seat in the other working
    group: a colleague's invitation there must not show the meeting to the member."""
    start = timezone.now() + dt.timedelta(days=4)
    elsewhere = meeting_create(
        group=cast.other_wg,
        title="Closed consultation on returns",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
    )
    invitation_create(meeting=elsewhere, person=cast.member_colleague, by=None)
    meeting_schedule(meeting=elsewhere, by=None)

    client.force_login(cast.member)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Closed consultation on returns" not in page


def _overdue_action_points(cast, held, number: int) -> None:
    ActionPoint.objects.bulk_create(
        ActionPoint(
            meeting=held,
            title=f"Overdue {index}",
            owner_organisation=cast.moh,
            due_on=timezone.localdate() - dt.timedelta(days=index + 2),
        )
        for index in range(number)
    )


@pytest.mark.parametrize("persona", ["secretariat", "member"])
def test_the_overdue_badge_counts_up_to_a_hundred_then_says_more(
    client, cast, held, persona, django_assert_max_num_queries
):
    client.force_login(getattr(cast, persona))
    page = client.get(reverse("dashboard")).content.decode()
    assert '<span class="badge overdue">1</span>' in page

    _overdue_action_points(cast, held, 99)
    page = client.get(reverse("dashboard")).content.decode()
    assert '<span class="badge overdue">100</span>' in page

    _overdue_action_points(cast, held, 150)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("dashboard")).content.decode()
    assert '<span class="badge overdue">100+</span>' in page


def _failed_badge(page: str) -> str:
    heading = page.split('id="failed-heading"', 1)[1]
    return heading.split('<span class="badge overdue">', 1)[1].split("</span>", 1)[0]


@pytest.mark.parametrize(("failing", "listed"), [(3, 3), (10, 10), (11, 10), (14, 10)])
def test_the_failed_panel_counts_what_it_cannot_list(client, cast, failing, listed):
    """Up to ten failed notices are listed and their number is the list's; beyond ten
    the badge says how many there are in all."""
    start = timezone.now() + dt.timedelta(days=3)
    meeting = meeting_create(
        group=cast.mwg,
        title="Border management review",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=cast.secretariat,
    )
    for number in range(failing):
        person = person_create(
            full_name=f"Delegate {number}",
            email=f"delegate{number}@example.org",
            organisation=cast.moh,
            by=cast.secretariat,
        )
        invitation_create(meeting=meeting, person=person, by=cast.secretariat)
    meeting_schedule(meeting=meeting, by=cast.secretariat)
    Notice.objects.filter(meeting=meeting).update(
        status=Notice.Status.FAILED, last_error="550 No such mailbox"
    )
    client.force_login(cast.secretariat)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("dashboard")).content.decode()

    assert _failed_badge(page) == str(failing)
    assert page.count("550 No such mailbox") == listed
    counted = [q["sql"] for q in queries if "COUNT(" in q["sql"] and "notices_notice" in q["sql"]]
    assert len(counted) == (1 if failing >= 10 else 0)


@pytest.mark.parametrize(("failing", "listed"), [(4, 4), (12, 10)])
def test_a_members_failed_panel_holds_its_endpoints_calls_not_another_organisations(
    client, cast, scheduled, failing, listed
):
    """The member's panel checks each failed notice against the funnel by its key
    (notices.permissions.notices_visible_each): their own e-mail and their
    organisation's endpoint's calls, listed and counted; MoFA's calls are not theirs."""
    with override_settings(WEBHOOK_ALLOW_INSECURE=True):
        ours = webhook_endpoint_register(
            organisation=cast.moh, url="https://hooks.example.org/moh", by=None
        )
        theirs = webhook_endpoint_register(
            organisation=cast.mofa, url="https://hooks.example.org/mofa", by=None
        )
    _failed_notice(scheduled, cast.member_person)
    _failed_notice(scheduled, cast.member_colleague)  # a colleague's mail: not the member's
    for endpoint, calls in ((ours, failing - 1), (theirs, 5)):
        Notice.objects.bulk_create(
            Notice(
                dedup_key=f"call-{endpoint.pk}-{number}",
                kind="invitation",
                channel="webhook",
                event="meeting.scheduled",
                meeting=scheduled,
                endpoint=endpoint,
                status="failed",
                last_error=f"502 from {endpoint.url}",
            )
            for number in range(calls)
        )
    client.force_login(cast.member)

    page = client.get(reverse("dashboard")).content.decode()

    assert _failed_badge(page) == str(failing)
    assert page.count("No such mailbox") + page.count("502 from") == listed
    assert "hooks.example.org/mofa" not in page
