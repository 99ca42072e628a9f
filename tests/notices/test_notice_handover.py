"""Over a real SMTP server, the server takes each message while the one before is being
marked sent, but a message's DATA (after which the server has it) is sent only once
the one two before it is marked: a crash leaves at most two messages sent and not
marked (delivery.IN_DOUBT), and sent again they are the same messages to the reader's
mail system (one Message-ID per notice)."""

import asyncio
import datetime as dt
import email
import itertools
import os
import sys
import threading
import time
from email import policy
from email.utils import parseaddr
from urllib.parse import urlsplit

import pytest
from django.core.mail.backends import filebased
from django.core.mail.message import sanitize_address
from django.utils import timezone

from meetings.services import invitation_create, meeting_create, meeting_schedule
from members.services import person_create
from notices import delivery, mime, outbox, tasks
from notices.mime import NoticeEmail
from notices.models import Notice, NoticeAttempt
from tests.servers import Inbox, send_mail_to, start_smtp

pytestmark = pytest.mark.django_db
INVITEES = 6


class RecordingInbox(Inbox):
    """Notes, in one list with the marks, when each message's DATA arrives."""

    def __init__(self, events: list):
        super().__init__()
        self.events = events

    async def handle_DATA(self, server, session, envelope):
        notice = email.message_from_bytes(envelope.content, policy=policy.default)
        self.events.append(("data", notice["X-Tansiq-Notice"]))
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def events():
    return []


def _serving(handler: Inbox, settings):
    """`handler` behind an SMTP server of its own, where the portal's mail goes."""
    handler, controller, port = start_smtp(handler)
    send_mail_to(settings, port)
    yield handler
    controller.stop()


@pytest.fixture
def inbox(settings, events):
    yield from _serving(RecordingInbox(events), settings)


@pytest.fixture
def serve(settings):
    """Puts a handler of the test's behind an SMTP server, stopped after the test."""
    started = []

    def start(handler: Inbox) -> None:
        serving = _serving(handler, settings)
        next(serving)
        started.append(serving)

    yield start
    for serving in started:
        next(serving, None)


def _scheduled_to_invitees(cast) -> None:
    """A meeting scheduled, its invitation to INVITEES readers pending."""
    start = timezone.now() + dt.timedelta(days=10)
    meeting = meeting_create(
        group=cast.mwg,
        title="Quarterly meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
    )
    for number in range(INVITEES):
        person = person_create(
            full_name=f"Invitee {number}",
            organisation=cast.moh,
            email=f"invitee{number}@example.org",
            by=None,
        )
        invitation_create(meeting=meeting, person=person, by=None)
    meeting.invitations.exclude(person__email__startswith="invitee").delete()
    meeting_schedule(meeting=meeting, by=None)


@pytest.fixture
def claimed(cast):
    _scheduled_to_invitees(cast)
    token, notices = delivery.notices_claim(limit=50)
    assert len(notices) == INVITEES
    return token, notices


def test_data_waits_until_the_message_two_before_is_marked_sent(
    inbox, events, claimed, monkeypatch
):
    real_mark = delivery._mark_sent

    def mark(notice, token):
        real_mark(notice, token)
        events.append(("mark", str(notice.pk)))

    monkeypatch.setattr(delivery, "_mark_sent", mark)
    token, notices = claimed

    assert delivery.notices_deliver(token, notices) == INVITEES

    order = [str(notice.pk) for notice in notices]
    # Two sessions: a message may reach the server just before the one before it.
    assert sorted(pk for step, pk in events if step == "data") == sorted(order)
    assert [pk for step, pk in events if step == "mark"] == order
    for number, pk in enumerate(order[2:], start=2):
        assert events.index(("mark", order[number - 2])) < events.index(("data", pk)), events
    unmarked = 0
    for step, _ in events:
        unmarked += 1 if step == "data" else -1
        assert unmarked <= delivery.IN_DOUBT == 2, events
    assert set(Notice.objects.filter(pk__in=[n.pk for n in notices]).values_list("status")) == {
        ("sent",)
    }


def test_a_message_whose_predecessors_cannot_be_marked_is_never_handed_over(
    inbox, events, claimed, monkeypatch
):
    def mark(notice, token):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(delivery, "_mark_sent", mark)
    token, notices = claimed

    with pytest.raises(RuntimeError, match="the database went away"):
        delivery.notices_deliver(token, notices)

    # The first two reached the server and could not be marked: they are the messages
    # a crash may repeat. The third had its envelope started, never its DATA.
    assert sorted(events) == sorted([("data", str(notices[0].pk)), ("data", str(notices[1].pk))])
    assert len(inbox.messages) == 2
    statuses = set(Notice.objects.filter(pk__in=[n.pk for n in notices]).values_list("status"))
    assert statuses == {("sending",)}
    assert delivery.notices_claim(limit=50)[1] == []


def test_a_message_sent_again_after_a_crash_has_the_message_id_of_its_first_sending(
    inbox, events, claimed, monkeypatch, settings
):
    token, notices = claimed
    with monkeypatch.context() as crashing:
        crashing.setattr(delivery, "_mark_sent", lambda notice, token: _crash())
        with pytest.raises(RuntimeError):
            delivery.notices_deliver(token, notices)
    first_sending = [email.message_from_bytes(m, policy=policy.default) for m in inbox.messages]
    settings.NOTICE_CLAIM_TIMEOUT_SECONDS = 0
    assert delivery.notices_release_stale() == INVITEES
    settings.NOTICE_CLAIM_TIMEOUT_SECONDS = 900

    token, notices = delivery.notices_claim(limit=50)
    assert delivery.notices_deliver(token, notices) == INVITEES

    received = [email.message_from_bytes(m, policy=policy.default) for m in inbox.messages]
    assert len(received) == 2 + INVITEES
    by_notice = {}
    for message in received:
        by_notice.setdefault(message["X-Tansiq-Notice"], set()).add(message["Message-ID"])
    assert all(len(ids) == 1 for ids in by_notice.values()), by_notice
    assert len({ids.pop() for ids in by_notice.values()}) == INVITEES
    host = urlsplit(settings.SITE_URL).hostname
    assert len(first_sending) == 2
    for message in first_sending:
        assert message["Message-ID"].startswith(f"<notice-{message['X-Tansiq-Notice']}.")
        assert message["Message-ID"].endswith(f"@{host}>")


class DawdlingInbox(RecordingInbox):
    """Answers the message of a given notice only once a given moment has passed."""

    def __init__(self, events: list):
        super().__init__(events)
        self.answer_at: dict[str, float] = {}
        self.greetings = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        notice = email.message_from_bytes(envelope.content, policy=policy.default)
        moment = self.answer_at.get(notice["X-Tansiq-Notice"], 0.0)
        await asyncio.sleep(max(0.0, moment - time.time()))
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def dawdling_inbox(settings, events):
    yield from _serving(DawdlingInbox(events), settings)


def _claim_states(notices) -> list[tuple[str, str, int]]:
    rows = Notice.objects.filter(pk__in=[n.pk for n in notices]).order_by("id")
    return list(rows.values_list("status", "claim_token", "attempts"))


@pytest.mark.parametrize("sessions", [1, 2])
def test_a_batch_hands_nothing_over_once_its_claim_is_about_to_run_out(
    dawdling_inbox, events, claimed, settings, caplog, sessions
):
    """A slow server must not keep a batch handing messages over until the sweep frees
    its rows for another worker: past the deadline the rest goes back to pending."""
    settings.NOTICE_CLAIM_TIMEOUT_SECONDS = 5
    settings.NOTICE_HANDOVER_SECONDS = 2
    settings.EMAIL_SESSIONS = sessions
    token, notices = claimed
    deadline = delivery._handover_deadline(notices)
    assert deadline == notices[0].claimed_at.timestamp() + 3
    # The second message's DATA starts in time, and its answer comes after the deadline.
    # Meanwhile a second session takes the third message; the fourth waits for the
    # second's mark, which comes too late.
    dawdling_inbox.answer_at[str(notices[1].pk)] = deadline + 0.3
    sent = sessions + 1

    with caplog.at_level("WARNING", logger="notices.delivery"):
        assert delivery.notices_deliver(token, notices) == sent

    assert time.time() < notices[0].claimed_at.timestamp() + settings.NOTICE_CLAIM_TIMEOUT_SECONDS
    assert sorted(events) == sorted(("data", str(n.pk)) for n in notices[:sent])
    given_back = ("pending", "", 0)
    assert _claim_states(notices) == [("sent", "", 1)] * sent + [given_back] * (INVITEES - sent)
    assert not NoticeAttempt.objects.filter(notice__in=notices).exists()
    # The messages already built when the deadline passed were refused before their
    # envelopes, and no connection a late answer ended was opened again.
    assert f"Notice {notices[sent].pk} given back: its claim ran out" in caplog.text
    assert f"Claim {token} ran out after " in caplog.text
    assert "was sent after its claim had been freed" not in caplog.text
    assert dawdling_inbox.greetings == sessions

    settings.NOTICE_CLAIM_TIMEOUT_SECONDS = 900
    token, again = delivery.notices_claim(limit=50)
    assert [n.pk for n in again] == [n.pk for n in notices[sent:]]
    assert delivery.notices_deliver(token, again) == INVITEES - sent
    received = [email.message_from_bytes(m, policy=policy.default) for m in dawdling_inbox.messages]
    assert sorted(m["X-Tansiq-Notice"] for m in received) == sorted(str(n.pk) for n in notices)
    assert _claim_states(notices) == [("sent", "", 1)] * INVITEES


def test_while_the_server_takes_its_time_over_one_message_the_other_session_sends_the_next(
    dawdling_inbox, events, claimed
):
    token, notices = claimed
    slow = notices[2]
    dawdling_inbox.answer_at[str(slow.pk)] = time.time() + 1.0

    assert delivery.notices_deliver(token, notices) == INVITEES

    # The message after the slow one reached the server first, on the other session;
    # the one after that waited for the slow one's mark (no more than two in doubt).
    arrived = [pk for _, pk in events]
    assert arrived.index(str(notices[3].pk)) < arrived.index(str(slow.pk))
    assert arrived.index(str(slow.pk)) < arrived.index(str(notices[4].pk))
    assert dawdling_inbox.greetings == 2


@pytest.mark.parametrize("sessions", [1, 2])
def test_a_dispatch_greets_the_server_once_a_session_however_many_batches_it_claims(
    dawdling_inbox, events, cast, settings, sessions
):
    settings.EMAIL_SESSIONS = sessions
    settings.NOTICE_BATCH_SIZE = 2
    _scheduled_to_invitees(cast)
    pending = list(Notice.objects.filter(status=Notice.Status.PENDING))
    assert len(pending) == INVITEES

    assert tasks.notices_dispatch_task() == INVITEES

    assert sorted(pk for _, pk in events) == sorted(str(n.pk) for n in pending)
    assert _claim_states(pending) == [("sent", "", 1)] * INVITEES
    # Three batches over the same sessions: one greeting each, not one a batch.
    assert dawdling_inbox.greetings == sessions


class SessionLimitInbox(DawdlingInbox):
    """A relay that takes so many messages a session, then ends it at the next MAIL
    (or RCPT): politely (421, as Exchange and many relays do) or by hanging up."""

    def __init__(self, events: list, *, per_session: int, ending: str, at: str = "MAIL"):
        super().__init__(events)
        self.per_session = per_session
        self.ending = ending
        self.at = at
        self.ended = 0

    def _ends(self, server, session) -> str | None:
        if getattr(session, "taken", 0) < self.per_session:
            return None
        self.ended += 1
        if self.ending == "hang up":
            server.transport.close()
        return "421 4.7.0 Too many messages in this session"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.at == "MAIL" and (refusal := self._ends(server, session)):
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.at == "RCPT" and (refusal := self._ends(server, session)):
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        session.taken = getattr(session, "taken", 0) + 1
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize(("ending", "at"), [("421", "MAIL"), ("hang up", "MAIL"), ("421", "RCPT")])
@pytest.mark.parametrize("sessions", [1, 2])
def test_a_session_the_server_ended_between_messages_is_opened_again_and_no_message_fails(
    serve, events, cast, settings, sessions, ending, at
):
    inbox = SessionLimitInbox(events, per_session=2, ending=ending, at=at)
    serve(inbox)
    settings.EMAIL_SESSIONS = sessions
    settings.NOTICE_BATCH_SIZE = 4
    _scheduled_to_invitees(cast)
    pending = list(Notice.objects.filter(status=Notice.Status.PENDING))

    assert tasks.notices_dispatch_task() == INVITEES

    assert inbox.ended >= 1
    assert sorted(pk for _, pk in events) == sorted(str(n.pk) for n in pending)
    # Each at its first try: the server had none of them when it ended the session.
    assert _claim_states(pending) == [("sent", "", 1)] * INVITEES
    assert not NoticeAttempt.objects.filter(notice__in=pending).exists()


def test_a_session_ended_at_its_first_message_is_not_opened_again(serve, events, claimed, settings):
    """A new session the server ends at once is the server's refusal, not a session
    grown old: the message fails (and is retried later), the server is not asked again."""
    inbox = SessionLimitInbox(events, per_session=0, ending="421")
    serve(inbox)
    settings.EMAIL_SESSIONS = 1
    token, notices = claimed

    assert delivery.notices_deliver(token, notices) == 0

    assert not events
    assert inbox.ended == INVITEES
    assert inbox.greetings == INVITEES
    failed = NoticeAttempt.objects.filter(notice__in=notices)
    assert failed.count() == INVITEES
    assert all("421" in attempt.error for attempt in failed)


class HangUpAfterDataInbox(DawdlingInbox):
    """Takes a session's second message (it has it), then hangs up before its answer."""

    def __init__(self, events: list):
        super().__init__(events)
        self.hung = 0

    async def handle_DATA(self, server, session, envelope):
        session.taken = getattr(session, "taken", 0) + 1
        answer = await super().handle_DATA(server, session, envelope)
        if session.taken == 2:
            self.hung += 1
            server.transport.close()
        return answer


@pytest.mark.parametrize("sessions", [1, 2])
def test_a_session_ended_after_its_data_began_is_not_sent_again_at_once(
    serve, events, cast, settings, sessions
):
    """The server may hold a message whose DATA began: no new session sends it then (a
    duplicate); it fails this try, as any message in doubt does."""
    inbox = HangUpAfterDataInbox(events)
    serve(inbox)
    settings.EMAIL_SESSIONS = sessions
    settings.NOTICE_BATCH_SIZE = 3
    _scheduled_to_invitees(cast)

    sent = tasks.notices_dispatch_task()

    received = [pk for _, pk in events]
    assert inbox.hung >= 1
    assert len(received) == len(set(received)) == INVITEES
    assert sent == INVITEES - inbox.hung
    assert NoticeAttempt.objects.count() == inbox.hung


class RecipientRefusedInbox(DawdlingInbox):
    """Refuses the third message's recipient for good (550), in a session kept open."""

    def __init__(self, events: list):
        super().__init__(events)
        self.asked = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.asked += 1
        if self.asked == 3:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_kept_session_refusing_a_recipient_is_not_asked_again(serve, events, claimed, settings):
    inbox = RecipientRefusedInbox(events)
    serve(inbox)
    settings.EMAIL_SESSIONS = 1
    token, notices = claimed

    assert delivery.notices_deliver(token, notices) == INVITEES - 1

    # Each recipient asked for once: the refused one was not asked over a new session.
    assert inbox.asked == INVITEES
    [attempt] = NoticeAttempt.objects.filter(notice__in=notices)
    assert attempt.is_permanent
    assert "550" in attempt.error


class SpareRefusesMailInbox(DawdlingInbox):
    """Greets every session; any but the first it greeted gets 421 at MAIL."""

    def __init__(self, events: list):
        super().__init__(events)
        self.refused = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.number = self.greetings
        return await super().handle_EHLO(server, session, envelope, hostname, responses)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if session.number > 0:
            self.refused += 1
            return "421 4.7.0 Too many connections"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


def test_a_second_session_refused_at_its_first_message_is_not_taken_for_one_grown_old(
    serve, events, claimed, settings, caplog
):
    """The spare session greets the server before it carries anything: a 421 at its
    first MAIL is a refusal, and no third session is opened for the message."""
    inbox = SpareRefusesMailInbox(events)
    serve(inbox)
    settings.EMAIL_SESSIONS = 2
    token, notices = claimed

    with caplog.at_level("INFO", logger="notices.delivery"):
        sent = delivery.notices_deliver(token, notices)

    failed = NoticeAttempt.objects.filter(notice__in=notices)
    assert inbox.refused >= 1
    assert failed.count() == inbox.refused == INVITEES - sent
    assert all("421" in attempt.error for attempt in failed)
    assert "ended a session" not in caplog.text


class NumberedFileBackend(filebased.EmailBackend):
    """Django's file backend, each connection's file numbered: Django names it by the
    second and the connection's id(), which a connection made after another was freed
    may share, so that two batches' messages went into one file now and then."""

    numbers = itertools.count()

    def _get_filename(self):
        if self._fname is None:
            self._fname = os.path.join(self.file_path, f"{next(self.numbers):04}.log")
        return self._fname


def test_a_backend_other_than_smtp_gets_a_connection_a_batch(cast, settings, tmp_path):
    """Only SMTP sessions outlive a batch: the file backend of development writes a file
    a batch, as it always did, and a dispatch leaves none open."""
    settings.EMAIL_BACKEND = f"{__name__}.NumberedFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.NOTICE_BATCH_SIZE = 2
    _scheduled_to_invitees(cast)

    assert tasks.notices_dispatch_task() == INVITEES

    files = sorted(tmp_path.iterdir())
    assert len(files) == INVITEES // 2
    assert all(path.read_bytes().count(b"\nX-Tansiq-Notice: ") == 2 for path in files)


class OneConnectionInbox(RecordingInbox):
    """A relay that allows a client one connection: any session but the first it
    greeted is refused at EHLO, as Microsoft's relays answer a connection too many."""

    def __init__(self, events: list):
        super().__init__(events)
        self.sessions: list[int] = []
        self.refused_sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if self.sessions and id(session) not in self.sessions:
            self.refused_sessions += 1
            return ["421 4.3.2 Concurrent connections limit exceeded"]
        self.sessions.append(id(session))
        session.host_name = hostname
        return responses


def test_a_relay_that_allows_one_connection_gets_every_message_over_it(
    serve, settings, events, claimed, caplog
):
    inbox = OneConnectionInbox(events)
    serve(inbox)
    token, notices = claimed

    with caplog.at_level("WARNING", logger="notices.delivery"):
        assert delivery.notices_deliver(token, notices) == INVITEES

    assert inbox.refused_sessions == 1
    assert sorted(pk for _, pk in events) == sorted(str(n.pk) for n in notices)
    # No try was lost to the refusal: each notice sent at its first, nothing retried.
    assert _claim_states(notices) == [("sent", "", 1)] * INVITEES
    assert not NoticeAttempt.objects.filter(notice__in=notices).exists()
    assert "would not open a second session" in caplog.text
    assert "421 4.3.2 Concurrent connections limit exceeded" in caplog.text


def test_two_messages_to_one_reader_reach_the_server_in_their_order(
    dawdling_inbox, events, claimed
):
    """An invitation and the reminder after it, to the same reader, one after the other
    in the batch: the reminder waits for the invitation, though the invitation is slow
    and the other session is free."""
    token, notices = claimed
    reader = notices[-1]
    outbox.notices_write(
        kind=Notice.Kind.REMINDER,
        version="soon",
        payload={"days_before": 1},
        people=[reader.person],
        meeting=reader.meeting,
    )
    Notice.objects.filter(pk__in=[n.pk for n in notices]).update(
        status=Notice.Status.PENDING, claim_token="", attempts=0
    )
    token, notices = delivery.notices_claim(limit=50)
    invitation, reminder = notices[-2:]
    assert (invitation.person_id, invitation.kind) == (reader.person_id, Notice.Kind.INVITATION)
    assert (reminder.person_id, reminder.kind) == (reader.person_id, Notice.Kind.REMINDER)
    dawdling_inbox.answer_at[str(invitation.pk)] = time.time() + 1.0

    assert delivery.notices_deliver(token, notices) == INVITEES + 1

    arrived = [pk for _, pk in events]
    assert arrived.index(str(invitation.pk)) < arrived.index(str(reminder.pk))
    received = [email.message_from_bytes(m, policy=policy.default) for m in dawdling_inbox.messages]
    assert [m["To"].addresses[0].addr_spec for m in received[-2:]] == [reader.person.email] * 2


def test_a_message_sent_after_its_claim_was_freed_is_reported(claimed, caplog):
    token, notices = claimed

    with caplog.at_level("WARNING", logger="notices.delivery"):
        delivery._mark_sent(notices[0], "a claim since freed")

    assert f"Notice {notices[0].pk} was sent after its claim had been freed" in caplog.text
    assert _claim_states(notices[:1]) == [("sending", token, 1)]


def test_a_claim_already_run_out_hands_nothing_over_and_counts_no_try(
    inbox, events, claimed, settings, caplog
):
    settings.NOTICE_HANDOVER_SECONDS = settings.NOTICE_CLAIM_TIMEOUT_SECONDS
    token, notices = claimed

    with caplog.at_level("WARNING", logger="notices.delivery"):
        assert delivery.notices_deliver(token, notices) == 0

    assert events == []
    assert inbox.messages == []
    assert _claim_states(notices) == [("pending", "", 0)] * INVITEES
    assert not NoticeAttempt.objects.filter(notice__in=notices).exists()
    assert f"Claim {token} ran out after 0 of {INVITEES} notices; {INVITEES} given back." in (
        caplog.text
    )


def test_the_smtp_thread_only_talks_to_the_server(inbox, claimed, monkeypatch, settings):
    """The thread that builds the messages also writes their MIME bytes and envelopes;
    the thread that talks to the server only hands them over, and the server gets what
    Django's own backend would give it: the sender's and the reader's bare addresses."""
    writers = []
    real_wire_bytes = NoticeEmail.wire_bytes

    def wire_bytes(self):
        writers.append(threading.current_thread().name)
        return real_wire_bytes(self)

    monkeypatch.setattr(NoticeEmail, "wire_bytes", wire_bytes)
    token, notices = claimed

    assert delivery.notices_deliver(token, notices) == INVITEES

    assert writers == [threading.current_thread().name] * INVITEES
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    assert sorted(inbox.envelopes) == sorted((sender, [n.person.email]) for n in notices)
    readers = {str(notice.pk): notice.person.email for notice in notices}
    for raw, envelope in zip(inbox.messages, inbox.envelopes, strict=True):
        parsed = email.message_from_bytes(raw, policy=policy.default)
        assert parsed["To"].addresses[0].addr_spec == readers.pop(parsed["X-Tansiq-Notice"])
        assert envelope[1] == [parsed["To"].addresses[0].addr_spec]
    assert readers == {}


def test_threads_take_short_turns_during_a_batch_and_pythons_own_after(inbox, claimed, monkeypatch):
    """Over the batch the two threads hand the interpreter to each other every 0.1 ms
    (the SMTP thread needs it after each of the server's answers); the process gets its
    own interval back after the batch, and after a batch that failed."""
    own = sys.getswitchinterval()
    seen = []
    real_mark = delivery._mark_sent

    def mark(notice, token):
        seen.append(sys.getswitchinterval())
        if len(seen) == INVITEES - 1:
            raise RuntimeError("the database went away")
        real_mark(notice, token)

    monkeypatch.setattr(delivery, "_mark_sent", mark)
    token, notices = claimed

    with pytest.raises(RuntimeError, match="the database went away"):
        delivery.notices_deliver(token, notices)

    assert own > delivery.SWITCH_INTERVAL_SECONDS
    assert seen == [pytest.approx(delivery.SWITCH_INTERVAL_SECONDS)] * (INVITEES - 1)
    assert sys.getswitchinterval() == own
    monkeypatch.setattr(delivery, "_mark_sent", real_mark)
    Notice.objects.update(status=Notice.Status.PENDING, claim_token="")
    token, notices = delivery.notices_claim(limit=50)
    assert delivery.notices_deliver(token, notices) == INVITEES
    assert sys.getswitchinterval() == own


def test_an_envelope_that_cannot_be_written_fails_its_notice_alone(inbox, claimed, monkeypatch):
    token, notices = claimed
    unwritable = notices[2].person.email

    def sanitize(address, encoding):
        # An address as it stands, or a (name, address) pair (notices.mime).
        if unwritable in (address if isinstance(address, str) else address[1]):
            raise ValueError("Invalid address")
        return sanitize_address(address, encoding)

    for module in (delivery, mime):
        monkeypatch.setattr(module, "sanitize_address", sanitize)

    assert delivery.notices_deliver(token, notices) == INVITEES - 1

    assert len(inbox.messages) == INVITEES - 1
    failed = Notice.objects.get(pk=notices[2].pk)
    assert failed.status == Notice.Status.FAILED
    assert "Invalid address" in failed.last_error
    assert failed.failed_attempts.get().is_permanent
    others = Notice.objects.filter(pk__in=[n.pk for n in notices]).exclude(pk=failed.pk)
    assert set(others.values_list("status", flat=True)) == {Notice.Status.SENT}


def test_a_mail_backend_that_cannot_be_made_fails_the_emails_not_the_batch(claimed, settings):
    """A broken mail setting (TLS and SSL both asked for) raises when Django's backend
    is made: each e-mail of the batch is recorded as failed with the reason, none is
    left claimed, and the batch returns."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = True
    token, notices = claimed

    assert delivery.notices_deliver(token, notices) == 0

    rows = Notice.objects.filter(pk__in=[n.pk for n in notices])
    assert set(rows.values_list("status", flat=True)) == {Notice.Status.FAILED}
    assert all("EMAIL_USE_TLS" in row.last_error for row in rows)


def test_an_email_without_recipients_is_refused_before_it_is_handed_over(claimed):
    from django.core.mail import EmailMessage

    notice = claimed[1][0]
    with pytest.raises(delivery.PermanentError, match="no recipient"):
        delivery._envelope(notice, EmailMessage("Subject", "Body", "a@example.org", []))


def test_two_batches_at_once_leave_the_process_its_own_interval():
    """In a web process that delivers in-process, two threads may deliver at once: the
    first to finish keeps the turns short for the other, the last gives Python's back."""
    own = sys.getswitchinterval()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with delivery._short_turns():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with delivery._short_turns():
            second_in.set()
            first_out.wait(5)
            seen["after the first left"] = sys.getswitchinterval()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert seen == {"after the first left": pytest.approx(delivery.SWITCH_INTERVAL_SECONDS)}
    assert sys.getswitchinterval() == own


def _crash():
    raise RuntimeError("the worker died")
