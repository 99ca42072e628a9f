"""portal.api.serializers.UTCDateTimeField writes a moment as DRF's DateTimeField does
with UTC as its zone (its quick form for moments that know their zone included), and
leaves everything else to DRF."""

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers

from portal.api.serializers import UTCDateTimeField

ZONES = [dt.UTC, dt.timezone(dt.timedelta(hours=2)), zoneinfo.ZoneInfo("Africa/Tripoli")]


def _drf(**options) -> serializers.DateTimeField:
    return serializers.DateTimeField(default_timezone=dt.UTC, **options)


@given(
    moment=st.datetimes(
        min_value=dt.datetime(1, 1, 2),  # noqa: DTZ001 - hypothesis adds the zone
        max_value=dt.datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=st.sampled_from(ZONES),
    )
)
def test_a_moment_that_knows_its_zone_is_written_as_drf_writes_it(moment):
    assert UTCDateTimeField().to_representation(moment) == _drf().to_representation(moment)


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 12, 5, 10, 30),  # noqa: DTZ001 - naive: DRF makes it UTC
        "2026-12-05T10:30:00Z",  # already written
        None,
    ],
)
def test_anything_else_goes_to_drf(value):
    assert UTCDateTimeField().to_representation(value) == _drf().to_representation(value)


def test_a_moment_before_year_one_in_utc_is_refused_as_drf_refuses_it():
    moment = dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    with pytest.raises(serializers.ValidationError) as drf_refusal:
        _drf().to_representation(moment)

    with pytest.raises(serializers.ValidationError) as refusal:
        UTCDateTimeField().to_representation(moment)

    assert refusal.value.detail == drf_refusal.value.detail


def test_a_field_with_a_format_or_zone_of_its_own_is_written_by_drf():
    moment = dt.datetime(2026, 12, 5, 10, 30, tzinfo=dt.UTC)
    tripoli = zoneinfo.ZoneInfo("Africa/Tripoli")

    assert UTCDateTimeField(format="%Y-%m-%d %H:%M").to_representation(moment) == (
        "2026-12-05 10:30"
    )
    assert UTCDateTimeField(default_timezone=tripoli).to_representation(moment) == (
        serializers.DateTimeField(default_timezone=tripoli).to_representation(moment)
    )
    assert UTCDateTimeField(default_timezone=tripoli).to_representation(moment).endswith("+02:00")
