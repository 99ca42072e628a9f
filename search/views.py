"""The search page: one box for whatever the reader may see."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from groups.permissions import groups_visible_to
from groups.selectors import group_choices
from portal.pages import PAGE_SIZE, query_without_page
from search.forms import SearchForm
from search.models import SearchKind
from search.selectors import SearchResults, search_for_user

# Deeper than this is no reader's browsing; it would only make the database skip rows.
MAX_PAGE = 200


def _page_number(raw: str | None) -> int:
    if raw and raw.isascii() and raw.isdigit():
        return min(max(int(raw), 1), MAX_PAGE)
    return 1


def _kind_counts(request, results: SearchResults | None) -> list[dict]:
    """Each kind with matches, its count and the link that shows only it."""
    if results is None:
        return []
    counts = []
    for kind, matches in results.counts.items():
        query = request.GET.copy()
        query.pop("page", None)
        query.setlist("kind", [kind])
        counts.append(
            {
                "kind": kind,
                "label": SearchKind(kind).label,
                "count": matches,
                "query": query.urlencode(),
            }
        )
    return counts


@login_required
def search_page(request):
    user = request.user
    groups = group_choices(queryset=groups_visible_to(user))
    form = SearchForm(request.GET or None, groups=groups)
    results = None
    number = _page_number(request.GET.get("page"))
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        results = search_for_user(
            user=user,
            query=data["q"],
            kinds=data["kind"],
            group_id=data["group"].pk if data["group"] else None,
            date_from=data["date_from"],
            date_to=data["date_to"],
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
    return render(
        request,
        "search/search.html",
        {
            "nav": "search",
            "form": form,
            "results": results,
            "kind_counts": _kind_counts(request, results),
            "number": number,
            "query": query_without_page(request),
            "search_query": request.GET.get("q", "")[:200],
        },
    )
