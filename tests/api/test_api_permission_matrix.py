"""The permission matrix of every API endpoint, over the fixed cast of personas.

Reads: each persona lists exactly the objects it may see and gets 404 for the rest.
Writes: allowed personas succeed; a persona that sees the object but may not change it
gets 403; one that does not see it gets 404 (or 400 naming the field when the hidden
object is referenced from the body); anonymous gets 401. Every denial leaves every row
of the database as it was.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import (
    EVERYONE,
    HEALTH_VIEWERS,
    MWG_MANAGERS,
    MWG_VIEWERS,
    STAFF,
    fingerprint,
)

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


@dataclass(frozen=True)
class Read:
    collection: str
    key: Callable  # (cast, world) -> the object
    visible: set[str]

    def __str__(self):
        return self.collection


READS = [
    Read("meetings", lambda c, w: w["upcoming"], MWG_VIEWERS),
    Read("meetings", lambda c, w: w["held"], HEALTH_VIEWERS),
    Read("meetings", lambda c, w: w["other"], STAFF),
    Read("agenda-items", lambda c, w: w["item"], MWG_VIEWERS),
    Read("invitations", lambda c, w: w["member_invitation"], MWG_VIEWERS),
    Read("attendance", lambda c, w: w["attendance"], MWG_VIEWERS),
    Read("minutes", lambda c, w: w["published"], HEALTH_VIEWERS),
    Read("minutes", lambda c, w: w["approved"], MWG_MANAGERS),
    Read("decisions", lambda c, w: w["decision"], HEALTH_VIEWERS),
    Read("action-points", lambda c, w: w["action"], HEALTH_VIEWERS),
    Read("groups", lambda c, w: c.mwg, MWG_VIEWERS),
    Read("groups", lambda c, w: c.health, HEALTH_VIEWERS),
    Read("groups", lambda c, w: c.other_wg, STAFF),
    Read("memberships", lambda c, w: w["moh_in_health"], HEALTH_VIEWERS),
    Read("organisations", lambda c, w: c.moh, MWG_VIEWERS),
    Read("organisations", lambda c, w: c.elsewhere, STAFF | {"outsider"}),
    Read("people", lambda c, w: c.member_person, MWG_VIEWERS),
    Read("people", lambda c, w: c.outsider_person, STAFF | {"outsider"}),
    Read("notices", lambda c, w: w["member_notice"], MWG_MANAGERS | {"member"}),
    Read("notices", lambda c, w: w["observer_notice"], MWG_MANAGERS | {"observer"}),
    Read("webhook-endpoints", lambda c, w: w["moh_endpoint"], STAFF | {"member"}),
    Read("documents", lambda c, w: w["paper"], MWG_VIEWERS),
    Read("documents", lambda c, w: w["health_paper"], HEALTH_VIEWERS),
    Read("documents", lambda c, w: w["restricted_paper"], MWG_MANAGERS | {"member"}),
    Read("document-versions", lambda c, w: w["paper_version"], MWG_VIEWERS),
]


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("case", READS, ids=lambda case: f"{case.collection}-{READS.index(case)}")
def test_read(cast, world, client_for, case, persona):
    target = case.key(cast, world)
    client = client_for(persona)

    listed = client.get(f"{V1}/{case.collection}/", {"page_size": 100})
    detail = client.get(f"{V1}/{case.collection}/{target.pk}/")

    if persona == "anonymous":
        assert (listed.status_code, detail.status_code) == (401, 401)
        assert listed.json()["type"] == "not_authenticated"
        return
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()["results"]}
    if persona in case.visible:
        assert target.pk in ids
        assert detail.status_code == 200
        assert detail.json()["id"] == target.pk
    else:
        assert target.pk not in ids
        assert detail.status_code == 404
        assert detail.json()["type"] == "not_found"


@dataclass(frozen=True)
class Write:
    name: str
    method: str
    path: Callable  # (cast, world) -> str
    body: Callable = field(default=lambda c, w: None)
    allowed: set[str] = frozenset()
    forbidden: set[str] = frozenset()  # see it, may not change it: 403
    hidden_code: int = 404  # neither: 404, or 400 when the hidden object is in the body
    success: int = 200
    format: str = "json"  # "multipart" for uploads


def _text_file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"A paper's words.", content_type="text/plain")


def _id(key):
    return lambda c, w: (w[key] if key in w else getattr(c, key)).pk


WRITES = [
    Write(
        "meeting create",
        "post",
        lambda c, w: "/meetings/",
        lambda c, w: {
            "group": c.mwg.pk,
            "title": "New",
            "start_at": "2031-01-01T09:00:00Z",
            "end_at": "2031-01-01T11:00:00+00:00",
        },
        MWG_MANAGERS,
        {"member", "observer"},
        400,
        201,
    ),
    Write(
        "meeting update",
        "patch",
        lambda c, w: f"/meetings/{w['upcoming'].pk}/",
        lambda c, w: {"venue": "Tripoli"},
        MWG_MANAGERS,
        {"member", "observer"},
    ),
    Write(
        "meeting schedule",
        "post",
        lambda c, w: f"/meetings/{w['draft'].pk}/schedule/",
        allowed=MWG_MANAGERS,
        forbidden={"member", "observer"},
    ),
    Write(
        "meeting cancel",
        "post",
        lambda c, w: f"/meetings/{w['upcoming'].pk}/cancel/",
        lambda c, w: {"reason": "Postponed"},
        MWG_MANAGERS,
        {"member", "observer"},
    ),
    Write(
        "meeting mark held",
        "post",
        lambda c, w: f"/meetings/{w['started'].pk}/mark-held/",
        allowed=MWG_MANAGERS,
        forbidden={"member", "observer"},
    ),
    Write(
        "meeting invite group",
        "post",
        lambda c, w: f"/meetings/{w['upcoming'].pk}/invite-group/",
        allowed=MWG_MANAGERS,
        forbidden={"member", "observer"},
        success=201,
    ),
    Write(
        "meeting reorder agenda",
        "post",
        lambda c, w: f"/meetings/{w['upcoming'].pk}/reorder-agenda/",
        lambda c, w: {
            "item_ids": list(
                w["upcoming"].agenda_items.order_by("-position").values_list("pk", flat=True)
            )
        },
        MWG_MANAGERS,
        {"member", "observer"},
    ),
    Write(
        "agenda item create",
        "post",
        lambda c, w: "/agenda-items/",
        lambda c, w: {"meeting": w["upcoming"].pk, "title": "Any other business"},
        MWG_MANAGERS,
        {"member", "observer"},
        400,
        201,
    ),
    Write(
        "agenda item update",
        "patch",
        lambda c, w: f"/agenda-items/{w['item'].pk}/",
        lambda c, w: {"duration_minutes": 30},
        MWG_MANAGERS,
        {"member", "observer"},
    ),
    Write(
        "agenda item delete",
        "delete",
        lambda c, w: f"/agenda-items/{w['item'].pk}/",
        allowed=MWG_MANAGERS,
        forbidden={"member", "observer"},
        success=204,
    ),
    Write(
        "invitation create",
        "post",
        lambda c, w: "/invitations/",
        lambda c, w: {"meeting": w["draft"].pk, "person": c.member_person.pk},
        MWG_MANAGERS,
        {"member", "observer"},
        400,
        201,
    ),
    Write(
        "invitation respond",
        "post",
        lambda c, w: f"/invitations/{w['member_invitation'].pk}/respond/",
        lambda c, w: {"response": "accepted"},
        MWG_MANAGERS | {"member"},
        {"observer"},
    ),
    Write(
        "attendance record",
        "post",
        lambda c, w: "/attendance/",
        lambda c, w: {"meeting": w["bare"].pk, "person": c.member_person.pk},
        MWG_MANAGERS,
        {"member", "observer"},
        400,
        201,
    ),
    Write(
        "attendance update",
        "patch",
        lambda c, w: f"/attendance/{w['attendance'].pk}/",
        lambda c, w: {"mode": "online", "interpretation": "ar"},
        MWG_MANAGERS,
        {"member", "observer"},
    ),
    Write(
        "attendance remove",
        "delete",
        lambda c, w: f"/attendance/{w['attendance'].pk}/",
        allowed=MWG_MANAGERS,
        forbidden={"member", "observer"},
        success=204,
    ),
    Write(
        "minutes create",
        "post",
        lambda c, w: "/minutes/",
        lambda c, w: {"meeting": w["bare"].pk, "body": "We met."},
        MWG_MANAGERS,
        {"member", "observer"},
        400,
        201,
    ),
    Write(
        "minutes update",
        "patch",
        lambda c, w: f"/minutes/{w['approved'].pk}/",
        lambda c, w: {"body": "Corrected."},
        MWG_MANAGERS,
    ),
    Write(
        "minutes publish",
        "post",
        lambda c, w: f"/minutes/{w['approved'].pk}/publish/",
        allowed=MWG_MANAGERS,
    ),
    Write(
        "decision create",
        "post",
        lambda c, w: "/decisions/",
        lambda c, w: {"meeting": w["bare"].pk, "text": "Agreed."},
        MWG_MANAGERS,
        {"member", "observer"},
        400,
        201,
    ),
    Write(
        "decision label",
        "patch",
        lambda c, w: f"/decisions/{w['decision'].pk}/",
        lambda c, w: {"confidentiality": "restricted", "restricted_to": [c.iom.pk]},
        MWG_MANAGERS,
        {"member"},
    ),
    Write(
        "meeting label",
        "patch",
        lambda c, w: f"/meetings/{w['mwg_held'].pk}/",
        lambda c, w: {"confidentiality": "public"},
        MWG_MANAGERS,
        {"member", "observer"},
    ),
    Write(
        "minutes label",
        "patch",
        lambda c, w: f"/minutes/{w['published'].pk}/",
        lambda c, w: {"confidentiality": "restricted"},
        MWG_MANAGERS,
        {"member"},
    ),
    Write(
        "action point create",
        "post",
        lambda c, w: "/action-points/",
        lambda c, w: {
            "meeting": w["bare"].pk,
            "title": "Follow up",
            "owner_organisation": c.moh.pk,
            "due_on": "2031-01-01",
        },
        MWG_MANAGERS,
        {"member", "observer"},
        400,
        201,
    ),
    Write(
        "action point update",
        "patch",
        lambda c, w: f"/action-points/{w['action'].pk}/",
        lambda c, w: {"due_on": "2031-02-01"},
        MWG_MANAGERS,
        {"member"},
    ),
    Write(
        "action point report",
        "post",
        lambda c, w: f"/action-points/{w['action'].pk}/report/",
        lambda c, w: {"status": "done", "progress": "Mapped."},
        # The owner (Ministry of Health) and the secretariat; the chairs see it, and
        # edit its wording and date, but do not report for another organisation.
        STAFF | {"member"},
        {"chair", "cochair"},
    ),
    Write(
        "group create",
        "post",
        lambda c, w: "/groups/",
        lambda c, w: {"name": "Labour", "kind": "sub_group", "parent": c.mwg.pk},
        MWG_MANAGERS,
        {"member", "observer"},
        400,
        201,
    ),
    Write(
        "group update",
        "patch",
        lambda c, w: f"/groups/{c.mwg.pk}/",
        lambda c, w: {"short_name": "MWG"},
        MWG_MANAGERS,
        {"member", "observer"},
    ),
    Write(
        "membership create",
        "post",
        lambda c, w: "/memberships/",
        lambda c, w: {"group": c.health.pk, "organisation": c.iom.pk, "role": "member"},
        MWG_MANAGERS,
        {"member"},
        400,
        201,
    ),
    Write(
        "membership update",
        "patch",
        lambda c, w: f"/memberships/{w['moh_in_health'].pk}/",
        lambda c, w: {"role": "observer"},
        MWG_MANAGERS,
        {"member"},
    ),
    Write(
        "membership end",
        "post",
        lambda c, w: f"/memberships/{w['moh_in_health'].pk}/end/",
        lambda c, w: {},
        MWG_MANAGERS,
        {"member"},
    ),
    Write(
        "notice resend",
        "post",
        lambda c, w: f"/notices/{w['member_notice'].pk}/resend/",
        lambda c, w: {},
        MWG_MANAGERS,
        {"member"},
        success=201,
    ),
    Write(
        "webhook endpoint register",
        "post",
        lambda c, w: "/webhook-endpoints/",
        # A public address literal: checked without DNS, never called here.
        lambda c, w: {"organisation": c.moh.pk, "url": "https://1.1.1.1/tansiq-hook"},
        STAFF | {"member"},
        {"chair", "cochair", "observer"},
        hidden_code=400,
        success=201,
    ),
    Write(
        "webhook endpoint switch off",
        "patch",
        lambda c, w: f"/webhook-endpoints/{w['moh_endpoint'].pk}/",
        lambda c, w: {"is_active": False},
        STAFF | {"member"},
    ),
    Write(
        "document upload",
        "post",
        lambda c, w: "/documents/",
        lambda c, w: {"group": c.mwg.pk, "title": "Annex", "upload": _text_file("annex.txt")},
        MWG_MANAGERS,
        {"member", "observer"},
        400,
        201,
        "multipart",
    ),
    Write(
        "document update",
        "patch",
        lambda c, w: f"/documents/{w['paper'].pk}/",
        lambda c, w: {"title_fr": "Projet de mandat"},
        MWG_MANAGERS,
        {"member", "observer"},
    ),
    Write(
        "document withdraw",
        "post",
        lambda c, w: f"/documents/{w['paper'].pk}/withdraw/",
        allowed=MWG_MANAGERS,
        forbidden={"member", "observer"},
    ),
    Write(
        "document version add",
        "post",
        lambda c, w: f"/documents/{w['paper'].pk}/versions/",
        lambda c, w: {"upload": _text_file("terms v2.txt"), "note": "Comments in"},
        MWG_MANAGERS,
        {"member", "observer"},
        success=201,
        format="multipart",
    ),
]


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("case", WRITES, ids=lambda case: case.name.replace(" ", "-"))
def test_write(cast, world, client_for, case, persona):
    client = client_for(persona)
    path, body = V1 + case.path(cast, world), case.body(cast, world)
    before = None if persona in case.allowed else fingerprint()

    response = getattr(client, case.method)(path, body, format=case.format)

    if persona in case.allowed:
        assert response.status_code == case.success, response.content
        return
    if persona == "anonymous":
        expected, kind = 401, "not_authenticated"
    elif persona in case.forbidden:
        expected, kind = 403, "permission_denied"
    else:
        expected = case.hidden_code
        kind = "not_found" if expected == 404 else "validation_error"
    assert response.status_code == expected, response.content
    assert response.json()["type"] == kind
    assert fingerprint() == before
