"""The demo gives the Migration Working Group its terms of reference, which its
sub-groups follow, and none of its meetings breaks the notice period they set."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from groups.models import CoordinationGroup
from groups.selectors import terms_of_reference
from meetings.models import Meeting
from notices.models import Notice

pytestmark = pytest.mark.django_db

ARABIC_LETTERS = range(0x0621, 0x064B)


@pytest.fixture
def loaded(settings):
    settings.DEMO_PASSWORD = "tansiq-demo"
    call_command("load_demo", stdout=StringIO())


def test_the_migration_working_group_has_its_terms_of_reference(loaded):
    mwg = CoordinationGroup.objects.get(name="Migration Working Group")

    assert mwg.reference_code == "MWG"
    assert (mwg.endorsed_by, mwg.endorsed_on) == ("Senior Policy Committee", dt.date(2017, 7, 18))
    assert mwg.notice_period_days == 14
    assert (mwg.quorum_rule, mwg.quorum_value) == ("share", 50)
    assert (mwg.usual_duration_minutes, mwg.usual_venue) == (120, "Ministry of Planning, Tripoli")
    assert mwg.rhythm == "monthly"
    assert "irregular migration" in mwg.mandate
    assert any(ord(letter) in ARABIC_LETTERS for letter in mwg.mandate_ar)
    assert "migration irrégulière" in mwg.mandate_fr


def test_the_sub_groups_have_their_codes_and_follow_the_working_groups_terms(loaded):
    mwg = CoordinationGroup.objects.get(name="Migration Working Group")

    codes = set(mwg.children.values_list("reference_code", flat=True))

    assert codes == {"MWG-LAB", "MWG-BRD", "MWG-HLT"}
    for sub_group in mwg.children.all():
        terms = terms_of_reference(sub_group)
        assert (terms.notice_period_days, terms.quorum_value) == (14, 50)
        assert terms.inherited_from["notice_period_days"] == mwg
    working_groups = CoordinationGroup.objects.filter(kind="working_group")
    assert not working_groups.filter(reference_code="").exists()


def test_no_demo_meeting_was_called_at_short_notice(loaded):
    assert not Meeting.objects.exclude(short_notice_reason="").exists()
    assert not Meeting.objects.filter(short_notice_by__isnull=False).exists()
    for payload in Notice.objects.values_list("payload", flat=True):
        assert (payload.get("meeting") or {}).get("short_notice", False) is False


def test_the_working_groups_page_shows_its_endorsement(loaded, client):
    client.force_login(User.objects.get(username="member"))
    mwg = CoordinationGroup.objects.get(name="Migration Working Group")

    page = client.get(reverse("group-detail", args=[mwg.pk])).content.decode()

    assert "Endorsed by the Senior Policy Committee on 18 July 2017." in page
    assert "Half of the member organisations (50%); observers do not count." in page
