"""Every name an invitee may have reaches them through a real SMTP server, and their
mail program reads their name back as it was written."""

import datetime as dt

import pytest
from django.utils import timezone

from meetings.services import invitation_create, meeting_create, meeting_schedule
from members.services import person_create
from notices.models import Notice

pytestmark = pytest.mark.django_db

NAMES = [
    "Tarhuni, Amal",
    'Ahmed "Abu Ali" Salem',
    "أمل الترهوني",
    "Éloïse Dupré-Lefèvre",
    "O'Brien; Seán <IOM>",
]


def test_names_with_commas_quotes_and_other_scripts_get_their_mail(
    cast, smtp, django_capture_on_commit_callbacks
):
    start = timezone.now() + dt.timedelta(days=5)
    meeting = meeting_create(
        group=cast.mwg,
        title="Meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
    )
    for number, name in enumerate(NAMES):
        person = person_create(
            full_name=name, organisation=cast.moh, email=f"invitee{number}@example.org", by=None
        )
        invitation_create(meeting=meeting, person=person, by=None)

    with django_capture_on_commit_callbacks(execute=True):
        meeting_schedule(meeting=meeting, by=None)

    assert set(Notice.objects.values_list("status", flat=True)) == {Notice.Status.SENT}
    received = {
        message["To"].addresses[0].addr_spec: message["To"].addresses[0].display_name
        for message in smtp.parsed()
    }
    assert received == {f"invitee{n}@example.org": name for n, name in enumerate(NAMES)}
    # Each message went to its reader's address alone, whatever their name.
    assert sorted(recipients for _sender, recipients in smtp.envelopes) == [
        [f"invitee{n}@example.org"] for n in range(len(NAMES))
    ]
