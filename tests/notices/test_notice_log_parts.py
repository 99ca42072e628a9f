"""A delivery log read in parts (notices.permissions.notice_log_parts, merged by
portal.ordering.merged_in_order): the same notices, in the same order, page after page,
as the one query of the funnel, whichever database runs it; none twice, though a
chair's own e-mails and their organisation's calls are also notices of the meeting they
run."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Q

from notices.models import Notice
from notices.permissions import notice_log_parts, notices_visible_to
from portal.ordering import MERGED_PARTS_AT_MOST, merged_in_order, union_in_order
from tests.notices.delivery_log import delivery_log, guest_create

pytestmark = pytest.mark.django_db

ORDER = ("-created_at", "-id")


@pytest.fixture
def guest(cast):
    return guest_create()


@pytest.fixture
def log(cast, guest):
    return delivery_log(cast, guest)


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
