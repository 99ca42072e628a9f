"""What a written procedure's notices say: the mail in the recipient's language and
the webhook body (hooked into notices.content's email_for and webhook_body).

Worded at delivery from the procedure as it is then. The links to answer go only to a
person who acts for an organisation asked (decisions.permissions), one pair per such
organisation, and only while the procedure takes answers; an observer's
representative is told that observers are not asked to answer. A recipient who may no
longer see the procedure (its label changed) gets nothing.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from decisions.audience import organisation_may_see_procedure, person_may_see_procedure
from decisions.links import answer_url
from decisions.models import ProcedureAnswer, WrittenProcedure
from decisions.permissions import answers_answerable_by_person
from members.models import Person
from notices.models import Notice

KIND = Notice.Kind
PROCEDURE_KINDS = frozenset({KIND.PROCEDURE, KIND.PROCEDURE_OUTCOME})
Status = WrittenProcedure.Status


@dataclass(frozen=True)
class ProcedureMail:
    subject: str
    text: str
    html: str


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _moment(moment: dt.datetime) -> dict[str, str]:
    local = timezone.localtime(moment)
    utc = moment.astimezone(dt.UTC)
    return {
        "local": formats.date_format(local, "DATETIME_FORMAT"),
        "zone": settings.TIME_ZONE,
        "utc": formats.date_format(utc, "DATETIME_FORMAT"),
    }


def _group_name(procedure: WrittenProcedure, language: str) -> str:
    group = procedure.group
    return {"ar": group.name_ar, "fr": group.name_fr}.get(language) or group.name


def _with_reference(subject: str, procedure: WrittenProcedure) -> str:
    if not procedure.reference:
        return subject
    return _("%(reference)s — %(subject)s") % {"reference": procedure.reference, "subject": subject}


def _links(procedure: WrittenProcedure, person: Person) -> list[dict[str, Any]]:
    """A pair of links per organisation asked that the person acts for, while the
    procedure takes answers."""
    if procedure.status != Status.OPEN or procedure.deadline <= timezone.now():
        return []
    answers = answers_answerable_by_person(person, procedure).select_related("organisation")
    return [
        {
            "organisation": answer.organisation.name,
            "answer": answer.get_answer_display() if answer.answer != "pending" else "",
            "agree": answer_url(
                procedure_id=procedure.pk,
                organisation_id=answer.organisation_id,
                person_id=person.pk,
                answer=ProcedureAnswer.Answer.AGREE,
            ),
            "object": answer_url(
                procedure_id=procedure.pk,
                organisation_id=answer.organisation_id,
                person_id=person.pk,
                answer=ProcedureAnswer.Answer.OBJECT,
            ),
        }
        for answer in answers
    ]


def _circulated(procedure: WrittenProcedure, person: Person, names: dict) -> dict[str, Any]:
    asked = answers_answerable_by_person(person, procedure).exists()
    links = _links(procedure, person)
    if asked:
        intro = _(
            "The %(group)s is asked to take a decision by written procedure. Your "
            "organisation is asked to agree or to object, with a reason, by %(deadline)s. "
            "With no objection by then, the draft decision below is adopted."
        )
    else:
        intro = _(
            "The %(group)s is asked to take a decision by written procedure. You are "
            "informed; observers are not asked to answer."
        )
    closed = ""
    if asked and not links:
        closed = _("The procedure no longer takes answers (%(status)s).") % {
            "status": procedure.get_status_display().lower()
        }
    return {
        "subject": _("Written procedure: %(title)s (answers by %(date)s)") % names,
        "intro": intro % names,
        "links": links,
        "closed": closed,
        "is_asked": asked,
    }


def _outcome(procedure: WrittenProcedure, names: dict) -> dict[str, Any]:
    objections = [
        {"organisation": answer.organisation.name, "reason": answer.reason}
        for answer in procedure.answers.filter(answer=ProcedureAnswer.Answer.OBJECT)
        .select_related("organisation")
        .order_by("organisation__name")
    ]
    decision_url = ""
    if procedure.status == Status.ADOPTED:
        subject = _("Adopted by written procedure: %(title)s")
        intro = _(
            "No organisation objected by the deadline: the draft decision is adopted as a "
            "decision of the %(group)s."
        )
        if procedure.decision_id is not None:
            decision_url = _site(reverse("decisions:decision-detail", args=[procedure.decision_id]))
    elif procedure.status == Status.NOT_ADOPTED:
        subject = _("Not adopted: %(title)s")
        intro = _(
            "The draft decision of the %(group)s is not adopted: organisations objected by "
            "the deadline. Their objections are below."
        )
    else:
        subject = _("Withdrawn: %(title)s")
        intro = _("The written procedure of the %(group)s has been withdrawn.")
    return {
        "subject": subject % names,
        "intro": intro % names,
        "objections": objections if procedure.status == Status.NOT_ADOPTED else [],
        "reason": procedure.withdrawn_reason if procedure.status == Status.WITHDRAWN else "",
        "decision_url": decision_url,
        "links": [],
    }


def procedure_email(notice: Notice, language: str) -> ProcedureMail | None:
    """The mail of a written-procedure notice in `language`; None when its recipient
    may no longer see the procedure."""
    procedure = notice.procedure
    person = notice.person
    if procedure is None or person is None:
        raise ValueError(f"Notice {notice.pk} ({notice.kind}) has no procedure or recipient.")
    if not person_may_see_procedure(person, procedure):
        return None
    with translation.override(language):
        deadline = _moment(procedure.deadline)
        names = {
            "title": procedure.title,
            "group": _group_name(procedure, language),
            "deadline": f"{deadline['local']} ({deadline['zone']})",
            "date": formats.date_format(timezone.localtime(procedure.deadline), "DATE_FORMAT"),
        }
        if notice.kind == KIND.PROCEDURE:
            parts = _circulated(procedure, person, names)
        else:
            parts = _outcome(procedure, names)
        subject = _with_reference(parts.pop("subject"), procedure)
        context = {
            **parts,
            "kind": notice.kind,
            "procedure": procedure,
            "text": procedure.text_in(language),
            "group_name": names["group"],
            "deadline": deadline,
            "procedure_url": _site(reverse("decisions:procedure-detail", args=[procedure.pk])),
            "person": person,
            "subject": subject,
            "language": language,
            "is_rtl": translation.get_language_bidi(),
            "site_url": settings.SITE_URL,
        }
        text = render_to_string("notices/procedure_email.txt", context)
        html = render_to_string("notices/procedure_email.html", context)
    return ProcedureMail(subject=subject, text=text, html=html)


def procedure_webhook_data(notice: Notice) -> dict[str, Any] | None:
    """The webhook's data (the payload frozen when the event happened); None when the
    endpoint's organisation may no longer see the procedure."""
    procedure = notice.procedure
    endpoint = notice.endpoint
    if (
        procedure is not None
        and endpoint is not None
        and not organisation_may_see_procedure(endpoint.organisation_id, procedure)
    ):
        return None
    return notice.payload
