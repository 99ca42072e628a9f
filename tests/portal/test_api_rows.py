"""Lists answered from `.values()` rows (portal.api.rows) give DRF's JSON, byte for byte."""

import collections
import datetime as dt
import itertools

import hypothesis
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from guardian.models import UserObjectPermission
from hypothesis import strategies
from rest_framework import serializers

from benchmarks.lists import api_lists
from documents.models import Document
from documents.services import document_version_add
from groups.models import Membership, Representative
from groups.services import membership_update, representative_end
from meetings.api.serializers import AgendaItemSerializer, InvitationSerializer
from meetings.models import AgendaItem
from members.models import Person
from members.services import person_contact_visibility_set
from notices.models import Notice, NoticeAttempt
from notices.services import webhook_endpoint_register
from portal.api import views
from portal.api.rows import plan_for

pytestmark = pytest.mark.django_db

PLANNED = [
    (path, viewset)
    for path, viewset in api_lists()
    if plan_for(viewset.output_serializer_class) is not None
]


def test_the_lists_of_plain_rows_are_planned():
    paths = {path for path, _viewset in PLANNED}

    assert {
        "/api/v1/agenda-items/",
        "/api/v1/attendance/",
        "/api/v1/decisions/",
        "/api/v1/document-versions/",
        "/api/v1/documents/",
        "/api/v1/groups/",
        "/api/v1/invitations/",
        "/api/v1/memberships/",
        "/api/v1/minutes-comments/",
        "/api/v1/minutes/",
        "/api/v1/notices/",
        "/api/v1/organisations/",
        "/api/v1/people/",
        "/api/v1/report-backs/",
        "/api/v1/webhook-endpoints/",
    } <= paths


def test_each_planned_list_answers_what_drf_would(settings, client, monkeypatch):
    settings.DEMO_PASSWORD = "tansiq-demo"
    settings.WEBHOOK_ALLOW_INSECURE = True
    call_command("load_demo", verbosity=0)
    member = get_user_model().objects.get(username="member").person.organisation
    # A representation that ended stays out of a seat's current representatives.
    ended = Representative.objects.filter(end_on=None).exclude(person__user__username="member")
    representative_end(representative=ended.order_by("pk").first(), by=None)
    for events in ([], ["meeting.updated", "meeting.cancelled"]):  # the demo has none
        webhook_endpoint_register(
            organisation=member,
            url=f"https://hooks.example.org/{len(events)}",
            events=events,
            by=None,
        )
    # A notice that failed twice, then once more for good; another that failed once.
    first, second = Notice.objects.order_by("-created_at", "-pk")[:2]
    for notice, error, permanent in (
        (first, "421 Try again later", False),
        (first, "421 Try again later", False),
        (first, "550 No such user", True),
        (second, "timed out", False),
    ):
        NoticeAttempt.objects.create(notice=notice, error=error, is_permanent=permanent)
    # A paper with a second version (the newest is the current one), one with none.
    revised = Document.objects.order_by("pk").first()
    document_version_add(
        document=revised, upload=SimpleUploadedFile("v2.txt", b"Second draft."), by=None
    )
    bare = Document.objects.create(group=revised.group, title="Not uploaded yet")
    # A colleague of the member who shares their contact details with the secretariat only.
    private = Person.objects.filter(organisation=member).exclude(user__username="member").first()
    person_contact_visibility_set(
        person=private, visibility=Person.ContactVisibility.SECRETARIAT, by=None
    )
    # A chair's seat with nobody named to hold it.
    seat = Membership.objects.filter(role=Membership.Role.CO_CHAIR, end_on=None).first()
    membership_update(membership=seat, role=seat.role, seat_holder=None, by=None)
    compared: collections.Counter = collections.Counter()
    for username, (path, _viewset), params in itertools.product(
        ["secretariat", "member", "observer", "chair"],
        PLANNED,
        [{"page_size": 100}, {"page_size": 7, "page": 2}],
    ):
        client.force_login(get_user_model().objects.get(username=username))
        planned = client.get(path, params)
        with monkeypatch.context() as patched:
            patched.setattr(views, "plan_for", lambda serializer_class: None)
            drf = client.get(path, params)

        assert planned.status_code == drf.status_code == 200, path
        assert planned.content == drf.content, (username, path, params)
        compared[path] += len(planned.json()["results"])

    # The demo gives each of them rows to compare, decisions of both sources among them.
    client.force_login(get_user_model().objects.get(username="secretariat"))
    decisions = client.get("/api/v1/decisions/", {"page_size": 100}).json()["results"]
    assert {row["source"] for row in decisions} == {"meeting", "written_procedure"}
    seats = client.get("/api/v1/memberships/", {"page_size": 100}).json()["results"]
    assert max(len(seat["representatives"]) for seat in seats) >= 2
    notices = client.get("/api/v1/notices/", {"page_size": 100}).json()["results"]
    tries = {row["id"]: [a["error"] for a in row["failed_attempts"]] for row in notices}
    assert tries[first.pk] == ["421 Try again later", "421 Try again later", "550 No such user"]
    assert tries[second.pk] == ["timed out"]
    papers = {row["id"]: row for row in client.get("/api/v1/documents/").json()["results"]}
    assert papers[revised.pk]["current_version"]["number"] == 2
    assert papers[bare.pk]["current_version"] is None
    groups = client.get("/api/v1/groups/", {"page_size": 100}).json()["results"]
    assert {group["chair"] is None for group in groups} == {True, False}
    assert {group["co_chair"] is None for group in groups} == {True, False}
    seats = [group[role] for group in groups for role in ("chair", "co_chair") if group[role]]
    assert {seat["seat_holder"] is None for seat in seats} == {True, False}
    assert any(group["terms_of_reference"]["inherited_from"] for group in groups)
    minutes = client.get("/api/v1/minutes/", {"page_size": 100}).json()["results"]
    assert {row["approval"] == "" for row in minutes} == {True, False}
    assert any("on behalf of" in row["approval"] for row in minutes)
    assert {row["approved_for"] is None for row in minutes} == {True, False}
    # Contact details shown to some readers only: the member's list hides some.
    client.force_login(get_user_model().objects.get(username="member"))
    people = client.get("/api/v1/people/", {"page_size": 100}).json()["results"]
    assert {row["email"] is None for row in people} == {True, False}
    client.force_login(get_user_model().objects.get(username="secretariat"))
    versions = client.get("/api/v1/document-versions/").json()["results"]
    assert versions[0]["download_url"] == f"/api/v1/document-versions/{versions[0]['id']}/download/"
    assert {path: compared[path] > 0 for path, _viewset in PLANNED} == {
        path: True for path, _viewset in PLANNED
    }


def test_a_planned_list_keeps_its_nulls_and_many_to_many(cast, client):
    from tests.factories import AgendaItemFactory, MeetingFactory

    meeting = MeetingFactory(group=cast.mwg, calendar_uid="rows-null@test.local")
    bare = AgendaItemFactory(meeting=meeting, presenter=None)
    labelled = AgendaItemFactory(meeting=meeting, presenter=cast.member_person)
    labelled.restricted_to.set([cast.moh, cast.embassy])
    client.force_login(cast.secretariat)

    rows = {row["id"]: row for row in client.get("/api/v1/agenda-items/").json()["results"]}

    assert rows[bare.pk]["presenter"] is None
    assert rows[labelled.pk]["presenter"] == {
        "id": cast.member_person.pk,
        "full_name": cast.member_person.full_name,
    }
    assert sorted(rows[labelled.pk]["restricted_to"]) == sorted([cast.moh.pk, cast.embassy.pk])
    assert rows[bare.pk]["restricted_to"] == []


def test_what_needs_an_instance_is_not_planned():
    class WithMethod(serializers.ModelSerializer):
        shout = serializers.SerializerMethodField()

        class Meta:
            model = AgendaItem
            fields = ["id", "shout"]

        def get_shout(self, item):
            return item.title.upper()

    class WithOwnShape(InvitationSerializer):
        def to_representation(self, instance):
            return {"id": instance.pk}

    class NumberAsText(serializers.ModelSerializer):
        position = serializers.CharField()

        class Meta:
            model = AgendaItem
            fields = ["id", "position"]

    class GenericRelation(serializers.ModelSerializer):
        content_object = serializers.IntegerField()

        class Meta:
            model = UserObjectPermission
            fields = ["id", "content_object"]

    assert plan_for(AgendaItemSerializer) is not None
    assert plan_for(GenericRelation) is None  # no column of its own: DRF's path, no error
    assert plan_for(WithMethod) is None
    assert plan_for(WithOwnShape) is None
    assert plan_for(NumberAsText) is None  # str() of a number is not the stored value


def test_a_column_shown_to_some_readers_is_hidden_unless_the_context_shows_it():
    from members.api.serializers import CONTACT_DETAILS_VISIBLE, PersonSerializer

    plan = plan_for(PersonSerializer)
    row = {
        "pk": 7,
        "id": 7,
        "full_name": "Karim",
        "full_name_ar": "",
        "position": "",
        "organisation": None,
        "email": "karim@example.org",
        "phone": "+218",
        "preferred_language": "en",
    }

    assert plan.reads_context
    shown, hidden = plan.rows([row, {**row, "pk": 8}], {CONTACT_DETAILS_VISIBLE: {7}})
    assert (shown["email"], shown["phone"]) == ("karim@example.org", "+218")
    assert (hidden["email"], hidden["phone"]) == (None, None)
    # No context, or the context without the key: hidden, as the fields themselves do.
    assert plan.rows([row])[0]["email"] is None
    assert plan.rows([row], {})[0]["phone"] is None


def test_a_hidden_column_whose_field_writes_its_own_value_is_not_planned():
    from members.api.serializers import ContactEmailField, PersonSerializer

    class Shouted(ContactEmailField):
        def to_representation(self, value):
            return value.upper()

    class ShoutedEmail(PersonSerializer):
        email = Shouted()

    assert plan_for(PersonSerializer) is not None
    assert plan_for(ShoutedEmail) is None


def test_a_nested_item_that_hides_a_column_is_not_planned():
    """A nested item's rows are shaped without the page's context, so one hiding a
    column would always hide it: such a list keeps DRF's path."""
    from members.api.serializers import PersonSerializer
    from members.models import Organisation

    class WithPeople(serializers.ModelSerializer):
        people = PersonSerializer(many=True)
        ROW_MANY = {"people": ("organisation", Person.objects.all)}

        class Meta:
            model = Organisation
            fields = ["id", "people"]

    class WithPlainPeople(WithPeople):
        people = _Brief(many=True)

    assert plan_for(WithPeople) is None
    assert plan_for(WithPlainPeople) is not None


class _Brief(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "full_name"]


def test_a_per_page_function_is_made_once_a_page_in_the_requests_setting(cast, client, monkeypatch):
    from django.urls import set_script_prefix

    from documents.api import serializers as document_serializers

    for number in range(3):
        paper = Document.objects.create(group=cast.mwg, title=f"Paper {number}")
        document_version_add(
            document=paper, upload=SimpleUploadedFile(f"p{number}.txt", b"Words."), by=None
        )
    made = []
    real = document_serializers.reverse_id_for_page

    def counted(name, **options):
        made.append(name)
        return real(name, **options)

    monkeypatch.setattr(document_serializers, "reverse_id_for_page", counted)
    client.force_login(cast.secretariat)

    # Served under a prefix, as WSGIHandler sets it from SCRIPT_NAME for each request
    # (the test client does not).
    set_script_prefix("/portal/")
    try:
        versions = client.get("/api/v1/document-versions/").json()
        papers = client.get("/api/v1/documents/").json()
    finally:
        set_script_prefix("/")

    # Once for each page (the papers' current versions are one nested read), not per row.
    assert made == ["api:document-version-download"] * 2
    links = [row["download_url"] for row in versions["results"]]
    links += [row["current_version"]["download_url"] for row in papers["results"]]
    assert len(links) == 6
    for link in links:
        version_id = link.split("/")[-3]
        # The request's script prefix, as reverse() would give it on each row.
        assert link == f"/portal/api/v1/document-versions/{version_id}/download/"


def test_moments_in_utc_go_to_the_renderer_as_they_are_and_are_written_as_drf_writes_them():
    import zoneinfo

    from meetings.models import Meeting
    from portal.api.renderers import dumps
    from portal.api.serializers import OutputModelSerializer

    class Times(OutputModelSerializer):
        class Meta:
            model = Meeting
            fields = ["id", "start_at", "end_at"]

    plan = plan_for(Times)
    assert plan is not None
    utc = dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC)
    # Written in Cairo's zone: converted here, as the field converts it.
    cairo = dt.datetime(2027, 3, 1, 11, 30, 0, 5, tzinfo=zoneinfo.ZoneInfo("Africa/Cairo"))
    values = [
        {"pk": 1, "id": 1, "start_at": utc, "end_at": cairo},
        {"pk": 2, "id": 2, "start_at": utc.replace(microsecond=70), "end_at": None},
    ]

    rows = plan.rows(values)

    assert rows[0]["start_at"] is utc
    assert rows[0]["end_at"] == "2027-03-01T09:30:00.000005Z"
    meetings = [
        Meeting(pk=row["pk"], start_at=row["start_at"], end_at=row["end_at"]) for row in values
    ]
    assert dumps(rows) == dumps(Times(meetings, many=True).data)
    assert b'"start_at":"2027-03-01T09:30:00.000070Z"' in dumps(rows)


@hypothesis.settings(max_examples=2000, deadline=None)
@hypothesis.given(moment=strategies.datetimes(timezones=strategies.just(dt.UTC)))
def test_the_renderer_writes_any_moment_in_utc_as_utc_iso_does(moment):
    from portal.api.renderers import dumps
    from portal.api.serializers import utc_iso

    assert dumps(moment) == dumps(utc_iso(moment))


@hypothesis.settings(max_examples=1000, deadline=None)
@hypothesis.given(day=strategies.dates())
def test_the_renderer_writes_any_date_as_drf_does(day):
    from rest_framework import serializers as drf

    from portal.api.renderers import dumps

    assert dumps(day) == dumps(drf.DateField().to_representation(day))


def test_dates_go_to_the_renderer_as_they_are():
    from meetings.models import Decision
    from portal.api.renderers import dumps
    from portal.api.serializers import OutputModelSerializer

    class Days(OutputModelSerializer):
        class Meta:
            model = Decision
            fields = ["id", "decided_on"]

    plan = plan_for(Days)
    assert plan is not None
    day = dt.date(2027, 3, 1)
    values = [{"pk": 1, "id": 1, "decided_on": day}, {"pk": 2, "id": 2, "decided_on": None}]

    rows = plan.rows(values)

    assert rows[0]["decided_on"] is day
    decisions = [Decision(pk=row["pk"], decided_on=row["decided_on"]) for row in values]
    assert dumps(rows) == dumps(Days(decisions, many=True).data)
    assert dumps(rows) == b'[{"id":1,"decided_on":"2027-03-01"},{"id":2,"decided_on":null}]'
