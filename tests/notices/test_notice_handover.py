"""Over a real SMTP server, each message's envelope is started while the one before is
being marked sent, but its DATA (after which the server has it) is sent only once that
one is marked: a crash leaves at most one message sent and not marked."""

import datetime as dt
import email
from email import policy

import pytest
from django.utils import timezone

from meetings.services import invitation_create, meeting_create, meeting_schedule
from members.services import person_create
from notices import delivery
from notices.models import Notice
from tests.servers import Inbox

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


@pytest.fixture
def inbox(settings, events):
    from aiosmtpd.controller import Controller

    from tests.servers import free_port

    recording = RecordingInbox(events)
    port = free_port()
    controller = Controller(recording, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield recording
    controller.stop()


@pytest.fixture
def claimed(cast):
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
    token, notices = delivery.notices_claim(limit=50)
    assert len(notices) == INVITEES
    return token, notices


def test_data_waits_until_the_message_before_is_marked_sent(inbox, events, claimed, monkeypatch):
    real_mark = delivery._mark_sent

    def mark(notice, token):
        real_mark(notice, token)
        events.append(("mark", str(notice.pk)))

    monkeypatch.setattr(delivery, "_mark_sent", mark)
    token, notices = claimed

    assert delivery.notices_deliver(token, notices) == INVITEES

    assert events == [(step, str(notice.pk)) for notice in notices for step in ("data", "mark")]
    assert set(Notice.objects.filter(pk__in=[n.pk for n in notices]).values_list("status")) == {
        ("sent",)
    }


def test_a_message_whose_predecessor_cannot_be_marked_is_never_handed_over(
    inbox, events, claimed, monkeypatch
):
    def mark(notice, token):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(delivery, "_mark_sent", mark)
    token, notices = claimed

    with pytest.raises(RuntimeError, match="the database went away"):
        delivery.notices_deliver(token, notices)

    # The first reached the server and could not be marked: it is the one message a
    # crash may repeat. The second had its envelope started, never its DATA.
    assert events == [("data", str(notices[0].pk))]
    assert len(inbox.messages) == 1
    statuses = set(Notice.objects.filter(pk__in=[n.pk for n in notices]).values_list("status"))
    assert statuses == {("sending",)}
    assert delivery.notices_claim(limit=50)[1] == []
