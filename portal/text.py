"""What text the portal stores: single-line fields hold no control characters and no
bidirectional embedding, override or isolate characters; long text holds no NUL.

A newline in a meeting title breaks the header of every e-mail about the meeting; a
U+202E in a title reverses the rest of every subject line it appears in, which is how
a name is made to read as something else; PostgreSQL refuses NUL in any text.
Arabic's own marks (U+200E, U+200F, U+061C) are letters' business and stay allowed.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


LINE_BREAKS = frozenset("\t\n\r")


def _refused_character(value: str, *, multiline: bool) -> str | None:
    for character in value:
        if multiline and character in LINE_BREAKS:
            continue
        if character in BIDI_CONTROLS or unicodedata.category(character) == "Cc":
            return character
    return None


def single_line_problem(value: str, *, multiline: bool = False) -> str | None:
    """A sentence naming what a value may not hold, or None; `multiline` allows line
    breaks and tabs (a short note)."""
    character = _refused_character(value, multiline=multiline)
    if character is None:
        return None
    return _("Remove the character U+%(code)04X (%(name)s): it is not allowed here.") % {
        "code": ord(character),
        "name": unicodedata.name(character, "control character").lower(),
    }


def text_fields_clean(instance: models.Model) -> None:
    """Strip NUL from long text; refuse, naming the field, single-line values holding
    a control or bidirectional formatting character. A model names its short fields
    that may hold several lines (a note) in `multiline_fields`."""
    errors: dict[str, str] = {}
    multiline_fields: frozenset[str] = getattr(instance, "multiline_fields", frozenset())
    for field in instance._meta.concrete_fields:
        if not field.editable:
            continue
        value = getattr(instance, field.attname, None)
        if not isinstance(value, str):
            continue
        if isinstance(field, models.TextField):
            if "\x00" in value:
                setattr(instance, field.attname, value.replace("\x00", ""))
        elif isinstance(field, models.CharField) and not field.choices:
            multiline = field.name in multiline_fields
            if multiline:
                value = value.replace("\x00", "")
                setattr(instance, field.attname, value)
            problem = single_line_problem(value, multiline=multiline)
            if problem:
                errors[field.name] = problem
    if errors:
        raise ValidationError(errors)
