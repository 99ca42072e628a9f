import datetime as dt

import pytest
from django.utils import timezone

from meetings.services import action_point_create, meeting_create, meeting_mark_held
from tests.servers import send_mail_to, start_dovecot, start_smtp


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) that the portal's mail goes to; its inbox."""
    inbox, controller, port = start_smtp()
    send_mail_to(settings, port)
    yield inbox
    controller.stop()


@pytest.fixture(scope="module")
def dovecot():
    """A Dovecot IMAP server of the module's own (tests.servers.start_dovecot)."""
    server = start_dovecot()
    yield server
    server.stop()


@pytest.fixture
def due_points(cast):
    """A meeting held two days ago, with two of the MoH's action points due in one and
    two days: action_points_remind_due has their reminders to write."""
    past = timezone.now() - dt.timedelta(days=2)
    held = meeting_create(
        group=cast.mwg,
        title="Held",
        start_at=past,
        end_at=past + dt.timedelta(hours=1),
        by=None,
        record_past=True,
    )
    meeting_mark_held(meeting=held, by=None)
    for days in (1, 2):
        action_point_create(
            meeting=held,
            title=f"Due in {days}",
            owner_organisation=cast.moh,
            owner_person=cast.member_person,
            due_on=timezone.localdate() + dt.timedelta(days=days),
            by=None,
        )
