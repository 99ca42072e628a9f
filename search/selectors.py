"""Searching what a person may see.

The entries (search.services) say what each record says; whether the reader may see
the record is asked of the record's own funnel, every time: the results are the
entries whose record id is among the ids the kind's funnel gives the reader, as
subqueries of one query. A label or a seat that changes applies at once, and no
entry is shown whose record the reader could not open.

PostgreSQL matches the search vectors (GIN index) with the reader's words in the
simple, English, French and Arabic configurations, OR-ed, and ranks with ts_rank
(titles weigh most), then by date. SQLite has no such index: every word must appear
in the folded text (LIKE), ranked by how many of the words the titles hold, then by
date. Both fold the words as the text was folded (search.normalize).
"""

import datetime as dt
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, models
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from documents.permissions import documents_visible_to
from groups.models import CoordinationGroup
from groups.permissions import organisations_visible_to, people_visible_to
from groups.selectors import group_descendant_ids
from meetings.models import AgendaItem, Decision, Minutes
from meetings.permissions import (
    action_points_visible_to,
    agenda_items_visible_to,
    decisions_visible_to,
    meetings_visible_to,
    minutes_visible_to,
)
from portal.audit import Actor
from search.models import SearchEntry, SearchKind
from search.normalize import normalize
from search.services import FirstLine

SEARCH_CONFIGS = ("simple", "english", "french", "arabic")
# Beyond this, counts say "more than": counting every match of a common word would
# cost a second search.
COUNT_LIMIT = 1000
# Words of a query that are matched; more only make the query longer, not better.
MAX_QUERY_WORDS = 12
MAX_PAGE_SIZE = 100
SNIPPET_WORDS = 30
SNIPPET_WORDS_BEFORE = 10

QUERY_WORD = re.compile(r"\w+")
# A word of stored text as written: letters and digits with their marks (accents,
# tashkeel, tatweel), so each word is folded whole before it is compared.
SPACES = re.compile(r"\s+")
TEXT_WORD = re.compile(r"[\w\u0300-\u036f\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed]+")


def _documents_listed_to(user: Actor) -> models.QuerySet:
    # Withdrawn papers are kept for the record but listed nowhere, search included.
    return documents_visible_to(user).filter(is_withdrawn=False)


# Each kind's own funnel: the one rule of who sees it.
FUNNELS: dict[str, Callable[[Actor], models.QuerySet]] = {
    SearchKind.MEETING: meetings_visible_to,
    SearchKind.AGENDA_ITEM: agenda_items_visible_to,
    SearchKind.MINUTES: minutes_visible_to,
    SearchKind.DECISION: decisions_visible_to,
    SearchKind.ACTION_POINT: action_points_visible_to,
    SearchKind.DOCUMENT: _documents_listed_to,
    SearchKind.PERSON: people_visible_to,
    SearchKind.ORGANISATION: organisations_visible_to,
}


@dataclass(frozen=True)
class SearchTerms:
    """A query as matched: `text` (folded, for websearch_to_tsquery), the words that
    must appear and those that must not (SQLite), the words highlighted."""

    text: str
    required: tuple[str, ...]
    excluded: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.required)


def search_terms(query: str) -> SearchTerms:
    """The words of a query in the web search syntax PostgreSQL reads: words, "quoted
    phrases" (matched as words here), `or` between alternatives (all words are
    required on SQLite), `-word` for a word that must not appear."""
    text = normalize(query)
    required: list[str] = []
    excluded: list[str] = []
    for chunk in text.split(" "):
        if chunk == "or":
            continue
        words = QUERY_WORD.findall(chunk.replace("_", " "))
        (excluded if chunk.startswith("-") else required).extend(words)
    return SearchTerms(
        text=text,
        required=tuple(dict.fromkeys(required))[:MAX_QUERY_WORDS],
        excluded=tuple(dict.fromkeys(excluded))[:MAX_QUERY_WORDS],
    )


@dataclass(frozen=True)
class SearchResult:
    kind: str
    object_id: int
    title: str
    snippet: SafeString
    url: str
    date: dt.datetime | None
    group: CoordinationGroup | None

    @property
    def kind_label(self) -> str:
        return str(SearchKind(self.kind).label)


@dataclass(frozen=True)
class SearchResults:
    items: list[SearchResult]
    # Matches per kind of those asked for, counted among the first COUNT_LIMIT + 1
    # matches: `counts_capped` when there are more (each count is then a floor).
    counts: dict[str, int] = field(default_factory=dict)
    counts_capped: bool = False
    has_next: bool = False
    offset: int = 0
    limit: int = 20


# The records of a kind a reader may see, as something `object_id__in` takes.
VisibleIds = models.QuerySet | RawSQL


def _visible_ids(user: Actor, kinds: Sequence[str]) -> dict[str, VisibleIds]:
    """Each kind's funnel as the ids it shows `user`. On PostgreSQL, subqueries of the
    one search query. SQLite's parser refuses a query nested as deep as a paper's funnel
    is once it sits inside another query (its parser stack holds 100 entries), so there
    the filtered funnels are asked first, together, each at its own depth, and their
    ids handed to the search as one JSON parameter (no limit on how many); a funnel
    that filters nothing (the secretariat's) stays a shallow subquery."""
    funnels = {kind: FUNNELS[kind](user).order_by() for kind in kinds}
    if connection.vendor != "sqlite":
        return {kind: funnel.values("pk") for kind, funnel in funnels.items()}
    visible: dict[str, VisibleIds] = {}
    filtered = []
    for kind, funnel in funnels.items():
        if funnel.query.is_empty() or not funnel.query.where:
            visible[kind] = funnel.values("pk")
        else:
            filtered.append(
                funnel.annotate(
                    search_kind=Value(kind, output_field=models.CharField())
                ).values_list("search_kind", "pk")
            )
    ids: dict[str, list[int]] = {}
    if filtered:
        for kind, object_id in filtered[0].union(*filtered[1:], all=True):
            ids.setdefault(kind, []).append(object_id)
    for kind in kinds:
        if kind not in visible:
            # A JSON array is read by SQLite's json_each; the ids are integers we made.
            visible[kind] = RawSQL(
                "SELECT value FROM json_each(%s)", [json.dumps(ids.get(kind, []))]
            )
    return visible


def _visible_q(visible: dict[str, VisibleIds], kinds: Iterable[str]) -> Q:
    """The entries of `kinds` whose record is among the `visible` ids of its kind."""
    return reduce(
        or_,
        (Q(kind=kind, object_id__in=visible[kind]) for kind in kinds),
        Q(pk__in=[]),
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _matching(
    terms: SearchTerms,
    *,
    visible: dict[str, VisibleIds],
    kinds: Sequence[str],
    group_ids: set[int] | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> tuple[models.QuerySet[SearchEntry], SearchQuery | None]:
    entries = SearchEntry.objects.filter(_visible_q(visible, kinds))
    if group_ids is not None:
        entries = entries.filter(group_id__in=group_ids)
    if date_from is not None:
        entries = entries.filter(date__gte=_day_start(date_from))
    if date_to is not None:
        entries = entries.filter(date__lt=_day_start(date_to + dt.timedelta(days=1)))
    if connection.vendor == "postgresql":
        query = reduce(
            or_,
            (
                SearchQuery(terms.text, config=config, search_type="websearch")
                for config in SEARCH_CONFIGS
            ),
        )
        return entries.filter(vector=query), query
    for word in terms.required:
        entries = entries.filter(normalized__contains=word)
    for word in terms.excluded:
        entries = entries.exclude(normalized__contains=word)
    return entries, None


def _ranked(
    entries: models.QuerySet[SearchEntry], terms: SearchTerms, query: SearchQuery | None
) -> models.QuerySet[SearchEntry]:
    newest = F("date").desc(nulls_last=True)
    if query is not None:
        return entries.annotate(rank=SearchRank(F("vector"), query)).order_by(
            "-rank", newest, "-id"
        )
    title_hits: models.Expression = Value(0)
    for word in terms.required:
        title_hits = title_hits + Case(When(titles__contains=word, then=Value(1)), default=Value(0))
    return (
        entries.annotate(titles=FirstLine("normalized"))
        .annotate(title_hits=title_hits)
        .order_by("-title_hits", newest, "-id")
    )


def _meeting_of(model: type[models.Model]) -> Subquery:
    return Subquery(
        model._default_manager.filter(pk=OuterRef("object_id")).values("meeting_id")[:1]
    )


# The pages of children live under their meeting's address.
MEETING_OF_ENTRY = Case(
    When(kind=SearchKind.AGENDA_ITEM, then=_meeting_of(AgendaItem)),
    When(kind=SearchKind.MINUTES, then=_meeting_of(Minutes)),
    When(kind=SearchKind.DECISION, then=_meeting_of(Decision)),
    default=None,
    output_field=models.BigIntegerField(),
)


def result_url(kind: str, object_id: int, meeting_id: int | None) -> str:
    if kind == SearchKind.MEETING:
        return reverse("meeting-detail", args=[object_id])
    if kind == SearchKind.AGENDA_ITEM:
        return reverse("agenda-item", args=[meeting_id, object_id])
    if kind == SearchKind.MINUTES:
        return reverse("meeting-minutes", args=[meeting_id])
    if kind == SearchKind.DECISION:
        return reverse("decisions:decision-detail", args=[object_id])
    if kind == SearchKind.ACTION_POINT:
        return reverse("action-point-detail", args=[object_id])
    if kind == SearchKind.DOCUMENT:
        return reverse("documents:document-detail", args=[object_id])
    if kind == SearchKind.PERSON:
        return reverse("person-detail", args=[object_id])
    return reverse("organisation-detail", args=[object_id])


@lru_cache(maxsize=20_000)
def _folded_word(word: str) -> str:
    return normalize(word)


def _word_matches(folded: str, words: Sequence[str]) -> bool:
    # A query word inside the text's word (SQLite's matching: "اجتماع" in
    # "والاجتماع"), or the text's word the start of a longer query word, as a
    # stemmer would take it ("meeting" for "meetings").
    return any(
        word in folded or (len(folded) >= max(3, len(word) - 3) and word.startswith(folded))
        for word in words
    )


def snippet(text: str, words: Sequence[str]) -> SafeString:
    """About SNIPPET_WORDS words of `text` around the first word matching one of the
    folded `words`, escaped, each matching word in <mark>; the start of the text when
    no word matches (the record matched by its title)."""
    opening: list[re.Match[str]] = []
    before: deque[re.Match[str]] = deque(maxlen=SNIPPET_WORDS_BEFORE)
    window: list[re.Match[str]] = []
    hits: set[int] = set()
    seen = 0
    first_hit = None
    more_after = False
    for match in TEXT_WORD.finditer(text):
        if len(window) >= SNIPPET_WORDS:
            more_after = True
            break
        is_hit = bool(words) and _word_matches(_folded_word(match.group()), words)
        if is_hit:
            hits.add(match.start())
        if window:
            window.append(match)
        elif is_hit:
            first_hit = seen
            window = [*before, match]
        else:
            if len(opening) < SNIPPET_WORDS:
                opening.append(match)
            elif not words:
                more_after = True
                break
            before.append(match)
        seen += 1
    if first_hit is None:
        window, dropped_before = opening, False
        more_after = more_after or seen > len(opening)
    else:
        dropped_before = first_hit > len(before) - 1
    if not window:
        return mark_safe("")
    parts = ["… "] if dropped_before else []
    position = window[0].start()
    for match in window:
        parts.append(escape(SPACES.sub(" ", text[position : match.start()])))
        word = escape(match.group())
        parts.append(f"<mark>{word}</mark>" if match.start() in hits else word)
        position = match.end()
    if more_after:
        parts.append(" …")
    # Every piece of the text went through escape(); only the <mark> tags are ours.
    return mark_safe("".join(parts))  # noqa: S308


def search_for_user(
    *,
    user: Actor,
    query: str,
    kinds: Iterable[str] = (),
    group_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """The records matching `query` that `user` may see, best first: `limit` of them
    from `offset`, of the `kinds` asked (all when none), in `group_id`'s group and the
    groups below it, dated from `date_from` to `date_to` (inclusive, in the current
    time zone; records without a date, people and organisations, are left out when a
    date is asked for). One query for the page and one for the counts per kind, plus
    one for the group tree when a group is asked for (and on SQLite one for the
    funnels' ids)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    offset = max(0, offset)
    terms = search_terms(query)
    wanted = [kind for kind in SearchKind.values if not kinds or kind in set(kinds)]
    if not terms or not wanted:
        return SearchResults(items=[], offset=offset, limit=limit)
    # Built once for both queries: the funnels are deep querysets, costly to build.
    visible = _visible_ids(user, wanted)
    entries, search_query = _matching(
        terms,
        visible=visible,
        kinds=wanted,
        group_ids=None if group_id is None else group_descendant_ids([group_id]),
        date_from=date_from,
        date_to=date_to,
    )
    page = list(
        _ranked(entries, terms, search_query)
        .select_related("group")
        .defer("normalized", "vector", "updated_at")
        .annotate(meeting_id=MEETING_OF_ENTRY)[offset : offset + limit + 1]
    )
    # Counted over at most COUNT_LIMIT + 1 matches, in one pass over narrow rows:
    # counting every match of a common word would cost a second search.
    counted = (
        entries.order_by()
        .values("kind")[: COUNT_LIMIT + 1]
        .aggregate(**{kind: Count("kind", filter=Q(kind=kind)) for kind in wanted})
    )
    counts = {kind: matches for kind, matches in counted.items() if matches}
    items = [
        SearchResult(
            kind=entry.kind,
            object_id=entry.object_id,
            title=entry.title,
            snippet=snippet(entry.text, terms.required),
            url=result_url(entry.kind, entry.object_id, entry.meeting_id),
            date=entry.date,
            group=entry.group,
        )
        for entry in page[:limit]
    ]
    return SearchResults(
        items=items,
        counts=counts,
        counts_capped=sum(counts.values()) > COUNT_LIMIT,
        has_next=len(page) > limit,
        offset=offset,
        limit=limit,
    )
