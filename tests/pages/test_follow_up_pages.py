"""Follow-up across meetings on the pages: the review of open action points on the
meeting's page (one click, htmx or not), the adoption form on the adoption item and the
earlier minutes' "Adopted at", the reports proposed for the agenda, and the action
point's history. Refusals change nothing; the meeting page's queries stay bounded."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from meetings import follow_up
from meetings.models import ActionPoint, ActionPointReview, AgendaItem, Minutes, ReportBack
from meetings.services import (
    action_point_create,
    decision_add,
    meeting_create,
    meeting_mark_held,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from tests.api.conftest import fingerprint
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _meeting(group, title, days, *, held=False):
    start = timezone.now() + dt.timedelta(days=days)
    meeting = meeting_create(
        group=group,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        record_past=days < 0,
    )
    return meeting_mark_held(meeting=meeting, by=None) if held else meeting


def _publish(meeting, body):
    minutes = minutes_save(meeting=meeting, body=body, by=None)
    return minutes_publish(minutes=minutes_approve(minutes=minutes, by=None), by=None)


@pytest.fixture
def story(cast):
    first = _meeting(cast.mwg, "MWG 1", -30, held=True)
    decision = decision_add(meeting=first, text="Map the referral services.", by=None)
    points = [
        action_point_create(
            meeting=first,
            title=title,
            owner_organisation=cast.moh,
            due_on=timezone.localdate() + dt.timedelta(days=due),
            by=None,
        )
        for title, due in (("Map services", -2), ("Share the map", 10))
    ]
    _publish(first, "Minutes of MWG 1.")
    second = meeting_mark_held(meeting=_meeting(cast.mwg, "MWG 2", -0.01), by=None)
    return {"first": first, "second": second, "decision": decision, "points": points}


def _page(client, meeting) -> str:
    response = client.get(reverse("meeting-detail", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_review_item_lists_open_action_points_overdue_first(client, cast, story):
    page = _page(login(client, cast, "chair"), story["second"])

    assert 'id="follow-up-' in page
    assert page.index("Map services") < page.index("Share the map")
    assert "Overdue" in page
    assert page.count('name="status" value="done"') == 2


def test_members_see_the_review_read_only(client, cast, story):
    page = _page(login(client, cast, "member"), story["second"])

    assert "Map services" in page
    assert 'value="done"' not in page
    assert "Record the adoption" not in page


def test_a_coming_meeting_lists_the_action_points_without_review_buttons(client, cast, story):
    coming = _meeting(cast.mwg, "MWG 3", 14)
    point = story["points"][0]

    page = _page(login(client, cast, "secretariat"), coming)

    assert f'id="review-{point.pk}"' in page
    assert "once it has begun" in page
    assert reverse("action-point-review", args=[coming.pk, point.pk]) not in page
    # Posted all the same, the review is refused and nothing is recorded.
    response = client.post(
        reverse("action-point-review", args=[coming.pk, point.pk]), {"status": "done"}, **HTMX
    )
    assert response.status_code == 400
    point.refresh_from_db()
    assert (point.status, point.reviews.count()) == ("open", 0)


def test_one_click_with_htmx_swaps_the_row(client, cast, story):
    point = story["points"][0]
    url = reverse("action-point-review", args=[story["second"].pk, point.pk])

    response = login(client, cast, "chair").post(url, {"status": "done"}, **HTMX)

    assert response.status_code == 200
    row = response.content.decode()
    assert row.startswith(f'<li id="review-{point.pk}"')
    assert "badge done" in row
    point.refresh_from_db()
    assert (point.status, point.reviews.get().meeting) == ("done", story["second"])


def test_one_click_without_javascript_returns_to_the_meeting(client, cast, story):
    point = story["points"][1]
    url = reverse("action-point-review", args=[story["second"].pk, point.pk])

    response = login(client, cast, "secretariat").post(
        url, {"status": "open", "note": "Draft map circulated."}
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#review-{point.pk}")
    review = ActionPointReview.objects.get()
    assert (review.status, review.note) == ("open", "Draft map circulated.")
    page = _page(client, story["second"])
    assert "Draft map circulated." in page


@pytest.mark.parametrize(
    ("persona", "code"), [("member", 403), ("observer", 403), ("outsider", 404)]
)
def test_only_managers_review(client, cast, story, persona, code):
    point = story["points"][0]
    url = reverse("action-point-review", args=[story["second"].pk, point.pk])
    login(client, cast, persona)
    before = fingerprint()

    response = client.post(url, {"status": "done"}, **HTMX)

    assert response.status_code == code
    assert fingerprint() == before


def test_a_bad_status_answers_the_row_with_the_error(client, cast, story):
    point = story["points"][0]
    url = reverse("action-point-review", args=[story["second"].pk, point.pk])
    login(client, cast, "chair")
    before = fingerprint()

    response = client.post(url, {"status": "finished"}, **HTMX)

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert fingerprint() == before


def test_recording_the_adoption_with_corrections(client, cast, story):
    item = story["second"].agenda_items.get(kind=AgendaItem.Kind.MINUTES_ADOPTION)
    login(client, cast, "secretariat")
    page = _page(client, story["second"])
    assert "Record the adoption" in page
    assert "Minutes of MWG 1." in page  # the text, pre-filled

    decision = story["decision"]
    response = client.post(
        reverse("minutes-adopt", args=[story["second"].pk, item.pk]),
        {
            "corrections": "Minutes of MWG 1, corrected.",
            f"decision_{decision.pk}": "Map and publish the referral services.",
        },
    )

    assert response.status_code == 302
    minutes = Minutes.objects.get(meeting=story["first"])
    assert minutes.adopted_at == story["second"]
    assert minutes.body == "Minutes of MWG 1, corrected."
    decision.refresh_from_db()
    assert decision.corrected_at == story["second"]
    earlier = _page(client, story["first"])
    assert "Adopted at" in earlier
    assert "with corrections" in earlier
    assert reverse("minutes-versions", args=[story["first"].pk]) in earlier
    assert "Record the adoption" not in _page(client, story["second"])


def test_a_member_cannot_record_the_adoption(client, cast, story):
    item = story["second"].agenda_items.get(kind=AgendaItem.Kind.MINUTES_ADOPTION)
    login(client, cast, "member")
    before = fingerprint()

    response = client.post(
        reverse("minutes-adopt", args=[story["second"].pk, item.pk]), {"corrections": "Mine."}
    )

    assert response.status_code == 403
    assert fingerprint() == before


def test_a_proposed_report_is_accepted_from_the_meeting_page(client, cast, story):
    third = _meeting(cast.mwg, "MWG 3", 20)
    health = _meeting(cast.health, "Health 1", -3, held=True)
    decision_add(meeting=health, text="Open two referral desks.", by=None)
    _publish(health, "Health minutes.")
    report = ReportBack.objects.get()
    login(client, cast, "chair")
    page = _page(client, third)
    assert "Proposed for the agenda" in page
    assert "Open two referral desks." in page

    response = client.post(reverse("report-back-accept", args=[report.pk]))

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "accepted"
    page = _page(client, third)
    assert "Proposed for the agenda" not in page
    assert f"Report of the {cast.health.name}" in page
    assert "Open two referral desks." in page


def test_a_member_cannot_drop_a_report(client, cast, story):
    _meeting(cast.mwg, "MWG 3", 20)
    _publish(_meeting(cast.health, "Health 1", -3, held=True), "Health minutes.")
    report = ReportBack.objects.get()
    login(client, cast, "member")
    before = fingerprint()

    response = client.post(reverse("report-back-drop", args=[report.pk]))

    assert response.status_code == 403
    assert fingerprint() == before


def test_the_action_point_page_shows_its_history_and_carry_over(client, cast, story):
    point = story["points"][0]
    follow_up.action_point_review(
        action_point=point, meeting=story["second"], status="open", note="Half done.", by=None
    )
    third = _meeting(cast.mwg, "MWG 3", 20)

    response = login(client, cast, "member").get(reverse("action-point-detail", args=[point.pk]))

    page = response.content.decode()
    assert "Half done." in page
    assert page.count("Carried over to") == 2
    assert reverse("meeting-detail", args=[third.pk]) in page


def test_the_meeting_page_with_a_long_review_stays_bounded(
    client, cast, story, django_assert_max_num_queries
):
    for number in range(15):
        point = action_point_create(
            meeting=story["first"],
            title=f"Task {number}",
            owner_organisation=cast.iom,
            due_on=timezone.localdate() + dt.timedelta(days=number - 5),
            by=None,
        )
        follow_up.action_point_review(
            action_point=point, meeting=story["second"], status="open", note="Later.", by=None
        )
    url = reverse("meeting-detail", args=[story["second"].pk])
    for persona in ("secretariat", "chair", "member"):
        login(client, cast, persona)
        client.get(url)  # warms the process's caches
        with django_assert_max_num_queries(22):
            page = client.get(url).content.decode()
        assert page.count("review-history") == 15
    assert ActionPoint.objects.filter(reviews__isnull=False).distinct().count() == 15


def test_the_admin_shows_reviews_reports_and_item_kinds(client, cast, story):
    _meeting(cast.mwg, "MWG 3", 20)
    _publish(_meeting(cast.health, "Health 1", -3, held=True), "Health minutes.")
    follow_up.action_point_review(
        action_point=story["points"][0], meeting=story["second"], status="done", by=None
    )
    report = ReportBack.objects.get()
    login(client, cast, "admin")

    for name in ("actionpointreview", "reportback", "agendaitem"):
        response = client.get(reverse(f"admin:meetings_{name}_changelist"))
        assert response.status_code == 200, name
    assert (
        "Review of open action points"
        in client.get(reverse("admin:meetings_agendaitem_changelist")).content.decode()
    )
    assert client.get(reverse("admin:meetings_reportback_add")).status_code == 403

    response = client.post(
        reverse("admin:meetings_reportback_changelist"),
        {"action": "accept_onto_the_agenda", "_selected_action": [report.pk]},
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "accepted"
