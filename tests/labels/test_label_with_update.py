"""A scheduled meeting restricted and moved in one change: its update is written only
for those who may see it under the label the change leaves, through the API and the
admin as through the page (tests/pages/test_update_preview.py)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Confidentiality
from meetings.models import Meeting
from notices.models import Notice
from tests.api.conftest import SchemaCheckedClient
from tests.conftest import scheduled_plenary

pytestmark = pytest.mark.django_db
NEW_VENUE = "Ministry of Interior, Tripoli"


@pytest.fixture
def plenary(cast):
    return scheduled_plenary(cast)


def _told(meeting: Meeting) -> set[int]:
    return set(
        Notice.objects.filter(
            meeting=meeting, kind=Notice.Kind.UPDATE, channel=Notice.Channel.EMAIL
        ).values_list("person_id", flat=True)
    )


def _check(cast, meeting: Meeting) -> None:
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (meeting.venue, meeting.confidentiality) == (NEW_VENUE, Confidentiality.RESTRICTED)
    told = _told(meeting)
    assert cast.cochair.person.pk in told  # IOM, named by the label
    assert cast.member.person.pk not in told
    assert cast.observer.person.pk not in told


def test_a_patch_that_restricts_and_moves_tells_only_those_it_leaves_able_to_see(cast, plenary):
    client = SchemaCheckedClient()
    client.force_authenticate(user=cast.secretariat)

    response = client.patch(
        f"/api/v1/meetings/{plenary.pk}/",
        {
            "venue": NEW_VENUE,
            "confidentiality": Confidentiality.RESTRICTED,
            "restricted_to": [cast.iom.pk],
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    _check(cast, plenary)


def test_the_admin_restricting_and_moving_tells_only_those_it_leaves_able_to_see(
    client, cast, plenary
):
    client.force_login(cast.admin)
    data = {
        "title": plenary.title,
        "kind": plenary.kind,
        "start_at_0": timezone.localtime(plenary.start_at).strftime("%Y-%m-%d"),
        "start_at_1": timezone.localtime(plenary.start_at).strftime("%H:%M"),
        "end_at_0": timezone.localtime(plenary.end_at).strftime("%Y-%m-%d"),
        "end_at_1": timezone.localtime(plenary.end_at).strftime("%H:%M"),
        "time_zone": plenary.time_zone,
        "venue": NEW_VENUE,
        "online_url": "",
        "description": "",
        "short_notice_reason": "",
        "confidentiality": Confidentiality.RESTRICTED,
        "restricted_to": [cast.iom.pk],
        "agenda_items-TOTAL_FORMS": "0",
        "agenda_items-INITIAL_FORMS": "0",
        "invitations-TOTAL_FORMS": "0",
        "invitations-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:meetings_meeting_change", args=[plenary.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    _check(cast, plenary)
