"""The minutes' cycle: the template, versions compared, the comment period, the one
reminder, sign-off capacities, and decisions frozen by publication."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from groups.services import confidentiality_set
from meetings.minutes_cycle import (
    comments_closed_early_at,
    comments_open,
    minutes_circulate,
    minutes_comment_add,
    minutes_comment_answer,
    minutes_comment_reminders_send,
    minutes_sections,
    minutes_template,
    minutes_versions_compare,
    minutes_versions_for,
)
from meetings.models import ApprovalCapacity, Minutes, MinutesComment
from meetings.permissions import minutes_comments_visible_to, minutes_visible_to
from meetings.services import decision_add, minutes_approve, minutes_publish, minutes_save
from notices.models import Notice
from tests.meetings.minutes_world import build_world


@pytest.fixture
def world(cast):
    return build_world(cast)


def _draft(cast, world, body=None):
    body = body or minutes_template(world.meeting, "en")
    return minutes_save(meeting=world.meeting, body=body, by=cast.secretariat)


def _circulated(cast, world, days=5):
    minutes = _draft(cast, world)
    until = timezone.now() + dt.timedelta(days=days)
    return minutes_circulate(minutes=minutes, comments_until=until, by=cast.secretariat)


# --- The template ---------------------------------------------------------------------


def test_template_lists_attendance_items_decisions_and_action_points(cast, world):
    text = minutes_template(world.meeting, "en")

    assert "# Minutes of MWG: returns and reintegration" in text
    assert "## 1. Opening" in text
    assert "## 2. Voluntary returns" in text
    assert "## General" in text
    present = text[text.index("Present:") : text.index("Apologies:")]
    assert "Ministry of Foreign Affairs (MoFA): Jaalal Alashi" in present
    assert "Ministry of Health (MoH): Amina Health" in present
    assert "Chamber of Commerce: Olivia Outsider" in present
    apologies = text[text.index("Apologies:") : text.index("Absent:")]
    assert "Ministry of Health (MoH): Karim Alternate" in apologies
    absent = text[text.index("Absent:") : text.index("## 1.")]
    assert "International Organization for Migration" in absent
    # The embassy observes the group: invited, but not recorded absent.
    assert "Embassy of Italy" not in absent
    assert "Ministry of Health" not in absent
    returns = text[text.index("## 2. Voluntary returns") : text.index("## General")]
    assert f"{world.decision.reference}: Adopt the returns referral pathway." in returns
    assert "Map the reintegration services (Ministry of Health (MoH), due" in returns
    opening = text[text.index("## 1. Opening") : text.index("## 2.")]
    assert "Adopt" not in opening


def test_template_headings_follow_the_language_and_leave_restricted_rows_out(cast, world):
    decision_add(
        meeting=world.meeting,
        text="Secret arrangement.",
        confidentiality="restricted",
        restricted_to=[cast.iom],
        by=cast.secretariat,
    )
    text = minutes_template(world.meeting, "fr")
    assert "## 2. Voluntary returns" in text
    assert "Secret arrangement" not in text


def test_sections_follow_the_headings_and_their_agenda_items(cast, world):
    sections = minutes_sections(
        minutes_template(world.meeting, "en"), world.meeting.agenda_items.all()
    )
    headings = [section.heading for section in sections]
    assert headings[:1] == [""]
    assert "1. Opening" in headings
    assert "2. Voluntary returns" in headings
    by_heading = {section.heading: section for section in sections}
    assert by_heading["2. Voluntary returns"].agenda_item == world.returns
    assert by_heading["General"].agenda_item is None


# --- Versions -------------------------------------------------------------------------


def test_every_text_is_a_version_and_two_compare_line_by_line(cast, world):
    minutes = _draft(cast, world, "## 1. Opening\nThe chair opened.\n")
    minutes_save(
        meeting=world.meeting, body="## 1. Opening\nThe chair opened at ten.\n", by=cast.secretariat
    )
    minutes_save(
        meeting=world.meeting, body="## 1. Opening\nThe chair opened at ten.\n", by=cast.secretariat
    )
    first, second = minutes.versions.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert minutes.versions.count() == 2

    lines = minutes_versions_compare(first, second)
    assert [(line.change, line.text) for line in lines] == [
        ("same", "## 1. Opening"),
        ("removed", "The chair opened."),
        ("added", "The chair opened at ten."),
    ]


def test_an_empty_section_is_not_taken_for_a_heading_gone(cast, world, client):
    minutes = _draft(cast, world, "## 1. Opening\n\n## 2. Voluntary returns\nAgreed.\n")
    until = timezone.now() + dt.timedelta(days=5)
    minutes = minutes_circulate(minutes=minutes, comments_until=until, by=cast.secretariat)
    minutes_comment_add(
        minutes=minutes,
        section="2. Voluntary returns",
        agenda_item=None,
        body="Say who agreed.",
        by=cast.member,
    )
    client.force_login(cast.secretariat)
    url = reverse("meeting-minutes", args=[world.meeting.pk])

    page = client.get(url).content.decode()
    assert "Nothing is written under this heading yet." in page
    assert "no longer in the text" not in page
    # The secretariat sees who commented, by name, for which organisation.
    assert f"<bdi>{cast.member.person.full_name}</bdi>" in page

    minutes_save(meeting=world.meeting, body="## 1. Opening\nOpened.\n", by=cast.secretariat)
    page = client.get(url).content.decode()
    assert "This heading is no longer in the text." in page
    assert "Say who agreed." in page
    assert "Nothing is written under this heading yet." not in page


def test_each_reader_gets_the_versions_from_the_text_first_shown_to_them(cast, world):
    _draft(cast, world, "## 1. Opening\nFirst draft.\n")
    minutes_save(meeting=world.meeting, body="## 1. Opening\nSecond draft.\n", by=cast.chair)
    minutes = _circulated(cast, world)  # the template's text: version 3, circulated
    minutes_save(meeting=world.meeting, body="## 1. Opening\nAs agreed.\n", by=cast.chair)
    minutes = minutes_approve(minutes=Minutes.objects.get(pk=minutes.pk), by=cast.chair)
    minutes = minutes_publish(minutes=minutes, by=cast.secretariat)

    def numbers(persona):
        return [v.number for v in minutes_versions_for(cast.user(persona), minutes)]

    assert numbers("secretariat") == [4, 3, 2, 1]
    assert numbers("chair") == [4, 3, 2, 1]
    # The Ministry of Health was invited: it read the circulated draft, not the earlier ones.
    assert numbers("member") == [4, 3]
    # The walk-in's organisation was not invited: the minutes as published.
    assert numbers("outsider") == [4]


def test_the_versions_page_names_who_wrote_each_text(cast, world, client):
    _draft(cast, world, "## 1. Opening\nThe chair opened.\n")
    minutes_save(meeting=world.meeting, body="## 1. Opening\nOpened at ten.\n", by=cast.chair)
    client.force_login(cast.secretariat)
    page = client.get(reverse("minutes-versions", args=[world.meeting.pk])).content.decode()
    # The chair has a person: their name, not their login; the secretariat's login has none.
    assert f"<bdi>{cast.chair.person.full_name}</bdi>" in page
    assert f"<bdi>{cast.chair.username}</bdi>" not in page
    assert f"<bdi>{cast.secretariat.username}</bdi>" in page


# --- The comment period ---------------------------------------------------------------


def test_circulating_tells_the_invitees_of_invited_organisations_only(cast, world):
    minutes = _circulated(cast, world)

    notices = Notice.objects.filter(kind=Notice.Kind.MINUTES_CIRCULATED, channel="email")
    reached = set(notices.values_list("person__full_name", flat=True))
    # Not the embassy's observer: nobody acts for an observer organisation, so it does
    # not read the draft; nor the walk-in, nor the member organisation not invited.
    assert reached == {"Jaalal Alashi", "Othman Belbeisi", "Amina Health", "Karim Alternate"}
    assert minutes.circulated_at is not None
    # Circulating the same version again with the same date writes nothing new.
    minutes_circulate(minutes=minutes, comments_until=minutes.comments_until, by=None)
    assert Notice.objects.filter(kind=Notice.Kind.MINUTES_CIRCULATED).count() == notices.count()


def test_a_restricted_draft_is_circulated_only_to_the_organisations_it_names(cast, world):
    minutes = _draft(cast, world)
    confidentiality_set(
        record=minutes, confidentiality="restricted", restricted_to=[cast.moh], by=None
    )
    minutes_circulate(
        minutes=minutes, comments_until=timezone.now() + dt.timedelta(days=3), by=None
    )
    reached = set(
        Notice.objects.filter(kind=Notice.Kind.MINUTES_CIRCULATED).values_list(
            "person__full_name", flat=True
        )
    )
    # The chair and co-chair manage the group; of the others only MoH is named.
    assert reached == {"Jaalal Alashi", "Othman Belbeisi", "Amina Health", "Karim Alternate"}
    assert not minutes_visible_to(cast.observer).filter(pk=minutes.pk).exists()
    assert minutes_visible_to(cast.member).filter(pk=minutes.pk).exists()


def test_circulated_draft_is_read_by_invited_organisations_until_approval(cast, world):
    minutes = _draft(cast, world)
    assert not minutes_visible_to(cast.member).filter(pk=minutes.pk).exists()
    minutes_circulate(
        minutes=minutes, comments_until=timezone.now() + dt.timedelta(days=3), by=None
    )
    assert minutes_visible_to(cast.member).filter(pk=minutes.pk).exists()
    assert not minutes_visible_to(world.interior).filter(pk=minutes.pk).exists()
    assert not minutes_visible_to(cast.outsider).filter(pk=minutes.pk).exists()
    minutes_approve(minutes=minutes, by=cast.chair)
    assert not minutes_visible_to(cast.member).filter(pk=minutes.pk).exists()


def test_circulating_needs_a_draft_and_a_future_date(cast, world):
    minutes = _draft(cast, world)
    with pytest.raises(ValidationError, match="future date"):
        minutes_circulate(
            minutes=minutes, comments_until=timezone.now() - dt.timedelta(hours=1), by=None
        )
    minutes_approve(minutes=minutes, by=cast.chair)
    with pytest.raises(ValidationError, match="Only draft minutes"):
        minutes_circulate(
            minutes=minutes, comments_until=timezone.now() + dt.timedelta(days=1), by=None
        )
    minutes.refresh_from_db()
    assert minutes.circulated_at is None
    assert not Notice.objects.filter(kind=Notice.Kind.MINUTES_CIRCULATED).exists()


def test_a_representative_comments_on_a_section_within_the_period(cast, world):
    minutes = _circulated(cast, world)
    comment = minutes_comment_add(
        minutes=minutes,
        section="2. Voluntary returns",
        agenda_item=None,
        body="Add the regional offices.",
        by=cast.member,
    )
    assert comment.organisation == cast.moh
    assert comment.agenda_item == world.returns
    assert comment.version == minutes.version


@pytest.mark.parametrize("persona", ["interior", "outsider", "observer"])
def test_comments_from_organisations_not_asked_are_refused(cast, world, persona):
    minutes = _circulated(cast, world)
    user = world.interior if persona == "interior" else cast.user(persona)
    with pytest.raises(PermissionDenied):
        minutes_comment_add(
            minutes=minutes, section="", agenda_item=None, body="Our view.", by=user
        )
    assert not MinutesComment.objects.exists()


def test_comments_after_the_period_are_refused_with_a_sentence(cast, world):
    minutes = _circulated(cast, world)
    Minutes.objects.filter(pk=minutes.pk).update(
        comments_until=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="The comment period closed on"):
        minutes_comment_add(
            minutes=minutes, section="", agenda_item=None, body="Late.", by=cast.member
        )
    assert not MinutesComment.objects.exists()


def test_a_comment_on_a_section_the_minutes_do_not_have_is_refused(cast, world):
    minutes = _circulated(cast, world)
    with pytest.raises(ValidationError, match="no such section"):
        minutes_comment_add(
            minutes=minutes, section="9. Nothing", agenda_item=None, body="?", by=cast.member
        )
    assert not MinutesComment.objects.exists()


def test_the_secretariat_answers_and_representatives_see_their_own_comments(cast, world):
    minutes = _circulated(cast, world)
    moh = minutes_comment_add(
        minutes=minutes, section="", agenda_item=None, body="From MoH.", by=cast.member
    )
    iom = minutes_comment_add(
        minutes=minutes, section="", agenda_item=None, body="From IOM.", by=cast.cochair
    )
    answered = minutes_comment_answer(
        comment=moh, answer="Done in version 2.", applied=True, by=cast.secretariat
    )
    assert answered.status == MinutesComment.Status.APPLIED
    assert answered.answered_at is not None
    assert set(minutes_comments_visible_to(cast.member)) == {moh}
    assert set(minutes_comments_visible_to(cast.secretariat)) == {moh, iom}
    assert set(minutes_comments_visible_to(cast.chair)) == {moh, iom}
    with pytest.raises(ValidationError, match="Write the answer"):
        minutes_comment_answer(comment=iom, answer="  ", applied=False, by=cast.secretariat)
    iom.refresh_from_db()
    assert iom.status == MinutesComment.Status.OPEN


# --- The reminder -----------------------------------------------------------------------


def test_the_reminder_goes_once_to_the_organisations_that_have_not_commented(cast, world):
    minutes = _circulated(cast, world, days=1)
    minutes_comment_add(minutes=minutes, section="", agenda_item=None, body="Fine.", by=cast.member)
    assert minutes_comment_reminders_send() == 1
    assert minutes_comment_reminders_send() == 0
    reached = set(
        Notice.objects.filter(kind=Notice.Kind.COMMENTS_REMINDER, channel="email").values_list(
            "person__full_name", flat=True
        )
    )
    # MoH commented; the embassy observes and has no say.
    assert reached == {"Jaalal Alashi", "Othman Belbeisi"}


def test_no_reminder_while_the_period_closes_later(cast, world):
    _circulated(cast, world, days=5)
    assert minutes_comment_reminders_send() == 0
    assert not Notice.objects.filter(kind=Notice.Kind.COMMENTS_REMINDER).exists()


# --- Sign-off ---------------------------------------------------------------------------


def test_the_chair_and_co_chair_approve_in_their_own_capacity(cast, world):
    minutes = minutes_approve(minutes=_draft(cast, world), by=cast.cochair)
    assert (minutes.approved_as, minutes.approved_for) == (
        ApprovalCapacity.COCHAIR,
        cast.cochair_person,
    )
    from meetings.minutes_cycle import approval_text

    assert approval_text(minutes) == "Approved by Othman Belbeisi (co-chair)"


def test_the_secretariat_approves_on_behalf_of_the_chair_it_names(cast, world):
    minutes = minutes_approve(
        minutes=_draft(cast, world), by=cast.secretariat, on_behalf_of=cast.cochair_person
    )
    assert (minutes.approved_as, minutes.approved_for) == (
        ApprovalCapacity.ON_BEHALF,
        cast.cochair_person,
    )
    from meetings.minutes_cycle import approval_text

    assert approval_text(minutes) == (
        "Approved by the secretariat on behalf of Othman Belbeisi (co-chair)"
    )


def test_the_secretariat_cannot_approve_for_someone_not_in_the_chair(cast, world):
    minutes = _draft(cast, world)
    with pytest.raises(ValidationError, match="chair or co-chair"):
        minutes_approve(minutes=minutes, by=cast.secretariat, on_behalf_of=cast.member_person)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT


@pytest.mark.parametrize("persona", ["member", "observer", "outsider"])
def test_others_cannot_approve(cast, world, persona):
    minutes = _draft(cast, world)
    with pytest.raises(PermissionDenied):
        minutes_approve(minutes=minutes, by=cast.user(persona))
    minutes.refresh_from_db()
    assert (minutes.status, minutes.approved_as) == (Minutes.Status.DRAFT, "")


def test_a_chair_cannot_approve_in_another_name(cast, world):
    minutes = _draft(cast, world)
    with pytest.raises(ValidationError, match="own name"):
        minutes_approve(minutes=minutes, by=cast.chair, on_behalf_of=cast.cochair_person)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT


def test_approval_closes_the_comment_period_keeping_the_announced_date(cast, world):
    minutes = _circulated(cast, world)
    announced = minutes.comments_until
    assert comments_open(minutes)
    minutes = minutes_approve(minutes=minutes, by=cast.chair)
    assert minutes.comments_until == announced
    assert not comments_open(minutes)
    assert comments_closed_early_at(minutes) == minutes.approved_at
    with pytest.raises(ValidationError, match="not open for comments|comment period closed"):
        minutes_comment_add(
            minutes=minutes, section="", agenda_item=None, body="Late.", by=cast.cochair
        )
    assert not MinutesComment.objects.filter(minutes=minutes).exists()
    # A change after approval makes a draft again, open to comments until the date given.
    minutes = minutes_save(meeting=world.meeting, body="Rewritten.", by=cast.secretariat)
    assert (minutes.status, minutes.approved_as, minutes.approved_for) == (
        Minutes.Status.DRAFT,
        "",
        None,
    )
    assert comments_open(minutes)
    assert comments_closed_early_at(minutes) is None


def test_the_minutes_page_says_approval_closed_the_period_early(cast, world, client):
    minutes = _circulated(cast, world)
    client.force_login(cast.secretariat)
    url = reverse("meeting-minutes", args=[world.meeting.pk])
    page = client.get(url).content.decode()
    assert "approving now closes the comment period early" in page
    minutes_approve(minutes=minutes, by=cast.chair)
    page = client.get(url).content.decode()
    assert "approving now closes the comment period early" not in page
    assert "closed when the minutes were approved on" in page
    assert "it had been announced until" in page


def test_the_chair_of_the_group_above_signs_off_a_sub_group_without_chairs(cast):
    world = build_world(cast, group=cast.health)
    minutes = minutes_approve(minutes=_draft(cast, world), by=cast.chair)
    assert minutes.approved_as == ApprovalCapacity.CHAIR


# --- Decisions frozen by publication ------------------------------------------------------


def test_decisions_are_refused_once_the_minutes_are_published(cast, world):
    minutes = minutes_approve(minutes=_draft(cast, world), by=cast.chair)
    minutes_publish(minutes=minutes, by=cast.secretariat)
    with pytest.raises(ValidationError, match="correction recorded at adoption"):
        decision_add(meeting=world.meeting, text="Afterthought.", by=cast.secretariat)
    assert world.meeting.decisions.count() == 1


def test_a_correction_at_a_later_meeting_of_the_group_may_add_one(cast, world):
    minutes = minutes_approve(minutes=_draft(cast, world), by=cast.chair)
    minutes_publish(minutes=minutes, by=cast.secretariat)
    later = build_world_next(cast)
    decision = decision_add(
        meeting=world.meeting, text="Recorded late.", correction_at=later, by=cast.secretariat
    )
    assert decision.corrected_at == later


def build_world_next(cast):
    from meetings.services import meeting_create

    start = timezone.now() + dt.timedelta(days=20)
    return meeting_create(
        group=cast.mwg,
        title="Next MWG meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
    )
