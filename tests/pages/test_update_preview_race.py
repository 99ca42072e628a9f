"""Two people press "Save and send the update" on the same preview at the same moment:
one update goes out; the other is told that nothing was saved.

On PostgreSQL (CI) the two transactions overlap: the second waits on the meeting's row,
which the first locked before writing, then reads a sequence past the one previewed.
SQLite queues writers anyway; the test runs on both.
"""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from meetings import services
from meetings.models import Meeting
from notices.models import Notice
from tests.conftest import build_cast, scheduled_plenary
from tests.pages.conftest import update_confirmation
from tests.pages.test_update_preview import NEW_VENUE, _form

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def plenary():
    cast = build_cast()
    return cast, scheduled_plenary(cast)


@pytest.fixture
def slow_announce(monkeypatch):
    """Between locking the meeting and committing, the other press catches up."""
    original = services.announcements.meeting_announce

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(services.announcements, "meeting_announce", slow)


def test_two_presses_of_one_preview_send_one_update(plenary, slow_announce):
    cast, meeting = plenary
    url = reverse("meeting-edit", args=[meeting.pk])
    clients = []
    for user in (cast.secretariat, cast.chair):
        client = Client()
        client.force_login(user)
        clients.append(client)
    page = clients[0].post(url, _form(meeting, venue=NEW_VENUE)).content.decode()
    confirmation = update_confirmation(page)
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def press(client) -> None:
        try:
            start.wait(timeout=10)
            response = client.post(url, confirmation)
            outcomes.append(
                response.status_code
                if response.status_code == 302
                else "nothing saved" * ("Nothing was saved" in response.content.decode())
            )
        except Exception as error:
            outcomes.append(f"error: {error.__class__.__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes, key=str) == [302, "nothing saved"]
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (meeting.venue, meeting.sequence) == (NEW_VENUE, 1)
    updates = Notice.objects.filter(meeting=meeting, kind=Notice.Kind.UPDATE, channel="email")
    assert updates.count() == len(set(updates.values_list("person_id", flat=True))) > 0
