"""A delivery log read in parts (notices.permissions.notice_log_parts, merged by
portal.ordering.merged_in_order): the same notices, in the same order, page after page,
as the one query of the funnel, whichever database runs it; none twice, though a
chair's own e-mails and their organisation's calls are also notices of the meeting they
run."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.db.models import Q
from django.test import override_settings
from django.utils import timezone

from meetings.services import meeting_create
from notices.models import Notice
from notices.permissions import notice_log_parts, notices_visible_to
from notices.services import webhook_endpoint_register
from portal.ordering import merged_in_order

pytestmark = pytest.mark.django_db

ORDER = ("-created_at", "-id")


def _meeting(cast, group, title):
    start = timezone.now() + dt.timedelta(days=30)
    return meeting_create(
        group=group, title=title, start_at=start, end_at=start + dt.timedelta(hours=2), by=None
    )


@pytest.fixture
def log(cast):
    """E-mails and webhook calls about a meeting of the MWG (which the chair runs) and of
    another working group (which nobody here runs), to the chair, the member and the
    observer, and to endpoints of MoFA (the chair's organisation) and the MoH; written
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
    Notice.objects.all().delete()  # what scheduling wrote: the log is this fixture's
    people = [cast.chair_person, cast.member_person, cast.observer_person]
    targets = [("person", person) for person in people] + [
        ("endpoint", endpoint) for endpoint in endpoints
    ]
    now = timezone.now()
    rows = []
    for n, ((kind, recipient), meeting) in enumerate(
        itertools.product(targets * 6, (run, elsewhere))
    ):
        email = kind == "person"
        rows.append(
            Notice(
                dedup_key=f"log-{n}",
                kind="invitation",
                channel="email" if email else "webhook",
                event="meeting.scheduled",
                meeting=meeting,
                person=recipient if email else None,
                endpoint=None if email else recipient,
                status="failed" if n % 7 == 0 else "sent",
                sent_at=now,
            )
        )
    written = Notice.objects.bulk_create(rows)
    for n, notice in enumerate(written):
        # Out of the ids' order, every third at one moment (the ids then break the tie).
        at = now - dt.timedelta(minutes=(n * 37) % 101 if n % 3 else 5)
        Notice.objects.filter(pk=notice.pk).update(created_at=at)
    return written


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


@pytest.mark.parametrize("persona", ["chair", "member", "observer", "outsider", "secretariat"])
def test_the_log_in_parts_is_the_funnels_log(client, cast, log, persona):
    user = cast.user(persona)
    expected = list(notices_visible_to(user).order_by(*ORDER).values_list("pk", flat=True))

    listed = _paged(client, user)

    assert listed == expected
    assert len(set(listed)) == len(listed)
    if persona == "chair":  # runs the MWG: its meeting's e-mails to anyone, and calls
        assert {n.pk for n in log if n.meeting.group_id == cast.mwg.pk} <= set(listed)
    if persona == "outsider":
        assert listed == []


@pytest.mark.parametrize("query", [{"channel": "webhook"}, {"status": "failed"}])
def test_the_log_in_parts_is_filtered_in_each_part(client, cast, log, query):
    expected = list(
        notices_visible_to(cast.chair).filter(**query).order_by(*ORDER).values_list("pk", flat=True)
    )

    listed = _paged(client, cast.chair, **query)

    assert listed == expected
    assert listed  # the fixture has some of each


def test_the_parts_hold_no_notice_twice_and_leave_none_out(cast, log):
    """What lets the merge use UNION ALL: each visible notice in exactly one part."""
    for persona in ("chair", "member", "observer"):
        user = cast.user(persona)
        visible = set(notices_visible_to(user).values_list("pk", flat=True))
        parts = notice_log_parts(user)
        assert parts is not None
        in_parts = [set(Notice.objects.filter(part).values_list("pk", flat=True)) for part in parts]

        assert set().union(*in_parts) == visible, persona
        assert sum(len(part) for part in in_parts) == len(visible), persona
    # The chair: own e-mails, one part per endpoint of MoFA, then what they run beside.
    assert len(notice_log_parts(cast.chair)) == 3
    # The member runs nothing: own e-mails and MoH's two endpoints only.
    assert len(notice_log_parts(cast.member)) == 3


def test_the_secretariat_has_no_parts_and_the_signed_out_see_nothing(cast, log):
    from django.contrib.auth.models import AnonymousUser

    assert notice_log_parts(cast.secretariat) is None
    nothing = notice_log_parts(AnonymousUser())
    assert nothing == [Q(pk__in=[])]
    assert not Notice.objects.filter(*nothing).exists()


def test_the_merge_is_a_union_on_sqlite_alone(cast, log):
    """PostgreSQL keeps the funnel's one condition (portal.ordering says why)."""
    merged = merged_in_order(notices_visible_to(cast.chair), notice_log_parts(cast.chair), *ORDER)

    assert (merged.query.combinator == "union") is (connection.vendor == "sqlite")
    assert list(merged.values_list("pk", flat=True)) == list(
        notices_visible_to(cast.chair).order_by(*ORDER).values_list("pk", flat=True)
    )
