"""Webhook calls go where the registered URL resolves now, to a public address, once:
never after a redirect, never to the portal's own network."""

import datetime as dt
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from meetings.services import invitation_create, meeting_create, meeting_schedule
from notices import delivery, webhook_http
from notices.models import Notice
from notices.services import webhook_endpoint_register
from tests.servers import start_receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    receiver, server = start_receiver()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield receiver
    server.shutdown()


@dataclass
class Redirector:
    url: str
    followed: list[str]


@pytest.fixture
def redirector():
    """A receiver that answers a POST with a redirect to a page of its own on the
    portal's machine, and notes whether anything followed it there."""
    followed: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # http.server hook name
            if self.path == "/landed":
                followed.append("POST")
                self.send_response(200)
                self.end_headers()
                return
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(302)
            self.send_header("Location", "/landed")
            self.end_headers()

        def do_GET(self):  # what a client that follows a 302 sends
            followed.append("GET")
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Redirector(f"http://127.0.0.1:{server.server_address[1]}/hook", followed)
    server.shutdown()


def _webhook_notice(cast, url: str, settings) -> Notice:
    settings.WEBHOOK_ALLOW_INSECURE = True
    webhook_endpoint_register(organisation=cast.moh, url=url, events=["meeting.scheduled"], by=None)
    start = timezone.now() + dt.timedelta(days=3)
    meeting = meeting_create(
        group=cast.health,
        title="Review",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
    )
    invitation_create(meeting=meeting, person=cast.member_person, by=None)
    meeting_schedule(meeting=meeting, by=None)
    return Notice.objects.get(channel=Notice.Channel.WEBHOOK)


def _deliver() -> None:
    token, claimed = delivery.notices_claim(limit=50)
    delivery.notices_deliver(token, claimed)


def test_a_redirect_is_not_followed(cast, settings, redirector):
    notice = _webhook_notice(cast, redirector.url, settings)

    _deliver()

    notice.refresh_from_db()
    assert redirector.followed == []
    assert notice.status == Notice.Status.FAILED
    assert "HTTP 302" in notice.last_error
    assert "redirect" in notice.last_error
    assert notice.failed_attempts.get().is_permanent


def test_a_host_that_now_resolves_to_a_private_address_is_not_called(
    cast, settings, receiver, monkeypatch
):
    """Registered while it pointed somewhere public; at send time it points at the
    portal's own machine, where the receiver listens."""
    port = receiver.url.split(":")[2].split("/")[0]
    notice = _webhook_notice(cast, f"http://hooks.example.org:{port}/hook", settings)
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "hooks.example.org":
            return real_getaddrinfo("127.0.0.1", *args, **kwargs)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    settings.WEBHOOK_ALLOW_INSECURE = False

    _deliver()

    notice.refresh_from_db()
    assert receiver.calls == []
    assert notice.status == Notice.Status.FAILED
    assert "non-public address (127.0.0.1)" in notice.last_error


def test_the_address_checked_is_the_address_called(cast, settings, receiver, monkeypatch):
    """One lookup per send: a name that changes between the check and the connection
    (DNS rebinding) cannot move the call elsewhere."""
    port = receiver.url.split(":")[2].split("/")[0]
    notice = _webhook_notice(cast, f"http://hooks.example.org:{port}/hook", settings)
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def resolve(host, *args, **kwargs):
        if host == "hooks.example.org":
            lookups.append(host)
            # The first answer is the receiver; any later one would be a black hole.
            target = "127.0.0.1" if len(lookups) == 1 else "192.0.2.1"
            return real_getaddrinfo(target, *args, **kwargs)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    settings.WEBHOOK_TIMEOUT_SECONDS = 2

    _deliver()

    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT, notice.last_error
    assert lookups == ["hooks.example.org"]
    (call,) = receiver.calls
    assert call["headers"]["Host"] == f"hooks.example.org:{port}"


def test_a_webhook_connected_past_the_claims_deadline_is_not_posted_but_given_back(
    cast, settings, receiver, monkeypatch
):
    """The deadline passes while connecting to the receiver: the request, after which
    the receiver may have acted, is not sent."""
    notice = _webhook_notice(cast, receiver.url, settings)
    settings.NOTICE_HANDOVER_SECONDS = settings.NOTICE_CLAIM_TIMEOUT_SECONDS - 3
    token, claimed = delivery.notices_claim(limit=50)
    deadline = delivery._handover_deadline(claimed)
    real_connect = socket.create_connection
    connected = []

    def slow_connect(address, *args, **kwargs):
        time.sleep(max(0.0, deadline + 0.2 - time.time()))
        connected.append(address)
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", slow_connect)

    delivery.notices_deliver(token, claimed)

    notice.refresh_from_db()
    assert len(connected) == 1
    assert receiver.calls == []
    assert (notice.status, notice.claim_token, notice.attempts) == ("pending", "", 0)
    assert not notice.failed_attempts.exists()


def test_a_webhook_is_not_posted_once_the_moment_to_send_by_has_passed(receiver, settings):
    settings.WEBHOOK_ALLOW_INSECURE = True

    with pytest.raises(webhook_http.TooLate):
        webhook_http.post(receiver.url, b"{}", {}, timeout=2, send_by=time.time() - 1)

    assert receiver.calls == []
    assert webhook_http.post(receiver.url, b"{}", {}, timeout=2, send_by=time.time() + 60) == 200
    assert len(receiver.calls) == 1
