"""The time zones offered: places people know, labelled in their language."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from portal import zones


def _choices(language: str) -> dict[str, str]:
    with translation.override(language):
        return dict(zones.zone_choices())


def test_the_choices_are_places_and_utc_not_the_raw_names():
    names = set(_choices("en"))

    assert {"Africa/Tripoli", "Europe/Rome", "America/New_York", "UTC"} <= names
    assert not names & {"Factory", "GB-Eire", "US/Pacific", "Libya", "EST5EDT", "Etc/UTC"}
    assert not [name for name in names if name.startswith("Etc/")]
    # Every country of the tz database's per-country list has a place.
    assert "Asia/Muscat" in names
    assert 400 < len(names) < 450


def test_a_label_says_city_country_and_offset():
    now = dt.datetime.now(dt.UTC)
    rome = now.astimezone(zoneinfo.ZoneInfo("Europe/Rome")).strftime("%z")
    labels = _choices("en")

    assert labels["Africa/Tripoli"] == "Tripoli — Libya (UTC+02:00)"
    assert labels["Europe/Rome"] == f"Rome — Italy (UTC{rome[:3]}:{rome[3:]})"
    assert labels["Asia/Kolkata"] == "Kolkata — India (UTC+05:30)"
    assert labels["UTC"] == "Coordinated Universal Time (UTC+00:00)"


def test_the_labels_are_in_the_readers_language():
    english, arabic, french = _choices("en"), _choices("ar"), _choices("fr")

    assert arabic["Africa/Tripoli"] == "طرابلس — ليبيا (\u2066UTC+02:00\u2069)"
    assert french["Africa/Tripoli"] == "Tripoli — Libye (UTC+02:00)"
    assert arabic["Europe/Rome"].startswith("روما — إيطاليا")
    assert french["Europe/Rome"].startswith("Rome — Italie")
    # CLDR keeps some cities under older names (Asia/Calcutta): they are found too.
    assert arabic["Asia/Kolkata"].startswith("كالكتا — الهند")
    assert set(english) == set(arabic) == set(french)
    assert english["Europe/Berlin"] != arabic["Europe/Berlin"] != french["Europe/Berlin"]


@pytest.mark.parametrize("language", ["en", "ar", "fr"])
def test_the_choices_run_by_offset_then_name_without_repeating_a_label(language):
    with translation.override(language):
        choices = zones.zone_choices()
    now = dt.datetime.now(dt.UTC)
    keys = [
        (now.astimezone(zoneinfo.ZoneInfo(name)).utcoffset(), label.casefold())
        for name, label in choices
    ]

    assert keys == sorted(keys)
    assert len({label for _, label in choices}) == len(choices)


def test_the_choices_are_built_once_per_language():
    with translation.override("fr"):
        zones.zone_choices()
    built = zones._choices.cache_info().misses

    for language in ("fr", "fr", "fr"):
        with translation.override(language):
            zones.zone_choices()

    assert zones._choices.cache_info().misses == built


def test_a_stored_zone_no_longer_offered_is_kept_in_the_choices_of_its_form():
    with translation.override("en"):
        choices = dict(zones.zone_choices(keep="US/Pacific"))

    assert choices["US/Pacific"].startswith("US/Pacific (UTC-0")
    assert "Etc/GMT-3" not in dict(zones.zone_choices(keep="Not/AZone"))


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("Africa/Tripoli", True),
        ("UTC", True),
        ("Europe/Vatican", True),  # a place of zone.tab, though an alias of Europe/Rome
        ("Etc/GMT-14", True),  # canonical, no place: the API takes it, the forms do not offer it
        ("US/Pacific", False),
        ("GB-Eire", False),
        ("Factory", False),
        ("Libya/Nowhere", False),
        ("", False),
    ],
)
def test_what_the_api_accepts(name, accepted):
    assert zones.is_accepted(name) is accepted


def test_an_old_name_is_refused_naming_the_current_one():
    with translation.override("en"):
        assert zones.refusal("US/Pacific") == (
            "US/Pacific is an old name of a time zone: send America/Los_Angeles instead."
        )
        assert zones.refusal("Mars/Olympus") == (
            "Mars/Olympus is not a time zone name (e.g. Africa/Tripoli)."
        )


def test_the_search_words_hold_english_and_the_page_language():
    with translation.override("ar"):
        words = zones.search_text("Europe/Rome")

    assert {"Rome", "Italy", "روما", "إيطاليا", "Europe"} <= set(words.split())
