"""Follow-up across meetings (meetings.follow_up): the portal's own agenda items
(adoption of the minutes, review of open action points, report of a sub-group), the
adoption with its corrections, one-click reviews with their history, and the reports
of sub-groups proposed to the parent group's next meeting."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings import follow_up
from meetings.models import (
    ActionPoint,
    ActionPointReview,
    AgendaItem,
    Decision,
    Meeting,
    Minutes,
    MinutesVersion,
    ReportBack,
)
from meetings.selectors import action_point_carried_to, action_points_for_review
from meetings.services import (
    action_point_create,
    agenda_item_add,
    decision_add,
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from tests.api.conftest import fingerprint

pytestmark = pytest.mark.django_db
Kind = AgendaItem.Kind


def meeting_of(cast, group, *, days: float, title: str = "", held: bool = False) -> Meeting:
    start = timezone.now() + dt.timedelta(days=days)
    meeting = meeting_create(
        group=group,
        title=title or f"{group.name} meeting, day {days}",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
        record_past=days < 0,
    )
    if held:
        meeting = meeting_mark_held(meeting=meeting, by=cast.secretariat)
    return meeting


def published(meeting: Meeting, by, body: str = "What was said.") -> Minutes:
    minutes = minutes_save(meeting=meeting, body=body, by=by)
    minutes_approve(minutes=minutes, by=by)
    return minutes_publish(minutes=minutes, by=by)


def agenda(meeting: Meeting) -> list[tuple[int, str, int | None]]:
    return list(
        meeting.agenda_items.order_by("position").values_list(
            "position", "kind", "source_meeting_id"
        )
    )


def action_point(cast, meeting: Meeting, title: str = "Map services", *, due_in: int = 5):
    return action_point_create(
        meeting=meeting,
        title=title,
        owner_organisation=cast.moh,
        due_on=timezone.localdate() + dt.timedelta(days=due_in),
        by=cast.secretariat,
    )


# --- Standing items ----------------------------------------------------------------------


def test_a_groups_first_meeting_gets_no_standing_items(cast):
    meeting = meeting_of(cast, cast.border, days=5)

    assert agenda(meeting) == []


def test_the_next_meeting_opens_with_adoption_and_review_once(cast):
    earlier = meeting_of(cast, cast.border, days=-20, held=True)
    published(earlier, cast.secretariat)
    later = meeting_of(cast, cast.border, days=10)

    assert agenda(later) == [
        (1, Kind.MINUTES_ADOPTION, earlier.pk),
        (2, Kind.ACTION_REVIEW, None),
    ]
    adoption = later.agenda_items.get(kind=Kind.MINUTES_ADOPTION)
    assert adoption.title == f"Adoption of the minutes of {earlier.title} ({earlier.reference})"
    assert later.agenda_items.get(kind=Kind.ACTION_REVIEW).title == "Review of open action points"

    assert follow_up.agenda_follow_up_ensure(meeting=later, by=None) == []
    assert follow_up.agenda_follow_up_ensure(meeting=later, by=cast.chair) == []
    assert later.agenda_items.count() == 2


def test_minutes_written_later_put_adoption_at_the_top_and_shift_the_rest(cast):
    earlier = meeting_of(cast, cast.border, days=-20, held=True)
    later = meeting_of(cast, cast.border, days=10)
    for title in ("Opening", "Border data"):
        agenda_item_add(meeting=later, title=title, by=None)
    after_that = meeting_of(cast, cast.border, days=40)
    assert agenda(later) == [
        (1, Kind.ACTION_REVIEW, None),
        (2, "regular", None),
        (3, "regular", None),
    ]

    minutes_save(meeting=earlier, body="Draft.", by=cast.secretariat)

    assert agenda(later) == [
        (1, Kind.MINUTES_ADOPTION, earlier.pk),
        (2, Kind.ACTION_REVIEW, None),
        (3, "regular", None),
        (4, "regular", None),
    ]
    assert list(later.agenda_items.order_by("position").values_list("title", flat=True))[2:] == [
        "Opening",
        "Border data",
    ]
    # The following meeting does not adopt them too.
    assert not after_that.agenda_items.filter(kind=Kind.MINUTES_ADOPTION).exists()


def test_a_cancelled_carrier_passes_the_adoption_on(cast):
    earlier = meeting_of(cast, cast.border, days=-20, held=True)
    minutes_save(meeting=earlier, body="Draft.", by=cast.secretariat)
    first = meeting_of(cast, cast.border, days=10)
    meeting_cancel(meeting=first, by=cast.secretariat)

    second = meeting_of(cast, cast.border, days=20)

    assert agenda(second)[0] == (1, Kind.MINUTES_ADOPTION, earlier.pk)


def test_held_and_cancelled_meetings_are_left_alone(cast):
    earlier = meeting_of(cast, cast.border, days=-20, held=True)
    minutes_save(meeting=earlier, body="Draft.", by=cast.secretariat)
    held = Meeting.objects.get(pk=meeting_of(cast, cast.border, days=-1).pk)
    held.agenda_items.all().delete()
    held = meeting_mark_held(meeting=held, by=None)

    assert follow_up.agenda_follow_up_ensure(meeting=held, by=None) == []
    assert not held.agenda_items.exists()


# --- Adoption ---------------------------------------------------------------------------


@pytest.fixture
def adopting(cast):
    """The border sub-group met (published minutes, one decision); its next meeting is
    held now and carries the adoption item."""
    earlier = meeting_of(cast, cast.border, days=-30, held=True, title="Border meeting 1")
    decision = decision_add(meeting=earlier, text="Share the crossing data.", by=None)
    published(earlier, cast.secretariat, body="We met. We decided.")
    later = meeting_of(cast, cast.border, days=-0.01, title="Border meeting 2")
    later = meeting_mark_held(meeting=later, by=cast.secretariat)
    item = later.agenda_items.get(kind=Kind.MINUTES_ADOPTION)
    return {"earlier": earlier, "later": later, "item": item, "decision": decision}


def test_adoption_records_a_decision_and_marks_the_minutes(cast, adopting):
    earlier, later = adopting["earlier"], adopting["later"]

    decision = follow_up.minutes_adopt(item=adopting["item"], by=cast.secretariat)

    assert decision.meeting == later
    assert decision.agenda_item == adopting["item"]
    assert decision.text == f"The minutes of Border meeting 1 ({earlier.reference}) are adopted."
    assert decision.reference == f"{later.reference}/D1"
    minutes = Minutes.objects.get(meeting=earlier)
    assert minutes.adopted_at == later
    assert minutes.adopted_on == later.start_at.astimezone(later.zone).date()
    assert minutes.adoption_decision == decision
    assert minutes.body == "We met. We decided."
    assert not minutes.versions.filter(reason=MinutesVersion.Reason.CORRECTED).exists()


def test_adoption_with_corrections_keeps_a_version_and_corrects_decisions(cast, adopting):
    earlier, later = adopting["earlier"], adopting["later"]
    old = adopting["decision"]

    decision = follow_up.minutes_adopt(
        item=adopting["item"],
        corrections="We met. We decided, unanimously.",
        decision_corrections={old.pk: "Share the crossing data monthly."},
        by=cast.chair,
    )

    assert decision.text.endswith("are adopted with corrections.")
    minutes = Minutes.objects.get(meeting=earlier)
    assert minutes.body == "We met. We decided, unanimously."
    versions = list(minutes.versions.values_list("number", "reason", "body"))
    assert versions[-1] == (minutes.version, "corrected", "We met. We decided, unanimously.")
    assert versions[0][2] == "We met. We decided."
    old.refresh_from_db()
    assert old.text == "Share the crossing data monthly."
    assert old.corrected_at == later


def test_adoption_is_refused_twice_and_before_the_meeting_is_held(cast, adopting):
    follow_up.minutes_adopt(item=adopting["item"], by=cast.secretariat)
    before = fingerprint()

    with pytest.raises(ValidationError, match="adopted already"):
        follow_up.minutes_adopt(item=adopting["item"], corrections="Other.", by=cast.secretariat)
    assert fingerprint() == before

    future = meeting_of(cast, cast.border, days=10)
    review = future.agenda_items.get(kind=Kind.ACTION_REVIEW)
    before = fingerprint()
    with pytest.raises(ValidationError, match="does not adopt minutes"):
        follow_up.minutes_adopt(item=review, by=cast.secretariat)
    assert fingerprint() == before


def test_adoption_refuses_to_correct_another_meetings_decision(cast, adopting):
    stranger = decision_add(meeting=adopting["later"], text="Something else.", by=None)
    before = fingerprint()

    with pytest.raises(ValidationError, match="Only decisions of the meeting"):
        follow_up.minutes_adopt(
            item=adopting["item"], decision_corrections={stranger.pk: "Changed."}, by=None
        )
    assert fingerprint() == before


def test_adoption_waits_for_the_meeting_to_be_held(cast):
    earlier = meeting_of(cast, cast.border, days=-30, held=True)
    minutes_save(meeting=earlier, body="Draft.", by=None)
    later = meeting_of(cast, cast.border, days=5)
    item = later.agenda_items.get(kind=Kind.MINUTES_ADOPTION)

    with pytest.raises(ValidationError, match="once it is marked as held"):
        follow_up.minutes_adopt(item=item, by=None)
    assert not Decision.objects.filter(meeting=later).exists()


# --- Review of open action points ---------------------------------------------------------


def test_review_lists_overdue_first_and_records_one_click(cast):
    first = meeting_of(cast, cast.border, days=-30, held=True)
    action_point(cast, first, "Soon", due_in=5)
    late = action_point(cast, first, "Late", due_in=-3)
    done = action_point(cast, first, "Already done", due_in=1)
    ActionPoint.objects.filter(pk=done.pk).update(status="done", closed_at=timezone.now())
    later = meeting_of(cast, cast.border, days=-0.01)

    listed = list(action_points_for_review(later, cast.secretariat))
    assert [(point.title, point.is_overdue) for point in listed] == [
        ("Late", True),
        ("Soon", False),
    ]

    review = follow_up.action_point_review(
        action_point=late, meeting=later, status="done", by=cast.chair
    )
    late.refresh_from_db()
    assert (late.status, review.status, review.meeting, review.by) == (
        "done",
        "done",
        later,
        cast.chair,
    )
    assert late.closed_at is not None
    # Reviewed here: it stays on this meeting's list, closed, after the open ones.
    assert [point.title for point in action_points_for_review(later, cast.secretariat)] == [
        "Soon",
        "Late",
    ]


def test_review_refuses_action_points_of_other_groups_and_later_meetings(cast):
    border = meeting_of(cast, cast.border, days=-30, held=True)
    health = meeting_of(cast, cast.health, days=-30, held=True)
    foreign = action_point(cast, health)
    later = meeting_of(cast, cast.border, days=-0.01)
    before = fingerprint()

    with pytest.raises(ValidationError, match="earlier meeting of the group"):
        follow_up.action_point_review(action_point=foreign, meeting=later, status="done", by=None)
    with pytest.raises(ValidationError, match="not an action point status"):
        follow_up.action_point_review(
            action_point=action_point(cast, border), meeting=later, status="finished", by=None
        )
    assert ActionPointReview.objects.count() == 0
    assert fingerprint()["meetings.ActionPoint"][:-1] == before["meetings.ActionPoint"]


def test_an_open_action_point_carries_over_with_its_history(cast):
    first = meeting_of(cast, cast.border, days=-60, held=True, title="First")
    point = action_point(cast, first, due_in=-10)
    second = meeting_of(cast, cast.border, days=-30, title="Second")
    second = meeting_mark_held(meeting=second, by=None)
    follow_up.action_point_review(
        action_point=point, meeting=second, status="open", note="Waiting for data.", by=None
    )
    third = meeting_of(cast, cast.border, days=-0.01, title="Third")

    listed = list(action_points_for_review(third, cast.secretariat))
    assert [p.pk for p in listed] == [point.pk]
    assert [(r.meeting_id, r.status, r.note) for r in listed[0].reviews.all()] == [
        (second.pk, "open", "Waiting for data.")
    ]
    point = ActionPoint.objects.select_related("meeting").get(pk=point.pk)
    assert list(action_point_carried_to(point, cast.secretariat)) == [second, third]

    follow_up.action_point_review(action_point=point, meeting=third, status="done", by=None)
    fourth = meeting_of(cast, cast.border, days=35, title="Fourth")
    assert list(action_points_for_review(fourth, cast.secretariat)) == []


def test_a_meeting_reviews_nothing_before_it_begins(cast):
    first = meeting_of(cast, cast.border, days=-30, held=True)
    point = action_point(cast, first, "Late", due_in=-3)
    coming = meeting_of(cast, cast.border, days=14)
    assert [p.pk for p in action_points_for_review(coming, cast.secretariat)] == [point.pk]
    before = fingerprint()

    with pytest.raises(ValidationError, match="once the meeting has begun"):
        follow_up.action_point_review(
            action_point=point, meeting=coming, status="done", by=cast.secretariat
        )
    assert ActionPointReview.objects.count() == 0
    assert fingerprint() == before


def test_review_list_respects_labels(cast):
    first = meeting_of(cast, cast.mwg, days=-30, held=True)
    point = action_point_create(
        meeting=first,
        title="Restricted task",
        owner_organisation=cast.iom,
        due_on=timezone.localdate(),
        confidentiality="restricted",
        restricted_to=[cast.iom],
        by=cast.secretariat,
    )
    later = meeting_of(cast, cast.mwg, days=5)

    assert [p.pk for p in action_points_for_review(later, cast.secretariat)] == [point.pk]
    assert list(action_points_for_review(later, cast.observer)) == []


# --- Report-back ------------------------------------------------------------------------


def test_a_sub_groups_publication_is_proposed_to_the_parents_next_meeting(cast):
    parent_next = meeting_of(cast, cast.mwg, days=10)
    meeting_of(cast, cast.mwg, days=40)
    sub = meeting_of(cast, cast.health, days=-5, held=True, title="Health 1")
    minutes_save(meeting=sub, body="Draft.", by=None)
    assert not ReportBack.objects.exists()

    minutes_approve(minutes=sub.minutes, by=None)
    minutes_publish(minutes=Minutes.objects.get(meeting=sub), by=None)

    proposal = ReportBack.objects.get()
    assert (proposal.meeting, proposal.source_meeting, proposal.status) == (
        parent_next,
        sub,
        "proposed",
    )
    # Publishing does not touch the agenda: the secretariat accepts first.
    assert not parent_next.agenda_items.filter(kind=Kind.REPORT_BACK).exists()


def test_two_reports_of_a_group_to_one_meeting_are_told_apart(cast):
    parent_next = meeting_of(cast, cast.mwg, days=10)
    earlier = meeting_of(cast, cast.health, days=-12, held=True)
    later = meeting_of(cast, cast.health, days=-5, held=True)
    Meeting.objects.filter(pk=earlier.pk).update(reference="")
    published(earlier, None)
    published(later, None)

    titles = {
        follow_up.report_back_accept(report_back=proposal, by=cast.chair).agenda_item.title
        for proposal in ReportBack.objects.filter(meeting=parent_next)
    }

    day = earlier.start_at.astimezone(earlier.zone).strftime("%-d %B %Y")
    assert titles == {
        f"Report of the {cast.health.name}, meeting of {day}",
        f"Report of the {cast.health.name} ({later.reference})",
    }


def test_accepting_a_report_adds_the_item_at_the_end(cast):
    parent_next = meeting_of(cast, cast.mwg, days=10)
    agenda_item_add(meeting=parent_next, title="Opening", by=None)
    sub = meeting_of(cast, cast.health, days=-5, held=True)
    published(sub, None)
    proposal = ReportBack.objects.get()

    accepted = follow_up.report_back_accept(report_back=proposal, by=cast.chair)

    item = accepted.agenda_item
    assert (item.kind, item.source_meeting, item.title) == (
        Kind.REPORT_BACK,
        sub,
        f"Report of the {cast.health.name} ({sub.reference})",
    )
    assert item.position == parent_next.agenda_items.count()
    assert (accepted.status, accepted.decided_by) == ("accepted", cast.chair)
    before = fingerprint()
    with pytest.raises(ValidationError, match="accepted or dropped already"):
        follow_up.report_back_drop(report_back=proposal, by=cast.chair)
    assert fingerprint() == before


def test_a_dropped_report_is_never_proposed_again(cast):
    parent_next = meeting_of(cast, cast.mwg, days=10)
    sub = meeting_of(cast, cast.health, days=-5, held=True)
    minutes = published(sub, None)
    follow_up.report_back_drop(report_back=ReportBack.objects.get(), by=cast.secretariat)

    follow_up.report_backs_propose(minutes=minutes, by=None)
    another = meeting_of(cast, cast.mwg, days=20)
    follow_up.agenda_follow_up_ensure(meeting=parent_next, by=None)

    assert list(ReportBack.objects.values_list("meeting", "status")) == [
        (parent_next.pk, "dropped")
    ]
    assert not another.report_backs.exists()


def test_a_parent_meeting_made_later_picks_the_report_up(cast):
    sub = meeting_of(cast, cast.health, days=-5, held=True)
    published(sub, None)
    assert not ReportBack.objects.exists()

    parent_next = meeting_of(cast, cast.mwg, days=10)

    assert list(parent_next.report_backs.values_list("source_meeting", "status")) == [
        (sub.pk, "proposed")
    ]
