"""No admin page deletes what carries history, and every admin save goes through a service."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_perms
from knox.models import AuthToken

from groups.models import CoordinationGroup, Membership, Representative
from groups.services import person_deactivate
from meetings.models import ActionPoint, Decision, Invitation, Meeting, Minutes
from meetings.services import (
    action_point_create,
    decision_add,
    invitation_create,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    minutes_save,
)
from members.models import Affiliation, ApiToken, Organisation, Person
from members.services import api_token_create
from notices.models import Notice, WebhookEndpoint
from notices.services import webhook_endpoint_register
from portal.admin_base import ServiceAdmin

pytestmark = pytest.mark.django_db


def _meeting(cast, *, days: int, title: str = "Meeting") -> Meeting:
    start = timezone.now() + dt.timedelta(days=days)
    return meeting_create(
        group=cast.mwg,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        record_past=True,
    )


def _delete(client, model, obj):
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk])
    return client.post(url, {"post": "yes"})


def _bulk_delete(client, model, objs):
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    ids = [str(obj.pk) for obj in objs]
    return client.post(url, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})


@pytest.fixture
def history(cast):
    """A held meeting with an answer, minutes and a decision; a scheduled one with notices."""
    held = _meeting(cast, days=-3, title="Held")
    invitation_create(meeting=held, person=cast.member_person, by=None)
    meeting_mark_held(meeting=held, by=None)
    minutes_save(meeting=held, body="Minutes.", by=None)
    decision_add(meeting=held, text="Agreed.", by=None)
    action_point_create(
        meeting=held,
        title="Report back",
        owner_organisation=cast.moh,
        due_on=timezone.localdate(),
        by=None,
    )
    api_token_create(user=cast.member)
    scheduled = _meeting(cast, days=9, title="Scheduled")
    invitation_create(meeting=scheduled, person=cast.member_person, by=None)
    meeting_schedule(meeting=scheduled, by=None)
    with override_settings(WEBHOOK_ALLOW_INSECURE=True):
        webhook_endpoint_register(organisation=cast.moh, url="https://h.example.org/", by=None)
    return held, scheduled


@pytest.mark.parametrize(
    "model",
    [
        Organisation,
        Person,
        CoordinationGroup,
        Membership,
        Representative,
        Invitation,
        Minutes,
        Decision,
        Notice,
        WebhookEndpoint,
        ActionPoint,
        Affiliation,
        User,
        ApiToken,
    ],
)
def test_admin_cannot_delete_what_carries_history(client, cast, history, model):
    client.force_login(cast.admin)
    rows = list(model.objects.all())
    assert rows

    single = _delete(client, model, rows[0])
    bulk = _bulk_delete(client, model, rows)

    assert single.status_code == 403
    assert bulk.status_code in {200, 302}
    assert model.objects.count() == len(rows)


def test_admin_deletes_a_draft_meeting_but_never_a_scheduled_or_held_one(client, cast, history):
    held, scheduled = history
    draft = _meeting(cast, days=20, title="Draft")
    client.force_login(cast.admin)

    refused = [_delete(client, Meeting, meeting) for meeting in (held, scheduled)]
    accepted = _delete(client, Meeting, draft)

    assert [response.status_code for response in refused] == [403, 403]
    assert accepted.status_code == 302
    assert set(Meeting.objects.values_list("title", flat=True)) == {"Held", "Scheduled"}


def test_admin_deactivates_an_organisation_ending_its_seats_and_access(client, cast):
    client.force_login(cast.admin)
    url = reverse("admin:members_organisation_changelist")

    client.post(
        url,
        {"action": "deactivate_(ends_its_memberships)", "_selected_action": [cast.moh.pk]},
    )

    cast.moh.refresh_from_db()
    assert cast.moh.is_active is False
    assert not Membership.objects.filter(organisation=cast.moh, end_on__isnull=True).exists()
    assert not cast.member.has_perm("groups.view_coordinationgroup", cast.health)
    assert Organisation.objects.filter(pk=cast.moh.pk).exists()


def test_a_deactivated_person_is_not_invited(cast):
    person_deactivate(person=cast.member_colleague, by=None)
    meeting = _meeting(cast, days=5)

    with pytest.raises(ValidationError, match="no longer active"):
        invitation_create(meeting=meeting, person=cast.member_colleague, by=None)
    assert not meeting.invitations.exists()


def test_admin_saves_a_webhook_url_change_through_the_service(client, cast, settings):
    settings.WEBHOOK_ALLOW_INSECURE = True
    endpoint = webhook_endpoint_register(
        organisation=cast.moh, url="https://old.example.org/", by=None
    )
    client.force_login(cast.admin)
    url = reverse("admin:notices_webhookendpoint_change", args=[endpoint.pk])

    response = client.post(
        url, {"url": "https://new.example.org/", "events": "[]", "is_active": "on"}
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == "https://new.example.org/"


def test_admin_refuses_a_changed_webhook_url_to_a_private_address(client, cast, settings):
    settings.WEBHOOK_ALLOW_INSECURE = True
    endpoint = webhook_endpoint_register(
        organisation=cast.moh, url="https://old.example.org/", by=None
    )
    settings.WEBHOOK_ALLOW_INSECURE = False
    client.force_login(cast.admin)
    url = reverse("admin:notices_webhookendpoint_change", args=[endpoint.pk])

    response = client.post(url, {"url": "https://127.0.0.1/", "events": "[]", "is_active": "on"})

    assert response.status_code == 200
    assert b"public address" in response.content
    endpoint.refresh_from_db()
    assert endpoint.url == "https://old.example.org/"


def test_admin_invitation_cannot_change_its_person(client, cast, history):
    _, scheduled = history
    invitation = scheduled.invitations.get()
    client.force_login(cast.admin)
    url = reverse("admin:meetings_invitation_change", args=[invitation.pk])

    response = client.post(url, {"meeting": scheduled.pk, "person": cast.observer_person.pk})

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.person == cast.member_person


def test_admin_form_shows_a_service_refusal_and_changes_nothing(client, cast, history):
    held, _ = history
    client.force_login(cast.admin)
    url = reverse("admin:meetings_meeting_change", args=[held.pk])
    start = timezone.localtime(held.start_at)

    response = client.post(
        url,
        {
            "title": "Renamed after the fact",
            "kind": held.kind,
            "start_at_0": start.date().isoformat(),
            "start_at_1": start.time().isoformat(timespec="minutes"),
            "end_at_0": start.date().isoformat(),
            "end_at_1": (start + dt.timedelta(hours=3)).time().isoformat(timespec="minutes"),
            "time_zone": held.time_zone,
            "agenda_items-TOTAL_FORMS": "0",
            "agenda_items-INITIAL_FORMS": "0",
            "invitations-TOTAL_FORMS": "1",
            "invitations-INITIAL_FORMS": "1",
        },
    )

    assert response.status_code == 200
    assert b"cannot be changed" in response.content
    held.refresh_from_db()
    assert held.title == "Held"


def test_seat_grant_screens_are_read_only(client, cast):
    client.force_login(cast.admin)
    group_screen = reverse("admin:groups_coordinationgroup_permissions", args=[cast.mwg.pk])
    manage_user = reverse(
        "admin:groups_coordinationgroup_permissions_manage_user",
        args=[cast.mwg.pk, cast.outsider.pk],
    )

    shown = client.get(group_screen)
    refused = client.post(manage_user, {"permissions": ["view_coordinationgroup"]})

    assert shown.status_code == 200
    assert b"follow from memberships" in shown.content
    assert refused.status_code == 403
    assert not cast.outsider.has_perm("groups.view_coordinationgroup", cast.mwg)


def test_meeting_access_granted_in_the_admin_goes_through_the_service(client, cast):
    meeting = _meeting(cast, days=4)
    client.force_login(cast.admin)
    url = reverse(
        "admin:meetings_meeting_permissions_manage_user", args=[meeting.pk, cast.outsider.pk]
    )

    response = client.post(url, {"permissions": ["view_meeting", "delete_meeting"]})
    granted = client.post(url, {"permissions": ["view_meeting"]})

    screen = client.get(reverse("admin:meetings_meeting_permissions", args=[meeting.pk]))
    assert b"submit_manage_user" in screen.content
    assert b"submit_manage_group" not in screen.content  # people only, one by one
    assert response.status_code == 200  # delete_meeting is not a choice
    assert granted.status_code == 302
    assert get_perms(cast.outsider, meeting) == ["view_meeting"]


def test_admin_actions_change_roles_and_logins_through_the_services(client, cast):
    client.force_login(cast.admin)
    url = reverse("admin:auth_user_changelist")
    token, _secret = api_token_create(user=cast.member)

    client.post(url, {"action": "make_secretariat_staff", "_selected_action": [cast.outsider.pk]})
    client.post(url, {"action": "switch_the_login_off", "_selected_action": [cast.member.pk]})

    outsider = User.objects.get(pk=cast.outsider.pk)
    assert outsider.is_staff
    assert outsider.groups.filter(name="Secretariat").exists()
    assert User.objects.get(pk=cast.member.pk).is_active is False
    assert not AuthToken.objects.filter(pk=token.pk).exists()


def test_admin_user_form_cannot_grant_superuser_or_roles(client, cast):
    client.force_login(cast.admin)
    url = reverse("admin:auth_user_change", args=[cast.outsider.pk])

    client.post(
        url,
        {
            "username": "outsider",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [1],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00",
        },
    )

    outsider = User.objects.get(pk=cast.outsider.pk)
    assert not outsider.is_superuser
    assert not outsider.is_staff
    assert not outsider.groups.exists()


def test_an_admin_that_saves_through_services_must_name_its_service():
    with pytest.raises(TypeError, match="must define service_save"):
        type("ForgetfulAdmin", (ServiceAdmin,), {"__module__": __name__})
