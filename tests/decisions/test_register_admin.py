"""The decision's admin: status and translations change through the services; a
refusal is a form error and changes nothing."""

import pytest
from django.urls import reverse

from meetings.models import Decision
from tests.decisions.world import build_world


@pytest.fixture(scope="module")
def _world_rows(_cast_rows, django_db_blocker):
    with django_db_blocker.unblock():
        return build_world(_cast_rows)


@pytest.fixture
def world(_world_rows, db):
    return {name: type(row).objects.get(pk=row.pk) for name, row in _world_rows.items()}


def _change(client, cast, decision, data):
    client.force_login(cast.admin)
    return client.post(reverse("admin:meetings_decision_change", args=[decision.pk]), data)


def _row(decision):
    decision = Decision.objects.get(pk=decision.pk)
    return (decision.status, decision.superseded_by_id, decision.status_reason, decision.text_ar)


def test_admin_list_filters_by_status_and_searches_the_translations(client, cast, world):
    client.force_login(cast.admin)
    url = reverse("admin:meetings_decision_changelist")

    by_status = client.get(url, {"status__exact": "adopted"})
    found = client.get(url, {"q": "Cartographier"})

    assert by_status.status_code == 200
    assert list(found.context["cl"].result_list) == [world["translated"]]


def test_admin_withdraws_through_the_service(client, cast, world):
    response = _change(
        client, cast, world["open"], {"status": "withdrawn", "status_reason": "Overtaken."}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    decision = Decision.objects.get(pk=world["open"].pk)
    assert (decision.status, decision.status_reason) == ("withdrawn", "Overtaken.")
    assert decision.status_changed_at is not None
    assert decision.history.latest().history_user_id == cast.admin.pk


def test_admin_supersedes_through_the_service(client, cast, world):
    response = _change(
        client,
        cast,
        world["open"],
        {"status": "superseded", "superseded_by": world["later"].pk, "status_reason": ""},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert _row(world["open"])[:2] == ("superseded", world["later"].pk)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "superseded", "status_reason": ""}, "superseded_by"),
        ({"status": "withdrawn", "status_reason": ""}, None),
        ({"status": "superseded", "superseded_by": "LATER-OF-OTHER"}, "superseded_by"),
    ],
)
def test_admin_refusals_are_form_errors_and_change_nothing(client, cast, world, data, field):
    if data.get("superseded_by") == "LATER-OF-OTHER":
        data = {**data, "superseded_by": world["other"].pk}
    before = _row(world["open"])

    response = _change(client, cast, world["open"], data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors
    if field:
        assert field in form.errors
    assert _row(world["open"]) == before


def test_admin_sets_translations_through_the_service(client, cast, world):
    response = _change(client, cast, world["open"], {"text_ar": "اعتماد", "text_fr": "Adopter"})

    assert response.status_code == 302, response.content.decode()[:2000]
    decision = Decision.objects.get(pk=world["open"].pk)
    assert (decision.text_ar, decision.text_fr, decision.status) == ("اعتماد", "Adopter", "adopted")
