"""The first page of a member's delivery log, read by SQL compiled once per connection
(notices.api.views._FirstPageSentTo): the same answer as the queryset's, the reader's
own ids in it at every request, and only for the first page of a log that is what was
sent to its reader, unfiltered."""

import pytest
from django.test import override_settings

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
    # The same SQL, the observer's own ids: their e-mails alone, none of the member's.
    observers = set(notices_visible_to(cast.observer).values_list("pk", flat=True))
    assert {row["id"] for row in observer["results"]} <= observers
    assert len(observer["results"]) == 5
    assert not observers & set(funnel)


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
