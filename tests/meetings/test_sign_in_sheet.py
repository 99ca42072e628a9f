"""The sign-in sheet: a PDF of the meeting's invitees by organisation, with boxes for
how they attend and a line to sign, in the reader's language (or ?lang=), for those who
manage the meeting. Its text is read back with pypdf, Arabic in reading order."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from groups.services import group_update
from meetings.models import Invitation, Meeting
from meetings.services import invitations_create_for_group, meeting_create
from meetings.views import attendance
from members.services import organisation_update, person_create, person_update
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db
REFERENCE = "MWG/2031/07"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def meeting(cast):
    """A Migration Working Group meeting next month in Tripoli with the group invited;
    the Ministry of Health's representative sends a colleague who is not invited in her
    place. The group, the Ministry and its people have Arabic names."""
    group_update(group=cast.mwg, name_ar="مجموعة عمل الهجرة", name_fr="Groupe migration", by=None)
    organisation_update(organisation=cast.moh, name_ar="وزارة الصحة", by=None)
    person_update(person=cast.member_person, full_name_ar="أمينة الصحة", by=None)
    person_update(person=cast.member_colleague, full_name_ar="كريم البديل", by=None)
    deputy = person_create(
        full_name="Salma Deputy", full_name_ar="سلمى النائبة", organisation=cast.moh, by=None
    )
    start = timezone.now() + dt.timedelta(days=30)
    meeting = meeting_create(
        group=cast.mwg,
        title="MWG monthly meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        venue="Ministry of Planning, Tripoli",
        by=cast.secretariat,
    )
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    # Set directly: scheduling (which gives the reference) and answering are not what
    # is tested here.
    Meeting.objects.filter(pk=meeting.pk).update(reference=REFERENCE)
    Invitation.objects.filter(meeting=meeting, person=cast.member_person).update(
        response=Invitation.Response.ALTERNATE, alternate=deputy
    )
    return Meeting.objects.get(pk=meeting.pk)


def _url(meeting, **query) -> str:
    url = reverse("meeting-sign-in-sheet", args=[meeting.pk])
    return f"{url}?lang={query['lang']}" if query else url


def _text(response) -> str:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    # A long organisation name wraps in its column: read the lines as one text.
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def _presentation_forms(text: str) -> list[str]:
    return [
        letter
        for letter in text
        if "\ufb50" <= letter <= "\ufdff" or "\ufe70" <= letter <= "\ufeff"
    ]


def test_the_sheet_lists_the_invitees_by_organisation_with_room_to_sign(client, cast, meeting):
    login(client, cast, "secretariat")
    start = timezone.localtime(meeting.start_at, meeting.zone)

    response = client.get(_url(meeting))
    text = _text(response)

    assert response["Content-Disposition"] == (
        f'attachment; filename="sign-in-sheet-{meeting.pk}-en.pdf"'
    )
    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    for part in (
        "Sign-in sheet",
        "MWG monthly meeting",
        "Migration Working Group",
        f"Reference: {REFERENCE}",
        f"When: {formats.date_format(start, 'DATE_FORMAT')} ",
        "(Africa/Tripoli)",
        "Venue: Ministry of Planning, Tripoli",
        "Organisation",
        "In person",
        "Online",
        "Signature",
        "Salma Deputy (sent in place of Amina Health)",
    ):
        assert part in text, part
    # The Ministry's alternate representative is invited in his own right: one row.
    assert text.count("Karim Alternate") == 1
    # Each organisation is written once, on the first row of its people.
    assert text.count("Ministry of Health (MoH)") == 1


def test_the_sheet_orders_organisations_by_name(client, cast, meeting):
    login(client, cast, "secretariat")

    text = _text(client.get(_url(meeting)))

    organisations = [
        "Embassy of Italy",
        "International Organization for Migration (IOM)",
        "Ministry of Foreign Affairs (MoFA)",
        "Ministry of Health (MoH)",
    ]
    assert [text.index(name) for name in organisations] == sorted(
        text.index(name) for name in organisations
    )
    assert text.index("Amina Health") < text.index("Karim Alternate")


@pytest.mark.parametrize("how", ["session", "query"])
def test_the_sheet_in_arabic_keeps_the_names_in_reading_order(client, cast, meeting, how):
    login(client, cast, "chair")
    if how == "session":
        client.post(reverse("set_language"), {"language": "ar", "next": "/"})
        response = client.get(_url(meeting))
    else:
        response = client.get(_url(meeting, lang="ar"))

    text = _text(response)

    for part in ("مجموعة عمل الهجرة", "وزارة الصحة", "أمينة الصحة", "كريم البديل", "سلمى النائبة"):
        assert part in text, part
    for english in ("Migration Working Group", "Ministry of Health", "Amina Health"):
        assert english not in text
    # Names without an Arabic form stay as they are.
    assert "Jaalal Alashi" in text
    assert REFERENCE in text
    assert _presentation_forms(text) == []
    with translation.override("ar"):
        day = formats.date_format(timezone.localtime(meeting.start_at, meeting.zone), "DATE_FORMAT")
    assert day in text
    assert response["Content-Disposition"].endswith(f'-{meeting.pk}-ar.pdf"')


def test_the_sheet_in_french_on_request(client, cast, meeting):
    login(client, cast, "secretariat")

    text = _text(client.get(_url(meeting, lang="fr")))

    assert "Quand" in text
    assert "Groupe migration" in text
    assert "Amina Health" in text


def test_an_unknown_language_is_refused_naming_it(client, cast, meeting):
    login(client, cast, "secretariat")

    response = client.get(_url(meeting, lang="de"))

    assert response.status_code == 400
    assert "lang" in response.content.decode()
    assert "Choose one of: en, ar, fr." in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("secretariat", 200),
        ("admin", 200),
        ("chair", 200),
        ("cochair", 200),
        ("member", 403),
        ("observer", 403),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_only_those_who_manage_the_meeting_get_the_sheet(client, cast, meeting, persona, expected):
    login(client, cast, persona)

    response = client.get(_url(meeting))

    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_a_meeting_with_too_many_invitees_is_refused_with_a_message(
    client, cast, meeting, monkeypatch
):
    monkeypatch.setattr(attendance, "SIGN_IN_SHEET_MAX_PEOPLE", 3)
    login(client, cast, "secretariat")

    response = client.get(_url(meeting), follow=True)

    assert response.redirect_chain == [(reverse("meeting-detail", args=[meeting.pk]), 302)]
    assert "A sign-in sheet lists at most 3 invitees" in response.content.decode()


def test_the_sheet_is_one_click_from_the_meeting_page_for_managers_only(client, cast, meeting):
    url = _url(meeting)
    login(client, cast, "chair")
    assert url in client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()

    client.force_login(cast.member)
    assert url not in client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()


def test_the_sheet_queries_do_not_grow_with_the_invitees(
    client, cast, meeting, django_assert_max_num_queries
):
    login(client, cast, "secretariat")
    client.get(_url(meeting))

    with django_assert_max_num_queries(8):
        assert client.get(_url(meeting)).status_code == 200
