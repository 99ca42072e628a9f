"""portal.compiled: each thread's connection gets SQL compiled for it. A module of its
own: a transactional test beside the cast's module-long transaction would not see its
own rows from another thread."""

import gc
import threading
import weakref

import pytest
from django.contrib.auth.models import User
from django.db import connections

from portal.compiled import CompiledOnce
from tests.factories import UserFactory

PLACEHOLDER = -918_273


@pytest.mark.django_db(transaction=True)
def test_another_thread_compiles_for_its_own_connection():
    user = UserFactory()
    built = []

    def build(user_id):
        built.append(connections["default"])
        return User.objects.filter(pk=user_id)

    query = CompiledOnce(build, PLACEHOLDER)
    here = connections["default"]
    assert query.first(user.pk) == user
    found = []

    def elsewhere():
        try:
            found.append(query.first(user.pk))
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()

    assert found == [user]
    assert len(built) == 2
    assert built[0] is here
    assert built[1] is not here


@pytest.mark.django_db(transaction=True)
def test_a_thread_s_connection_and_what_was_compiled_for_it_go_when_the_thread_ends():
    user = UserFactory()
    query = CompiledOnce(lambda user_id: User.objects.filter(pk=user_id), PLACEHOLDER)
    seen = []

    def elsewhere():
        try:
            assert query.first(user.pk) == user
            seen.append(weakref.ref(connections["default"]))
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    del thread
    gc.collect()

    assert len(seen) == 1
    assert seen[0]() is None
