"""Labels in the admin: set and changed through the one service, with the trail shown
read-only on each row and listed on its own, never written there."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Confidentiality, ConfidentialityChange
from meetings.models import AgendaItem, Decision
from meetings.services import agenda_item_add, decision_add, meeting_create, meeting_mark_held
from tests.api.conftest import fingerprint

pytestmark = pytest.mark.django_db
RESTRICTED = Confidentiality.RESTRICTED


@pytest.fixture
def held(cast):
    start = timezone.now() - dt.timedelta(days=2)
    meeting = meeting_create(
        group=cast.mwg,
        title="MWG: returns",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        record_past=True,
    )
    agenda_item_add(meeting=meeting, title="Voluntary returns", by=None)
    meeting_mark_held(meeting=meeting, by=None)
    decision_add(meeting=meeting, text="Agreed.", by=None)
    return meeting


def test_the_admin_changes_a_decisions_label_through_the_service(client, cast, held):
    decision = Decision.objects.get(meeting=held)
    client.force_login(cast.admin)
    url = reverse("admin:meetings_decision_change", args=[decision.pk])

    response = client.post(
        url, {"confidentiality": RESTRICTED, "restricted_to": [cast.iom.pk, cast.mofa.pk]}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    decision = Decision.objects.get(pk=decision.pk)
    assert (decision.confidentiality, decision.text) == (RESTRICTED, "Agreed.")
    change = ConfidentialityChange.objects.get()
    assert (change.new_label, change.changed_by) == (RESTRICTED, cast.admin)
    page = client.get(url).content.decode()
    assert "International Organization for Migration" in page  # the trail, read-only


def test_the_admin_relabels_an_item_of_a_held_meeting_and_changes_nothing_else(client, cast, held):
    item = AgendaItem.objects.get(meeting=held)
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:meetings_agendaitem_change", args=[item.pk]),
        {
            "title": item.title,
            "description": "",
            "presenter": "",
            "duration_minutes": item.duration_minutes,
            "confidentiality": "public",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert AgendaItem.objects.get(pk=item.pk).confidentiality == "public"
    assert ConfidentialityChange.objects.count() == 1


def test_an_admin_change_that_keeps_the_label_writes_no_trail(client, cast, held):
    decision = Decision.objects.get(meeting=held)
    client.force_login(cast.admin)

    client.post(
        reverse("admin:meetings_decision_change", args=[decision.pk]),
        {"confidentiality": "members"},
    )

    assert not ConfidentialityChange.objects.exists()


def test_a_bad_label_in_the_admin_is_a_form_error_and_changes_nothing(client, cast, held):
    decision = Decision.objects.get(meeting=held)
    client.force_login(cast.admin)
    before = fingerprint()

    response = client.post(
        reverse("admin:meetings_decision_change", args=[decision.pk]),
        {"confidentiality": "secret"},
    )

    assert response.status_code == 200
    assert "confidentiality" in response.context["adminform"].form.errors
    assert fingerprint() == before


def test_the_trail_is_read_only_in_the_admin(client, cast, held):
    client.force_login(cast.admin)

    assert client.get(reverse("admin:groups_confidentialitychange_add")).status_code == 403
    assert client.get(reverse("admin:groups_confidentialitychange_changelist")).status_code == 200
