"""Finding a person by search in a meeting tab's form (the walk-in of the attendance tab,
the invitee of the invitations tab): at most PERSON_MATCHES matches among the people the
form accepts, never a list of everyone in the portal, so the tab costs what the meeting
holds, not what the directory does. The matches are rendered by
meetings/_person_matches.html, swapped in by htmx or shown on the tab with `?q=`."""

from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render

from groups.permissions import people_with_contact_details_visible_to
from members.models import Person
from members.selectors import person_search

# How many people a search offers: enough to pick from, few enough that the page never
# grows with the directory.
PERSON_MATCHES = 20
PERSON_QUERY_MAX_CHARS = 100


def person_query(request) -> str:
    """What was typed in the search box, trimmed and bounded."""
    return request.GET.get("q", "").strip()[:PERSON_QUERY_MAX_CHARS]


def person_matches(user, people: QuerySet[Person], query: str, *, prefix: str) -> dict[str, Any]:
    """At most PERSON_MATCHES of `people` matching `query`, as the `search` context of
    _person_matches.html; `prefix` names its element ids (`<prefix>-matches`)."""
    found: list[Person] = []
    if query:
        matching = person_search(
            queryset=people,
            text=query,
            contact_details_of=people_with_contact_details_visible_to(user),
        )
        found = list(matching[: PERSON_MATCHES + 1])
    return {
        "prefix": prefix,
        "query": query,
        "matches": found[:PERSON_MATCHES],
        "more": len(found) > PERSON_MATCHES,
        "chosen": None,
    }


def person_keep_chosen(search: dict[str, Any], chosen: Person | None) -> None:
    """A refused form shows again with the person chosen still chosen (and only them)."""
    search["matches"] = [chosen] if chosen else []
    search["more"] = False
    search["chosen"] = chosen.pk if chosen else None


def person_matches_response(
    request, people: QuerySet[Person], *, tab: str, anchor: str, prefix: str
) -> HttpResponse:
    """The search endpoint of a tab's form: the matches among `people`, swapped in by
    htmx; without htmx, the tab (`tab`, at `anchor`) reloaded with them."""
    query = person_query(request)
    if not request.htmx:
        return redirect(f"{tab}?{urlencode({'q': query})}#{anchor}")
    search = person_matches(request.user, people, query, prefix=prefix)
    return render(request, "meetings/_person_matches.html", {"search": search})
