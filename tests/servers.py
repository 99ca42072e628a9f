"""Real services for the tests that need them, started by the tests themselves.

A fault test that stops a service starts its own instance first, on a free port, and
never touches the machine's shared ones. Outside CI a missing binary skips the test;
in CI (CI=true) a skip fails the run, so CI always provides the binary.
"""

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def start_redis(port: int | None = None) -> RedisServer:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = port or free_port()
    workdir = tempfile.mkdtemp(prefix="tansiq-redis-")
    process = subprocess.Popen(  # noqa: S603 - fixed binary and arguments
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return RedisServer(port=port, process=process)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"redis-server did not start on port {port}")


# --- SMTP ------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps what it accepts, and can refuse or dawdle."""

    def __init__(self):
        import threading

        self.messages: list[bytes] = []
        # (MAIL FROM, RCPT TO) of each message kept, in the same order.
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refusals_left = 0
        self.refused = 0
        self.delay_seconds = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd hook name
        import asyncio

        with self.lock:
            if self.refusals_left > 0:
                self.refusals_left -= 1
                self.refused += 1
                return "421 4.3.2 Service not available, try again later"
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        with self.lock:
            self.messages.append(envelope.content)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 OK"

    def parsed(self):
        import email
        from email import policy

        with self.lock:
            return [email.message_from_bytes(raw, policy=policy.default) for raw in self.messages]


def start_smtp(inbox: Inbox | None = None):
    """An SMTP server on loopback handing what it is sent to `inbox` (a new Inbox by
    default): the inbox, the server's controller and its port."""
    from aiosmtpd.controller import Controller

    inbox = inbox or Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return inbox, controller, port


def send_mail_to(settings, port: int) -> None:
    """Point the portal's mail (pytest-django's `settings`) at a plain SMTP server on
    loopback, without sign-in or TLS."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


# --- IMAP -----------------------------------------------------------------------------


@dataclass
class DovecotServer:
    port: int
    user: str
    password: str
    workdir: str
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


DOVECOT_CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {workdir}/run
state_dir = {workdir}/state
log_path = {workdir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 0
{users}
mail_location = maildir:{workdir}/home/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {workdir}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={workdir}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def start_dovecot() -> DovecotServer:
    """A Dovecot IMAP server of the test's own (Debian's dovecot-imapd), one mailbox,
    plain IMAP on a free loopback port, mail kept in a temporary folder."""
    import os
    import pwd

    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
    )
    if binary is None:
        pytest.skip("dovecot is not installed")
    workdir = tempfile.mkdtemp(prefix="tansiq-dovecot-")
    # Dovecot's auth process runs as its own user and must read the password file.
    os.chmod(workdir, 0o755)  # noqa: S103 - a throwaway test mailbox
    port = free_port()
    user, password = "secretariat", "reply-reader"
    if os.geteuid() == 0:
        # Dovecot refuses to keep mail as root: the mailbox belongs to nobody.
        uid, gid, users = 65534, 65534, ""
    else:
        me = pwd.getpwuid(os.geteuid()).pw_name
        uid, gid = os.geteuid(), os.getegid()
        users = f"default_internal_user = {me}\ndefault_login_user = {me}"
    os.makedirs(f"{workdir}/home", exist_ok=True)
    if os.geteuid() == 0:
        os.chown(f"{workdir}/home", uid, gid)
    with open(f"{workdir}/passwd", "w") as passwd:
        passwd.write(f"{user}:{{PLAIN}}{password}\n")
    config = f"{workdir}/dovecot.conf"
    with open(config, "w") as handle:
        handle.write(
            DOVECOT_CONFIG.format(workdir=workdir, port=port, uid=uid, gid=gid, users=users)
        )
    process = subprocess.Popen(  # noqa: S603 - fixed binary and arguments
        [binary, "-F", "-c", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return DovecotServer(port, user, password, workdir, process)
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.05)
    process.kill()
    log = Path(workdir, "dovecot.log")
    said = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"dovecot did not start on port {port}: {said}")


# --- Webhook receiver ----------------------------------------------------------------


class Receiver:
    """Records webhook calls; answers 500 to the first `failures_left` of them."""

    def __init__(self):
        import threading

        self.calls: list[dict] = []
        self.failures_left = 0
        self.lock = threading.Lock()


def start_receiver():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # http.server hook name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with receiver.lock:
                failing = receiver.failures_left > 0
                if failing:
                    receiver.failures_left -= 1
                receiver.calls.append(
                    {
                        "headers": dict(self.headers),
                        "body": body,
                        "answered": 500 if failing else 200,
                    }
                )
            self.send_response(500 if failing else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return receiver, server


# --- Celery worker --------------------------------------------------------------------


def database_url_of(connection) -> str:
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    from urllib.parse import quote

    password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    port = settings.get("PORT") or 5432
    return (
        f"postgres://{quote(settings['USER'])}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{port}/{settings['NAME']}"
    )


class Worker:
    """A real `celery worker -B` process of its own (embedded beat), in its own
    process group so it can be killed whole."""

    def __init__(self, env: dict, logfile: str, *, concurrency: int = 1):
        import os
        import sys

        self.logfile = logfile
        schedule = tempfile.mkdtemp(prefix="tansiq-beat-") + "/schedule"
        self.process = subprocess.Popen(  # noqa: S603 - fixed interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "-B",
                "--pool",
                "prefork",
                "--concurrency",
                str(concurrency),
                "--loglevel",
                "INFO",
                "--schedule",
                schedule,
                "--hostname",
                f"test-{free_port()}@localhost",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env={**os.environ, **env},
            stdout=open(logfile, "ab"),  # the process owns the file
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        import os
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        import os
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        with open(self.logfile, encoding="utf-8", errors="replace") as handle:
            return handle.read()[-4000:]


def wait_for(condition, *, timeout: float, what: str, every: float = 0.1):
    """Poll until `condition()` is true; fail naming `what` after `timeout` seconds.
    A bound on waiting for a real process, not a speed assertion."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"gave up waiting for {what} after {timeout} s")
