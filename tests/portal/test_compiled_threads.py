"""portal.compiled: each thread's connection gets SQL compiled for it. A module of its
own: a transactional test beside the cast's module-long transaction would not see its
own rows from another thread."""

import threading

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
