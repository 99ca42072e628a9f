"""Meeting notices, with tasks in-process and Django's in-memory mail outbox.

The same flows through a real Redis, a real worker and a real SMTP server, with the
faults, are in test_notices_worker.py.
"""

import datetime as dt
import email
import re
import smtplib
from email import policy

import icalendar
import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from groups.services import group_update
from meetings import announcements
from meetings.models import Invitation, Meeting, MeetingSeries
from meetings.rsvp import rsvp_token
from meetings.services import (
    action_point_create,
    action_points_remind_due,
    invitation_create,
    invitation_respond,
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    meeting_update,
    minutes_approve,
    minutes_publish,
    minutes_save,
    series_create,
    series_schedule,
)
from meetings.tasks import action_points_due_task, reminders_due_task
from members.services import person_update
from notices import delivery, outbox
from notices.calendar import event_summary, meeting_uid
from notices.models import Notice, NoticeAttempt, Reminder
from notices.services import notice_resend, webhook_endpoint_register
from notices.tasks import notices_sweep_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(cast):
    start = timezone.now() + dt.timedelta(days=10)
    meeting = meeting_create(
        group=cast.mwg,
        title="Quarterly meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        venue="Ministry of Planning, Tripoli",
        by=None,
    )
    invitation_create(meeting=meeting, person=cast.member_person, by=None)
    invitation_create(meeting=meeting, person=cast.observer_person, by=None)
    invitation_create(meeting=meeting, person=cast.chair_person, by=None)
    return meeting


@pytest.fixture
def languages(cast):
    person_update(person=cast.member_person, preferred_language="ar", by=None)
    person_update(person=cast.observer_person, preferred_language="fr", by=None)


def _schedule(meeting, capture):
    with capture(execute=True) as callbacks:
        meeting = meeting_schedule(meeting=meeting, by=None)
    return meeting, callbacks


def _unreferenced(subject: str) -> str:
    """The subject after the meeting's reference, which every notice of a scheduled
    meeting starts with (G2/2026/01 — Invitation: …; tests/notices/test_notice_references.py)."""
    reference, dash, rest = subject.partition(" — ")
    assert dash, subject
    assert re.fullmatch(r"G\d+/\d{4}/\d{2}", reference), subject
    return rest


def _by_recipient() -> dict[str, mail.EmailMessage]:
    return {message.to[0].split("<")[1].rstrip(">"): message for message in mail.outbox}


def _calendar(message) -> icalendar.Calendar:
    (attachment,) = [a for a in message.attachments if a[0] == "invite.ics"]
    return icalendar.Calendar.from_ical(attachment[1])


def test_scheduling_sends_each_invitee_one_invitation_after_commit(
    cast, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        meeting_schedule(meeting=meeting, by=None)
        assert Notice.objects.filter(meeting=meeting, kind="invitation").count() == 3
    assert len(mail.outbox) == 0  # nothing leaves before the transaction commits
    # Besides delivery, the commit hands the search index its changes (portal.indexing).
    (deliver,) = [callback for callback in callbacks if callback is outbox.dispatch_soon]

    deliver()

    assert sorted(_by_recipient()) == sorted(
        [cast.member_person.email, cast.observer_person.email, cast.chair_person.email]
    )
    assert set(Notice.objects.values_list("status", flat=True)) == {"sent"}


def test_invitation_carries_a_calendar_request_with_the_meetings_zone(
    cast, meeting, django_capture_on_commit_callbacks
):
    _schedule(meeting, django_capture_on_commit_callbacks)
    message = _by_recipient()[cast.member_person.email]

    calendar = _calendar(message)
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == meeting_uid(meeting)
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == "Africa/Tripoli"
    assert event["DTSTART"].dt == meeting.start_at
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Africa/Tripoli"]
    assert str(event["ORGANIZER"]) == "mailto:secretariat@tansiq.local"
    (attendee,) = (
        [event["ATTENDEE"]] if not isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    )
    assert str(attendee) == f"mailto:{cast.member_person.email}"


def test_each_invitee_reads_it_in_their_language_with_both_times(
    cast, meeting, languages, django_capture_on_commit_callbacks
):
    _schedule(meeting, django_capture_on_commit_callbacks)
    received = _by_recipient()

    arabic = received[cast.member_person.email]
    french = received[cast.observer_person.email]
    english = received[cast.chair_person.email]
    assert arabic.extra_headers["Content-Language"] == "ar"
    assert 'dir="rtl"' in arabic.alternatives[0][0]
    assert 'dir="ltr"' in french.alternatives[0][0]
    assert _unreferenced(english.subject).startswith("Invitation: Quarterly meeting")
    local = timezone.localtime(meeting.start_at, meeting.zone).strftime("%H:%M")
    utc = meeting.start_at.astimezone(dt.UTC).strftime("%H:%M")
    for message in (arabic, french, english):
        assert f"{local}–" in message.body
        assert f"{utc}–" in message.body
        assert "UTC" in message.body
        assert "Ministry of Planning, Tripoli" in message.body
        assert "text/html" == message.alternatives[0][1]


def test_answer_links_are_signed_and_record_the_answer(
    client, cast, meeting, django_capture_on_commit_callbacks
):
    _schedule(meeting, django_capture_on_commit_callbacks)
    body = _by_recipient()[cast.member_person.email].body
    accept = next(line for line in body.splitlines() if "I will attend" in line).split(": ", 1)[1]
    path = accept.replace("http://127.0.0.1:8000", "")
    invitation = Invitation.objects.get(meeting=meeting, person=cast.member_person)

    assert client.get(path).status_code == 200
    invitation.refresh_from_db()
    assert invitation.response == "pending"  # opening the link changes nothing
    response = client.post(path, {"note": "Will bring the health report"})

    assert response.status_code == 200
    invitation.refresh_from_db()
    assert (invitation.response, invitation.response_note) == (
        "accepted",
        "Will bring the health report",
    )
    assert invitation.responded_by == cast.member


def test_tampered_or_expired_answer_links_change_nothing(
    client, cast, meeting, settings, django_capture_on_commit_callbacks
):
    _schedule(meeting, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(meeting=meeting, person=cast.member_person)
    from meetings.rsvp import rsvp_token

    token = rsvp_token(invitation, "accepted")
    assert client.post(f"/rsvp/{token[:-2]}xx/").status_code == 404
    settings.NOTICE_LINK_MAX_AGE_DAYS = 0
    import time

    time.sleep(1)
    assert client.post(f"/rsvp/{token}/").status_code == 410
    invitation.refresh_from_db()
    assert invitation.response == "pending"


def test_sending_an_alternate_by_link(client, cast, meeting, django_capture_on_commit_callbacks):
    _schedule(meeting, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(meeting=meeting, person=cast.member_person)
    from meetings.rsvp import rsvp_token

    path = f"/rsvp/{rsvp_token(invitation, 'alternate')}/"
    page = client.get(path).content.decode()
    assert cast.member_colleague.full_name in page
    assert cast.outsider_person.full_name not in page

    client.post(path, {"alternate": cast.member_colleague.pk})

    invitation.refresh_from_db()
    assert (invitation.response, invitation.alternate) == ("alternate", cast.member_colleague)


def test_an_update_raises_the_sequence_and_reaches_everyone_once(
    cast, meeting, django_capture_on_commit_callbacks
):
    meeting, _ = _schedule(meeting, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_update(meeting=meeting, venue="Ministry of Foreign Affairs", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=meeting, title="Quarterly meeting (renamed)", by=None)

    assert len(mail.outbox) == 3
    (event,) = _calendar(mail.outbox[0]).walk("VEVENT")
    assert event["SEQUENCE"] == 1
    assert all(_unreferenced(message.subject).startswith("Updated:") for message in mail.outbox)


def test_cancelling_sends_a_calendar_cancel(cast, meeting, django_capture_on_commit_callbacks):
    meeting, _ = _schedule(meeting, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, reason="The venue is unavailable", by=None)

    assert len(mail.outbox) == 3
    calendar = _calendar(mail.outbox[0])
    assert calendar["METHOD"] == "CANCEL"
    assert "The venue is unavailable" in mail.outbox[0].body
    assert not Reminder.objects.filter(meeting=meeting, done_at__isnull=True).exists()


def test_cancelling_a_draft_tells_nobody(cast, meeting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, by=None)

    assert not Notice.objects.exists()
    assert mail.outbox == []


def test_an_invitee_added_later_gets_the_invitation_then(
    cast, meeting, django_capture_on_commit_callbacks
):
    meeting, _ = _schedule(meeting, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(meeting=meeting, person=cast.cochair_person, by=None)

    assert [message.to[0] for message in mail.outbox] == [
        f"{cast.cochair_person.full_name} <{cast.cochair_person.email}>"
    ]


def test_writing_the_same_event_twice_writes_no_second_notice(cast, meeting):
    meeting_schedule(meeting=meeting, by=None)
    count = Notice.objects.count()

    announcements.meeting_announce(meeting, kind=Notice.Kind.INVITATION)

    assert Notice.objects.count() == count


def test_reminders_are_due_times_in_the_database(cast, meeting, django_capture_on_commit_callbacks):
    meeting, _ = _schedule(meeting, django_capture_on_commit_callbacks)
    planned = set(Reminder.objects.filter(meeting=meeting).values_list("kind", "days_before"))
    assert planned == {("meeting", 7), ("meeting", 1), ("answer", 3)}
    seven = Reminder.objects.get(meeting=meeting, kind="meeting", days_before=7)
    assert seven.due_at == meeting.start_at - dt.timedelta(days=7)
    invitation = Invitation.objects.get(meeting=meeting, person=cast.chair_person)
    invitation.response = "declined"
    invitation.save()
    mail.outbox.clear()

    Reminder.objects.filter(meeting=meeting, days_before__in=[7, 3]).update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_due_task() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_due_task() == 0

    reminders = [m for m in mail.outbox if _unreferenced(m.subject).startswith("Reminder:")]
    answer_reminders = [
        m for m in mail.outbox if _unreferenced(m.subject).startswith("Please answer:")
    ]
    assert len(reminders) == 2  # the chair declined
    assert len(answer_reminders) == 2  # member and observer have not answered


def test_rescheduling_moves_the_reminders(cast, meeting, django_capture_on_commit_callbacks):
    meeting, _ = _schedule(meeting, django_capture_on_commit_callbacks)
    later = meeting.start_at + dt.timedelta(days=5)

    meeting_update(meeting=meeting, start_at=later, end_at=later + dt.timedelta(hours=1), by=None)

    one_day = Reminder.objects.get(meeting=meeting, kind="meeting", days_before=1)
    assert one_day.due_at == later - dt.timedelta(days=1)


def test_group_configures_its_reminder_days(cast, meeting, django_capture_on_commit_callbacks):
    group_update(group=cast.mwg, reminder_days=[14, 2], answer_reminder_days=[], by=None)
    meeting.group.refresh_from_db()

    meeting, _ = _schedule(meeting, django_capture_on_commit_callbacks)

    assert set(meeting.reminders.values_list("kind", "days_before")) == {
        ("meeting", 2)  # 14 days before is already past, so it is not planned
    }


def test_bad_reminder_days_are_refused(cast):
    from django.core.exceptions import ValidationError

    from groups.services import group_update

    with pytest.raises(ValidationError, match="whole days between 1 and 365"):
        group_update(group=cast.mwg, reminder_days=[7, "soon"], by=None)
    cast.mwg.refresh_from_db()
    assert cast.mwg.reminder_days == [7, 1]


def test_published_minutes_reach_invitees_and_group_representatives(
    cast, django_capture_on_commit_callbacks
):
    past = timezone.now() - dt.timedelta(days=2)
    held = meeting_create(
        group=cast.health,
        title="Health review",
        start_at=past,
        end_at=past + dt.timedelta(hours=1),
        by=None,
        record_past=True,
    )
    invitation_create(meeting=held, person=cast.cochair_person, by=None)
    meeting_mark_held(meeting=held, by=None)
    minutes = minutes_approve(
        minutes=minutes_save(meeting=held, body="We agreed.", by=None), by=None
    )

    with django_capture_on_commit_callbacks(execute=True):
        minutes_publish(minutes=minutes, by=None)

    recipients = {message.to[0].split("<")[1].rstrip(">") for message in mail.outbox}
    assert recipients == {
        cast.cochair_person.email,
        cast.member_person.email,
        cast.member_colleague.email,
    }
    # The minutes go as the attached PDF (read back in tests/notices/test_minutes_mail.py),
    # the mail linking to their page.
    for message in mail.outbox:
        assert f"/meetings/{held.pk}/minutes/" in message.body
        assert [name for name, _content, _type in message.attachments] == [
            f"minutes-{held.pk}-en.pdf"
        ]


def test_action_point_due_and_overdue_reminders_go_once_to_the_owner(
    cast, django_capture_on_commit_callbacks
):
    past = timezone.now() - dt.timedelta(days=2)
    held = meeting_create(
        group=cast.mwg,
        title="Review",
        start_at=past,
        end_at=past + dt.timedelta(hours=1),
        by=None,
        record_past=True,
    )
    meeting_mark_held(meeting=held, by=None)
    today = timezone.localdate()
    action_point_create(
        meeting=held,
        title="Due soon",
        owner_organisation=cast.moh,
        owner_person=cast.member_person,
        due_on=today + dt.timedelta(days=2),
        by=None,
    )
    action_point_create(
        meeting=held,
        title="Overdue",
        owner_organisation=cast.moh,
        due_on=today - dt.timedelta(days=1),
        by=None,
    )
    action_point_create(
        meeting=held,
        title="Far away",
        owner_organisation=cast.moh,
        due_on=today + dt.timedelta(days=30),
        by=None,
    )

    with django_capture_on_commit_callbacks(execute=True):
        action_points_due_task()
    with django_capture_on_commit_callbacks(execute=True):
        action_points_due_task()

    subjects = sorted(_unreferenced(message.subject) for message in mail.outbox)
    assert len([s for s in subjects if "Due soon" in s]) == 1
    # No owner named: the organisation's representatives in the group hear about it.
    assert len([s for s in subjects if s.startswith("Overdue action point: Overdue")]) == 2
    assert not any("Far away" in s for s in subjects)


def test_transient_failure_is_retried_later_and_permanent_is_recorded(
    cast, meeting, settings, monkeypatch
):
    meeting_schedule(meeting=meeting, by=None)
    failures = iter(
        [
            smtplib.SMTPDataError(421, b"Service busy, try later"),
            smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such mailbox")}),
        ]
    )
    real_send = locmem.EmailBackend.send_messages

    def flaky_send(self, messages):
        error = next(failures, None)
        if error is not None:
            raise error
        return real_send(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", flaky_send)
    settings.NOTICE_RETRY_BASE_SECONDS = 60

    token, claimed = delivery.notices_claim(limit=10)
    delivery.notices_deliver(token, claimed)

    busy, refused, delivered = claimed
    busy.refresh_from_db()
    refused.refresh_from_db()
    delivered.refresh_from_db()
    assert (busy.status, busy.attempts) == ("pending", 1)
    assert busy.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)
    assert "421" in busy.last_error
    assert refused.status == "failed"
    assert "550" in refused.last_error
    assert delivered.status == "sent"
    assert NoticeAttempt.objects.filter(notice=refused, is_permanent=True).count() == 1
    assert len(mail.outbox) == 1
    # Not due yet: nothing is claimed again before its time.
    assert delivery.notices_claim(limit=10)[1] == []


def test_no_more_than_two_messages_are_ever_in_flight(cast, meeting, monkeypatch):
    # The next message is rendered, and taken by the backend, while the one before is
    # marked sent; but handed over only once the one two before is marked: a crash
    # duplicates two messages at most (delivery.IN_DOUBT).
    meeting_schedule(meeting=meeting, by=None)
    events = []
    real_send, real_mark = locmem.EmailBackend.send_messages, delivery._mark_sent

    def send(self, messages):
        events.append(("send", messages[0].extra_headers["X-Tansiq-Notice"]))
        return real_send(self, messages)

    def mark(notice, token):
        events.append(("mark", str(notice.pk)))
        return real_mark(notice, token)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send)
    monkeypatch.setattr(delivery, "_mark_sent", mark)

    token, claimed = delivery.notices_claim(limit=10)
    assert delivery.notices_deliver(token, claimed) == 3

    order = [str(notice.pk) for notice in claimed]
    assert [pk for step, pk in events if step == "send"] == order
    assert [pk for step, pk in events if step == "mark"] == order
    assert events.index(("mark", order[0])) < events.index(("send", order[2])), events
    unmarked = 0
    for step, _ in events:
        unmarked += 1 if step == "send" else -1
        assert unmarked <= 2, events


def test_a_notice_that_cannot_be_built_fails_alone(cast, meeting, monkeypatch):
    """The batch goes on: the one bad notice is failed with its reason and counted; the
    messages before and after it are sent and marked."""
    meeting_schedule(meeting=meeting, by=None)
    real_email_for = delivery.email_for
    rendered = []

    def email_for(notice, invitation, **options):
        rendered.append(notice.pk)
        if len(rendered) == 2:
            raise RuntimeError("template broke")
        return real_email_for(notice, invitation, **options)

    monkeypatch.setattr(delivery, "email_for", email_for)
    token, claimed = delivery.notices_claim(limit=10)
    assert delivery.notices_deliver(token, claimed) == 2

    first, second, third = (Notice.objects.get(pk=notice.pk) for notice in claimed)
    assert len(mail.outbox) == 2
    assert (first.status, third.status) == ("sent", "sent")
    assert (second.status, second.attempts) == ("failed", 1)
    assert "template broke" in second.last_error
    assert second.failed_attempts.get().is_permanent


def test_a_meeting_dated_out_of_range_fails_its_notices_not_another_meetings(
    cast, meeting, monkeypatch
):
    """A date that overflows in the meeting's zone (stored before dates were bounded)
    used to crash the batch and leave the other meeting's notices claimed forever."""
    other = Meeting.objects.get(pk=meeting.pk)
    broken = meeting_create(
        group=cast.mwg,
        title="Far future",
        start_at=other.start_at,
        end_at=other.end_at,
        by=None,
    )
    invitation_create(meeting=broken, person=cast.member_person, by=None)
    meeting_schedule(meeting=broken, by=None)
    meeting_schedule(meeting=meeting, by=None)
    last = dt.datetime(9999, 12, 31, 20, 0, tzinfo=dt.UTC)
    Meeting.objects.filter(pk=broken.pk).update(
        start_at=last, end_at=last + dt.timedelta(hours=2), time_zone="Etc/GMT-14"
    )

    token, claimed = delivery.notices_claim(limit=50)
    delivery.notices_deliver(token, claimed)

    assert Notice.objects.filter(meeting=meeting).exclude(status="sent").count() == 0
    assert Notice.objects.filter(meeting=meeting).count() > 0
    assert set(Notice.objects.filter(meeting=broken).values_list("status", flat=True)) == {"failed"}
    assert not Notice.objects.filter(status="sending").exists()


def test_giving_up_after_the_last_attempt(cast, meeting, settings, monkeypatch):
    settings.NOTICE_MAX_ATTEMPTS = 2
    settings.NOTICE_RETRY_BASE_SECONDS = 0
    meeting_schedule(meeting=meeting, by=None)

    def always_busy(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", always_busy)
    for _ in range(3):
        token, claimed = delivery.notices_claim(limit=10)
        delivery.notices_deliver(token, claimed)

    assert set(Notice.objects.values_list("status", "attempts")) == {("failed", 2)}
    assert Notice.objects.first().last_error.startswith("Gave up after 2 attempts.")


def test_a_person_without_an_address_is_a_failed_notice_with_the_reason(
    cast, meeting, django_capture_on_commit_callbacks
):
    person_update(person=cast.observer_person, email="", by=None)

    _schedule(meeting, django_capture_on_commit_callbacks)

    failed = Notice.objects.get(person=cast.observer_person)
    assert failed.status == "failed"
    assert (
        failed.last_error
        == f"PermanentError: {cast.observer_person.full_name} has no e-mail address."
    )


def test_two_workers_never_claim_the_same_notice(cast, meeting):
    meeting_schedule(meeting=meeting, by=None)

    _, first = delivery.notices_claim(limit=2)
    _, second = delivery.notices_claim(limit=10)

    assert len(first) == 2
    assert len(second) == 1
    assert not {n.pk for n in first} & {n.pk for n in second}


def test_a_claim_reads_back_its_rows_by_key_not_by_searching_for_its_token(
    cast, meeting, django_assert_max_num_queries
):
    """A fan-out leaves many rows "sending" a moment ago; the read-back of a claim looks
    up the ids it asked for, and gets its own rows only."""
    meeting_schedule(meeting=meeting, by=None)
    _, first = delivery.notices_claim(limit=2)

    with django_assert_max_num_queries(8) as queries:
        _, second = delivery.notices_claim(limit=10)

    read_back = next(
        q["sql"]
        for q in queries.captured_queries
        if "claim_token" in q["sql"] and q["sql"].lstrip().startswith("SELECT")
    )
    assert re.search(r'"notices_notice"\."id" IN \(', read_back)
    # Not by status either: PostgreSQL answered that from the status index, full of
    # rows "sending" a moment ago; and only what an invitation has is joined.
    where = read_back.split(" WHERE ", 1)[1]
    assert '"status"' not in where
    assert "meetings_actionpoint" not in read_back
    assert "notices_webhookendpoint" not in read_back
    # The meeting is read once for the batch, with its own series, not joined to each.
    assert "meetings_meeting" not in read_back
    (meetings_read,) = (
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().startswith('SELECT "meetings_meeting"."id"')
    )
    assert "meetings_meetingseries" in meetings_read
    assert [n.pk for n in second] == sorted(
        set(Notice.objects.values_list("pk", flat=True)) - {n.pk for n in first}
    )
    assert {n.status for n in second} == {Notice.Status.SENDING}


def test_a_mark_writes_the_row_of_its_own_claim_alone(cast, meeting):
    """The mark is one statement written once (delivery._mark_sent_sql): it sets the
    row sent, with the time, only while the row is still this claim's."""
    meeting_schedule(meeting=meeting, by=None)
    token, (first, second, third) = delivery.notices_claim(limit=10)
    Notice.objects.filter(pk=first.pk).update(last_error="An earlier try failed.")
    before = timezone.now()

    delivery._mark_sent(first, token)
    delivery._mark_sent(second, "another-workers-token")
    Notice.objects.filter(pk=third.pk).update(claim_token="reclaimed")
    delivery._mark_sent(third, token)

    rows = {n.pk: n for n in Notice.objects.all()}
    assert rows[first.pk].status == Notice.Status.SENT
    assert before <= rows[first.pk].sent_at <= timezone.now()
    assert (rows[first.pk].claim_token, rows[first.pk].last_error) == ("", "")
    for untouched, token_left in ((second, token), (third, "reclaimed")):
        row = rows[untouched.pk]
        assert (row.status, row.sent_at, row.claim_token) == (
            Notice.Status.SENDING,
            None,
            token_left,
        )


def test_a_claim_of_every_kind_of_notice_brings_what_each_is_about(
    cast, due_points, django_assert_max_num_queries, django_assert_num_queries
):
    """What an invitation does not have (a series, an action point, a webhook endpoint)
    is fetched by key for the notices that have it, one query each, so that delivering
    any of them asks nothing more."""
    webhook_endpoint_register(organisation=cast.moh, url="https://hooks.example.org/", by=None)
    series = series_create(
        group=cast.mwg,
        by=None,
        title="Monthly coordination",
        frequency=MeetingSeries.Frequency.MONTHLY_DAY,
        month_day=15,
        start_time=dt.time(10, 0),
        duration_minutes=120,
        time_zone="Africa/Tripoli",
        venue="Ministry of Foreign Affairs, Tripoli",
        starts_on=timezone.localdate() + dt.timedelta(days=40),
        count=2,
        create_ahead_days=400,
    )
    series_schedule(series=series, by=cast.secretariat)
    action_points_remind_due()
    kinds = set(Notice.objects.values_list("kind", "channel"))
    assert {
        (Notice.Kind.SERIES_INVITATION, Notice.Channel.EMAIL),
        (Notice.Kind.SERIES_INVITATION, Notice.Channel.WEBHOOK),
        (Notice.Kind.ACTION_DUE, Notice.Channel.EMAIL),
    } <= kinds

    # The ids, the update, the notices with their meeting and reader, then the series,
    # endpoints and action points by key, and the meetings' agendas and labels.
    with django_assert_max_num_queries(9):
        _, claimed = delivery.notices_claim(limit=100)

    assert len(claimed) == Notice.objects.count()
    with django_assert_num_queries(0):
        for notice in claimed:
            if notice.series_id:
                assert notice.series.group.name == cast.mwg.name
            if notice.endpoint_id:
                assert notice.endpoint.organisation_id == cast.moh.pk
            if notice.action_point_id:
                point = notice.action_point
                assert (point.meeting.group.pk, point.owner_organisation.pk) == (
                    cast.mwg.pk,
                    cast.moh.pk,
                )


def test_the_sweep_frees_claims_of_dead_workers(cast, meeting, settings):
    meeting_schedule(meeting=meeting, by=None)
    _, claimed = delivery.notices_claim(limit=10)
    Notice.objects.update(claimed_at=timezone.now() - dt.timedelta(hours=1))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outbox, "dispatch_soon", lambda: None)
        assert notices_sweep_task() == 3

    assert set(Notice.objects.values_list("status", flat=True)) == {"pending"}


def test_notices_of_a_cancelled_meeting_still_pending_are_skipped(cast, meeting):
    meeting_schedule(meeting=meeting, by=None)
    meeting_cancel(meeting=meeting, by=None)

    token, claimed = delivery.notices_claim(limit=10)
    delivery.notices_deliver(token, claimed)

    kinds = dict(Notice.objects.values_list("kind", "status").distinct())
    assert kinds == {"invitation": "skipped", "cancellation": "sent"}
    assert all(_unreferenced(message.subject).startswith("Cancelled:") for message in mail.outbox)


def test_resend_delivers_a_new_copy(cast, meeting, django_capture_on_commit_callbacks):
    _schedule(meeting, django_capture_on_commit_callbacks)
    original = Notice.objects.get(person=cast.member_person)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        copy = notice_resend(notice=original, by=cast.secretariat)

    copy.refresh_from_db()
    assert copy.status == "sent"
    assert copy.pk != original.pk
    assert len(mail.outbox) == 1
    parsed = email.message_from_bytes(mail.outbox[0].message().as_bytes(), policy=policy.default)
    assert parsed["X-Tansiq-Notice"] == str(copy.pk)


def test_run_notice_jobs_sends_what_beat_would(cast, meeting, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    meeting_schedule(meeting=meeting, by=None)  # notices written, not yet delivered
    Reminder.objects.filter(meeting=meeting, days_before=7).update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_notice_jobs", stdout=out)

    assert "Reminders written: 1;" in out.getvalue()
    assert "expired API tokens deleted: 0, expired sessions deleted: 0." in out.getvalue()
    subjects = sorted(_unreferenced(message.subject).split(":")[0] for message in mail.outbox)
    assert subjects == ["Invitation"] * 3 + ["Reminder"] * 3
    assert not Notice.objects.exclude(status="sent").exists()


def test_the_calendar_rides_inside_the_alternatives_too_as_outlook_expects(
    cast, meeting, django_capture_on_commit_callbacks
):
    _schedule(meeting, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, reason="Postponed", by=None)

    for sent in mail.outbox:
        parsed = email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)
        (alternative,) = [
            p for p in parsed.walk() if p.get_content_type() == "multipart/alternative"
        ]
        inline = [p for p in alternative.iter_parts() if p.get_content_type() == "text/calendar"]
        attached = [p for p in parsed.iter_attachments() if p.get_filename() == "invite.ics"]
        assert len(inline) == 1
        assert len(attached) == 1
        method = "CANCEL" if _unreferenced(sent.subject).startswith("Cancelled") else "REQUEST"
        assert inline[0].get_param("method") == method
        inline_event = icalendar.Calendar.from_ical(inline[0].get_content()).walk("VEVENT")[0]
        attached_event = icalendar.Calendar.from_ical(attached[0].get_content()).walk("VEVENT")[0]
        assert inline_event["UID"] == attached_event["UID"]
        assert inline_event["SEQUENCE"] == attached_event["SEQUENCE"]


def test_the_calendar_summary_names_the_group_once_in_the_readers_language(
    cast, meeting, languages, django_capture_on_commit_callbacks
):
    group_update(group=cast.mwg, name_ar="مجموعة عمل الهجرة", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_schedule(meeting=meeting, by=None)
    renamed = meeting_update(meeting=meeting, title="Migration Working Group: Q4", by=None)

    summaries = {
        message.to[0]: str(_calendar(message).walk("VEVENT")[0]["SUMMARY"])
        for message in mail.outbox
    }
    arabic = next(s for to, s in summaries.items() if "member@" in to)
    english = next(s for to, s in summaries.items() if "chair@" in to)
    # After the meeting's reference (tests/notices/test_notice_references.py).
    assert arabic == f"{renamed.reference} مجموعة عمل الهجرة: Quarterly meeting"
    assert english == f"{renamed.reference} Migration Working Group: Quarterly meeting"
    assert event_summary(renamed, "en") == f"{renamed.reference} Migration Working Group: Q4"


def test_the_answer_page_looks_like_the_portal_in_the_invitees_language(
    client, cast, meeting, languages, django_capture_on_commit_callbacks
):
    _schedule(meeting, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(meeting=meeting, person=cast.member_person)  # Arabic
    path = f"/rsvp/{rsvp_token(invitation, 'accepted')}/"

    arabic = client.get(path, headers={"accept-language": "en"}).content.decode()
    client.cookies["django_language"] = "fr"
    french = client.get(path, headers={"accept-language": "en"}).content.decode()

    assert '<html lang="ar" dir="rtl">' in arabic
    assert "css/tansiq.css" in arabic  # the portal's styles, header and language switch
    assert 'name="language"' in arabic
    assert "Confirm" not in arabic
    assert '<html lang="fr" dir="ltr">' in french


def test_the_alternate_gets_the_invitation_the_updates_and_a_line_in_the_register(
    client, cast, meeting, django_capture_on_commit_callbacks
):
    _schedule(meeting, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(meeting=meeting, person=cast.member_person)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        invitation_respond(
            invitation=invitation, response="alternate", alternate=cast.member_colleague, by=None
        )
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_update(meeting=meeting, venue="Ministry of Health, Tripoli", by=None)

    to_alternate = [m for m in mail.outbox if cast.member_colleague.email in m.to[0]]
    assert [_unreferenced(m.subject).split(":")[0] for m in to_alternate] == [
        "Invitation",
        "Updated",
    ]
    invited = to_alternate[0]
    assert "in place of " + cast.member_person.full_name in invited.body
    assert "/rsvp/" not in invited.body  # the answer is the invitee's, and it is given
    (event,) = _calendar(invited).walk("VEVENT")
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{cast.member_colleague.email}"
    assert str(event["UID"]) == meeting.calendar_uid

    client.force_login(cast.secretariat)
    page = client.get(f"/meetings/{meeting.pk}/attendance/").content.decode()
    assert cast.member_colleague.full_name in page
    assert "sent in place of" in page


def test_an_update_tells_each_reader_their_answer_in_their_language(
    cast, meeting, languages, django_capture_on_commit_callbacks
):
    from django.utils import translation

    meeting, _callbacks = _schedule(meeting, django_capture_on_commit_callbacks)
    answers = {
        cast.member_person: Invitation.Response.ACCEPTED,  # reads Arabic
        cast.observer_person: Invitation.Response.DECLINED,  # reads French
        cast.chair_person: Invitation.Response.TENTATIVE,  # reads English
    }
    for person, response in answers.items():
        invitation = Invitation.objects.get(meeting=meeting, person=person)
        invitation_respond(invitation=invitation, response=response, by=person.user)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=meeting, venue="Ministry of Labour, Tripoli", by=None)

    received = _by_recipient()
    for person, response in answers.items():
        with translation.override(person.preferred_language):
            label = str(Invitation.Response(response).label)
            now = str(translation.gettext("now"))
        assert f"({now}: {label}):" in received[person.email].body, person.preferred_language
