"""The agenda: running start times, the warning when it runs past the planned end, items
edited in place (htmx, with a page of its own without JavaScript), and removal that
asks first."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.cache import cache
from django.urls import reverse

from meetings.models import AgendaItem, Meeting
from meetings.selectors import agenda_timeline, meeting_detail
from meetings.services import agenda_item_add, meeting_create
from tests.api.conftest import fingerprint
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def meeting(cast):
    """10:00–11:00 in Tripoli (UTC+2) on 10 March 2031, with 30 + 20 + 15 minutes of
    agenda: 5 minutes too many."""
    meeting = meeting_create(
        group=cast.health,
        title="Health sub-group: referral pathway",
        start_at=dt.datetime(2031, 3, 10, 8, 0, tzinfo=dt.UTC),
        end_at=dt.datetime(2031, 3, 10, 9, 0, tzinfo=dt.UTC),
        time_zone="Africa/Tripoli",
        by=cast.secretariat,
    )
    for title, minutes in (("Opening", 30), ("Referral pathway", 20), ("Any other business", 15)):
        agenda_item_add(meeting=meeting, title=title, duration_minutes=minutes, by=None)
    return meeting


def _loaded(meeting: Meeting) -> Meeting:
    return meeting_detail(queryset=Meeting.objects.filter(pk=meeting.pk)).get()


def _item(meeting: Meeting, title: str) -> AgendaItem:
    return meeting.agenda_items.get(title=title)


def test_running_times_add_the_durations_in_the_meetings_zone(meeting):
    timeline = agenda_timeline(_loaded(meeting))

    assert [(slot.item.title, slot.start_clock) for slot in timeline.slots] == [
        ("Opening", "10:00"),
        ("Referral pathway", "10:30"),
        ("Any other business", "10:50"),
    ]
    assert [(slot.is_first, slot.is_last) for slot in timeline.slots] == [
        (True, False),
        (False, False),
        (False, True),
    ]
    assert timeline.ends_at.strftime("%H:%M") == "11:05"
    assert timeline.planned_end_clock == "11:00"
    assert timeline.overrun_minutes == 5


def test_running_times_can_be_shown_in_another_zone(meeting):
    timeline = agenda_timeline(_loaded(meeting), zone=zoneinfo.ZoneInfo("Europe/Rome"))

    assert [slot.start_clock for slot in timeline.slots] == ["09:00", "09:30", "09:50"]
    assert (timeline.planned_end_clock, timeline.overrun_minutes) == ("10:00", 5)


def test_running_times_need_no_query_once_the_agenda_is_loaded(meeting, django_assert_num_queries):
    loaded = _loaded(meeting)
    with django_assert_num_queries(0):
        agenda_timeline(loaded)


def test_running_times_follow_the_clock_across_a_change_of_summer_time(cast):
    # Rome moves its clocks from 02:00 to 03:00 on 30 March 2031.
    night = meeting_create(
        group=cast.health,
        title="Night shift handover",
        start_at=dt.datetime(2031, 3, 30, 0, 30, tzinfo=dt.UTC),
        end_at=dt.datetime(2031, 3, 30, 2, 30, tzinfo=dt.UTC),
        time_zone="Europe/Rome",
        by=cast.secretariat,
    )
    for title in ("First hour", "Second hour"):
        agenda_item_add(meeting=night, title=title, duration_minutes=60, by=None)

    timeline = agenda_timeline(_loaded(night))

    assert [slot.start_clock for slot in timeline.slots] == ["01:30", "03:30"]
    assert timeline.overrun_minutes == 0


def test_an_agenda_that_fits_has_no_warning(cast, meeting, client):
    _item(meeting, "Any other business").delete()
    assert agenda_timeline(_loaded(meeting)).overrun_minutes == 0
    login(client, cast, "secretariat")
    page = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert 'id="agenda-overrun"' not in page


def test_meeting_page_shows_running_times_and_the_overrun(cast, meeting, client):
    login(client, cast, "member")

    page = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()

    clocks = re.findall(r'<time class="clock" datetime="[^"]+">(\d\d:\d\d)</time>', page)
    assert clocks == ["10:00", "10:30", "10:50"]
    assert "The agenda runs 5 minutes past the planned end at 11:00." in page
    # A member sees the times, not the controls.
    assert reverse("agenda-item-edit", args=[meeting.pk, _item(meeting, "Opening").pk]) not in page


def test_overrun_of_one_minute_is_said_in_the_singular(cast, meeting, client):
    AgendaItem.objects.filter(pk=_item(meeting, "Any other business").pk).update(
        duration_minutes=11
    )
    login(client, cast, "secretariat")
    page = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert "The agenda runs 1 minute past the planned end at 11:00." in page


# --- Editing in place -----------------------------------------------------------------


def test_edit_swaps_the_row_for_a_form_and_saving_swaps_the_agenda_back(cast, meeting, client):
    opening = _item(meeting, "Opening")
    url = reverse("agenda-item-edit", args=[meeting.pk, opening.pk])
    login(client, cast, "chair")

    form = client.get(url, **HTMX)

    assert form.status_code == 200
    row = form.content.decode()
    assert row.lstrip().startswith(f'<li id="agenda-item-{opening.pk}" class="editing">')
    assert "<html" not in row
    assert f'name="item-{opening.pk}-title"' in row
    assert 'value="Opening"' in row
    assert f'hx-get="{reverse("agenda-item", args=[meeting.pk, opening.pk])}"' in row

    saved = client.post(
        url,
        {
            f"item-{opening.pk}-title": "Opening and adoption of the agenda",
            f"item-{opening.pk}-duration_minutes": "15",
            f"item-{opening.pk}-presenter": "",
            f"item-{opening.pk}-description": "Chair",
        },
        **HTMX,
    )

    assert saved.status_code == 200
    assert saved["HX-Retarget"] == "#agenda"
    assert saved["HX-Reswap"] == "outerHTML"
    agenda = saved.content.decode()
    assert agenda.startswith('<div id="agenda"')
    assert "Opening and adoption of the agenda" in agenda
    # The items after it start earlier now, and the agenda fits.
    assert re.findall(r'datetime="[^"]+">(\d\d:\d\d)</time>', agenda) == [
        "10:00",
        "10:15",
        "10:35",
    ]
    assert 'id="agenda-overrun"' not in agenda
    opening.refresh_from_db()
    assert (opening.title, opening.duration_minutes, opening.description) == (
        "Opening and adoption of the agenda",
        15,
        "Chair",
    )


def test_edit_errors_come_back_in_the_row(cast, meeting, client):
    opening = _item(meeting, "Opening")
    login(client, cast, "secretariat")

    response = client.post(
        reverse("agenda-item-edit", args=[meeting.pk, opening.pk]),
        {f"item-{opening.pk}-title": "Too long", f"item-{opening.pk}-duration_minutes": "5000"},
        **HTMX,
    )

    assert response.status_code == 200
    row = response.content.decode()
    assert row.lstrip().startswith(f'<li id="agenda-item-{opening.pk}"')
    assert f'id="id_item-{opening.pk}-duration_minutes_error"' in row
    assert 'value="Too long"' in row
    assert "HX-Retarget" not in response
    opening.refresh_from_db()
    assert (opening.title, opening.duration_minutes) == ("Opening", 30)


def test_edit_without_javascript_is_a_page_of_its_own(cast, meeting, client):
    item = _item(meeting, "Referral pathway")
    url = reverse("agenda-item-edit", args=[meeting.pk, item.pk])
    login(client, cast, "secretariat")

    page = client.get(url)

    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert 'value="Referral pathway"' in page.content.decode()

    wrong = client.post(url, {f"item-{item.pk}-title": "", f"item-{item.pk}-duration_minutes": "5"})
    assert wrong.status_code == 400
    assert f'id="id_item-{item.pk}-title_error"' in wrong.content.decode()
    item.refresh_from_db()
    assert item.title == "Referral pathway"

    saved = client.post(
        url,
        {f"item-{item.pk}-title": "Referral pathways", f"item-{item.pk}-duration_minutes": "25"},
    )

    assert saved.status_code == 302
    assert saved["Location"] == reverse("meeting-detail", args=[meeting.pk]) + (
        f"#agenda-item-{item.pk}"
    )
    item.refresh_from_db()
    assert (item.title, item.duration_minutes) == ("Referral pathways", 25)


def test_cancel_puts_the_row_back(cast, meeting, client):
    item = _item(meeting, "Referral pathway")
    url = reverse("agenda-item", args=[meeting.pk, item.pk])
    login(client, cast, "secretariat")

    row = client.get(url, **HTMX)

    assert row.status_code == 200
    html = row.content.decode()
    assert html.startswith(f'<li id="agenda-item-{item.pk}">')
    assert ">10:30</time>" in html
    assert client.get(url).status_code == 302


def test_edit_keeps_a_presenter_the_editor_would_not_be_offered(cast, meeting, client):
    item = _item(meeting, "Opening")
    AgendaItem.objects.filter(pk=item.pk).update(presenter=cast.outsider_person)
    login(client, cast, "chair")

    page = client.get(reverse("agenda-item-edit", args=[meeting.pk, item.pk])).content.decode()

    field = f"item-{item.pk}-presenter"
    assert f'value="{cast.outsider_person.pk}" id="{field}-kept" checked>' in page


def test_edit_of_a_held_meeting_is_refused_in_the_row(cast, meeting, client):
    item = _item(meeting, "Opening")
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    login(client, cast, "secretariat")
    before = fingerprint()

    response = client.post(
        reverse("agenda-item-edit", args=[meeting.pk, item.pk]),
        {f"item-{item.pk}-title": "Late change", f"item-{item.pk}-duration_minutes": "10"},
        **HTMX,
    )

    assert response.status_code == 200
    assert "A held meeting cannot be given a changed agenda." in response.content.decode()
    assert fingerprint() == before


@pytest.mark.parametrize(("persona", "expected"), [("member", 403), ("outsider", 404)])
def test_others_cannot_edit_an_item(cast, meeting, client, persona, expected):
    item = _item(meeting, "Opening")
    login(client, cast, persona)
    before = fingerprint()

    for url in (
        reverse("agenda-item-edit", args=[meeting.pk, item.pk]),
        reverse("agenda-item", args=[meeting.pk, item.pk]),
    ):
        assert client.get(url, **HTMX).status_code == expected
    posted = client.post(
        reverse("agenda-item-edit", args=[meeting.pk, item.pk]),
        {f"item-{item.pk}-title": "Taken over", f"item-{item.pk}-duration_minutes": "5"},
        **HTMX,
    )

    assert posted.status_code == expected
    assert fingerprint() == before


def test_an_item_of_another_meeting_is_not_found(cast, meeting, client):
    other = meeting_create(
        group=cast.health,
        title="Another",
        start_at=meeting.start_at + dt.timedelta(days=7),
        end_at=meeting.end_at + dt.timedelta(days=7),
        by=cast.secretariat,
    )
    stranger = agenda_item_add(meeting=other, title="Elsewhere", by=None)
    login(client, cast, "secretariat")
    for name in ("agenda-item-edit", "agenda-item", "agenda-item-remove"):
        assert client.get(reverse(name, args=[meeting.pk, stranger.pk])).status_code == 404


# --- Removing asks first ------------------------------------------------------------


def test_remove_link_asks_in_the_browser_and_without_javascript_opens_a_page(cast, meeting, client):
    item = _item(meeting, "Referral pathway")
    remove = reverse("agenda-item-remove", args=[meeting.pk, item.pk])
    login(client, cast, "secretariat")

    page = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()

    link = re.search(rf'<a [^>]*href="{remove}"[^>]*>', page).group(0)
    assert f'hx-post="{remove}"' in link
    assert 'hx-confirm="Remove “Referral pathway” from the agenda?"' in link


def test_remove_get_asks_and_changes_nothing(cast, meeting, client):
    item = _item(meeting, "Referral pathway")
    login(client, cast, "secretariat")
    before = fingerprint()

    page = client.get(reverse("agenda-item-remove", args=[meeting.pk, item.pk]))

    assert page.status_code == 200
    assert "Remove “<bdi>Referral pathway</bdi>” from the agenda?" in page.content.decode()
    assert 'method="post"' in page.content.decode()
    assert fingerprint() == before


def test_remove_post_removes_and_the_rest_move_up(cast, meeting, client):
    item = _item(meeting, "Referral pathway")
    login(client, cast, "secretariat")

    response = client.post(reverse("agenda-item-remove", args=[meeting.pk, item.pk]), follow=True)

    assert "“Referral pathway” is removed from the agenda." in response.content.decode()
    assert list(meeting.agenda_items.values_list("title", "position")) == [
        ("Opening", 1),
        ("Any other business", 2),
    ]


def test_remove_through_htmx_answers_with_the_agenda(cast, meeting, client):
    item = _item(meeting, "Opening")
    login(client, cast, "chair")

    response = client.post(reverse("agenda-item-remove", args=[meeting.pk, item.pk]), **HTMX)

    agenda = response.content.decode()
    assert agenda.startswith('<div id="agenda"')
    assert re.findall(r'datetime="[^"]+">(\d\d:\d\d)</time>', agenda) == ["10:00", "10:20"]
    assert not AgendaItem.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize(("persona", "expected"), [("member", 403), ("outsider", 404)])
def test_others_cannot_remove_or_see_the_question(cast, meeting, client, persona, expected):
    item = _item(meeting, "Opening")
    url = reverse("agenda-item-remove", args=[meeting.pk, item.pk])
    login(client, cast, persona)
    before = fingerprint()

    assert client.get(url).status_code == expected
    assert client.post(url).status_code == expected
    assert fingerprint() == before


# --- Query counts ---------------------------------------------------------------------


def test_agenda_pages_queries_do_not_grow_with_the_items(
    cast, meeting, client, django_assert_max_num_queries
):
    for number in range(12):
        agenda_item_add(meeting=meeting, title=f"Item {number}", duration_minutes=5, by=None)
    item = _item(meeting, "Opening")
    login(client, cast, "secretariat")

    # The presenter is found by search: no form reads the directory (see
    # tests/pages/test_agenda_presenter_pages.py for the same with a large one).
    with django_assert_max_num_queries(18):
        assert client.get(reverse("meeting-detail", args=[meeting.pk])).status_code == 200
    with django_assert_max_num_queries(5):
        url = reverse("agenda-item-edit", args=[meeting.pk, item.pk])
        assert client.get(url, **HTMX).status_code == 200
    with django_assert_max_num_queries(24):
        response = client.post(
            url,
            {f"item-{item.pk}-title": "Opening", f"item-{item.pk}-duration_minutes": "10"},
            **HTMX,
        )
        assert response.status_code == 200
