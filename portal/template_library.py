"""Template filters shared by every app's pages."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django import template
from django.template import Context
from django.templatetags.tz import do_timezone
from django.urls import reverse
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs
from django.utils.translation import gettext as _

from portal import pages, zones

register = template.Library()


@register.filter
def local_name(obj) -> str:
    """A group's, organisation's or person's name in the page's language when it has one."""
    return pages.local_name(obj)


@register.filter
def local_bare_name(obj) -> str:
    """local_name without what str() adds to the name (an organisation's acronym)."""
    return pages.local_name(obj, bare=True)


@register.filter
def label(obj, field_name: str):
    """`{{ meeting|label:"status" }}`: the label of a field's value in the page's
    language, as `meeting.get_status_display` gives it, without rebuilding the field's
    choices for every row of a list."""
    return pages.field_label(obj, field_name)


@register.filter
def user_name(user) -> str:
    """Who a login belongs to: their name in the page's language, else the login; ""
    for none."""
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return pages.local_name(person) if person is not None else user.get_username()


@register.filter
def shown(value: dt.datetime | None, zone_name: str):
    """A meeting's time in the zone the page shows it in: the reader's chosen zone, or
    `zone_name` (the meeting's own). `date` and `time` then format it as it is."""
    if value is None or value == "":
        return ""
    return do_timezone(value, zones.shown_zone(zone_name))


@register.filter
def shown_zone(zone_name: str) -> str:
    """The zone the page shows a meeting in, for `{% timezone meeting.time_zone|shown_zone %}`."""
    return zones.shown_zone(zone_name)


@register.filter
def zone_label(zone_name: str) -> str:
    """ "Tripoli — Libya (UTC+02:00)", in the page's language."""
    return zones.zone_label(zone_name)


@register.filter
def zone_city(zone_name: str) -> str:
    return zones.zone_city(zone_name)


class HasZone(Protocol):
    time_zone: str


@dataclass(frozen=True)
class TimesIn:
    caption: SafeString
    # The meetings are in several zones and each is shown in its own: say which by each.
    mixed: bool


def _caption(sentence: str, zone_name: str) -> SafeString:
    place = format_html("<bdi>{}</bdi>", zones.zone_label(zone_name))
    # Both parts are escaped: the sentence here, the label by format_html.
    return mark_safe(conditional_escape(sentence) % {"zone": place})  # noqa: S308


@register.simple_tag
def times_in(meetings: Iterable[HasZone] | str) -> TimesIn:
    """Which zone a page's meeting times are in, as a sentence for above them: the
    reader's chosen zone, or the meetings' own zone when they share one. `meetings` are
    objects with a `time_zone` (a page of them, a list), or one zone's name."""
    chosen = zones.chosen_zone()
    if chosen:
        return TimesIn(_caption(_("Times in your zone: %(zone)s"), chosen), mixed=False)
    if isinstance(meetings, str):
        names = [meetings]
    else:
        names = list(dict.fromkeys(meeting.time_zone for meeting in meetings))
    if not names:
        return TimesIn(SafeString(""), mixed=False)
    if len(names) == 1:
        return TimesIn(_caption(_("Times in %(zone)s"), names[0]), mixed=False)
    return TimesIn(
        conditional_escape(_("Times in each meeting's own time zone, named beside it.")),
        mixed=True,
    )


def _option_attributes(attrs: dict) -> str:
    """An option's attributes as django/forms/widgets/attrs.html writes them: False
    leaves one out, True writes its bare name."""
    return "".join(
        f" {_printed(name)}"
        if value is True
        else f' {_printed(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _printed(value: Any) -> str:
    """The value as `{{ value }}` prints it (django.template.base.render_value_in_context
    with autoescape on): a moment in the current time zone, localized (a number's
    separators), made text, escaped."""
    value = formats.localize(template_localtime(value))
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


@register.filter
def select_options(optgroups: Iterable[tuple]) -> SafeString:
    """A select's options (and option groups) from its widget's `optgroups`, written as
    Django's select and select_option templates write them, byte for byte, without the
    template engine's work for every value of every option: a choice of 150
    organisations cost a page 3 ms that way."""
    parts = []
    for group_name, options, _index in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{_printed(group_name)}">')
        parts.extend(
            f'\n  <option value="{conditional_escape(str(option["value"]))}"'
            f"{_option_attributes(option['attrs'])}>{_printed(option['label'])}"
            "</option>\n"
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308  (every part escaped above)


@register.simple_tag(takes_context=True)
def page_url(context: Context, name: str, *args: object) -> str:
    """{% url name %}, or {% url name id %} with the id a whole number, the last of the
    path, reversed once (pages.reverse_once, pages.reverse_id): the header's thirteen
    links on every page, and a list's link on each of its lines, each cost a reverse().
    Other arguments are reversed as the url tag does."""
    # The application instance as the url tag chooses it (URLNode.render).
    request = getattr(context, "request", None)
    try:
        current_app = request.current_app  # type: ignore[union-attr]
    except AttributeError:
        try:
            current_app = request.resolver_match.namespace  # type: ignore[union-attr]
        except AttributeError:
            current_app = None
    if not args:
        return pages.reverse_once(name, current_app=current_app)
    if len(args) == 1:
        return pages.reverse_id(name, args[0], current_app=current_app)
    return reverse(name, args=args, current_app=current_app)
