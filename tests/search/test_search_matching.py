"""What a search finds and how it shows it: Arabic spellings and diacritics, accents,
stemming (PostgreSQL), ranking, snippets, filters, pages and the queries it costs."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from meetings.services import agenda_item_add, meeting_create
from members.services import person_create
from search import selectors
from search.selectors import search_for_user, search_terms, snippet

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write and what its commit sets off (the index's update) at once."""

    def run(write, **arguments):
        with django_capture_on_commit_callbacks(execute=True):
            return write(**arguments)

    return run


@pytest.fixture
def meeting_of(cast, committed):
    def make(title, *, description="", group=None, days=10, **fields):
        start = timezone.now() + dt.timedelta(days=days)
        return committed(
            meeting_create,
            group=group or cast.mwg,
            title=title,
            description=description,
            start_at=start,
            end_at=start + dt.timedelta(hours=2),
            by=None,
            record_past=True,
            **fields,
        )

    return make


def _ids(user, query, **filters):
    return [item.object_id for item in search_for_user(user=user, query=query, **filters).items]


ARABIC = [
    # stored, asked
    ("مؤتمر الهجرة الإقليمي", "مؤتمر"),
    ("مُؤْتَمَر الهِجْرَة", "مؤتمر الهجره"),
    ("مؤتمر الهجره", "مُؤْتَمَر الهِجْرَة"),
    ("اجتماع اللجنة الفنية", "إجتماع"),
    ("إجتماع اللجنة الفنية", "اجتماع"),
    ("أمانة المؤتمر", "امانه"),
    ("امانه المؤتمر", "أمانة"),
    ("مستشفى الميناء", "مستشفي"),
    ("مستشفي الميناء", "مستشفى"),
    ("الاجتمـــاع الأول", "الاجتماع"),
    ("آفاق التعاون", "افاق"),
]


@pytest.mark.parametrize(("stored", "asked"), ARABIC)
def test_arabic_spellings_and_diacritics_find_each_other(cast, meeting_of, stored, asked):
    meeting = meeting_of(stored)
    meeting_of("Unrelated meeting")

    assert _ids(cast.secretariat, asked, kinds=["meeting"]) == [meeting.pk]


def test_the_snippet_marks_the_word_as_written_whatever_spelling_was_asked(cast, meeting_of):
    meeting_of("اللجنة", description="عُقِدَ الإجتماع الأول في طرابلس بحضور الأمانة.")

    (item,) = search_for_user(user=cast.secretariat, query="اجتماع امانه").items

    assert "<mark>الإجتماع</mark>" in item.snippet
    assert "<mark>الأمانة</mark>" in item.snippet


def test_latin_accents_do_not_matter(cast, meeting_of):
    accented = meeting_of("Réunion de coordination")
    plain = meeting_of("Reunion planning")

    assert set(_ids(cast.secretariat, "reunion")) == {accented.pk, plain.pk}
    assert set(_ids(cast.secretariat, "RÉUNION")) == {accented.pk, plain.pk}


def test_english_words_match_their_other_forms(cast, meeting_of):
    meeting = meeting_of("Quarterly review", description="The coordination meeting of spring.")

    if connection.vendor == "postgresql":
        # Stemmed in the English configuration: "meetings" finds "meeting".
        assert _ids(cast.secretariat, "meetings coordinating") == [meeting.pk]
        (item,) = search_for_user(user=cast.secretariat, query="meetings").items
        assert "<mark>meeting</mark>" in item.snippet
    else:
        # SQLite matches parts of words: "meet" finds "meeting".
        assert _ids(cast.secretariat, "meet coordinat") == [meeting.pk]


def test_a_word_in_the_title_ranks_before_the_same_word_in_the_text(cast, meeting_of):
    in_text = meeting_of("Quarterly review", description="On the harbour works.", days=30)
    in_title = meeting_of("Harbour works", description="Quarterly.", days=5)

    assert _ids(cast.secretariat, "harbour") == [in_title.pk, in_text.pk]


def test_every_word_must_match_and_a_minus_word_must_not(cast, meeting_of):
    both = meeting_of("Border health screening")
    border_only = meeting_of("Border patrol review")

    assert _ids(cast.secretariat, "border screening") == [both.pk]
    assert _ids(cast.secretariat, "border -screening") == [border_only.pk]


def test_snippet_is_escaped_and_shows_the_words_around_the_first_match():
    text = (
        " ".join(f"w{n}" for n in range(100))
        + " <b>harbour</b> & "
        + " ".join(f"v{n}" for n in range(100))
    )

    shown = snippet(text, search_terms("harbour").required)

    # Ten words before the match ("b" of the tag is one), the rest after it.
    assert shown.startswith("… w91 ")
    assert "&lt;<mark>b</mark>" not in shown
    assert "&lt;b&gt;<mark>harbour</mark>&lt;/b&gt; &amp; v0" in shown
    assert shown.endswith(" …")
    assert len(shown.replace("<mark>", "").split()) <= 34
    assert "<b>" not in shown


def test_snippet_shows_the_start_when_only_the_title_matched():
    shown = snippet("One two three.\nFour five <six>.", ["zanzibar"])

    assert shown == "One two three. Four five &lt;six"


def test_filters_by_kind_group_and_date(cast, meeting_of, committed):
    today = timezone.localdate()
    mwg = meeting_of("Harbour plenary", days=10)
    health = meeting_of("Harbour clinic", group=cast.health, days=20)
    item = committed(agenda_item_add, meeting=mwg, title="Harbour agenda item", by=None)
    committed(
        person_create,
        full_name="Harbour Person",
        organisation=cast.moh,
        email="hp@example.org",
        by=None,
    )
    user = cast.secretariat

    assert _ids(user, "harbour", kinds=["agenda_item"]) == [item.pk]
    assert set(_ids(user, "harbour", kinds=["meeting"], group_id=cast.mwg.pk)) == {
        mwg.pk,
        health.pk,
    }
    assert _ids(user, "harbour", kinds=["meeting"], group_id=cast.health.pk) == [health.pk]
    assert _ids(user, "harbour", group_id=cast.other_wg.pk) == []
    assert _ids(
        user,
        "harbour",
        kinds=["meeting"],
        date_from=today + dt.timedelta(days=15),
        date_to=today + dt.timedelta(days=20),
    ) == [health.pk]
    # People have no date: a date asked for leaves them out.
    dated = search_for_user(user=user, query="harbour", date_from=today)
    assert "person" not in {result.kind for result in dated.items}
    assert "person" in search_for_user(user=user, query="harbour").counts


def test_pages_of_results_follow_each_other(cast, meeting_of):
    made = [meeting_of(f"Harbour meeting {n}", days=n + 1) for n in range(5)]

    first = search_for_user(user=cast.secretariat, query="harbour", limit=2)
    third = search_for_user(user=cast.secretariat, query="harbour", limit=2, offset=4)

    assert first.has_next
    assert not third.has_next
    assert len(first.items) + len(third.items) == 3
    assert first.counts == {"meeting": 5}
    assert {item.object_id for item in first.items} <= {meeting.pk for meeting in made}


def test_counts_stop_at_their_limit_and_say_so(cast, meeting_of, monkeypatch):
    for n in range(5):
        meeting_of(f"Harbour meeting {n}", days=n + 1)
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 2)

    results = search_for_user(user=cast.secretariat, query="harbour", limit=2)

    assert results.counts == {"meeting": 3}
    assert results.counts_capped


def test_results_link_to_the_records_pages(cast, meeting_of, committed):
    meeting = meeting_of("Harbour plenary")
    item = committed(agenda_item_add, meeting=meeting, title="Harbour opening", by=None)

    urls = {
        result.kind: result.url
        for result in search_for_user(user=cast.secretariat, query="harbour").items
    }

    assert urls == {
        "meeting": f"/meetings/{meeting.pk}/",
        "agenda_item": f"/meetings/{meeting.pk}/agenda/{item.pk}/",
    }


def test_a_blank_query_finds_nothing_and_asks_nothing(cast, django_assert_num_queries):
    with django_assert_num_queries(0):
        results = search_for_user(user=cast.member, query="  ¿?  ")

    assert results.items == []
    assert results.counts == {}


def test_a_search_costs_a_fixed_number_of_queries(
    cast, meeting_of, committed, django_assert_max_num_queries
):
    for n in range(30):
        meeting = meeting_of(f"Harbour meeting {n}", days=n + 1)
    committed(agenda_item_add, meeting=meeting, title="Harbour item", by=None)
    # The first search of a process also reads the content types the funnels name
    # (kept in memory after), and the first of a request whether the user is of the
    # secretariat (kept on the user).
    search_for_user(user=cast.member, query="anything")

    # The page and the counts; on SQLite the funnels' ids first.
    funnels = 1 if connection.vendor == "sqlite" else 0
    with django_assert_max_num_queries(2 + funnels):
        results = search_for_user(user=cast.member, query="harbour", limit=25)
    with django_assert_max_num_queries(3 + funnels):
        search_for_user(user=cast.member, query="harbour", group_id=cast.mwg.pk)

    assert len(results.items) == 25
    assert results.has_next
