"""Labels in the pages: set on the meeting form and the records' forms, changed with the
"Confidentiality" control, shown as badges, their trail on the meeting's page for those
who manage it; and decisions kept from the members until the minutes are published."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Confidentiality, ConfidentialityChange
from groups.services import confidentiality_set, group_update
from meetings.models import ActionPoint, Decision, Meeting
from meetings.services import (
    agenda_item_add,
    decision_add,
    meeting_create,
    meeting_mark_held,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from tests.api.conftest import fingerprint
from tests.labels.conftest import EVERYONE, MANAGERS, VIEWERS
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db
RESTRICTED = Confidentiality.RESTRICTED


@pytest.fixture(autouse=True)
def _fresh_form_tokens():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def held(cast):
    """A held MWG meeting with an agenda item and a decision, no minutes yet."""
    start = timezone.now() - dt.timedelta(hours=3)
    meeting = meeting_create(
        group=cast.mwg,
        title="MWG: returns",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
        record_past=True,
    )
    agenda_item_add(meeting=meeting, title="Voluntary returns", by=cast.secretariat)
    meeting_mark_held(meeting=meeting, by=cast.secretariat)
    decision_add(meeting=meeting, text="DECISION-BEFORE-MINUTES", by=cast.secretariat)
    return meeting


def _publish_minutes(meeting, by):
    minutes = minutes_save(meeting=meeting, body="We met.", by=by)
    return minutes_publish(minutes=minutes_approve(minutes=minutes, by=by), by=by)


# --- Decisions wait for the minutes ---------------------------------------------------------


@pytest.mark.parametrize("persona", ["secretariat", "chair", "cochair", "member", "observer"])
def test_decisions_are_seen_before_publication_only_by_those_who_read_the_draft(
    client, cast, held, persona
):
    login(client, cast, persona)

    page = client.get(reverse("meeting-detail", args=[held.pk])).content.decode()

    assert ("DECISION-BEFORE-MINUTES" in page) is (persona in MANAGERS)


@pytest.mark.parametrize("persona", ["secretariat", "chair", "member", "observer"])
def test_decisions_are_seen_by_the_members_once_the_minutes_are_published(
    client, cast, held, persona
):
    _publish_minutes(held, cast.secretariat)
    login(client, cast, persona)

    page = client.get(reverse("meeting-detail", args=[held.pk])).content.decode()

    assert "DECISION-BEFORE-MINUTES" in page


def test_approved_minutes_are_not_published_minutes(client, cast, held):
    minutes_approve(minutes=minutes_save(meeting=held, body="We met.", by=None), by=None)
    login(client, cast, "member")

    page = client.get(reverse("meeting-detail", args=[held.pk])).content.decode()

    assert "DECISION-BEFORE-MINUTES" not in page


# --- Badges ---------------------------------------------------------------------------------


def test_the_meeting_page_shows_each_label_as_a_badge(client, cast, held):
    confidentiality_set(
        record=held.agenda_items.get(),
        confidentiality=RESTRICTED,
        restricted_to=[cast.iom],
        by=cast.chair,
    )
    login(client, cast, "chair")

    page = client.get(reverse("meeting-detail", args=[held.pk])).content.decode()

    assert 'class="badge label-members"' in page
    assert "Restricted: <bdi>IOM</bdi>" in page
    item = held.agenda_items.get()
    assert reverse("confidentiality-edit", args=["agenda-item", item.pk]) in page


def test_readers_get_badges_without_the_control(client, cast, held):
    login(client, cast, "member")

    page = client.get(reverse("meeting-detail", args=[held.pk])).content.decode()

    assert 'class="badge label-members"' in page
    assert reverse("confidentiality-edit", args=["meeting", held.pk]) not in page


def test_the_meeting_list_shows_the_labels(client, cast, held):
    confidentiality_set(record=held, confidentiality="public", by=cast.chair)
    login(client, cast, "outsider")

    page = client.get(reverse("meeting-list")).content.decode()

    assert held.title in page
    assert 'class="badge label-public"' in page


# --- The "Confidentiality" control ------------------------------------------------------------


def _control(kind, pk):
    return reverse("confidentiality-edit", args=[kind, pk])


def _records(meeting):
    minutes = minutes_save(meeting=meeting, body="We met.", by=None)
    return {
        "meeting": meeting,
        "agenda-item": meeting.agenda_items.get(),
        "minutes": minutes,
        "decision": Decision.objects.get(meeting=meeting),
    }


@pytest.mark.parametrize("kind", ["meeting", "agenda-item", "minutes", "decision"])
@pytest.mark.parametrize("persona", EVERYONE)
def test_only_the_managers_change_a_label(client, cast, held, kind, persona):
    record = _records(held)[kind]
    login(client, cast, persona)
    before = fingerprint()

    response = client.post(
        _control(kind, record.pk),
        {"confidentiality": RESTRICTED, "restricted_to": [cast.iom.pk], "form_token": "t1"},
    )

    if persona in MANAGERS:
        assert response.status_code == 302
        record = type(record).objects.get(pk=record.pk)
        assert record.confidentiality == RESTRICTED
        assert list(record.restricted_to.all()) == [cast.iom]
        assert ConfidentialityChange.objects.count() == 1
        return
    if persona == "anonymous":
        expected = 302
    elif persona in VIEWERS and kind in {"meeting", "agenda-item"}:
        # The meeting and its agenda are seen by the members; not changed by them.
        expected = 403
    else:
        # Draft minutes, and the decisions before they are published, are not seen.
        expected = 404 if persona not in VIEWERS or kind in {"minutes", "decision"} else 403
    assert response.status_code == expected
    assert fingerprint() == before


def test_an_action_points_label_is_changed_by_the_managers_only(client, cast, held):
    action_point = ActionPoint.objects.create(
        meeting=held, title="Report", owner_organisation=cast.moh, due_on=timezone.localdate()
    )
    url = _control("action-point", action_point.pk)
    login(client, cast, "member")
    before = fingerprint()

    refused = client.post(url, {"confidentiality": "public", "form_token": "t1"})
    assert refused.status_code == 403
    assert fingerprint() == before

    login(client, cast, "cochair")
    done = client.post(url, {"confidentiality": "public", "form_token": "t2"})
    assert done.status_code == 302
    assert done["Location"] == reverse("action-point-detail", args=[action_point.pk])
    assert ActionPoint.objects.get(pk=action_point.pk).confidentiality == "public"


def test_the_control_shows_the_form_and_the_trail(client, cast, held):
    confidentiality_set(record=held, confidentiality="public", by=cast.chair)
    login(client, cast, "chair")

    response = client.get(_control("meeting", held.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="confidentiality"' in page
    assert 'data-restricted-to=""' in page
    assert "Label changed from Members to Public by <bdi>Jaalal Alashi</bdi>" in page
    assert "js/confidentiality.js" in page


def test_an_unknown_kind_of_record_is_not_found(client, cast, held):
    login(client, cast, "secretariat")

    assert client.get(reverse("confidentiality-edit", args=["invitation", 1])).status_code == 404


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"confidentiality": "secret"}, "confidentiality"),
        ({"confidentiality": RESTRICTED, "restricted_to": ["999999"]}, "restricted_to"),
        ({"confidentiality": RESTRICTED, "restricted_to": ["x"]}, "restricted_to"),
    ],
)
def test_a_bad_label_is_a_form_error_and_changes_nothing(client, cast, held, data, field):
    login(client, cast, "chair")
    before = fingerprint()

    response = client.post(_control("meeting", held.pk), {**data, "form_token": "t1"})

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert fingerprint() == before


def test_a_double_submit_changes_the_label_once(client, cast, held):
    login(client, cast, "chair")
    data = {"confidentiality": "public", "form_token": "same"}

    client.post(_control("meeting", held.pk), data)
    client.post(_control("meeting", held.pk), data)

    assert ConfidentialityChange.objects.count() == 1


def test_the_same_label_again_writes_no_trail(client, cast, held):
    login(client, cast, "chair")

    response = client.post(
        _control("meeting", held.pk), {"confidentiality": "members", "form_token": "t1"}
    )

    assert response.status_code == 302
    assert not ConfidentialityChange.objects.exists()


# --- The trail on the meeting's page ----------------------------------------------------------


@pytest.mark.parametrize("persona", ["secretariat", "chair", "member", "observer"])
def test_the_meeting_page_shows_the_trail_to_the_managers(client, cast, held, persona):
    confidentiality_set(
        record=held.agenda_items.get(),
        confidentiality=RESTRICTED,
        restricted_to=[cast.moh],
        by=cast.chair,
    )
    login(client, cast, persona)

    page = client.get(reverse("meeting-detail", args=[held.pk])).content.decode()

    sentence = "Label changed from Members to Restricted (<bdi>Ministry of Health</bdi>) by"
    assert (sentence in page) is (persona in MANAGERS)


def test_the_meeting_page_queries_stay_bounded_with_labels(
    client, cast, held, django_assert_max_num_queries
):
    for number in range(12):
        decision = decision_add(meeting=held, text=f"Decision {number}", by=None)
        confidentiality_set(
            record=decision, confidentiality=RESTRICTED, restricted_to=[cast.moh], by=cast.chair
        )
    _publish_minutes(held, cast.secretariat)
    url = reverse("meeting-detail", args=[held.pk])
    for persona in ("chair", "member"):
        login(client, cast, persona)
        client.get(url)  # warms the process's caches (content types, the secretariat flag)
        with django_assert_max_num_queries(19):
            assert client.get(url).status_code == 200


# --- Setting labels on the forms ----------------------------------------------------------------


def _meeting_form(cast, **overrides):
    return {
        "group": cast.mwg.pk,
        "title": "MWG: labour migration",
        "kind": "regular",
        "start_at": "2031-03-10T10:00",
        "end_at": "2031-03-10T12:00",
        "time_zone": "Africa/Tripoli",
        "venue": "",
        "online_url": "",
        "description": "",
        "form_token": "new-1",
        **overrides,
    }


def test_a_new_meeting_takes_the_groups_usual_label_by_default(client, cast):
    group_update(group=cast.mwg, default_confidentiality="public", by=None)
    login(client, cast, "chair")

    response = client.post(reverse("meeting-create"), _meeting_form(cast, confidentiality=""))

    assert response.status_code == 302
    assert Meeting.objects.get(title="MWG: labour migration").confidentiality == "public"


def test_a_new_meeting_may_be_restricted_to_named_organisations(client, cast):
    login(client, cast, "chair")

    client.post(
        reverse("meeting-create"),
        _meeting_form(cast, confidentiality=RESTRICTED, restricted_to=[cast.iom.pk, cast.mofa.pk]),
    )

    meeting = Meeting.objects.get(title="MWG: labour migration")
    assert meeting.confidentiality == RESTRICTED
    assert set(meeting.restricted_to.all()) == {cast.iom, cast.mofa}
    assert not ConfidentialityChange.objects.exists()


def test_the_edit_form_changes_the_label_with_a_trail(client, cast):
    login(client, cast, "chair")
    client.post(reverse("meeting-create"), _meeting_form(cast, confidentiality=""))
    meeting = Meeting.objects.get(title="MWG: labour migration")

    response = client.post(
        reverse("meeting-edit", args=[meeting.pk]),
        _meeting_form(cast, confidentiality=RESTRICTED, restricted_to=[cast.iom.pk]),
    )

    assert response.status_code == 302
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.confidentiality == RESTRICTED
    assert ConfidentialityChange.objects.get().new_label == RESTRICTED


def test_the_meeting_form_offers_the_label_with_its_script(client, cast):
    login(client, cast, "chair")

    page = client.get(reverse("meeting-create")).content.decode()

    assert "The group&#x27;s usual label" in page
    assert 'data-confidentiality=""' in page
    assert "js/confidentiality.js" in page


def test_a_decision_may_be_recorded_restricted(client, cast, held):
    login(client, cast, "chair")

    response = client.post(
        reverse("decision-add", args=[held.pk]),
        {
            "text": "Share the figures with IOM.",
            "confidentiality": RESTRICTED,
            "restricted_to": [cast.iom.pk],
            "form_token": "d1",
        },
    )

    assert response.status_code == 302
    decision = Decision.objects.get(text="Share the figures with IOM.")
    assert decision.confidentiality == RESTRICTED
    assert list(decision.restricted_to.all()) == [cast.iom]


def test_an_action_point_takes_the_meetings_label_by_default(client, cast, held):
    confidentiality_set(record=held, confidentiality="public", by=None)
    login(client, cast, "chair")

    response = client.post(
        reverse("action-point-create", args=[held.pk]),
        {
            "title": "Send the figures",
            "owner_organisation": cast.moh.pk,
            "due_on": "2031-01-10",
            "confidentiality": "",
            "form_token": "a1",
        },
    )

    assert response.status_code == 302
    assert ActionPoint.objects.get(title="Send the figures").confidentiality == "public"


def test_the_terms_form_sets_the_usual_label(client, cast):
    login(client, cast, "chair")
    page = client.get(reverse("group-terms-edit", args=[cast.health.pk])).content.decode()
    assert 'name="default_confidentiality"' in page

    client.post(
        reverse("group-terms-edit", args=[cast.health.pk]),
        {"default_confidentiality": "restricted", "reminder_days": "7, 1", "form_token": "g1"},
    )

    cast.health.refresh_from_db()
    assert cast.health.default_confidentiality == "restricted"


def test_the_group_page_says_the_usual_label_and_where_it_comes_from(client, cast):
    group_update(group=cast.mwg, default_confidentiality="public", by=None)
    login(client, cast, "member")

    page = client.get(reverse("group-detail", args=[cast.health.pk])).content.decode()

    assert "Usual confidentiality" in page
    assert "Public: anyone with an account in the framework" in page
