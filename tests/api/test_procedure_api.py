"""/api/v1/written-procedures/: who sees, who manages, who answers. Only the
representatives of the organisations asked may answer; observers cannot; outsiders
and anonymous callers see nothing. Every denial changes nothing. Every answer is
checked against the OpenAPI schema (tests.api.conftest)."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm

from decisions.models import WrittenProcedure
from tests.api.schema import openapi
from tests.decisions.procedures import circulated, draft, make_due

pytestmark = pytest.mark.django_db

URL = "/api/v1/written-procedures/"
MANAGERS = {"admin", "secretariat", "chair", "cochair"}
VIEWERS = MANAGERS | {"member", "observer"}
EVERYONE = (*VIEWERS, "outsider", "anonymous")


def fingerprint() -> dict:
    """Every row of the procedures, decisions, meetings and notices: a denial changes none."""
    rows = {}
    for label in ("decisions", "meetings", "notices"):
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


def _denied(response) -> bool:
    return response.status_code in {401, 403, 404}


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_sees_an_open_procedure(cast, client_for, persona):
    procedure = circulated(cast)

    listed = client_for(persona).get(URL)
    detail = client_for(persona).get(f"{URL}{procedure.pk}/")

    if persona in VIEWERS:
        assert listed.status_code == 200
        assert [row["id"] for row in listed.json()["results"]] == [procedure.pk]
        assert detail.status_code == 200
        body = detail.json()
        assert body["reference"] == procedure.reference
        assert {row["organisation"]["id"] for row in body["answers"]} == {
            cast.mofa.pk,
            cast.iom.pk,
            cast.moh.pk,
        }
    elif persona == "outsider":
        assert listed.json()["results"] == []
        assert detail.status_code == 404
    else:
        assert _denied(listed)
        assert _denied(detail)


@pytest.mark.parametrize("persona", EVERYONE)
def test_only_managers_see_a_draft(cast, client_for, persona):
    procedure = draft(cast)

    response = client_for(persona).get(f"{URL}{procedure.pk}/")

    assert (response.status_code == 200) == (persona in MANAGERS)


@pytest.mark.parametrize("persona", EVERYONE)
def test_create(cast, client_for, persona):
    body = {
        "group": cast.mwg.pk,
        "title": "Data sharing",
        "text": "The group adopts the data-sharing protocol.",
        "deadline": (timezone.now() + dt.timedelta(days=5)).isoformat(),
    }
    before = None if persona in MANAGERS else fingerprint()

    response = client_for(persona).post(URL, body, format="json")

    if persona in MANAGERS:
        assert response.status_code == 201
        assert response.json()["status"] == "draft"
    else:
        assert _denied(response) or response.status_code == 400
        assert fingerprint() == before


def test_create_refuses_a_deadline_too_soon_with_a_field_error(cast, client_for):
    body = {
        "group": cast.mwg.pk,
        "title": "Too soon",
        "text": "Text.",
        "deadline": (timezone.now() + dt.timedelta(hours=2)).isoformat(),
    }

    response = client_for("secretariat").post(URL, body, format="json")

    assert response.status_code == 400
    assert "deadline" in response.json()["errors"]
    assert not WrittenProcedure.objects.exists()


@pytest.mark.parametrize("persona", EVERYONE)
def test_circulate(cast, client_for, persona):
    procedure = draft(cast)
    before = None if persona in MANAGERS else fingerprint()

    response = client_for(persona).post(f"{URL}{procedure.pk}/circulate/")

    if persona in MANAGERS:
        assert response.status_code == 200
        assert response.json()["status"] == "open"
    else:
        assert _denied(response)
        assert fingerprint() == before


@pytest.mark.parametrize("persona", EVERYONE)
def test_withdraw(cast, client_for, persona):
    procedure = circulated(cast)
    before = None if persona in MANAGERS else fingerprint()

    response = client_for(persona).post(
        f"{URL}{procedure.pk}/withdraw/", {"reason": "Overtaken"}, format="json"
    )

    if persona in MANAGERS:
        assert response.status_code == 200
        assert response.json()["status"] == "withdrawn"
    else:
        assert _denied(response)
        assert fingerprint() == before


@pytest.mark.parametrize("persona", EVERYONE)
def test_only_a_representative_of_an_organisation_asked_may_answer(cast, client_for, persona):
    procedure = circulated(cast)
    # Each persona answers for its own organisation (the embassy observes; the outsider
    # sits nowhere; the secretariat and the admin represent nobody).
    own = {
        "chair": cast.mofa,
        "cochair": cast.iom,
        "member": cast.moh,
        "observer": cast.embassy,
        "outsider": cast.elsewhere,
    }.get(persona, cast.moh)
    before = fingerprint()

    response = client_for(persona).post(
        f"{URL}{procedure.pk}/answer/",
        {"organisation": own.pk, "answer": "agree"},
        format="json",
    )

    if persona in {"chair", "cochair", "member"}:
        assert response.status_code == 200
        row = procedure.answers.get(organisation=own)
        assert (row.answer, row.channel, row.answered_by) == ("agree", "api", cast.user(persona))
        answers = {entry["organisation"]["id"]: entry for entry in response.json()["answers"]}
        assert answers[own.pk]["answer"] == "agree"
    else:
        expected = 404 if persona == "outsider" else 403
        assert response.status_code == (401 if persona == "anonymous" else expected) or (
            persona == "anonymous" and _denied(response)
        )
        assert fingerprint() == before


def test_a_member_cannot_answer_for_another_organisation(cast, client_for):
    procedure = circulated(cast)
    before = fingerprint()

    response = client_for("member").post(
        f"{URL}{procedure.pk}/answer/",
        {"organisation": cast.iom.pk, "answer": "agree"},
        format="json",
    )

    assert response.status_code == 403
    assert fingerprint() == before


def test_a_representative_of_one_organisation_asked_need_not_name_it(cast, client_for):
    procedure = circulated(cast)

    response = client_for("member").post(
        f"{URL}{procedure.pk}/answer/", {"answer": "agree"}, format="json"
    )

    assert response.status_code == 200
    assert procedure.answers.get(organisation=cast.moh).answer == "agree"


def test_a_representative_of_several_organisations_asked_must_name_one(cast, client_for):
    procedure = circulated(cast)
    # Acting for IOM too (as a grant from the admin's object permissions would make it).
    assign_perm("members.act_for_organisation", cast.member, cast.iom)
    before = fingerprint()

    response = client_for("member").post(
        f"{URL}{procedure.pk}/answer/", {"answer": "agree"}, format="json"
    )

    assert response.status_code == 400
    assert "name one" in str(response.json()["errors"]["organisation"])
    assert fingerprint() == before


def test_an_objection_without_a_reason_is_a_field_error(cast, client_for):
    procedure = circulated(cast)
    before = fingerprint()

    response = client_for("member").post(
        f"{URL}{procedure.pk}/answer/",
        {"organisation": cast.moh.pk, "answer": "object"},
        format="json",
    )

    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert fingerprint() == before


def test_an_answer_after_the_deadline_is_refused(cast, client_for):
    procedure = make_due(circulated(cast))
    before = fingerprint()

    response = client_for("member").post(
        f"{URL}{procedure.pk}/answer/",
        {"organisation": cast.moh.pk, "answer": "agree"},
        format="json",
    )

    assert response.status_code == 400
    assert "answer" in response.json()["errors"]
    assert fingerprint() == before


def test_a_changed_answer_is_kept_in_the_trail(cast, client_for):
    procedure = circulated(cast)
    client = client_for("member")

    client.post(
        f"{URL}{procedure.pk}/answer/",
        {"organisation": cast.moh.pk, "answer": "agree"},
        format="json",
    )
    response = client.post(
        f"{URL}{procedure.pk}/answer/",
        {"organisation": cast.moh.pk, "answer": "object", "reason": "Budget"},
        format="json",
    )

    trail = response.json()["trail"]
    assert [(entry["organisation"], entry["answer"]) for entry in trail] == [
        (cast.moh.pk, "agree"),
        (cast.moh.pk, "object"),
    ]
    assert trail[-1]["reason"] == "Budget"
    assert trail[-1]["channel"] == "api"


def test_the_list_reads_every_trail_in_the_same_few_queries_for_1_and_5_procedures(
    cast, client_for
):
    """Each procedure's trail comes from one query for the page, not one per row."""
    procedures = [circulated(cast, title=f"Procedure {n}") for n in range(5)]
    member = client_for("member")
    for procedure in procedures:
        for answer in ("agree", "object"):
            member.post(
                f"{URL}{procedure.pk}/answer/",
                {"organisation": cast.moh.pk, "answer": answer, "reason": "Budget"},
                format="json",
            )
    client = client_for("secretariat")
    client.get(URL)  # warm the per-user caches (secretariat flag)
    counts, trails = [], []
    for size in (1, 5):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"page_size": size})
        counts.append(len(queries))
        trails.append([[e["answer"] for e in row["trail"]] for row in response.json()["results"]])

    assert trails == [[["agree", "object"]], [["agree", "object"]] * 5]
    assert counts[0] == counts[1] <= 10, counts


def test_the_schema_documents_the_written_procedures():
    paths = openapi()["paths"]

    assert {"get", "post"} <= set(paths["/api/v1/written-procedures/"])
    assert "post" in paths["/api/v1/written-procedures/{id}/answer/"]
    assert "post" in paths["/api/v1/written-procedures/{id}/circulate/"]
    assert "post" in paths["/api/v1/written-procedures/{id}/withdraw/"]
