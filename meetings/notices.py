"""The notice outbox: which rows an event writes, and how a worker delivers them.

Guarantees:
- Rows are written in the transaction of the change (one per recipient and event
  version, unique by dedup_key), so a notice exists exactly when its change does,
  and writing the same event twice writes nothing new.
- Delivery is enqueued after commit; if the broker is down the enqueue is dropped
  with a warning and the beat sweep finds the pending rows later.
- A worker claims rows with one conditional UPDATE (only pending rows whose time has
  come), so two workers never hold the same row. Each message is marked sent right
  after it is handed to the SMTP server or webhook receiver. A worker killed between
  the two leaves that single row claimed; when the claim expires the sweep makes it
  pending again and it is sent a second time: at most one duplicate per killed
  worker process, and only for the message in flight.
"""

import datetime as dt
import hashlib
import hmac
import logging
import smtplib
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from groups.selectors import current_memberships, current_representatives
from meetings.messages import email_for, webhook_body
from meetings.models import ActionPoint, Invitation, Meeting, Notice, Reminder, WebhookEndpoint
from members.models import Person

logger = logging.getLogger(__name__)
KIND = Notice.Kind
STATUS = Notice.Status
EVENT_OF_KIND = {
    KIND.INVITATION: "meeting.scheduled",
    KIND.UPDATE: "meeting.updated",
    KIND.CANCELLATION: "meeting.cancelled",
    KIND.REMINDER: "meeting.reminder",
    KIND.ANSWER_REMINDER: "invitation.reminder",
    KIND.MINUTES: "minutes.published",
    KIND.ACTION_DUE: "action_point.due",
}
# Kinds that make no sense once the meeting is cancelled.
MOOT_WHEN_CANCELLED = {KIND.INVITATION, KIND.UPDATE, KIND.REMINDER, KIND.ANSWER_REMINDER}


class TransientError(Exception):
    """Worth trying again later."""


class PermanentError(Exception):
    """Will not succeed by trying again."""


# --- Writing rows (inside the service's transaction) -------------------------------


def _meeting_payload(meeting: Meeting) -> dict:
    return {
        "meeting": {
            "id": meeting.pk,
            "title": meeting.title,
            "group": {"id": meeting.group_id, "name": meeting.group.name},
            "status": meeting.status,
            "kind": meeting.kind,
            "start_at": meeting.start_at.isoformat(),
            "end_at": meeting.end_at.isoformat(),
            "time_zone": meeting.time_zone,
            "venue": meeting.venue,
            "online_url": meeting.online_url,
            "sequence": meeting.sequence,
            "cancellation_reason": meeting.cancellation_reason,
        }
    }


def _endpoints_for(group_id: int, event: str) -> list[WebhookEndpoint]:
    member_organisations = current_memberships().filter(group_id=group_id).values("organisation")
    return [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            is_active=True, organisation__in=member_organisations
        )
        if not endpoint.events or event in endpoint.events
    ]


def _write(rows: list[Notice]) -> None:
    if not rows:
        return
    Notice.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    transaction.on_commit(dispatch_soon)


def _email_rows(
    *, kind: str, version: str, people: Iterable[Person], payload: dict, **subject
) -> list[Notice]:
    subject_key = ":".join(f"{name}{value.pk}" for name, value in sorted(subject.items()))
    return [
        Notice(
            dedup_key=f"{kind}:{subject_key}:{version}:p{person.pk}",
            kind=kind,
            channel=Notice.Channel.EMAIL,
            event=EVENT_OF_KIND[kind],
            person=person,
            payload=payload,
            **subject,
        )
        for person in people
    ]


def _webhook_rows(
    *, kind: str, version: str, group_id: int, payload: dict, **subject
) -> list[Notice]:
    event = EVENT_OF_KIND[kind]
    subject_key = ":".join(f"{name}{value.pk}" for name, value in sorted(subject.items()))
    return [
        Notice(
            dedup_key=f"{event}:{subject_key}:{version}:e{endpoint.pk}",
            kind=kind,
            channel=Notice.Channel.WEBHOOK,
            event=event,
            endpoint=endpoint,
            payload=payload,
            **subject,
        )
        for endpoint in _endpoints_for(group_id, event)
    ]


def meeting_announce(
    meeting: Meeting,
    *,
    kind: str,
    people: Iterable[Person] | None = None,
    extra: dict | None = None,
) -> None:
    """Write the notices of a meeting event: an e-mail per invitee (or per person given),
    and, for the whole invitee list, a webhook call per subscribed member organisation."""
    payload = {**_meeting_payload(meeting), **(extra or {})}
    version = f"s{meeting.sequence}"
    if extra and "days_before" in extra:
        version += f"-d{extra['days_before']}"
    if people is None:
        people = Person.objects.filter(invitations__meeting=meeting)
        rows = _webhook_rows(
            kind=kind, version=version, group_id=meeting.group_id, payload=payload, meeting=meeting
        )
    else:
        rows = []
    rows += _email_rows(kind=kind, version=version, people=people, payload=payload, meeting=meeting)
    _write(rows)


def minutes_announce(meeting: Meeting) -> None:
    """Minutes to the invitees and the group's current representatives and seat holders."""
    payload = _meeting_payload(meeting)
    payload["minutes"] = {"id": meeting.minutes.pk, "body": meeting.minutes.body}
    group_people = Q(
        representations__in=current_representatives().filter(membership__group_id=meeting.group_id)
    ) | Q(held_seats__in=current_memberships().filter(group_id=meeting.group_id))
    people = Person.objects.filter(Q(invitations__meeting=meeting) | group_people).distinct()
    rows = _email_rows(
        kind=KIND.MINUTES, version="1", people=people, payload=payload, meeting=meeting
    )
    rows += _webhook_rows(
        kind=KIND.MINUTES, version="1", group_id=meeting.group_id, payload=payload, meeting=meeting
    )
    _write(rows)


def action_point_announce(action_point: ActionPoint, *, stage: str) -> None:
    """A due-soon or overdue reminder to the owner (or, with no owner named, the owner
    organisation's representatives in the group), once per stage and due date."""
    if action_point.owner_person_id:
        people = [action_point.owner_person]
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
            "meeting": {"id": action_point.meeting_id, "title": action_point.meeting.title},
        },
    }
    version = f"{stage}-{action_point.due_on.isoformat()}"
    rows = _email_rows(
        kind=KIND.ACTION_DUE,
        version=version,
        people=people,
        payload=payload,
        action_point=action_point,
    )
    rows += [
        row
        for row in _webhook_rows(
            kind=KIND.ACTION_DUE,
            version=version,
            group_id=action_point.meeting.group_id,
            payload=payload,
            action_point=action_point,
        )
        if row.endpoint.organisation_id == action_point.owner_organisation_id
    ]
    _write(rows)


def reminders_plan(meeting: Meeting) -> None:
    """(Re)write the due times of the meeting's reminders from its group's settings."""
    meeting.reminders.filter(done_at__isnull=True).delete()
    now = timezone.now()
    planned = [(Reminder.Kind.MEETING, days) for days in meeting.group.reminder_days] + [
        (Reminder.Kind.ANSWER, days) for days in meeting.group.answer_reminder_days
    ]
    rows = [
        Reminder(
            meeting=meeting,
            kind=kind,
            days_before=days,
            due_at=meeting.start_at - dt.timedelta(days=days),
        )
        for kind, days in planned
        if meeting.start_at - dt.timedelta(days=days) > now
    ]
    done = set(meeting.reminders.values_list("kind", "days_before"))
    Reminder.objects.bulk_create([row for row in rows if (row.kind, row.days_before) not in done])


def reminders_clear(meeting: Meeting) -> None:
    meeting.reminders.filter(done_at__isnull=True).delete()


def reminder_send(reminder: Reminder) -> None:
    """Write the notices of one due reminder. Called under a row lock by the beat task."""
    meeting = reminder.meeting
    extra = {"days_before": reminder.days_before}
    invitations = meeting.invitations.exclude(response=Invitation.Response.DECLINED)
    if reminder.kind == Reminder.Kind.ANSWER:
        invitations = invitations.filter(response=Invitation.Response.PENDING)
        kind = KIND.ANSWER_REMINDER
    else:
        kind = KIND.REMINDER
    people = Person.objects.filter(invitations__in=invitations)
    meeting_announce(meeting, kind=kind, people=people, extra=extra)
    reminder.done_at = timezone.now()
    reminder.save(update_fields=["done_at"])


def dispatch_soon() -> None:
    """Ask a worker to deliver pending notices. A dead broker only delays delivery:
    the sweep re-enqueues, so this never fails or holds up the change itself."""
    from meetings.tasks import notices_dispatch_task

    try:
        notices_dispatch_task.delay()
    except Exception as error:  # noqa: BLE001 - any broker failure means "later", not "never"
        logger.warning("Notices written but not enqueued (%s); the sweep will deliver them.", error)


# --- Delivering rows (in the worker) -----------------------------------------------


def notices_claim(*, limit: int) -> tuple[str, list[Notice]]:
    """Take up to `limit` due pending notices for this worker alone."""
    token = uuid.uuid4().hex
    now = timezone.now()
    due = list(
        Notice.objects.filter(status=STATUS.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    if not due:
        return token, []
    # The status test in the WHERE clause is re-checked by the database under the row
    # lock, so a row another worker claimed in between is simply not updated here.
    Notice.objects.filter(id__in=due, status=STATUS.PENDING).update(
        status=STATUS.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
    )
    claimed = list(
        Notice.objects.filter(claim_token=token, status=STATUS.SENDING)
        .select_related(
            "meeting__group",
            "meeting__minutes",
            "person",
            "endpoint",
            "action_point__meeting__group",
            "action_point__owner_organisation",
        )
        .prefetch_related("meeting__agenda_items")
        .order_by("id")
    )
    return token, claimed


def _mark_sent(notice: Notice, token: str) -> None:
    Notice.objects.filter(pk=notice.pk, claim_token=token).update(
        status=STATUS.SENT, sent_at=timezone.now(), last_error="", claim_token=""
    )


def _mark_skipped(notice: Notice, token: str, reason: str) -> None:
    Notice.objects.filter(pk=notice.pk, claim_token=token).update(
        status=STATUS.SKIPPED, last_error=reason, claim_token=""
    )


def _mark_failed(notice: Notice, token: str, error: Exception, *, permanent: bool) -> None:
    from meetings.models import NoticeAttempt

    text = f"{error.__class__.__name__}: {error}"[:2000]
    NoticeAttempt.objects.create(notice=notice, is_permanent=permanent, error=text)
    if permanent or notice.attempts >= settings.NOTICE_MAX_ATTEMPTS:
        if not permanent:
            text = f"Gave up after {notice.attempts} attempts. {text}"
        Notice.objects.filter(pk=notice.pk, claim_token=token).update(
            status=STATUS.FAILED, last_error=text, claim_token=""
        )
        return
    delay = settings.NOTICE_RETRY_BASE_SECONDS * 2 ** (notice.attempts - 1)
    Notice.objects.filter(pk=notice.pk, claim_token=token).update(
        status=STATUS.PENDING,
        last_error=text,
        claim_token="",
        next_attempt_at=timezone.now() + dt.timedelta(seconds=min(delay, 6 * 3600)),
    )


def _smtp_error_is_transient(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, smtplib.SMTPServerDisconnected | OSError | TimeoutError)


class _Mailer:
    """One SMTP connection for a batch, reopened after an error breaks it."""

    def __init__(self):
        self.connection = None

    def send(self, message) -> None:
        if self.connection is None:
            self.connection = get_connection(fail_silently=False)
            self.connection.open()
        try:
            self.connection.send_messages([message])
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001, S110 - closing a broken connection may fail too
                pass
            self.connection = None


def _invitations_for(notices: list[Notice]) -> dict[tuple[int, int], Invitation]:
    pairs = {(n.meeting_id, n.person_id) for n in notices if n.meeting_id and n.person_id}
    if not pairs:
        return {}
    meeting_ids = {meeting_id for meeting_id, _ in pairs}
    person_ids = {person_id for _, person_id in pairs}
    invitations = Invitation.objects.filter(
        meeting_id__in=meeting_ids, person_id__in=person_ids
    ).select_related("person")
    return {(i.meeting_id, i.person_id): i for i in invitations}


def _send_email(mailer: _Mailer, notice: Notice, invitation: Invitation | None) -> None:
    if not notice.person.email:
        raise PermanentError(f"{notice.person} has no e-mail address.")
    message = email_for(notice, invitation)
    try:
        mailer.send(message)
    except Exception as error:
        if _smtp_error_is_transient(error):
            raise TransientError(str(error)) from error
        raise PermanentError(str(error)) from error


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _send_webhook(notice: Notice) -> None:
    endpoint = notice.endpoint
    if not endpoint.is_active:
        raise PermanentError("The endpoint was switched off.")
    body = webhook_body(notice)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - endpoint URLs are validated on registration
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Tansiq-Webhooks/1",
            "X-Tansiq-Event": notice.event,
            "X-Tansiq-Delivery": str(notice.pk),
            "X-Tansiq-Timestamp": timestamp,
            "X-Tansiq-Signature": webhook_signature(endpoint.secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as reply:  # noqa: S310
            reply.read(1024)
    except urllib.error.HTTPError as error:
        if error.code in {408, 425, 429} or error.code >= 500:
            raise TransientError(f"HTTP {error.code}") from error
        raise PermanentError(f"HTTP {error.code}") from error
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise TransientError(str(getattr(error, "reason", error))) from error


def notices_deliver(token: str, notices: list[Notice]) -> int:
    """Deliver claimed notices one by one; returns how many were sent."""
    invitations = _invitations_for(notices)
    mailer = _Mailer()
    sent = 0
    try:
        for notice in notices:
            if (
                notice.kind in MOOT_WHEN_CANCELLED
                and notice.meeting is not None
                and notice.meeting.status == Meeting.Status.CANCELLED
            ):
                _mark_skipped(notice, token, "The meeting was cancelled before this was sent.")
                continue
            try:
                if notice.channel == Notice.Channel.EMAIL:
                    invitation = invitations.get((notice.meeting_id, notice.person_id))
                    _send_email(mailer, notice, invitation)
                else:
                    _send_webhook(notice)
            except TransientError as error:
                _mark_failed(notice, token, error, permanent=False)
            except PermanentError as error:
                _mark_failed(notice, token, error, permanent=True)
            else:
                _mark_sent(notice, token)
                sent += 1
    finally:
        mailer.close()
    return sent


def notices_release_stale() -> int:
    """Claims older than the lease belong to dead workers: make them pending again."""
    expired = timezone.now() - dt.timedelta(seconds=settings.NOTICE_CLAIM_TIMEOUT_SECONDS)
    return Notice.objects.filter(status=STATUS.SENDING, claimed_at__lt=expired).update(
        status=STATUS.PENDING, claim_token=""
    )


def notices_pending_due() -> bool:
    return Notice.objects.filter(
        status=STATUS.PENDING, next_attempt_at__lte=timezone.now()
    ).exists()
