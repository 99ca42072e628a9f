"""The agenda's presenter: found by a search of a few matches, never chosen from a list of
everyone the user may offer; kept when an item is edited without touching it; checked
again when posted. With htmx the matches are swapped into the form; without script the
form's own page shows them."""

import pytest
from django.urls import reverse

from meetings.models import AgendaItem, Meeting
from meetings.services import agenda_item_add
from meetings.views.person_search import PERSON_MATCHES
from members.models import Person
from tests.api.conftest import fingerprint
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
REFUSED = "That presenter cannot be chosen: search again and choose one of the matches."


def _bystanders(cast, count: int, organisation=None) -> list[Person]:
    """People of the directory who present nothing, by default of an organisation the
    chair does not see."""
    return Person.objects.bulk_create(
        Person(
            full_name=f"Zainab Bystander {number:04d}",
            email=f"bystander{number}@example.org",
            organisation=organisation or cast.elsewhere,
        )
        for number in range(count)
    )


def _search(client, meeting, query: str, **parameters):
    headers = {"HTTP_HX_REQUEST": "true"} if parameters.pop("htmx", True) else {}
    return client.get(
        reverse("agenda-presenters", args=[meeting.pk]), {"q": query, **parameters}, **headers
    )


def _add(client, meeting, presenter, **headers):
    return client.post(
        reverse("agenda-item-add", args=[meeting.pk]),
        {"title": "Vaccination", "duration_minutes": "20", "presenter": presenter},
        **headers,
    )


def _edit(client, item: AgendaItem, presenter, **headers):
    prefix = f"item-{item.pk}"
    return client.post(
        reverse("agenda-item-edit", args=[item.meeting_id, item.pk]),
        {
            f"{prefix}-title": item.title,
            f"{prefix}-duration_minutes": "20",
            **({f"{prefix}-presenter": presenter} if presenter is not None else {}),
        },
        **headers,
    )


@pytest.fixture
def presented(cast, draft) -> AgendaItem:
    """The draft's opening, presented by the member."""
    item = draft.agenda_items.get()
    AgendaItem.objects.filter(pk=item.pk).update(presenter=cast.member_person)
    item.refresh_from_db()
    return item


# --- Nobody of the directory is on the page ---------------------------------------------


def test_the_meeting_page_lists_nobody_of_the_directory(client, cast, draft, presented):
    _bystanders(cast, 30)
    login(client, cast, "secretariat")

    page = client.get(reverse("meeting-detail", args=[draft.pk])).content.decode()

    assert 'id="presenter-query"' in page
    assert '<input type="radio" name="presenter" value="" id="presenter-none" checked>' in page
    assert "Amina Health" in page  # the opening's presenter, in its row
    assert "Zainab Bystander" not in page
    assert "Olivia Outsider" not in page
    assert "<select" not in page


def test_the_item_edited_in_place_shows_its_presenter_chosen_and_nobody_else(
    client, cast, draft, presented
):
    _bystanders(cast, 30)
    login(client, cast, "secretariat")

    row = client.get(
        reverse("agenda-item-edit", args=[draft.pk, presented.pk]), **HTMX
    ).content.decode()

    field = f"item-{presented.pk}-presenter"
    assert (
        f'<input type="radio" name="{field}" value="{cast.member_person.pk}" '
        f'id="{field}-kept" checked>' in row
    )
    assert f'<input type="radio" name="{field}" value="" id="{field}-none">' in row
    assert f'id="{field}-query"' in row
    assert f'<form id="{field}-search" method="get"' in row
    assert "Zainab Bystander" not in row
    assert "Olivia Outsider" not in row
    assert "<select" not in row


# --- The search -------------------------------------------------------------------------


def test_the_search_offers_at_most_as_many_matches_as_the_other_searches(client, cast, draft):
    _bystanders(cast, 30)
    login(client, cast, "secretariat")

    response = _search(client, draft, "bystander")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<div id="presenter-matches"')
    assert "<html" not in page
    assert page.count('type="radio" name="presenter"') == PERSON_MATCHES == 20
    assert "Zainab Bystander 0000" in page
    assert "Zainab Bystander 0020" not in page
    assert "Only the first 20 matches are shown" in page


def test_the_search_of_an_edited_item_names_its_field_and_leaves_out_the_kept_presenter(
    client, cast, draft, presented
):
    login(client, cast, "secretariat")

    page = _search(
        client, draft, "Health", item=presented.pk, kept=cast.member_person.pk
    ).content.decode()

    field = f"item-{presented.pk}-presenter"
    assert f'id="{field}-matches"' in page
    assert f'name="{field}" value="{cast.member_colleague.pk}"' in page  # of the MoH too
    assert f'value="{cast.member_person.pk}"' not in page


@pytest.mark.parametrize(("persona", "found"), [("secretariat", True), ("chair", False)])
def test_the_search_offers_only_people_the_user_may_offer(client, cast, draft, persona, found):
    login(client, cast, persona)

    page = _search(client, draft, "Olivia").content.decode()

    assert (f'value="{cast.outsider_person.pk}"' in page) is found


@pytest.mark.parametrize("parameter", ["item", "kept"])
def test_the_search_ignores_ids_that_are_not_ids(client, cast, draft, parameter):
    login(client, cast, "secretariat")

    response = _search(client, draft, "Amina", **{parameter: "1 OR 1=1"})

    assert response.status_code == 200
    assert f'name="presenter" value="{cast.member_person.pk}"' in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("member", 403), ("outsider", 404)])
def test_only_who_manages_the_meeting_may_search(client, cast, draft, persona, status):
    login(client, cast, persona)

    assert _search(client, draft, "Olivia").status_code == status
    assert _search(client, draft, "Olivia", htmx=False).status_code == status


# --- Without script ---------------------------------------------------------------------


def test_without_script_find_opens_the_add_form_with_the_matches(client, cast, draft):
    login(client, cast, "secretariat")
    add = reverse("agenda-item-add", args=[draft.pk])

    redirected = _search(client, draft, "Olivia", htmx=False)
    page = client.get(add, {"q": "Olivia"})

    assert redirected.status_code == 302
    assert redirected["Location"] == f"{add}?q=Olivia#presenter-query"
    html = page.content.decode()
    assert page.status_code == 200
    assert "<html" in html
    assert (
        f'<input type="radio" name="presenter" value="{cast.outsider_person.pk}" '
        f'id="presenter-{cast.outsider_person.pk}">' in html
    )
    assert 'value="Olivia"' in html
    assert "Amina Health" not in html


def test_without_script_find_opens_the_edit_page_with_the_matches(client, cast, draft, presented):
    login(client, cast, "secretariat")
    edit = reverse("agenda-item-edit", args=[draft.pk, presented.pk])
    field = f"item-{presented.pk}-presenter"

    redirected = _search(client, draft, "Olivia", htmx=False, item=presented.pk)
    page = client.get(edit, {"q": "Olivia"}).content.decode()

    assert redirected["Location"] == f"{edit}?q=Olivia#{field}-query"
    assert f'name="{field}" value="{cast.outsider_person.pk}" id="{field}-' in page
    # The presenter stays chosen while another is looked for.
    assert f'value="{cast.member_person.pk}" id="{field}-kept" checked' in page


def test_without_script_a_found_presenter_is_added(client, cast, draft):
    login(client, cast, "secretariat")

    response = _add(client, draft, cast.outsider_person.pk)

    assert response.status_code == 302
    assert draft.agenda_items.get(title="Vaccination").presenter == cast.outsider_person


def test_without_script_a_refused_presenter_shows_the_form_again_with_the_error(
    client, cast, draft
):
    login(client, cast, "chair")
    before = fingerprint()

    response = _add(client, draft, cast.outsider_person.pk)

    page = response.content.decode()
    assert response.status_code == 400
    assert '<p class="error" id="presenter-error">' + REFUSED in page
    assert 'value="Vaccination"' in page
    assert "Olivia Outsider" not in page
    assert fingerprint() == before


# --- Checked again when posted ----------------------------------------------------------


def test_a_found_presenter_is_added_in_place(client, cast, draft):
    login(client, cast, "secretariat")

    response = _add(client, draft, cast.outsider_person.pk, **HTMX)

    assert response.status_code == 200
    assert response.content.decode().startswith('<div id="agenda"')
    assert draft.agenda_items.get(title="Vaccination").presenter == cast.outsider_person


def test_an_item_may_be_added_with_no_presenter(client, cast, draft):
    login(client, cast, "secretariat")

    _add(client, draft, "", **HTMX)

    assert draft.agenda_items.get(title="Vaccination").presenter is None


@pytest.mark.parametrize("presenter", ["outsider", "missing", "garbage", "huge", "inactive"])
def test_a_presenter_the_user_may_not_offer_is_refused_in_the_form(client, cast, draft, presenter):
    """The chair does not see the outsider's organisation; an unknown id, garbage, an id
    too large for the column and someone no longer active are refused alike: the form
    again saying why, under the presenter, nothing stored."""
    Person.objects.filter(pk=cast.member_colleague.pk).update(is_active=False)
    posted = {
        "outsider": cast.outsider_person.pk,
        "missing": Person.objects.latest("pk").pk + 1000,
        "garbage": "1 OR 1=1",
        "huge": "9" * 30,
        "inactive": cast.member_colleague.pk,
    }[presenter]
    login(client, cast, "chair")
    before = fingerprint()

    response = _add(client, draft, posted, **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<div id="agenda"')
    assert '<fieldset class="field has-error">' in page
    assert f'<p class="error" id="presenter-error">{REFUSED}</p>' in page
    # Nothing is shown chosen, not even "No presenter": the user chooses again.
    assert 'id="presenter-none" checked' not in page
    assert 'value="Vaccination"' in page
    assert fingerprint() == before


def test_an_item_saved_without_touching_its_presenter_keeps_them(client, cast, draft, presented):
    login(client, cast, "chair")

    response = _edit(client, presented, cast.member_person.pk, **HTMX)

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#agenda"
    presented.refresh_from_db()
    assert presented.presenter == cast.member_person


def test_an_item_keeps_a_presenter_the_editor_would_not_be_offered(client, cast, draft, presented):
    AgendaItem.objects.filter(pk=presented.pk).update(presenter=cast.outsider_person)
    presented.refresh_from_db()
    login(client, cast, "chair")
    field = f"item-{presented.pk}-presenter"

    row = client.get(
        reverse("agenda-item-edit", args=[draft.pk, presented.pk]), **HTMX
    ).content.decode()
    saved = _edit(client, presented, cast.outsider_person.pk, **HTMX)

    assert f'value="{cast.outsider_person.pk}" id="{field}-kept" checked' in row
    assert saved["HX-Retarget"] == "#agenda"
    presented.refresh_from_db()
    assert presented.presenter == cast.outsider_person


def test_no_presenter_clears_the_presenter(client, cast, draft, presented):
    login(client, cast, "secretariat")

    _edit(client, presented, "", **HTMX)

    presented.refresh_from_db()
    assert presented.presenter is None


def test_no_choice_sent_at_all_leaves_the_presenter_as_it_is(client, cast, draft, presented):
    """With script, a new search swaps out the match that was chosen: nothing is sent."""
    login(client, cast, "secretariat")

    response = _edit(client, presented, None, **HTMX)

    assert response["HX-Retarget"] == "#agenda"
    presented.refresh_from_db()
    assert presented.presenter == cast.member_person


def test_no_choice_sent_with_an_error_shows_the_stored_presenter_chosen(
    client, cast, draft, presented
):
    login(client, cast, "secretariat")
    field = f"item-{presented.pk}-presenter"

    row = client.post(
        reverse("agenda-item-edit", args=[draft.pk, presented.pk]),
        {f"item-{presented.pk}-title": "", f"item-{presented.pk}-duration_minutes": "20"},
        **HTMX,
    ).content.decode()

    assert f'id="id_item-{presented.pk}-title_error"' in row
    assert f'value="{cast.member_person.pk}" id="{field}-kept" checked' in row


def test_an_edit_with_a_refused_presenter_comes_back_in_the_row_keeping_the_stored_one(
    client, cast, draft, presented
):
    login(client, cast, "chair")
    field = f"item-{presented.pk}-presenter"
    before = fingerprint()

    response = _edit(client, presented, cast.outsider_person.pk, **HTMX)

    row = response.content.decode()
    assert row.lstrip().startswith(f'<li id="agenda-item-{presented.pk}" class="editing">')
    assert f'<p class="error" id="{field}-error">{REFUSED}</p>' in row
    assert f'value="{cast.member_person.pk}" id="{field}-kept" checked' in row
    assert "Olivia Outsider" not in row
    assert fingerprint() == before


def test_a_presenter_chosen_stays_chosen_while_the_form_is_put_right(client, cast, draft):
    login(client, cast, "secretariat")

    response = client.post(
        reverse("agenda-item-add", args=[draft.pk]),
        {"title": "", "duration_minutes": "20", "presenter": cast.outsider_person.pk},
        **HTMX,
    )

    page = response.content.decode()
    assert 'id="id_title_error"' in page
    assert f'value="{cast.outsider_person.pk}" id="presenter-kept" checked' in page
    assert not AgendaItem.objects.filter(meeting=draft, presenter=cast.outsider_person).exists()


# --- Queries ----------------------------------------------------------------------------


@pytest.mark.parametrize("directory", [20, 400])
@pytest.mark.parametrize("persona", ["secretariat", "chair"])
def test_the_agenda_costs_the_same_queries_whatever_the_directory(
    client, cast, draft, presented, persona, directory, django_assert_max_num_queries
):
    _bystanders(cast, directory, organisation=cast.moh)  # the chair sees them too
    for number in range(5):
        agenda_item_add(meeting=draft, title=f"Item {number}", by=None)
    Meeting.objects.filter(pk=draft.pk).update(status=Meeting.Status.SCHEDULED)
    login(client, cast, persona)
    edit = reverse("agenda-item-edit", args=[draft.pk, presented.pk])
    client.get(reverse("meeting-detail", args=[draft.pk]))  # the caches of the first request
    # A chair's visibility costs one query more than the secretariat's.
    more = 0 if persona == "secretariat" else 1

    with django_assert_max_num_queries(16 + more):
        page = client.get(reverse("meeting-detail", args=[draft.pk]))
    with django_assert_max_num_queries(6 + more):
        row = client.get(edit, **HTMX)
    with django_assert_max_num_queries(5 + more):
        matches = _search(client, draft, "bystander")
    with django_assert_max_num_queries(7 + more):
        searched = client.get(edit, {"q": "bystander"})
    with django_assert_max_num_queries(5 + more):
        adding = client.get(reverse("agenda-item-add", args=[draft.pk]), {"q": "bystander"})

    assert "Zainab Bystander" not in page.content.decode()
    assert "Zainab Bystander" not in row.content.decode()
    assert matches.content.decode().count('type="radio"') == PERSON_MATCHES
    # With "No presenter" and the presenter kept.
    assert searched.content.decode().count('type="radio"') == PERSON_MATCHES + 2
    assert adding.content.decode().count('type="radio"') == PERSON_MATCHES + 1


def test_without_script_a_refused_edit_shows_the_page_again_with_the_error(
    client, cast, draft, presented
):
    login(client, cast, "chair")
    before = fingerprint()

    response = _edit(client, presented, cast.outsider_person.pk)

    page = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="error" id="item-{presented.pk}-presenter-error">{REFUSED}</p>' in page
    assert fingerprint() == before


# --- A held or cancelled meeting's agenda is its record ---------------------------------


@pytest.mark.parametrize("page", ["agenda-item-add", "agenda-item-edit", "agenda-item-remove"])
def test_the_pages_that_change_a_closed_agenda_send_back_to_it_saying_why(
    client, cast, draft, presented, page
):
    Meeting.objects.filter(pk=draft.pk).update(status=Meeting.Status.CANCELLED)
    login(client, cast, "secretariat")
    args = [draft.pk] if page == "agenda-item-add" else [draft.pk, presented.pk]
    before = fingerprint()

    response = client.get(reverse(page, args=args), follow=True)

    assert response.redirect_chain == [(reverse("meeting-detail", args=[draft.pk]), 302)]
    assert "A cancelled meeting cannot be given a changed agenda." in response.content.decode()
    assert fingerprint() == before
