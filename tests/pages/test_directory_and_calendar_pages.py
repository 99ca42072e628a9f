import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.services import meeting_create
from tests.factories import PersonFactory
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db


def test_directory_search(client, cast):
    login(client, cast, "secretariat")
    page = client.get(reverse("person-list"), {"q": "amina"}).content.decode()
    assert "Amina Health" in page
    assert "Olivia Outsider" not in page
    page = client.get(reverse("organisation-list"), {"q": "MoH"}).content.decode()
    assert "Ministry of Health" in page
    assert "Embassy of Italy" not in page


def test_outsider_sees_only_their_own_organisation(client, cast):
    login(client, cast, "outsider")
    page = client.get(reverse("organisation-list")).content.decode()
    assert "Chamber of Commerce" in page
    assert "Ministry of Health" not in page
    response = client.get(reverse("organisation-detail", args=[cast.moh.pk]))
    assert response.status_code == 404


def test_directory_queries_do_not_grow_with_data(client, cast, django_assert_max_num_queries):
    PersonFactory.create_batch(40, organisation=cast.moh)
    login(client, cast, "member")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("person-list"))
    assert len(response.context["page"].object_list) == 25
    with django_assert_max_num_queries(10):
        assert client.get(reverse("organisation-list")).status_code == 200


def test_month_calendar_and_feed_link(client, cast, scheduled):
    login(client, cast, "member")
    month = timezone.localtime(scheduled.start_at).strftime("%Y-%m")
    page = client.get(reverse("meeting-calendar"), {"month": month}).content.decode()
    assert scheduled.title in page
    assert reverse("calendar-feed", args=[cast.member_person.calendar_token]) in page


def test_calendar_hides_other_groups_meetings(client, cast):
    start = timezone.now() + dt.timedelta(days=2)
    meeting_create(
        group=cast.other_wg,
        title="Economic meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=cast.secretariat,
    )
    login(client, cast, "member")
    month = timezone.localtime(start).strftime("%Y-%m")
    assert (
        "Economic meeting"
        not in client.get(reverse("meeting-calendar"), {"month": month}).content.decode()
    )


def test_new_feed_address_revokes_the_old_one(client, cast):
    login(client, cast, "member")
    old = cast.member_person.calendar_token
    client.post(reverse("calendar-token-reset"))
    cast.member_person.refresh_from_db()
    assert cast.member_person.calendar_token != old
    assert client.get(reverse("calendar-feed", args=[old])).status_code == 404
