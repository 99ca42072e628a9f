"""Writing the search index: one SearchEntry per searchable record, made from the
record's own table (and its parent's, for its date and group).

`index_update(kind, ids)` is called after commit for whatever a transaction saved
(portal.indexing, through search.tasks); `index_rebuild()` makes the whole index anew
(`manage.py search_rebuild`, the end of the demo load). Who may see an entry is not
stored: the search joins each entry to its record's funnel (search.selectors).
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchVector
from django.db import connection, models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from documents.models import Document, DocumentVersion
from meetings.models import ActionPoint, AgendaItem, Decision, Meeting, Minutes
from members.models import Organisation, Person
from search.models import SearchEntry, SearchKind
from search.normalize import normalize

# Rows read, built and written together; a rebuild commits after each batch.
BATCH_SIZE = 500
# PostgreSQL refuses a tsvector over 1 MB; the start of a very long paper is what a
# reader recognises it by anyway.
TEXT_MAX_CHARS = 200_000
TITLE_MAX_CHARS = SearchEntry._meta.get_field("title").max_length or 500


class FirstLine(models.Func):
    """The first line of `normalized`: the record's titles, folded (see _normalized)."""

    output_field = models.TextField()
    template = "split_part(%(expressions)s, chr(10), 1)"

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        column, params = compiler.compile(self.source_expressions[0])
        sql = f"substr({column}, 1, instr({column} || char(10), char(10)) - 1)"
        return sql, (*params, *params)


# The titles weigh most, word for word ('simple': no stemming, so the exact word ranks
# first); the whole text, titles included, is stemmed in each language of the portal.
VECTOR = (
    SearchVector(FirstLine("normalized"), config="simple", weight="A")
    + SearchVector("normalized", config="english")
    + SearchVector("normalized", config="french")
    + SearchVector("normalized", config="arabic")
)


@dataclass(frozen=True)
class Entry:
    """What an entry says about its record."""

    title: str
    text: str = ""
    group_id: int | None = None
    date: dt.datetime | None = None
    # More words that name the record (its other titles, its reference): ranked as the
    # title is, and kept in `text` for the snippet when they are in another language.
    title_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    kind: str
    model: type[models.Model]
    rows: Callable[[list[int]], Iterable[models.Model]]
    entry: Callable[..., Entry | None]
    # Kinds whose entries repeat this record's title, date or group: indexed again for
    # the records whose entry changed in one of those.
    children: tuple[tuple[str, Callable[[set[int]], models.QuerySet]], ...] = field(default=())


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_default_timezone())


def _meeting_entry(meeting: Meeting) -> Entry:
    return Entry(
        title=meeting.title,
        text=_lines(meeting.reference, meeting.description, meeting.venue),
        group_id=meeting.group_id,
        date=meeting.start_at,
        title_words=(meeting.reference,),
    )


def _agenda_item_entry(item: AgendaItem) -> Entry:
    return Entry(
        title=item.title,
        text=item.description,
        group_id=item.meeting.group_id,
        date=item.meeting.start_at,
    )


def _minutes_entry(minutes: Minutes) -> Entry:
    # Titled by their meeting; the kind says "minutes" in the reader's language.
    meeting = minutes.meeting
    return Entry(
        title=meeting.title,
        text=minutes.body,
        group_id=meeting.group_id,
        date=meeting.start_at,
        title_words=(meeting.reference,),
    )


def _decision_entry(decision: Decision) -> Entry:
    meeting = decision.meeting
    words = "\n".join(text for text in (decision.text_ar, decision.text_fr) if text)
    text = f"{decision.text}\n{words}" if words else decision.text
    if meeting is None:
        # Adopted by written procedure: dated by the day it was adopted.
        return Entry(
            title=decision.reference or str(decision),
            text=text,
            group_id=decision.group_id,
            date=dt.datetime.combine(decision.decided_on, dt.time(12), tzinfo=dt.UTC),
        )
    return Entry(
        title=decision.reference or f"{meeting.title} #{decision.number}",
        text=text,
        group_id=decision.group_id,
        date=meeting.start_at,
        title_words=(meeting.title,) if decision.reference else (),
    )


def _action_point_entry(action_point: ActionPoint) -> Entry:
    return Entry(
        title=action_point.title,
        text=_lines(action_point.description, action_point.progress),
        group_id=action_point.meeting.group_id,
        date=_start_of(action_point.due_on),
    )


def _document_rows(ids: list[int]) -> models.QuerySet[Document]:
    current = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    return Document.objects.filter(pk__in=ids).annotate(
        current_text=Subquery(current.values("text")[:1]),
        current_uploaded_at=Subquery(current.values("uploaded_at")[:1]),
    )


def _document_entry(document: Document) -> Entry | None:
    if document.is_withdrawn:
        return None
    # Annotated by _document_rows: the current version's text and upload time.
    current_text: str | None = getattr(document, "current_text", None)
    current_uploaded_at: dt.datetime | None = getattr(document, "current_uploaded_at", None)
    return Entry(
        title=document.title,
        text=_lines(document.title_ar, document.title_fr, document.description, current_text or ""),
        group_id=document.group_id,
        date=current_uploaded_at or document.created_at,
        title_words=(document.title_ar, document.title_fr),
    )


def _person_entry(person: Person) -> Entry:
    organisation = person.organisation
    return Entry(
        title=person.full_name,
        text=_lines(
            person.full_name_ar,
            person.position,
            organisation.name if organisation else "",
            organisation.name_ar if organisation else "",
            organisation.acronym if organisation else "",
        ),
        title_words=(person.full_name_ar,),
    )


def _organisation_entry(organisation: Organisation) -> Entry:
    return Entry(
        title=organisation.name,
        text=_lines(organisation.name_ar, organisation.acronym),
        title_words=(organisation.name_ar, organisation.acronym),
    )


def _of_meetings(model: type[models.Model]) -> Callable[[set[int]], models.QuerySet]:
    return lambda meeting_ids: model._default_manager.filter(meeting_id__in=meeting_ids)


SOURCES: dict[str, Source] = {
    source.kind: source
    for source in (
        Source(
            SearchKind.MEETING,
            Meeting,
            lambda ids: Meeting.objects.filter(pk__in=ids),
            _meeting_entry,
            children=(
                (SearchKind.AGENDA_ITEM, _of_meetings(AgendaItem)),
                (SearchKind.MINUTES, _of_meetings(Minutes)),
                (SearchKind.DECISION, _of_meetings(Decision)),
                (SearchKind.ACTION_POINT, _of_meetings(ActionPoint)),
            ),
        ),
        Source(
            SearchKind.AGENDA_ITEM,
            AgendaItem,
            lambda ids: AgendaItem.objects.filter(pk__in=ids).select_related("meeting"),
            _agenda_item_entry,
        ),
        Source(
            SearchKind.MINUTES,
            Minutes,
            lambda ids: Minutes.objects.filter(pk__in=ids).select_related("meeting"),
            _minutes_entry,
        ),
        Source(
            SearchKind.DECISION,
            Decision,
            lambda ids: Decision.objects.filter(pk__in=ids).select_related("meeting"),
            _decision_entry,
        ),
        Source(
            SearchKind.ACTION_POINT,
            ActionPoint,
            lambda ids: ActionPoint.objects.filter(pk__in=ids).select_related("meeting"),
            _action_point_entry,
        ),
        Source(SearchKind.DOCUMENT, Document, _document_rows, _document_entry),
        Source(
            SearchKind.PERSON,
            Person,
            lambda ids: Person.objects.filter(pk__in=ids).select_related("organisation"),
            _person_entry,
        ),
        Source(
            SearchKind.ORGANISATION,
            Organisation,
            lambda ids: Organisation.objects.filter(pk__in=ids),
            _organisation_entry,
            children=(
                (
                    SearchKind.PERSON,
                    lambda organisation_ids: Person.objects.filter(
                        organisation_id__in=organisation_ids
                    ),
                ),
            ),
        ),
    )
}


def source_of(kind: str) -> Source:
    try:
        return SOURCES[kind]
    except KeyError:
        raise ValueError(f"{kind!r} is not a kind of search entry.") from None


def _normalized(entry: Entry) -> str:
    """The folded text, its first line the folded titles (which FirstLine reads)."""
    titles = normalize(" ".join([entry.title, *entry.title_words]))
    return f"{titles}\n{normalize(entry.text[:TEXT_MAX_CHARS])}"


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def entries_vectorize(entries: models.QuerySet[SearchEntry]) -> int:
    """Make the PostgreSQL search vectors of `entries` from their folded text, in one
    UPDATE; on SQLite, whose search reads `normalized` itself, nothing."""
    if connection.vendor != "postgresql":
        return 0
    return entries.update(vector=VECTOR)


def _index_batch(source: Source, ids: list[int]) -> set[int]:
    """Write the entries of these records; returns the ids whose title, date or group
    changed (their children repeat them)."""
    built: dict[int, SearchEntry] = {}
    for row in source.rows(ids):
        entry = source.entry(row)
        if entry is None:
            continue
        built[row.pk] = SearchEntry(
            kind=source.kind,
            object_id=row.pk,
            group_id=entry.group_id,
            title=entry.title[:TITLE_MAX_CHARS],
            text=entry.text[:TEXT_MAX_CHARS],
            normalized=_normalized(entry),
            date=entry.date,
        )
    existing = SearchEntry.objects.filter(kind=source.kind, object_id__in=ids)
    before = {
        object_id: (title, first_line, date, group_id)
        for object_id, title, first_line, date, group_id in existing.annotate(
            first_line=FirstLine("normalized")
        ).values_list("object_id", "title", "first_line", "date", "group_id")
    }
    # Records gone, or no longer searchable (a withdrawn paper), leave the index.
    existing.exclude(object_id__in=list(built)).delete()
    if built:
        SearchEntry.objects.bulk_create(
            built.values(),
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=["group", "title", "text", "normalized", "date", "updated_at"],
        )
        entries_vectorize(SearchEntry.objects.filter(kind=source.kind, object_id__in=list(built)))
    return {
        object_id
        for object_id, new in built.items()
        if before.get(object_id)
        != (new.title, new.normalized.split("\n", 1)[0], new.date, new.group_id)
    } | (set(ids) - set(built))


@transaction.atomic
def index_update(kind: str, ids: Iterable[int]) -> None:
    """Make the entries of these records of `kind` say what the records say now: made
    for new ones, rewritten for changed ones, removed for those gone or withdrawn.
    The entries of records that repeat a changed title, date or group (a meeting's
    agenda items, minutes, decisions and action points; an organisation's people)
    follow."""
    source = source_of(kind)
    wanted = sorted({int(pk) for pk in ids})
    changed: set[int] = set()
    for chunk in _chunks(wanted, BATCH_SIZE):
        changed |= _index_batch(source, chunk)
    if not changed:
        return
    for child_kind, children_of in source.children:
        child_ids = list(children_of(changed).values_list("pk", flat=True))
        if child_ids:
            index_update(child_kind, child_ids)


def index_rebuild(*, kinds: Iterable[str] = ()) -> dict[str, int]:
    """Make the entries of every record of `kinds` (all kinds when none are named)
    anew, one committed batch at a time, and remove those of records that are gone.
    Returns how many entries each kind has."""
    counts: dict[str, int] = {}
    for kind in list(kinds) or list(SOURCES):
        source = source_of(kind)
        ids = list(source.model._default_manager.order_by("pk").values_list("pk", flat=True))
        for chunk in _chunks(ids, BATCH_SIZE):
            with transaction.atomic():
                _index_batch(source, chunk)
        SearchEntry.objects.filter(kind=kind).exclude(
            object_id__in=source.model._default_manager.values("pk")
        ).delete()
        counts[kind] = SearchEntry.objects.filter(kind=kind).count()
    return counts
