"""How the search index hears of changes, without signals and without knowing any app.

The search app registers which models it indexes, under which kind, at start-up
(`indexed`, from search/apps.py). `portal.audit.audited_save` and `audited_delete` tell
this module of every row they write (`note_saved`); a service that writes around them
(a bulk `.update()` of searchable text) says so itself with `note_changed`. What is
noted is collected per connection and handed to the search app when the transaction
commits: one task per kind with every id noted, by task name, so nothing here imports
the search code. The task reads the rows afresh, so an id noted twice, a row gone
since or a note of a rolled-back change costs a little work, never a wrong entry.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import models, transaction

from portal.celery import app as celery_app

logger = logging.getLogger(__name__)

INDEX_TASK = "search.tasks.search_index_task"

IdsOf = Callable[[models.Model], Iterable[int]]


def _own_id(instance: models.Model) -> Iterable[int]:
    return [] if instance.pk is None else [instance.pk]


# model -> [(kind, ids_of)]: a row of `model` changes the entries of `kind` whose
# record ids `ids_of(row)` gives (its own id, or its parent's when the parent's text
# includes it, e.g. a paper's new version).
_registry: dict[type[models.Model], list[tuple[str, IdsOf]]] = defaultdict(list)


def indexed(model: type[models.Model], kind: str, *, ids_of: IdsOf = _own_id) -> None:
    """Index `kind` anew for the rows `ids_of(instance)` names whenever an instance of
    `model` is saved or deleted. Registering the same pair twice changes nothing."""
    entries = _registry[model]
    if (kind, ids_of) not in entries:
        entries.append((kind, ids_of))


# What the current thread's connection has noted and not yet handed over, by kind.
PENDING_ATTRIBUTE = "_tansiq_search_pending"


def _pending(connection) -> dict[str, set[int]]:
    pending = getattr(connection, PENDING_ATTRIBUTE, None)
    if pending is None:
        pending = defaultdict(set)
        setattr(connection, PENDING_ATTRIBUTE, pending)
    return pending


class _IndexOnCommit:
    """Called when a transaction that noted changes commits: hands over everything
    noted so far. The first such call of a transaction takes all its notes, so the
    transaction makes one task per kind; any later one finds nothing left."""

    def __init__(self, connection) -> None:
        self.connection = connection

    def __call__(self) -> None:
        pending = _pending(self.connection)
        changes = {kind: set(ids) for kind, ids in pending.items() if ids}
        pending.clear()
        if changes:
            index_soon(changes)


def _note(changes: dict[str, set[int]]) -> None:
    changes = {kind: ids for kind, ids in changes.items() if ids}
    if not changes:
        return
    connection = transaction.get_connection()
    pending = _pending(connection)
    for kind, ids in changes.items():
        pending[kind].update(ids)
    if not connection.in_atomic_block:
        # Autocommit: the change is already committed.
        _IndexOnCommit(connection)()
        return
    # One callback per savepoint level that notes something, because a rolled-back
    # savepoint discards the callbacks registered inside it: the notes of a savepoint
    # rolled back are indexed needlessly (the task reads the rows as they are), never
    # lost. Notes of a whole transaction rolled back wait for the next one, likewise.
    level = set(connection.savepoint_ids)
    registered = any(
        isinstance(callback, _IndexOnCommit) and set(savepoints) == level
        for savepoints, callback, _robust in connection.run_on_commit
    )
    if not registered:
        transaction.on_commit(_IndexOnCommit(connection))


def note_saved(instance: models.Model) -> None:
    """Note a row just saved, or about to be deleted, for the index (no query)."""
    entries = _registry.get(type(instance))
    if not entries:
        return
    changes: dict[str, set[int]] = defaultdict(set)
    for kind, ids_of in entries:
        changes[kind].update(int(pk) for pk in ids_of(instance))
    _note(changes)


def note_changed(kind: str, ids: Iterable[int]) -> None:
    """Note records of `kind` whose text changed by a write that saved no instance."""
    _note({kind: {int(pk) for pk in ids}})


def index_soon(changes: dict[str, set[int]]) -> None:
    """Ask the search app to index these records. A dead broker only leaves the index
    behind until `manage.py search_rebuild`; the change itself never fails for it."""
    task = celery_app.tasks.get(INDEX_TASK)
    if task is None:  # no search app installed
        return
    for kind, ids in sorted(changes.items()):
        try:
            task.delay(kind, sorted(ids))
        except Exception as error:  # a failed index must not undo or fail a committed change
            logger.warning(
                "The search index of %s %s was not updated (%s); search_rebuild will.",
                kind,
                sorted(ids)[:20],
                error,
            )
