"""Meetings in the browser: who may see and do what, forms, double submits, query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from meetings.announcements import minutes_readers_when_published
from meetings.models import AgendaItem, Attendance, Invitation, Meeting, Minutes
from meetings.services import invitations_create_for_group, meeting_create
from members.models import Person
from notices.models import Notice
from tests.conftest import PERSONAS
from tests.pages.conftest import login, update_confirmation

pytestmark = pytest.mark.django_db
EVERYONE = (*PERSONAS, "anonymous")
HEALTH_MANAGERS = {"admin", "secretariat", "chair", "cochair"}
HEALTH_VIEWERS = HEALTH_MANAGERS | {"member"}


def _status(persona: str, allowed: set[str], visible: set[str]) -> int:
    if persona == "anonymous":
        return 302
    if persona in allowed:
        return 200
    return 403 if persona in visible else 404


def _new_meeting_data(cast, **overrides):
    data = {
        "group": cast.health.pk,
        "title": "Health sub-group: vaccination at disembarkation points",
        "kind": "regular",
        "start_at": "2031-03-10T10:00",
        "end_at": "2031-03-10T12:00",
        "time_zone": "Africa/Tripoli",
        "venue": "Ministry of Health, Tripoli",
        "online_url": "",
        "description": "",
        "form_token": "token-1",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", EVERYONE)
def test_meeting_page_visibility(client, cast, draft, persona):
    response = login(client, cast, persona).get(reverse("meeting-detail", args=[draft.pk]))
    assert response.status_code == _status(persona, HEALTH_VIEWERS, set())


@pytest.mark.parametrize("persona", EVERYONE)
def test_only_managers_get_the_meeting_form(client, cast, persona):
    response = login(client, cast, persona).get(reverse("meeting-create"))
    expected = _status(persona, HEALTH_MANAGERS, {"member", "observer", "outsider"})
    assert response.status_code == expected


def test_create_reads_times_in_the_meetings_time_zone(client, cast):
    login(client, cast, "secretariat")
    response = client.post(
        reverse("meeting-create"), _new_meeting_data(cast, time_zone="Europe/Rome")
    )
    meeting = Meeting.objects.get(title__startswith="Health sub-group: vaccination")
    assert response.status_code == 302
    assert meeting.status == Meeting.Status.DRAFT
    assert meeting.time_zone == "Europe/Rome"
    # 10:00 in Rome in March (UTC+1) is 09:00 UTC.
    assert meeting.start_at == dt.datetime(2031, 3, 10, 9, 0, tzinfo=dt.UTC)


def test_double_submit_creates_one_meeting(client, cast):
    login(client, cast, "secretariat")
    data = _new_meeting_data(cast)
    first = client.post(reverse("meeting-create"), data)
    second = client.post(reverse("meeting-create"), data)
    assert first.status_code == second.status_code == 302
    assert Meeting.objects.filter(title=data["title"]).count() == 1


def test_form_errors_sit_next_to_the_field_and_keep_the_input(client, cast):
    login(client, cast, "secretariat")
    response = client.post(
        reverse("meeting-create"), _new_meeting_data(cast, end_at="2031-03-10T09:00")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_end_at_error"' in page
    assert "The meeting must end after it starts." in page
    assert 'value="Health sub-group: vaccination at disembarkation points"' in page
    assert not Meeting.objects.filter(title__startswith="Health sub-group: vaccination").exists()


def test_member_cannot_create_a_meeting_by_posting(client, cast):
    login(client, cast, "member")
    response = client.post(reverse("meeting-create"), _new_meeting_data(cast))
    assert response.status_code == 403
    assert not Meeting.objects.filter(title__startswith="Health sub-group: vaccination").exists()


def test_chair_cannot_create_a_meeting_for_a_group_they_do_not_run(client, cast):
    login(client, cast, "chair")
    response = client.post(
        reverse("meeting-create"), _new_meeting_data(cast, group=cast.other_wg.pk)
    )
    assert response.status_code == 200
    assert "id_group_error" in response.content.decode()
    assert not Meeting.objects.filter(title__startswith="Health sub-group: vaccination").exists()


def test_edit_of_a_scheduled_meeting_reschedules_it(client, cast, scheduled):
    login(client, cast, "chair")
    data = _new_meeting_data(cast, title=scheduled.title)
    del data["group"]
    url = reverse("meeting-edit", args=[scheduled.pk])
    # First the preview of the update: nothing saved yet.
    preview = client.post(url, data)
    assert preview.status_code == 200
    scheduled.refresh_from_db()
    assert scheduled.sequence == 0

    response = client.post(url, update_confirmation(preview.content.decode()))
    scheduled.refresh_from_db()
    assert response.status_code == 302
    assert scheduled.start_at == dt.datetime(2031, 3, 10, 8, 0, tzinfo=dt.UTC)
    assert scheduled.sequence == 1


@pytest.mark.parametrize("persona", ["member", "observer", "outsider"])
def test_others_cannot_schedule_cancel_or_edit(client, cast, draft, persona):
    login(client, cast, persona)
    expected = 403 if persona == "member" else 404
    for name in ("meeting-schedule", "meeting-cancel", "meeting-held"):
        assert client.post(reverse(name, args=[draft.pk])).status_code == expected
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.DRAFT


def test_schedule_then_cancel(client, cast, draft):
    login(client, cast, "secretariat")
    client.post(reverse("meeting-schedule", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.SCHEDULED
    client.post(
        reverse("meeting-cancel", args=[draft.pk]), {"reason": "Security", "form_token": "c1"}
    )
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.CANCELLED
    assert draft.cancellation_reason == "Security"


def test_scheduling_says_whether_invitations_are_going_out(client, cast, draft):
    login(client, cast, "secretariat")
    page = client.post(reverse("meeting-schedule", args=[draft.pk]), follow=True)
    assert "nobody is invited yet" in page.content.decode()
    assert "the invitations are being sent" not in page.content.decode()

    later = meeting_create(
        group=cast.health,
        title="With invitees",
        start_at=draft.start_at + dt.timedelta(days=7),
        end_at=draft.end_at + dt.timedelta(days=7),
        by=cast.secretariat,
    )
    invitations_create_for_group(meeting=later, by=cast.secretariat)
    page = client.post(reverse("meeting-schedule", args=[later.pk]), follow=True)
    assert "the invitations are being sent" in page.content.decode()


def test_scheduling_a_past_meeting_shows_why(client, cast):
    start = timezone.now() - dt.timedelta(days=1)
    meeting = meeting_create(
        group=cast.health,
        title="Late",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=cast.secretariat,
        record_past=True,
    )
    login(client, cast, "secretariat")
    response = client.post(reverse("meeting-schedule", args=[meeting.pk]), follow=True)
    assert "Only a meeting in the future can be scheduled." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT


def test_scheduling_a_past_meeting_says_why_in_arabic(client, cast):
    english = "Only a meeting in the future can be scheduled."
    with translation.override("ar"):
        arabic = gettext(english)
    start = timezone.now() - dt.timedelta(days=1)
    meeting = meeting_create(
        group=cast.health,
        title="Late",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=cast.secretariat,
        record_past=True,
    )
    login(client, cast, "secretariat")
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})

    response = client.post(reverse("meeting-schedule", args=[meeting.pk]), follow=True)

    page = response.content.decode()
    assert arabic != english
    assert arabic in page
    assert english not in page
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT


def test_agenda_builder_adds_moves_and_removes_in_place(client, cast, draft):
    login(client, cast, "chair")
    add = reverse("agenda-item-add", args=[draft.pk])
    response = client.post(
        add,
        {"title": "Referral pathway", "duration_minutes": 30, "form_token": "a1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="agenda"' in response.content.decode()
    assert "<html" not in response.content.decode()
    client.post(
        add,
        {"title": "Referral pathway", "duration_minutes": 30, "form_token": "a1"},
        HTTP_HX_REQUEST="true",
    )
    items = list(draft.agenda_items.order_by("position").values_list("title", flat=True))
    assert items == ["Opening", "Referral pathway"]
    moved = draft.agenda_items.get(title="Referral pathway")
    client.post(
        reverse("agenda-item-move", args=[draft.pk, moved.pk]),
        {"direction": "up"},
        HTTP_HX_REQUEST="true",
    )
    items = list(draft.agenda_items.order_by("position").values_list("title", flat=True))
    assert items == ["Referral pathway", "Opening"]
    client.post(reverse("agenda-item-remove", args=[draft.pk, moved.pk]), HTTP_HX_REQUEST="true")
    assert list(draft.agenda_items.values_list("title", "position")) == [("Opening", 1)]


def test_agenda_item_errors_come_back_in_the_fragment(client, cast, draft):
    login(client, cast, "secretariat")
    response = client.post(
        reverse("agenda-item-add", args=[draft.pk]),
        {"title": "Too long", "duration_minutes": 5000, "form_token": "a2"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert 'id="id_duration_minutes_error"' in page
    assert 'value="Too long"' in page
    assert not AgendaItem.objects.filter(title="Too long").exists()


@pytest.mark.parametrize("persona", ["member", "observer", "outsider"])
def test_others_cannot_touch_the_agenda(client, cast, draft, persona):
    login(client, cast, persona)
    item = draft.agenda_items.get()
    expected = 403 if persona == "member" else 404
    assert (
        client.post(
            reverse("agenda-item-add", args=[draft.pk]), {"title": "X", "duration_minutes": 5}
        ).status_code
        == expected
    )
    assert (
        client.post(reverse("agenda-item-remove", args=[draft.pk, item.pk])).status_code == expected
    )
    assert list(draft.agenda_items.values_list("title", flat=True)) == ["Opening"]


def test_invite_the_group_and_one_more_person(client, cast, draft):
    login(client, cast, "secretariat")
    client.post(reverse("meeting-invite-group", args=[draft.pk]), {"form_token": "g1"})
    invited = set(draft.invitations.values_list("person__full_name", flat=True))
    assert invited == {"Amina Health", "Karim Alternate"}
    client.post(
        reverse("meeting-invitations", args=[draft.pk]),
        {"person": cast.observer_person.pk, "form_token": "i1"},
    )
    client.post(
        reverse("meeting-invitations", args=[draft.pk]),
        {"person": cast.observer_person.pk, "form_token": "i1"},
    )
    assert draft.invitations.filter(person=cast.observer_person).count() == 1


def test_member_cannot_add_invitees(client, cast, draft):
    login(client, cast, "member")
    response = client.post(
        reverse("meeting-invitations", args=[draft.pk]), {"person": cast.outsider_person.pk}
    )
    assert response.status_code == 403
    assert not draft.invitations.exists()


def test_member_answers_their_invitation(client, cast, scheduled):
    invitation = scheduled.invitations.get(person=cast.member_person)
    login(client, cast, "member")
    response = client.post(
        reverse("invitation-respond", args=[invitation.pk]),
        {"response": "alternate", "alternate": cast.member_colleague.pk, "note": "Travelling"},
    )
    invitation.refresh_from_db()
    assert response.status_code == 302
    assert invitation.response == Invitation.Response.ALTERNATE
    assert invitation.alternate == cast.member_colleague


def test_answer_errors_keep_the_choice(client, cast, scheduled):
    invitation = scheduled.invitations.get(person=cast.member_person)
    login(client, cast, "member")
    response = client.post(
        reverse("invitation-respond", args=[invitation.pk]), {"response": "alternate", "note": "x"}
    )
    page = response.content.decode()
    assert "Name the alternate you are sending." in page
    assert (
        'value="alternate" checked' in page
        or 'checked value="alternate"' in page
        or 'value="alternate"\n' in page
        or "checked" in page
    )
    invitation.refresh_from_db()
    assert invitation.response == Invitation.Response.PENDING


@pytest.mark.parametrize(("persona", "expected"), [("observer", 404), ("outsider", 404)])
def test_others_cannot_answer_for_the_member(client, cast, scheduled, persona, expected):
    invitation = scheduled.invitations.get(person=cast.member_person)
    login(client, cast, persona)
    response = client.post(
        reverse("invitation-respond", args=[invitation.pk]), {"response": "declined"}
    )
    assert response.status_code == expected
    invitation.refresh_from_db()
    assert invitation.response == Invitation.Response.PENDING


def test_attendance_register_ticks_and_walk_ins(client, cast, held):
    login(client, cast, "secretariat")
    toggle = reverse("attendance-toggle", args=[held.pk, cast.member_person.pk])
    response = client.post(toggle, {"present": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="register"' in response.content.decode()
    client.post(toggle, {"present": "1"}, HTTP_HX_REQUEST="true")
    assert Attendance.objects.filter(meeting=held, person=cast.member_person).count() == 1
    client.post(
        reverse("meeting-attendance", args=[held.pk]),
        {"person": cast.outsider_person.pk, "organisation": "", "form_token": "w1"},
    )
    line = Attendance.objects.get(meeting=held, person=cast.outsider_person)
    assert line.invitation is None
    assert line.organisation == cast.elsewhere
    client.post(toggle, {"present": "0"}, HTTP_HX_REQUEST="true")
    assert not Attendance.objects.filter(meeting=held, person=cast.member_person).exists()


def test_member_cannot_tick_the_register(client, cast, held):
    login(client, cast, "member")
    toggle = reverse("attendance-toggle", args=[held.pk, cast.member_person.pk])
    assert client.post(toggle, {"present": "1"}).status_code == 403
    assert not Attendance.objects.filter(meeting=held).exists()


def test_minutes_draft_approve_publish_and_member_sees_them_only_then(client, cast, held):
    login(client, cast, "chair")
    client.post(reverse("meeting-minutes", args=[held.pk]), {"body": "The sub-group met."})
    minutes = Minutes.objects.get(meeting=held)
    assert minutes.status == Minutes.Status.DRAFT
    client.force_login(cast.member)
    assert (
        "The sub-group met."
        not in client.get(reverse("meeting-detail", args=[held.pk])).content.decode()
    )
    assert client.post(reverse("minutes-approve", args=[held.pk])).status_code == 403
    client.force_login(cast.chair)
    client.post(reverse("minutes-approve", args=[held.pk]))
    # Publishing shows first whom the minutes will go to, and sends nothing.
    preview = client.get(reverse("minutes-publish", args=[held.pk]))
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Before the minutes go out" in page
    previewed = {person.pk for person in minutes_readers_when_published(held)}
    assert previewed
    for person in Person.objects.filter(pk__in=previewed):
        assert f"<bdi>{person.full_name}</bdi>" in page
    assert not Notice.objects.filter(kind=Notice.Kind.MINUTES).exists()
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.APPROVED
    client.force_login(cast.member)
    assert client.get(reverse("minutes-publish", args=[held.pk])).status_code in {403, 404}
    client.force_login(cast.chair)
    client.post(reverse("minutes-publish", args=[held.pk]))
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.PUBLISHED
    # The mail goes to exactly the people the preview named.
    mailed = Notice.objects.filter(kind=Notice.Kind.MINUTES, channel="email")
    assert set(mailed.values_list("person_id", flat=True)) == previewed
    client.force_login(cast.member)
    assert (
        "The sub-group met."
        in client.get(reverse("meeting-detail", args=[held.pk])).content.decode()
    )


@pytest.mark.parametrize(("persona", "answer"), [("member", 403), ("outsider", 404)])
def test_writing_minutes_without_managing_the_meeting_is_forbidden(
    client, cast, held, persona, answer
):
    """A 403 for who can see the meeting, as for approving (not a redirect that reads
    like success); a 404 for who cannot."""
    login(client, cast, "chair")
    client.post(reverse("meeting-minutes", args=[held.pk]), {"body": "The draft."})
    login(client, cast, persona)
    response = client.post(reverse("meeting-minutes", args=[held.pk]), {"body": "Rewritten."})
    assert response.status_code == answer
    assert Minutes.objects.get(meeting=held).body == "The draft."


def test_empty_minutes_show_the_services_error(client, cast, held):
    login(client, cast, "secretariat")
    response = client.post(reverse("meeting-minutes", args=[held.pk]), {"body": "   "})
    assert 'id="id_body_error"' in response.content.decode()
    assert not Minutes.objects.filter(meeting=held).exists()


def test_decision_and_action_point_are_recorded_once(client, cast, held):
    login(client, cast, "secretariat")
    for _ in range(2):
        client.post(
            reverse("decision-add", args=[held.pk]),
            {"text": "Adopt the pathway.", "form_token": "d1"},
        )
    assert held.decisions.count() == 1
    data = {
        "title": "Share the pathway with the regions",
        "owner_organisation": cast.moh.pk,
        "owner_person": cast.member_person.pk,
        "due_on": "2031-01-31",
        "description": "",
        "decision": held.decisions.get().pk,
        "form_token": "p1",
    }
    for _ in range(2):
        client.post(reverse("action-point-create", args=[held.pk]), data)
    assert held.action_points.filter(title=data["title"]).count() == 1


def test_action_point_owner_must_work_for_the_organisation(client, cast, held):
    login(client, cast, "secretariat")
    response = client.post(
        reverse("action-point-create", args=[held.pk]),
        {
            "title": "Wrong owner",
            "owner_organisation": cast.moh.pk,
            "owner_person": cast.observer_person.pk,
            "due_on": "2031-01-31",
            "form_token": "p2",
        },
    )
    page = response.content.decode()
    assert 'id="id_owner_person_error"' in page
    assert 'value="Wrong owner"' in page
    assert not held.action_points.filter(title="Wrong owner").exists()


def test_meeting_list_queries_do_not_grow_with_data(client, cast, django_assert_max_num_queries):
    for number in range(30):
        start = timezone.now() + dt.timedelta(days=number)
        meeting_create(
            group=cast.health,
            title=f"M{number}",
            start_at=start,
            end_at=start + dt.timedelta(hours=1),
            by=cast.secretariat,
        )
    for persona in ("secretariat", "member"):
        login(client, cast, persona)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("meeting-list"))
        assert response.status_code == 200
        # A page of 25 and word of another, found without counting all 30.
        page = response.context["page"]
        assert (len(page), page.has_next) == (25, True)
        second = client.get(reverse("meeting-list"), {"page": 2}).context["page"]
        assert (len(second), second.has_next, second.has_previous) == (5, False, True)


def test_meeting_detail_queries_are_bounded(client, cast, held, django_assert_max_num_queries):
    login(client, cast, "secretariat")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("meeting-detail", args=[held.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("meeting-attendance", args=[held.pk])).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(reverse("meeting-invitations", args=[held.pk])).status_code == 200


def test_member_is_not_shown_what_they_may_not_do(client, cast, scheduled):
    login(client, cast, "member")
    page = client.get(reverse("meeting-detail", args=[scheduled.pk])).content.decode()
    for hidden in (
        reverse("meeting-edit", args=[scheduled.pk]),
        reverse("meeting-schedule", args=[scheduled.pk]),
        reverse("meeting-cancel", args=[scheduled.pk]),
        reverse("agenda-item-add", args=[scheduled.pk]),
        reverse("meeting-minutes", args=[scheduled.pk]),
    ):
        assert hidden not in page
    own = scheduled.invitations.get(person=cast.member_person)
    assert reverse("invitation-respond", args=[own.pk]) in page
    page = client.get(reverse("meeting-invitations", args=[scheduled.pk])).content.decode()
    assert 'name="person"' not in page
    assert reverse("meeting-invite-group", args=[scheduled.pk]) not in page


def test_manager_sees_the_controls(client, cast, scheduled):
    login(client, cast, "cochair")
    page = client.get(reverse("meeting-detail", args=[scheduled.pk])).content.decode()
    assert reverse("meeting-edit", args=[scheduled.pk]) in page
    assert reverse("meeting-cancel", args=[scheduled.pk]) in page
    assert reverse("agenda-item-add", args=[scheduled.pk]) in page


def test_a_meeting_id_that_is_no_number_is_a_404_not_an_error(cast):
    from django.http import Http404

    from meetings.views.shared import loaded_meeting

    for meeting_id in ("abc", None, "1.5"):
        with pytest.raises(Http404):
            loaded_meeting(cast.secretariat, meeting_id)


@pytest.mark.parametrize("persona", ["secretariat", "member"])
def test_the_register_asks_no_line_for_what_it_does_not_carry(client, cast, held, persona):
    # A plenary's register has hundreds of lines: a key the template asks of a line that
    # lacks it is a failed lookup on each (two exceptions and a dir()), 2.5 ms a page.
    from django.template import base

    from tests.factories import PersonFactory

    alternate = PersonFactory(full_name="Huda Alternate", organisation=cast.moh)
    held.invitations.filter(person=cast.member_person).update(
        response=Invitation.Response.ALTERNATE, alternate=alternate
    )
    Attendance.objects.create(meeting=held, person=alternate, interpretation="ar")
    Attendance.objects.create(meeting=held, person=cast.outsider_person)
    failed: list[str] = []
    lookup = base.Variable._resolve_lookup

    def recorded(variable, context):
        try:
            return lookup(variable, context)
        except base.VariableDoesNotExist:
            failed.append(variable.var)
            raise

    login(client, cast, persona)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(base.Variable, "_resolve_lookup", recorded)
        page = client.get(reverse("meeting-attendance", args=[held.pk])).content.decode()

    assert "Huda Alternate" in page
    assert "Olivia Outsider" in page
    assert [name for name in failed if name.startswith("row.")] == []
