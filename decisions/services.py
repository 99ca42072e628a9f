"""The written (silence) procedure: every write.

A draft is prepared by the secretariat or the group's chairs, then circulated: it gets
its reference (MWG/2026/WP3), the group's member organisations are asked (a
ProcedureAnswer each) and told, the observers told only. Until the deadline each
organisation asked may agree or object (with a reason), and change its answer; every
answer is kept in the answer's history. At the deadline the beat closes it exactly once:
with no objection (silence counts as agreement) the text is adopted as a decision of
the group; with one, it is not adopted and the objections stay on record. Everyone
told is told the outcome.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from decisions import announcements
from decisions.audience import procedure_audience
from decisions.models import ProcedureAnswer, ProcedureCounter, WrittenProcedure
from groups.models import CoordinationGroup
from groups.services import confidentiality_set, label_for_new
from meetings.models import Decision
from members.models import Organisation, Person
from members.permissions import user_person
from portal.audit import Actor, audited_save, author_of

Status = WrittenProcedure.Status
Answer = ProcedureAnswer.Answer
# Time enough for the capitals to be consulted.
DEADLINE_MIN = dt.timedelta(days=1)
EDITABLE_FIELDS = ("title", "text", "text_ar", "text_fr", "deadline")


def _locked(procedure: WrittenProcedure) -> WrittenProcedure:
    return WrittenProcedure.objects.select_for_update().select_related("group").get(pk=procedure.pk)


def _require_status(procedure: WrittenProcedure, allowed: Iterable[str], refusal: str) -> None:
    if procedure.status not in set(allowed):
        raise ValidationError(
            {"status": refusal % {"status": procedure.get_status_display().lower()}}
        )


def _deadline_check(deadline: Any) -> None:
    if not isinstance(deadline, dt.datetime) or timezone.is_naive(deadline):
        raise ValidationError({"deadline": _("Give the deadline as a date and time.")})
    if deadline < timezone.now() + DEADLINE_MIN:
        raise ValidationError({"deadline": _("The deadline must be at least one day from now.")})


def _text_check(text: str) -> None:
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the draft decision.")})


@transaction.atomic
def procedure_create(
    *,
    group: CoordinationGroup,
    title: str,
    text: str,
    deadline: dt.datetime,
    by: Actor,
    text_ar: str = "",
    text_fr: str = "",
    confidentiality: str | None = None,
    restricted_to: Iterable[Organisation] = (),
) -> WrittenProcedure:
    """A draft written procedure of `group`; its label is the one asked for or the
    group's usual one. Nobody hears of it until it is circulated."""
    if group.is_archived:
        raise ValidationError({"group": _("An archived group takes no decisions.")})
    _text_check(text)
    _deadline_check(deadline)
    label = label_for_new(confidentiality=confidentiality, restricted_to=restricted_to, group=group)
    procedure = WrittenProcedure(
        group=group,
        title=title,
        text=text,
        text_ar=text_ar,
        text_fr=text_fr,
        deadline=deadline,
        confidentiality=label.confidentiality,
        created_by=author_of(by),
    )
    audited_save(procedure, by=by)
    label.attach(procedure)
    return procedure


@transaction.atomic
def procedure_update(
    *,
    procedure: WrittenProcedure,
    by: Actor,
    confidentiality: str | None = None,
    restricted_to: Iterable[Organisation] | None = None,
    **changes: Any,
) -> WrittenProcedure:
    """Change a draft: its words, its deadline, its label (kept in its trail). Once
    circulated, what the organisations were asked no longer changes."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This cannot be changed.") for name in sorted(unknown)})
    procedure = _locked(procedure)
    _require_status(
        procedure, {Status.DRAFT}, _("The procedure is %(status)s: only a draft can change.")
    )
    if "text" in changes:
        _text_check(changes["text"])
    if "deadline" in changes:
        _deadline_check(changes["deadline"])
    for name, value in changes.items():
        setattr(procedure, name, value)
    if changes:
        audited_save(procedure, by=by)
    if confidentiality is not None or restricted_to is not None:
        confidentiality_set(
            record=procedure,
            confidentiality=confidentiality or procedure.confidentiality,
            restricted_to=(
                restricted_to if restricted_to is not None else procedure.restricted_to.all()
            ),
            by=by,
        )
        procedure.refresh_from_db()
    return procedure


def _group_code(group: CoordinationGroup) -> str:
    return group.reference_code or f"G{group.pk}"


def reference_assign(procedure: WrittenProcedure) -> str:
    """The next written-procedure reference of the group's year (MWG/2026/WP3), under
    the counter's row lock as meetings.references.reference_assign gives meeting
    numbers: two procedures circulated at once queue on it and never share a number."""
    if procedure.reference:
        return procedure.reference
    year = timezone.localtime().year
    ProcedureCounter.objects.bulk_create(
        [ProcedureCounter(group_id=procedure.group_id, year=year, last_number=0)],
        ignore_conflicts=True,
    )
    counter = ProcedureCounter.objects.select_for_update().get(
        group_id=procedure.group_id, year=year
    )
    code = _group_code(procedure.group)
    while True:
        counter.last_number += 1
        reference = f"{code}/{year}/WP{counter.last_number}"
        # Taken only when the group's code was another group's before: skip it.
        if not WrittenProcedure.objects.filter(reference=reference).exists():
            break
    counter.save(update_fields=["last_number"])
    procedure.reference = reference
    return reference


@transaction.atomic
def procedure_circulate(*, procedure: WrittenProcedure, by: Actor) -> WrittenProcedure:
    """Draft → open: the reference is given, each member organisation of the group
    that may see it is asked (observers are not), and the representatives of both are
    told, the asked with their links to answer."""
    procedure = _locked(procedure)
    _require_status(
        procedure, {Status.DRAFT}, _("The procedure is %(status)s: only a draft is circulated.")
    )
    if procedure.deadline < timezone.now() + DEADLINE_MIN:
        raise ValidationError(
            {
                "deadline": _(
                    "The deadline must be at least one day from now: change it before circulating."
                )
            }
        )
    audience = procedure_audience(procedure)
    if not audience.asked:
        raise ValidationError(
            _("The group has no member organisation that may see this procedure to ask.")
        )
    reference_assign(procedure)
    procedure.status = Status.OPEN
    procedure.circulated_at = timezone.now()
    audited_save(procedure, by=by, update_fields=["reference", "status", "circulated_at"])
    for entry in audience.asked:
        audited_save(ProcedureAnswer(procedure=procedure, organisation=entry.organisation), by=by)
    announcements.procedure_circulated_announce(procedure)
    return procedure


def _answer_open_check(procedure: WrittenProcedure) -> None:
    if procedure.status != Status.OPEN or procedure.deadline <= timezone.now():
        raise ValidationError(
            {"answer": _("The procedure is closed to answers: its deadline has passed.")}
            if procedure.status in {Status.OPEN, Status.CLOSING}
            else {
                "answer": _("The procedure is %(status)s: it takes no answers.")
                % {"status": procedure.get_status_display().lower()}
            }
        )


@transaction.atomic
def procedure_answer(
    *,
    procedure: WrittenProcedure,
    organisation: Organisation,
    answer: str,
    by: Actor,
    channel: str,
    reason: str = "",
    person: Person | None = None,
) -> ProcedureAnswer:
    """The organisation's answer: agree, or object with a reason. Until the deadline it
    may be changed; each change stays in the answer's history. The procedure's row lock
    orders it with the closing: an answer given in time is counted."""
    procedure = _locked(procedure)
    _answer_open_check(procedure)
    if answer not in {Answer.AGREE, Answer.OBJECT}:
        raise ValidationError({"answer": _("Answer “agree” or “object”.")})
    if channel not in ProcedureAnswer.Channel.values:
        raise ValidationError({"channel": _("Unknown way of answering.")})
    reason = (reason or "").strip()
    if answer == Answer.OBJECT and not reason:
        raise ValidationError({"reason": _("An objection needs its reason.")})
    row = (
        ProcedureAnswer.objects.select_for_update()
        .filter(procedure=procedure, organisation=organisation)
        .first()
    )
    if row is None:
        raise ValidationError(
            {"organisation": _("This organisation was not asked in this procedure.")}
        )
    if row.answer == answer and row.reason == reason:
        return row
    row.answer = answer
    row.reason = reason
    row.answered_by = author_of(by)
    row.answered_by_person = person if person is not None else user_person(by)
    row.answered_at = timezone.now()
    row.channel = channel
    audited_save(row, by=by)
    return row


@transaction.atomic
def procedure_withdraw(*, procedure: WrittenProcedure, reason: str, by: Actor) -> WrittenProcedure:
    """Withdraw a draft or an open procedure; those told of an open one hear it."""
    procedure = _locked(procedure)
    _require_status(
        procedure,
        {Status.DRAFT, Status.OPEN},
        _("The procedure is %(status)s: it can no longer be withdrawn."),
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the procedure is withdrawn.")})
    was_open = procedure.status == Status.OPEN
    procedure.status = Status.WITHDRAWN
    procedure.withdrawn_reason = reason
    procedure.closed_at = timezone.now()
    audited_save(procedure, by=by, update_fields=["status", "withdrawn_reason", "closed_at"])
    if was_open:
        announcements.procedure_outcome_announce(procedure)
    return procedure


def _decided_on(procedure: WrittenProcedure) -> dt.date:
    # Groups keep no zone of their own: the portal's is the group's.
    return timezone.localtime(procedure.deadline).date()


@transaction.atomic
def procedure_close(*, procedure_id: int) -> bool:
    """Close an open procedure whose deadline has come; False when it is not due or
    another run closed it.

    The claim is one conditional UPDATE (open and due → closing): two beat runs
    overlapping on PostgreSQL queue on the row, and the second finds it no longer open
    once the first commits; SQLite runs one writer at a time. So the decision and the
    outcome notices are written exactly once. Answers still pending count as silence."""
    now = timezone.now()
    claimed = WrittenProcedure.objects.filter(
        pk=procedure_id, status=Status.OPEN, deadline__lte=now
    ).update(status=Status.CLOSING)
    if not claimed:
        return False
    procedure = (
        WrittenProcedure.objects.select_for_update().select_related("group").get(pk=procedure_id)
    )
    objected = procedure.answers.filter(answer=Answer.OBJECT).exists()
    if objected:
        procedure.status = Status.NOT_ADOPTED
    else:
        decision = Decision(
            group=procedure.group,
            meeting=None,
            number=1,
            decided_on=_decided_on(procedure),
            reference=procedure.reference,
            text=procedure.text,
            text_ar=procedure.text_ar,
            text_fr=procedure.text_fr,
            confidentiality=procedure.confidentiality,
            quorum_met=None,
        )
        audited_save(decision, by=None)
        decision.restricted_to.set(procedure.restricted_to.all())
        procedure.decision = decision
        procedure.status = Status.ADOPTED
    procedure.closed_at = now
    audited_save(procedure, by=None, update_fields=["status", "decision", "closed_at"])
    announcements.procedure_outcome_announce(procedure)
    return True


def procedures_close_due() -> int:
    """The beat's work: close every open procedure whose deadline has come, each in
    its own transaction; returns how many this run closed."""
    due = WrittenProcedure.objects.filter(
        status=Status.OPEN, deadline__lte=timezone.now()
    ).order_by("deadline", "pk")
    return sum(procedure_close(procedure_id=pk) for pk in due.values_list("pk", flat=True))
