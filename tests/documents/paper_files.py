"""Files to upload in the papers' tests, and a paper added through the service."""

from django.core.files.uploadedfile import SimpleUploadedFile

from documents.services import document_create
from meetings.pdf import Document as PdfDocument


def pdf_bytes(text: str) -> bytes:
    """A real PDF (meetings.pdf draws it) whose one paragraph is `text`."""
    pdf = PdfDocument(title=text)
    pdf.paragraph(text)
    return pdf.output()


def pdf_upload(name: str = "paper.pdf", text: str = "A paper.") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def paper_add(*, by, group, title: str, text: str = "", **fields):
    """A paper with a PDF as its first version, through documents.services."""
    return document_create(
        group=group,
        title=title,
        upload=pdf_upload(f"{title[:40]}.pdf", text or title),
        by=by,
        **fields,
    )
