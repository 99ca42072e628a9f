"""The search page and the header's search box: what each reader sees, the empty and
no-result states, filters, bad dates as form errors, pages of results."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.services import agenda_item_add, meeting_create
from search.models import SearchEntry
from search.services import index_update
from tests.search.conftest import WORD

pytestmark = pytest.mark.django_db
URL = "/search/"


def _signed_in(client, user):
    client.force_login(user)
    return client


def _titles(response) -> list[str]:
    page = response.content.decode()
    return re.findall(r'<li class="search-result">.*?<bdi>(.*?)</bdi>', page, re.S)


def test_the_search_page_lives_at_its_address():
    assert reverse("search") == URL
    assert reverse("api:search-list") == "/api/v1/search/"


def test_a_member_finds_what_they_may_see_with_the_words_marked(client, cast, world):
    response = _signed_in(client, cast.member).get(URL, {"q": "zanzibar"})

    assert response.status_code == 200
    titles = _titles(response)
    assert "Zanzibar harbour review" in titles
    assert "Zanzibar concept note" in titles
    assert "Zanzibar risk assessment" not in titles
    assert "Zanzibar trade meeting" not in titles
    page = response.content.decode()
    assert "<mark>Zanzibar</mark>" in page
    assert "fund the confidential shelter" not in page
    assert f'href="/meetings/{world["mwg"].pk}/"' in page
    assert 'value="zanzibar"' in page


def test_the_secretariat_finds_the_restricted_records_too(client, cast, world):
    response = _signed_in(client, cast.secretariat).get(URL, {"q": "zanzibar", "page": "2"})
    first = _signed_in(client, cast.secretariat).get(URL, {"q": "zanzibar"})

    titles = _titles(first) + _titles(response)
    assert "Zanzibar risk assessment" in titles
    assert "Zanzibar trade meeting" in titles
    assert "Zanzibar old draft" not in titles  # withdrawn


def test_an_outsider_finds_only_public_papers_and_their_own_directory(client, cast, world):
    response = _signed_in(client, cast.outsider).get(URL, {"q": "zanzibar"})

    assert _titles(response) == ["Zanzibar public leaflet"]


def test_without_words_the_page_explains_itself(client, cast):
    response = _signed_in(client, cast.member).get(URL)

    assert response.status_code == 200
    assert "Type words to find" in response.content.decode()
    assert _titles(response) == []


def test_no_match_says_so(client, cast, world):
    response = _signed_in(client, cast.member).get(URL, {"q": "qwertyuiop"})

    assert response.status_code == 200
    assert "Nothing you may see matches “qwertyuiop”." in response.content.decode()


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"date_from": "2026-13-45"}, "Enter a valid date."),
        ({"date_from": "1200-01-01"}, "Give a date between 2000-01-01 and 2100-12-31."),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "Give a date on or after"),
    ],
)
def test_bad_dates_are_form_errors_not_failures(client, cast, world, dates, message):
    entries = SearchEntry.objects.count()

    response = _signed_in(client, cast.member).get(URL, {"q": "zanzibar", **dates})

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'class="error"' in page
    assert _titles(response) == []
    assert SearchEntry.objects.count() == entries


def test_filters_by_kind_and_group(client, cast, world):
    signed_in = _signed_in(client, cast.member)

    papers = signed_in.get(URL, {"q": "zanzibar", "kind": "document"})
    health = signed_in.get(URL, {"q": "zanzibar", "group": cast.health.pk, "kind": "meeting"})

    assert sorted(_titles(papers)) == [
        "Zanzibar concept note",
        "Zanzibar draft terms",
        "Zanzibar public leaflet",
    ]
    assert _titles(health) == ["Zanzibar clinics meeting"]
    everything = signed_in.get(URL, {"q": "zanzibar", "group": cast.mwg.pk}).content.decode()
    # Each kind with matches links to itself alone, the other filters kept.
    assert f'href="?q=zanzibar&amp;group={cast.mwg.pk}&amp;kind=meeting">Meetings</a>' in (
        everything
    )


def test_a_group_the_reader_cannot_see_is_a_form_error(client, cast, world):
    response = _signed_in(client, cast.member).get(
        URL, {"q": "zanzibar", "group": cast.other_wg.pk}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert _titles(response) == []


def test_results_come_in_pages(client, cast, world):
    start = timezone.now() + dt.timedelta(days=3)
    meeting = meeting_create(
        group=cast.mwg,
        title="Plenary",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
    )
    items = [
        agenda_item_add(meeting=meeting, title=f"Lighthouse item {n}", by=None) for n in range(30)
    ]
    index_update("agenda_item", [item.pk for item in items])
    signed_in = _signed_in(client, cast.member)

    first = signed_in.get(URL, {"q": "lighthouse"})
    second = signed_in.get(URL, {"q": "lighthouse", "page": "2"})
    beyond = signed_in.get(URL, {"q": "lighthouse", "page": "9"})
    nonsense = signed_in.get(URL, {"q": "lighthouse", "page": "x"})

    assert len(_titles(first)) == 25
    assert 'rel="next" href="?q=lighthouse&amp;page=2"' in first.content.decode()
    assert len(_titles(second)) == 5
    assert 'rel="prev"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()
    assert _titles(beyond) == []
    assert "Back to the first page" in beyond.content.decode()
    assert _titles(nonsense) == _titles(first)


def test_the_page_costs_a_fixed_number_of_queries(
    client, cast, world, django_assert_max_num_queries
):
    signed_in = _signed_in(client, cast.member)
    signed_in.get(URL, {"q": "anything"})

    with django_assert_max_num_queries(12):
        response = signed_in.get(URL, {"q": WORD, "group": cast.mwg.pk})

    assert response.status_code == 200


def test_anonymous_readers_are_sent_to_sign_in(client, world):
    response = client.get(URL, {"q": "zanzibar"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_every_page_has_the_search_box_in_its_header(client, cast, language, direction):
    signed_in = _signed_in(client, cast.member)
    signed_in.cookies["django_language"] = language

    page = signed_in.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert f'dir="{direction}"' in page
    header = page.split('<header class="site-header">')[1].split("</header>")[0]
    assert '<form action="/search/" method="get" role="search" class="header-search">' in header
    assert '<label for="header-search" class="visually-hidden">' in header
    assert 'id="header-search" name="q"' in header
    assert 'dir="auto"' in header


def test_signed_out_pages_have_no_search_box(client):
    page = client.get("/accounts/login/").content.decode()

    assert "header-search" not in page
