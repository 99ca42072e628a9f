"""A labelled row's organisations are prefetched by name, as the related manager lists
them, read from the page's pairs: on SQLite the name is kept off its index
(portal.ordering), which would otherwise walk the whole directory."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groups.models import Confidentiality
from groups.selectors import restricted_to_prefetch
from meetings.models import Meeting
from meetings.selectors import action_points_carried_into
from meetings.services import meeting_create
from members.services import organisation_create
from tests.factories import ActionPointFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_a_rows_organisations_come_by_name_from_the_pairs_read_first(cast):
    # Created in an order that is neither their names' nor reversed.
    later = [
        organisation_create(name=name, kind="ngo", by=None)
        for name in ("Zeta Relief", "Alpha Aid", "Mercy Corps Libya")
    ]
    start = timezone.now() + dt.timedelta(days=10)
    meeting = meeting_create(
        group=cast.mwg,
        title="Restricted briefing",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to=[*later, cast.iom],
    )

    with CaptureQueriesContext(connection) as queries:
        (prefetched,) = Meeting.objects.filter(pk=meeting.pk).prefetch_related(
            restricted_to_prefetch()
        )
        names = [organisation.name for organisation in prefetched.restricted_to.all()]

    assert names == sorted(names) == [o.name for o in meeting.restricted_to.all()]
    assert names[0] == "Alpha Aid"
    sql = queries.captured_queries[-1]["sql"]
    if connection.vendor == "sqlite":
        assert '+"members_organisation"."name"' in sql
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " | ".join(row[3] for row in cursor.fetchall())
        assert "SCAN members_organisation" not in plan, plan
    else:
        assert '+"members_organisation"' not in sql
        assert 'ORDER BY "members_organisation"."name" ASC' in sql


def test_carried_over_action_points_are_read_through_the_open_ones_not_the_groups_history(
    cast,
):
    earlier = MeetingFactory(group=cast.mwg, calendar_uid="carried-earlier@test.local")
    elsewhere = MeetingFactory(group=cast.other_wg, calendar_uid="carried-else@test.local")
    later = MeetingFactory(
        group=cast.mwg,
        calendar_uid="carried-later@test.local",
        start_at=earlier.start_at + dt.timedelta(days=30),
        end_at=earlier.end_at + dt.timedelta(days=30),
    )
    carried = ActionPointFactory(meeting=earlier, due_on=dt.date(2026, 1, 5))
    sooner = ActionPointFactory(meeting=earlier, due_on=dt.date(2026, 1, 2))
    ActionPointFactory(meeting=elsewhere, due_on=dt.date(2026, 1, 1))  # another group's
    ActionPointFactory(meeting=later, due_on=dt.date(2026, 1, 1))  # raised at this one

    listed = action_points_carried_into(later)

    assert list(listed) == [sooner, carried]
    sql, params = listed.query.sql_with_params()
    if connection.vendor == "sqlite":
        # The group is checked on each open action point's meeting (read by its key),
        # not used to walk the group's earlier meetings.
        assert '+"meetings_meeting"."group_id" = %s' in sql
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " | ".join(row[3] for row in cursor.fetchall())
        assert "SEARCH meetings_meeting USING INTEGER PRIMARY KEY" in plan, plan
    else:
        assert '"meetings_meeting"."group_id" = %s' in sql
        assert '+"meetings_meeting"' not in sql
