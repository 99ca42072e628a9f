"""Before the invitations go out: the preview (page and API) says who will be invited,
which member organisations have nobody invited, who has no e-mail address, and shows the
invitation in each language; nothing is sent until the scheduler confirms. "Invite the
group" says whom it could not reach."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from groups.models import Membership
from groups.services import membership_create, representative_add
from meetings.models import Meeting
from meetings.selectors import UnreachedReason, invitation_preview
from meetings.services import (
    agenda_item_add,
    invitation_create,
    invitations_create_for_group,
    meeting_create,
)
from members.models import Person
from members.services import organisation_create, person_create
from notices.content import email_for, invitation_previews
from notices.models import Notice
from tests.api.conftest import SchemaCheckedClient, fingerprint
from tests.conftest import LAUNCH
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
TITLE = "Quarterly coordination meeting"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Form tokens and API throttles live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def draft(cast):
    """A draft MWG meeting next month with one agenda item and nobody invited."""
    start = (timezone.now() + dt.timedelta(days=30)).replace(second=0, microsecond=0)
    meeting = meeting_create(
        group=cast.mwg,
        title=TITLE,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
    )
    agenda_item_add(meeting=meeting, title="Return and reintegration", by=cast.secretariat)
    return meeting


@pytest.fixture
def gaps(cast):
    """Two more member organisations of the MWG nobody can be invited for: one with no
    representative, one whose only representative is no longer active; and an observer
    with no representative."""
    labour = organisation_create(name="Ministry of Labour", kind="ministry", by=None)
    crescent = organisation_create(name="Red Crescent", kind="ngo", by=None)
    spain = organisation_create(name="Embassy of Spain", kind="embassy", by=None)
    membership_create(group=cast.mwg, organisation=labour, start_on=LAUNCH, by=None)
    crescent_seat = membership_create(
        group=cast.mwg, organisation=crescent, start_on=LAUNCH, by=None
    )
    membership_create(
        group=cast.mwg,
        organisation=spain,
        role=Membership.Role.OBSERVER,
        start_on=LAUNCH,
        by=None,
    )
    volunteer = person_create(
        full_name="Salma Volunteer", organisation=crescent, email="salma@example.org", by=None
    )
    representative_add(membership=crescent_seat, person=volunteer, start_on=LAUNCH, by=None)
    Person.objects.filter(pk=volunteer.pk).update(is_active=False)
    return {"labour": labour, "crescent": crescent, "spain": spain}


@pytest.fixture
def invited(cast, draft):
    """The chair (English), the member (Arabic) and the member's colleague, who has no
    e-mail address, are invited."""
    Person.objects.filter(pk=cast.member_person.pk).update(preferred_language="ar")
    Person.objects.filter(pk=cast.member_colleague.pk).update(email="")
    for person in (cast.chair_person, cast.member_person, cast.member_colleague):
        invitation_create(meeting=draft, person=Person.objects.get(pk=person.pk), by=None)
    return draft


def _unreached(preview) -> list[tuple[str, str, bool]]:
    return [
        (item.organisation.name, item.reason, item.is_observer)
        for item in preview.unreached_organisations
    ]


def test_preview_says_who_is_invited_and_who_is_not_reached(cast, gaps, invited):
    preview = invitation_preview(invited)

    assert [
        (group.organisation.name, [person.full_name for person in group.people])
        for group in preview.invitees
    ] == [
        ("Ministry of Foreign Affairs", ["Jaalal Alashi"]),
        ("Ministry of Health", ["Amina Health", "Karim Alternate"]),
    ]
    assert preview.invitee_count == 3
    assert _unreached(preview) == [
        ("Embassy of Italy", UnreachedReason.NOT_INVITED, True),
        ("Embassy of Spain", UnreachedReason.NO_REPRESENTATIVE, True),
        ("International Organization for Migration", UnreachedReason.NOT_INVITED, False),
        ("Ministry of Labour", UnreachedReason.NO_REPRESENTATIVE, False),
        ("Red Crescent", UnreachedReason.NO_ACTIVE_PERSON, False),
    ]
    assert [person.full_name for person in preview.without_email] == ["Karim Alternate"]
    assert [person.full_name for person in preview.recipients] == [
        "Amina Health",
        "Jaalal Alashi",
    ]


def test_preview_reads_a_bounded_number_of_queries(
    cast, gaps, invited, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        invitation_preview(invited)


def test_preview_message_is_the_invitation_as_it_will_be_sent(cast, invited, client):
    preview = invitation_preview(invited)
    messages = invitation_previews(invited, preview.recipients, reference=preview.reference)
    assert [message.language for message in messages] == ["en", "ar"]
    english, arabic = messages
    assert english.subject.startswith(f"{preview.reference} — Invitation: {TITLE}, ")
    assert "You are invited to a meeting of the Migration Working Group." in english.text
    assert "Return and reintegration" in english.text
    assert f"دعوة: {TITLE}" in arabic.subject
    assert arabic.is_rtl
    assert (english.recipient_count, arabic.recipient_count) == (1, 1)
    assert Notice.objects.count() == 0

    login(client, cast, "secretariat")
    client.post(reverse("meeting-schedule", args=[invited.pk]), {"form_token": "s1"})

    invited.refresh_from_db()
    assert invited.reference == preview.reference
    # What goes out is what was shown, the personal answer links aside.
    for message in messages:
        notice = Notice.objects.get(meeting=invited, person=message.recipient, channel="email")
        sent = email_for(notice, invited.invitations.get(person=message.recipient))
        assert sent.subject == message.subject
        assert _without_links(sent.body) == _without_links(message.text)
        assert "/rsvp/" in sent.body
        assert "/rsvp/" not in message.text


def _without_links(text: str) -> str:
    return re.sub(r"(?m)^(- [^:]+): .*$", r"\1", text)


def test_preview_page_shows_everything_and_sends_nothing_until_confirmed(
    cast, gaps, invited, client
):
    login(client, cast, "secretariat")

    response = client.get(reverse("meeting-schedule-preview", args=[invited.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    for shown in (
        "Jaalal Alashi",
        "Amina Health",
        "Ministry of Labour",
        "It has no current representative.",
        "None of its representatives is active.",
        "Its representatives are not invited.",
        f"Invitation: {TITLE}",
        f"دعوة: {TITLE}",
        'lang="ar" dir="rtl"',
    ):
        assert shown in page
    observers = re.search(r'<ul id="unreached">(.*?)</ul>', page, re.S).group(1)
    assert re.search(r"Embassy of Spain</bdi> <span class=\"badge\">Observer", observers)
    assert "Ministry of Labour</bdi> —" in observers
    without_email = re.search(r'<ul id="without-email">(.*?)</ul>', page, re.S).group(1)
    assert "Karim Alternate" in without_email
    assert "Amina Health" not in without_email
    assert reverse("meeting-schedule", args=[invited.pk]) in page
    invited.refresh_from_db()
    assert invited.status == Meeting.Status.DRAFT
    assert Notice.objects.count() == 0

    confirmed = client.post(
        reverse("meeting-schedule", args=[invited.pk]), {"form_token": "s2"}, follow=True
    )

    assert "the invitations are being sent" in confirmed.content.decode()
    invited.refresh_from_db()
    assert invited.status == Meeting.Status.SCHEDULED
    emailed = Notice.objects.filter(meeting=invited, channel="email", kind="invitation")
    assert set(emailed.values_list("person__full_name", flat=True)) == {
        "Jaalal Alashi",
        "Amina Health",
        "Karim Alternate",
    }


def test_preview_page_shows_the_e_mail_s_text_as_text(cast, invited, client):
    """The plain-text e-mail is written with autoescape off: markup in what people type
    (here a venue and an agenda item) is shown as typed, never as markup of the page."""
    Meeting.objects.filter(pk=invited.pk).update(venue='<img src="x">Room <b>4</b>')
    invited.agenda_items.update(title="<script>alert(1)</script>")
    login(client, cast, "secretariat")

    page = client.get(reverse("meeting-schedule-preview", args=[invited.pk])).content.decode()

    previews = page[page.index('id="message-heading"') :]
    assert "<b>4</b>" not in previews
    assert "<script>alert" not in previews
    assert "&lt;img src=&quot;x&quot;&gt;Room &lt;b&gt;4&lt;/b&gt;" in previews
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in previews


def test_preview_page_with_nobody_invited_says_so(cast, draft, client):
    login(client, cast, "chair")
    page = client.get(reverse("meeting-schedule-preview", args=[draft.pk])).content.decode()
    assert "Nobody is invited yet." in page
    assert "Nobody will get the invitation by e-mail." in page
    assert Notice.objects.count() == 0


def test_meeting_page_links_to_the_preview_not_straight_to_scheduling(cast, draft, client):
    login(client, cast, "secretariat")
    page = client.get(reverse("meeting-detail", args=[draft.pk])).content.decode()
    assert reverse("meeting-schedule-preview", args=[draft.pk]) in page
    assert f'action="{reverse("meeting-schedule", args=[draft.pk])}"' not in page


def test_preview_of_a_scheduled_meeting_goes_back_to_the_meeting(cast, invited, client):
    login(client, cast, "secretariat")
    client.post(reverse("meeting-schedule", args=[invited.pk]), {"form_token": "s3"})
    response = client.get(reverse("meeting-schedule-preview", args=[invited.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("meeting-detail", args=[invited.pk])
    assert "A scheduled meeting cannot be scheduled." in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("member", 403), ("observer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_preview_page_is_for_those_who_schedule(cast, invited, client, persona, expected):
    login(client, cast, persona)
    before = fingerprint()

    response = client.get(reverse("meeting-schedule-preview", args=[invited.pk]))

    assert response.status_code == expected
    assert fingerprint() == before
    assert Notice.objects.count() == 0


def test_preview_page_queries_are_bounded(
    cast, gaps, invited, client, django_assert_max_num_queries
):
    login(client, cast, "secretariat")
    url = reverse("meeting-schedule-preview", args=[invited.pk])
    # The message is rendered once per language of the invitees, for one of them each
    # (their grants, papers and agenda read as theirs): the count follows the languages.
    with django_assert_max_num_queries(22):
        assert client.get(url).status_code == 200
    for number in range(6):
        person = person_create(
            full_name=f"Extra invitee {number}",
            organisation=cast.moh,
            email=f"extra{number}@example.org",
            by=None,
        )
        invitation_create(meeting=invited, person=person, by=None)
    with django_assert_max_num_queries(22):
        assert client.get(url).status_code == 200


# --- The API ------------------------------------------------------------------------


def _api(cast, persona: str) -> SchemaCheckedClient:
    client = SchemaCheckedClient()
    if persona != "anonymous":
        client.force_authenticate(user=cast.user(persona))
    return client


def test_api_preview_answers_the_same_as_the_page(cast, gaps, invited):
    response = _api(cast, "secretariat").get(f"{V1}/meetings/{invited.pk}/invitation-preview/")

    assert response.status_code == 200
    body = response.json()
    assert body["meeting"]["id"] == invited.pk
    assert body["invitee_count"] == 3
    assert [
        (group["organisation"]["name"], [person["full_name"] for person in group["people"]])
        for group in body["invitees"]
    ] == [
        ("Ministry of Foreign Affairs", ["Jaalal Alashi"]),
        ("Ministry of Health", ["Amina Health", "Karim Alternate"]),
    ]
    assert [
        (row["organisation"]["name"], row["role"], row["is_observer"], row["reason"])
        for row in body["unreached_organisations"]
    ] == [
        ("Embassy of Italy", "observer", True, "not_invited"),
        ("Embassy of Spain", "observer", True, "no_representative"),
        ("International Organization for Migration", "co_chair", False, "not_invited"),
        ("Ministry of Labour", "member", False, "no_representative"),
        ("Red Crescent", "member", False, "no_active_person"),
    ]
    assert [person["full_name"] for person in body["without_email"]] == ["Karim Alternate"]
    assert [message["language"] for message in body["messages"]] == ["en", "ar"]
    assert f"دعوة: {TITLE}" in body["messages"][1]["subject"]
    invited.refresh_from_db()
    assert invited.status == Meeting.Status.DRAFT
    assert Notice.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", 200),
        ("chair", 200),
        ("cochair", 200),
        ("member", 403),
        ("observer", 403),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_api_preview_is_for_those_who_schedule(cast, invited, persona, expected):
    before = fingerprint()

    response = _api(cast, persona).get(f"{V1}/meetings/{invited.pk}/invitation-preview/")

    assert response.status_code == expected
    assert fingerprint() == before
    assert Notice.objects.count() == 0


@pytest.mark.parametrize("meeting_id", ["0", "abc", "99999999999999999999999"])
def test_api_preview_of_no_meeting_is_not_found(cast, meeting_id):
    response = _api(cast, "secretariat").get(f"{V1}/meetings/{meeting_id}/invitation-preview/")
    assert response.status_code == 404
    assert response.json()["type"] == "not_found"


def test_api_schedule_says_the_preview_exists(cast):
    from tests.api.schema import openapi

    paths = openapi()["paths"]
    assert "get" in paths["/api/v1/meetings/{id}/invitation-preview/"]
    schedule = paths["/api/v1/meetings/{id}/schedule/"]["post"]
    assert "/invitation-preview/" in schedule["description"]


# --- "Invite the group" says whom it could not reach ----------------------------------


def test_inviting_the_group_reports_unreached_organisations_and_missing_addresses(
    cast, gaps, draft
):
    Person.objects.filter(pk=cast.member_colleague.pk).update(email="")

    result = invitations_create_for_group(meeting=draft, by=cast.secretariat)

    assert sorted(invitation.person.full_name for invitation in result.invitations) == [
        "Amina Health",
        "Jaalal Alashi",
        "Karim Alternate",
        "Marco Observer",
        "Othman Belbeisi",
    ]
    assert [
        (item.organisation.name, item.reason, item.is_observer)
        for item in result.unreached_organisations
    ] == [
        ("Embassy of Spain", UnreachedReason.NO_REPRESENTATIVE, True),
        ("Ministry of Labour", UnreachedReason.NO_REPRESENTATIVE, False),
        ("Red Crescent", UnreachedReason.NO_ACTIVE_PERSON, False),
    ]
    assert [person.full_name for person in result.without_email] == ["Karim Alternate"]

    again = invitations_create_for_group(meeting=draft, by=cast.secretariat)

    assert again.invitations == []
    assert again.without_email == []
    assert len(again.unreached_organisations) == 3


def test_invite_the_group_page_says_whom_it_could_not_reach(cast, gaps, draft, client):
    Person.objects.filter(pk=cast.member_colleague.pk).update(email="")
    login(client, cast, "secretariat")

    response = client.post(
        reverse("meeting-invite-group", args=[draft.pk]), {"form_token": "g1"}, follow=True
    )

    page = re.search(r'<ul class="messages".*?</ul>', response.content.decode(), re.S).group(0)
    assert "5 representatives of the group are invited." in page
    assert (
        "Nobody is invited for Embassy of Spain (observer). It has no current representative."
        in page
    )
    assert "Nobody is invited for Ministry of Labour. It has no current representative." in page
    assert "Nobody is invited for Red Crescent. None of its representatives is active." in page
    assert "Embassy of Italy" not in page
    assert "No e-mail address, so no invitation will reach them: Karim Alternate." in page


def test_api_invite_group_says_whom_it_could_not_reach(cast, gaps, draft):
    Person.objects.filter(pk=cast.member_colleague.pk).update(email="")

    response = _api(cast, "chair").post(f"{V1}/meetings/{draft.pk}/invite-group/")

    assert response.status_code == 201
    body = response.json()
    assert body["created"] == 5
    assert len(body["invited"]) == 5
    assert [
        (row["organisation"]["name"], row["is_observer"], row["reason"])
        for row in body["unreached_organisations"]
    ] == [
        ("Embassy of Spain", True, "no_representative"),
        ("Ministry of Labour", False, "no_representative"),
        ("Red Crescent", False, "no_active_person"),
    ]
    assert [person["full_name"] for person in body["without_email"]] == ["Karim Alternate"]


def test_the_admins_invite_the_group_says_whom_it_could_not_reach(cast, gaps, draft, client):
    Person.objects.filter(pk=cast.member_colleague.pk).update(email="")
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:meetings_meeting_changelist"),
        {"action": "invite_the_group", "_selected_action": [draft.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert draft.invitations.count() == 5
    assert "5 representatives of the group are invited." in page
    assert "Nobody is invited for Ministry of Labour. It has no current representative." in page
    assert "Nobody is invited for Red Crescent. None of its representatives is active." in page
    assert "No e-mail address, so no invitation will reach them: Karim Alternate." in page
