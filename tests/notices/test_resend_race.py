"""Two people pressing Resend on the same notice at the same moment: one copy is sent,
the other is told it is already being sent, and neither meets a database error.

On PostgreSQL (CI) the two transactions really overlap, and without the row lock in
notice_resend this fails most runs with an IntegrityError; SQLite queues writers anyway."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from groups.models import CoordinationGroup
from groups.services import group_create
from meetings.services import invitation_create, meeting_create, meeting_schedule
from members.models import OrganisationKind
from members.services import organisation_create, person_create
from notices.models import Notice
from notices.services import notice_resend

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def failed_notice():
    framework = group_create(name="Framework", kind=CoordinationGroup.Kind.FRAMEWORK, by=None)
    group = group_create(
        name="Working group", kind=CoordinationGroup.Kind.WORKING_GROUP, parent=framework, by=None
    )
    ministry = organisation_create(name="Ministry", kind=OrganisationKind.MINISTRY, by=None)
    person = person_create(
        full_name="Amal Tarhuni", organisation=ministry, email="amal@example.org", by=None
    )
    start = timezone.now() + dt.timedelta(days=3)
    meeting = meeting_create(
        group=group, title="Meeting", start_at=start, end_at=start + dt.timedelta(hours=1), by=None
    )
    invitation_create(meeting=meeting, person=person, by=None)
    meeting_schedule(meeting=meeting, by=None)
    notice = Notice.objects.get(meeting=meeting, person=person)
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.FAILED)
    return notice


def test_two_resends_at_once_make_one_copy(failed_notice):
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def press_resend():
        try:
            start.wait(timeout=10)
            notice_resend(notice=failed_notice, by=None)
            outcomes.append("sent again")
        except ValidationError:
            outcomes.append("refused")
        except Exception as error:
            outcomes.append(f"error: {error.__class__.__name__}")
        finally:
            connection.close()

    threads = [threading.Thread(target=press_resend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused", "sent again"]
    copies = Notice.objects.filter(dedup_key__startswith=f"{failed_notice.dedup_key}:resend")
    assert copies.count() == 1
