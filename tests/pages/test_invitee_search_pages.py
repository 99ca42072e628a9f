"""The invitations tab's invite form: the person is found by a search of a few matches,
never chosen from a list of everyone the user may invite, and checked again when posted."""

import pytest
from django.urls import reverse

from meetings.models import Invitation
from meetings.services import invitation_create, invitations_create_for_group
from meetings.views.person_search import PERSON_MATCHES
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
    return client.get(reverse("invitation-people", args=[meeting.pk]), {"q": query}, **headers)


def _invite(client, meeting, **data):
    return client.post(
        reverse("meeting-invitations", args=[meeting.pk]), {"form_token": "", **data}
    )


def test_the_tab_lists_nobody_who_is_not_in_the_meeting(client, cast, scheduled):
    _bystanders(cast, 30)
    login(client, cast, "secretariat")

    page = client.get(reverse("meeting-invitations", args=[scheduled.pk])).content.decode()

    assert "Amina Health" in page  # invited
    assert 'id="invitee-query"' in page
    assert "Zainab Bystander" not in page
    assert "Olivia Outsider" not in page
    assert 'name="person"' not in page
    assert "<select" not in page


def test_the_search_offers_at_most_twenty_matches(client, cast, draft):
    _bystanders(cast, 30)
    login(client, cast, "secretariat")

    response = _search(client, draft, "bystander", HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('name="person"') == PERSON_MATCHES == 20
    assert "Zainab Bystander 000" in page
    assert "Zainab Bystander 020" not in page
    assert "Only the first 20 matches are shown" in page


@pytest.mark.parametrize(("persona", "found"), [("secretariat", True), ("chair", False)])
def test_the_search_offers_only_people_the_user_may_invite(client, cast, draft, persona, found):
    login(client, cast, persona)

    page = _search(client, draft, "Olivia", HTTP_HX_REQUEST="true").content.decode()

    assert (f'value="{cast.outsider_person.pk}"' in page) is found


def test_the_search_leaves_out_who_is_already_invited(client, cast, scheduled):
    login(client, cast, "secretariat")

    page = _search(client, scheduled, "Amina", HTTP_HX_REQUEST="true").content.decode()

    assert 'name="person"' not in page
    assert "Nobody you may add matches “Amina”." in page


@pytest.mark.parametrize(("persona", "status"), [("member", 403), ("outsider", 404)])
def test_only_who_manages_the_meeting_may_search(client, cast, scheduled, persona, status):
    login(client, cast, persona)

    assert _search(client, scheduled, "Olivia", HTTP_HX_REQUEST="true").status_code == status
    assert _search(client, scheduled, "Olivia").status_code == status


def test_a_member_sees_no_invite_form_nor_matches(client, cast, scheduled):
    login(client, cast, "member")

    page = client.get(reverse("meeting-invitations", args=[scheduled.pk]), {"q": "Olivia"})

    assert page.status_code == 200
    assert 'id="invitee-query"' not in page.content.decode()
    assert "Olivia Outsider" not in page.content.decode()


def test_without_script_find_shows_the_matches_on_the_tab(client, cast, draft):
    login(client, cast, "secretariat")

    redirected = _search(client, draft, "Olivia")
    page = client.get(reverse("meeting-invitations", args=[draft.pk]), {"q": "Olivia"})

    assert redirected.status_code == 302
    assert redirected["Location"] == (
        reverse("meeting-invitations", args=[draft.pk]) + "?q=Olivia#invite-heading"
    )
    assert (
        f'<input type="radio" name="person" value="{cast.outsider_person.pk}"'
        in page.content.decode()
    )
    assert 'value="Olivia"' in page.content.decode()


def test_a_person_found_by_the_search_is_invited(client, cast, draft):
    login(client, cast, "secretariat")

    response = _invite(client, draft, person=cast.outsider_person.pk)

    assert response.status_code == 302
    assert draft.invitations.filter(person=cast.outsider_person).exists()


@pytest.mark.parametrize("person", ["outsider", "missing", "garbage", "absent", "invited"])
def test_a_person_the_user_may_not_invite_is_refused(client, cast, draft, person):
    """The chair does not see the outsider's organisation; an unknown id, garbage, no
    choice at all and someone already invited are refused alike: a 400 page saying why,
    nothing stored."""
    invitation_create(meeting=draft, person=cast.member_person, by=cast.secretariat)
    posted = {
        "outsider": cast.outsider_person.pk,
        "missing": Person.objects.order_by("-pk").first().pk + 1000,
        "garbage": "1 OR 1=1",
        "absent": "",
        "invited": cast.member_person.pk,
    }[person]
    login(client, cast, "chair")

    response = _invite(client, draft, person=posted)

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="invitee-person-error"' in page
    if person == "absent":
        assert "Search for the person to invite and choose them among the matches." in page
    else:
        assert "That person cannot be invited: search again and choose one of the matches." in page
    assert list(Invitation.objects.filter(meeting=draft).values_list("person", flat=True)) == [
        cast.member_person.pk
    ]


def test_the_group_is_still_invited_in_one_go(client, cast, draft):
    login(client, cast, "secretariat")

    response = client.post(reverse("meeting-invite-group", args=[draft.pk]), {"form_token": "g"})

    assert response.status_code == 302
    invited = set(draft.invitations.values_list("person__full_name", flat=True))
    assert invited == {"Amina Health", "Karim Alternate"}


# The tab, the tab with a search's matches, the search alone: a chair's visibility
# costs one query more than the secretariat's.
QUERIES = {"secretariat": (7, 8, 5), "chair": (8, 9, 6)}


@pytest.mark.parametrize("invitees", [10, 40])
@pytest.mark.parametrize("persona", ["secretariat", "chair"])
def test_the_tab_costs_the_same_queries_whatever_the_invitees_and_the_directory(
    client, cast, draft, persona, invitees, django_assert_max_num_queries
):
    _bystanders(cast, 200, organisation=cast.moh)  # the chair sees them too
    invitations_create_for_group(meeting=draft, by=cast.secretariat)
    for person in PersonFactory.create_batch(invitees, organisation=cast.moh):
        invitation_create(meeting=draft, person=person, by=cast.secretariat)
    login(client, cast, persona)
    address = reverse("meeting-invitations", args=[draft.pk])
    tab, tab_with_matches, search = QUERIES[persona]

    with django_assert_max_num_queries(tab):
        response = client.get(address)
    with django_assert_max_num_queries(tab_with_matches):
        searched = client.get(address, {"q": "bystander"})
    with django_assert_max_num_queries(search):
        matches = _search(client, draft, "bystander", HTTP_HX_REQUEST="true")

    assert response.content.decode().count("<tr><td>") == invitees + 2
    assert 'name="person"' not in response.content.decode()
    assert searched.content.decode().count('name="person"') == PERSON_MATCHES
    assert matches.content.decode().count('name="person"') == PERSON_MATCHES
