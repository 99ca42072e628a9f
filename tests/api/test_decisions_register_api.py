"""The decisions register in the API: who lists what, the filters, the new fields,
supersede / withdraw / translations (managers only; refusals are 400s naming the
field and change nothing), the schema and the list's query count."""

import datetime as dt

import pytest
from django.utils import timezone

from meetings.models import Decision
from meetings.services import decision_add
from tests.api.conftest import EVERYONE, fingerprint
from tests.api.schema import openapi
from tests.decisions.world import ARABIC, FRENCH, SEEN_BY, build_world, held, publish

V1 = "/api/v1"


@pytest.fixture(scope="module")
def _register_rows(_cast_rows, django_db_blocker, _api_media):
    with django_db_blocker.unblock():
        return build_world(_cast_rows)


@pytest.fixture
def register(_register_rows, db):
    return {name: type(row).objects.get(pk=row.pk) for name, row in _register_rows.items()}


def _ids(register, names) -> set[int]:
    return {register[name].pk for name in names}


def _listed(client, **params) -> set[int]:
    response = client.get(f"{V1}/decisions/", {"page_size": 100, **params})
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


# --- Reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EVERYONE)
def test_list_shows_each_persona_what_the_labels_allow(cast, register, client_for, persona):
    client = client_for(persona)

    response = client.get(f"{V1}/decisions/", {"page_size": 100})

    if persona == "anonymous":
        assert response.status_code == 401
        return
    ours = _ids(register, [n for n in register if isinstance(register[n], Decision)])
    assert {row["id"] for row in response.json()["results"]} & ours == _ids(
        register, SEEN_BY[persona]
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source": "written_procedure"}, {"by_procedure"}),
        ({"status": "adopted", "q": "work plan"}, {"open", "later"}),
        ({"q": "خريطة"}, {"translated"}),
        ({"q": "CARTOGRAPHIER"}, {"translated"}),
        ({"q": "mwg/2026/wp1"}, {"by_procedure"}),
    ],
)
def test_list_filters(cast, register, client_for, params, expected):
    ours = _ids(register, [n for n in register if isinstance(register[n], Decision)])

    assert _listed(client_for("secretariat"), **params) & ours == _ids(register, expected)


def test_list_filters_by_group_with_its_sub_groups(cast, register, client_for):
    client = client_for("secretariat")
    ours = _ids(register, [n for n in register if isinstance(register[n], Decision)])

    mwg = _listed(client, group=cast.mwg.pk) & ours
    health = _listed(client, group=cast.health.pk) & ours

    assert mwg == _ids(
        register, {"open", "for_iom", "translated", "later", "health", "by_procedure"}
    )
    assert health == _ids(register, {"health"})


def test_list_filters_by_date_range(cast, register, client_for):
    today = timezone.localdate()
    ours = _ids(register, [n for n in register if isinstance(register[n], Decision)])

    found = _listed(
        client_for("secretariat"),
        decided_after=(today - dt.timedelta(days=25)).isoformat(),
        decided_before=(today - dt.timedelta(days=6)).isoformat(),
    )

    assert found & ours == _ids(register, {"later", "health", "other"})


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"source": "fax"}, "source"),
        ({"status": "cancelled"}, "status"),
        ({"decided_after": "2026-03-01", "decided_before": "2026-01-01"}, "decided_before"),
        ({"decided_after": "yesterday"}, "decided_after"),
        ({"group": "mwg"}, "group"),
    ],
)
def test_list_refuses_bad_filters_naming_them(register, client_for, params, field):
    response = client_for("secretariat").get(f"{V1}/decisions/", params)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_decision_shows_its_register_fields(cast, register, client_for):
    translated = client_for("member").get(f"{V1}/decisions/{register['translated'].pk}/").json()
    by_procedure = client_for("member").get(f"{V1}/decisions/{register['by_procedure'].pk}/").json()

    assert translated["group"] == cast.mwg.pk
    assert translated["decided_on"] == register["translated"].decided_on.isoformat()
    assert (translated["text_ar"], translated["text_fr"]) == (ARABIC, FRENCH)
    assert (translated["status"], translated["superseded_by"]) == ("adopted", None)
    assert (translated["source"], translated["written_procedure"]) == ("meeting", None)
    assert by_procedure["source"] == "written_procedure"
    assert by_procedure["meeting"] is None
    assert by_procedure["written_procedure"] == register["by_procedure"].written_procedure.pk


def test_a_meetings_decisions_list_in_the_order_taken(register, client_for):
    first = register["first"]

    rows = client_for("secretariat").get(f"{V1}/decisions/", {"meeting": first.pk}).json()

    assert [row["number"] for row in rows["results"]] == [1, 2, 3]
    assert rows["results"][0]["reference"] == f"{first.reference}/D1"


def test_list_queries_do_not_grow_with_its_rows(
    cast, register, client_for, django_assert_max_num_queries
):
    client = client_for("member")
    client.get(f"{V1}/decisions/")

    with django_assert_max_num_queries(8):
        client.get(f"{V1}/decisions/")
    meeting = held(cast.mwg, "Busy MWG meeting", days_ago=2)
    for number in range(15):
        decision_add(meeting=meeting, text=f"Extra {number}.", by=None)
    publish(meeting)
    with django_assert_max_num_queries(8):
        response = client.get(f"{V1}/decisions/", {"page_size": 100})

    assert len(response.json()["results"]) >= 19


# --- Changing -----------------------------------------------------------------------------

MANAGERS = {"admin", "secretariat", "chair", "cochair"}
SEE_BUT_MAY_NOT_CHANGE = {"member", "observer"}


def _expected(persona: str, allowed: int) -> int:
    if persona == "anonymous":
        return 401
    if persona in MANAGERS:
        return allowed
    if persona in SEE_BUT_MAY_NOT_CHANGE:
        return 403
    return 404


ACTIONS = {
    "supersede": ("post", "supersede/", lambda r: {"superseded_by": r["later"].pk}),
    "withdraw": ("post", "withdraw/", lambda r: {"reason": "Overtaken by events."}),
    "translations": ("patch", "", lambda r: {"text_ar": "اعتماد", "text_fr": "Adopter"}),
}


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("action", ACTIONS)
def test_changes_permission_matrix(cast, register, client_for, persona, action):
    method, suffix, body = ACTIONS[action]
    before = fingerprint()

    response = getattr(client_for(persona), method)(
        f"{V1}/decisions/{register['open'].pk}/{suffix}", body(register), format="json"
    )

    assert response.status_code == _expected(persona, 200)
    if response.status_code != 200:
        assert fingerprint() == before
        return
    decision = Decision.objects.get(pk=register["open"].pk)
    if action == "supersede":
        assert (response.json()["status"], decision.superseded_by_id) == (
            "superseded",
            register["later"].pk,
        )
    elif action == "withdraw":
        assert (response.json()["status"], decision.status_reason) == (
            "withdrawn",
            "Overtaken by events.",
        )
    else:
        assert (response.json()["text_ar"], decision.text_fr) == ("اعتماد", "Adopter")


@pytest.mark.parametrize("persona", ["secretariat", "cochair", "member", "outsider"])
def test_procedure_decision_is_changed_by_its_groups_managers(cast, register, client_for, persona):
    response = client_for(persona).post(
        f"{V1}/decisions/{register['by_procedure'].pk}/withdraw/",
        {"reason": "Mistaken."},
        format="json",
    )

    assert response.status_code == _expected(persona, 200)


@pytest.mark.parametrize(
    ("decision", "body", "field"),
    [
        ("later", lambda r: {"superseded_by": r["open"].pk}, "superseded_by"),
        ("open", lambda r: {"superseded_by": r["open"].pk}, "superseded_by"),
        ("open", lambda r: {"superseded_by": r["other"].pk}, "superseded_by"),
        ("open", lambda r: {"superseded_by": 99999999}, "superseded_by"),
        ("open", lambda r: {}, "superseded_by"),
    ],
)
def test_supersede_refusals_name_the_field_and_change_nothing(
    register, client_for, decision, body, field
):
    before = fingerprint()

    response = client_for("secretariat").post(
        f"{V1}/decisions/{register[decision].pk}/supersede/", body(register), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert fingerprint() == before


def test_supersede_cannot_name_a_decision_the_chair_does_not_see(cast, register, client_for):
    # The chair sees nothing of the Economic Working Group: its decision is "not found".
    response = client_for("chair").post(
        f"{V1}/decisions/{register['open'].pk}/supersede/",
        {"superseded_by": register["other"].pk},
        format="json",
    )

    assert response.status_code == 400
    assert "superseded_by" in response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "   "}, "reason")],
)
def test_withdraw_needs_a_reason(register, client_for, body, field):
    before = fingerprint()

    response = client_for("secretariat").post(
        f"{V1}/decisions/{register['open'].pk}/withdraw/", body, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert fingerprint() == before


def test_withdraw_twice_is_refused_the_second_time(register, client_for):
    client = client_for("secretariat")
    url = f"{V1}/decisions/{register['open'].pk}/withdraw/"
    client.post(url, {"reason": "Once."}, format="json")
    before = fingerprint()

    response = client.post(url, {"reason": "Twice."}, format="json")

    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    assert fingerprint() == before


def test_translations_patch_refuses_too_long_text(register, client_for):
    before = fingerprint()

    response = client_for("secretariat").patch(
        f"{V1}/decisions/{register['open'].pk}/", {"text_fr": "x" * 20_001}, format="json"
    )

    assert response.status_code == 400
    assert "text_fr" in response.json()["errors"]
    assert fingerprint() == before


def test_label_patch_still_works_beside_translations(cast, register, client_for):
    response = client_for("chair").patch(
        f"{V1}/decisions/{register['open'].pk}/",
        {"confidentiality": "restricted", "restricted_to": [cast.iom.pk], "text_fr": "Adopter"},
        format="json",
    )

    decision = Decision.objects.get(pk=register["open"].pk)
    assert response.status_code == 200
    assert (decision.confidentiality, decision.text_fr) == ("restricted", "Adopter")
    assert list(decision.restricted_to.values_list("pk", flat=True)) == [cast.iom.pk]


# --- Schema -------------------------------------------------------------------------------


def test_schema_describes_the_register():
    paths = openapi()["paths"]
    listing = paths["/api/v1/decisions/"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    decision = openapi()["components"]["schemas"]["Decision"]["properties"]

    assert {"group", "status", "source", "decided_after", "decided_before", "q"} <= names
    assert "post" in paths["/api/v1/decisions/{id}/supersede/"]
    assert "post" in paths["/api/v1/decisions/{id}/withdraw/"]
    assert "patch" in paths["/api/v1/decisions/{id}/"]
    assert {
        "group",
        "decided_on",
        "status",
        "superseded_by",
        "status_reason",
        "text_ar",
        "text_fr",
        "source",
        "written_procedure",
    } <= set(decision)
    source = decision["source"]["allOf"][0]["$ref"].rsplit("/", 1)[-1]
    assert openapi()["components"]["schemas"][source]["enum"] == ["meeting", "written_procedure"]
