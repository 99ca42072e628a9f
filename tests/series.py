"""A meeting series as most tests want one: monthly on the 15th at 10:00 Rome time, two
hours, from three weeks ahead; a test gives what it is about."""

import datetime as dt
from typing import Any

from django.utils import timezone

from groups.models import CoordinationGroup
from meetings.models import MeetingSeries
from meetings.services import series_create
from portal.audit import Actor


def monthly_fields(**fields: Any) -> dict[str, Any]:
    """The series' fields, with `fields` given by the test in their place."""
    return {
        "title": "Monthly coordination",
        "frequency": MeetingSeries.Frequency.MONTHLY_DAY,
        "month_day": 15,
        "start_time": dt.time(10, 0),
        "duration_minutes": 120,
        "time_zone": "Europe/Rome",
        "starts_on": timezone.localdate() + dt.timedelta(days=20),
        "count": 12,
        "create_ahead_days": 400,
        **fields,
    }


def monthly_series(group: CoordinationGroup, *, by: Actor = None, **fields: Any) -> MeetingSeries:
    return series_create(group=group, by=by, **monthly_fields(**fields))
