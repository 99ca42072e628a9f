"""The admin: every page answers, saves and actions go through the services."""

import datetime as dt

import pytest
from django.contrib import admin
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from groups.models import CoordinationGroup, Membership
from meetings.models import Meeting
from meetings.services import (
    action_point_create,
    decision_add,
    invitation_create,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    minutes_save,
)
from notices.models import Notice, NoticeAttempt
from notices.services import webhook_endpoint_register

pytestmark = pytest.mark.django_db
REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.fixture
def world(cast):
    """One held meeting with everything hanging off it, so every change page has a row."""
    past = timezone.now() - dt.timedelta(days=3)
    meeting = meeting_create(
        group=cast.mwg,
        title="Held meeting",
        start_at=past,
        end_at=past + dt.timedelta(hours=2),
        by=cast.secretariat,
    )
    invitation_create(meeting=meeting, person=cast.member_person, by=cast.secretariat)
    from meetings.services import agenda_item_add, attendance_record

    agenda_item_add(meeting=meeting, title="Opening", by=cast.secretariat)
    meeting_mark_held(meeting=meeting, by=cast.secretariat)
    attendance_record(meeting=meeting, person=cast.member_person, by=cast.secretariat)
    minutes_save(meeting=meeting, body="Minutes.", by=cast.secretariat)
    decision_add(meeting=meeting, text="Agreed.", by=cast.secretariat)
    action_point_create(
        meeting=meeting,
        title="Report back",
        owner_organisation=cast.moh,
        due_on=timezone.localdate(),
        by=cast.secretariat,
    )
    soon = timezone.now() + dt.timedelta(days=9)
    upcoming = meeting_create(
        group=cast.mwg,
        title="Upcoming",
        start_at=soon,
        end_at=soon + dt.timedelta(hours=1),
        by=cast.secretariat,
    )
    invitation_create(meeting=upcoming, person=cast.member_person, by=cast.secretariat)
    meeting_schedule(meeting=upcoming, by=cast.secretariat)  # writes notices and reminders
    NoticeAttempt.objects.create(notice=Notice.objects.first(), error="421 busy")
    with override_settings(WEBHOOK_ALLOW_INSECURE=True):
        webhook_endpoint_register(
            organisation=cast.moh,
            url="https://hooks.example.org/tansiq",
            events=[],
            by=cast.secretariat,
        )
    from members.services import api_token_create

    api_token_create(user=cast.member)
    return cast


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_admin_changelist_and_add_page_answer_200(client, world, app_label, model_name):
    client.force_login(world.admin)

    changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    add = client.get(reverse(f"admin:{app_label}_{model_name}_add"))

    assert changelist.status_code == 200
    assert add.status_code in {200, 403}
    if add.status_code == 403:
        # Read-only records refuse adding: affiliation history, the notice outbox, roles
        # (set by setup_roles) and API tokens (made by their owner through the API).
        assert (app_label, model_name) in {
            ("members", "affiliation"),
            ("notices", "notice"),
            ("auth", "group"),
            ("knox", "authtoken"),
        }


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_admin_change_and_history_pages_answer_200(client, world, app_label, model_name):
    client.force_login(world.admin)
    model = next(m for m in admin.site._registry if m._meta.model_name == model_name)
    obj = model.objects.first()
    assert obj is not None, f"the world fixture has no {model_name}"

    change = client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]))
    history = client.get(reverse(f"admin:{app_label}_{model_name}_history", args=[obj.pk]))

    assert change.status_code == 200
    assert history.status_code == 200


@pytest.mark.parametrize("model_name", ["coordinationgroup", "meeting"])
def test_guardian_object_permission_screens(client, world, model_name):
    client.force_login(world.admin)
    app = "groups" if model_name == "coordinationgroup" else "meetings"
    obj = (CoordinationGroup if app == "groups" else Meeting).objects.first()

    response = client.get(reverse(f"admin:{app}_{model_name}_permissions", args=[obj.pk]))

    assert response.status_code == 200
    assert b"Object permissions" in response.content


def test_group_history_shows_who_changed_it(client, world):
    client.force_login(world.admin)
    from groups.services import group_update

    group_update(group=world.border, description="Borders and coastguard", by=world.secretariat)

    response = client.get(reverse("admin:groups_coordinationgroup_history", args=[world.border.pk]))
    assert response.status_code == 200
    assert b"secretariat" in response.content
    latest = world.border.history.first()
    assert latest.history_user == world.secretariat
    assert latest.description == "Borders and coastguard"


def test_admin_creates_a_membership_through_the_service_granting_access(client, cast):
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:groups_membership_add"),
        {
            "group": cast.border.pk,
            "organisation": cast.moh.pk,
            "role": "member",
            "start_on": "2024-01-01",
            "representatives-TOTAL_FORMS": "0",
            "representatives-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(group=cast.border, organisation=cast.moh)
    assert membership.history.first().history_user == cast.admin


def test_admin_refuses_a_misplaced_group_and_creates_nothing(client, cast):
    client.force_login(cast.admin)
    before = CoordinationGroup.objects.count()

    response = client.post(
        reverse("admin:groups_coordinationgroup_add"),
        {
            "name": "Orphan",
            "kind": "sub_group",
            "status": "active",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "A sub-group cannot sit under the top level." in response.content.decode()
    assert CoordinationGroup.objects.count() == before


def test_admin_schedule_action_calls_the_service(client, cast):
    client.force_login(cast.admin)
    start = timezone.now() + dt.timedelta(days=5)
    future = meeting_create(
        group=cast.mwg,
        title="Future",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=cast.admin,
    )
    gone = meeting_create(
        group=cast.mwg,
        title="Past",
        start_at=start - dt.timedelta(days=30),
        end_at=start - dt.timedelta(days=30, hours=-1),
        by=cast.admin,
    )

    response = client.post(
        reverse("admin:meetings_meeting_changelist"),
        {"action": "schedule", "_selected_action": [future.pk, gone.pk]},
        follow=True,
    )

    future.refresh_from_db()
    gone.refresh_from_db()
    assert future.status == Meeting.Status.SCHEDULED
    assert gone.status == Meeting.Status.DRAFT
    text = response.content.decode()
    assert "Only a meeting in the future can be scheduled." in text
    assert "Schedule: 1 done." in text


def test_secretariat_staff_can_use_the_admin(client, cast):
    client.force_login(cast.secretariat)

    assert client.get(reverse("admin:meetings_meeting_changelist")).status_code == 200


def test_member_cannot_enter_the_admin(client, cast):
    client.force_login(cast.member)

    response = client.get(reverse("admin:meetings_meeting_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_resend_action_writes_a_new_notice_through_the_service(client, world):
    client.force_login(world.secretariat)
    original = Notice.objects.filter(person=world.member_person).first()
    before = Notice.objects.count()

    response = client.post(
        reverse("admin:notices_notice_changelist"),
        {"action": "resend", "_selected_action": [original.pk]},
        follow=True,
    )

    assert "Resend: 1 done." in response.content.decode()
    assert Notice.objects.count() == before + 1
    assert Notice.objects.filter(dedup_key=f"{original.dedup_key}:resend1").exists()


def test_admin_refuses_a_private_webhook_url_and_saves_nothing(client, world, settings):
    settings.WEBHOOK_ALLOW_INSECURE = False
    client.force_login(world.admin)
    before = world.moh.webhook_endpoints.count()

    response = client.post(
        reverse("admin:notices_webhookendpoint_add"),
        {
            "organisation": world.moh.pk,
            "url": "https://127.0.0.1/hook",
            "events": "[]",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert "Webhook URLs must point to a public address." in response.content.decode()
    assert world.moh.webhook_endpoints.count() == before
