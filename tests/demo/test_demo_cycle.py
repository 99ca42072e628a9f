"""The demo shows the group's work around its meetings as one full cycle in the
Migration Working Group: the launch's draft minutes commented by members, signed off
by the chair and adopted (with a correction) at the next meeting; a decision taken by
silence procedure; the health sub-group reporting back to the next plenary."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from decisions.models import ProcedureAnswer, WrittenProcedure
from demo import story
from meetings.models import (
    AgendaItem,
    ApprovalCapacity,
    Decision,
    Meeting,
    Minutes,
    MinutesComment,
    MinutesVersion,
    ReportBack,
)
from notices.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(settings) -> dt.datetime:
    settings.DEMO_PASSWORD = "tansiq-demo"
    began = timezone.now()
    call_command("load_demo", stdout=StringIO())
    return began


def _meeting(spec: story.Meeting) -> Meeting:
    return Meeting.objects.get(title=spec.title)


def test_the_launch_minutes_were_commented_signed_off_and_adopted_at_the_next_meeting(loaded):
    minutes = Minutes.objects.get(meeting=_meeting(story.LAUNCH))
    returns = _meeting(story.QUARTERLY_RETURNS)

    comments = list(minutes.comments.select_related("organisation").order_by("created_at"))
    assert [c.organisation.acronym for c in comments] == ["MoH", "IOM"]
    assert {c.status for c in comments} == {MinutesComment.Status.APPLIED}
    assert all(minutes.circulated_at <= c.created_at <= minutes.comments_until for c in comments)
    assert all(c.created_at < c.answered_at < minutes.approved_at for c in comments)
    # Commented on the sections of the agenda items they name, numbered as the agenda is.
    assert comments[0].agenda_item.title == "Priority areas and the sub-groups to come"
    assert (
        comments[0].section
        == f"{comments[0].agenda_item.position}. {comments[0].agenda_item.title}"
    )
    assert minutes.approved_as == ApprovalCapacity.CHAIR
    assert minutes.approved_for.full_name == "Jaalal Alashi"
    # Drafted, edited for the comments, corrected at adoption: each text kept, in order.
    versions = list(minutes.versions.order_by("number"))
    assert [v.reason for v in versions] == [
        MinutesVersion.Reason.DRAFTED,
        MinutesVersion.Reason.EDITED,
        MinutesVersion.Reason.CORRECTED,
    ]
    assert [v.created_at for v in versions] == sorted(v.created_at for v in versions)
    assert "Ministry of Health will chair" not in versions[0].body
    assert "Ministry of Health will chair" in versions[1].body
    assert "led by its Senior Regional Adviser" in versions[2].body == minutes.body
    assert minutes.adopted_at == returns
    assert minutes.adopted_on == timezone.localtime(returns.start_at, returns.zone).date()
    item = returns.agenda_items.get(kind=AgendaItem.Kind.MINUTES_ADOPTION)
    assert item.position == 1
    assert item.source_meeting == minutes.meeting
    assert minutes.adoption_decision.meeting == returns
    assert "adopted with corrections" in minutes.adoption_decision.text


def test_the_returns_minutes_await_adoption_at_the_coming_meeting(loaded):
    returns = _meeting(story.QUARTERLY_RETURNS)
    coming = _meeting(story.QUARTERLY_LABOUR_BORDERS)
    minutes = Minutes.objects.get(meeting=returns)

    assert minutes.status == Minutes.Status.PUBLISHED
    assert minutes.adopted_at is None
    assert minutes.approved_as == ApprovalCapacity.ON_BEHALF
    assert minutes.comments.get().status == MinutesComment.Status.ANSWERED
    kinds = list(coming.agenda_items.order_by("position").values_list("kind", "source_meeting"))
    assert kinds[0] == (AgendaItem.Kind.MINUTES_ADOPTION, returns.pk)
    assert kinds[1] == (AgendaItem.Kind.ACTION_REVIEW, None)


def test_the_health_sub_group_reports_back_to_the_next_plenary(loaded):
    health = _meeting(story.HEALTH_SERVICES)
    coming = _meeting(story.QUARTERLY_LABOUR_BORDERS)

    report = ReportBack.objects.get(source_meeting=health)
    assert report.meeting == coming
    assert report.status == ReportBack.Status.ACCEPTED
    assert report.agenda_item.kind == AgendaItem.Kind.REPORT_BACK
    assert report.agenda_item.meeting == coming
    assert "Health" in report.agenda_item.title


def test_one_decision_was_taken_by_silence_procedure_and_another_is_open(loaded, client):
    closed = WrittenProcedure.objects.get(title="Terms of reference of the health sub-group")
    open_one = WrittenProcedure.objects.get(title="Joint statement for International Migrants Day")

    assert closed.status == WrittenProcedure.Status.ADOPTED
    assert closed.closed_at == closed.deadline < loaded
    decision = closed.decision
    assert decision.meeting is None
    assert decision.reference == closed.reference
    assert decision.text_ar
    assert decision.text_fr
    assert decision.decided_on == timezone.localtime(closed.deadline, story.TRIPOLI).date()
    # Asked: the member organisations; the observers (Italy, the Netherlands, UNSMIL) not.
    asked = set(closed.answers.values_list("organisation__acronym", flat=True))
    assert "MoH" in asked
    assert "IOM" in asked
    assert "UNSMIL" not in asked
    assert set(
        closed.answers.exclude(answer=ProcedureAnswer.Answer.PENDING).values_list(
            "organisation__acronym", flat=True
        )
    ) == {"MoH", "IOM"}
    # The trail dates each answer when the story gave it: within the procedure's days.
    trail = ProcedureAnswer.history.filter(procedure_id=closed.pk).exclude(
        answer=ProcedureAnswer.Answer.PENDING
    )
    assert trail.count() == 2
    for entry in trail:
        assert closed.circulated_at < entry.answered_at < closed.deadline
        assert entry.history_date == entry.answered_at
    assert Notice.objects.filter(procedure=closed, kind=Notice.Kind.PROCEDURE_OUTCOME).exists()
    assert not Notice.objects.filter(procedure=closed).exclude(status=Notice.Status.SENT).exists()
    assert open_one.status == WrittenProcedure.Status.OPEN
    assert open_one.deadline > loaded
    assert open_one.answers.filter(answer=ProcedureAnswer.Answer.PENDING).exists()

    # The member sees the adopted decision in the group's register.
    client.login(username="member", password="tansiq-demo")
    response = client.get(reverse("decisions:register"))
    assert response.status_code == 200
    assert closed.reference in response.content.decode()
    assert Decision.objects.filter(meeting__isnull=True).count() == 1
