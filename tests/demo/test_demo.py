"""The demo loader tells the seeds' story, true to its dates, and is idempotent."""

import dataclasses
import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from demo import story
from demo.loader import StoryError, demo_load
from groups.models import CoordinationGroup, Membership
from meetings.models import ActionPoint, Invitation, Meeting, Minutes
from meetings.services import action_points_remind_due
from members.models import Person
from notices.models import Notice, Reminder
from portal.api.serializers import utc_iso
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

ARABIC_LETTERS = range(0x0621, 0x064B)
PROJECT_APPS = {"members", "groups", "meetings", "decisions", "notices", "auth", "guardian"}


@pytest.fixture(autouse=True)
def _demo_password(settings):
    # Tests run with DEBUG off, where the loader wants the password named explicitly.
    settings.DEMO_PASSWORD = "tansiq-demo"


def _snapshot() -> dict[str, list]:
    """Every row of every model the project owns, histories and the outbox included."""
    snapshot = {}
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            snapshot[model._meta.label] = list(model.objects.order_by("pk").values())
    return snapshot


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded() -> dt.datetime:
    """The demo, freshly loaded; returns when the load began."""
    began = timezone.now()
    _load()
    return began


def test_loading_twice_changes_nothing():
    first = _load()
    after_first = _snapshot()

    second = _load()

    assert "records created" in first
    assert "nothing changed" in second
    assert _snapshot() == after_first


def test_demo_tells_the_story_of_the_seeds(loaded):
    framework = CoordinationGroup.objects.get(kind="framework")
    assert framework.endorsed_by.startswith("Senior Policy Committee")
    assert framework.established_on.isoformat() == "2017-07-18"
    assert framework.children.filter(kind="working_group").count() == 6
    mwg = framework.children.get(name="Migration Working Group")
    assert set(mwg.children.values_list("name", flat=True)) == {
        "Labour Policies Sub-group",
        "Border Management Sub-group",
        "Health Sub-group",
    }
    chair = Membership.objects.get(group=mwg, role="chair", end_on__isnull=True)
    co_chair = Membership.objects.get(group=mwg, role="co_chair", end_on__isnull=True)
    assert (chair.organisation.acronym, chair.seat_holder.full_name) == ("MoFA", "Jaalal Alashi")
    assert (co_chair.organisation.acronym, co_chair.seat_holder.full_name) == (
        "IOM",
        "Othman Belbeisi",
    )
    kinds = set(Membership.objects.filter(group=mwg).values_list("organisation__kind", flat=True))
    assert {"ministry", "embassy", "un_agency"} <= kinds

    launch = Meeting.objects.get(kind="launch")
    assert (launch.venue, launch.status) == ("Ministry of Planning, Tripoli", "held")
    assert launch.start_at == dt.datetime(2017, 11, 21, 10, 0, tzinfo=story.TRIPOLI)
    assert launch.attendance.filter(invitation__isnull=True).exists()  # the IOM HQ delegation
    assert launch.minutes.status == "published"
    assert Meeting.objects.filter(status="scheduled").exists()
    assert ActionPoint.objects.filter(status="open", due_on__lt=timezone.localdate()).exists()
    assert CoordinationGroup.objects.filter(kind="taskforce", name__startswith="AU–EU–UN").exists()


def test_demo_logins_are_the_personas_and_work(loaded):
    for username in PERSONAS:
        assert authenticate(username=username, password="tansiq-demo") is not None, username


def test_member_persona_sits_in_the_working_group_and_its_health_sub_group(loaded):
    from django.contrib.auth.models import User

    from groups.permissions import groups_managed_by, groups_visible_to

    member = User.objects.get(username="member")
    assert set(groups_visible_to(member).values_list("name", flat=True)) == {
        "Migration Working Group",
        "Health Sub-group",
    }
    assert not groups_managed_by(member).exists()
    outsider = User.objects.get(username="outsider")
    assert not groups_visible_to(outsider).exists()


def test_demo_is_refused_in_production_without_a_password(settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = None

    with pytest.raises(CommandError, match="Demo data is refused when DEBUG is off") as refused:
        call_command("load_demo")
    assert refused.value.returncode == 2
    assert not CoordinationGroup.objects.exists()


def test_every_past_meeting_is_held_or_cancelled_and_every_future_one_draft_or_scheduled(
    loaded,
):
    past = Meeting.objects.filter(start_at__lt=loaded)
    future = Meeting.objects.filter(start_at__gt=loaded)

    assert set(past.values_list("status", flat=True)) == {"held", "cancelled"}
    assert set(future.values_list("status", flat=True)) == {"draft", "scheduled"}
    assert past.count() + future.count() == Meeting.objects.count()
    # The story's meetings, and those made by its series.
    assert Meeting.objects.filter(series__isnull=True).count() == len(story.MEETINGS)
    assert Meeting.objects.filter(series__isnull=False).exists()


def test_every_invitation_to_a_past_meeting_was_answered_after_it_came_and_before_the_meeting(
    loaded,
):
    invitations = Invitation.objects.filter(meeting__status="held").select_related("meeting")

    assert invitations.exists()
    assert not invitations.filter(response="pending").exists()
    for invitation in Invitation.objects.exclude(response="pending").select_related("meeting"):
        assert invitation.created_at < invitation.responded_at < invitation.meeting.start_at
        assert invitation.responded_at < loaded


def test_every_held_meeting_has_its_attendance_register_of_people_who_did_not_decline(loaded):
    for meeting in Meeting.objects.filter(status="held"):
        register = meeting.attendance.all()
        assert register.exists(), meeting
        assert not register.filter(invitation__response="declined").exists(), meeting
        assert not register.exclude(recorded_at__range=(meeting.start_at, meeting.end_at)).exists()


def test_approved_and_published_minutes_read_like_minutes_and_follow_the_meeting(loaded):
    minutes = Minutes.objects.exclude(status="draft").select_related("meeting")

    # Every minutes of the story went through to publication (the full cycle:
    # tests/demo/test_demo_cycle.py).
    assert set(minutes.values_list("status", flat=True)) == {"published"}
    for record in minutes:
        assert not record.body.lower().startswith("draft"), record
        assert record.meeting.end_at < record.approved_at < loaded
        if record.status == "published":
            assert record.approved_at <= record.published_at < loaded


def test_past_meetings_were_announced_when_they_happened_and_nothing_about_them_waits(loaded):
    past_notices = Notice.objects.filter(meeting__start_at__lt=loaded)

    assert past_notices.exists()
    assert not past_notices.exclude(status="sent").exists()
    assert not past_notices.exclude(sent_at__lt=loaded).exists()
    for notice in Notice.objects.filter(kind="minutes").select_related("meeting__minutes"):
        assert notice.sent_at == notice.meeting.minutes.published_at
    # The invitations froze the meeting's real dates, not those it was scheduled with.
    for notice in past_notices.select_related("meeting"):
        assert notice.payload["meeting"]["start_at"] == utc_iso(notice.meeting.start_at)
    assert not Reminder.objects.filter(meeting__start_at__lt=loaded, done_at__isnull=True).exists()


def test_loading_mails_only_the_invitations_to_a_meeting_scheduled_today(
    django_capture_on_commit_callbacks,
):
    began = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        _load()

    mailed_now = Notice.objects.filter(sent_at__gte=began).select_related("meeting", "series")
    assert mailed_now.exists()
    assert len(mail.outbox) == mailed_now.count()
    # The invitations to the meetings scheduled today, and one to the series (its moved
    # meeting already in it: no update mail beside it).
    assert set(mailed_now.values_list("kind", flat=True)) == {"invitation", "series_invitation"}
    meetings = [n.meeting for n in mailed_now if n.kind == "invitation"]
    assert all(m.status == "scheduled" and m.start_at > began for m in meetings)
    assert all(n.series.status == "active" for n in mailed_now if n.kind == "series_invitation")
    assert not Notice.objects.exclude(status="sent").exists()


def test_action_points_of_old_meetings_are_closed_and_none_open_is_long_overdue(loaded):
    today = timezone.localdate()
    old = ActionPoint.objects.filter(meeting__start_at__year__lt=2024).select_related("meeting")

    assert old.exists()
    for action_point in old:
        assert action_point.status in {"done", "dropped"}, action_point
        assert action_point.meeting.end_at <= action_point.closed_at < loaded
    assert not ActionPoint.objects.filter(
        status="open", due_on__lt=today - dt.timedelta(days=30)
    ).exists()


def test_action_point_reminders_right_after_loading_leave_old_meetings_alone(loaded):
    reminded = action_points_remind_due()

    reminders = Notice.objects.filter(kind="action_due")
    assert 0 < reminded == reminders.count()
    assert not reminders.filter(action_point__meeting__start_at__year__lt=2024).exists()


def test_the_libyan_ministries_people_have_their_names_in_arabic(loaded):
    officials = Person.objects.filter(organisation__kind="ministry", organisation__country="LY")

    assert officials.count() >= 5
    for person in officials:
        assert person.full_name_ar, person
        assert all(
            ord(letter) in ARABIC_LETTERS or letter == " " for letter in person.full_name_ar
        ), person
    assert Person.objects.get(full_name="Jaalal Alashi").full_name_ar == "جلال العشي"


def test_a_story_untrue_to_its_dates_is_refused_and_nothing_is_loaded(monkeypatch):
    held_ahead = dataclasses.replace(
        story.BORDER_FIRST, title="Border management sub-group: second meeting", status="held"
    )
    monkeypatch.setattr(story, "MEETINGS", (*story.MEETINGS, held_ahead))

    with pytest.raises(StoryError, match="cannot be held"):
        demo_load(password="tansiq-demo")
    assert not CoordinationGroup.objects.exists()
    assert not Notice.objects.exists()
