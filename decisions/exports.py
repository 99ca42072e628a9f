"""The register as it leaves the portal: a CSV file and a PDF (meetings.pdf, shaped and
right to left for Arabic), of the rows the reader filtered and may see, in the active
language."""

from collections.abc import Iterable, Iterator

from django.http import HttpResponse
from django.utils import formats
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from meetings.models import Decision
from meetings.pdf import BODY, TITLE, Document
from portal.exports import csv_response
from portal.pages import local_name

# A PDF is drawn while the reader waits: more rows than this are refused, the CSV
# file has them all.
PDF_MAX_ROWS = 1000


def reader_language() -> str:
    return (get_language() or "en")[:2]


def shown_text(decision: Decision, language: str) -> tuple[str, bool]:
    """The words in `language`, else as taken; and whether they were not given in it
    (English readers get the words as taken, which is what the group adopted)."""
    translated = {"ar": decision.text_ar, "fr": decision.text_fr}.get(language)
    if language in ("ar", "fr") and not translated:
        return decision.text, True
    return decision.text_in(language), False


def language_name(language: str) -> str:
    name = str(get_language_info(language)["name_translated"])
    # French writes the names of languages in lower case ("non disponible en français");
    # Django's catalogue gives them capitalised, as for a menu.
    return name.lower() if (get_language() or "").startswith("fr") else name


def source_text(decision: Decision) -> str:
    """Where it was taken, as one line: the meeting's reference (or title), or the
    written procedure's reference."""
    if decision.meeting is not None:
        return decision.meeting.reference or decision.meeting.title
    procedure = getattr(decision, "written_procedure", None)
    if procedure is not None:
        return _("Written procedure %(reference)s") % {"reference": procedure.reference}
    return _("Written procedure")


def status_text(decision: Decision) -> str:
    if decision.status == Decision.Status.SUPERSEDED and decision.superseded_by is not None:
        return _("Superseded by %(reference)s") % {
            "reference": decision.superseded_by.reference or str(decision.superseded_by)
        }
    if decision.status == Decision.Status.WITHDRAWN:
        return _("Withdrawn: %(reason)s") % {"reason": decision.status_reason}
    return str(decision.get_status_display())


def _header() -> list[str]:
    return [_("Reference"), _("Date"), _("Group"), _("Source"), _("Status"), _("Text")]


def _rows(decisions: Iterable[Decision], *, iso_dates: bool) -> Iterator[list[str]]:
    language = reader_language()
    for decision in decisions:
        text, missing = shown_text(decision, language)
        if missing:
            text = "{text} ({note})".format(
                text=text,
                note=_("not available in %(language)s") % {"language": language_name(language)},
            )
        yield [
            decision.reference or str(decision),
            decision.decided_on.isoformat()
            if iso_dates
            else formats.date_format(decision.decided_on, "DATE_FORMAT"),
            local_name(decision.group),
            source_text(decision),
            status_text(decision),
            text,
        ]


def register_csv(decisions, *, filename: str) -> HttpResponse:
    """`decisions` from decisions.selectors.decisions_register: the joins are done, so
    streaming it in chunks costs a query per chunk (and one per chunk for the labels)."""
    response = csv_response(
        filename, _header(), _rows(decisions.iterator(chunk_size=500), iso_dates=True)
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


def register_pdf(decisions: list[Decision], *, title: str, filters: list[str]) -> bytes:
    """The register as an A4 table, in the active language; `filters` are the lines
    saying what it was narrowed to."""
    document = Document(title=title)
    document.paragraph(title, TITLE)
    for line in filters:
        document.paragraph(line, BODY)
    if not decisions:
        document.paragraph(_("No decisions match."))
        return document.output()
    # Three columns, not six: on an A4 page six leave a reference or a month too narrow
    # to stand on one line, and a reader's PDF tool would cut it in two.
    document.table(
        _stacked(_header()),
        [_stacked(row) for row in _rows(decisions, iso_dates=False)],
        [0.24, 0.26, 0.50],
    )
    return document.output()


def _stacked(cells: list[str]) -> list[str]:
    reference, date, group, source, status, text = cells
    return [f"{reference}\n{date}", f"{group}\n{source}\n{status}", text]


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Restricted decisions may be in it: no shared cache may keep it.
    patch_cache_control(response, private=True, no_cache=True)
    return response
