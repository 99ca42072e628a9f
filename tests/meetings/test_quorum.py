"""The quorum, live: member organisations in the register against the group's terms of
reference; how each person attended and the interpretation they need; decisions
recorded without quorum, marked so in the pages, the API and the pack.

The Migration Working Group's member organisations are MoFA (chair), IOM (co-chair)
and the Ministry of Health (member); the Embassy of Italy observes it."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from groups.services import group_update
from meetings.models import Attendance, AttendanceMode, Decision, Meeting
from meetings.selectors import quorum_status
from meetings.services import (
    attendance_record,
    attendance_remove,
    attendance_update,
    decision_add,
    invitations_create_for_group,
    meeting_create,
    meeting_mark_held,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from tests.api.conftest import SchemaCheckedClient, fingerprint
from tests.factories import PersonFactory
from tests.pages.conftest import login, streamed

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Form tokens and API throttles live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for(cast):
    """API clients per persona, every answer checked against the schema."""

    def make(persona: str) -> SchemaCheckedClient:
        client = SchemaCheckedClient()
        client.force_authenticate(user=cast.user(persona))
        return client

    return make


@pytest.fixture
def pack_download(client, settings, tmp_path, django_capture_on_commit_callbacks):
    """The meeting pack as the signed-in reader gets it, built in-process."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def download(meeting):
        url = reverse("meeting-pack", args=[meeting.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url)
        return client.get(url) if response.status_code == 202 else response

    return download


def _quorum(group, rule: str, value: int | None):
    return group_update(group=group, quorum_rule=rule, quorum_value=value, by=None)


@pytest.fixture
def meeting(cast):
    """A Migration Working Group meeting that started an hour ago, the group invited,
    marked as held; the register is empty."""
    start = timezone.now() - dt.timedelta(hours=1)
    meeting = meeting_create(
        group=cast.mwg,
        title="MWG monthly meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        record_past=True,
        by=cast.secretariat,
    )
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    return meeting_mark_held(meeting=meeting, by=cast.secretariat)


def _status(meeting):
    """The quorum as a request sees it: the meeting (and its group's terms) read anew."""
    return quorum_status(Meeting.objects.get(pk=meeting.pk))


def _tick(meeting, person, **fields):
    return attendance_record(meeting=meeting, person=person, by=None, **fields)


# --- quorum_status ------------------------------------------------------------------


def test_an_observer_in_the_register_does_not_count(cast, meeting):
    _quorum(cast.mwg, "count", 2)
    _tick(meeting, cast.observer_person)

    status = _status(meeting)

    assert (status.counted, status.present, status.needed, status.met) == (3, 0, 2, False)
    assert status.short_by == 2
    assert status.present_organisations == ()
    assert status.absent_organisations == (cast.iom, cast.mofa, cast.moh)


def test_two_people_of_one_organisation_count_once(cast, meeting):
    _quorum(cast.mwg, "count", 2)
    _tick(meeting, cast.member_person)
    _tick(meeting, cast.member_colleague)

    status = _status(meeting)

    assert (status.present, status.met, status.short_by) == (1, False, 1)
    assert status.present_organisations == (cast.moh,)


def test_the_quorum_is_met_once_enough_member_organisations_are_in(cast, meeting):
    _quorum(cast.mwg, "count", 2)
    _tick(meeting, cast.member_person)
    _tick(meeting, cast.chair_person)

    status = _status(meeting)

    assert (status.counted, status.present, status.needed, status.met) == (3, 2, 2, True)
    assert status.short_by == 0
    assert status.present_organisations == (cast.mofa, cast.moh)
    assert status.absent_organisations == (cast.iom,)


def test_someone_counts_for_the_organisation_their_register_line_names(cast, meeting):
    _quorum(cast.mwg, "count", 1)
    _tick(meeting, cast.outsider_person, organisation=cast.iom)

    status = _status(meeting)

    assert status.present_organisations == (cast.iom,)
    assert status.met is True


@pytest.mark.parametrize(
    ("share", "needed"),
    # Three member organisations: a share is rounded up to whole organisations.
    [(100, 3), (67, 3), (50, 2), (34, 2), (33, 1), (1, 1)],
)
def test_a_share_of_the_member_organisations_is_rounded_up(cast, meeting, share, needed):
    _quorum(cast.mwg, "share", share)
    _tick(meeting, cast.member_person)

    status = _status(meeting)

    assert (status.counted, status.needed, status.met) == (3, needed, needed <= 1)


def test_without_a_quorum_rule_the_quorum_is_neither_met_nor_missed(cast, meeting):
    _tick(meeting, cast.member_person)

    status = _status(meeting)

    assert (status.counted, status.present, status.needed, status.met) == (3, 1, None, None)
    assert decision_add(meeting=meeting, text="Noted.", by=None).quorum_met is None


def test_a_sub_group_takes_its_quorum_from_the_group_above(cast):
    _quorum(cast.mwg, "share", 100)
    start = timezone.now() - dt.timedelta(hours=1)
    health = meeting_create(
        group=cast.health,
        title="Health sub-group",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        record_past=True,
        by=None,
    )
    health = meeting_mark_held(meeting=health, by=None)

    assert (_status(health).needed, _status(health).met) == (1, False)
    _tick(health, cast.member_person)
    assert _status(health).met is True


# --- Decisions ----------------------------------------------------------------------


def test_a_decision_records_whether_the_quorum_was_met_at_that_moment(cast, meeting):
    _quorum(cast.mwg, "count", 2)
    _tick(meeting, cast.member_person)
    without = decision_add(meeting=meeting, text="Adopt the agenda.", by=cast.secretariat)
    chair = _tick(meeting, cast.chair_person)
    with_quorum = decision_add(meeting=meeting, text="Map the services.", by=cast.secretariat)

    attendance_remove(attendance=chair, by=None)

    without.refresh_from_db()
    with_quorum.refresh_from_db()
    assert (without.quorum_met, with_quorum.quorum_met) == (False, True)


@pytest.fixture
def decisions(cast, meeting):
    """One decision recorded without the quorum, one with it."""
    _quorum(cast.mwg, "count", 2)
    _tick(meeting, cast.member_person)
    without = decision_add(meeting=meeting, text="Adopt the agenda.", by=cast.secretariat)
    _tick(meeting, cast.chair_person)
    with_quorum = decision_add(meeting=meeting, text="Map the services.", by=cast.secretariat)
    return without, with_quorum


@pytest.mark.parametrize("page", ["meeting-detail", "meeting-minutes"])
def test_the_pages_mark_a_decision_recorded_without_quorum(client, cast, meeting, decisions, page):
    login(client, cast, "secretariat")

    html = client.get(reverse(page, args=[meeting.pk])).content.decode()
    # The decisions' list (the minutes page's draft, from its template, quotes them too).
    html = html[html.index('aria-labelledby="decisions-heading"') :]

    assert html.count("Recorded without quorum") == 1
    assert html.index("Adopt the agenda.") < html.index("Recorded without quorum")
    assert html.index("Recorded without quorum") < html.index("Map the services.")


def test_the_api_says_whether_a_decision_had_its_quorum(cast, meeting, decisions, client_for):
    without, with_quorum = decisions
    # Members read the decisions once the minutes are published.
    minutes = minutes_save(meeting=meeting, body="We met.", by=cast.secretariat)
    minutes_publish(minutes=minutes_approve(minutes=minutes, by=cast.secretariat), by=None)

    rows = client_for("member").get(f"{V1}/decisions/", {"meeting": meeting.pk}).json()

    by_id = {row["id"]: row["quorum_met"] for row in rows["results"]}
    assert by_id == {without.pk: False, with_quorum.pk: True}


def test_quorum_met_cannot_be_written_through_the_api(cast, meeting, client_for):
    _quorum(cast.mwg, "count", 2)

    response = client_for("chair").post(
        f"{V1}/decisions/", {"meeting": meeting.pk, "text": "Agreed.", "quorum_met": True}
    )

    assert response.status_code == 400
    assert "quorum_met" in response.json()["errors"]
    assert not Decision.objects.filter(meeting=meeting).exists()


def test_the_schema_declares_quorum_met_read_only(client):
    schema = client.get("/api/schema/?format=json").json()

    field = schema["components"]["schemas"]["Decision"]["properties"]["quorum_met"]

    assert field["readOnly"] is True
    assert set(field["type"]) == {"boolean", "null"}


def _pdf_text(response) -> str:
    pages = PdfReader(io.BytesIO(streamed(response))).pages
    return "\n".join(page.extract_text() for page in pages)


def test_the_pack_marks_a_decision_recorded_without_quorum(
    client, cast, meeting, decisions, pack_download
):
    login(client, cast, "secretariat")

    text = _pdf_text(pack_download(meeting))

    assert text.count("Recorded without quorum") == 1
    assert text.index("Adopt the agenda.") < text.index("Recorded without quorum")
    assert text.index("Recorded without quorum") < text.index("Map the services.")


# --- The register page --------------------------------------------------------------


def _toggle(client, meeting, person, present: str):
    return client.post(
        reverse("attendance-toggle", args=[meeting.pk, person.pk]),
        {"present": present},
        HTTP_HX_REQUEST="true",
    )


def test_the_register_shows_the_quorum_and_each_tick_updates_it(client, cast, meeting):
    _quorum(cast.mwg, "count", 2)
    login(client, cast, "secretariat")

    page = client.get(reverse("meeting-attendance", args=[meeting.pk])).content.decode()
    assert 'id="quorum"' in page
    assert "Member organisations present: 0 of 3; quorum 2 — not met: 2 more needed." in page

    first = _toggle(client, meeting, cast.member_person, "1").content.decode()
    assert 'id="register"' in first
    assert 'id="quorum" aria-labelledby="quorum-heading" hx-swap-oob="true"' in first
    assert "Member organisations present: 1 of 3; quorum 2 — not met: 1 more needed." in first

    # An observer does not move it.
    observer = _toggle(client, meeting, cast.observer_person, "1").content.decode()
    assert "Member organisations present: 1 of 3" in observer

    second = _toggle(client, meeting, cast.chair_person, "1").content.decode()
    assert "Member organisations present: 2 of 3; quorum 2 — met." in second

    untick = _toggle(client, meeting, cast.chair_person, "0").content.decode()
    assert "Member organisations present: 1 of 3; quorum 2 — not met" in untick


def test_the_register_says_when_the_terms_set_no_quorum(client, cast, meeting):
    login(client, cast, "chair")

    page = client.get(reverse("meeting-attendance", args=[meeting.pk])).content.decode()

    assert "Member organisations present: 0 of 3. The group's terms of reference" in page


def test_each_line_of_the_register_posts_for_its_own_person(client, cast, meeting, settings):
    _tick(meeting, cast.member_person, mode="online", interpretation="fr")
    invitees = list(meeting.invitations.select_related("person"))
    login(client, cast, "secretariat")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    page = client.get(reverse("meeting-attendance", args=[meeting.pk])).content.decode()

    assert page.count('name="present"') == len(invitees) == 5
    for invitation in invitees:
        toggle = reverse("attendance-toggle", args=[meeting.pk, invitation.person.pk])
        assert f'action="{toggle}" hx-post="{toggle}"' in page
    amina = cast.member_person.pk
    details = reverse("attendance-details", args=[meeting.pk, amina])
    assert page.count('<select id="mode-') == 1
    assert f'action="{details}" hx-post="{details}"' in page
    label = "طريقة حضور Amina Health"
    assert f'<label class="visually-hidden" for="mode-{amina}">{label}</label>' in page
    assert f'<select id="interpretation-{amina}" name="interpretation">' in page
    assert '<option value="online" selected>' in page
    assert '<option value="fr" selected>الترجمة الفورية: ' in page


# The session, the user and their role, the meeting through its funnel and again with its
# invitations and register lines (three), the quorum's member organisations (two) and the
# group's terms.
REGISTER_PAGE_QUERIES = 10


def test_the_register_page_runs_the_same_queries_for_3_and_23_lines(
    client, cast, meeting, django_assert_max_num_queries
):
    _quorum(cast.mwg, "count", 2)
    for person in (cast.member_person, cast.chair_person, cast.observer_person):
        _tick(meeting, person)
    login(client, cast, "secretariat")
    url = reverse("meeting-attendance", args=[meeting.pk])
    client.get(url)  # warm the per-user caches
    with django_assert_max_num_queries(REGISTER_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    for person in PersonFactory.create_batch(20, organisation=cast.elsewhere):
        _tick(meeting, person, mode=AttendanceMode.ONLINE, interpretation="fr")

    with django_assert_max_num_queries(REGISTER_PAGE_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count('<option value="fr" selected>') == 20


# --- How each person attended, and interpretation -----------------------------------


def test_the_register_records_how_someone_attended_and_their_interpretation(cast, meeting):
    line = _tick(meeting, cast.member_person, mode="online", interpretation="ar")

    assert (line.mode, line.interpretation) == ("online", "ar")
    assert (_tick(meeting, cast.chair_person).mode, line.invitation is not None) == (
        "in_person",
        True,
    )

    changed = attendance_update(attendance=line, interpretation="", by=None)
    assert (changed.mode, changed.interpretation) == ("online", "")


@pytest.mark.parametrize(
    ("fields", "named"),
    [({"mode": "by_pigeon"}, "mode"), ({"interpretation": "de"}, "interpretation")],
)
def test_the_service_refuses_an_unknown_mode_or_language(cast, meeting, fields, named):
    line = _tick(meeting, cast.member_person)
    with pytest.raises(ValidationError) as refused:
        attendance_update(attendance=line, by=None, **fields)
    assert named in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _tick(meeting, cast.chair_person, **fields)
    assert named in refused.value.message_dict
    line.refresh_from_db()
    assert (line.mode, line.interpretation) == ("in_person", "")
    assert not Attendance.objects.filter(meeting=meeting, person=cast.chair_person).exists()


def _details(client, meeting, person, htmx=True, **data):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("attendance-details", args=[meeting.pk, person.pk]), data, **headers)


def test_the_secretariat_changes_mode_and_interpretation_in_the_register(client, cast, meeting):
    line = _tick(meeting, cast.member_person)
    login(client, cast, "secretariat")

    response = _details(client, meeting, cast.member_person, mode="online", interpretation="fr")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="online" selected>Online</option>' in html
    assert '<option value="fr" selected>Interpretation: French</option>' in html
    line.refresh_from_db()
    assert (line.mode, line.interpretation) == ("online", "fr")

    plain = _details(client, meeting, cast.member_person, htmx=False, mode="in_person")
    assert plain.status_code == 302
    line.refresh_from_db()
    assert (line.mode, line.interpretation) == ("in_person", "")


def test_a_member_sees_how_people_attended_but_cannot_change_it(client, cast, meeting):
    line = _tick(meeting, cast.member_person, mode="online", interpretation="ar")
    login(client, cast, "member")

    page = client.get(reverse("meeting-attendance", args=[meeting.pk])).content.decode()
    response = _details(client, meeting, cast.member_person, mode="in_person")

    assert "Online · Interpretation: Arabic" in page
    assert "attendance-details" not in page
    assert response.status_code == 403
    line.refresh_from_db()
    assert (line.mode, line.interpretation) == ("online", "ar")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mode": "by_pigeon"}, "Select a valid choice"),
        ({"mode": "online", "interpretation": "de"}, "Select a valid choice"),
    ],
)
def test_the_register_refuses_an_unknown_mode_or_language(client, cast, meeting, data, message):
    line = _tick(meeting, cast.member_person)
    login(client, cast, "secretariat")

    response = _details(client, meeting, cast.member_person, **data)

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert message in response.content.decode()
    line.refresh_from_db()
    assert (line.mode, line.interpretation) == ("in_person", "")


def test_a_walk_in_is_added_with_how_they_attended(client, cast, meeting):
    login(client, cast, "secretariat")

    client.post(
        reverse("meeting-attendance", args=[meeting.pk]),
        {
            "person": cast.outsider_person.pk,
            "organisation": "",
            "mode": "online",
            "interpretation": "en",
            "form_token": "walk-in",
        },
    )

    line = Attendance.objects.get(meeting=meeting, person=cast.outsider_person)
    assert (line.mode, line.interpretation) == ("online", "en")


def test_the_csv_export_says_how_each_person_attended(client, cast, meeting):
    _tick(meeting, cast.member_person, mode="online", interpretation="ar")
    _tick(meeting, cast.chair_person)
    login(client, cast, "member")

    response = client.get(reverse("meeting-attendance-csv", args=[meeting.pk]))

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",Present,Attended,Interpretation")
    assert "Ministry of Health (MoH),Amina Health,Representative,yes,Pending,yes,Online,Arabic" in (
        lines
    )
    assert any(
        line.startswith("Ministry of Foreign Affairs") and "yes,In person," in line
        for line in lines
    )
    assert any(line.endswith(",no,,") for line in lines)


# --- The API ------------------------------------------------------------------------


def test_a_chair_changes_how_someone_attended_through_the_api(cast, meeting, client_for):
    line = _tick(meeting, cast.member_person)

    response = client_for("chair").patch(
        f"{V1}/attendance/{line.pk}/", {"mode": "online", "interpretation": "fr"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["mode"], response.json()["interpretation"]) == ("online", "fr")
    line.refresh_from_db()
    assert (line.mode, line.interpretation) == ("online", "fr")


def test_the_api_records_someone_with_how_they_attended(cast, meeting, client_for):
    response = client_for("secretariat").post(
        f"{V1}/attendance/",
        {"meeting": meeting.pk, "person": cast.member_person.pk, "mode": "online"},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["mode"], response.json()["interpretation"]) == ("online", "")


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "by_pigeon"},
        {"interpretation": "de"},
        {"mode": "online", "interpretation": "de"},
        {"mode": None},
    ],
)
def test_the_api_refuses_a_bad_mode_or_language_naming_the_field(cast, meeting, client_for, body):
    line = _tick(meeting, cast.member_person)
    before = fingerprint()

    response = client_for("secretariat").patch(f"{V1}/attendance/{line.pk}/", body, format="json")

    assert response.status_code == 400
    bad = "interpretation" if body.get("interpretation") == "de" else "mode"
    assert list(response.json()["errors"]) == [bad]
    assert fingerprint() == before


def test_a_member_agency_cannot_change_the_register_through_the_api(cast, meeting, client_for):
    line = _tick(meeting, cast.member_person)
    before = fingerprint()

    response = client_for("member").patch(
        f"{V1}/attendance/{line.pk}/", {"mode": "online"}, format="json"
    )

    assert response.status_code == 403
    assert fingerprint() == before


# --- The admin ----------------------------------------------------------------------


def test_the_admin_changes_how_someone_attended_through_the_service(client, cast, meeting):
    line = _tick(meeting, cast.member_person)
    client.force_login(cast.admin)
    url = reverse("admin:meetings_attendance_change", args=[line.pk])

    response = client.post(url, {"mode": "online", "interpretation": "fr", "_save": "Save"})

    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.mode, line.interpretation) == ("online", "fr")
    assert line.history.latest().history_user == cast.admin


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"mode": "by_pigeon", "interpretation": ""}, "mode"),
        ({"mode": "online", "interpretation": "de"}, "interpretation"),
    ],
)
def test_the_admin_refuses_an_unknown_mode_or_language(client, cast, meeting, data, field):
    line = _tick(meeting, cast.member_person)
    client.force_login(cast.admin)
    before = fingerprint()

    response = client.post(
        reverse("admin:meetings_attendance_change", args=[line.pk]), {**data, "_save": "Save"}
    )

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert fingerprint() == before


def test_the_admin_shows_whether_a_decision_had_its_quorum(client, cast, meeting, decisions):
    client.force_login(cast.admin)

    response = client.get(reverse("admin:meetings_decision_changelist"), {"quorum_met__exact": "0"})

    assert response.status_code == 200
    assert "Adopt the agenda." in response.content.decode()
    assert "Map the services." not in response.content.decode()
