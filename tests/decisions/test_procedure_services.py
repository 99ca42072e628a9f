"""The written procedure's services: drafting, circulating, answering, closing by the
beat (adopted by silence, or not adopted on an objection), withdrawing; who is asked
and who is only told; the labels."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from decisions.models import ProcedureAnswer, WrittenProcedure
from decisions.permissions import procedures_visible_to, user_may_answer
from decisions.services import (
    procedure_answer,
    procedure_close,
    procedure_update,
    procedure_withdraw,
    procedures_close_due,
)
from decisions.tasks import procedures_close_due_task
from meetings.models import Decision
from notices.models import Notice
from tests.decisions.procedures import circulated, draft, make_due

pytestmark = pytest.mark.django_db

AGREE, OBJECT = ProcedureAnswer.Answer.AGREE, ProcedureAnswer.Answer.OBJECT
PAGE = ProcedureAnswer.Channel.PAGE


def _recipients(kind: str) -> set[str]:
    return set(
        Notice.objects.filter(kind=kind, channel="email").values_list(
            "person__full_name", flat=True
        )
    )


def _answer(procedure, organisation, answer, by, reason=""):
    return procedure_answer(
        procedure=procedure,
        organisation=organisation,
        answer=answer,
        reason=reason,
        channel=PAGE,
        by=by,
    )


def test_a_draft_needs_a_deadline_at_least_a_day_ahead(cast):
    with pytest.raises(ValidationError) as refusal:
        draft(cast, deadline=timezone.now() + dt.timedelta(hours=20))

    assert "deadline" in refusal.value.message_dict
    assert not WrittenProcedure.objects.exists()


def test_a_draft_tells_nobody_and_only_managers_see_it(cast):
    procedure = draft(cast)

    assert procedure.status == "draft"
    assert procedure.reference == ""
    assert not Notice.objects.exists()
    for persona in ("secretariat", "chair", "cochair"):
        assert procedures_visible_to(cast.user(persona)).filter(pk=procedure.pk).exists()
    for persona in ("member", "observer", "outsider"):
        assert not procedures_visible_to(cast.user(persona)).filter(pk=procedure.pk).exists()


def test_circulating_asks_the_members_and_tells_the_observers(cast):
    procedure = circulated(cast)

    year = timezone.localtime().year
    code = cast.mwg.reference_code or f"G{cast.mwg.pk}"
    assert procedure.reference == f"{code}/{year}/WP1"
    assert procedure.status == "open"
    asked = set(procedure.answers.values_list("organisation__name", flat=True))
    assert asked == {cast.mofa.name, cast.iom.name, cast.moh.name}
    assert set(procedure.answers.values_list("answer", flat=True)) == {"pending"}
    assert _recipients("procedure") == {
        "Jaalal Alashi",
        "Othman Belbeisi",
        "Amina Health",
        "Karim Alternate",
        "Marco Observer",
    }
    for persona in ("member", "observer", "chair"):
        assert procedures_visible_to(cast.user(persona)).filter(pk=procedure.pk).exists()
    assert not procedures_visible_to(cast.outsider).filter(pk=procedure.pk).exists()
    assert user_may_answer(cast.member, procedure)
    assert not user_may_answer(cast.observer, procedure)
    assert not user_may_answer(cast.outsider, procedure)


def test_the_second_procedure_of_the_year_gets_the_next_number(cast):
    first = circulated(cast)
    second = circulated(cast, title="Second")

    assert second.reference == first.reference.replace("WP1", "WP2")


def test_a_circulated_procedure_no_longer_changes(cast):
    procedure = circulated(cast)

    with pytest.raises(ValidationError) as refusal:
        procedure_update(procedure=procedure, title="Changed", by=cast.secretariat)

    assert "status" in refusal.value.message_dict
    assert WrittenProcedure.objects.get(pk=procedure.pk).title == "Referral pathways"


def test_an_objection_needs_a_reason_and_nothing_changes_without_one(cast):
    procedure = circulated(cast)

    with pytest.raises(ValidationError) as refusal:
        _answer(procedure, cast.moh, OBJECT, cast.member, reason="  ")

    assert "reason" in refusal.value.message_dict
    row = procedure.answers.get(organisation=cast.moh)
    assert row.answer == "pending"
    assert row.history.count() == 1


def test_an_answer_may_change_before_the_deadline_and_every_answer_is_kept(cast):
    procedure = circulated(cast)

    _answer(procedure, cast.moh, AGREE, cast.member)
    row = _answer(procedure, cast.moh, OBJECT, cast.member, reason="Costs not agreed")

    assert row.answer == "object"
    assert row.reason == "Costs not agreed"
    assert row.answered_by == cast.member
    assert row.answered_by_person == cast.member_person
    assert row.channel == "page"
    given = list(row.history.order_by("history_date").values_list("answer", flat=True))
    assert given == ["pending", "agree", "object"]


def test_an_answer_after_the_deadline_is_refused(cast):
    procedure = make_due(circulated(cast))

    with pytest.raises(ValidationError) as refusal:
        _answer(procedure, cast.moh, AGREE, cast.member)

    assert "answer" in refusal.value.message_dict
    assert procedure.answers.get(organisation=cast.moh).answer == "pending"


def test_an_organisation_not_asked_cannot_answer(cast):
    procedure = circulated(cast)

    with pytest.raises(ValidationError) as refusal:
        _answer(procedure, cast.embassy, AGREE, cast.observer)

    assert "organisation" in refusal.value.message_dict
    assert not procedure.answers.filter(organisation=cast.embassy).exists()


def test_silence_adopts_the_decision_at_the_deadline(cast):
    procedure = circulated(cast)
    _answer(procedure, cast.moh, AGREE, cast.member)
    make_due(procedure)

    assert procedure_close(procedure_id=procedure.pk) is True

    procedure.refresh_from_db()
    assert procedure.status == "adopted"
    assert procedure.closed_at is not None
    decision = procedure.decision
    assert decision.meeting is None
    assert decision.group == cast.mwg
    assert decision.number == 1
    assert decision.reference == procedure.reference
    assert decision.text == procedure.text
    assert decision.text_ar == procedure.text_ar
    assert decision.text_fr == procedure.text_fr
    assert decision.decided_on == timezone.localtime(procedure.deadline).date()
    assert decision.quorum_met is None
    assert decision.confidentiality == procedure.confidentiality
    assert _recipients("procedure_outcome") == _recipients("procedure")


def test_an_objection_means_not_adopted_and_stays_on_record(cast):
    procedure = circulated(cast)
    _answer(procedure, cast.moh, OBJECT, cast.member, reason="Costs not agreed")
    make_due(procedure)

    assert procedure_close(procedure_id=procedure.pk) is True

    procedure.refresh_from_db()
    assert procedure.status == "not_adopted"
    assert procedure.decision is None
    assert not Decision.objects.filter(reference=procedure.reference).exists()
    objection = procedure.answers.get(answer="object")
    assert (objection.organisation, objection.reason) == (cast.moh, "Costs not agreed")
    outcome = Notice.objects.filter(kind="procedure_outcome", channel="email").first()
    assert outcome.payload["written_procedure"]["objections"] == [
        {"organisation": {"id": cast.moh.pk, "name": cast.moh.name}, "reason": "Costs not agreed"}
    ]


def test_a_procedure_not_due_is_not_closed(cast):
    procedure = circulated(cast)

    assert procedure_close(procedure_id=procedure.pk) is False
    assert WrittenProcedure.objects.get(pk=procedure.pk).status == "open"


def test_two_beat_runs_in_a_row_close_it_once(cast):
    procedure = make_due(circulated(cast))

    assert procedures_close_due_task() == 1
    notices_after_first = Notice.objects.filter(kind="procedure_outcome").count()
    assert procedures_close_due_task() == 0
    assert procedures_close_due() == 0

    assert Decision.objects.filter(reference=procedure.reference).count() == 1
    assert Notice.objects.filter(kind="procedure_outcome").count() == notices_after_first
    assert notices_after_first == 5


def test_withdrawing_an_open_procedure_tells_everyone_told(cast):
    procedure = circulated(cast)

    with pytest.raises(ValidationError):
        procedure_withdraw(procedure=procedure, reason="", by=cast.secretariat)
    assert WrittenProcedure.objects.get(pk=procedure.pk).status == "open"

    procedure_withdraw(procedure=procedure, reason="Overtaken by events", by=cast.secretariat)

    procedure.refresh_from_db()
    assert procedure.status == "withdrawn"
    assert _recipients("procedure_outcome") == _recipients("procedure")
    assert procedure_close(procedure_id=procedure.pk) is False
    with pytest.raises(ValidationError):
        _answer(procedure, cast.moh, AGREE, cast.member)


def test_a_restricted_procedure_reaches_only_the_organisations_it_names(cast):
    procedure = circulated(cast, confidentiality="restricted", restricted_to=[cast.moh])

    asked = set(procedure.answers.values_list("organisation__name", flat=True))
    # The chairs' organisations manage the group and see it; the embassy is not named.
    assert asked == {cast.mofa.name, cast.iom.name, cast.moh.name}
    assert "Marco Observer" not in _recipients("procedure")
    assert not procedures_visible_to(cast.observer).filter(pk=procedure.pk).exists()
    make_due(procedure)
    procedure_close(procedure_id=procedure.pk)
    assert "Marco Observer" not in _recipients("procedure_outcome")
    decision = WrittenProcedure.objects.get(pk=procedure.pk).decision
    assert decision.confidentiality == "restricted"
    assert list(decision.restricted_to.all()) == [cast.moh]
