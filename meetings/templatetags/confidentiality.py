"""A row's confidentiality label as a badge, wherever a meeting or one of its records is
shown; for those who manage the meeting, the badge opens the "Confidentiality" control."""

import functools

from django import template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from groups.models import Confidentiality, Labelled
from portal.pages import local_name
from portal.template_library import user_name

register = template.Library()

# The label in one word, for the badge; its sentence (the choice's label) is its title.
WORDS: dict[str, str | Promise] = {
    Confidentiality.PUBLIC: _("Public"),
    Confidentiality.MEMBERS: _("Members"),
    Confidentiality.RESTRICTED: _("Restricted"),
}
# The kinds of row the "Confidentiality" control changes (meetings.views.labels).
KINDS = ("meeting", "agenda-item", "minutes", "decision", "action-point")


@register.simple_tag
def confidentiality_badge(
    record: Labelled, kind: str = "", can_manage: bool = False, organisations: bool = False
) -> SafeString:
    """`kind` and `can_manage`: the badge links to the row's control. `organisations`:
    a restricted row's badge names its organisations (prefetch `restricted_to` for a
    list; the selectors of the meeting's page do).
    Written here rather than by a template of its own: a list shows a badge on every
    row (a month's calendar, hundreds), and an included template per badge cost more
    than the rest of the row."""
    value = record.confidentiality
    named = []
    if organisations and value == Confidentiality.RESTRICTED:
        named = [
            organisation.acronym or local_name(organisation)
            for organisation in record.restricted_to.all()
        ]
    editable = can_manage and kind in KINDS and record.pk
    if not named and not editable:
        return _plain_badge(value, get_language() or "")
    word, title = _word_and_title(value)
    names = (
        format_html(": <bdi>{}</bdi>", format_html_join(", ", "{}", ((name,) for name in named)))
        if named
        else ""
    )
    if editable:
        return format_html(
            '<a class="badge label-{}" href="{}" title="{}">{}{}'
            '<span class="visually-hidden"> — {}</span></a>',
            value,
            reverse("confidentiality-edit", args=[kind, record.pk]),
            title,
            word,
            names,
            _("change who may see it"),
        )
    return format_html(
        '<span class="badge label-{}" title="{}">{}{}</span>', value, title, word, names
    )


@functools.lru_cache(maxsize=32)
def _plain_badge(value: str, language: str) -> SafeString:
    """A badge without names or link: the same for every row of its label in a
    language (the calendar's month shows hundreds)."""
    word, title = _word_and_title(value)
    return format_html('<span class="badge label-{}" title="{}">{}</span>', value, title, word)


def _word_and_title(value: str) -> tuple[str | Promise, str | Promise]:
    """The badge's word ("Restricted") and its title, the label's sentence."""
    title = Confidentiality(value).label if value in Confidentiality.values else value
    return WORDS.get(value, value), title


@register.filter
def confidentiality_word(value: str) -> str:
    """A label in one word ("Restricted"), as its badge says it."""
    return str(WORDS.get(value, value))


@register.filter
def changed_by_name(change) -> str:
    """Who changed a label (a ConfidentialityChange with `changed_by__person` joined):
    their name, their login without a person, or the portal itself."""
    if change.changed_by is None:
        return str(_("the portal"))
    return user_name(change.changed_by)
