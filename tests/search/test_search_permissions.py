"""Search shows each persona exactly what each kind's own funnel shows them: the
labels, the seats, unpublished minutes and withdrawn papers all apply, and a label
changed later applies at once, without rebuilding the index."""

import pytest

from groups.models import Confidentiality
from groups.services import confidentiality_set
from search.models import SearchEntry
from search.selectors import FUNNELS, search_for_user
from tests.conftest import PERSONAS
from tests.search.conftest import WORD

pytestmark = pytest.mark.django_db
EVERYONE = (*PERSONAS, "anonymous")


def _found(user, query=WORD, **filters) -> set[tuple[str, int]]:
    results = search_for_user(user=user, query=query, limit=100, **filters)
    assert not results.has_next
    return {(item.kind, item.object_id) for item in results.items}


def _funnel_allows(user, world) -> set[tuple[str, int]]:
    """What each kind's funnel lets `user` see among the records indexed as saying WORD."""
    indexed = set(
        SearchEntry.objects.filter(normalized__contains=WORD).values_list("kind", "object_id")
    )
    return {
        (str(kind), object_id)
        for kind, funnel in FUNNELS.items()
        for object_id in funnel(user).values_list("pk", flat=True)
        if (kind, object_id) in indexed
    }


@pytest.mark.parametrize("persona", EVERYONE)
def test_each_persona_finds_exactly_what_the_funnels_show_them(cast, world, persona):
    user = cast.user(persona)

    found = _found(user)

    assert found == _funnel_allows(user, world)
    assert all(WORD in SearchEntry.objects.get(kind=k, object_id=i).normalized for k, i in found)


@pytest.mark.parametrize("persona", EVERYONE)
def test_each_kind_alone_shows_the_same_as_its_funnel(cast, world, persona):
    user = cast.user(persona)
    allowed = _funnel_allows(user, world)

    for kind in FUNNELS:
        assert _found(user, kinds=[kind]) == {row for row in allowed if row[0] == kind}, kind


EXPECTED = {
    # record: the personas who find it
    "mwg": {"admin", "secretariat", "chair", "cochair", "member", "observer"},
    "opening": {"admin", "secretariat", "chair", "cochair", "member", "observer"},
    "briefing": {"admin", "secretariat", "chair", "cochair"},
    "minutes": {"admin", "secretariat", "chair", "cochair", "member", "observer"},
    "decision_open": {"admin", "secretariat", "chair", "cochair", "member", "observer"},
    "decision_for_iom": {"admin", "secretariat", "chair", "cochair"},
    "decision_for_moh": {"admin", "secretariat", "chair", "cochair", "member"},
    "action_open": {"admin", "secretariat", "chair", "cochair", "member", "observer"},
    "health": {"admin", "secretariat", "chair", "cochair", "member"},
    "health_draft": {"admin", "secretariat", "chair", "cochair"},
    "other": {"admin", "secretariat"},
    "paper_open": {"admin", "secretariat", "chair", "cochair", "member", "observer"},
    "paper_library": {"admin", "secretariat", "chair", "cochair", "member", "observer"},
    "paper_restricted": {"admin", "secretariat", "chair", "cochair"},
    "paper_public": {"admin", "secretariat", "chair", "cochair", "member", "observer", "outsider"},
    "paper_withdrawn": set(),
    "port": {"admin", "secretariat"},
    "harbour_master": {"admin", "secretariat"},
    "health_officer": {"admin", "secretariat", "chair", "cochair", "member", "observer"},
}
KIND_OF = {
    "mwg": "meeting",
    "health": "meeting",
    "other": "meeting",
    "opening": "agenda_item",
    "briefing": "agenda_item",
    "minutes": "minutes",
    "health_draft": "minutes",
    "port": "organisation",
    "harbour_master": "person",
    "health_officer": "person",
}


def _kind(name: str) -> str:
    for prefix, kind in (
        ("decision", "decision"),
        ("action", "action_point"),
        ("paper", "document"),
    ):
        if name.startswith(prefix):
            return kind
    return KIND_OF[name]


@pytest.mark.parametrize("persona", EVERYONE)
def test_restricted_and_unpublished_records_stay_with_those_they_are_for(cast, world, persona):
    found = _found(cast.user(persona))

    for name, finders in EXPECTED.items():
        row = (_kind(name), world[name].pk)
        assert (row in found) == (persona in finders), (name, persona)


def test_a_restricted_decision_is_not_found_by_a_member_even_by_its_own_words(cast, world):
    assert _found(cast.member, "confidential shelter") == set()
    assert _found(cast.chair, "confidential shelter") == {
        ("decision", world["decision_for_iom"].pk)
    }


def test_counts_per_kind_count_only_what_the_reader_may_see(cast, world):
    results = search_for_user(user=cast.member, query=WORD, limit=2)
    meetings = search_for_user(user=cast.member, query=WORD, kinds=["meeting"])

    expected: dict[str, int] = {}
    for kind, _object_id in _found(cast.member):
        expected[kind] = expected.get(kind, 0) + 1
    assert results.counts == expected
    assert not results.counts_capped
    assert meetings.counts == {"meeting": expected["meeting"]}
    assert {item.kind for item in meetings.items} == {"meeting"}


def test_a_label_change_applies_to_search_at_once(cast, world):
    decision = world["decision_open"]
    row = ("decision", decision.pk)
    assert row in _found(cast.member)

    confidentiality_set(
        record=decision,
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to=[cast.iom],
        by=cast.secretariat,
    )

    assert row not in _found(cast.member)
    assert row not in _found(cast.observer)
    assert row in _found(cast.cochair)

    confidentiality_set(
        record=decision, confidentiality=Confidentiality.MEMBERS, by=cast.secretariat
    )

    assert row in _found(cast.member)


def test_publishing_minutes_shows_them_and_their_meetings_decisions(cast, world):
    from meetings.services import decision_add, minutes_approve, minutes_publish

    health = world["health"]
    decision = decision_add(meeting=health, text="Zanzibar clinics open on Fridays.", by=None)
    from search.services import index_update

    index_update("decision", [decision.pk])
    assert ("decision", decision.pk) not in _found(cast.member)
    assert ("minutes", world["health_draft"].pk) not in _found(cast.member)

    minutes_publish(minutes=minutes_approve(minutes=world["health_draft"], by=None), by=None)

    found = _found(cast.member)
    assert ("decision", decision.pk) in found
    assert ("minutes", world["health_draft"].pk) in found
