"""The rule of who sees a person's e-mail and phone has two forms: a second query over
rows in hand (groups.permissions.contact_details_visible_to), and a column the people's
funnel adds in the query that reads them (people_visible_to(..., with_contact_details)).
They give the same answer for every persona, and a row read for one user answers for no
other."""

import pytest

from groups.permissions import contact_details_visible_to, people_visible_to
from members.models import Person
from members.services import person_contact_visibility_set
from tests.conftest import PERSONAS
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cast):
    """People of several organisations, half sharing their details with members."""
    for number, organisation in enumerate([cast.moh, cast.embassy, cast.elsewhere] * 4):
        person = PersonFactory(organisation=organisation)
        if number % 2:
            person_contact_visibility_set(
                person=person, visibility=Person.ContactVisibility.SECRETARIAT, by=None
            )


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_funnels_column_answers_as_the_second_query(cast, people, persona):
    user = cast.user(persona)
    flagged = list(people_visible_to(user, with_contact_details=True))
    plain = list(people_visible_to(user))
    assert {p.pk for p in flagged} == {p.pk for p in plain}

    assert contact_details_visible_to(user, flagged) == contact_details_visible_to(user, plain)


def test_the_column_is_read_without_a_query(cast, people, django_assert_num_queries):
    flagged = list(people_visible_to(cast.member, with_contact_details=True))
    shown = {
        p.pk
        for p in flagged
        if p.contact_visibility == Person.ContactVisibility.MEMBERS or p.user_id == cast.member.pk
    }
    assert shown  # some, and not all
    assert shown != {p.pk for p in flagged}

    with django_assert_num_queries(0):
        assert contact_details_visible_to(cast.member, flagged) == shown


def test_rows_read_for_one_user_answer_for_another_by_their_own_rule(cast, people):
    read_for_member = list(people_visible_to(cast.member, with_contact_details=True))
    # The observer's answer about those rows is the observer's, asked of the database.
    assert contact_details_visible_to(cast.observer, read_for_member) == (
        contact_details_visible_to(
            cast.observer, list(Person.objects.filter(pk__in=[p.pk for p in read_for_member]))
        )
    )
    # The secretariat sees every row's details; the outsider none of the member's.
    assert contact_details_visible_to(cast.secretariat, read_for_member) == {
        p.pk for p in read_for_member
    }
    assert contact_details_visible_to(cast.outsider, read_for_member) == set()
