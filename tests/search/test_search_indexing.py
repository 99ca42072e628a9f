"""The index follows the records: every audited write is indexed once its transaction
commits, one task per kind; children follow a parent's title, date and group; papers
their current version's text; gone and withdrawn records leave the index; and the
rebuild command makes it all anew."""

import datetime as dt
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from documents.services import document_version_add, document_withdraw
from meetings.services import (
    agenda_item_add,
    agenda_item_remove,
    agenda_item_update,
    meeting_create,
    meeting_update,
)
from members.services import organisation_update, person_create
from portal import indexing
from search.models import SearchEntry
from search.selectors import search_for_user
from search.services import index_rebuild, index_update
from search.tasks import search_index_task
from tests.documents.paper_files import paper_add, pdf_upload

pytestmark = pytest.mark.django_db


def _found(user, query) -> set[tuple[str, int]]:
    return {(item.kind, item.object_id) for item in search_for_user(user=user, query=query).items}


def _meeting(cast, title="Harbour plenary", *, days=10, **fields):
    start = timezone.now() + dt.timedelta(days=days)
    return meeting_create(
        group=cast.mwg,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        **fields,
    )


@pytest.fixture
def handed_over(monkeypatch):
    """What portal.indexing hands the search app, commit by commit, still indexed."""
    calls: list[dict[str, set[int]]] = []
    original = indexing.index_soon

    def record(changes):
        calls.append({kind: set(ids) for kind, ids in changes.items()})
        original(changes)

    monkeypatch.setattr(indexing, "index_soon", record)
    return calls


def test_an_edit_is_found_by_its_new_words_once_committed(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _meeting(cast, "Harbour plenary")
    row = ("meeting", meeting.pk)
    assert row in _found(cast.member, "harbour")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        meeting_update(meeting=meeting, title="Lighthouse plenary", by=cast.secretariat)
        # Nothing changes in the index before the transaction commits.
        assert row in _found(cast.member, "harbour")
    for callback in callbacks:
        callback()

    assert row in _found(cast.member, "lighthouse")
    assert row not in _found(cast.member, "harbour")


def test_a_transaction_hands_each_kind_over_once(
    cast, handed_over, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        meeting = _meeting(cast, "Harbour plenary")
        first = agenda_item_add(meeting=meeting, title="Harbour opening", by=None)
        second = agenda_item_add(meeting=meeting, title="Harbour close", by=None)
        agenda_item_update(item=first, title="Harbour welcome", by=None)

    assert len(handed_over) == 1
    (changes,) = handed_over
    assert {meeting.pk} <= changes["meeting"]
    assert {first.pk, second.pk} <= changes["agenda_item"]
    assert _found(cast.secretariat, "harbour") >= {
        ("meeting", meeting.pk),
        ("agenda_item", first.pk),
        ("agenda_item", second.pk),
    }
    assert ("agenda_item", first.pk) in _found(cast.secretariat, "welcome")


def test_a_rolled_back_change_is_not_indexed(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _meeting(cast, "Harbour plenary")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                meeting_update(meeting=meeting, title="Lighthouse plenary", by=None)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    assert callbacks == []
    assert SearchEntry.objects.get(kind="meeting", object_id=meeting.pk).title == (
        "Harbour plenary"
    )


def test_children_follow_their_meetings_title_and_date(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _meeting(cast, "Harbour plenary", days=10)
        item = agenda_item_add(meeting=meeting, title="Opening", by=None)
    new_start = meeting.start_at + dt.timedelta(days=5)

    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(
            meeting=meeting,
            start_at=new_start,
            end_at=new_start + dt.timedelta(hours=2),
            by=None,
        )

    entry = SearchEntry.objects.get(kind="agenda_item", object_id=item.pk)
    assert entry.date == new_start
    assert entry.group_id == cast.mwg.pk


def test_people_follow_their_organisations_name(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = person_create(
            full_name="Amal Haddad", organisation=cast.moh, email="amal@example.org", by=None
        )
    assert ("person", person.pk) not in _found(cast.secretariat, "wellbeing")

    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(organisation=cast.moh, name="Ministry of Wellbeing", by=None)

    assert ("person", person.pk) in _found(cast.secretariat, "wellbeing")


def test_a_removed_agenda_item_leaves_the_index(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _meeting(cast)
        item = agenda_item_add(meeting=meeting, title="Harbour opening", by=None)
    assert SearchEntry.objects.filter(kind="agenda_item", object_id=item.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        agenda_item_remove(item=item, by=None)

    assert not SearchEntry.objects.filter(kind="agenda_item", object_id=item.pk).exists()


def test_a_papers_new_version_is_searched_by_its_text_and_a_withdrawn_paper_leaves(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        paper = paper_add(
            by=cast.secretariat,
            group=cast.mwg,
            title="Country report",
            title_ar="تقرير قطري",
            text="First draft about fisheries.",
        )
    row = ("document", paper.pk)
    assert row in _found(cast.member, "fisheries")
    assert row in _found(cast.member, "تقرير")

    with django_capture_on_commit_callbacks(execute=True):
        document_version_add(
            document=paper,
            upload=pdf_upload("report-v2.pdf", "Second draft about aquaculture."),
            by=cast.secretariat,
        )

    assert row in _found(cast.member, "aquaculture")
    assert row not in _found(cast.member, "fisheries")

    with django_capture_on_commit_callbacks(execute=True):
        document_withdraw(document=paper, by=cast.secretariat)

    assert row not in _found(cast.secretariat, "aquaculture")
    assert not SearchEntry.objects.filter(kind="document", object_id=paper.pk).exists()


def test_the_task_indexes_what_it_is_given_and_is_safe_to_run_twice(cast):
    meeting = _meeting(cast, "Harbour plenary")

    assert search_index_task.delay("meeting", [meeting.pk]).get() == 1
    search_index_task.delay("meeting", [meeting.pk, 10**12]).get()

    assert SearchEntry.objects.filter(kind="meeting", object_id=meeting.pk).count() == 1
    assert ("meeting", meeting.pk) in _found(cast.member, "harbour")


def test_an_unknown_kind_is_refused(cast):
    with pytest.raises(ValueError, match="not a kind"):
        index_update("minute", [1])


def test_a_broker_that_fails_leaves_the_change_and_logs(
    cast, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(search_index_task, "delay", refuse)
    with caplog.at_level(logging.WARNING, logger="portal.indexing"):
        with django_capture_on_commit_callbacks(execute=True):
            meeting = _meeting(cast, "Harbour plenary")

    assert meeting.pk is not None
    assert not SearchEntry.objects.filter(kind="meeting", object_id=meeting.pk).exists()
    assert "search_rebuild will" in caplog.text


def test_a_rebuild_makes_the_index_anew_and_drops_what_is_gone(cast):
    meeting = _meeting(cast, "Harbour plenary")
    SearchEntry.objects.create(kind="meeting", object_id=10**12, title="Gone")
    SearchEntry.objects.filter(kind="person").delete()

    counts = index_rebuild()

    assert not SearchEntry.objects.filter(object_id=10**12).exists()
    assert counts["meeting"] == SearchEntry.objects.filter(kind="meeting").count() >= 1
    assert counts["person"] == SearchEntry.objects.filter(kind="person").count() >= 5
    assert ("meeting", meeting.pk) in _found(cast.member, "harbour")


def test_the_rebuild_command_rebuilds_the_kinds_named(cast, capsys):
    meeting = _meeting(cast, "Harbour plenary")

    call_command("search_rebuild", "meeting")

    assert "Search index rebuilt: meeting 1." in capsys.readouterr().out
    assert ("meeting", meeting.pk) in _found(cast.member, "harbour")
    assert not SearchEntry.objects.filter(kind="person").exists()


def test_the_rebuild_command_refuses_an_unknown_kind_with_exit_status_2(cast):
    with pytest.raises(CommandError, match="minute is not a kind of search entry") as refused:
        call_command("search_rebuild", "minute")

    assert refused.value.returncode == 2
    assert not SearchEntry.objects.exists()
