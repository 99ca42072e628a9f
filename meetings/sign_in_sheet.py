"""A meeting's sign-in sheet as PDF: its invitees by organisation, each with boxes for
how they attend and a line to sign, to print and pass round the room. Drawn with
meetings.pdf, in the active language."""

from collections.abc import Sequence

from django.utils.translation import gettext as _

from meetings.models import Invitation, Meeting
from meetings.pack import meeting_when
from meetings.pdf import BODY_BOLD, TITLE, Document
from portal.pages import local_name

# A sheet is drawn while the reader waits: more invitees than this are refused.
SIGN_IN_SHEET_MAX_PEOPLE = 2000
# Rows left empty at the end for those who come without being on the list.
BLANK_ROWS = 5
# Room to sign: a row is at least this tall (points, about 11 mm).
ROW_HEIGHT = 32


def _rows(invitations: Sequence[Invitation]) -> list[list[str]]:
    """One row per invitee, and one per alternate sent in an invitee's place, by
    organisation (those without one last) then name, in the active language; the
    organisation is written on the first row of its people only."""
    people: list[tuple[str, str]] = []
    invited = {invitation.person_id for invitation in invitations}
    for invitation in invitations:
        organisation = local_name(invitation.organisation)
        people.append((organisation, local_name(invitation.person)))
        # An alternate who is invited too has a row of their own already.
        if invitation.alternate is not None and invitation.alternate.pk not in invited:
            in_place_of = _("sent in place of %(name)s") % {"name": local_name(invitation.person)}
            people.append((organisation, f"{local_name(invitation.alternate)} ({in_place_of})"))
    people.sort(key=lambda row: (not row[0], row[0].casefold(), row[1].casefold()))
    rows = []
    previous = None
    for organisation, name in people:
        shown = organisation or _("No organisation")
        rows.append([shown if shown != previous else "", name, "", "", ""])
        previous = shown
    return rows + [["", "", "", "", ""] for _row in range(BLANK_ROWS)]


def sign_in_sheet_pdf(meeting: Meeting, invitations: Sequence[Invitation]) -> bytes:
    """`invitations` from meetings.selectors.sign_in_sheet_invitations."""
    document = Document(title=_("Sign-in sheet: %(title)s") % {"title": meeting.title})
    document.paragraph(_("Sign-in sheet"), TITLE)
    document.paragraph(meeting.title, BODY_BOLD)
    document.paragraph(local_name(meeting.group))
    if meeting.reference:
        document.paragraph(f"{_('Reference')}: {meeting.reference}")
    document.paragraph(f"{_('When')}: {meeting_when(meeting)}")
    if meeting.venue:
        document.paragraph(f"{_('Venue')}: {meeting.venue}")
    document.paragraph(_("Tick how you attend and sign on your line."))
    document.table(
        [_("Organisation"), _("Name"), _("In person"), _("Online"), _("Signature")],
        _rows(invitations),
        [0.23, 0.23, 0.14, 0.14, 0.26],
        row_height=ROW_HEIGHT,
    )
    return document.output()
