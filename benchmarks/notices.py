"""Notice fan-out: a meeting with 1,000 invitees (English, Arabic, French) is scheduled,
and we time until a real SMTP server holds every invitation, delivered by one real
Celery worker (concurrency 1) through a Redis broker of the benchmark's own.

The floor, measured in the same run against the same SMTP server, is the least work
that puts the same messages there: the very same messages, rendered and written out to
their bytes and envelopes beforehand, sent over one SMTP connection in a plain smtplib
loop. The worker's time covers everything the
product does: writing the outbox rows in the scheduling transaction, enqueueing after
commit, claiming batches, rendering each message (HTML, text, calendar file, signed
answer links) in the recipient's language, sending, and marking each row sent.

Run in a process of its own (`python -m benchmarks.notices`, called by `make bench`)
because the broker and mail settings must be in the environment before Django starts.
"""

import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INVITEES = 1_000
RUNS = 3
LANGUAGES = ("en", "ar", "fr")
EMAIL_DOMAIN = "fanout.example.org"


def _setup(redis_url: str, smtp_port: int) -> str:
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    default = f"sqlite:///{bench_dir / 'notices.sqlite3'}"
    database_url = os.environ.get("BENCH_DATABASE_URL") or default
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return database_url


def _invitees():
    """1,000 people spread over the three languages, created once and reused."""
    from members.models import Organisation, Person

    organisation, _ = Organisation.objects.get_or_create(
        name="Fan-out ministry", defaults={"kind": Organisation.Kind.MINISTRY}
    )
    existing = Person.objects.filter(email__endswith="@" + EMAIL_DOMAIN).count()
    Person.objects.bulk_create(
        Person(
            full_name=f"Invitee {number}",
            organisation=organisation,
            email=f"invitee{number}@{EMAIL_DOMAIN}",
            preferred_language=LANGUAGES[number % len(LANGUAGES)],
        )
        for number in range(existing, INVITEES)
    )
    return list(Person.objects.filter(email__endswith="@" + EMAIL_DOMAIN).order_by("pk"))


def _draft_meeting(people, run: int):
    import datetime as dt

    from django.utils import timezone

    from groups.models import CoordinationGroup
    from meetings.services import agenda_item_add, invitation_create, meeting_create

    framework, _ = CoordinationGroup.objects.get_or_create(
        name="Fan-out framework", defaults={"kind": CoordinationGroup.Kind.FRAMEWORK}
    )
    group, _ = CoordinationGroup.objects.get_or_create(
        name="Fan-out working group",
        defaults={"kind": CoordinationGroup.Kind.WORKING_GROUP, "parent": framework},
    )
    start = timezone.now() + dt.timedelta(days=30 + run)
    meeting = meeting_create(
        group=group,
        title=f"Fan-out meeting {time.time_ns()}",
        start_at=start,
        end_at=start + dt.timedelta(hours=3),
        venue="Ministry of Planning, Tripoli",
        online_url="https://meet.example.org/mwg",
        by=None,
    )
    for title in ("Opening remarks", "Labour migration", "Border management", "Health"):
        agenda_item_add(meeting=meeting, title=title, duration_minutes=20, by=None)
    for person in people:
        invitation_create(meeting=meeting, person=person, by=None)
    return meeting


def _wait(condition, *, timeout: float, what: str) -> None:
    """The tests' wait, polled finely enough to time by, ending the run with a sentence."""
    from tests.servers import wait_for

    try:
        wait_for(condition, timeout=timeout, what=what, every=0.005)
    except AssertionError as error:
        raise SystemExit(f"The benchmark {error}.") from None


def _worker_run(inbox, people, run: int, worker):
    from meetings.services import meeting_schedule

    meeting = _draft_meeting(people, run)
    inbox.messages.clear()
    started = time.perf_counter()
    meeting_schedule(meeting=meeting, by=None)
    _wait(
        lambda: len(inbox.messages) >= INVITEES or worker.process.poll() is not None,
        timeout=600,
        what=f"{INVITEES} invitations",
    )
    elapsed = time.perf_counter() - started
    if worker.process.poll() is not None:
        raise SystemExit("The worker died during the benchmark:\n" + worker.log())
    time.sleep(0.5)
    if len(inbox.messages) != INVITEES:
        raise SystemExit(f"{len(inbox.messages)} messages arrived for {INVITEES} invitees.")
    return elapsed, meeting


def _floor_run(inbox, meeting) -> float:
    import smtplib

    from django.conf import settings
    from django.core.mail.message import sanitize_address

    from meetings.models import Invitation
    from notices.content import email_for
    from notices.models import Notice

    notices = list(
        Notice.objects.filter(meeting=meeting, kind=Notice.Kind.INVITATION)
        .select_related("meeting__group", "person")
        .order_by("pk")
    )
    invitations = {i.person_id: i for i in Invitation.objects.filter(meeting=meeting)}
    # Everything but the sending done beforehand, untimed: each message's envelope and
    # bytes, as Django's SMTP backend writes them (the same bytes as the worker's but for
    # the boundaries; written by Django's code, the floor does not lean on the product's).
    encoding = settings.DEFAULT_CHARSET
    outgoing = []
    for notice in notices:
        message = email_for(notice, invitations[notice.person_id])
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in message.recipients()]
        outgoing.append((sender, recipients, message.message().as_bytes(linesep="\r\n")))
    assert len(outgoing) == INVITEES, len(outgoing)
    inbox.messages.clear()
    started = time.perf_counter()
    with smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT) as smtp:
        for sender, recipients, data in outgoing:
            smtp.sendmail(sender, recipients, data)
    _wait(lambda: len(inbox.messages) >= INVITEES, timeout=600, what="the floor's messages")
    return time.perf_counter() - started


def _measure(
    inbox, people, database_url: str, concurrency: int
) -> tuple[float, float, list[float]]:
    """Median seconds for the worker and for the floor to put INVITEES messages in
    the SMTP server, over RUNS meetings, and each run's ratio: the floor is timed right
    after the worker, so a machine that slows for a while slows both."""
    from tests.servers import Worker

    logfile = Path(tempfile.mkdtemp(prefix="tansiq-bench-")) / "worker.log"
    # The worker runs as in production: DEBUG off (no query log, no template debug
    # information).
    production = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "x"}
    worker = Worker(
        {"DATABASE_URL": database_url, **production}, str(logfile), concurrency=concurrency
    )
    try:
        _wait(lambda: "ready." in worker.log(), timeout=60, what="the worker to start")
        worker_times, floor_times = [], []
        for run in range(RUNS):
            elapsed, meeting = _worker_run(inbox, people, run, worker)
            worker_times.append(elapsed)
            floor_times.append(_floor_run(inbox, meeting))
    finally:
        worker.stop()
    ratios = [floor / worker for worker, floor in zip(worker_times, floor_times, strict=True)]
    return statistics.median(worker_times), statistics.median(floor_times), ratios


def main() -> None:
    from tests.servers import start_redis, start_smtp

    if shutil.which("redis-server") is None:
        raise SystemExit("The fan-out benchmark needs redis-server (apt-get install redis-server).")
    redis = start_redis()
    inbox, controller, smtp_port = start_smtp()
    try:
        database_url = _setup(redis.url, smtp_port)
        import logging

        from django.core.management import call_command

        # The SMTP server's own chatter would be timed with both sides; keep it quiet.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        call_command("migrate", verbosity=0)
        people = _invitees()
        # One worker with a single process, then as docker-compose runs it (two).
        for concurrency in (1, 2):
            worker_s, floor_s, ratios = _measure(inbox, people, database_url, concurrency)
            print(
                f"notice fan-out, {INVITEES:,} invitees "
                f"({concurrency} process{'es' if concurrency > 1 else ''}): "
                f"worker {INVITEES / worker_s:.0f} msg/s, floor {INVITEES / floor_s:.0f} msg/s: "
                f"runs {', '.join(f'{ratio:.2f}' for ratio in ratios)}: "
                f"{statistics.median(ratios):.2f}x floor rate",
                flush=True,
            )
    finally:
        controller.stop()
        redis.stop()


if __name__ == "__main__":
    main()
