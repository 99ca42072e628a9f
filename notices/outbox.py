"""The outbox: the one way the rest of the portal says "tell these people".

A service that changes something people must hear about calls `notices_write` inside
its own transaction. The rows are written with the change (one per recipient and
event version, unique by `dedup_key`), so a notice exists exactly when its change
does, and writing the same event twice writes nothing new. Delivery is enqueued
after commit, once per transaction and only when a row was actually inserted; if the
broker is down the enqueue is dropped with a warning and the beat sweep finds the
pending rows later.

This module knows notices, people and webhook endpoints, never meetings: callers
hand it the subject (`meeting=` or `action_point=`), the recipients and the frozen
payload. It enqueues delivery by task name, so importing it pulls in none of the
delivery code.
"""

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from groups.selectors import current_memberships
from members.models import Person
from notices.models import Notice, Reminder, WebhookEndpoint
from portal.celery import app as celery_app

logger = logging.getLogger(__name__)

NoticeKind = Notice.Kind
ReminderKind = Reminder.Kind
DISPATCH_TASK = "notices.tasks.notices_dispatch_task"
EVENT_OF_KIND: dict[str, str] = {
    NoticeKind.INVITATION: "meeting.scheduled",
    NoticeKind.UPDATE: "meeting.updated",
    NoticeKind.CANCELLATION: "meeting.cancelled",
    NoticeKind.REMINDER: "meeting.reminder",
    NoticeKind.ANSWER_REMINDER: "invitation.reminder",
    NoticeKind.MINUTES: "minutes.published",
    NoticeKind.ACTION_DUE: "action_point.due",
    NoticeKind.SERIES_INVITATION: "series.scheduled",
    NoticeKind.SERIES_UPDATE: "series.updated",
    NoticeKind.SERIES_CANCELLATION: "series.cancelled",
    NoticeKind.PAPERS_ADDED: "meeting.papers_added",
    NoticeKind.MINUTES_CIRCULATED: "minutes.circulated",
    NoticeKind.COMMENTS_REMINDER: "minutes.comments_reminder",
    NoticeKind.PROCEDURE: "written_procedure.circulated",
    NoticeKind.PROCEDURE_OUTCOME: "written_procedure.closed",
}


# --- Notices ---------------------------------------------------------------------


def _subject_key(subject: dict[str, models.Model]) -> str:
    return ":".join(f"{name}{value.pk}" for name, value in sorted(subject.items()))


def _endpoints_for(
    group_id: int,
    event: str,
    organisation_id: int | None,
    organisation_ids: Iterable[int] | None = None,
) -> list[WebhookEndpoint]:
    member_organisations = current_memberships().filter(group_id=group_id).values("organisation")
    endpoints = WebhookEndpoint.objects.filter(
        is_active=True, organisation__in=member_organisations
    )
    if organisation_id is not None:
        endpoints = endpoints.filter(organisation_id=organisation_id)
    if organisation_ids is not None:
        endpoints = endpoints.filter(organisation_id__in=list(organisation_ids))
    return [endpoint for endpoint in endpoints if not endpoint.events or event in endpoint.events]


def notices_write(
    *,
    kind: str,
    version: str,
    payload: dict[str, Any],
    people: Iterable[Person] = (),
    webhook_group_id: int | None = None,
    webhook_organisation_id: int | None = None,
    webhook_organisation_ids: Iterable[int] | None = None,
    meeting: models.Model | None = None,
    series: models.Model | None = None,
    action_point: models.Model | None = None,
    procedure: models.Model | None = None,
    not_before: dt.datetime | None = None,
) -> int:
    """Write the notices of one event: an e-mail to each person and, when
    `webhook_group_id` is given, a webhook call to each subscribed endpoint of the
    group's member organisations (only `webhook_organisation_id`'s, if given, and only
    those of `webhook_organisation_ids`, if given: the organisations that may see a
    restricted subject, which the caller knows and the outbox does not).
    `not_before` holds them until then (a batch that gathers what happens meanwhile).

    Returns how many rows are new; rows already written for this event version are
    left as they are.
    """
    subject = {
        name: value
        for name, value in (
            ("meeting", meeting),
            ("series", series),
            ("action_point", action_point),
            ("procedure", procedure),
        )
        if value is not None
    }
    key = _subject_key(subject)
    event = EVENT_OF_KIND[kind]
    held = {"next_attempt_at": not_before} if not_before is not None else {}
    rows = [
        Notice(
            dedup_key=f"{kind}:{key}:{version}:p{person.pk}",
            kind=kind,
            channel=Notice.Channel.EMAIL,
            event=event,
            person=person,
            payload=payload,
            **subject,
            **held,
        )
        for person in people
    ]
    if webhook_group_id is not None:
        rows += [
            Notice(
                dedup_key=f"{event}:{key}:{version}:e{endpoint.pk}",
                kind=kind,
                channel=Notice.Channel.WEBHOOK,
                event=event,
                endpoint=endpoint,
                payload=payload,
                **subject,
                **held,
            )
            for endpoint in _endpoints_for(
                webhook_group_id, event, webhook_organisation_id, webhook_organisation_ids
            )
        ]
    return _insert_new(rows)


@dataclass(frozen=True)
class Addressees:
    """Whom the notices of one event version of a meeting go to: the people e-mailed and
    the organisations whose endpoints are called."""

    person_ids: frozenset[int]
    endpoint_organisation_ids: frozenset[int]

    def digest(self) -> str:
        """A short fingerprint, for a page to tell whether they changed between a
        preview and its confirmation."""
        text = repr((sorted(self.person_ids), sorted(self.endpoint_organisation_ids)))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def notices_addressed(*, kind: str, version: str, meeting: models.Model) -> Addressees:
    """Whom the notices written for this event version of `meeting` go to, read back
    (a preview reads them in the transaction that wrote them, before it rolls back)."""
    # E-mails are keyed by their kind, webhook calls by their event (notices_write).
    tail = f"{_subject_key({'meeting': meeting})}:{version}:"
    rows = Notice.objects.filter(
        models.Q(dedup_key__startswith=f"{kind}:{tail}")
        | models.Q(dedup_key__startswith=f"{EVENT_OF_KIND[kind]}:{tail}"),
        meeting_id=meeting.pk,
        kind=kind,
    ).values_list("person_id", "endpoint__organisation_id")
    return Addressees(
        person_ids=frozenset(person for person, _organisation in rows if person is not None),
        endpoint_organisation_ids=frozenset(
            organisation for _person, organisation in rows if organisation is not None
        ),
    )


def notice_copy_write(*, notice: Notice, dedup_key: str) -> Notice:
    """A new row with an earlier notice's content (a resend)."""
    copy = Notice(
        dedup_key=dedup_key,
        kind=notice.kind,
        channel=notice.channel,
        event=notice.event,
        meeting_id=notice.meeting_id,
        series_id=notice.series_id,
        action_point_id=notice.action_point_id,
        person_id=notice.person_id,
        endpoint_id=notice.endpoint_id,
        payload=notice.payload,
    )
    copy.save()
    dispatch_after_commit()
    return copy


def _insert_new(rows: list[Notice]) -> int:
    if not rows:
        return 0
    keys = [row.dedup_key for row in rows]
    existing = set(Notice.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True))
    new_rows = [row for row in rows if row.dedup_key not in existing]
    if not new_rows:
        return 0
    # A concurrent writer may still insert the same key first: the conflict is ignored,
    # and the one spare enqueue that can cause is harmless (delivery claims rows).
    Notice.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=500)
    dispatch_after_commit()
    return len(new_rows)


def dispatch_after_commit() -> None:
    """Enqueue delivery when the current transaction commits, once per transaction.

    A callback already registered at this savepoint level or above will run whenever
    ours would (or be discarded with our rows), so a second one would only cost a
    broker message. One registered in a savepoint since released is not counted: it
    still runs, and one spare enqueue is harmless.
    """
    current = set(connection.savepoint_ids)
    # Entries are (savepoints, callback, robust) since Django 4.2; django-stubs still
    # declares pairs, a stub error.
    already = any(  # type: ignore[misc]
        callback is dispatch_soon and set(savepoints) <= current
        for savepoints, callback, _robust in connection.run_on_commit
    )
    if not already:
        transaction.on_commit(dispatch_soon)


def dispatch_soon() -> None:
    """Ask a worker to deliver pending notices. A dead broker only delays delivery:
    the sweep re-enqueues, so this never fails or holds up the change itself."""
    try:
        celery_app.tasks[DISPATCH_TASK].delay()
    except Exception as error:  # any broker failure means "later", not "never"
        logger.warning("Notices written but not enqueued (%s); the sweep will deliver them.", error)


# --- Reminders ---------------------------------------------------------------------


def reminders_plan(
    meeting: models.Model,
    *,
    start_at: dt.datetime,
    meeting_days: Sequence[int],
    answer_days: Sequence[int],
) -> None:
    """(Re)write the due times of a meeting's reminders; those already sent stay done."""
    Reminder.objects.filter(meeting_id=meeting.pk, done_at__isnull=True).delete()
    now = timezone.now()
    planned = [(ReminderKind.MEETING, days) for days in meeting_days] + [
        (ReminderKind.ANSWER, days) for days in answer_days
    ]
    done = set(Reminder.objects.filter(meeting_id=meeting.pk).values_list("kind", "days_before"))
    Reminder.objects.bulk_create(
        Reminder(
            meeting_id=meeting.pk,
            kind=kind,
            days_before=days,
            due_at=start_at - dt.timedelta(days=days),
        )
        for kind, days in planned
        if start_at - dt.timedelta(days=days) > now and (kind, days) not in done
    )


def reminders_clear(meeting: models.Model) -> None:
    Reminder.objects.filter(meeting_id=meeting.pk, done_at__isnull=True).delete()


def reminder_ids_due(*, now: dt.datetime) -> list[int]:
    return list(
        Reminder.objects.filter(done_at__isnull=True, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )


def reminder_take(reminder_id: int) -> Reminder | None:
    """Lock a due reminder for the caller's transaction; None if another took it."""
    return Reminder.objects.select_for_update().filter(pk=reminder_id, done_at__isnull=True).first()


def reminder_mark_done(reminder: Reminder) -> None:
    reminder.done_at = timezone.now()
    reminder.save(update_fields=["done_at"])
