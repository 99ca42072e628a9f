"""API fixtures: clients per persona whose every answer is checked against the schema,
and a set of meetings in every state, built once per module."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from documents.services import document_create
from groups.models import Membership
from meetings.services import (
    action_point_create,
    agenda_item_add,
    attendance_record,
    decision_add,
    invitation_create,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from notices.models import Notice
from notices.services import webhook_endpoint_register
from tests.api.schema import check_response
from tests.conftest import PERSONAS

EVERYONE = (*PERSONAS, "anonymous")
STAFF = {"admin", "secretariat"}
MWG_MANAGERS = STAFF | {"chair", "cochair"}
MWG_VIEWERS = MWG_MANAGERS | {"member", "observer"}
HEALTH_VIEWERS = MWG_MANAGERS | {"member"}
FINGERPRINTED_APPS = ("members", "groups", "meetings", "knox", "auth", "documents")


class SchemaCheckedClient(APIClient):
    def request(self, **kwargs):
        response = super().request(**kwargs)
        request = response.wsgi_request
        # Paths no route matches (e.g. an empty id, /meetings//) never reach the API;
        # Django's resolver answers them, so there is no operation to check against.
        if request.path.startswith("/api/v1/") and request.resolver_match is not None:
            check_response(request.method, request.path, response)
        return response


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for(cast):
    def make(persona: str) -> SchemaCheckedClient:
        client = SchemaCheckedClient()
        if persona != "anonymous":
            client.force_authenticate(user=cast.user(persona))
        return client

    return make


def fingerprint() -> dict:
    """Every row of the portal's tables (history included): a denial changes none."""
    rows = {}
    for label in FINGERPRINTED_APPS:
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


@pytest.fixture(scope="module")
def _api_media(tmp_path_factory):
    return tmp_path_factory.mktemp("api-media")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, _api_media):
    """The world's papers and those the tests upload are stored in the module's own
    folder, not under VAR_DIR."""
    settings.MEDIA_ROOT = _api_media


@pytest.fixture(scope="module")
def _world_rows(_cast_rows, django_db_blocker, _api_media):
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=_api_media):
        return build_world(_cast_rows)


@pytest.fixture
def world(_world_rows, db):
    return {name: type(row).objects.get(pk=row.pk) for name, row in _world_rows.items()}


def _meeting(group, title, start, hours=2):
    return meeting_create(
        group=group,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=hours),
        by=None,
        record_past=True,
    )


def build_world(cast) -> dict:
    now = timezone.now()
    soon, past = now + dt.timedelta(days=7), now - dt.timedelta(days=7)

    upcoming = _meeting(cast.mwg, "Upcoming MWG meeting", soon)
    item = agenda_item_add(meeting=upcoming, title="Opening", by=None)
    agenda_item_add(meeting=upcoming, title="Returns", by=None)
    member_invitation = invitation_create(meeting=upcoming, person=cast.member_person, by=None)
    colleague_invitation = invitation_create(
        meeting=upcoming, person=cast.member_colleague, by=None
    )
    observer_invitation = invitation_create(meeting=upcoming, person=cast.observer_person, by=None)
    meeting_schedule(meeting=upcoming, by=None)

    draft = _meeting(cast.mwg, "Draft MWG meeting", soon + dt.timedelta(days=7))

    held = _meeting(cast.health, "Held health meeting", past)
    meeting_mark_held(meeting=held, by=None)
    # Decisions first: published minutes freeze their meeting's decisions.
    decision = decision_add(meeting=held, text="Map referral services", by=None)
    decision_add(meeting=held, text="Report in a month", by=None)
    published = minutes_save(meeting=held, body="Published minutes", by=None)
    minutes_publish(minutes=minutes_approve(minutes=published, by=None), by=None)
    action = action_point_create(
        meeting=held,
        title="Map services",
        owner_organisation=cast.moh,
        owner_person=cast.member_person,
        due_on=timezone.localdate() - dt.timedelta(days=1),
        decision=decision,
        by=None,
    )
    action_point_create(
        meeting=held,
        title="Share the map",
        owner_organisation=cast.iom,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        by=None,
    )

    mwg_held = _meeting(cast.mwg, "Held MWG meeting", past - dt.timedelta(days=7))
    meeting_mark_held(meeting=mwg_held, by=None)
    approved = minutes_approve(
        minutes=minutes_save(meeting=mwg_held, body="Approved minutes", by=None), by=None
    )

    bare = _meeting(cast.mwg, "Held MWG meeting without minutes", past - dt.timedelta(days=1))
    meeting_mark_held(meeting=bare, by=None)
    attendance = attendance_record(meeting=bare, person=cast.chair_person, by=None)
    attendance_record(meeting=bare, person=cast.cochair_person, by=None)

    started = _meeting(cast.mwg, "MWG meeting under way", now - dt.timedelta(hours=1))
    other = _meeting(cast.other_wg, "Economic working group meeting", soon)
    with override_settings(WEBHOOK_ALLOW_INSECURE=True):
        moh_endpoint = webhook_endpoint_register(
            organisation=cast.moh, url="https://hooks.moh.example.org/tansiq", by=None
        )
        webhook_endpoint_register(
            organisation=cast.iom, url="https://hooks.iom.example.org/tansiq", by=None
        )

    paper = document_create(
        group=cast.mwg,
        title="Draft terms of reference",
        upload=SimpleUploadedFile("terms.txt", b"Terms of reference."),
        by=None,
    )
    health_paper = document_create(
        group=cast.health,
        meeting=held,
        title="Referral map",
        upload=SimpleUploadedFile("map.txt", b"Referral services."),
        by=None,
    )
    restricted_paper = document_create(
        group=cast.mwg,
        title="Country note",
        upload=SimpleUploadedFile("note.txt", b"For the Ministry of Health."),
        confidentiality="restricted",
        restricted_to=[cast.moh],
        by=None,
    )

    return {
        "upcoming": upcoming,
        "draft": draft,
        "held": held,
        "mwg_held": mwg_held,
        "bare": bare,
        "other": other,
        "started": started,
        "item": item,
        "member_invitation": member_invitation,
        "colleague_invitation": colleague_invitation,
        "observer_invitation": observer_invitation,
        "published": published,
        "approved": approved,
        "decision": decision,
        "action": action,
        "attendance": attendance,
        "moh_endpoint": moh_endpoint,
        "member_notice": Notice.objects.get(meeting=upcoming, person=cast.member_person),
        "observer_notice": Notice.objects.get(meeting=upcoming, person=cast.observer_person),
        "moh_in_health": Membership.objects.get(group=cast.health, organisation=cast.moh),
        "paper": paper,
        "paper_version": paper.versions.get(),
        "health_paper": health_paper,
        "restricted_paper": restricted_paper,
    }
