"""The demo loader tells the seeds' story and is idempotent."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from groups.models import CoordinationGroup, Membership
from meetings.models import ActionPoint, Meeting
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_password(settings):
    # Tests run with DEBUG off, where the loader wants the password named explicitly.
    settings.DEMO_PASSWORD = "tansiq-demo"


def _snapshot() -> dict[str, list]:
    """Every row of every model the project owns, histories included."""
    snapshot = {}
    for model in apps.get_models():
        if model._meta.app_label in {"members", "groups", "meetings", "auth", "guardian"}:
            snapshot[model._meta.label] = list(model.objects.order_by("pk").values())
    return snapshot


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_loading_twice_changes_nothing():
    first = _load()
    after_first = _snapshot()

    second = _load()

    assert "records created" in first
    assert "nothing changed" in second
    assert _snapshot() == after_first


def test_demo_tells_the_story_of_the_seeds():
    _load()

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
    assert launch.attendance.filter(invitation__isnull=True).exists()  # the IOM HQ delegation
    assert launch.minutes.status == "published"
    assert Meeting.objects.filter(status="scheduled").exists()
    assert ActionPoint.objects.filter(status="open", due_on__lt=timezone.localdate()).exists()
    assert CoordinationGroup.objects.filter(kind="taskforce", name__startswith="AU–EU–UN").exists()


def test_demo_logins_are_the_personas_and_work():
    _load()

    for username in PERSONAS:
        assert authenticate(username=username, password="tansiq-demo") is not None, username


def test_member_persona_sits_in_the_working_group_and_its_health_sub_group():
    _load()
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
