"""Before a series' invitations go out: the preview says which meetings will be scheduled,
who will be invited, which member organisations nobody reaches, who has no e-mail
address, and shows the series' invitation in each language; nothing is sent until the
scheduler confirms, and the confirmation schedules the series as before."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import CoordinationGroup, Membership
from groups.services import membership_create
from meetings.models import Meeting, MeetingSeries
from meetings.selectors import UnreachedReason, group_invitees, series_schedule_preview
from meetings.services import invitation_create, series_create
from members.models import Person
from members.services import organisation_create
from notices.content import email_for, series_invitation_previews
from notices.models import Notice
from tests.api.conftest import fingerprint
from tests.conftest import LAUNCH
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db
TITLE = "Monthly coordination"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Form tokens live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def series(cast):
    """Three monthly meetings of the MWG, as drafts; the member reads Arabic, the
    member's colleague has no e-mail address, and the MWG has a member ministry and an
    observer embassy with no representative."""
    Person.objects.filter(pk=cast.member_person.pk).update(preferred_language="ar")
    Person.objects.filter(pk=cast.member_colleague.pk).update(email="")
    labour = organisation_create(name="Ministry of Labour", kind="ministry", by=None)
    spain = organisation_create(name="Embassy of Spain", kind="embassy", by=None)
    membership_create(group=cast.mwg, organisation=labour, start_on=LAUNCH, by=None)
    membership_create(
        group=cast.mwg,
        organisation=spain,
        role=Membership.Role.OBSERVER,
        start_on=LAUNCH,
        by=None,
    )
    return series_create(
        group=cast.mwg,
        title=TITLE,
        frequency=MeetingSeries.Frequency.MONTHLY_DAY,
        month_day=15,
        start_time=dt.time(10, 0),
        duration_minutes=120,
        time_zone="Africa/Tripoli",
        starts_on=timezone.localdate() + dt.timedelta(days=20),
        count=3,
        create_ahead_days=400,
        by=cast.secretariat,
    )


def _preview_url(series) -> str:
    return reverse("series-schedule-preview", args=[series.pk])


def test_preview_says_who_is_invited_and_whom_nobody_reaches(cast, series):
    preview = series_schedule_preview(series)

    assert [
        (group.organisation.name, [person.full_name for person in group.people])
        for group in preview.invitees
    ] == [
        ("Embassy of Italy", ["Marco Observer"]),
        ("International Organization for Migration", ["Othman Belbeisi"]),
        ("Ministry of Foreign Affairs", ["Jaalal Alashi"]),
        ("Ministry of Health", ["Amina Health", "Karim Alternate"]),
    ]
    assert [
        (item.organisation.name, item.reason, item.is_observer)
        for item in preview.unreached_organisations
    ] == [
        ("Embassy of Spain", UnreachedReason.NO_REPRESENTATIVE, True),
        ("Ministry of Labour", UnreachedReason.NO_REPRESENTATIVE, False),
    ]
    assert [person.full_name for person in preview.without_email] == ["Karim Alternate"]
    assert len(preview.recipients) == 4
    year = preview.occurrences[0].start_at.astimezone(series.zone).year
    assert preview.occurrences[0].reference == f"G{cast.mwg.pk}/{year}/01"
    assert len({occurrence.reference for occurrence in preview.occurrences}) == 3
    assert set(series.occurrences.values_list("status", "reference")) == {("draft", "")}


def test_preview_invites_whom_inviting_the_group_invites(cast, series):
    """The preview and invitations_create_for_group read the same selector."""
    invitees = {
        person.pk for group in series_schedule_preview(series).invitees for person in group.people
    }

    assert invitees == set(group_invitees(cast.mwg).values_list("pk", flat=True))


def test_preview_counts_someone_already_invited_to_one_of_the_meetings(cast, series):
    first = series.occurrences.order_by("start_at").first()
    invitation_create(meeting=first, person=cast.outsider_person, by=cast.secretariat)

    preview = series_schedule_preview(series)

    assert "Olivia Outsider" in [person.full_name for person in preview.recipients]


def test_preview_page_shows_everything_and_sends_nothing(cast, series, client):
    login(client, cast, "secretariat")
    before = fingerprint()

    response = client.get(_preview_url(series))

    assert response.status_code == 200
    assert fingerprint() == before
    assert Notice.objects.count() == 0
    page = response.content.decode()
    scheduled = re.search(r'<table id="scheduled"(.*?)</table>', page, re.S).group(1)
    assert scheduled.count("<tr>") == 4  # the head and three meetings
    assert "10:00" in scheduled  # in the series' zone
    unreached = re.search(r'<ul id="unreached">(.*?)</ul>', page, re.S).group(1)
    assert re.search(r'Embassy of Spain</bdi> <span class="badge">Observer', unreached)
    assert "Ministry of Labour</bdi> —" in unreached
    assert "It has no current representative." in unreached
    without_email = re.search(r'<ul id="without-email">(.*?)</ul>', page, re.S).group(1)
    assert "Karim Alternate" in without_email
    assert "Amina Health" not in without_email
    assert f"Invitation to a series of meetings: {TITLE}" in page
    assert f"دعوة إلى سلسلة اجتماعات: {TITLE}" in page
    assert 'lang="ar" dir="rtl"' in page
    assert f'action="{reverse("series-schedule", args=[series.pk])}"' in page
    assert 'id="short-notice"' not in page


def test_preview_message_is_the_series_invitation_as_it_will_be_sent(cast, series, client):
    preview = series_schedule_preview(series)
    messages = series_invitation_previews(series, preview.announced, preview.recipients)
    assert [message.language for message in messages] == ["en", "ar"]
    english = messages[0]
    for occurrence in preview.occurrences:
        assert occurrence.reference in english.text
    login(client, cast, "secretariat")

    client.post(reverse("series-schedule", args=[series.pk]), {"form_token": "p1"})

    assert [o.reference for o in series.occurrences.order_by("start_at")] == [
        o.reference for o in preview.occurrences
    ]
    for message in messages:
        notice = Notice.objects.get(
            channel="email", kind=Notice.Kind.SERIES_INVITATION, person=message.recipient
        )
        sent = email_for(notice, None)
        assert sent.subject == message.subject
        assert sent.body == message.text


def test_confirming_schedules_the_series_and_sends_one_invitation_each(cast, series, client):
    login(client, cast, "chair")
    client.get(_preview_url(series))

    response = client.post(reverse("series-schedule", args=[series.pk]), {"form_token": "p2"})

    assert response.status_code == 302
    assert set(series.occurrences.values_list("status", flat=True)) == {"scheduled"}
    emailed = Notice.objects.filter(channel="email")
    assert set(emailed.values_list("kind", flat=True)) == {Notice.Kind.SERIES_INVITATION}
    assert set(emailed.values_list("person__full_name", flat=True)) == {
        "Jaalal Alashi",
        "Othman Belbeisi",
        "Amina Health",
        "Karim Alternate",
        "Marco Observer",
    }


def test_the_series_page_links_to_the_preview_not_straight_to_scheduling(cast, series, client):
    login(client, cast, "secretariat")

    page = client.get(reverse("series-detail", args=[series.pk])).content.decode()

    assert _preview_url(series) in page
    assert f'action="{reverse("series-schedule", args=[series.pk])}"' not in page


def test_preview_asks_for_a_reason_when_the_first_meeting_is_at_short_notice(cast, series, client):
    # The first meeting is 20 to 51 days away.
    CoordinationGroup.objects.filter(pk=cast.mwg.pk).update(notice_period_days=90)
    login(client, cast, "secretariat")

    page = client.get(_preview_url(series)).content.decode()

    assert 'id="short-notice"' in page
    assert 'name="short_notice_reason"' in page
    client.post(reverse("series-schedule", args=[series.pk]), {"form_token": "p5"})
    assert Notice.objects.count() == 0
    assert set(series.occurrences.values_list("status", flat=True)) == {"draft"}
    client.post(
        reverse("series-schedule", args=[series.pk]),
        {"form_token": "p6", "short_notice_reason": "Returns from Tunisia this month"},
    )
    assert set(series.occurrences.values_list("status", flat=True)) == {"scheduled"}


def test_preview_of_a_scheduled_series_goes_back_to_the_series(cast, series, client):
    login(client, cast, "secretariat")
    client.post(reverse("series-schedule", args=[series.pk]), {"form_token": "p3"})
    sent = Notice.objects.count()

    response = client.get(_preview_url(series), follow=True)

    assert response.redirect_chain[-1][0] == reverse("series-detail", args=[series.pk])
    assert "no meeting in draft still to come" in response.content.decode()
    assert Notice.objects.count() == sent


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("member", 403), ("observer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_preview_and_scheduling_are_for_those_who_schedule(cast, series, client, persona, expected):
    login(client, cast, persona)
    before = fingerprint()

    preview = client.get(_preview_url(series))
    schedule = client.post(reverse("series-schedule", args=[series.pk]), {"form_token": "p4"})

    assert (preview.status_code, schedule.status_code) == (expected, expected)
    assert fingerprint() == before
    assert Notice.objects.count() == 0
    assert set(series.occurrences.values_list("status", flat=True)) == {Meeting.Status.DRAFT}


def test_preview_page_queries_are_bounded(cast, series, client, django_assert_max_num_queries):
    login(client, cast, "secretariat")
    with django_assert_max_num_queries(15):
        response = client.get(_preview_url(series))
    assert response.status_code == 200


def test_preview_page_costs_the_same_for_twelve_meetings(cast, series, client):
    longer = series_create(
        group=cast.mwg,
        title="Weekly coordination",
        frequency=MeetingSeries.Frequency.WEEKLY,
        weekday=1,
        start_time=dt.time(9, 0),
        duration_minutes=60,
        time_zone="Africa/Tripoli",
        starts_on=timezone.localdate() + dt.timedelta(days=20),
        count=12,
        create_ahead_days=400,
        by=cast.secretariat,
    )
    Person.objects.filter(pk=cast.chair_person.pk).update(preferred_language="fr")
    login(client, cast, "secretariat")
    client.get(_preview_url(series))  # the session and the caches, once

    with CaptureQueriesContext(connection) as three:
        client.get(_preview_url(series))
    with CaptureQueriesContext(connection) as twelve:
        client.get(_preview_url(longer))

    assert len(twelve) == len(three)
