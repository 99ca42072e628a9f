"""Changing a scheduled meeting's time or place shows the update it sends, to whom, in
each language, before anything is saved or sent; the preview's button sends exactly
that."""

import datetime as dt
from html import escape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import Confidentiality
from meetings.models import Meeting
from meetings.services import (
    invitation_create,
    invitation_respond,
)
from meetings.services import meeting_update as meeting_update_service
from members.models import Person
from members.services import person_create
from notices.models import Notice
from notices.services import webhook_endpoint_register
from tests.conftest import scheduled_plenary
from tests.pages.conftest import login, update_confirmation

pytestmark = pytest.mark.django_db

NEW_VENUE = "Ministry of Interior, Tripoli"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _form(meeting: Meeting, **overrides) -> dict:
    """The edit form as the page fills it for `meeting`, with `overrides`."""
    zone = meeting.zone
    data = {
        "title": meeting.title,
        "kind": meeting.kind,
        "start_at": meeting.start_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "end_at": meeting.end_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "time_zone": meeting.time_zone,
        "venue": meeting.venue,
        "online_url": meeting.online_url,
        "description": meeting.description,
    }
    data.update(overrides)
    return data


def _stored(meeting: Meeting) -> dict:
    """What an edit may change, and what it leaves behind: the row, its history, its
    notices."""
    row = Meeting.objects.filter(pk=meeting.pk).values().get()
    return {
        "row": row,
        "history": Meeting.history.filter(id=meeting.pk).count(),
        "notices": sorted(Notice.objects.filter(meeting=meeting).values_list("pk", flat=True)),
    }


def _updates(meeting: Meeting) -> set[int]:
    return set(
        Notice.objects.filter(
            meeting=meeting, kind=Notice.Kind.UPDATE, channel=Notice.Channel.EMAIL
        ).values_list("person_id", flat=True)
    )


@pytest.fixture
def plenary(cast):
    return scheduled_plenary(cast)


def test_a_change_of_place_is_previewed_and_nothing_is_saved_or_sent(
    client, cast, plenary, django_capture_on_commit_callbacks
):
    before = _stored(plenary)
    login(client, cast, "secretariat")

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("meeting-edit", args=[plenary.pk]), _form(plenary, venue=NEW_VENUE)
        )

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "meetings/update_preview.html"
    page = response.content.decode()
    start = page.index('id="changes"')
    changes = page[start : page.index("</table>", start)]
    assert "Ministry of Foreign Affairs, Tripoli" in changes
    assert escape(NEW_VENUE) in changes
    assert "Starts at" not in changes  # only what changes is listed
    preview = response.context["preview"]
    assert preview.changed == {"venue"}
    assert preview.after.venue == NEW_VENUE
    assert preview.after.sequence == plenary.sequence + 1
    # The update as the invitees will read it, with the new place.
    assert "Updated: MWG: labour migration" in page
    assert escape(NEW_VENUE) in page[page.index('id="message-heading"') :]
    # Nothing saved, nothing written to the outbox, nothing waiting for the commit.
    assert _stored(plenary) == before
    assert callbacks == []


def test_the_preview_s_button_tells_exactly_those_previewed(client, cast, plenary):
    login(client, cast, "secretariat")
    url = reverse("meeting-edit", args=[plenary.pk])
    data = _form(plenary, venue=NEW_VENUE)
    shown = client.post(url, data)
    previewed = {person.pk for person in shown.context["preview"].recipients}
    assert {cast.member.person.pk, cast.chair.person.pk} <= previewed
    assert 'name="previewed_sequence" value="0"' in shown.content.decode()

    response = client.post(url, update_confirmation(shown.content.decode()))

    assert response.status_code == 302
    plenary.refresh_from_db()
    assert plenary.venue == NEW_VENUE
    assert plenary.sequence == 1
    assert _updates(plenary) == previewed


def test_the_preview_carries_every_field_entered_back_to_its_form(client, cast, plenary):
    login(client, cast, "secretariat")
    data = _form(plenary, venue=NEW_VENUE, description="Bring the labour figures.")

    page = client.post(reverse("meeting-edit", args=[plenary.pk]), data).content.decode()

    form = page[
        page.index('id="update-confirm"') : page.index("</form>", page.index('id="update-confirm"'))
    ]
    for name, value in data.items():
        assert f'name="{name}" value="{escape(value)}"' in form, name
    assert 'name="send_update" value="1"' in form
    assert 'name="revise" value="1"' in form


def test_a_label_narrowing_the_audience_is_previewed_as_it_will_apply(client, cast, plenary):
    """The label changed with the place: the update goes only to those who may see the
    meeting under its new label, and the preview, tried with the label, says so."""
    login(client, cast, "secretariat")
    url = reverse("meeting-edit", args=[plenary.pk])
    data = _form(
        plenary,
        venue=NEW_VENUE,
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to=[cast.iom.pk],
    )
    before = _stored(plenary)

    shown = client.post(url, data)
    previewed = {person.pk for person in shown.context["preview"].recipients}

    assert cast.member.person.pk not in previewed
    assert cast.cochair.person.pk in previewed
    assert _stored(plenary) == before
    assert Meeting.objects.get(pk=plenary.pk).confidentiality != Confidentiality.RESTRICTED

    # The page carries both organisations of the label back (a field of many values).
    confirmation = update_confirmation(shown.content.decode())
    assert confirmation["restricted_to"] == [str(cast.iom.pk)]
    assert client.post(url, confirmation).status_code == 302
    assert Meeting.objects.get(pk=plenary.pk).confidentiality == Confidentiality.RESTRICTED
    assert _updates(plenary) == previewed


def test_those_without_an_e_mail_address_are_named_and_not_counted(client, cast, plenary):
    Person.objects.filter(pk=cast.observer.person.pk).update(email="")
    login(client, cast, "secretariat")

    response = client.post(
        reverse("meeting-edit", args=[plenary.pk]), _form(plenary, venue=NEW_VENUE)
    )

    preview = response.context["preview"]
    assert [person.pk for person in preview.without_email] == [cast.observer.person.pk]
    assert cast.observer.person.pk not in {person.pk for person in preview.recipients}
    assert "no e-mail address" in response.content.decode()


def test_the_update_is_previewed_in_each_language_its_readers_read(client, cast, plenary):
    Person.objects.filter(pk=cast.member.person.pk).update(preferred_language="ar")
    Person.objects.filter(pk=cast.observer.person.pk).update(preferred_language="fr")
    login(client, cast, "secretariat")

    page = client.post(
        reverse("meeting-edit", args=[plenary.pk]), _form(plenary, venue=NEW_VENUE)
    ).content.decode()

    assert "تحديث" in page
    assert "Mise à jour" in page
    assert "Updated: MWG: labour migration" in page


def test_the_previewed_update_shows_its_reader_s_answer_and_no_link_of_theirs(
    client, cast, plenary
):
    """The English message is Amina Health's (first by name), who has accepted."""
    invitation = plenary.invitations.get(person=cast.member.person)
    invitation_respond(invitation=invitation, response="accepted", by=cast.member)
    login(client, cast, "secretariat")

    page = client.post(
        reverse("meeting-edit", args=[plenary.pk]), _form(plenary, venue=NEW_VENUE)
    ).content.decode()

    assert "As <bdi>Amina Health</bdi> will read it" in page
    assert "Your answer (now: Accepted)" in page
    assert "(each invitee&#x27;s own link)" in page
    assert "/rsvp/" not in page


def test_the_previewed_update_shows_markup_typed_into_it_as_text(client, cast, plenary):
    login(client, cast, "secretariat")

    page = client.post(
        reverse("meeting-edit", args=[plenary.pk]),
        _form(plenary, venue='<img src="x">Room <b>4</b>'),
    ).content.decode()

    assert "<b>4</b>" not in page
    # In the change, the form's hidden field, and the one (English) message.
    assert page.count("&lt;img src=&quot;x&quot;&gt;Room &lt;b&gt;4&lt;/b&gt;") == 3


@pytest.mark.parametrize(
    "change",
    [{"title": "MWG: labour migration and returns"}, {"description": "Coffee at 9:30."}],
)
def test_a_change_that_tells_nobody_is_saved_at_once(client, cast, plenary, change):
    login(client, cast, "secretariat")

    response = client.post(reverse("meeting-edit", args=[plenary.pk]), _form(plenary, **change))

    assert response.status_code == 302
    plenary.refresh_from_db()
    for name, value in change.items():
        assert getattr(plenary, name) == value
    assert plenary.sequence == 0
    assert _updates(plenary) == set()


def test_a_draft_is_changed_at_once(client, cast, draft):
    login(client, cast, "secretariat")

    response = client.post(reverse("meeting-edit", args=[draft.pk]), _form(draft, venue=NEW_VENUE))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.venue == NEW_VENUE
    assert Notice.objects.filter(meeting=draft).count() == 0


def test_change_it_again_goes_back_to_the_form_with_what_was_entered(client, cast, plenary):
    before = _stored(plenary)
    login(client, cast, "secretariat")

    response = client.post(
        reverse("meeting-edit", args=[plenary.pk]),
        {**_form(plenary, venue=NEW_VENUE), "revise": "1", "previewed_sequence": "0"},
    )

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "meetings/meeting_form.html"
    assert f'value="{escape(NEW_VENUE)}"' in response.content.decode()
    assert _stored(plenary) == before


def test_a_preview_overtaken_by_another_change_is_shown_again(client, cast, plenary):
    """Someone else moves the online link while the preview is open: the button saves
    nothing and shows the change again, against the meeting as it now stands, with the
    link the form would put back listed among the changes."""
    login(client, cast, "secretariat")
    url = reverse("meeting-edit", args=[plenary.pk])
    shown = client.post(url, _form(plenary, venue=NEW_VENUE))
    meeting_update_service(
        meeting=plenary, by=cast.chair, online_url="https://meet.example.org/mwg"
    )
    told = _stored(plenary)

    response = client.post(url, update_confirmation(shown.content.decode()))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert f'<a href="{url}">Start again from the meeting as it now stands</a>' in page
    assert response.context["preview"].changed == {"venue", "online_url"}
    assert "https://meet.example.org/mwg" in page[page.index('id="changes"') :]
    assert 'name="previewed_sequence" value="1"' in page
    assert _stored(plenary) == told

    response = client.post(url, update_confirmation(page))
    assert response.status_code == 302
    plenary.refresh_from_db()
    assert (plenary.venue, plenary.online_url, plenary.sequence) == (NEW_VENUE, "", 2)


def test_a_preview_overtaken_by_the_same_update_saves_nothing_and_says_so(client, cast, plenary):
    """The chair makes the same move while the preview is open: the secretariat's change
    would now send nothing. It is not taken as if the previewed update had gone out: the
    form says what happened."""
    login(client, cast, "secretariat")
    url = reverse("meeting-edit", args=[plenary.pk])
    shown = client.post(url, _form(plenary, venue=NEW_VENUE))
    meeting_update_service(meeting=plenary, by=cast.chair, venue=NEW_VENUE)
    told = _stored(plenary)

    response = client.post(url, update_confirmation(shown.content.decode()))

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "meetings/meeting_form.html"
    assert "your change no longer sends an update" in response.content.decode()
    assert _stored(plenary) == told


def test_a_preview_whose_audience_changed_is_shown_again(client, cast, plenary):
    """While the preview is open the member sends an alternate: the meeting's sequence
    does not move, but the update would reach someone not previewed. The button saves
    nothing and shows the change again, with them."""
    deputy = person_create(
        full_name="Nadia Deputy", organisation=cast.moh, email="nadia@example.org", by=None
    )
    login(client, cast, "secretariat")
    url = reverse("meeting-edit", args=[plenary.pk])
    shown = client.post(url, _form(plenary, venue=NEW_VENUE))
    assert deputy.pk not in {p.pk for p in shown.context["preview"].recipients}
    invitation = plenary.invitations.get(person=cast.member.person)
    invitation_respond(
        invitation=invitation, response="alternate", alternate=deputy, by=cast.member
    )
    before = _stored(plenary)

    response = client.post(url, update_confirmation(shown.content.decode()))

    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert deputy.pk in {p.pk for p in response.context["preview"].recipients}
    assert _stored(plenary) == before

    assert client.post(url, update_confirmation(response.content.decode())).status_code == 302
    assert deputy.pk in _updates(plenary)


def test_a_change_of_time_zone_shows_each_time_in_its_zone(client, cast, plenary):
    login(client, cast, "secretariat")

    response = client.post(
        reverse("meeting-edit", args=[plenary.pk]), _form(plenary, time_zone="Europe/Rome")
    )

    assert response.context["preview"].changed >= {"time_zone", "start_at", "end_at"}
    page = response.content.decode()
    changes = page[page.index('id="changes"') : page.index("</table>", page.index('id="changes"'))]
    assert changes.count("Rome") >= 3  # the zone row, and beside the new start and end
    assert changes.count("Tripoli") >= 3


def test_with_nobody_invited_the_preview_names_the_systems_told(client, cast, plenary):
    """Nobody invited, but the Ministry of Health's system subscribes to the group's
    meeting events: the preview says so, read back from the notices the change writes."""
    webhook_endpoint_register(
        organisation=cast.moh, url="https://moh.example.org/hooks", by=cast.secretariat
    )
    plenary.invitations.all().delete()
    login(client, cast, "secretariat")
    url = reverse("meeting-edit", args=[plenary.pk])

    shown = client.post(url, _form(plenary, venue=NEW_VENUE))

    page = shown.content.decode()
    assert "Nobody invited may see the meeting" in page
    organisations = page[page.index('id="webhook-organisations"') :]
    assert "Ministry of Health" in organisations[: organisations.index("</ul>")]
    assert [o.pk for o in shown.context["preview"].webhook_organisations] == [cast.moh.pk]

    assert client.post(url, update_confirmation(page)).status_code == 302
    assert (
        Notice.objects.filter(
            meeting=plenary, kind=Notice.Kind.UPDATE, channel=Notice.Channel.WEBHOOK
        ).count()
        == 1
    )


def test_a_move_into_the_past_is_refused_before_any_preview(client, cast, plenary):
    before = _stored(plenary)
    login(client, cast, "secretariat")
    yesterday = timezone.now().astimezone(plenary.zone) - dt.timedelta(days=1)

    response = client.post(
        reverse("meeting-edit", args=[plenary.pk]),
        _form(
            plenary,
            start_at=yesterday.strftime("%Y-%m-%dT%H:%M"),
            end_at=(yesterday + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "meetings/meeting_form.html"
    assert "cannot be moved into the past" in response.content.decode()
    assert _stored(plenary) == before


@pytest.mark.parametrize("persona", ["member", "observer"])
def test_those_who_do_not_run_the_meeting_can_neither_preview_nor_send(
    client, cast, plenary, persona
):
    before = _stored(plenary)
    login(client, cast, persona)
    url = reverse("meeting-edit", args=[plenary.pk])
    data = _form(plenary, venue=NEW_VENUE)

    assert client.post(url, data).status_code == 403
    assert (
        client.post(url, {**data, "send_update": "1", "previewed_sequence": "0"}).status_code == 403
    )
    assert _stored(plenary) == before


def test_the_preview_s_queries_do_not_grow_with_the_invitees(client, cast, plenary):
    """Five invitees, then twenty-five (from three organisations, in three languages):
    the preview reads no more for the twenty more."""
    # The three languages from the start: the message is rendered once per language.
    Person.objects.filter(pk=cast.member.person.pk).update(preferred_language="ar")
    Person.objects.filter(pk=cast.observer.person.pk).update(preferred_language="fr")
    login(client, cast, "secretariat")
    url = reverse("meeting-edit", args=[plenary.pk])
    client.post(url, _form(plenary, venue="Warm-up"))  # caches, as a running portal has them

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.post(url, _form(plenary, venue=NEW_VENUE)).status_code == 200
        return len(queries)

    few = counted()
    for number in range(20):
        person = person_create(
            full_name=f"Delegate {number}",
            organisation=(cast.moh, cast.iom, cast.embassy)[number % 3],
            email=f"delegate{number}@example.org",
            preferred_language=("en", "ar", "fr")[number % 3],
            by=None,
        )
        invitation_create(meeting=plenary, person=person, by=cast.secretariat)
    Notice.objects.filter(meeting=plenary).delete()  # the new invitees' own invitations

    assert (
        len(client.post(url, _form(plenary, venue=NEW_VENUE)).context["preview"].recipients) == 25
    )
    assert counted() <= few
    assert few <= 50
