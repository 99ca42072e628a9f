"""Delivery: a worker claims due notices, renders, sends and marks each one.

- A worker claims rows with one conditional UPDATE (only pending rows whose time has
  come), so two workers never hold the same row.
- Each message is marked sent right after it is handed to the SMTP server or webhook
  receiver. The server works on the next one while that mark is written, but a
  message's DATA is sent only once the one two before it is marked: no more than
  IN_DOUBT messages are ever with the server and not yet marked. A worker killed
  there leaves those rows claimed; when the claim expires the sweep makes them pending
  again and they are sent a second time: at most IN_DOUBT duplicates per killed worker
  process, each with the Message-ID of its first sending (notices.content), which the
  reader's mail system knows for the same message.
- Over SMTP a dispatch keeps two sessions open (EMAIL_SESSIONS), from its first batch
  to its last: one message's envelope goes out while the server takes the one before
  on the other, so that the server's four answers a message are not all waited for in
  turn. Two messages of a batch to one reader are never side by side: the second
  waits for the first. The second session joins once the first has delivered, if the
  server greets it (_Mailers). A session the server ended between two messages (an
  idle time, a limit of messages a session) is opened again, and the message that
  found it ended is sent over the new one: its DATA had not begun.
- A claim is a lease: the sweep frees rows claimed NOTICE_CLAIM_TIMEOUT_SECONDS ago.
  A live worker hands no message over (no DATA, no webhook request) later than
  NOTICE_HANDOVER_SECONDS before that (what the message and its mark may still take),
  and gives the rest of its batch back as pending: a batch that outlives its lease (a
  slow server) never sends what another worker has claimed since.
- A message that fails is retried with backoff, or marked failed for good, and every
  failed try is kept in the delivery log (NoticeAttempt).
"""

import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import http.client
import itertools
import logging
import smtplib
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import F, Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.module_loading import import_string

from meetings.models import ActionPoint, Invitation, Meeting, MeetingSeries
from notices import outbox, webhook_http
from notices.content import NothingToSend, SharedParts, email_for, webhook_body
from notices.mime import NoticeEmail
from notices.models import Notice, NoticeAttempt

logger = logging.getLogger(__name__)
KIND = Notice.Kind
STATUS = Notice.Status
# Kinds that make no sense once the meeting is cancelled.
MOOT_WHEN_CANCELLED = {
    KIND.INVITATION,
    KIND.UPDATE,
    KIND.REMINDER,
    KIND.ANSWER_REMINDER,
    KIND.PAPERS_ADDED,
}
MOOT_WHEN_SERIES_CANCELLED = {KIND.SERIES_INVITATION, KIND.SERIES_UPDATE}


class TransientError(Exception):
    """Worth trying again later."""


class PermanentError(Exception):
    """Will not succeed by trying again."""


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
    # Read back by key among those asked for, and by the token alone (every way out of
    # "sending" clears it): fan-outs leave the status index full of rows that were
    # "sending" a moment ago until vacuum, and a search by token, or a status test
    # PostgreSQL answered from that index, walked them all (8.6 ms a batch with 39,000
    # such entries). The notices join only their recipient; what they are about is
    # fetched by key when some notice has it (no query when none has), once per
    # meeting: the notices of one meeting share one copy of it, so that its agenda and
    # labels are fetched once for the batch, not once per notice (the labels read
    # restricted_to only for a restricted row, from these: meetings.audience). Joined
    # to each notice, a fan-out's batch made its meeting, group and series fifty times
    # over (0.1 ms a message on SQLite), and PostgreSQL took 3.7 ms to plan the
    # read-back of 50 notices with every relation joined.
    claimed = list(
        Notice.objects.filter(id__in=due, claim_token=token).select_related("person").order_by("id")
    )
    _fetch_what_they_are_about(claimed)
    return token, claimed


def _fetch_what_they_are_about(notices: list[Notice]) -> None:
    """Each notice's meeting (its agenda and labels), series, endpoint or action point,
    one query per kind that some notice has: a fan-out's batch has no series, endpoint
    or action point, and asking for them anyway cost the ORM 2.5 ms a batch."""

    def some(field: str) -> bool:
        return any(getattr(notice, field) is not None for notice in notices)

    lookups: list[str | Prefetch] = []
    if some("meeting_id"):
        lookups += [
            Prefetch("meeting", Meeting.objects.select_related("group", "minutes", "series")),
            "meeting__agenda_items__restricted_to",
            "meeting__restricted_to",
        ]
    if some("series_id"):
        lookups.append(Prefetch("series", MeetingSeries.objects.select_related("group")))
    if some("endpoint_id"):
        lookups.append("endpoint")
    if some("action_point_id"):
        lookups.append(
            Prefetch(
                "action_point",
                ActionPoint.objects.select_related("meeting__group", "owner_organisation"),
            )
        )
    prefetch_related_objects(notices, *lookups)


@functools.cache
def _mark_sent_sql(vendor: str) -> str:
    """UPDATE notice SET sent WHERE id and claim token: a fan-out writes it once per
    message, and the ORM took longer to build it (0.2 ms) than the database to run it.
    `vendor` keys the cache, the quoting being the database's."""
    q = connection.ops.quote_name
    column = {field.name: q(field.column) for field in Notice._meta.concrete_fields}
    status, sent_at, last_error, claim_token, id_ = (
        column[name] for name in ("status", "sent_at", "last_error", "claim_token", "id")
    )
    assignments = f"{status} = %s, {sent_at} = %s, {last_error} = '', {claim_token} = ''"
    condition = f"{id_} = %s AND {claim_token} = %s"
    # Names from the model, quoted; the values are parameters.
    return f"UPDATE {q(Notice._meta.db_table)} SET {assignments} WHERE {condition}"  # noqa: S608


def _mark_sent(notice: Notice, token: str) -> None:
    sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(_mark_sent_sql(connection.vendor), [STATUS.SENT, sent_at, notice.pk, token])
        if cursor.rowcount == 0:
            # The claim was freed while this message was with the server.
            logger.warning(
                "Notice %s was sent after its claim had been freed: it may arrive twice.",
                notice.pk,
            )


def _mark_skipped(notice: Notice, token: str, reason: str) -> None:
    Notice.objects.filter(pk=notice.pk, claim_token=token).update(
        status=STATUS.SKIPPED, last_error=reason, claim_token=""
    )


def _mark_failed(notice: Notice, token: str, error: Exception, *, permanent: bool) -> None:
    text = f"{error.__class__.__name__}: {error}"[:2000]
    NoticeAttempt.objects.create(notice=notice, is_permanent=permanent, error=text)
    if permanent or notice.attempts >= settings.NOTICE_MAX_ATTEMPTS:
        if not permanent:
            text = f"Gave up after {notice.attempts} attempts. {text}"
        # Once per notice: this is the line an operator looks for.
        logger.warning(
            "Notice %s (%s to %s) failed for good: %s",
            notice.pk,
            notice.kind,
            notice.person_id and f"person {notice.person_id}" or f"endpoint {notice.endpoint_id}",
            text,
        )
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


# How many messages may be with the server and not yet marked sent. With one, every
# message waits for the database to write the mark of the one before (a durable
# commit, as long as the server takes to answer DATA); with two, the server takes each
# message while the one before is marked, and a crash may repeat two.
IN_DOUBT = 2


class _Refused(Exception):
    """A message before could not be recorded: this one is not handed over."""


class _ClaimRunOut(Exception):
    """The batch's claim is about to run out: this message is not handed over, and
    goes back to pending."""


def _handover_deadline(notices: list[Notice]) -> float:
    """The last moment (as time.time()) at which the batch may hand a message over."""
    claimed_at = min(
        (notice.claimed_at for notice in notices if notice.claimed_at is not None),
        default=timezone.now(),
    )
    return (
        claimed_at.timestamp()
        + settings.NOTICE_CLAIM_TIMEOUT_SECONDS
        - settings.NOTICE_HANDOVER_SECONDS
    )


class _Gate:
    """Opened once the messages before, but the last IN_DOUBT - 1, are recorded (sent
    or failed), so that no more than IN_DOUBT are ever with the server and not yet
    marked. Past the batch's deadline it lets nothing through."""

    def __init__(self, deadline: float):
        self._event = threading.Event()
        self._refused = False
        self._deadline = deadline

    def open(self) -> None:
        self._event.set()

    def refuse(self) -> None:
        self._refused = True
        self._event.set()

    def wait(self) -> None:
        # Over two sessions the message two before may still be with a slow server, for
        # as long as its own timeouts allow: what bounds the wait is the deadline.
        if not self._event.wait(max(0.0, self._deadline - time.time())):
            raise _ClaimRunOut("The claim ran out before this message's turn came.")
        if self._refused:
            raise _Refused("A message before this one could not be marked sent.")
        self.raise_if_late()

    def raise_if_late(self) -> None:
        if time.time() > self._deadline:
            raise _ClaimRunOut("The claim ran out before this message was handed over.")


@dataclass(frozen=True)
class _Envelope:
    """What an SMTP server is handed for one message."""

    sender: str
    recipients: list[str]
    data: bytes


@functools.lru_cache(maxsize=16)
def _sender(address: str, encoding: str) -> str:
    """The sender as Django's backend writes it, worked out once: it is the same for
    every message, and parsing it took 0.1 ms of each."""
    return sanitize_address(address, encoding)


def _envelope(notice: Notice, message: EmailMessage) -> _Envelope:
    """The message's envelope and bytes, as Django's SMTP backend writes them."""
    if not message.recipients():
        raise PermanentError("The e-mail has no recipient.")
    encoding = message.encoding or settings.DEFAULT_CHARSET
    if isinstance(message, NoticeEmail):
        recipients, data = message.envelope_recipients(encoding), message.wire_bytes()
    else:
        recipients = [sanitize_address(address, encoding) for address in message.recipients()]
        data = message.message().as_bytes(linesep="\r\n")
    return _Envelope(sender=_sender(message.from_email, encoding), recipients=recipients, data=data)


class _Mailer:
    """One session with the mail server, reopened after an error breaks it.

    Over SMTP, the thread that builds the messages also writes their bytes and
    envelopes, and the threads that talk to the server only write and read their
    sockets. The threads share one interpreter lock: when the server's thread wrote
    the MIME itself, it waited for the lock after every one of the server's four
    answers a message, while the other thread was rendering the next."""

    def __init__(self):
        # Django's own SMTP backend, not a subclass that may send its own way (a
        # signing one, say): that gets the message, as any other backend does.
        self.over_smtp = import_string(settings.EMAIL_BACKEND) is SMTPBackend
        self.delivered = False
        # Messages the open session has carried: a session the server ends before it
        # has carried one is its refusal, not a session grown old.
        self.carried = 0
        # Made by the first `send`, where a backend that cannot be made (a broken mail
        # setting) fails that message as any sending error does, not the batch.
        self.connection: BaseEmailBackend | None = None

    def outgoing(self, notice: Notice, message: EmailMessage) -> EmailMessage | _Envelope:
        """What `send` hands over: over SMTP, the envelope, made on the caller's thread;
        to any other backend (files in development, memory in tests), the message."""
        return _built(_envelope, notice, message) if self.over_smtp else message

    def send(self, outgoing: EmailMessage | _Envelope, gate: _Gate) -> None:
        """Hand `outgoing` over once `gate` opens. Over SMTP, what comes before the DATA
        command (MAIL FROM, RCPT TO) is done while the message before is being marked;
        only DATA, the point of no return, waits for the gate: smtplib's own sendmail
        does it all, with its `data` made to wait."""
        try:
            # Not a connection (again, after an error) that could only be refused.
            gate.raise_if_late()
            if self.connection is None:
                self.connection = get_connection(fail_silently=False)
            if isinstance(outgoing, _Envelope):
                self._sendmail(cast(SMTPBackend, self.connection), outgoing, gate)
            else:
                self.connection.open()
                gate.wait()
                self.connection.send_messages([outgoing])
        except Exception:
            self.close()
            raise
        self.delivered = True
        self.carried += 1

    def _sendmail(self, backend: SMTPBackend, envelope: _Envelope, gate: _Gate) -> None:
        """smtplib's sendmail, its DATA made to wait for `gate`. A session that has
        carried messages before may have been ended by the server meanwhile (an idle
        time, a number of messages a session): if it is found gone before this
        message's DATA, the server does not have the message, and it goes once more,
        over a new session."""
        for last_try in (False, True):
            if backend.open():
                self.carried = 0
            # open() made the SMTP connection, found it made, or raised.
            smtp = cast(smtplib.SMTP, backend.connection)
            data = _GatedData(gate, smtp.data)
            smtp.data = data  # type: ignore[method-assign]
            try:
                smtp.sendmail(envelope.sender, envelope.recipients, envelope.data)
                return
            except Exception as error:
                if last_try or not self.carried or data.started or not _session_gone(error):
                    raise
                logger.info(
                    "The mail server ended a session (%s); a new one goes on.", _said(error)
                )
                self.close()
                gate.raise_if_late()
            finally:
                vars(smtp).pop("data", None)

    def try_open(self) -> bool:
        """Open an SMTP session up to the server's greeting (EHLO), where a relay that
        allows a client one connection refuses a second; whether it opened."""
        try:
            self.connection = get_connection(fail_silently=False)
            self.connection.open()
            smtp = cast(smtplib.SMTP, cast(SMTPBackend, self.connection).connection)
            code, answer = smtp.ehlo()
            if 500 <= code:  # a server without ESMTP, as smtplib falls back
                code, answer = smtp.helo()
            if not 200 <= code < 300:
                raise smtplib.SMTPHeloError(code, answer)
        except Exception as error:
            self.close()
            logger.warning(
                "The mail server would not open a second session (%s): delivery goes on over one.",
                _said(error),
            )
            return False
        return True

    def close(self) -> None:
        self.carried = 0
        if self.connection is None:
            return
        try:
            self.connection.close()
        except Exception:  # noqa: S110 - closing a broken connection may fail too
            pass


def _said(error: Exception) -> str:
    """What went wrong, in the server's own words when it answered."""
    if isinstance(error, smtplib.SMTPResponseException):
        words = error.smtp_error
        text = words.decode(errors="replace") if isinstance(words, bytes) else str(words)
        return f"{error.smtp_code} {text}"
    return f"{error.__class__.__name__}: {error}"


def _session_gone(error: Exception) -> bool:
    """Whether the server ended the session: it hung up, or answered 421 (closing)."""
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(code == 421 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421


class _GatedData:
    """smtplib's `data`, sent once the gate opens; whether it was begun."""

    def __init__(self, gate: _Gate, data: Callable):
        self.gate = gate
        self.data = data
        self.started = False

    def __call__(self, *args, **kwargs):
        self.gate.wait()
        self.started = True
        return self.data(*args, **kwargs)


def _invitations_for(notices: list[Notice]) -> dict[tuple[int | None, int | None], Invitation]:
    """The invitation each meeting e-mail is about, by (meeting, recipient): the
    recipient's own, or else the one whose invitee sent them as alternate."""
    pairs = {(n.meeting_id, n.person_id) for n in notices if n.meeting_id and n.person_id}
    if not pairs:
        return {}
    found: dict[tuple[int | None, int | None], Invitation] = {}
    # A recipient's own invitation is to the person the notice already holds. One per
    # meeting and person, so read in no order: the model's order joined the meetings
    # and the people to sort what needs none.
    recipients = {n.person_id: n.person for n in notices if n.person is not None}
    own = Invitation.objects.filter(
        meeting_id__in={meeting_id for meeting_id, _ in pairs},
        person_id__in={person_id for _, person_id in pairs},
    ).order_by()
    for invitation in own:
        invitation.person = recipients[invitation.person_id]
        found[(invitation.meeting_id, invitation.person_id)] = invitation
    # Only those not invited themselves read another's invitation: in a fan-out every
    # reader is, and the search for alternates (a scan of the invitations on SQLite,
    # where most have none) is not made.
    others = pairs - found.keys()
    if not others:
        return found
    sent_in_place = Invitation.objects.filter(
        meeting_id__in={meeting_id for meeting_id, _ in others},
        alternate_id__in={person_id for _, person_id in others},
        response=Invitation.Response.ALTERNATE,
    ).select_related("person")
    for invitation in sent_in_place:
        pair = (invitation.meeting_id, invitation.alternate_id)
        if pair in others:
            found[pair] = invitation
    return found


def _built(build, notice: Notice, *args, **options):
    """The message a notice becomes; data it cannot be built from (a date out of range,
    a broken row) fails that notice for good, not the batch it came in."""
    try:
        return build(notice, *args, **options)
    except (NothingToSend, PermanentError):
        raise
    except Exception as error:
        logger.exception("Notice %s (%s) could not be built", notice.pk, notice.kind)
        raise PermanentError(
            f"The message could not be built: {error.__class__.__name__}: {error}"
        ) from error


def _email_message(notice: Notice, invitation: Invitation | None, shared: SharedParts):
    if notice.person is None:
        raise PermanentError("The e-mail notice has no recipient.")
    if not notice.person.email:
        raise PermanentError(f"{notice.person} has no e-mail address.")
    return _built(email_for, notice, invitation, shared=shared)


class _Mailers:
    """The sessions with the mail server of one run of deliveries (the batches a
    dispatch task claims in turn, or one batch): EMAIL_SESSIONS over SMTP, where the
    server answers one session while the other sends (four of the server's answers a
    message); one for any other backend, which then gets the messages in their order
    (files in development, memory in tests). Over SMTP they are kept from batch to
    batch, so that a run connects and greets the server once, not once a batch of
    NOTICE_BATCH_SIZE.

    The sessions are taken in the messages' order (a ticket each, given as the message
    is handed to its thread), so that a message waiting at its gate for the one two
    before it never holds the session that one needs. The second session is opened
    once the first has delivered, and joins only if the server greets it: a relay that
    allows one connection gets every message over the first, and no message fails
    for it."""

    def __init__(self) -> None:
        first = _Mailer()
        self.over_smtp = first.over_smtp
        self.threads = settings.EMAIL_SESSIONS if first.over_smtp else 1
        self.all = [first]
        self._free = [first]
        self._turn = 0
        self._tickets = itertools.count()
        self._changed = threading.Condition()

    def outgoing(self, notice: Notice, message: EmailMessage) -> EmailMessage | _Envelope:
        return self.all[0].outgoing(notice, message)

    def ticket(self) -> int:
        return next(self._tickets)

    def send(self, ticket: int, outgoing: EmailMessage | _Envelope, gate: _Gate) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._turn == ticket and bool(self._free))
            self._turn += 1
            mailer = self._free.pop(0)
            self._changed.notify_all()
        try:
            mailer.send(outgoing, gate)
        finally:
            self._give_back(mailer)

    def _give_back(self, mailer: _Mailer) -> None:
        with self._changed:
            self._free.append(mailer)
            open_second = mailer.delivered and len(self.all) < self.threads
            if open_second:
                spare = _Mailer()
                self.all.append(spare)
            self._changed.notify_all()
        # Opened by this thread while the other goes on over the first.
        if open_second and spare.try_open():
            with self._changed:
                self._free.append(spare)
                self._changed.notify_all()

    def close(self) -> None:
        for mailer in self.all:
            mailer.close()

    def __enter__(self) -> "_Mailers":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _hand_over(
    mailers: _Mailers, ticket: int, outgoing: EmailMessage | _Envelope, gate: _Gate
) -> None:
    try:
        mailers.send(ticket, outgoing, gate)
    except (_Refused, _ClaimRunOut):
        raise
    except Exception as error:
        if _smtp_error_is_transient(error):
            raise TransientError(str(error)) from error
        raise PermanentError(str(error)) from error


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _send_webhook(notice: Notice, deadline: float) -> None:
    endpoint = notice.endpoint
    if endpoint is None:
        raise PermanentError("The webhook notice has no endpoint.")
    if not endpoint.is_active:
        raise PermanentError("The endpoint was switched off.")
    body = _built(webhook_body, notice)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Tansiq-Webhooks/1",
        "X-Tansiq-Event": notice.event,
        "X-Tansiq-Delivery": str(notice.pk),
        "X-Tansiq-Timestamp": timestamp,
        "X-Tansiq-Signature": webhook_signature(endpoint.secret, timestamp, body),
    }
    try:
        status = webhook_http.post(
            endpoint.url, body, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS, send_by=deadline
        )
    except webhook_http.TooLate as late:
        raise _ClaimRunOut(str(late)) from late
    except webhook_http.UnsafeAddress as error:
        raise PermanentError(str(error)) from error
    except (OSError, http.client.HTTPException) as error:
        raise TransientError(f"{error.__class__.__name__}: {error}") from error
    if 200 <= status < 300:
        return
    if 300 <= status < 400:
        raise PermanentError(f"HTTP {status}: the portal does not follow redirects.")
    if status in {408, 425, 429} or status >= 500:
        raise TransientError(f"HTTP {status}")
    raise PermanentError(f"HTTP {status}")


def _settle(notice: Notice, token: str, attempt: Callable[[], object]) -> bool:
    """Run a delivery attempt and record its outcome; whether the notice was sent."""
    try:
        attempt()
    except _ClaimRunOut:
        logger.warning("Notice %s given back: its claim ran out before it was sent.", notice.pk)
        _give_back([notice], token)
    except NothingToSend as moot:
        _mark_skipped(notice, token, str(moot))
    except TransientError as error:
        _mark_failed(notice, token, error, permanent=False)
    except PermanentError as error:
        _mark_failed(notice, token, error, permanent=True)
    except Exception as error:
        # Unforeseen: counted as a try, retried with backoff, and never allowed to leave
        # this notice or the rest of the batch claimed and unsent.
        logger.exception("Notice %s (%s) failed unexpectedly", notice.pk, notice.kind)
        _mark_failed(notice, token, error, permanent=False)
    else:
        _mark_sent(notice, token)
        return True
    return False


def _give_back(notices: list[Notice], token: str) -> int:
    """Notices not handed over: pending again, due as they were, the try not counted."""
    return Notice.objects.filter(pk__in=[n.pk for n in notices], claim_token=token).update(
        status=STATUS.PENDING, claim_token="", attempts=F("attempts") - 1
    )


def _moot(notice: Notice) -> str:
    """Why the notice has nothing left to say (its meeting or series was cancelled)."""
    if (
        notice.kind in MOOT_WHEN_CANCELLED
        and notice.meeting is not None
        and notice.meeting.status == Meeting.Status.CANCELLED
    ):
        return "The meeting was cancelled before this was sent."
    if (
        notice.kind in MOOT_WHEN_SERIES_CANCELLED
        and notice.series is not None
        and notice.series.status == MeetingSeries.Status.CANCELLED
    ):
        return "The series was cancelled before this was sent."
    return ""


# How long a thread may hold the interpreter while another waits for it, during a
# batch. The SMTP thread needs it back after each of the server's four answers a
# message, and at Python's default (5 ms) waited each time for the building thread's
# turn to end. At 0.1 ms a batch of 1,000 on SQLite took 3.0-3.5 ms a message instead
# of 3.8-4.4 (the process's CPU time: 3.1-3.5 ms). While the SMTP thread still wrote
# the MIME itself, shorter turns were slower: it held the interpreter for long too.
SWITCH_INTERVAL_SECONDS = 0.0001


class _ShortTurns:
    """Short turns between threads while batches are delivered; Python's own once none
    is. The interval is the whole process's: a Celery worker process runs one task at
    a time, but a web process that delivers in-process (no broker) may run two batches
    on two threads at once, and the first to finish must not give the other back
    Python's interval, nor the last leave the short one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._batches = 0
        self._before = sys.getswitchinterval()

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._batches == 0:
                self._before = sys.getswitchinterval()
                sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
            self._batches += 1
        try:
            yield
        finally:
            with self._lock:
                self._batches -= 1
                if self._batches == 0:
                    sys.setswitchinterval(self._before)


_short_turns = _ShortTurns()


def notices_deliver_due(*, batch_size: int, on_full_batch: Callable[[], None] | None = None) -> int:
    """Claim and deliver due notices, `batch_size` at a time, until none is due, over
    the same sessions with the mail server, each batch keeping what the batches before
    made of the messages they share (SharedParts); returns how many were sent.
    `on_full_batch` is called for each batch that took all it could (more may be
    waiting: another worker may start on it meanwhile)."""
    sent = 0
    shared = SharedParts()
    with _Mailers() as mailers:
        # Of the connections, only SMTP sessions are kept from batch to batch: another
        # backend's (a file in development) is each batch's own, as it always was.
        kept = mailers if mailers.over_smtp else None
        while True:
            token, claimed = notices_claim(limit=batch_size)
            if not claimed:
                return sent
            if len(claimed) == batch_size and on_full_batch is not None:
                on_full_batch()
            sent += notices_deliver(token, claimed, mailers=kept, shared=shared)


def notices_deliver(
    token: str,
    notices: list[Notice],
    *,
    mailers: _Mailers | None = None,
    shared: SharedParts | None = None,
) -> int:
    """Deliver claimed notices in turn, over `mailers` if given (left open for the
    next batch) or sessions of their own, with what the batches before made in `shared`
    if given; returns how many were sent.

    E-mails are handed to the SMTP server on threads of their own (one per session,
    _Mailers) while the next one is built, and marked sent by this one while the
    server takes the next: the building and the database's commits are hidden behind
    the server's answers, and still no more than IN_DOUBT messages are ever sent and
    not yet marked (a crash repeats those at most). What is not handed over by the
    claim's deadline goes back to pending."""
    deadline = _handover_deadline(notices)
    invitations = _invitations_for(notices)
    shared = shared if shared is not None else SharedParts()
    shared.begin_batch(notices)
    sent = 0
    in_flight: deque[tuple[Notice, Future]] = deque()
    # The gate of the message handed over last: the only one that may still be shut.
    last_gate: _Gate | None = None

    def settle(*, keeping: int = 0) -> None:
        """Record the outcome of the messages handed over, all but the last `keeping`."""
        nonlocal sent
        while len(in_flight) > keeping:
            notice, handing = in_flight.popleft()
            sent += _settle(notice, token, handing.result)

    def hand_over(notice: Notice, outgoing: EmailMessage | _Envelope) -> None:
        """Start this message, and settle those before it but the last IN_DOUBT - 1
        while it starts."""
        nonlocal last_gate
        if in_flight and in_flight[-1][0].person_id == notice.person_id:
            # Two messages to one reader (an invitation, then its update) go to the
            # server one after the other, not side by side on two sessions.
            settle()
        last_gate = _Gate(deadline)
        handing = sending.submit(_hand_over, sessions, sessions.ticket(), outgoing, last_gate)
        in_flight.append((notice, handing))
        settle(keeping=IN_DOUBT)
        last_gate.open()

    with contextlib.ExitStack() as batch:
        sessions = mailers if mailers is not None else batch.enter_context(_Mailers())
        batch.enter_context(_short_turns())
        sending = batch.enter_context(
            ThreadPoolExecutor(max_workers=sessions.threads, thread_name_prefix="notices-smtp")
        )
        try:
            for index, notice in enumerate(notices):
                if time.time() > deadline:
                    # Given back before the messages in flight are settled, which
                    # may take the server's time: the sweep must not find them.
                    given_back = _give_back(notices[index:], token)
                    logger.warning(
                        "Claim %s ran out after %d of %d notices; %d given back.",
                        token,
                        index,
                        len(notices),
                        given_back,
                    )
                    settle()
                    break
                reason = _moot(notice)
                if reason:
                    _mark_skipped(notice, token, reason)
                    continue
                if notice.channel != Notice.Channel.EMAIL:
                    settle()
                    post = functools.partial(_send_webhook, notice, deadline)
                    sent += _settle(notice, token, post)
                    continue
                invitation = invitations.get((notice.meeting_id, notice.person_id))
                try:
                    message = _email_message(notice, invitation, shared)
                    outgoing = sessions.outgoing(notice, message)
                except Exception as error:
                    settle()
                    sent += _settle(notice, token, functools.partial(_raise, error))
                    continue
                hand_over(notice, outgoing)
            settle()
        finally:
            # A message whose predecessors could not be marked is never handed over;
            # its notice stays claimed until the sweep frees it.
            if last_gate is not None:
                last_gate.refuse()
    return sent


def _raise(error: Exception) -> None:
    raise error


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


def notices_sweep() -> int:
    """The beat sweep: free the claims of dead workers, and enqueue delivery when
    anything is due (a broker that was down when the rows were written, or a retry
    whose time has come). Returns how many claims were freed."""
    released = notices_release_stale()
    if notices_pending_due():
        outbox.dispatch_soon()
    return released
