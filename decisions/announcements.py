"""What a written procedure tells people: circulated, and its outcome (through notices.outbox).

The services call these inside their transactions. The recipients are those of
decisions.audience (the group's member organisations asked, its observers told, as the
label lets them see the procedure); the payload freezes the procedure as it stands for
the webhooks. The mail itself is worded at delivery (notices.procedure_mail), where the
links to answer go only to those who may give their organisation's answer.
"""

from typing import Any

from decisions.audience import ProcedureAudience, procedure_audience
from decisions.models import ProcedureAnswer, WrittenProcedure
from groups.models import Confidentiality
from notices import outbox
from notices.outbox import NoticeKind
from portal.api.serializers import utc_iso


def procedure_payload(procedure: WrittenProcedure) -> dict[str, Any]:
    answers = list(procedure.answers.select_related("organisation").order_by("organisation__name"))
    decision = procedure.decision
    return {
        "written_procedure": {
            "id": procedure.pk,
            "reference": procedure.reference,
            "title": procedure.title,
            "group": {"id": procedure.group_id, "name": procedure.group.name},
            "status": procedure.status,
            "deadline": utc_iso(procedure.deadline),
            "circulated_at": utc_iso(procedure.circulated_at) if procedure.circulated_at else None,
            "closed_at": utc_iso(procedure.closed_at) if procedure.closed_at else None,
            "withdrawn_reason": procedure.withdrawn_reason,
            "organisations_asked": [
                {"id": answer.organisation_id, "name": answer.organisation.name}
                for answer in answers
            ],
            "objections": [
                {
                    "organisation": {
                        "id": answer.organisation_id,
                        "name": answer.organisation.name,
                    },
                    "reason": answer.reason,
                }
                for answer in answers
                if answer.answer == ProcedureAnswer.Answer.OBJECT
            ],
            "decision": (
                {"id": decision.pk, "reference": decision.reference}
                if decision is not None
                else None
            ),
        }
    }


def _write(
    procedure: WrittenProcedure, audience: ProcedureAudience, *, kind: str, version: str
) -> int:
    payload = procedure_payload(procedure)
    restricted = procedure.confidentiality == Confidentiality.RESTRICTED
    written = outbox.notices_write(
        kind=kind,
        version=version,
        payload=payload,
        people=audience.asked_people + audience.informed_people,
        webhook_group_id=procedure.group_id,
        webhook_organisation_ids=audience.organisation_ids if restricted else None,
        procedure=procedure,
    )
    return written


def procedure_circulated_announce(procedure: WrittenProcedure) -> int:
    """The draft decision to every representative of the organisations asked (with
    their links to answer, added at delivery) and of the observers (told only), and
    a webhook call to the group's subscribed organisations that may see it."""
    audience = procedure_audience(
        procedure, asked_ids=procedure.answers.values_list("organisation_id", flat=True)
    )
    return _write(procedure, audience, kind=NoticeKind.PROCEDURE, version="circulated")


def procedure_outcome_announce(procedure: WrittenProcedure) -> int:
    """The outcome (adopted, not adopted with the objections, or withdrawn) to everyone
    the procedure was circulated to: the organisations asked and the observers."""
    audience = procedure_audience(
        procedure, asked_ids=procedure.answers.values_list("organisation_id", flat=True)
    )
    return _write(procedure, audience, kind=NoticeKind.PROCEDURE_OUTCOME, version=procedure.status)
