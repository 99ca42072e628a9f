"""Confidentiality labels where meetings leave the portal: the e-mails (read back with
the standard library's parser), the webhook calls (received by a real HTTP server) and
the personal calendar feed (read with icalendar and with ical.js, as Thunderbird and
Nextcloud read it). Each reader gets what meetings.audience lets them see; a reader who
may not see a restricted meeting or row gets nothing of it: no row written, nothing
delivered, no word of it in what they do get."""

import datetime as dt
import json

import icalendar
import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groups.services import confidentiality_set
from meetings import announcements
from meetings.models import Meeting, MeetingSeries
from meetings.services import (
    action_point_create,
    decision_add,
    invitation_create,
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
from notices.content import invitation_previews
from notices.models import Notice
from notices.outbox import NoticeKind
from notices.services import webhook_endpoint_register
from tests.labels.outbound import (
    CLOSED_DESCRIPTION,
    CLOSED_ITEM,
    CLOSED_TITLE,
    CLOSED_WORDS,
    MEMBERS,
    NAMED,
    NOT_NAMED,
    OPEN_ITEMS,
    OPEN_TITLE,
    READERS,
    RESTRICTED,
    RESTRICTED_ITEM,
    inbox,
    inbox_of,
    mentions,
    people_of,
    scene,
)
from tests.notices.test_calendar_readers import read_with_ical_js
from tests.servers import start_receiver

pytestmark = pytest.mark.django_db
EMAIL = Notice.Channel.EMAIL
WEBHOOK = Notice.Channel.WEBHOOK


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_INSECURE = True
    receiver, server = start_receiver()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield receiver
    server.shutdown()


@pytest.fixture
def endpoints(cast, receiver):
    """An endpoint for the chair's, the co-chair's, the member's and the observer's
    organisation, all calling the one receiver."""
    organisations = {"mofa": cast.mofa, "iom": cast.iom, "moh": cast.moh, "embassy": cast.embassy}
    return {
        name: webhook_endpoint_register(organisation=organisation, url=receiver.url, by=None)
        for name, organisation in organisations.items()
    }


def _called(receiver, endpoints) -> dict[str, list[dict]]:
    """The bodies the receiver got, by the endpoint each was sent to."""
    names = {endpoint.pk: name for name, endpoint in endpoints.items()}
    called: dict[str, list[dict]] = {}
    for call in receiver.calls:
        body = json.loads(call["body"])
        endpoint_id = Notice.objects.get(pk=body["id"]).endpoint_id
        called.setdefault(names[endpoint_id], []).append(body)
    return called


def _deliver(capture, action):
    """Do it in a transaction of its own, as a request or a task would, and deliver
    what it wrote when that commits."""
    with capture(execute=True), transaction.atomic():
        return action()


def _email_notices(meeting) -> set[int]:
    return set(
        Notice.objects.filter(meeting=meeting, channel=EMAIL).values_list("person_id", flat=True)
    )


# --- The invitation and what follows it -------------------------------------------------


@pytest.mark.parametrize("reader", READERS)
def test_the_invitation_lists_only_the_agenda_items_its_reader_may_see(
    cast, reader, django_capture_on_commit_callbacks
):
    world = scene(cast)

    _deliver(
        django_capture_on_commit_callbacks,
        lambda: meeting_schedule(meeting=world.open, by=cast.secretariat),
    )

    (received,) = inbox_of(world.people[reader])
    assert OPEN_TITLE in received.subject
    assert mentions([received], *OPEN_ITEMS.values()) == list(OPEN_ITEMS.values())
    # Left out, not shown as a placeholder: not its title, nor that there is one.
    expected = [RESTRICTED_ITEM] if reader in NAMED else []
    assert mentions([received], RESTRICTED_ITEM) == expected


def test_a_restricted_meeting_is_announced_only_to_the_people_it_names(
    cast, django_capture_on_commit_callbacks
):
    world = scene(cast)

    _deliver(
        django_capture_on_commit_callbacks,
        lambda: meeting_schedule(meeting=world.closed, by=cast.secretariat),
    )

    assert _email_notices(world.closed) == {world.people[name].pk for name in NAMED}
    for name in NAMED:
        (received,) = inbox_of(world.people[name])
        # The agenda in the text, the description in the calendar file.
        assert mentions([received], *CLOSED_WORDS) == list(CLOSED_WORDS)
    for name in NOT_NAMED:
        assert inbox_of(world.people[name]) == []
    assert len(mail.outbox) == len(NAMED)


def test_updates_reminders_and_the_cancellation_of_a_restricted_meeting_skip_the_others(
    cast, django_capture_on_commit_callbacks
):
    world = scene(cast)
    capture = django_capture_on_commit_callbacks
    closed = _deliver(capture, lambda: meeting_schedule(meeting=world.closed, by=None))
    mail.outbox.clear()

    _deliver(capture, lambda: meeting_update(meeting=closed, venue="Room 4", by=None))
    # A reminder asked for everyone invited, as the reminder beat would.
    _deliver(
        capture,
        lambda: announcements.meeting_announce(
            Meeting.objects.get(pk=closed.pk),
            kind=NoticeKind.REMINDER,
            people=list(world.people.values()),
            extra={"days_before": 1},
        ),
    )
    _deliver(capture, lambda: meeting_cancel(meeting=closed, reason="Postponed", by=None))

    for name in NAMED:
        kinds = [message.subject.split(":")[0] for message in inbox_of(world.people[name])]
        assert len(kinds) == 3, kinds
    for name in NOT_NAMED:
        assert inbox_of(world.people[name]) == []
    denied = {world.people[name].pk for name in NOT_NAMED}
    assert not Notice.objects.filter(meeting=closed, person__in=denied).exists()


def test_a_label_set_after_the_invitation_was_written_holds_it_back(
    cast, endpoints, receiver, django_capture_on_commit_callbacks
):
    world = scene(cast)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        meeting_schedule(meeting=world.open, by=cast.secretariat)
    assert _email_notices(world.open) == {person.pk for person in world.people.values()}

    confidentiality_set(
        record=world.open,
        confidentiality=RESTRICTED,
        restricted_to=[cast.moh],
        by=cast.secretariat,
    )
    for callback in callbacks:
        callback()

    for name in NAMED:
        assert len(inbox_of(world.people[name])) == 1
    for name in NOT_NAMED:
        assert inbox_of(world.people[name]) == []
        notice = Notice.objects.get(meeting=world.open, person=world.people[name])
        assert notice.status == Notice.Status.SKIPPED
        assert "confidentiality" in notice.last_error
    assert mentions(inbox(), OPEN_TITLE) == [OPEN_TITLE]
    called = _called(receiver, endpoints)
    assert sorted(called) == ["iom", "mofa", "moh"]
    skipped = Notice.objects.get(meeting=world.open, endpoint=endpoints["embassy"])
    assert skipped.status == Notice.Status.SKIPPED


def test_the_invitation_preview_counts_only_those_the_meeting_names(cast):
    world = scene(cast)

    previews = invitation_previews(world.closed, world.people.values(), reference="G9/2030/01")

    assert sum(preview.recipient_count for preview in previews) == len(NAMED)
    named = {world.people[name].pk for name in NAMED}
    assert {preview.recipient.pk for preview in previews} <= named


# --- Minutes and action points ----------------------------------------------------------

DECISIONS = {"members": "Adopt the referral pathway", "restricted": "Share the border figures"}
ACTIONS = {"members": "Draft the pathway note", "restricted": "Verify the border figures"}


def _held(cast, capture, meeting):
    held = meeting_mark_held(meeting=meeting, by=None)
    decision_add(meeting=held, text=DECISIONS["members"], confidentiality=MEMBERS, by=None)
    decision_add(
        meeting=held,
        text=DECISIONS["restricted"],
        confidentiality=RESTRICTED,
        restricted_to=[cast.moh],
        by=None,
    )
    action_point_create(
        meeting=held,
        title=ACTIONS["members"],
        owner_organisation=cast.moh,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        confidentiality=MEMBERS,
        by=None,
    )
    # Restricted to the chair's organisation, owned by the co-chair's: the member's
    # ministry is not named.
    action_point_create(
        meeting=held,
        title=ACTIONS["restricted"],
        owner_organisation=cast.iom,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        confidentiality=RESTRICTED,
        restricted_to=[cast.mofa],
        by=None,
    )
    minutes = minutes_save(meeting=held, body="The group met.", confidentiality=MEMBERS, by=None)
    minutes_approve(minutes=minutes, by=None)
    mail.outbox.clear()
    _deliver(capture, lambda: minutes_publish(minutes=minutes, by=None))
    return held


MINUTES_SEEN = {
    "chair": {*DECISIONS.values(), *ACTIONS.values()},
    "cochair": {*DECISIONS.values(), *ACTIONS.values()},
    "member": {DECISIONS["members"], DECISIONS["restricted"], ACTIONS["members"]},
    "colleague": {DECISIONS["members"], DECISIONS["restricted"], ACTIONS["members"]},
    "observer": {DECISIONS["members"], ACTIONS["members"]},
    "guest": {DECISIONS["members"], ACTIONS["members"]},
    "outsider": {DECISIONS["members"], ACTIONS["members"]},
}


@pytest.mark.parametrize("reader", sorted(MINUTES_SEEN))
def test_the_minutes_mail_names_only_the_decisions_and_action_points_its_reader_may_see(
    cast, reader, django_capture_on_commit_callbacks
):
    start = timezone.now() - dt.timedelta(days=3)
    world = scene(cast, start=start, record_past=True)

    _held(cast, django_capture_on_commit_callbacks, world.open)

    person = cast.cochair_person if reader == "cochair" else world.people[reader]
    (received,) = inbox_of(person)
    assert "The group met." in received.text
    words = [*DECISIONS.values(), *ACTIONS.values()]
    assert set(mentions([received], *words)) == MINUTES_SEEN[reader]


def test_restricted_minutes_go_only_to_those_who_may_read_them(
    cast, endpoints, receiver, django_capture_on_commit_callbacks
):
    start = timezone.now() - dt.timedelta(days=3)
    world = scene(cast, start=start, record_past=True)
    held = meeting_mark_held(meeting=world.closed, by=None)
    # The minutes take the meeting's label: restricted to the Ministry of Health.
    minutes = minutes_save(meeting=held, body="Figures were shared in confidence.", by=None)
    minutes_approve(minutes=minutes, by=None)

    _deliver(django_capture_on_commit_callbacks, lambda: minutes_publish(minutes=minutes, by=None))

    readers = {world.people[name].pk for name in NAMED} | {cast.cochair_person.pk}
    assert _email_notices(held) == readers
    for name in NOT_NAMED:
        assert inbox_of(world.people[name]) == []
    assert {message.to for message in inbox()} == {
        person.email for person in [*(world.people[n] for n in NAMED), cast.cochair_person]
    }
    called = _called(receiver, endpoints)
    assert sorted(called) == ["iom", "mofa", "moh"]
    assert [body["data"]["minutes"]["body"] for body in called["moh"]] == [
        "Figures were shared in confidence."
    ]
    assert not Notice.objects.filter(meeting=held, endpoint=endpoints["embassy"]).exists()


def test_an_action_point_reminder_reaches_its_owner_without_naming_a_meeting_hidden_from_them(
    cast, endpoints, receiver, django_capture_on_commit_callbacks
):
    start = timezone.now() - dt.timedelta(days=3)
    world = scene(cast, start=start, record_past=True)
    held = meeting_mark_held(meeting=world.closed, by=None)
    action_point = action_point_create(
        meeting=held,
        title="Collect the district returns",
        owner_organisation=cast.moh,
        owner_person=cast.member_colleague,
        due_on=timezone.localdate() + dt.timedelta(days=2),
        by=None,
    )
    # The meeting (and so its action point's label) now names the chair's ministry only.
    confidentiality_set(record=held, confidentiality=RESTRICTED, restricted_to=[cast.mofa], by=None)
    confidentiality_set(
        record=action_point, confidentiality=RESTRICTED, restricted_to=[cast.mofa], by=None
    )
    mail.outbox.clear()

    _deliver(
        django_capture_on_commit_callbacks,
        lambda: announcements.action_point_announce(action_point, stage="soon"),
    )

    (received,) = inbox_of(cast.member_colleague)
    assert "Collect the district returns" in received.subject
    assert mentions([received], *CLOSED_WORDS, held.reference) == []
    (body,) = _called(receiver, endpoints)["moh"]
    assert body["data"]["action_point"]["title"] == "Collect the district returns"
    assert body["data"]["action_point"]["meeting"] == {
        "id": held.pk,
        "reference": "",
        "title": "",
    }
    assert CLOSED_TITLE not in json.dumps(body)


# --- Series ----------------------------------------------------------------------------


@pytest.fixture
def series_with_a_closed_meeting(cast, django_capture_on_commit_callbacks):
    """Three weekly MWG meetings, scheduled (the group invited); then the second is
    restricted to the Ministry of Health and renamed."""
    series = series_create(
        group=cast.mwg,
        title="Weekly coordination",
        frequency=MeetingSeries.Frequency.WEEKLY,
        weekday=2,
        start_time=dt.time(10, 0),
        duration_minutes=60,
        time_zone="Africa/Tripoli",
        starts_on=timezone.localdate() + dt.timedelta(days=20),
        count=3,
        by=cast.secretariat,
    )
    _deliver(
        django_capture_on_commit_callbacks,
        lambda: series_schedule(series=series, by=cast.secretariat),
    )
    occurrences = list(series.occurrences.order_by("occurrence_start"))
    second = _deliver(
        django_capture_on_commit_callbacks,
        lambda: meeting_update(meeting=occurrences[1], title=CLOSED_TITLE, by=None),
    )
    confidentiality_set(
        record=second, confidentiality=RESTRICTED, restricted_to=[cast.moh], by=None
    )
    series.refresh_from_db()
    mail.outbox.clear()
    return series, occurrences


@pytest.mark.parametrize(("reader", "sees"), [("member", True), ("observer", False)])
def test_a_series_mail_leaves_out_the_meetings_its_reader_may_not_see(
    cast, reader, sees, series_with_a_closed_meeting, django_capture_on_commit_callbacks
):
    series, occurrences = series_with_a_closed_meeting
    person = getattr(cast, f"{reader}_person")

    _deliver(
        django_capture_on_commit_callbacks,
        lambda: announcements.series_announce(series, kind=NoticeKind.SERIES_UPDATE),
    )

    (received,) = inbox_of(person)
    assert occurrences[0].reference in received.text
    assert (occurrences[1].reference in received.text) is sees
    assert (CLOSED_TITLE in received.text) is sees
    message = next(m for m in mail.outbox if person.email in m.to[0])
    (attachment,) = [a for a in message.attachments if a[0] == "invite.ics"]
    master = icalendar.Calendar.from_ical(attachment[1]).walk("VEVENT")[0]
    excluded = [moment.dt for moment in master.get("EXDATE").dts] if "EXDATE" in master else []
    assert (occurrences[1].occurrence_start in excluded) is not sees


def test_a_series_webhook_leaves_out_the_meetings_its_organisation_may_not_see(
    cast, endpoints, receiver, series_with_a_closed_meeting, django_capture_on_commit_callbacks
):
    series, occurrences = series_with_a_closed_meeting

    _deliver(
        django_capture_on_commit_callbacks,
        lambda: announcements.series_announce(series, kind=NoticeKind.SERIES_UPDATE),
    )

    called = _called(receiver, endpoints)
    ids = {
        name: [
            entry["id"]
            for body in bodies
            if body["event"] == "series.updated"
            for entry in body["data"]["occurrences"]
        ]
        for name, bodies in called.items()
    }
    every = [meeting.pk for meeting in occurrences]
    assert ids == {
        "mofa": every,
        "iom": every,
        "moh": every,
        "embassy": [occurrences[0].pk, occurrences[2].pk],
    }


# --- Webhooks --------------------------------------------------------------------------


def test_a_restricted_meetings_webhooks_reach_only_the_named_and_the_chairs_organisations(
    cast, endpoints, receiver, django_capture_on_commit_callbacks
):
    world = scene(cast)
    capture = django_capture_on_commit_callbacks

    _deliver(capture, lambda: meeting_schedule(meeting=world.open, by=None))
    _deliver(capture, lambda: meeting_schedule(meeting=world.closed, by=None))

    called = _called(receiver, endpoints)
    titles = {
        name: sorted(body["data"]["meeting"]["title"] for body in bodies)
        for name, bodies in called.items()
    }
    both = sorted([OPEN_TITLE, CLOSED_TITLE])
    assert titles == {"mofa": both, "iom": both, "moh": both, "embassy": [OPEN_TITLE]}
    assert not Notice.objects.filter(meeting=world.closed, endpoint=endpoints["embassy"]).exists()
    for body in called["embassy"]:
        assert CLOSED_TITLE not in json.dumps(body)


# --- The calendar feed -----------------------------------------------------------------


def _feed(client, person, **headers):
    return client.get(f"/calendar/{person.calendar_token}.ics", headers=headers)


@pytest.mark.parametrize("reader", READERS)
def test_the_feed_holds_a_restricted_meeting_only_for_those_it_names(client, cast, reader):
    world = scene(cast)
    meeting_schedule(meeting=world.open, by=None)
    meeting_schedule(meeting=world.closed, by=None)
    person = world.people[reader]

    response = _feed(client, person)

    assert response.status_code == 200
    body = response.content.decode().replace("\r\n ", "")
    uids = {str(event["UID"]) for event in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    events = read_with_ical_js(response.content, script="read_ics_text.mjs")
    if reader in NAMED:
        expected = {world.open.calendar_uid, world.closed.calendar_uid}
        assert CLOSED_TITLE in body
        closed = next(e for e in events if e["uid"] == world.closed.calendar_uid)
        assert closed["description"] == CLOSED_DESCRIPTION
    else:
        expected = {world.open.calendar_uid}
        assert [word for word in CLOSED_WORDS if word in body] == []
        assert [e for e in events if CLOSED_TITLE in json.dumps(e, ensure_ascii=False)] == []
    assert uids == expected
    assert {event["uid"] for event in events} == expected
    # The feed describes meetings, never their agenda items, restricted or not.
    assert RESTRICTED_ITEM not in body
    assert CLOSED_ITEM not in body


def test_a_label_change_is_a_new_version_of_the_feed(client, cast):
    world = scene(cast)
    meeting_schedule(meeting=world.open, by=None)
    # Long unchanged, so a change in the same second is not needed to tell it apart.
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    Meeting.objects.filter(pk=world.open.pk).update(updated_at=an_hour_ago)
    person = people_of(cast)["observer"]
    before = _feed(client, person)
    assert world.open.calendar_uid in before.content.decode()

    confidentiality_set(
        record=world.open, confidentiality=RESTRICTED, restricted_to=[cast.moh], by=None
    )
    by_etag = _feed(client, person, if_none_match=before["ETag"])
    by_date = _feed(client, person, if_modified_since=before["Last-Modified"])

    assert by_etag.status_code == 200
    assert by_etag["ETag"] != before["ETag"]
    assert by_date.status_code == 200
    for response in (by_etag, by_date):
        assert world.open.calendar_uid not in response.content.decode()
        assert OPEN_TITLE not in response.content.decode()


def test_the_feed_of_a_series_leaves_out_the_date_of_a_meeting_its_reader_may_not_see(
    client, cast, series_with_a_closed_meeting
):
    series, occurrences = series_with_a_closed_meeting

    member = _feed(client, cast.member_person).content
    observer = _feed(client, cast.observer_person).content

    def master_exdates(body):
        master = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
        return [moment.dt for moment in master["EXDATE"].dts] if "EXDATE" in master else []

    assert occurrences[1].occurrence_start not in master_exdates(member)
    assert CLOSED_TITLE in member.decode().replace("\r\n ", "")
    assert master_exdates(observer) == [occurrences[1].occurrence_start]
    assert CLOSED_TITLE not in observer.decode().replace("\r\n ", "")
    (event,) = read_with_ical_js(observer, script="expand_ics.mjs")
    starts = [instance["start"] for instance in event["instances"]]
    hidden = occurrences[1].start_at.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    assert len(starts) == 2
    assert hidden.replace("+00:00", "Z") not in starts


def _more_closed_meetings(cast, count: int) -> None:
    start = timezone.now() + dt.timedelta(days=40)
    people = people_of(cast)
    for number in range(count):
        meeting = meeting_create(
            group=cast.mwg,
            title=f"{CLOSED_TITLE} {number}",
            start_at=start + dt.timedelta(days=number),
            end_at=start + dt.timedelta(days=number, hours=1),
            confidentiality=RESTRICTED,
            restricted_to=[cast.moh],
            by=None,
        )
        for person in people.values():
            invitation_create(meeting=meeting, person=person, by=None)
        meeting_schedule(meeting=meeting, by=None)


@pytest.mark.parametrize("reader", ["member", "colleague", "observer"])
def test_the_feed_reads_the_labels_in_a_bounded_number_of_queries(
    client, cast, reader, django_assert_max_num_queries
):
    person = people_of(cast)[reader]
    _more_closed_meetings(cast, 2)
    with CaptureQueriesContext(connection) as few:
        assert _feed(client, person).status_code == 200
    _more_closed_meetings(cast, 8)

    with django_assert_max_num_queries(len(few)):
        response = _feed(client, person)

    shown = response.content.decode().count("SUMMARY:")
    assert shown == (10 if reader in NAMED else 0)
