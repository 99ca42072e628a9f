"""Time zones as places people know, in the reader's language.

The tz database knows some 600 names, many of them aliases kept for old software
("GB-Eire", "US/Pacific") or no place at all ("Factory", "Etc/GMT+3"). People choose
from the places in the database's own per-country list, zone.tab (418 places, every
country at least once), plus UTC: "Tripoli — Libya (UTC+02:00)", with the city and the
country in the reader's language (CLDR, through Babel) and the offset from UTC now.

Old values stay readable: a meeting stored with any zone Python knows keeps it, and the
forms offer that zone back when the meeting is edited. The API takes the places and
every canonical zone of the database (those that are not aliases, "Factory" aside).

The zone a signed-in person chose for the pages (members.Person.time_zone) is activated
per request by members.middleware; `shown_zone` answers which zone a page shows a
meeting's times in: the person's choice, or else the meeting's own.
"""

import datetime as dt
import functools
import importlib.resources
import zoneinfo

from asgiref.local import Local
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

UTC = "UTC"
# The zone files' own "no place" entry; Python lists it among the available zones.
NOT_A_PLACE = {"Factory"}
NOT_OFFERED_MESSAGE = gettext_lazy("Choose a time zone from the list: a city or a country, or UTC.")
# Left-to-right isolates keep "UTC+02:00" whole inside an Arabic label.
LEFT_TO_RIGHT_ISOLATE, POP_ISOLATE = "\u2066", "\u2069"

_chosen = Local()


def _tzdata_text(filename: str) -> str:
    return importlib.resources.files("tzdata.zoneinfo").joinpath(filename).read_text("utf-8")


@functools.cache
def places() -> dict[str, str]:
    """Each place's zone name → its ISO 3166 country code, from zone.tab (one line per
    country and place) and zone1970.tab (its first country), that Python can load."""
    known = available()
    found: dict[str, str] = {}
    for filename in ("zone.tab", "zone1970.tab"):
        for line in _tzdata_text(filename).splitlines():
            if not line or line.startswith("#"):
                continue
            codes, _coordinates, name = line.split("\t")[:3]
            if name in known:
                found.setdefault(name, codes.split(",")[0])
    return found


@functools.cache
def _zones_and_links() -> tuple[frozenset[str], dict[str, str]]:
    """The database's zones and its aliases (alias → zone), from tzdata.zi."""
    zones: set[str] = set()
    links: dict[str, str] = {}
    for line in _tzdata_text("tzdata.zi").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "Z":
            zones.add(parts[1])
        elif len(parts) >= 3 and parts[0] == "L":
            links[parts[2]] = parts[1]
    return frozenset(zones - NOT_A_PLACE), links


@functools.cache
def available() -> frozenset[str]:
    # zoneinfo.available_timezones() walks the zone files on every call.
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: str) -> bool:
    """Any zone Python can load: what a stored value may be (old data included)."""
    return name in available()


def is_offered(name: str) -> bool:
    """A place, or UTC: what the forms offer."""
    return name == UTC or name in places()


def is_accepted(name: str) -> bool:
    """What the API takes: the places, UTC, and every canonical zone of the database."""
    return is_offered(name) or (name in _zones_and_links()[0] and is_zone(name))


def current_name(name: str) -> str:
    """The zone an alias stands for ("US/Pacific" → "America/Los_Angeles"), else ""."""
    return _zones_and_links()[1].get(name, "")


def validate_zone(value: str) -> None:
    if not is_zone(value):
        raise ValidationError(
            _("%(value)s is not a time zone name (e.g. Africa/Tripoli)."),
            params={"value": value},
        )


def refusal(value: str) -> str:
    """Why the API does not take `value` as a time zone, as a sentence."""
    replacement = current_name(value)
    if replacement and is_accepted(replacement):
        return _("%(value)s is an old name of a time zone: send %(zone)s instead.") % {
            "value": value,
            "zone": replacement,
        }
    return _("%(value)s is not a time zone name (e.g. Africa/Tripoli).") % {"value": value}


# --- Labels -------------------------------------------------------------------------


def _language() -> str:
    return translation.get_language() or "en"


@functools.cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@functools.cache
def _cldr_names() -> dict[str, list[str]]:
    """CLDR keeps its city names under the zones' older names (Asia/Calcutta for
    Asia/Kolkata); Babel maps old to new only. Each zone → the names to look under."""
    names: dict[str, list[str]] = {}
    for old, new in get_global("zone_aliases").items():
        names.setdefault(new, []).append(old)
    return names


def _city_and_country(name: str, language: str) -> tuple[str, str]:
    locale = _locale(language)
    city = ""
    for key in (name, *_cldr_names().get(name, [])):
        city = locale.time_zones.get(key, {}).get("city", "")
        if city:
            break
    city = city or name.rsplit("/", 1)[-1].replace("_", " ")
    code = places().get(name, "")
    country = locale.territories.get(code, code) if code else ""
    # French CLDR names some cities with their country ("Tripoli (Libye)").
    if country and city.endswith(f" ({country})"):
        city = city[: -len(country) - 3]
    return city, country


def _offset(name: str, now: dt.datetime) -> tuple[int, str]:
    offset = now.astimezone(zoneinfo.ZoneInfo(name)).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return minutes, f"UTC{sign}{hours:02d}:{rest:02d}"


def _label(name: str, language: str, offset: str) -> str:
    with translation.override(language):
        if translation.get_language_bidi():
            offset = f"{LEFT_TO_RIGHT_ISOLATE}{offset}{POP_ISOLATE}"
        if name == UTC:
            return _("Coordinated Universal Time (%(offset)s)") % {"offset": offset}
        if name not in places():
            return f"{name} ({offset})"
        city, country = _city_and_country(name, language)
        if city.casefold() == country.casefold():
            return f"{country} ({offset})"
        return _("%(city)s — %(country)s (%(offset)s)") % {
            "city": city,
            "country": country,
            "offset": offset,
        }


@functools.lru_cache(maxsize=16)
def _choices(language: str, hour: str) -> tuple[tuple[str, str], ...]:
    """The offered zones labelled in `language`, by offset then label; the offsets are
    those of `hour` (the cache key), so a change to summer time shows within the hour."""
    now = dt.datetime.fromisoformat(hour).replace(tzinfo=dt.UTC)
    rows = []
    for name in [UTC, *places()]:
        minutes, offset = _offset(name, now)
        label = _label(name, language, offset)
        rows.append((minutes, label.casefold(), name, label))
    rows.sort()
    return tuple((name, label) for _minutes, _key, name, label in rows)


@functools.lru_cache(maxsize=16)
def _labels(language: str, hour: str) -> dict[str, str]:
    return dict(_choices(language, hour))


def _hour() -> str:
    return timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:00")


def zone_choices(*, keep: str = "") -> list[tuple[str, str]]:
    """(name, label) of the offered zones in the current language, by offset then label;
    `keep` (a stored zone that is no longer offered, e.g. "US/Pacific") is added where
    its offset puts it, so that editing a meeting does not change its zone unasked."""
    choices = list(_choices(_language(), _hour()))
    if keep and is_zone(keep) and not is_offered(keep):
        now = timezone.now()
        minutes = _offset(keep, now)[0]
        position = sum(1 for name, _label in choices if _offset(name, now)[0] <= minutes)
        choices.insert(position, (keep, zone_label(keep)))
    return choices


def zone_label(name: str) -> str:
    """The zone's label in the current language, its offset as of now:
    "Tripoli — Libya (UTC+02:00)"; a name Python does not know comes back as it is."""
    if not is_zone(name):
        return name
    language = _language()
    if is_offered(name):
        return _labels(language, _hour())[name]
    return _label(name, language, _offset(name, timezone.now())[1])


def zone_city(name: str) -> str:
    """The zone's city in the current language ("Rome", "روما"), or its name."""
    if name == UTC or name not in places():
        return name
    return _city_and_country(name, _language())[0]


@functools.lru_cache(maxsize=8)
def _search_texts(language: str) -> dict[str, str]:
    texts = {UTC: "UTC GMT Coordinated Universal Time"}
    for name in places():
        phrases = [name.replace("_", " ").replace("/", " ")]
        for each in dict.fromkeys(["en", language]):
            phrases.extend(_city_and_country(name, each))
        texts[name] = " ".join(dict.fromkeys(" ".join(phrases).split()))
    return texts


def search_text(name: str) -> str:
    """What a search for the zone may match: its name, and its city and country in
    English and in the current language."""
    return _search_texts(_language()).get(name, name.replace("_", " "))


class ZoneSelect(forms.Select):
    """A select of zones that static/js/zone-search.js turns searchable: each option
    carries the words it can be found by; without JavaScript it is a plain select."""

    def __init__(self, attrs=None):
        super().__init__({"data-zone-search": "", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The search box's label, in the page's language (the script has no words of its own).
        context["widget"]["attrs"]["data-zone-search"] = _("Find a city or country")
        return context

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["data-search"] = search_text(str(value))
        return option


# --- The zone the pages show times in ------------------------------------------------


def chosen_zone_activate(name: str) -> None:
    """For this request (or task): the reader chose `name`; pages show times in it."""
    timezone.activate(zoneinfo.ZoneInfo(name))
    _chosen.value = name


def chosen_zone_deactivate() -> None:
    timezone.deactivate()
    _chosen.value = ""


def chosen_zone() -> str:
    """The zone the reader chose for the pages, or "" (each meeting's own)."""
    return getattr(_chosen, "value", "")


def shown_zone(name: str) -> str:
    """The zone a page shows a meeting's times in: the reader's choice, or `name` (the
    meeting's own)."""
    return chosen_zone() or name
