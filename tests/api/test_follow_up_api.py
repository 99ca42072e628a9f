"""The API of follow-up across meetings: adopting minutes on their agenda item, reviewing
an action point at a later meeting, and the reports of sub-groups proposed to the
parent group's meeting; each with its permission matrix (a denial changes nothing).
Every answer is checked against the OpenAPI schema (tests.api.conftest)."""

import datetime as dt

import pytest
from django.utils import timezone

from meetings.models import ActionPointReview, AgendaItem, Minutes, ReportBack
from meetings.services import (
    action_point_create,
    decision_add,
    meeting_create,
    meeting_mark_held,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from tests.api.conftest import EVERYONE, MWG_MANAGERS, fingerprint

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def _meeting(group, title, days, *, held=False):
    start = timezone.now() + dt.timedelta(days=days)
    meeting = meeting_create(
        group=group,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        record_past=days < 0,
    )
    return meeting_mark_held(meeting=meeting, by=None) if held else meeting


def _publish(meeting, body):
    minutes = minutes_save(meeting=meeting, body=body, by=None)
    return minutes_publish(minutes=minutes_approve(minutes=minutes, by=None), by=None)


@pytest.fixture
def story(cast):
    """MWG meeting 1 (published minutes, a decision, an action point of the Ministry of
    Health); MWG meeting 2, held just now, adopting them; MWG meeting 3 ahead, to which
    the health sub-group's published minutes are proposed."""
    first = _meeting(cast.mwg, "MWG 1", -30, held=True)
    decision = decision_add(meeting=first, text="Map the referral services.", by=None)
    point = action_point_create(
        meeting=first,
        title="Map services",
        owner_organisation=cast.moh,
        due_on=timezone.localdate() - dt.timedelta(days=2),
        by=None,
    )
    _publish(first, "Minutes of MWG 1.")
    second = meeting_mark_held(meeting=_meeting(cast.mwg, "MWG 2", -0.01), by=None)
    third = _meeting(cast.mwg, "MWG 3", 20)
    health = _meeting(cast.health, "Health 1", -3, held=True)
    _publish(health, "Minutes of the health sub-group.")
    return {
        "first": first,
        "second": second,
        "third": third,
        "health": health,
        "decision": decision,
        "point": point,
        "adoption": second.agenda_items.get(kind=AgendaItem.Kind.MINUTES_ADOPTION),
        "report": ReportBack.objects.get(),
    }


def _expected_write(persona: str, allowed: set[str], seeing: set[str], ok: int) -> int:
    if persona == "anonymous":
        return 401
    if persona in allowed:
        return ok
    return 403 if persona in seeing else 404


@pytest.mark.parametrize("persona", EVERYONE)
def test_adopting_minutes_permission_matrix(client_for, cast, story, persona):
    url = f"{V1}/agenda-items/{story['adoption'].pk}/adopt-minutes/"
    before = fingerprint()

    response = client_for(persona).post(url, {}, format="json")

    expected = _expected_write(persona, MWG_MANAGERS, MWG_MANAGERS | {"member", "observer"}, 201)
    assert response.status_code == expected, response.content
    minutes = Minutes.objects.get(meeting=story["first"])
    if expected == 201:
        assert response.json()["text"] == (
            f"The minutes of MWG 1 ({story['first'].reference}) are adopted."
        )
        assert minutes.adopted_at == story["second"]
    else:
        assert minutes.adopted_at is None
        assert fingerprint() == before


def test_adopting_with_corrections_through_the_api(client_for, story):
    url = f"{V1}/agenda-items/{story['adoption'].pk}/adopt-minutes/"
    decision = story["decision"]

    response = client_for("chair").post(
        url,
        {
            "corrections": "Minutes of MWG 1, corrected.",
            "decision_corrections": {str(decision.pk): "Map and publish the services."},
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["text"].endswith("adopted with corrections.")
    decision.refresh_from_db()
    assert (decision.text, decision.corrected_at) == (
        "Map and publish the services.",
        story["second"],
    )
    minutes = Minutes.objects.get(meeting=story["first"])
    assert minutes.body == "Minutes of MWG 1, corrected."
    assert minutes.versions.last().reason == "corrected"


@pytest.mark.parametrize(
    "body",
    [
        {"decision_corrections": {"one": "Words."}},
        {"decision_corrections": {"999999": "Words."}},
        {"decision_corrections": "not a mapping"},
        {"corrections": 7, "unknown": True},
    ],
)
def test_bad_adoption_bodies_are_400_and_change_nothing(client_for, story, body):
    url = f"{V1}/agenda-items/{story['adoption'].pk}/adopt-minutes/"
    before = fingerprint()

    response = client_for("secretariat").post(url, body, format="json")

    assert response.status_code == 400, response.content
    assert fingerprint() == before


def test_adopting_on_a_regular_item_is_refused(client_for, story):
    review = story["second"].agenda_items.get(kind=AgendaItem.Kind.ACTION_REVIEW)
    before = fingerprint()

    response = client_for("secretariat").post(
        f"{V1}/agenda-items/{review.pk}/adopt-minutes/", {}, format="json"
    )

    assert response.status_code == 400
    assert fingerprint() == before


@pytest.mark.parametrize("persona", EVERYONE)
def test_reviewing_an_action_point_permission_matrix(client_for, story, persona):
    point = story["point"]
    url = f"{V1}/action-points/{point.pk}/review/"
    before = fingerprint()

    response = client_for(persona).post(
        url,
        {"meeting": story["second"].pk, "status": "open", "note": "Half done."},
        format="json",
    )

    # Everyone in the MWG sees the action point (and the Ministry of Health owns it);
    # only those who manage the reviewing meeting may review it.
    expected = _expected_write(persona, MWG_MANAGERS, MWG_MANAGERS | {"member", "observer"}, 200)
    assert response.status_code == expected, response.content
    if expected == 200:
        reviews = response.json()["reviews"]
        assert [(r["meeting"], r["status"], r["note"]) for r in reviews] == [
            (story["second"].pk, "open", "Half done.")
        ]
    else:
        assert not ActionPointReview.objects.exists()
        assert fingerprint() == before


def test_a_meeting_ahead_reviews_nothing_yet(client_for, story):
    before = fingerprint()

    response = client_for("secretariat").post(
        f"{V1}/action-points/{story['point'].pk}/review/",
        {"meeting": story["third"].pk, "status": "done"},
        format="json",
    )

    assert response.status_code == 400
    assert "once the meeting has begun" in str(response.json())
    assert fingerprint() == before


def test_marking_done_through_the_review_closes_the_action_point(client_for, story):
    point = story["point"]

    response = client_for("cochair").post(
        f"{V1}/action-points/{point.pk}/review/",
        {"meeting": story["second"].pk, "status": "done"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "done"
    assert body["closed_at"] is not None
    assert (
        client_for("member").get(f"{V1}/action-points/{point.pk}/").json()["reviews"][0]["status"]
        == "done"
    )


def test_a_review_at_another_groups_meeting_is_400(client_for, cast, story):
    before = fingerprint()

    response = client_for("secretariat").post(
        f"{V1}/action-points/{story['point'].pk}/review/",
        {"meeting": story["health"].pk, "status": "done"},
        format="json",
    )

    assert response.status_code == 400
    assert "action_point" in response.json()["errors"] or response.json()
    assert fingerprint() == before


# The MWG meeting and the health sub-group's meeting: the chairs manage both, the member
# sits in both, the observer sees only the MWG's.
REPORT_VIEWERS = MWG_MANAGERS | {"member"}


@pytest.mark.parametrize("persona", EVERYONE)
def test_report_backs_are_listed_to_those_who_see_both_meetings(client_for, story, persona):
    response = client_for(persona).get(f"{V1}/report-backs/")

    if persona == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == ([story["report"].pk] if persona in REPORT_VIEWERS else [])
    if ids:
        row = response.json()["results"][0]
        assert (row["meeting"]["id"], row["source_meeting"]["id"], row["status"]) == (
            story["third"].pk,
            story["health"].pk,
            "proposed",
        )


@pytest.mark.parametrize("verb", ["accept", "drop"])
@pytest.mark.parametrize("persona", EVERYONE)
def test_deciding_a_report_back_permission_matrix(client_for, story, persona, verb):
    report = story["report"]
    before = fingerprint()

    response = client_for(persona).post(f"{V1}/report-backs/{report.pk}/{verb}/")

    expected = _expected_write(persona, MWG_MANAGERS, REPORT_VIEWERS, 200)
    assert response.status_code == expected, response.content
    report.refresh_from_db()
    if expected == 200:
        assert report.status == {"accept": "accepted", "drop": "dropped"}[verb]
        assert (response.json()["agenda_item"] is not None) is (verb == "accept")
    else:
        assert report.status == "proposed"
        assert fingerprint() == before


def test_an_accepted_report_is_an_agenda_item_of_its_kind(client_for, story):
    client_for("secretariat").post(f"{V1}/report-backs/{story['report'].pk}/accept/")

    response = client_for("member").get(f"{V1}/agenda-items/?meeting={story['third'].pk}")

    rows = [(row["kind"], row["source_meeting"]) for row in response.json()["results"]]
    assert rows[-1] == ("report_back", story["health"].pk)
    assert ("action_review", None) in rows
    again = client_for("secretariat").post(f"{V1}/report-backs/{story['report'].pk}/drop/")
    assert again.status_code == 400
