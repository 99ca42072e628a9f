"""Who sees a person's e-mail and phone on the pages, and who may choose it.

Karim (the Ministry of Health's alternate, no login) is seen in the directory by the
secretariat, the MWG's chairs, his colleague Amina (member) and the MWG's observer; the
outsider does not see him at all. With "members" they all see his details; with
"secretariat" only the staff do.
"""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.urls import reverse

from members.models import Person
from members.services import person_contact_visibility_set, person_update
from tests.conftest import PERSONAS
from tests.factories import PersonFactory
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db

MEMBERS = Person.ContactVisibility.MEMBERS
SECRETARIAT = Person.ContactVisibility.SECRETARIAT
STAFF = {"admin", "secretariat"}
SEES_KARIM = STAFF | {"chair", "cochair", "member", "observer"}
EMAIL = "karim@example.org"
PHONE = "+218 91 555 0101"


def _karim(cast, visibility):
    person_update(person=cast.member_colleague, phone=PHONE, by=None)
    return person_contact_visibility_set(
        person=cast.member_colleague, visibility=visibility, by=None
    )


def _shows_details(persona, visibility) -> bool:
    if visibility == MEMBERS:
        return persona in SEES_KARIM
    return persona in STAFF


def _person_rows():
    """Every person's row as stored, history included: a refusal changes none."""
    return (
        list(Person.objects.order_by("pk").values()),
        list(Person.history.order_by("history_id").values()),
    )


@pytest.mark.parametrize("visibility", [MEMBERS, SECRETARIAT])
@pytest.mark.parametrize("persona", PERSONAS)
def test_person_list_shows_contact_details_as_chosen(client, cast, persona, visibility):
    karim = _karim(cast, visibility)
    login(client, cast, persona)

    page = client.get(reverse("person-list")).content.decode()

    assert (karim.full_name in page) is (persona in SEES_KARIM)
    assert (EMAIL in page) is _shows_details(persona, visibility)
    assert (PHONE in page) is _shows_details(persona, visibility)


@pytest.mark.parametrize("visibility", [MEMBERS, SECRETARIAT])
@pytest.mark.parametrize("persona", PERSONAS)
def test_person_page_shows_contact_details_as_chosen(client, cast, persona, visibility):
    karim = _karim(cast, visibility)
    login(client, cast, persona)

    response = client.get(reverse("person-detail", args=[karim.pk]))

    if persona not in SEES_KARIM:
        assert response.status_code == 404
        return
    page = response.content.decode()
    assert response.status_code == 200
    assert (EMAIL in page) is _shows_details(persona, visibility)
    assert (PHONE in page) is _shows_details(persona, visibility)
    assert ("Shared with the secretariat only" in page) is not _shows_details(persona, visibility)


@pytest.mark.parametrize("visibility", [MEMBERS, SECRETARIAT])
@pytest.mark.parametrize("persona", PERSONAS)
def test_organisation_page_shows_contact_details_as_chosen(client, cast, persona, visibility):
    _karim(cast, visibility)
    login(client, cast, persona)

    response = client.get(reverse("organisation-detail", args=[cast.moh.pk]))

    if persona not in SEES_KARIM:
        assert response.status_code == 404
        return
    page = response.content.decode()
    assert (EMAIL in page) is _shows_details(persona, visibility)
    assert (PHONE in page) is _shows_details(persona, visibility)


def test_a_person_always_sees_their_own_contact_details(client, cast):
    person_contact_visibility_set(person=cast.member_person, visibility=SECRETARIAT, by=cast.member)
    login(client, cast, "member")

    listed = client.get(reverse("person-list")).content.decode()
    own = client.get(reverse("person-detail", args=[cast.member_person.pk])).content.decode()

    assert "member@example.org" in listed
    assert "member@example.org" in own


def test_colleagues_do_not_see_details_kept_for_the_secretariat(client, cast):
    # Karim and Amina both work for the Ministry of Health.
    _karim(cast, SECRETARIAT)
    login(client, cast, "member")

    page = client.get(reverse("organisation-detail", args=[cast.moh.pk])).content.decode()

    assert "Karim Alternate" in page
    assert EMAIL not in page


def test_search_by_email_finds_only_details_the_reader_may_see(client, cast):
    _karim(cast, SECRETARIAT)
    login(client, cast, "member")

    hidden = client.get(reverse("person-list"), {"q": "karim@"}).content.decode()
    person_contact_visibility_set(person=cast.member_colleague, visibility=MEMBERS, by=None)
    shared = client.get(reverse("person-list"), {"q": "karim@"}).content.decode()

    assert "Karim Alternate" not in hidden
    assert "Karim Alternate" in shared


def test_search_by_email_still_works_for_the_secretariat(client, cast):
    _karim(cast, SECRETARIAT)
    login(client, cast, "secretariat")

    page = client.get(reverse("person-list"), {"q": "karim@"}).content.decode()

    assert "Karim Alternate" in page


def test_person_list_queries_do_not_grow_with_hidden_and_shared_people(
    client, cast, django_assert_max_num_queries
):
    for index, person in enumerate(PersonFactory.create_batch(40, organisation=cast.moh)):
        if index % 2:
            person_contact_visibility_set(person=person, visibility=SECRETARIAT, by=None)
    login(client, cast, "member")

    with django_assert_max_num_queries(10):
        response = client.get(reverse("person-list"))

    assert len(response.context["page"].object_list) == 25
    shown = response.context["contact_visible"]
    listed = {person.pk for person in response.context["page"].object_list}
    assert shown == {
        person.pk
        for person in response.context["page"].object_list
        if person.contact_visibility == MEMBERS or person.user_id == cast.member.pk
    }
    assert shown < listed


def test_organisation_page_queries_do_not_grow_with_people(
    client, cast, django_assert_max_num_queries
):
    PersonFactory.create_batch(30, organisation=cast.moh)
    login(client, cast, "member")

    with django_assert_max_num_queries(10):
        assert client.get(reverse("organisation-detail", args=[cast.moh.pk])).status_code == 200


# --- Choosing who sees them --------------------------------------------------------------


def test_my_contact_details_leads_to_my_own_entry(client, cast):
    login(client, cast, "member")

    response = client.get(reverse("person-me"))

    assert response.status_code == 302
    assert response["Location"] == reverse("person-detail", args=[cast.member_person.pk])
    page = client.get(response["Location"]).content.decode()
    assert reverse("person-contact-visibility", args=[cast.member_person.pk]) in page


def test_my_contact_details_without_a_person_is_a_404(client, cast):
    login(client, cast, "secretariat")

    assert client.get(reverse("person-me")).status_code == 404


def test_a_person_chooses_who_sees_their_contact_details(client, cast):
    login(client, cast, "member")

    response = client.post(
        reverse("person-contact-visibility", args=[cast.member_person.pk]),
        {"contact_visibility": SECRETARIAT},
    )

    assert response.status_code == 302
    person = Person.objects.get(pk=cast.member_person.pk)
    assert person.contact_visibility == SECRETARIAT
    assert person.history.first().history_user == cast.member


def test_the_secretariat_chooses_for_anyone(client, cast):
    login(client, cast, "secretariat")

    response = client.post(
        reverse("person-contact-visibility", args=[cast.member_colleague.pk]),
        {"contact_visibility": SECRETARIAT},
    )

    assert response.status_code == 302
    assert Person.objects.get(pk=cast.member_colleague.pk).contact_visibility == SECRETARIAT


@pytest.mark.parametrize(
    ("persona", "target", "status"),
    [
        # Sees Karim in the directory (same organisation), may not choose for him.
        ("member", "member_colleague", 403),
        # Chairs the MWG: managing a group gives no say over its members' details.
        ("chair", "member_person", 403),
        ("observer", "member_person", 403),
        # Does not see him at all.
        ("outsider", "member_colleague", 404),
    ],
)
def test_nobody_else_chooses_and_nothing_changes(client, cast, persona, target, status):
    before = _person_rows()
    person = getattr(cast, target)
    login(client, cast, persona)

    response = client.post(
        reverse("person-contact-visibility", args=[person.pk]),
        {"contact_visibility": SECRETARIAT},
    )

    assert response.status_code == status
    assert _person_rows() == before


def test_others_see_no_form_on_a_person_page(client, cast):
    login(client, cast, "chair")

    page = client.get(reverse("person-detail", args=[cast.member_person.pk])).content.decode()

    assert reverse("person-contact-visibility", args=[cast.member_person.pk]) not in page


def test_anonymous_is_sent_to_sign_in_and_nothing_changes(client, cast):
    before = _person_rows()

    response = client.post(
        reverse("person-contact-visibility", args=[cast.member_person.pk]),
        {"contact_visibility": SECRETARIAT},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert _person_rows() == before


def test_an_unknown_choice_is_a_form_error_and_nothing_changes(client, cast):
    before = _person_rows()
    login(client, cast, "member")

    response = client.post(
        reverse("person-contact-visibility", args=[cast.member_person.pk]),
        {"contact_visibility": "everyone"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["contact_visibility"]
    assert _person_rows() == before


def test_the_service_refuses_an_unknown_choice_and_changes_nothing(cast):
    before = _person_rows()

    with pytest.raises(ValidationError) as refusal:
        person_contact_visibility_set(person=cast.member_person, visibility="everyone", by=None)

    assert "contact_visibility" in refusal.value.message_dict
    assert _person_rows() == before


def test_setting_the_same_choice_again_writes_no_history(cast):
    before = _person_rows()

    person_contact_visibility_set(person=cast.member_person, visibility=MEMBERS, by=None)

    assert _person_rows() == before


# --- Exports -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_exports_carry_no_contact_details(client, cast, held, persona):
    # The exports list names and organisations only; a column of e-mails or phones added
    # later would have to go through contact_details_visible_to, and this says so.
    person_update(person=cast.member_person, phone=PHONE, by=None)
    person_contact_visibility_set(person=cast.member_person, visibility=SECRETARIAT, by=None)
    login(client, cast, persona)

    for url in (
        reverse("meeting-attendance-csv", args=[held.pk]),
        reverse("action-point-csv"),
    ):
        response = client.get(url)
        if response.status_code != 200:
            continue
        body = response.content.decode()
        assert "member@example.org" not in body, url
        assert PHONE not in body, url


def test_the_default_keeps_todays_directory(cast):
    assert Person.objects.get(pk=cast.member_colleague.pk).contact_visibility == MEMBERS
    assert PersonFactory().contact_visibility == MEMBERS


# --- The admin ---------------------------------------------------------------------------


def _admin_person_form(person, **changes):
    data = {
        "full_name": person.full_name,
        "full_name_ar": person.full_name_ar,
        "position": person.position,
        "email": person.email,
        "phone": person.phone,
        "preferred_language": person.preferred_language,
        "contact_visibility": person.contact_visibility,
        "user": person.user_id or "",
        "affiliations-TOTAL_FORMS": "0",
        "affiliations-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_the_secretariat_chooses_in_the_admin_through_the_service(client, cast):
    person = cast.member_person
    login(client, cast, "secretariat")

    response = client.post(
        reverse("admin:members_person_change", args=[person.pk]),
        _admin_person_form(person, contact_visibility=SECRETARIAT),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Person.objects.get(pk=person.pk)
    assert saved.contact_visibility == SECRETARIAT
    assert saved.history.first().history_user == cast.secretariat


def test_the_admin_refuses_an_unknown_choice_and_changes_nothing(client, cast):
    person = cast.member_person
    before = _person_rows()
    login(client, cast, "secretariat")

    response = client.post(
        reverse("admin:members_person_change", args=[person.pk]),
        _admin_person_form(person, contact_visibility="everyone"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["contact_visibility"]
    assert _person_rows() == before


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("en", "<h1><bdi>Ministry of Health</bdi> (<bdi>MoH</bdi>)</h1>"),
        ("ar", "<h1><bdi>وزارة الصحة</bdi> (<bdi>MoH</bdi>)</h1>"),
    ],
)
def test_organisation_page_names_the_acronym_once(client, cast, language, heading):
    cast.moh.name_ar = "وزارة الصحة"
    cast.moh.save(update_fields=["name_ar"])
    login(client, cast, "secretariat")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = client.get(reverse("organisation-detail", args=[cast.moh.pk])).content.decode()

    assert heading in page
