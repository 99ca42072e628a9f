"""The admin: every page answers, saves and actions go through the services."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from groups.models import CoordinationGroup, Membership
from groups.services import confidentiality_set
from meetings.models import Meeting, MeetingSeries
from meetings.services import (
    action_point_create,
    decision_add,
    invitation_create,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    minutes_save,
    series_create,
)
from notices.models import CalendarReply, Notice, NoticeAttempt
from notices.services import webhook_endpoint_register

pytestmark = pytest.mark.django_db
REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.fixture
def world(cast, tmp_path):
    """One held meeting with everything hanging off it, so every change page has a row."""
    past = timezone.now() - dt.timedelta(days=3)
    meeting = meeting_create(
        group=cast.mwg,
        title="Held meeting",
        start_at=past,
        end_at=past + dt.timedelta(hours=2),
        by=cast.secretariat,
        record_past=True,
    )
    invitation_create(meeting=meeting, person=cast.member_person, by=cast.secretariat)
    from meetings.services import agenda_item_add, attendance_record

    agenda_item_add(meeting=meeting, title="Opening", by=cast.secretariat)
    meeting_mark_held(meeting=meeting, by=cast.secretariat)
    attendance_record(meeting=meeting, person=cast.member_person, by=cast.secretariat)
    minutes_save(meeting=meeting, body="Minutes.", by=cast.secretariat)
    decision = decision_add(meeting=meeting, text="Agreed.", by=cast.secretariat)
    # A change of label, so the trail has a row.
    confidentiality_set(
        record=decision, confidentiality="restricted", restricted_to=[cast.iom], by=cast.chair
    )
    point = action_point_create(
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
    # A meeting begun a moment ago reviews the held one's action point; the upcoming one
    # hears the health sub-group's report (its held meeting's minutes published).
    from meetings.follow_up import action_point_review, report_backs_propose
    from meetings.services import minutes_approve, minutes_publish

    begun = timezone.now() - dt.timedelta(minutes=5)
    reviewing = meeting_create(
        group=cast.mwg,
        title="Reviewing",
        start_at=begun,
        end_at=begun + dt.timedelta(hours=1),
        by=cast.secretariat,
        record_past=True,
    )
    action_point_review(
        action_point=point, meeting=reviewing, status="open", note="Under way.", by=cast.secretariat
    )
    health_meeting = meeting_create(
        group=cast.health,
        title="Health sub-group",
        start_at=past,
        end_at=past + dt.timedelta(hours=1),
        by=cast.secretariat,
        record_past=True,
    )
    meeting_mark_held(meeting=health_meeting, by=cast.secretariat)
    health_minutes = minutes_save(meeting=health_meeting, body="Met.", by=cast.secretariat)
    minutes_publish(
        minutes=minutes_approve(minutes=health_minutes, by=cast.secretariat), by=cast.secretariat
    )
    report_backs_propose(minutes=health_minutes, by=cast.secretariat)
    series_create(
        group=cast.mwg,
        title="Monthly coordination",
        frequency="monthly_day",
        month_day=15,
        start_time=dt.time(10, 0),
        duration_minutes=120,
        starts_on=timezone.localdate() + dt.timedelta(days=20),
        count=3,
        by=cast.secretariat,
    )
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
    # Calendar replies are rows the mailbox reader writes; one ignored reply stands in.
    CalendarReply.objects.create(
        message_key="<reply@example.org>",
        sender="someone@example.org",
        subject="Accepted: Upcoming",
        outcome=CalendarReply.Outcome.IGNORED,
        reason=CalendarReply.Reason.NO_TOKEN,
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.services import document_create

    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        document_create(
            group=cast.mwg,
            meeting=meeting,
            title="Annex",
            upload=SimpleUploadedFile("annex.txt", b"Annex."),
            by=cast.secretariat,
        )
    # A written procedure circulated, so its change page has a row and its answers.
    from decisions.services import procedure_circulate, procedure_create

    procedure_circulate(
        procedure=procedure_create(
            group=cast.mwg,
            title="Silence procedure",
            text="Adopted unless objected to.",
            deadline=timezone.now() + dt.timedelta(days=3),
            by=cast.secretariat,
        ),
        by=cast.secretariat,
    )
    return cast


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_admin_changelist_and_add_page_answer_200(client, world, app_label, model_name):
    client.force_login(world.admin)

    changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    add = client.get(reverse(f"admin:{app_label}_{model_name}_add"))

    assert changelist.status_code == 200
    assert add.status_code in {200, 403}
    if add.status_code == 403:
        # Read-only records refuse adding: affiliation history, the notice outbox, the
        # calendar replies read from the mailbox, roles (set by setup_roles) and API
        # tokens (made by their owner through the API), the changes of labels (written
        # by groups.services.confidentiality_set).
        assert (app_label, model_name) in {
            ("members", "affiliation"),
            ("notices", "notice"),
            ("notices", "calendarreply"),
            ("auth", "group"),
            ("members", "apitoken"),
            ("groups", "confidentialitychange"),
            # Written by the meetings' follow-up (meetings.follow_up), never by hand.
            ("meetings", "actionpointreview"),
            ("meetings", "reportback"),
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
        record_past=True,
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


def _english_labels(model_admin, request) -> set[str]:
    """What the changelist of a ModelAdmin would show in English: the model's plural,
    the column headings, the actions and the filters' titles."""
    from django.contrib.admin.utils import label_for_field
    from django.utils.text import capfirst
    from django.utils.translation import override

    opts = model_admin.model._meta
    with override("en"):
        labels = {str(capfirst(opts.verbose_name_plural))}
        for name in model_admin.get_list_display(request):
            if name != "__str__":
                labels.add(str(label_for_field(name, model_admin.model, model_admin)))
        for _function, _name, description in model_admin.get_actions(request).values():
            labels.add(str(description) % {"verbose_name_plural": opts.verbose_name_plural})
        for spec in model_admin.get_list_filter(request):
            field = spec if isinstance(spec, str) else spec[0]
            labels.add(str(label_for_field(field.split("__")[0], model_admin.model)))
    return labels


def _page_text(html: str) -> set[str]:
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.pieces: set[str] = set()

        def handle_data(self, data):
            self.pieces.add(data.strip().rstrip(":").strip())

    parser = Text()
    parser.feed(html)
    return parser.pieces


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_admin_changelist_in_arabic_shows_no_english_names(
    rf, client, world, app_label, model_name
):
    client.force_login(world.admin)
    client.cookies["django_language"] = "ar"
    model_admin = next(
        admin_
        for model, admin_ in admin.site._registry.items()
        if model._meta.model_name == model_name
    )
    request = rf.get("/")
    request.user = world.admin

    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))

    assert response.status_code == 200
    shown = _page_text(response.content.decode())
    english = {label for label in _english_labels(model_admin, request) if label.isascii()}
    assert sorted(english & shown) == []
    assert "Tansiq administration" not in shown


@pytest.mark.parametrize("model_name", ["coordinationgroup", "meeting"])
def test_guardian_screens_in_arabic_name_permissions_in_arabic(client, world, model_name):
    from meetings.services import meeting_access_set

    client.force_login(world.admin)
    client.cookies["django_language"] = "ar"
    if model_name == "meeting":
        obj = Meeting.objects.first()
        meeting_access_set(
            meeting=obj, user=world.outsider, permissions={"view_meeting"}, by=world.admin
        )
        url = reverse("admin:meetings_meeting_permissions", args=[obj.pk])
        manage = reverse(
            "admin:meetings_meeting_permissions_manage_user", args=[obj.pk, world.outsider.pk]
        )
    else:
        obj = world.mwg
        url = reverse("admin:groups_coordinationgroup_permissions", args=[obj.pk])
        manage = None

    shown = _page_text(client.get(url).content.decode())
    if manage is not None:
        shown |= _page_text(client.get(manage).content.decode())

    assert "صلاحيات العنصر" in shown
    codenames = set(Permission.objects.values_list("codename", flat=True))
    assert not {text for text in shown if text.startswith("Can ")}
    assert not shown & codenames
    model = "اجتماع" if model_name == "meeting" else "مجموعة"
    assert f"يمكنه عرض {model}" in shown
    assert "User identification" not in shown


def test_the_permission_pickers_script_strings_are_in_arabic(client, cast):
    """The two-list picker of the object-permission screens speaks Arabic too: Django's
    own Arabic catalogue lacks its newer strings, the portal's supplies them."""
    client.force_login(cast.admin)
    catalog = client.get(reverse("admin:jsi18n"), headers={"accept-language": "ar"})
    text = catalog.content.decode()
    assert "\\u0627\\u062e\\u062a\\u064a\\u0627\\u0631 \\u0643\\u0644 %s" in text or (
        "اختيار كل %s" in text
    )
    assert '"Choose all %s": "Choose all %s"' not in text


def test_admin_makes_a_series_through_its_service_and_keeps_its_rule(client, cast):
    client.force_login(cast.admin)
    starts_on = timezone.localdate() + dt.timedelta(days=20)
    form = {
        "group": cast.mwg.pk,
        "title": "Weekly returns desk",
        "kind": "regular",
        "frequency": "weekly",
        "interval": 1,
        "weekday": 1,
        "start_time": "09:30",
        "duration_minutes": 60,
        "time_zone": "Africa/Tripoli",
        "starts_on": starts_on.isoformat(),
        "count": 4,
        "create_ahead_days": 90,
        "occurrences-TOTAL_FORMS": 0,
        "occurrences-INITIAL_FORMS": 0,
    }

    refused = client.post(reverse("admin:meetings_meetingseries_add"), {**form, "weekday": ""})
    made = client.post(reverse("admin:meetings_meetingseries_add"), form)

    assert refused.status_code == 200
    assert "A weekly series needs its day of the week." in refused.content.decode()
    assert made.status_code == 302
    series = MeetingSeries.objects.get()
    assert series.occurrences.count() == 4
    assert series.history.first().history_user == cast.admin
    change = client.get(reverse("admin:meetings_meetingseries_change", args=[series.pk]))
    assert b'name="frequency"' not in change.content
    assert b'name="title"' in change.content
