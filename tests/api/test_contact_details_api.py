"""Who sees a person's e-mail and phone through the API, and who may choose it.

Every answer is checked against the schema (tests/api/conftest.py), so a hidden detail's
`null` must be declared there too.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from members.models import Person
from members.services import person_contact_visibility_set, person_update
from tests.api.conftest import EVERYONE, STAFF, fingerprint
from tests.api.schema import openapi
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
MEMBERS = Person.ContactVisibility.MEMBERS
SECRETARIAT = Person.ContactVisibility.SECRETARIAT
SEES_KARIM = STAFF | {"chair", "cochair", "member", "observer"}
EMAIL = "karim@example.org"
PHONE = "+218 91 555 0101"


def _karim(cast, visibility):
    person_update(person=cast.member_colleague, phone=PHONE, by=None)
    return person_contact_visibility_set(
        person=cast.member_colleague, visibility=visibility, by=None
    )


def _expected(persona, visibility):
    shown = persona in STAFF or (visibility == MEMBERS and persona in SEES_KARIM)
    return (EMAIL, PHONE) if shown else (None, None)


@pytest.mark.parametrize("visibility", [MEMBERS, SECRETARIAT])
@pytest.mark.parametrize("persona", EVERYONE)
def test_person_list_gives_contact_details_as_chosen(cast, client_for, persona, visibility):
    karim = _karim(cast, visibility)

    response = client_for(persona).get(f"{V1}/people/", {"page_size": 100})

    if persona == "anonymous":
        assert response.status_code == 401
        return
    rows = {row["id"]: row for row in response.json()["results"]}
    if persona not in SEES_KARIM:
        assert karim.pk not in rows
        return
    assert (rows[karim.pk]["email"], rows[karim.pk]["phone"]) == _expected(persona, visibility)


@pytest.mark.parametrize("visibility", [MEMBERS, SECRETARIAT])
@pytest.mark.parametrize("persona", EVERYONE)
def test_person_detail_gives_contact_details_as_chosen(cast, client_for, persona, visibility):
    karim = _karim(cast, visibility)

    response = client_for(persona).get(f"{V1}/people/{karim.pk}/")

    if persona == "anonymous":
        assert response.status_code == 401
        return
    if persona not in SEES_KARIM:
        assert response.status_code == 404
        return
    body = response.json()
    assert (body["email"], body["phone"]) == _expected(persona, visibility)


def test_a_person_always_gets_their_own_contact_details(cast, client_for):
    person_contact_visibility_set(person=cast.member_person, visibility=SECRETARIAT, by=cast.member)
    client = client_for("member")

    me = client.get(f"{V1}/people/me/").json()
    own = client.get(f"{V1}/people/{cast.member_person.pk}/").json()

    assert me["email"] == own["email"] == "member@example.org"
    assert me["contact_visibility"] == SECRETARIAT


def test_person_list_reads_contact_details_with_the_people_whatever_its_length(cast, client_for):
    """The member's list asks the database which details it may show in the query that
    reads the people (groups.permissions.people_visible_to, with_contact_details): no
    second query of the people by id, and as many queries for 100 rows as for 1."""
    for index, person in enumerate(PersonFactory.create_batch(30, organisation=cast.moh)):
        if index % 2:
            person_contact_visibility_set(person=person, visibility=SECRETARIAT, by=None)
    client = client_for("member")
    client.get(f"{V1}/people/")  # warm the per-user caches
    counts = []
    for size in (1, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{V1}/people/", {"page_size": size})
        counts.append(len(queries))
        people_by_id = [
            q["sql"] for q in queries.captured_queries if '"members_person"."id" IN (' in q["sql"]
        ]
        assert people_by_id == []

    rows = response.json()["results"]
    assert counts[0] == counts[1] <= 7, counts
    assert any(row["email"] is None for row in rows)
    assert any(row["email"] is not None for row in rows)


def test_schema_says_contact_details_may_be_null():
    person = openapi()["components"]["schemas"]["Person"]["properties"]
    for field in ("email", "phone"):
        schema = person[field]
        assert "null" in schema.get("type", []) or schema.get("nullable") is True, schema
        assert "secretariat only" in schema["description"]


# --- Choosing who sees them --------------------------------------------------------------


def test_a_person_chooses_through_people_me(cast, client_for):
    response = client_for("member").patch(
        f"{V1}/people/me/", {"contact_visibility": SECRETARIAT}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["contact_visibility"] == SECRETARIAT
    person = Person.objects.get(pk=cast.member_person.pk)
    assert person.contact_visibility == SECRETARIAT
    assert person.history.first().history_user == cast.member


@pytest.mark.parametrize(
    ("persona", "body", "status"),
    [
        # No person behind the login: nothing to choose for.
        ("secretariat", {"contact_visibility": SECRETARIAT}, 404),
        ("member", {"contact_visibility": "everyone"}, 400),
        ("member", {"contact_visibility": SECRETARIAT, "email": "new@example.org"}, 400),
        ("member", {}, 400),
        ("anonymous", {"contact_visibility": SECRETARIAT}, 401),
    ],
)
def test_people_me_refusals_change_nothing(cast, client_for, persona, body, status):
    before = fingerprint()

    response = client_for(persona).patch(f"{V1}/people/me/", body, format="json")

    assert response.status_code == status
    assert fingerprint() == before


def test_nobody_chooses_for_someone_else_through_the_api(cast):
    # The API offers only people/me/: there is no person update to aim at another id.
    # A plain client: the schema-checked one refuses an operation the schema lacks.
    before = fingerprint()
    client = APIClient()
    client.force_authenticate(user=cast.chair)

    response = client.patch(
        f"{V1}/people/{cast.member_person.pk}/", {"contact_visibility": SECRETARIAT}, format="json"
    )

    assert response.status_code == 405
    assert fingerprint() == before
