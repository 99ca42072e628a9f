"""Who hears about what happens to a meeting, and what the notice carries.

The meeting services call these inside their transactions; each picks the
recipients (among those the event concerns, the people and organisations its labels
let see it: meetings.audience), freezes the event's state as the payload and hands
both to the outbox, the only part of the notices app the meetings app uses.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from groups.selectors import current_memberships, current_representatives, restricted_to_prefetch
from meetings.audience import (
    MeetingRecord,
    Reader,
    is_restricted,
    organisation_may_see,
    people_who_may_see,
    record_group_id,
    seen_by,
)
from meetings.models import ActionPoint, Invitation, Meeting, MeetingSeries, Minutes
from meetings.selectors import people_holding_meeting
from meetings.series import rrule_text
from members.models import Person
from notices import outbox
from notices.outbox import NoticeKind
from portal.api.serializers import utc_iso
from portal.trials import rolled_back


def meeting_payload(meeting: Meeting) -> dict[str, Any]:
    return {
        "meeting": {
            "id": meeting.pk,
            "reference": meeting.reference,
            "title": meeting.title,
            "group": {"id": meeting.group_id, "name": meeting.group.name},
            "status": meeting.status,
            "kind": meeting.kind,
            "start_at": utc_iso(meeting.start_at),
            "end_at": utc_iso(meeting.end_at),
            "time_zone": meeting.time_zone,
            "venue": meeting.venue,
            "online_url": meeting.online_url,
            "sequence": meeting.sequence,
            "cancellation_reason": meeting.cancellation_reason,
            "short_notice": bool(meeting.short_notice_reason),
            "short_notice_reason": meeting.short_notice_reason,
        }
    }


def _webhook_organisations(record: MeetingRecord) -> list[int] | None:
    """The member organisations of the record's group whose endpoints may hear of it:
    None (all of them) unless the record or its meeting is restricted."""
    if not is_restricted(record):
        return None
    group_id = record_group_id(record)
    members = current_memberships().filter(group_id=group_id)
    return [
        organisation_id
        for organisation_id in members.values_list("organisation_id", flat=True)
        if organisation_may_see(organisation_id, record)
    ]


def meeting_announce(
    meeting: Meeting,
    *,
    kind: str,
    people: Iterable[Person] | None = None,
    extra: dict[str, Any] | None = None,
) -> int:
    """An e-mail per invitee and alternate sent (or per person given) and, when they are
    all told, a webhook call per subscribed member organisation: of those, only the
    people and organisations who may see the meeting (meetings.audience)."""
    payload = {**meeting_payload(meeting), **(extra or {})}
    version = f"s{meeting.sequence}"
    if extra and "days_before" in extra:
        version += f"-d{extra['days_before']}"
    everyone = people is None
    return outbox.notices_write(
        kind=kind,
        version=version,
        payload=payload,
        people=meeting_audience(meeting) if people is None else people_who_may_see(people, meeting),
        webhook_group_id=meeting.group_id if everyone else None,
        webhook_organisation_ids=_webhook_organisations(meeting),
        meeting=meeting,
    )


def meeting_audience(meeting: Meeting) -> list[Person]:
    """Whom a notice about the whole meeting (its invitation, update, cancellation) is
    e-mailed to: its invitees and their alternates, those of them who may see it."""
    return people_who_may_see(people_holding_meeting(meeting), meeting)


def update_addressees(meeting: Meeting) -> outbox.Addressees:
    """Whom the update that the meeting's last change wrote goes to, read back from the
    outbox (the people e-mailed, the organisations whose systems are called)."""
    return outbox.notices_addressed(
        kind=NoticeKind.UPDATE, version=f"s{meeting.sequence}", meeting=meeting
    )


def update_as_previewed(
    meeting: Meeting, *, sequence_before: int, sequence: object, addressees: object
) -> bool:
    """Whether the change just written to the meeting, whose notice sequence was
    `sequence_before` (read under its lock), sends what a preview showed: from the
    `sequence` the preview saw, no update when it showed none (`addressees` empty), or
    else the next update, to the `addressees` it showed (their digest). Asked in the
    writing transaction, which rolls back if not."""
    if str(sequence) != str(sequence_before):
        return False
    if not addressees:
        return meeting.sequence == sequence_before
    return (
        meeting.sequence == sequence_before + 1
        and update_addressees(meeting).digest() == addressees
    )


def series_payload(series: MeetingSeries, occurrences: Iterable[Meeting]) -> dict[str, Any]:
    """The series as it stands (its rule as an RRULE too) and its announced occurrences."""
    return {
        "series": {
            "id": series.pk,
            "title": series.title,
            "group": {"id": series.group_id, "name": series.group.name},
            "status": series.status,
            "kind": series.kind,
            "rule": rrule_text(series),
            "start_time": series.start_time.strftime("%H:%M"),
            "duration_minutes": series.duration_minutes,
            "time_zone": series.time_zone,
            "venue": series.venue,
            "online_url": series.online_url,
            "starts_on": series.starts_on.isoformat(),
            "ends_on": series.ends_on.isoformat() if series.ends_on else None,
            "count": series.count,
            "sequence": series.sequence,
        },
        "occurrences": [
            {
                "id": occurrence.pk,
                "reference": occurrence.reference,
                "status": occurrence.status,
                "start_at": utc_iso(occurrence.start_at),
                "end_at": utc_iso(occurrence.end_at),
                "slot": utc_iso(occurrence.occurrence_start or occurrence.start_at),
                "changed_by_hand": occurrence.detached_from_series,
            }
            for occurrence in occurrences
        ],
    }


def series_announce(
    series: MeetingSeries,
    *,
    kind: str,
    people: Iterable[Person] | None = None,
    extra: dict[str, Any] | None = None,
) -> int:
    """One e-mail per person about the whole series (its calendar holds the rule, the
    cancelled dates and the meetings changed by hand) to everyone invited to one of its
    announced meetings, or to `people`; when all are told, a webhook call per subscribed
    member organisation. One notice per person and version of the series. Of those, only
    the people and organisations who may see one of its meetings, when it has any
    (notices.content leaves out of each mail and call the meetings its reader may not
    see)."""
    occurrences = series.occurrences.exclude(status=Meeting.Status.DRAFT).order_by(
        "occurrence_start"
    )
    payload = {**series_payload(series, occurrences), **(extra or {})}
    everyone = people is None
    if people is None:
        people = Person.objects.filter(
            pk__in=Invitation.objects.filter(meeting__in=occurrences).values("person_id")
        )
    restricted = [occurrence for occurrence in occurrences if is_restricted(occurrence)]
    organisation_ids = None
    if restricted:
        # Someone invited only to restricted meetings they may not see hears nothing.
        announced = list(occurrences.prefetch_related(restricted_to_prefetch()))
        people = [
            person for person in people if series_seen_by(Reader.of_person(person), announced)
        ]
        members = current_memberships().filter(group_id=series.group_id)
        organisation_ids = [
            organisation_id
            for organisation_id in members.values_list("organisation_id", flat=True)
            if series_seen_by(Reader.of_organisation(organisation_id), announced)
        ]
    return outbox.notices_write(
        kind=kind,
        version=f"s{series.sequence}",
        payload=payload,
        people=people,
        webhook_group_id=series.group_id if everyone else None,
        webhook_organisation_ids=organisation_ids,
        series=series,
    )


def series_seen_by(reader: Reader, occurrences: list[Meeting]) -> bool:
    """Whether a series' notice has anything to tell the reader: a series none of whose
    meetings is announced yet is the group's rhythm, seen by its members; otherwise
    the reader must see one of its meetings."""
    return not occurrences or bool(seen_by(reader, occurrences))


def alternate_announce(invitation: Invitation) -> int:
    """The alternate an invitee sends gets the invitation and its calendar file."""
    meeting = invitation.meeting
    if invitation.alternate is None or meeting.status != Meeting.Status.SCHEDULED:
        return 0
    return outbox.notices_write(
        kind=NoticeKind.INVITATION,
        version=f"s{meeting.sequence}-for{invitation.pk}",
        payload={**meeting_payload(meeting), "in_place_of": invitation.person_id},
        people=people_who_may_see([invitation.alternate], meeting),
        meeting=meeting,
    )


def minutes_readers_when_published(meeting: Meeting) -> list[Person]:
    """Whom publishing approved minutes would mail: minutes_readers asked of the
    minutes marked published in a transaction rolled back at once, so that the preview
    and the mail are decided by the very same rules (who may see published minutes)."""

    def readers() -> list[Person]:
        Minutes.objects.filter(meeting=meeting).update(
            status=Minutes.Status.PUBLISHED, published_at=timezone.now()
        )
        return minutes_readers(Meeting.objects.select_related("minutes").get(pk=meeting.pk))

    return rolled_back(readers)


def minutes_readers(meeting: Meeting) -> list[Person]:
    """Whom published minutes are mailed to: the invitees, the walk-ins (in the
    register with no invitation) and the group's current representatives and seat
    holders, those of them who may see the minutes."""
    group_people = Q(
        representations__in=current_representatives().filter(membership__group_id=meeting.group_id)
    ) | Q(held_seats__in=current_memberships().filter(group_id=meeting.group_id))
    walk_ins = Q(attendance__meeting=meeting, attendance__invitation__isnull=True)
    people = (
        Person.objects.filter(Q(invitations__meeting=meeting) | walk_ins | group_people)
        .distinct()
        .select_related("organisation")
        .order_by("organisation__name", "full_name")
    )
    return people_who_may_see(people, meeting.minutes)


def minutes_announce(meeting: Meeting) -> int:
    """Minutes to the invitees, the walk-ins (in the register with no invitation) and
    the group's current representatives and seat holders, and to the member
    organisations' endpoints: those who may see them. The e-mail carries the decisions
    and action points, and the minutes as PDF (notices.minutes_mail)."""
    minutes = meeting.minutes
    payload = meeting_payload(meeting)
    payload["minutes"] = {"id": minutes.pk, "body": minutes.body}
    return outbox.notices_write(
        kind=NoticeKind.MINUTES,
        version="1",
        payload=payload,
        people=minutes_readers(meeting),
        webhook_group_id=meeting.group_id,
        webhook_organisation_ids=_webhook_organisations(minutes),
        meeting=meeting,
    )


def action_point_announce(action_point: ActionPoint, *, stage: str) -> int:
    """A due-soon or overdue reminder to the owner (or, with no owner named, the owner
    organisation's representatives in the group), once per stage and due date, to those
    of them who may see the action point: the label holds for its owner too."""
    owner = action_point.owner_person
    if owner is not None:
        people: Iterable[Person] = [owner]
    else:
        people = Person.objects.filter(
            representations__in=current_representatives().filter(
                membership__group_id=action_point.meeting.group_id,
                membership__organisation_id=action_point.owner_organisation_id,
            )
        ).distinct()
    payload = {
        "stage": stage,
        "action_point": {
            "id": action_point.pk,
            "title": action_point.title,
            "due_on": action_point.due_on.isoformat(),
            "status": action_point.status,
            "owner_organisation": {
                "id": action_point.owner_organisation_id,
                "name": action_point.owner_organisation.name,
            },
            "meeting": {
                "id": action_point.meeting_id,
                "reference": action_point.meeting.reference,
                "title": action_point.meeting.title,
            },
        },
    }
    return outbox.notices_write(
        kind=NoticeKind.ACTION_DUE,
        version=f"{stage}-{action_point.due_on.isoformat()}",
        payload=payload,
        people=people_who_may_see(people, action_point),
        webhook_group_id=action_point.meeting.group_id,
        webhook_organisation_id=action_point.owner_organisation_id,
        webhook_organisation_ids=_webhook_organisations(action_point),
        action_point=action_point,
    )


def reminders_plan(meeting: Meeting) -> None:
    """(Re)plan the meeting's reminders from its group's reminder days."""
    outbox.reminders_plan(
        meeting,
        start_at=meeting.start_at,
        meeting_days=meeting.group.reminder_days,
        answer_days=meeting.group.answer_reminder_days,
    )


def reminders_clear(meeting: Meeting) -> None:
    outbox.reminders_clear(meeting)


def reminder_send(reminder_id: int) -> bool:
    """Write the notices of one due reminder, under its row lock. False when another
    worker took it first, or when the meeting is no longer scheduled: that reminder is
    closed without a word, since nobody is reminded of a cancelled or held meeting."""
    reminder = outbox.reminder_take(reminder_id)
    if reminder is None:
        return False
    meeting = Meeting.objects.select_related("group").get(pk=reminder.meeting_id)
    sent = meeting.status == Meeting.Status.SCHEDULED
    if sent:
        invitations = meeting.invitations.exclude(response=Invitation.Response.DECLINED)
        if reminder.kind == outbox.ReminderKind.ANSWER:
            invitations = invitations.filter(response=Invitation.Response.PENDING)
            kind = NoticeKind.ANSWER_REMINDER
        else:
            kind = NoticeKind.REMINDER
        meeting_announce(
            meeting,
            kind=kind,
            people=Person.objects.filter(invitations__in=invitations),
            extra={"days_before": reminder.days_before},
        )
    outbox.reminder_mark_done(reminder)
    return sent


def minutes_cycle_payload(minutes: Minutes) -> dict[str, Any]:
    return {
        **meeting_payload(minutes.meeting),
        "minutes_circulated": {
            "id": minutes.pk,
            "version": minutes.version,
            "circulated_at": utc_iso(minutes.circulated_at) if minutes.circulated_at else None,
            "comments_until": utc_iso(minutes.comments_until) if minutes.comments_until else None,
        },
    }


def _invited_organisation_ids(meeting: Meeting) -> set[int]:
    return set(
        meeting.invitations.filter(organisation__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )


def minutes_circulated_announce(minutes: Minutes) -> int:
    """The draft circulated for comments: to the invitees who were invited for their
    organisation, and to those organisations' endpoints, of them those who may read
    the draft (its label; meetings.audience). One notice per version and closing date."""
    meeting = minutes.meeting
    organisation_ids = _invited_organisation_ids(meeting)
    people = Person.objects.filter(
        invitations__meeting=meeting, invitations__organisation__isnull=False
    ).distinct()
    return _minutes_cycle_write(
        minutes, kind=NoticeKind.MINUTES_CIRCULATED, people=people, organisations=organisation_ids
    )


def comments_reminder_announce(minutes: Minutes, *, organisation_ids: set[int]) -> int:
    """The one reminder that the comment period is closing, to the invitees of the
    organisations that may comment and have not (`organisation_ids`)."""
    people = Person.objects.filter(
        invitations__meeting=minutes.meeting,
        invitations__organisation_id__in=sorted(organisation_ids),
    ).distinct()
    return _minutes_cycle_write(
        minutes, kind=NoticeKind.COMMENTS_REMINDER, people=people, organisations=organisation_ids
    )


def _minutes_cycle_write(
    minutes: Minutes, *, kind: str, people: Iterable[Person], organisations: set[int]
) -> int:
    meeting = minutes.meeting
    until = minutes.comments_until
    return outbox.notices_write(
        kind=kind,
        version=f"v{minutes.version}-{until:%Y%m%d%H%M}" if until else f"v{minutes.version}",
        payload=minutes_cycle_payload(minutes),
        people=people_who_may_see(people, minutes),
        webhook_group_id=meeting.group_id,
        webhook_organisation_ids=[
            organisation_id
            for organisation_id in sorted(organisations)
            if organisation_may_see(organisation_id, minutes)
        ],
        meeting=meeting,
    )
