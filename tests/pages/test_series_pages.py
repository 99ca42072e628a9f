"""The series pages: a new series for a group, its page with its meetings, scheduling,
changing it with a preview, cancelling; refusals change nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, MeetingSeries
from meetings.services import (
    meeting_cancel,
    meeting_update,
    series_schedule,
)
from notices.models import Notice
from tests.pages.conftest import login
from tests.series import monthly_series

pytestmark = pytest.mark.django_db


def _form(cast, **overrides) -> dict:
    return {
        "group": cast.mwg.pk,
        "title": "Monthly coordination",
        "kind": "regular",
        "frequency": "monthly_weekday",
        "interval": "1",
        "weekday": "1",
        "month_day": "",
        "week_of_month": "2",
        "start_time": "10:00",
        "duration_minutes": "120",
        "time_zone": "Europe/Rome",
        "venue": "Ministry of Foreign Affairs, Tripoli",
        "online_url": "",
        "starts_on": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "ends_on": "",
        "count": "12",
        "create_ahead_days": "400",
        "description": "",
        **overrides,
    }


@pytest.fixture
def series(cast):
    """Twelve monthly meetings of the MWG, scheduled; the second cancelled and the third
    moved by hand."""
    made = monthly_series(cast.mwg, by=cast.secretariat)
    series_schedule(series=made, by=cast.secretariat)
    occurrences = list(made.occurrences.order_by("occurrence_start"))
    meeting_cancel(meeting=occurrences[1], reason="Holiday", by=cast.secretariat)
    meeting_update(
        meeting=occurrences[2],
        start_at=occurrences[2].start_at + dt.timedelta(days=1),
        end_at=occurrences[2].end_at + dt.timedelta(days=1),
        by=cast.secretariat,
    )
    return made


def test_the_group_page_offers_a_new_series_to_its_managers(client, cast):
    login(client, cast, "chair")
    page = client.get(reverse("group-detail", args=[cast.mwg.pk])).content.decode()

    assert f"{reverse('series-create')}?group={cast.mwg.pk}" in page


def test_a_new_series_makes_its_first_meetings_as_drafts(client, cast):
    login(client, cast, "secretariat")
    assert client.get(reverse("series-create") + f"?group={cast.mwg.pk}").status_code == 200

    response = client.post(reverse("series-create"), _form(cast))

    series = MeetingSeries.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("series-detail", args=[series.pk])
    assert series.occurrences.count() == 12
    assert set(series.occurrences.values_list("status", flat=True)) == {"draft"}
    assert (series.weekday, series.week_of_month, series.month_day) == (1, 2, None)
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"weekday": ""}, "weekday", "A series on a weekday of the month needs the day"),
        ({"week_of_month": ""}, "week_of_month", "needs which one"),
        ({"ends_on": "2031-01-01"}, "ends_on", "one of the two"),
        ({"starts_on": "2020-01-01"}, "starts_on", "must be in the future"),
        ({"time_zone": "Factory"}, "time_zone", "Choose a time zone from the list"),
        ({"interval": "0"}, "interval", ""),
    ],
)
def test_a_rule_that_does_not_hold_is_shown_next_to_its_field(
    client, cast, overrides, field, message
):
    login(client, cast, "secretariat")

    response = client.post(reverse("series-create"), _form(cast, **overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not MeetingSeries.objects.exists()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("persona", ["member", "observer", "outsider"])
def test_a_member_agency_cannot_create_a_series(client, cast, persona):
    login(client, cast, persona)

    shown = client.get(reverse("series-create"))
    sent = client.post(reverse("series-create"), _form(cast))

    assert (shown.status_code, sent.status_code) == (403, 403)
    assert not MeetingSeries.objects.exists()
    assert not Meeting.objects.exists()


def test_the_series_page_lists_its_meetings_with_what_happened_to_them(client, cast, series):
    login(client, cast, "member")

    response = client.get(reverse("series-detail", args=[series.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    occurrences = list(series.occurrences.order_by("occurrence_start"))
    for occurrence in occurrences:
        assert reverse("meeting-detail", args=[occurrence.pk]) in page
        assert occurrence.reference in page
    assert "Every month on day 15, at 10:00 (Europe/Rome); 12 meetings" in page
    assert "Cancelled: left out of the calendars" in page
    assert "Moved from" in page
    # A member sees the series, and no way to change it.
    assert reverse("series-edit", args=[series.pk]) not in page
    assert reverse("series-cancel", args=[series.pk]) not in page


def test_the_series_page_reads_in_arabic_and_french(client, cast, series):
    login(client, cast, "chair")
    for language in ("ar", "fr"):
        client.cookies["django_language"] = language
        response = client.get(reverse("series-detail", args=[series.pk]))
        assert response.status_code == 200
        assert f'lang="{language}"' in response.content.decode()


def test_the_series_page_costs_the_same_for_twelve_meetings(
    client, cast, series, django_assert_max_num_queries
):
    for persona in ("secretariat", "member"):
        login(client, cast, persona)
        with django_assert_max_num_queries(14):
            assert client.get(reverse("series-detail", args=[series.pk])).status_code == 200


def test_each_meeting_says_it_is_part_of_its_series(client, cast, series):
    login(client, cast, "member")
    occurrence = series.occurrences.order_by("occurrence_start").first()

    page = client.get(reverse("meeting-detail", args=[occurrence.pk])).content.decode()

    assert "Part of the series" in page
    assert reverse("series-detail", args=[series.pk]) in page


def test_an_outsider_does_not_see_the_series(client, cast, series):
    login(client, cast, "outsider")

    assert client.get(reverse("series-detail", args=[series.pk])).status_code == 404


def test_scheduling_from_the_page_sends_one_invitation_per_person(client, cast):
    login(client, cast, "secretariat")
    client.post(reverse("series-create"), _form(cast))
    series = MeetingSeries.objects.get()
    page = client.get(reverse("series-detail", args=[series.pk])).content.decode()
    assert reverse("series-schedule-preview", args=[series.pk]) in page

    response = client.post(reverse("series-schedule", args=[series.pk]), {"form_token": "t1"})

    assert response.status_code == 302
    assert set(series.occurrences.values_list("status", flat=True)) == {"scheduled"}
    kinds = set(Notice.objects.filter(channel="email").values_list("kind", flat=True))
    assert kinds == {Notice.Kind.SERIES_INVITATION}
    assert Notice.objects.filter(channel="email").count() == 5


def test_the_edit_page_previews_the_meetings_a_change_reaches(client, cast, series):
    login(client, cast, "chair")
    occurrences = list(series.occurrences.order_by("occurrence_start"))

    response = client.get(reverse("series-edit", args=[series.pk]))

    preview = response.context["preview"]
    assert [meeting.pk for meeting in preview.kept] == [occurrences[2].pk]
    assert occurrences[1] not in preview.changing  # cancelled
    assert len(preview.changing) == 10
    assert "These 10 meetings to come follow the change" in response.content.decode()


def test_the_edit_page_changes_the_series_and_its_meetings_to_come(client, cast, series):
    login(client, cast, "chair")
    form = {
        "title": "Monthly coordination",
        "kind": "regular",
        "start_time": "10:00",
        "duration_minutes": "90",
        "time_zone": "Europe/Rome",
        "venue": "IOM office, Tripoli",
        "online_url": "",
        "ends_on": "",
        "count": "12",
        "create_ahead_days": "400",
        "description": "",
        "short_notice_reason": "",
    }

    response = client.post(reverse("series-edit", args=[series.pk]), form)

    assert response.status_code == 302
    series.refresh_from_db()
    assert series.venue == "IOM office, Tripoli"
    assert series.sequence == 1
    venues = set(
        series.occurrences.filter(detached_from_series=False, status="scheduled").values_list(
            "venue", flat=True
        )
    )
    assert venues == {"IOM office, Tripoli"}
    assert Notice.objects.filter(kind=Notice.Kind.SERIES_UPDATE, channel="email").count() == 5


def test_a_member_cannot_change_or_cancel_the_series(client, cast, series):
    login(client, cast, "member")
    before = list(series.occurrences.values_list("pk", "status", "venue", "start_at"))
    notices = Notice.objects.count()

    edit = client.post(reverse("series-edit", args=[series.pk]), {"venue": "Elsewhere"})
    cancel = client.post(reverse("series-cancel", args=[series.pk]), {"reason": "No"})
    schedule = client.post(reverse("series-schedule", args=[series.pk]))

    assert (edit.status_code, cancel.status_code, schedule.status_code) == (403, 403, 403)
    series.refresh_from_db()
    assert (series.status, series.venue, series.sequence) == ("active", "", 0)
    assert list(series.occurrences.values_list("pk", "status", "venue", "start_at")) == before
    assert Notice.objects.count() == notices


def test_cancelling_from_the_page_cancels_the_meetings_to_come(client, cast, series):
    login(client, cast, "secretariat")

    response = client.post(
        reverse("series-cancel", args=[series.pk]), {"reason": "Merged", "form_token": "c1"}
    )

    assert response.status_code == 302
    series.refresh_from_db()
    assert series.status == "cancelled"
    assert set(series.occurrences.values_list("status", flat=True)) == {"cancelled"}
    assert Notice.objects.filter(kind=Notice.Kind.SERIES_CANCELLATION, channel="email").count() == 5
