"""The notice period of a group's terms of reference: calling a meeting inside it needs
a reason, given by the secretariat or the group's chairs; the service refuses it
otherwise, the same way from the pages, the API and the admin, and the notices say the
meeting is called at short notice."""

import datetime as dt
import json
import uuid

import jsonschema
import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from groups.services import group_update
from meetings.models import Meeting
from meetings.services import (
    invitation_create,
    meeting_access_set,
    meeting_create,
    meeting_schedule,
    meeting_update,
    notice_period_check,
)
from members.services import person_update
from notices.content import webhook_body
from notices.models import Notice
from notices.services import webhook_endpoint_register
from tests.api.conftest import SchemaCheckedClient, fingerprint
from tests.api.schema import openapi
from tests.pages.conftest import login, update_confirmation

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
REASON = "The minister's visit was moved forward"
REFUSAL = (
    "The Migration Working Group's terms of reference ask for 14 days' notice. "
    "This meeting would be called 3 days ahead. "
    "Give a reason for short notice to call it anyway."
)
NOT_ALLOWED = (
    "The Migration Working Group's terms of reference ask for 14 days' notice. "
    "This meeting would be called 3 days ahead. "
    "Only the secretariat and the group's chairs may call a meeting at short notice."
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Form tokens and API throttles live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def notice(cast):
    """The Migration Working Group asks for 14 days' notice; its sub-groups follow it."""
    return group_update(group=cast.mwg, notice_period_days=14, by=cast.secretariat)


def _in(days: int, hours: int = 1) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days, hours=hours)).replace(second=0, microsecond=0)


def _draft(cast, group=None, start=None) -> Meeting:
    start = start or _in(3)
    meeting = meeting_create(
        group=group or cast.mwg,
        title="Extraordinary meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        venue="Ministry of Planning, Tripoli",
        by=cast.secretariat,
    )
    for person in (cast.member_person, cast.observer_person, cast.chair_person):
        invitation_create(meeting=meeting, person=person, by=cast.secretariat)
    return meeting


@pytest.fixture
def draft(cast, notice):
    """A draft MWG meeting three days ahead, three people invited."""
    return _draft(cast)


@pytest.fixture
def scheduled(cast, notice):
    """A scheduled MWG meeting a month ahead, on due notice."""
    return meeting_schedule(meeting=_draft(cast, start=_in(30)), by=cast.secretariat)


@pytest.fixture
def guest(cast, draft, scheduled):
    """The outsider, given a direct grant to manage both meetings: they may change them,
    not override the group's notice period."""
    for meeting in (draft, scheduled):
        meeting_access_set(
            meeting=meeting,
            user=cast.outsider,
            permissions={"view_meeting", "change_meeting"},
            by=cast.secretariat,
        )
    return cast.outsider


def _row(meeting: Meeting) -> dict:
    return Meeting.objects.values(
        "status",
        "start_at",
        "sequence",
        "reference",
        "short_notice_reason",
        "short_notice_by",
    ).get(pk=meeting.pk)


def _notices(meeting: Meeting) -> int:
    return Notice.objects.filter(meeting=meeting).count()


# --- The service ----------------------------------------------------------------------


def test_scheduling_inside_the_notice_period_without_a_reason_is_refused_naming_the_rule(
    cast, draft
):
    before = _row(draft)

    with pytest.raises(ValidationError) as refused:
        meeting_schedule(meeting=draft, by=cast.chair)

    assert refused.value.message_dict == {"start_at": [REFUSAL]}
    assert _row(draft) == before
    assert _notices(draft) == 0


@pytest.mark.parametrize("persona", ["chair", "cochair", "secretariat", "admin"])
def test_the_chairs_and_the_secretariat_call_it_at_short_notice_with_a_reason(cast, draft, persona):
    meeting = meeting_schedule(
        meeting=draft, by=cast.user(persona), short_notice_reason=f"  {REASON}  "
    )

    row = _row(meeting)
    assert row["status"] == Meeting.Status.SCHEDULED
    assert row["short_notice_reason"] == REASON
    assert row["short_notice_by"] == cast.user(persona).pk


def test_someone_who_may_change_the_meeting_may_not_override_the_notice_period(cast, draft, guest):
    before = _row(draft)

    with pytest.raises(ValidationError) as refused:
        meeting_schedule(meeting=draft, by=guest, short_notice_reason=REASON)

    assert refused.value.message_dict == {"start_at": [NOT_ALLOWED]}
    assert _row(draft) == before


def test_a_blank_reason_is_no_reason(cast, draft):
    with pytest.raises(ValidationError):
        meeting_schedule(meeting=draft, by=cast.chair, short_notice_reason="   ")
    assert _row(draft)["status"] == Meeting.Status.DRAFT


def test_a_sub_groups_meeting_follows_the_notice_period_it_inherits(cast, notice):
    meeting = _draft(cast, group=cast.health)

    with pytest.raises(ValidationError) as refused:
        meeting_schedule(meeting=meeting, by=cast.chair)

    assert refused.value.message_dict == {"start_at": [REFUSAL]}


def test_a_sub_groups_own_notice_period_overrides_the_inherited_one(cast, notice):
    group_update(group=cast.health, notice_period_days=2, by=cast.secretariat)
    meeting = _draft(cast, group=cast.health)

    meeting = meeting_schedule(meeting=meeting, by=cast.chair)

    assert (meeting.status, meeting.short_notice_reason) == (Meeting.Status.SCHEDULED, "")


def test_on_due_notice_no_reason_is_needed_nor_kept(cast, notice):
    meeting = _draft(cast, start=_in(20))

    meeting = meeting_schedule(meeting=meeting, by=cast.chair, short_notice_reason=REASON)

    assert (meeting.short_notice_reason, meeting.short_notice_by) == ("", None)


def test_without_a_notice_period_any_call_is_on_due_notice(cast):
    meeting = _draft(cast, start=_in(0, hours=2))

    assert not notice_period_check(
        group=cast.mwg, start_at=meeting.start_at, short_notice_reason="", by=cast.chair
    )
    assert meeting_schedule(meeting=meeting, by=cast.chair).status == Meeting.Status.SCHEDULED


def test_less_than_a_day_ahead_is_said_so(cast, notice):
    with pytest.raises(ValidationError) as refused:
        notice_period_check(
            group=notice, start_at=_in(0, hours=5), short_notice_reason="", by=cast.chair
        )

    assert "This meeting would be called less than a day ahead." in str(refused.value)


def test_the_portal_itself_calls_at_short_notice_only_with_a_reason(cast, draft):
    with pytest.raises(ValidationError):
        meeting_schedule(meeting=draft, by=None)

    meeting = meeting_schedule(meeting=draft, by=None, short_notice_reason=REASON)

    assert (meeting.short_notice_reason, meeting.short_notice_by) == (REASON, None)


def test_moving_a_scheduled_meeting_into_the_notice_period_needs_a_reason(cast, scheduled):
    before, notices = _row(scheduled), _notices(scheduled)
    start = _in(3)

    with pytest.raises(ValidationError) as refused:
        meeting_update(meeting=scheduled, start_at=start, end_at=_in(3, 3), by=cast.chair)

    assert refused.value.message_dict == {"start_at": [REFUSAL]}
    assert _row(scheduled) == before
    assert _notices(scheduled) == notices

    moved = meeting_update(
        meeting=scheduled,
        start_at=start,
        end_at=_in(3, 3),
        short_notice_reason=REASON,
        by=cast.chair,
    )

    assert (moved.start_at, moved.short_notice_reason) == (start, REASON)
    assert moved.short_notice_by == cast.chair


def test_moving_it_back_out_of_the_notice_period_clears_the_override(cast, scheduled):
    moved = meeting_update(
        meeting=scheduled, start_at=_in(3), short_notice_reason=REASON, by=cast.chair
    )

    moved = meeting_update(meeting=moved, start_at=_in(40), end_at=_in(40, 2), by=cast.chair)

    assert (moved.short_notice_reason, moved.short_notice_by) == ("", None)


def test_a_draft_is_not_called_yet_so_its_dates_move_freely(cast, notice):
    meeting = _draft(cast, start=_in(30))
    start = _in(2)

    meeting = meeting_update(meeting=meeting, start_at=start, end_at=_in(2, 2), by=cast.chair)

    assert (meeting.start_at, meeting.short_notice_reason) == (start, "")


def test_other_changes_to_a_meeting_now_inside_its_notice_period_need_no_reason(cast, draft):
    meeting = meeting_schedule(meeting=draft, by=cast.chair, short_notice_reason=REASON)

    meeting = meeting_update(meeting=meeting, venue="Ministry of Interior", by=cast.chair)

    assert (meeting.venue, meeting.short_notice_reason) == ("Ministry of Interior", REASON)


# --- The pages ------------------------------------------------------------------------


def test_the_preview_asks_for_a_reason_when_the_meeting_is_inside_the_notice_period(
    client, cast, draft
):
    login(client, cast, "chair")

    page = client.get(reverse("meeting-schedule-preview", args=[draft.pk])).content.decode()

    assert escape(REFUSAL.rsplit(" Give", 1)[0]) in page
    assert 'name="short_notice_reason"' in page
    assert "Reason for short notice" in page


def test_the_preview_asks_nothing_on_due_notice(client, cast, notice):
    meeting = _draft(cast, start=_in(20))
    login(client, cast, "chair")

    page = client.get(reverse("meeting-schedule-preview", args=[meeting.pk])).content.decode()

    assert 'name="short_notice_reason"' not in page


def test_the_preview_tells_someone_who_may_not_override_so(client, cast, draft, guest):
    client.force_login(guest)

    page = client.get(reverse("meeting-schedule-preview", args=[draft.pk])).content.decode()

    explanation, remedy = NOT_ALLOWED.split(" Only")
    assert escape(explanation) in page
    assert f"Only{remedy}" in page
    assert 'name="short_notice_reason"' not in page


def test_scheduling_from_the_page_without_a_reason_shows_the_rule_and_the_field_again(
    client, cast, draft
):
    login(client, cast, "chair")
    before = _row(draft)

    response = client.post(
        reverse("meeting-schedule", args=[draft.pk]), {"form_token": uuid.uuid4().hex}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("meeting-schedule-preview", args=[draft.pk])
    page = response.content.decode()
    assert escape(REFUSAL) in page
    assert 'name="short_notice_reason"' in page
    assert _row(draft) == before
    assert _notices(draft) == 0


def test_scheduling_from_the_page_with_a_reason_calls_it_at_short_notice(client, cast, draft):
    login(client, cast, "chair")

    response = client.post(
        reverse("meeting-schedule", args=[draft.pk]),
        {"form_token": uuid.uuid4().hex, "short_notice_reason": REASON},
    )

    assert response.status_code == 302
    row = _row(draft)
    assert (row["status"], row["short_notice_reason"]) == (Meeting.Status.SCHEDULED, REASON)
    page = client.get(reverse("meeting-detail", args=[draft.pk])).content.decode()
    assert '<span class="badge short-notice">Called at short notice</span>' in page
    assert escape(REASON) in page


def test_the_edit_page_refuses_a_move_inside_the_period_and_offers_the_reason(
    client, cast, scheduled
):
    login(client, cast, "chair")
    url = reverse("meeting-edit", args=[scheduled.pk])
    assert 'name="short_notice_reason"' not in client.get(url).content.decode()
    before = _row(scheduled)
    zone = scheduled.zone
    form = {
        "title": scheduled.title,
        "kind": scheduled.kind,
        "start_at": _in(3).astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "end_at": _in(3, 3).astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "time_zone": scheduled.time_zone,
        "venue": scheduled.venue,
        "online_url": "",
        "description": "",
        "form_token": uuid.uuid4().hex,
    }

    response = client.post(url, form)

    assert response.status_code == 200
    page = response.content.decode()
    assert escape(REFUSAL) in page
    assert 'name="short_notice_reason"' in page
    assert _row(scheduled) == before

    response = client.post(
        url, {**form, "short_notice_reason": REASON, "form_token": uuid.uuid4().hex}
    )

    # With the reason, the preview of the update, which carries it; nothing saved yet.
    assert response.status_code == 200
    assert "update-confirm" in response.content.decode()
    assert escape(REASON) in response.content.decode()
    assert _row(scheduled) == before

    response = client.post(url, update_confirmation(response.content.decode()))

    assert response.status_code == 302
    assert _row(scheduled)["short_notice_reason"] == REASON


def test_a_new_meeting_of_a_group_starts_with_its_usual_length_and_place(client, cast, notice):
    group_update(
        group=cast.mwg,
        usual_duration_minutes=90,
        usual_venue="Ministry of Planning, Tripoli",
        by=cast.secretariat,
    )
    login(client, cast, "chair")

    form = client.get(reverse("meeting-create") + f"?group={cast.health.pk}").context["form"]

    start, end = form.initial["start_at"], form.initial["end_at"]
    assert form.initial["venue"] == "Ministry of Planning, Tripoli"
    assert end - start == dt.timedelta(minutes=90)
    assert start.date() == timezone.localdate() + dt.timedelta(days=15)
    assert form.initial["group"] == cast.health.pk


def test_a_new_meeting_of_a_group_without_usual_terms_starts_empty(client, cast):
    login(client, cast, "chair")

    form = client.get(reverse("meeting-create") + f"?group={cast.mwg.pk}").context["form"]

    assert "start_at" not in form.initial
    assert "venue" not in form.initial


# --- The API ----------------------------------------------------------------------------


@pytest.fixture
def api(cast):
    def make(user) -> SchemaCheckedClient:
        client = SchemaCheckedClient()
        client.force_authenticate(user=user)
        return client

    return make


def test_the_api_refuses_a_short_notice_schedule_without_a_reason(cast, draft, api):
    before = fingerprint()

    response = api(cast.chair).post(f"{V1}/meetings/{draft.pk}/schedule/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"start_at": [REFUSAL]}
    assert fingerprint() == before


def test_the_api_schedules_at_short_notice_with_a_reason(cast, draft, api):
    response = api(cast.chair).post(
        f"{V1}/meetings/{draft.pk}/schedule/", {"short_notice_reason": REASON}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["short_notice"], body["short_notice_reason"]) == (
        "scheduled",
        True,
        REASON,
    )


def test_the_api_refuses_the_override_to_someone_who_may_not_give_it(cast, draft, guest, api):
    before = fingerprint()

    response = api(guest).post(
        f"{V1}/meetings/{draft.pk}/schedule/", {"short_notice_reason": REASON}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"start_at": [NOT_ALLOWED]}
    assert fingerprint() == before


def test_the_api_refuses_a_move_into_the_period_unless_a_reason_is_given(cast, scheduled, api):
    url = f"{V1}/meetings/{scheduled.pk}/"
    move = {"start_at": _in(3).isoformat(), "end_at": _in(3, 3).isoformat()}
    before = fingerprint()

    response = api(cast.chair).patch(url, move, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["start_at"]
    assert fingerprint() == before

    response = api(cast.chair).patch(url, {**move, "short_notice_reason": REASON}, format="json")

    assert response.status_code == 200
    assert response.json()["short_notice"] is True


def test_a_meeting_on_due_notice_says_so_in_the_api(cast, scheduled, api):
    body = api(cast.member).get(f"{V1}/meetings/{scheduled.pk}/").json()

    assert (body["short_notice"], body["short_notice_reason"]) == (False, "")


# --- The admin ----------------------------------------------------------------------------


def _admin_form(meeting: Meeting, **changes) -> dict:
    zone = meeting.zone
    data = {
        "title": meeting.title,
        "kind": meeting.kind,
        "start_at_0": meeting.start_at.astimezone(zone).strftime("%Y-%m-%d"),
        "start_at_1": meeting.start_at.astimezone(zone).strftime("%H:%M"),
        "end_at_0": meeting.end_at.astimezone(zone).strftime("%Y-%m-%d"),
        "end_at_1": meeting.end_at.astimezone(zone).strftime("%H:%M"),
        "time_zone": meeting.time_zone,
        "venue": meeting.venue,
        "online_url": "",
        "description": "",
        "short_notice_reason": "",
        "agenda_items-TOTAL_FORMS": "0",
        "agenda_items-INITIAL_FORMS": "0",
        "invitations-TOTAL_FORMS": "0",
        "invitations-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def _admin_move(meeting: Meeting, start: dt.datetime, **changes) -> dict:
    # The admin's date and time boxes are read in the portal's time zone.
    local = timezone.localtime(start)
    end = timezone.localtime(start + dt.timedelta(hours=2))
    return _admin_form(
        meeting,
        start_at_0=local.strftime("%Y-%m-%d"),
        start_at_1=local.strftime("%H:%M"),
        end_at_0=end.strftime("%Y-%m-%d"),
        end_at_1=end.strftime("%H:%M"),
        **changes,
    )


def test_the_admin_refuses_a_move_into_the_period_with_the_same_sentence(client, cast, scheduled):
    client.force_login(cast.admin)
    before = _row(scheduled)

    response = client.post(
        reverse("admin:meetings_meeting_change", args=[scheduled.pk]),
        _admin_move(scheduled, _in(3)),
    )

    assert response.status_code == 200
    assert escape(REFUSAL) in response.content.decode()
    assert _row(scheduled) == before


def test_the_admin_moves_it_with_a_reason(client, cast, scheduled):
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:meetings_meeting_change", args=[scheduled.pk]),
        _admin_move(scheduled, _in(3), short_notice_reason=REASON),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    row = _row(scheduled)
    assert (row["short_notice_reason"], row["short_notice_by"]) == (REASON, cast.admin.pk)


def test_the_admin_schedule_action_is_refused_inside_the_period(client, cast, draft):
    client.force_login(cast.admin)
    before = _row(draft)

    response = client.post(
        reverse("admin:meetings_meeting_changelist"),
        {"action": "schedule", "_selected_action": [draft.pk]},
        follow=True,
    )

    assert escape(REFUSAL) in response.content.decode()
    assert _row(draft) == before


# --- The notices --------------------------------------------------------------------------


@pytest.fixture
def languages(cast):
    person_update(person=cast.member_person, preferred_language="ar", by=None)
    person_update(person=cast.observer_person, preferred_language="fr", by=None)


def _sent_to(person, subject: str = "") -> mail.EmailMessage:
    (message,) = [m for m in mail.outbox if person.email in m.to[0] and subject in m.subject]
    return message


def _sentence(language: str) -> str:
    with translation.override(language):
        return gettext("This meeting is called at short notice: %(reason)s.") % {"reason": REASON}


def test_the_invitation_says_it_is_a_short_notice_meeting_in_each_language(
    cast, draft, languages, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting_schedule(meeting=draft, by=cast.chair, short_notice_reason=f"{REASON}.")

    for person, language in (
        (cast.member_person, "ar"),
        (cast.observer_person, "fr"),
        (cast.chair_person, "en"),
    ):
        message = _sent_to(person)
        assert message.extra_headers["Content-Language"] == language
        assert _sentence(language) in message.body
        assert escape(_sentence(language)) in message.alternatives[0][0]


def test_the_update_that_moves_it_inside_the_period_says_so_too(
    cast, scheduled, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=scheduled, start_at=_in(3), short_notice_reason=REASON, by=None)

    assert _sentence("en") in _sent_to(cast.chair_person, "Updated:").body


def test_a_meeting_on_due_notice_says_nothing_of_it(
    cast, scheduled, django_capture_on_commit_callbacks
):
    meeting = Meeting.objects.get(pk=scheduled.pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=meeting, venue="Ministry of Interior", by=None)

    assert "short notice" not in _sent_to(cast.chair_person, "Updated:").body


def test_the_webhook_says_it_is_a_short_notice_meeting_as_the_schema_says(cast, draft, settings):
    settings.WEBHOOK_ALLOW_INSECURE = True
    webhook_endpoint_register(organisation=cast.moh, url="https://hooks.example.org/", by=None)

    meeting_schedule(meeting=draft, by=cast.chair, short_notice_reason=REASON)

    notice = Notice.objects.get(meeting=draft, channel=Notice.Channel.WEBHOOK)
    body = json.loads(webhook_body(notice))
    assert body["data"]["meeting"]["short_notice"] is True
    assert body["data"]["meeting"]["short_notice_reason"] == REASON
    request = openapi()["webhooks"][notice.event]["post"]["requestBody"]
    schema = {
        **request["content"]["application/json"]["schema"],
        "components": openapi()["components"],
    }
    jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)


def test_a_webhook_frozen_before_references_and_short_notice_still_meets_the_schema(
    cast, draft, settings
):
    # A notice written by the version before (still pending at the upgrade) has no
    # reference or short-notice fields in its payload; it is sent with their defaults.
    settings.WEBHOOK_ALLOW_INSECURE = True
    webhook_endpoint_register(organisation=cast.moh, url="https://hooks.example.org/", by=None)
    meeting_schedule(meeting=draft, by=cast.secretariat, short_notice_reason=REASON)
    notice = Notice.objects.get(meeting=draft, channel=Notice.Channel.WEBHOOK)
    for name in ("reference", "short_notice", "short_notice_reason"):
        del notice.payload["meeting"][name]

    body = json.loads(webhook_body(notice))

    meeting = body["data"]["meeting"]
    assert (meeting["reference"], meeting["short_notice"], meeting["short_notice_reason"]) == (
        "",
        False,
        "",
    )
    assert meeting["title"] == draft.title
    request = openapi()["webhooks"][notice.event]["post"]["requestBody"]
    schema = {
        **request["content"]["application/json"]["schema"],
        "components": openapi()["components"],
    }
    jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)
