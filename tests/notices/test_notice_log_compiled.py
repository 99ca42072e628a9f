"""The first page of a member's delivery log, read by SQL compiled once per connection
(notices.api.views._FirstPageSentTo): the same answer as the queryset's, the reader's
own ids in it at every request, and only for the first page of a log that is what was
sent to its reader, unfiltered."""

import pytest
from django.test import override_settings

from groups.services import person_link_user
from members.services import user_create
from notices.api import views
from notices.models import Notice
from notices.permissions import notices_visible_to
from notices.services import webhook_endpoint_register
from tests.notices.delivery_log import delivery_log, guest_create

pytestmark = pytest.mark.django_db

ORDER = ("-created_at", "-id")


@pytest.fixture
def log(cast):
    return delivery_log(cast, guest_create())


@pytest.fixture
def builds(monkeypatch):
    """How many times the compiled page's query was built (and compiled): once per
    connection, number of endpoints and page length."""
    views._FirstPageSentTo._kept.clear()
    made = []
    build = views._log_sent_to

    def counted(plan, ids, *, rows):
        made.append((len(ids), rows))
        return build(plan, ids, rows=rows)

    monkeypatch.setattr(views, "_log_sent_to", counted)
    yield made
    views._FirstPageSentTo._kept.clear()


def _page(client, user, **query):
    client.force_login(user)
    answer = client.get("/api/v1/notices/", query)
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_a_members_first_page_is_compiled_once_and_answers_as_the_queryset(
    client, cast, log, builds, monkeypatch
):
    first = _page(client, cast.member, page_size=5)
    again = _page(client, cast.member, page_size=5)
    observer = _page(client, cast.observer, page_size=5)
    monkeypatch.setattr(views, "_first_page_sent_to", lambda request: None)
    through_the_queryset = _page(client, cast.member, page_size=5)

    # The member's own e-mails and the MoH's two endpoints: three ids, six rows read.
    assert builds == [(3, 6), (1, 6)]
    assert first == again == through_the_queryset
    funnel = list(notices_visible_to(cast.member).order_by(*ORDER).values_list("pk", flat=True))
    assert [row["id"] for row in first["results"]] == funnel[:5]
    assert first["next"] is not None
    # The observer's own ids (a person, no endpoint): their e-mails alone.
    observers = set(notices_visible_to(cast.observer).values_list("pk", flat=True))
    assert {row["id"] for row in observer["results"]} <= observers
    assert len(observer["results"]) == 5
    assert not observers & set(funnel)


def test_two_readers_of_one_shape_share_the_statement_each_with_their_own_ids(
    client, cast, log, builds
):
    """The member's colleague at the MoH reads through the very SQL compiled for the
    member (a person and the MoH's two endpoints), and gets their own e-mails in it."""
    colleague = person_link_user(
        person=cast.member_colleague,
        user=user_create(username="colleague", password="colleague-password"),
        by=None,
    ).user
    Notice.objects.create(
        dedup_key="to-the-colleague",
        kind="invitation",
        channel="email",
        event="meeting.scheduled",
        person=cast.member_colleague,
        meeting=log[0].meeting or log[1].meeting,
    )

    pages = {user: _page(client, user, page_size=100) for user in (cast.member, colleague)}

    assert builds == [(3, 101)]  # compiled once, for both
    for user, page in pages.items():
        funnel = notices_visible_to(user).order_by(*ORDER).values_list("pk", flat=True)
        assert [row["id"] for row in page["results"]] == list(funnel[:100])
    people = {
        user: {row["person"]["id"] for row in page["results"] if row["person"]}
        for user, page in pages.items()
    }
    assert people == {
        cast.member: {cast.member_person.pk},
        colleague: {cast.member_colleague.pk},
    }


def test_only_a_few_page_sizes_are_kept_compiled(client, cast, log, builds):
    sizes = [3, 4, 5, 6, 7, 3]

    pages = [_page(client, cast.member, page_size=size) for size in sizes]

    funnel = list(notices_visible_to(cast.member).order_by(*ORDER).values_list("pk", flat=True))
    assert [[row["id"] for row in page["results"]] for page in pages] == [
        funnel[:size] for size in sizes
    ]
    # The first four sizes are compiled, kept and used again; the others read through
    # the queryset.
    assert builds == [(3, 4), (3, 5), (3, 6), (3, 7)]


def test_an_endpoint_added_between_two_requests_is_read_at_the_next(client, cast, log, builds):
    before = _page(client, cast.member, page_size=100)
    with override_settings(WEBHOOK_ALLOW_INSECURE=True):
        endpoint = webhook_endpoint_register(
            organisation=cast.moh, url="https://hooks.example.org/new", by=None
        )
    call = Notice.objects.create(
        dedup_key="new-endpoint",
        kind="invitation",
        channel="webhook",
        event="meeting.scheduled",
        endpoint=endpoint,
        meeting=log[0].meeting or log[1].meeting,
    )

    after = _page(client, cast.member, page_size=100)

    assert call.pk not in {row["id"] for row in before["results"]}
    assert after["results"][0]["id"] == call.pk  # the newest
    assert builds == [(3, 101), (4, 101)]


@pytest.mark.parametrize(
    ("persona", "query"),
    [
        ("member", {"page_size": 5, "page": 2}),
        ("member", {"status": "failed"}),
        ("member", {"channel": "webhook", "page": 1}),
        ("chair", {"page_size": 5}),  # runs the MWG: its meetings' notices too
        ("secretariat", {"page_size": 5}),
    ],
)
def test_other_pages_filters_and_those_who_run_meetings_read_through_the_queryset(
    client, cast, log, builds, persona, query
):
    user = cast.user(persona)
    expected = notices_visible_to(user).order_by(*ORDER).values_list("pk", flat=True)
    if "status" in query:
        expected = expected.filter(status=query["status"])
    if "channel" in query:
        expected = expected.filter(channel=query["channel"])
    start = (query.get("page", 1) - 1) * query.get("page_size", 25)

    page = _page(client, user, **query)

    assert builds == []
    assert [row["id"] for row in page["results"]] == list(
        expected[start : start + query.get("page_size", 25)]
    )


def test_a_members_first_page_runs_a_fixed_number_of_queries(
    client, cast, log, builds, django_assert_max_num_queries
):
    client.force_login(cast.member)
    client.get("/api/v1/notices/", {"page_size": 100})

    # The session, the user, their roles, their person, organisations and grants (one
    # query), their organisations' endpoints, the page and its failed tries.
    with django_assert_max_num_queries(7):
        answer = client.get("/api/v1/notices/", {"page_size": 100})

    assert answer.status_code == 200
    assert len(answer.json()["results"]) == len(
        notices_visible_to(cast.member).values_list("pk", flat=True)[:100]
    )
