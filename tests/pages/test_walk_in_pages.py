"""The attendance tab's walk-in form: the person is found by a search of a few matches,
never chosen from a list of everyone in the portal, and checked again when posted."""

import pytest
from django.urls import reverse

from meetings.models import Attendance
from meetings.services import attendance_record
from meetings.views.person_search import PERSON_MATCHES as WALK_IN_MATCHES
from members.models import Person
from tests.factories import PersonFactory
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db


def _bystanders(cast, count: int, organisation=None) -> list[Person]:
    """People not invited, by default of an organisation the meeting does not invite."""
    return Person.objects.bulk_create(
        Person(
            full_name=f"Zainab Bystander {number:03d}",
            email=f"bystander{number}@example.org",
            organisation=organisation or cast.elsewhere,
        )
        for number in range(count)
    )


def _search(client, meeting, query: str, **headers):
    return client.get(reverse("attendance-people", args=[meeting.pk]), {"q": query}, **headers)


def _walk_in(client, meeting, **data):
    return client.post(
        reverse("meeting-attendance", args=[meeting.pk]),
        {"organisation": "", "mode": "in_person", "form_token": "", **data},
    )


def test_the_tab_lists_nobody_who_is_not_in_the_meeting(client, cast, held):
    _bystanders(cast, 30)
    login(client, cast, "secretariat")

    page = client.get(reverse("meeting-attendance", args=[held.pk])).content.decode()

    assert "Amina Health" in page  # invited
    assert 'id="walk-in-query"' in page
    assert "Zainab Bystander" not in page
    assert "Olivia Outsider" not in page
    # The organisation offered are the meeting's, not every one in the portal.
    assert "Chamber of Commerce" not in page
    assert 'name="person"' not in page


def test_the_search_offers_at_most_twenty_matches(client, cast, held):
    _bystanders(cast, 30)
    login(client, cast, "secretariat")

    response = _search(client, held, "bystander", HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('name="person"') == WALK_IN_MATCHES == 20
    assert "Zainab Bystander 000" in page
    assert "Zainab Bystander 020" not in page
    assert "Only the first 20 matches are shown" in page


def test_the_search_finds_by_email_and_organisation(client, cast, held):
    login(client, cast, "secretariat")

    by_email = _search(client, held, "outsider@", HTTP_HX_REQUEST="true").content.decode()
    by_organisation = _search(client, held, "chamber", HTTP_HX_REQUEST="true").content.decode()

    assert f'value="{cast.outsider_person.pk}"' in by_email
    assert f'value="{cast.outsider_person.pk}"' in by_organisation


@pytest.mark.parametrize(("persona", "found"), [("secretariat", True), ("chair", False)])
def test_the_search_offers_only_people_the_user_may_see(client, cast, held, persona, found):
    login(client, cast, persona)

    page = _search(client, held, "Olivia", HTTP_HX_REQUEST="true").content.decode()

    assert (f'value="{cast.outsider_person.pk}"' in page) is found
    if not found:
        assert "Nobody you may add matches “Olivia”." in page


def test_the_search_leaves_out_who_is_already_in_the_register(client, cast, held):
    attendance_record(meeting=held, person=cast.member_person, by=cast.secretariat)
    login(client, cast, "secretariat")

    page = _search(client, held, "Amina", HTTP_HX_REQUEST="true").content.decode()

    assert 'name="person"' not in page


@pytest.mark.parametrize(("persona", "status"), [("member", 403), ("outsider", 404)])
def test_only_who_keeps_the_register_may_search(client, cast, held, persona, status):
    login(client, cast, persona)

    assert _search(client, held, "Amina", HTTP_HX_REQUEST="true").status_code == status


def test_without_script_find_shows_the_matches_on_the_tab(client, cast, held):
    login(client, cast, "secretariat")

    redirected = _search(client, held, "Olivia")
    page = client.get(reverse("meeting-attendance", args=[held.pk]), {"q": "Olivia"})

    assert redirected.status_code == 302
    assert redirected["Location"] == (
        reverse("meeting-attendance", args=[held.pk]) + "?q=Olivia#walk-in-heading"
    )
    assert (
        f'<input type="radio" name="person" value="{cast.outsider_person.pk}"'
        in page.content.decode()
    )
    assert 'value="Olivia"' in page.content.decode()


def test_a_walk_in_found_by_the_search_is_added(client, cast, held):
    login(client, cast, "secretariat")

    response = _walk_in(client, held, person=cast.outsider_person.pk, mode="online")

    assert response.status_code == 302
    line = Attendance.objects.get(meeting=held, person=cast.outsider_person)
    assert (line.organisation, line.mode, line.invitation) == (cast.elsewhere, "online", None)


@pytest.mark.parametrize("person", ["outsider", "missing", "garbage", "absent"])
def test_a_person_the_user_may_not_add_is_refused(client, cast, held, person):
    """The chair does not see the outsider's organisation; an unknown id and no choice at
    all are refused the same way: a 400 page saying why, nothing stored."""
    posted = {
        "outsider": cast.outsider_person.pk,
        "missing": Person.objects.order_by("-pk").first().pk + 1000,
        "garbage": "1 OR 1=1",
        "absent": "",
    }[person]
    login(client, cast, "chair")

    response = _walk_in(client, held, person=posted)

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="walk-in-person-error"' in page
    if person == "absent":
        assert "Search for the person who came and choose them among the matches." in page
    else:
        assert "That person cannot be added: search again and choose one of the matches." in page
    assert not Attendance.objects.filter(meeting=held).exists()


def test_someone_already_in_the_register_is_not_added_twice(client, cast, held):
    attendance_record(meeting=held, person=cast.member_person, by=cast.secretariat)
    login(client, cast, "secretariat")

    response = _walk_in(client, held, person=cast.member_person.pk)

    assert response.status_code == 400
    assert Attendance.objects.filter(meeting=held).count() == 1


def test_the_chosen_person_stays_chosen_when_the_form_is_refused(client, cast, held):
    login(client, cast, "secretariat")

    response = _walk_in(client, held, person=cast.outsider_person.pk, mode="by_pigeon")

    page = response.content.decode()
    assert response.status_code == 400
    assert (
        f'<input type="radio" name="person" value="{cast.outsider_person.pk}" '
        f'id="walk-in-person-{cast.outsider_person.pk}" checked>'
    ) in page
    assert not Attendance.objects.filter(meeting=held).exists()


def test_a_member_sees_no_walk_in_form(client, cast, held):
    login(client, cast, "member")

    page = client.get(reverse("meeting-attendance", args=[held.pk]), {"q": "Olivia"})

    assert page.status_code == 200
    assert 'id="walk-in-query"' not in page.content.decode()
    assert "Olivia Outsider" not in page.content.decode()


# The tab, the tab with a search's matches, the search alone: a chair's visibility
# costs one query more than the secretariat's.
QUERIES = {"secretariat": (14, 15, 5), "chair": (15, 16, 6)}


@pytest.mark.parametrize("register", [10, 40])
@pytest.mark.parametrize("persona", ["secretariat", "chair"])
def test_the_tab_costs_the_same_queries_whatever_the_register_and_the_directory(
    client, cast, held, persona, register, django_assert_max_num_queries
):
    _bystanders(cast, 200, organisation=cast.moh)  # the chair sees them too
    for person in PersonFactory.create_batch(register, organisation=cast.moh):
        attendance_record(meeting=held, person=person, by=cast.secretariat)
    login(client, cast, persona)
    address = reverse("meeting-attendance", args=[held.pk])
    tab, tab_with_matches, search = QUERIES[persona]

    with django_assert_max_num_queries(tab):
        response = client.get(address)
    with django_assert_max_num_queries(tab_with_matches):
        searched = client.get(address, {"q": "bystander"})
    with django_assert_max_num_queries(search):
        matches = _search(client, held, "bystander", HTTP_HX_REQUEST="true")

    assert response.content.decode().count("attendance-details") == register
    # Twenty matches with their organisations, in as many queries as none.
    assert searched.content.decode().count('name="person"') == WALK_IN_MATCHES
    assert matches.content.decode().count('name="person"') == WALK_IN_MATCHES
