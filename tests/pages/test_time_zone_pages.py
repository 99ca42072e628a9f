"""Time zones in the pages: the places offered, the caption saying which zone the times
are in, and the zone a person chooses for their own pages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from groups.services import person_link_user
from meetings.models import Meeting
from meetings.services import invitations_create_for_group, meeting_create, meeting_schedule
from members.models import Person
from members.services import person_create, person_time_zone_set
from portal import zones
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db
# 09:00 UTC on 10 March 2031: 11:00 in Tripoli (UTC+2), 10:00 in Rome (UTC+1 until 30 March).
START = dt.datetime(2031, 3, 10, 9, 0, tzinfo=dt.UTC)
IN_TRIPOLI, IN_ROME = "10 March 2031, 11:00", "10 March 2031, 10:00"


def _meeting(cast, title="Health sub-group: referral pathway", time_zone="Africa/Tripoli"):
    return meeting_create(
        group=cast.health,
        title=title,
        start_at=START,
        end_at=START + dt.timedelta(hours=2),
        time_zone=time_zone,
        by=cast.secretariat,
    )


def _label(name: str) -> str:
    with translation.override("en"):
        return zones.zone_label(name)


def _person_rows():
    return (
        list(Person.objects.order_by("pk").values()),
        list(Person.history.order_by("history_id").values()),
    )


def _meeting_form_data(cast, **overrides):
    data = {
        "group": cast.health.pk,
        "title": "Health sub-group: vaccination",
        "kind": "regular",
        "start_at": "2031-03-10T10:00",
        "end_at": "2031-03-10T12:00",
        "time_zone": "Africa/Tripoli",
        "venue": "",
        "online_url": "",
        "description": "",
        "form_token": "tz-1",
    }
    return {**data, **overrides}


# --- The meeting form ---------------------------------------------------------------


def test_the_meeting_form_offers_places_searchable(client, cast):
    login(client, cast, "secretariat")

    page = client.get(reverse("meeting-create")).content.decode()

    assert (
        '<option value="Africa/Tripoli" selected data-search="Africa Tripoli Libya">'
        "Tripoli — Libya (UTC+02:00)</option>"
    ) in page
    assert 'value="Factory"' not in page
    assert 'value="GB-Eire"' not in page
    assert 'value="Etc/GMT+3"' not in page
    assert 'data-zone-search="Find a city or country"' in page
    assert '<script src="/static/js/zone-search.js" defer></script>' in page


def test_the_meeting_form_labels_the_places_in_arabic(client, cast):
    login(client, cast, "secretariat")

    page = client.get(reverse("meeting-create"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    assert ">طرابلس — ليبيا (\u2066UTC+02:00\u2069)</option>" in page


@pytest.mark.parametrize("zone", ["GB-Eire", "Factory", "Etc/GMT-3", "Mars/Olympus"])
def test_the_meeting_form_refuses_a_zone_that_is_not_a_place(client, cast, zone):
    login(client, cast, "secretariat")
    before = Meeting.objects.count()

    response = client.post(reverse("meeting-create"), _meeting_form_data(cast, time_zone=zone))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_time_zone_error"' in page
    assert "Choose a time zone from the list: a city or a country, or UTC." in page
    assert Meeting.objects.count() == before


def test_editing_a_meeting_kept_in_an_old_zone_name_keeps_it(client, cast):
    meeting = _meeting(cast, time_zone="US/Pacific")
    login(client, cast, "secretariat")

    page = client.get(reverse("meeting-edit", args=[meeting.pk])).content.decode()
    assert '<option value="US/Pacific" selected data-search="US/Pacific">' in page

    data = _meeting_form_data(cast, title="Renamed", time_zone="US/Pacific")
    del data["group"]
    response = client.post(reverse("meeting-edit", args=[meeting.pk]), data)

    meeting.refresh_from_db()
    assert response.status_code == 302
    assert (meeting.title, meeting.time_zone) == ("Renamed", "US/Pacific")


# --- Which zone the times are in ------------------------------------------------------


def test_the_meetings_list_says_which_zone_its_times_are_in(client, cast):
    _meeting(cast)
    login(client, cast, "member")

    page = client.get(reverse("meeting-list")).content.decode()

    assert f"Times in <bdi>{_label('Africa/Tripoli')}</bdi>" in page
    assert IN_TRIPOLI in page


def test_a_list_of_meetings_in_several_zones_names_each_ones(client, cast):
    _meeting(cast, title="In Tripoli")
    _meeting(cast, title="In Rome", time_zone="Europe/Rome")
    login(client, cast, "member")

    page = client.get(reverse("meeting-list")).content.decode()

    assert "Times in each meeting&#x27;s own time zone, named beside it." in page
    assert f'{IN_TRIPOLI}</time> <span class="muted">(<bdi>Tripoli</bdi>)' in page
    assert f'{IN_ROME}</time> <span class="muted">(<bdi>Rome</bdi>)' in page


def test_the_meeting_page_shows_the_meetings_own_zone_by_default(client, cast):
    meeting = _meeting(cast)
    login(client, cast, "member")

    page = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()

    assert IN_TRIPOLI in page
    assert f"Times in <bdi>{_label('Africa/Tripoli')}</bdi>" in page
    assert f"<dd><bdi>{_label('Africa/Tripoli')}</bdi></dd>" in page


def test_the_calendar_says_which_zone_its_times_are_in(client, cast):
    _meeting(cast)
    login(client, cast, "member")

    page = client.get(reverse("meeting-calendar"), {"month": "2031-03"}).content.decode()

    assert f"Times in <bdi>{_label('Africa/Tripoli')}</bdi>" in page
    assert ">11:00</time>" in page


# --- A person's own zone --------------------------------------------------------------


def test_a_persons_zone_shows_the_times_in_it_and_says_so(client, cast):
    meeting = _meeting(cast)
    person_time_zone_set(person=cast.member_person, time_zone="Europe/Rome", by=None)
    login(client, cast, "member")
    caption = f"Times in your zone: <bdi>{_label('Europe/Rome')}</bdi>"

    listed = client.get(reverse("meeting-list")).content.decode()
    detail = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    month = client.get(reverse("meeting-calendar"), {"month": "2031-03"}).content.decode()

    for page in (listed, detail, month):
        assert caption in page
        assert IN_TRIPOLI not in page
    assert IN_ROME in listed
    assert IN_ROME in detail
    assert ">10:00</time>" in month
    # The meeting's own zone is still named on its page.
    assert f"<dd><bdi>{_label('Africa/Tripoli')}</bdi></dd>" in detail


def test_a_persons_zone_leaves_the_calendar_file_in_the_meetings_zone(client, cast):
    meeting = _meeting(cast)
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    meeting_schedule(meeting=meeting, by=cast.secretariat)
    person = person_time_zone_set(person=cast.member_person, time_zone="Europe/Rome", by=None)
    login(client, cast, "member")

    feed = client.get(reverse("calendar-feed", args=[person.calendar_token])).content.decode()

    assert "DTSTART;TZID=Africa/Tripoli:20310310T110000" in feed
    assert "Europe/Rome" not in feed


def test_the_meetings_list_costs_no_more_queries_with_a_chosen_zone(
    client, cast, django_assert_max_num_queries
):
    for number in range(30):
        _meeting(cast, title=f"M{number}", time_zone=["Africa/Tripoli", "Europe/Rome"][number % 2])
    person_time_zone_set(person=cast.member_person, time_zone="Asia/Amman", by=None)
    login(client, cast, "member")

    with django_assert_max_num_queries(12):
        response = client.get(reverse("meeting-list"))

    assert response.status_code == 200
    assert "Times in your zone:" in response.content.decode()


def test_a_person_chooses_their_zone_on_their_own_page(client, cast):
    login(client, cast, "member")
    page = client.get(reverse("person-me"), follow=True).content.decode()
    assert 'action="/directory/people/me/time-zone/"' in page
    assert '<option value="" selected>Each meeting&#x27;s own time zone</option>' in page

    response = client.post(reverse("person-time-zone"), {"time_zone": "Europe/Rome"})

    person = Person.objects.get(pk=cast.member_person.pk)
    assert response.status_code == 302
    assert person.time_zone == "Europe/Rome"
    assert person.history.first().history_user == cast.member


def test_a_person_goes_back_to_each_meetings_own_zone(client, cast):
    person_time_zone_set(person=cast.member_person, time_zone="Europe/Rome", by=None)
    login(client, cast, "member")

    response = client.post(reverse("person-time-zone"), {"time_zone": ""})

    assert response.status_code == 302
    assert Person.objects.get(pk=cast.member_person.pk).time_zone == ""


@pytest.mark.parametrize("zone", ["GB-Eire", "Etc/GMT-3", "Mars/Olympus"])
def test_a_zone_that_is_not_a_place_is_refused_and_nothing_changes(client, cast, zone):
    login(client, cast, "member")
    before = _person_rows()

    response = client.post(reverse("person-time-zone"), {"time_zone": zone})

    assert response.status_code == 400
    assert "Choose a time zone from the list" in response.content.decode()
    assert _person_rows() == before


def test_the_zone_form_is_only_on_ones_own_page_and_sets_only_ones_own_zone(client, cast):
    login(client, cast, "chair")

    page = client.get(reverse("person-detail", args=[cast.member_person.pk])).content.decode()
    response = client.post(reverse("person-time-zone"), {"time_zone": "Europe/Rome"})

    assert "/me/time-zone/" not in page
    assert response.status_code == 302
    assert Person.objects.get(pk=cast.member_person.pk).time_zone == ""
    assert Person.objects.get(pk=cast.chair_person.pk).time_zone == "Europe/Rome"


def test_a_login_without_a_person_has_no_zone_to_choose(client, cast):
    login(client, cast, "secretariat")
    before = _person_rows()

    response = client.post(reverse("person-time-zone"), {"time_zone": "Europe/Rome"})

    assert response.status_code == 404
    assert _person_rows() == before


def test_the_secretariat_sets_a_zone_in_the_admin_through_the_service(client, cast):
    person = cast.member_person
    login(client, cast, "secretariat")

    response = client.post(
        reverse("admin:members_person_change", args=[person.pk]),
        _admin_person_form(person, time_zone="Asia/Amman"),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Person.objects.get(pk=person.pk)
    assert saved.time_zone == "Asia/Amman"
    assert saved.history.first().history_user == cast.secretariat


def test_the_admin_refuses_a_zone_that_is_not_a_place(client, cast):
    person = cast.member_person
    before = _person_rows()
    login(client, cast, "secretariat")

    response = client.post(
        reverse("admin:members_person_change", args=[person.pk]),
        _admin_person_form(person, time_zone="US/Pacific"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["time_zone"]
    assert _person_rows() == before


def _admin_person_form(person, **changes):
    data = {
        "full_name": person.full_name,
        "full_name_ar": person.full_name_ar,
        "position": person.position,
        "email": person.email,
        "phone": person.phone,
        "preferred_language": person.preferred_language,
        "contact_visibility": person.contact_visibility,
        "time_zone": person.time_zone,
        "user": person.user_id or "",
        "affiliations-TOTAL_FORMS": "0",
        "affiliations-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_a_persons_zone_ends_with_their_request(client, cast, settings):
    _meeting(cast)
    person_time_zone_set(person=cast.member_person, time_zone="Asia/Tokyo", by=None)
    login(client, cast, "member")

    assert "Times in your zone:" in client.get(reverse("meeting-list")).content.decode()

    assert zones.chosen_zone() == ""
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


def test_a_time_in_the_readers_summer_time_gap_is_read_in_the_meetings_zone(client, cast):
    # 02:30 on 30 March 2031 does not exist in Rome (clocks go from 02:00 to 03:00) but
    # does in Tripoli, where the meeting is: the reader's zone must not refuse it.
    person = person_create(
        full_name="Sara Secretariat",
        organisation=cast.chair_person.organisation,
        email="secretariat-person@example.org",
        position="Secretariat",
        since=dt.date(2024, 1, 1),
        by=None,
    )
    person_link_user(person=person, user=cast.secretariat, by=None)
    person_time_zone_set(person=person, time_zone="Europe/Rome", by=None)
    login(client, cast, "secretariat")

    response = client.post(
        reverse("meeting-create"),
        _meeting_form_data(cast, start_at="2031-03-30T02:30", end_at="2031-03-30T04:30"),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get(title="Health sub-group: vaccination")
    assert meeting.start_at == dt.datetime(2031, 3, 30, 0, 30, tzinfo=dt.UTC)
    assert meeting.time_zone == "Africa/Tripoli"
