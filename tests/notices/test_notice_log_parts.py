"""A delivery log read in parts (notices.permissions.notice_log_parts, merged by
portal.ordering.merged_in_order): the same notices, in the same order, page after page,
as the one query of the funnel, whichever database runs it; none twice, though a
chair's own e-mails and their organisation's calls are also notices of the meeting they
run."""

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Q
from django.test import override_settings
from django.utils import timezone

from meetings.models import Meeting
from meetings.services import meeting_access_set, meeting_create, series_create
from members.services import user_create
from notices.models import Notice
from notices.permissions import notice_log_parts, notices_visible_to
from notices.services import webhook_endpoint_register
from portal.ordering import MERGED_PARTS_AT_MOST, merged_in_order, union_in_order
from tests.factories import ActionPointFactory, MeetingFactory
from tests.series import monthly_fields

pytestmark = pytest.mark.django_db

ORDER = ("-created_at", "-id")


def _meeting(cast, group, title):
    start = timezone.now() + dt.timedelta(days=30)
    return meeting_create(
        group=group, title=title, start_at=start, end_at=start + dt.timedelta(hours=2), by=None
    )


@pytest.fixture
def guest(cast):
    """A user who runs one meeting by a direct grant and sits in no group: no person."""
    return user_create(username="guest", password="guest-password")


@pytest.fixture
def log(cast, guest):
    """E-mails and webhook calls to the chair, the member and the observer, and to
    endpoints of MoFA (the chair's organisation) and the MoH (two), about: a meeting of
    the MWG (which the chair runs), one of another working group (which the guest runs
    by a grant alone), an action point of a held MWG meeting and an MWG series; written
    out of order, some at the same moment."""
    with override_settings(WEBHOOK_ALLOW_INSECURE=True):
        endpoints = [
            webhook_endpoint_register(
                organisation=organisation, url=f"https://hooks.example.org/{n}", by=None
            )
            for n, organisation in enumerate((cast.mofa, cast.moh, cast.moh))
        ]
    run = _meeting(cast, cast.mwg, "Quarterly")
    elsewhere = _meeting(cast, cast.other_wg, "Elsewhere")
    meeting_access_set(
        meeting=elsewhere, user=guest, permissions={"view_meeting", "change_meeting"}, by=None
    )
    point = ActionPointFactory(
        meeting=MeetingFactory(group=cast.mwg, status=Meeting.Status.HELD),
        owner_organisation=cast.moh,
    )
    series = series_create(group=cast.mwg, by=None, **monthly_fields())
    Notice.objects.all().delete()  # what scheduling wrote: the log is this fixture's
    people = [cast.chair_person, cast.member_person, cast.observer_person]
    targets = [("person", person) for person in people] + [
        ("endpoint", endpoint) for endpoint in endpoints
    ]
    subjects = [{"meeting": run}, {"meeting": elsewhere}, {"action_point": point}]
    subjects.append({"series": series})
    now = timezone.now()
    rows = []
    for n, ((kind, recipient), subject) in enumerate(itertools.product(targets * 4, subjects)):
        email = kind == "person"
        rows.append(
            Notice(
                dedup_key=f"log-{n}",
                kind="invitation",
                channel="email" if email else "webhook",
                event="meeting.scheduled",
                person=recipient if email else None,
                endpoint=None if email else recipient,
                status="failed" if n % 7 == 0 else "sent",
                sent_at=now,
                **subject,
            )
        )
    written = Notice.objects.bulk_create(rows)
    for n, notice in enumerate(written):
        # Out of the ids' order, every third at one moment (the ids then break the tie).
        at = now - dt.timedelta(minutes=(n * 37) % 101 if n % 3 else 5)
        Notice.objects.filter(pk=notice.pk).update(created_at=at)
    return written


PERSONAS = ["chair", "member", "observer", "outsider", "guest", "secretariat"]


def _user(cast, guest, persona):
    return guest if persona == "guest" else cast.user(persona)


def _funnels(user) -> list[int]:
    return list(notices_visible_to(user).order_by(*ORDER).values_list("pk", flat=True))


def _paged(client, user, **query) -> list[int]:
    client.force_login(user)
    ids, page = [], 1
    while page:
        answer = client.get("/api/v1/notices/", {"page_size": 7, "page": page, **query})
        assert answer.status_code == 200, answer.content
        body = answer.json()
        ids += [row["id"] for row in body["results"]]
        page = page + 1 if body["next"] else None
    return ids


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_log_in_parts_is_the_funnels_log(client, cast, guest, log, persona):
    user = _user(cast, guest, persona)
    expected = _funnels(user)

    listed = _paged(client, user)

    assert listed == expected
    assert len(set(listed)) == len(listed)
    if persona == "chair":  # runs the MWG: its meeting's, action point's and series'
        run = {n.pk for n in log if _about_the_mwg(cast, n)}
        own = {n.pk for n in log if n.person == cast.chair_person}
        mofas = {n.pk for n in log if n.endpoint and n.endpoint.organisation == cast.mofa}
        assert set(listed) == run | own | mofas
    if persona == "guest":  # runs the other meeting by a grant, and nothing else
        assert set(listed) == {n.pk for n in log if n.meeting_id and not _about_the_mwg(cast, n)}
    if persona == "outsider":
        assert listed == []


def _about_the_mwg(cast, notice) -> bool:
    about = notice.series or notice.meeting or notice.action_point.meeting
    return about.group_id == cast.mwg.pk


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_union_of_the_parts_is_the_funnels_log_on_either_database(cast, guest, log, persona):
    """The union itself, whichever database runs the suite (the API merges on SQLite
    alone): the same notices, in the same order, page after page."""
    user = _user(cast, guest, persona)
    parts = notice_log_parts(user)
    if parts is None:
        assert persona == "secretariat"
        return
    merged = union_in_order(notices_visible_to(user), parts, *ORDER)

    for start in range(0, 80, 9):
        page = merged.values_list("pk", flat=True)[start : start + 9]
        assert list(page) == _funnels(user)[start : start + 9]


@pytest.mark.parametrize("query", [{"channel": "webhook"}, {"status": "failed"}])
def test_the_log_in_parts_is_filtered_in_each_part(client, cast, log, query):
    expected = list(
        notices_visible_to(cast.chair).filter(**query).order_by(*ORDER).values_list("pk", flat=True)
    )

    listed = _paged(client, cast.chair, **query)

    assert listed == expected
    assert listed  # the fixture has some of each


def test_the_parts_hold_no_notice_twice_and_leave_none_out(cast, guest, log):
    """What lets the merge use UNION ALL: each visible notice in exactly one part."""
    for persona in ("chair", "member", "observer", "guest"):
        user = _user(cast, guest, persona)
        visible = set(notices_visible_to(user).values_list("pk", flat=True))
        parts = notice_log_parts(user)
        assert parts is not None
        in_parts = [set(Notice.objects.filter(part).values_list("pk", flat=True)) for part in parts]

        assert visible, persona
        assert set().union(*in_parts) == visible, persona
        assert sum(len(part) for part in in_parts) == len(visible), persona
    # The chair: own e-mails, one part per endpoint of MoFA, then what they run beside.
    assert len(notice_log_parts(cast.chair)) == 3
    # The member runs nothing: own e-mails and MoH's two endpoints only.
    assert len(notice_log_parts(cast.member)) == 3
    # The guest has no person and no organisation: what they run alone.
    assert len(notice_log_parts(guest)) == 1


def test_the_secretariat_has_no_parts_and_the_signed_out_see_nothing(cast, log):
    from django.contrib.auth.models import AnonymousUser

    assert notice_log_parts(cast.secretariat) is None
    nothing = notice_log_parts(AnonymousUser())
    assert nothing == [Q(pk__in=[])]
    assert not Notice.objects.filter(*nothing).exists()


def test_the_merge_is_a_union_on_sqlite_alone(cast, log):
    """PostgreSQL keeps the funnel's one condition (portal.ordering says why), and the
    parts are not even asked for there."""
    asked = []

    def parts():
        asked.append(True)
        return notice_log_parts(cast.chair)

    merged = merged_in_order(notices_visible_to(cast.chair), parts, *ORDER)

    on_sqlite = connection.vendor == "sqlite"
    assert (merged.query.combinator == "union") is on_sqlite
    assert bool(asked) is on_sqlite
    assert list(merged.values_list("pk", flat=True)) == _funnels(cast.chair)


def test_too_many_parts_are_not_merged(cast, log):
    """Each arm repeats the list's conditions, and SQLite takes at most 500 arms."""
    many = [Q(pk=n) for n in range(MERGED_PARTS_AT_MOST + 1)]
    just_enough = many[:MERGED_PARTS_AT_MOST]

    assert merged_in_order(Notice.objects.all(), lambda: many, *ORDER).query.combinator is None
    enough = merged_in_order(Notice.objects.all(), lambda: just_enough, *ORDER)
    assert (enough.query.combinator == "union") is (connection.vendor == "sqlite")


def test_a_list_read_as_instances_is_not_merged(cast, log, monkeypatch):
    """Instances would lose their prefetched failed attempts in a union: without a row
    plan the log keeps the funnel's one query."""
    from notices.api import views

    view = views.NoticeViewSet(request=SimpleNamespace(user=cast.chair), action="list", kwargs={})
    log_query = notices_visible_to(cast.chair).order_by(*ORDER)
    assert (view.listed(log_query).query.combinator == "union") is (connection.vendor == "sqlite")

    monkeypatch.setattr(views, "plan_for", lambda serializer_class: None)
    assert view.listed(log_query).query.combinator is None
