"""The signed answer links in a written procedure's mail: one click (and a confirming
press) answers for the organisation, no sign-in needed.

The token names the procedure, the organisation, the person it was sent to and the
answer, signed with the site's secret under this module's own salt and timed, so a
link cannot be altered to answer for another organisation, nor replayed for ever; it
expires after NOTICE_LINK_MAX_AGE_DAYS, and the procedure's deadline closes it sooner.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

PROCEDURE_LINK_SALT = "tansiq.written-procedure.answer"


@dataclass(frozen=True)
class LinkAnswer:
    procedure_id: int
    organisation_id: int
    person_id: int
    answer: str


def answer_token(*, procedure_id: int, organisation_id: int, person_id: int, answer: str) -> str:
    return signing.dumps(
        {"p": procedure_id, "o": organisation_id, "n": person_id, "a": answer},
        salt=PROCEDURE_LINK_SALT,
        compress=True,
    )


def answer_read(token: str) -> LinkAnswer:
    """What a link says; raises signing.SignatureExpired (too old) or
    signing.BadSignature (altered, or not one of ours)."""
    data = signing.loads(
        token,
        salt=PROCEDURE_LINK_SALT,
        max_age=dt.timedelta(days=settings.NOTICE_LINK_MAX_AGE_DAYS),
    )
    try:
        return LinkAnswer(
            procedure_id=int(data["p"]),
            organisation_id=int(data["o"]),
            person_id=int(data["n"]),
            answer=str(data["a"]),
        )
    except (KeyError, TypeError, ValueError):
        raise signing.BadSignature("Not a written-procedure link.") from None


def answer_url(*, procedure_id: int, organisation_id: int, person_id: int, answer: str) -> str:
    token = answer_token(
        procedure_id=procedure_id,
        organisation_id=organisation_id,
        person_id=person_id,
        answer=answer,
    )
    return settings.SITE_URL + reverse("decisions:procedure-link", args=[token])
