"""Writes tried and undone. What a preview shows is decided by the code that saves and
sends, run in a transaction rolled back once the preview is made (the outbox's rows and
the tasks enqueued after commit go with it); a confirmed write is kept only if it does
what its preview showed."""

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction

T = TypeVar("T")


class _Undo(Exception):
    pass


def rolled_back(work: Callable[[], T]) -> T:
    """What `work` returns, run in a transaction rolled back once it has returned: make
    inside it all that must see the write (a page rendered, an answer serialised). An
    exception `work` raises rolls it back too, and goes on."""
    result: list[T] = []
    try:
        with transaction.atomic():
            result.append(work())
            raise _Undo
    except _Undo:
        pass
    return result[0]


def kept_if_true(work: Callable[[], bool]) -> bool:
    """Whether `work`'s transaction was kept: rolled back unless `work` returns True."""
    try:
        with transaction.atomic():
            if not work():
                raise _Undo
    except _Undo:
        return False
    return True
