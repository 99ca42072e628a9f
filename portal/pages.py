"""Shared bases for the server-rendered pages: one-time form tokens, service errors
shown on forms, pagination. Views in each app build on these; no domain logic here."""

import functools
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.http import QueryDict
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

PAGE_SIZE = 25
FieldT = TypeVar("FieldT", bound=forms.Field)
# How long a form's one-time token stays claimed: longer than anyone keeps a form open.
FORM_TOKEN_SECONDS = 24 * 60 * 60


def form_token_new() -> str:
    return secrets.token_urlsafe(16)


def form_token_claim(request) -> bool:
    """True the first time a form's token is submitted, False for a repeat.

    `cache.add` is atomic (locmem in development, Redis when REDIS_URL is set), so two
    submits racing each other cannot both claim the token.
    """
    token = request.POST.get("form_token", "")
    if not token or len(token) > 64:
        return True
    key = f"tansiq:form-token:{request.user.pk}:{token}"
    return cache.add(key, 1, timeout=FORM_TOKEN_SECONDS)


def service_error_onto_form(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ValidationError onto a form (a page's or the admin's): next to the
    fields it names; the rest, and fields the form does not show, at the top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class PageForm(forms.Form):
    """A form carrying a one-time token so a double submit writes once."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", form_token_new())

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's ValidationError next to the fields it names.

        The submitted token is spent; the form shown again carries a fresh one so the
        corrected form can be sent.
        """
        if self.is_bound:
            # A bound page form holds request.POST, which is immutable: copy it first.
            data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
            data[self.add_prefix("form_token")] = form_token_new()
            self.data = data
        service_error_onto_form(self, error)

    @property
    def general_errors(self):
        return self.errors.get(NON_FIELD_ERRORS, [])


MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class ListPage:
    """One page of a list, found without counting the list: a COUNT under a reader's
    permission filter costs as much as the page and grows with the table, so the page
    reads one row more than it shows to know whether another follows (as the API does,
    portal.api.pagination)."""

    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self) -> Iterator:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def paginate(request, queryset, per_page: int = PAGE_SIZE) -> ListPage:
    """`?page=n` of `queryset`; a page number that is not one reads as the first."""
    raw = request.GET.get("page", "")
    number = int(raw) if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_PAGE else 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return ListPage(object_list=rows[:per_page], number=number, has_next=len(rows) > per_page)


def query_without_page(request) -> str:
    """The current filters as a query string, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def local_name(obj, *, bare: bool = False) -> str:
    """A group's, organisation's or person's name in the page's language when it has one.
    Otherwise its str(), or with `bare` its own name alone (an organisation's str() adds
    its acronym, which a page may show apart)."""
    if obj is None:
        return ""
    language = (get_language() or "en")[:2]
    if language != "en":
        for attribute in (f"name_{language}", f"full_name_{language}"):
            value = getattr(obj, attribute, "")
            if value:
                return value
    if bare:
        return getattr(obj, "name", "") or str(obj)
    return str(obj)


def reverse_by_id(
    name: str, *leading: object, urlconf: str | None = None, current_app: str | None = None
) -> Callable[[int], str]:
    """reverse(name, args=[*leading, id]) for every row of a long list at the price of
    one reverse: the id is the last number of these paths."""
    marker = "987654321"
    url = reverse(name, urlconf=urlconf, args=[*leading, int(marker)], current_app=current_app)
    head, tail = url.rsplit(marker, 1)
    return lambda object_id: f"{head}{object_id}{tail}"


def _url_setting() -> tuple[str, str, str | None]:
    """What reverse() reads besides its arguments, the key of what is kept: the URL
    configuration (passed on), the script prefix and the language (read by reverse()
    itself; no path is translated today, one may be)."""
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language()


@functools.lru_cache(maxsize=512)
def _reversed_once(name: str, current_app: str | None, setting: tuple) -> str:
    return reverse(name, urlconf=setting[0], current_app=current_app)


@functools.lru_cache(maxsize=512)
def _reverse_by_id_kept(name: str, current_app: str | None, setting: tuple) -> Callable[[int], str]:
    return reverse_by_id(name, urlconf=setting[0], current_app=current_app)


def reverse_once(name: str, *, current_app: str | None = None) -> str:
    """reverse(name) of a path without arguments, reversed once per name, application
    instance and `_url_setting`: the header's thirteen links on every page."""
    return _reversed_once(name, current_app, _url_setting())


def reverse_id(name: str, object_id: object, *, current_app: str | None = None) -> str:
    """reverse(name, args=[object_id]) for a path whose last number is the id, reversed
    once per name, application instance and `_url_setting`: a list's link on every one
    of its rows cost a reverse() (a quarter of a page of papers from the API). Anything
    but a whole number of at least 0 is reversed as given (as reverse() would refuse a
    negative one)."""
    kept = _reverse_by_id_kept(name, current_app, _url_setting())
    return _reversed_id(kept, name, object_id, current_app=current_app)


def reverse_id_for_page(name: str, *, current_app: str | None = None) -> Callable[[object], str]:
    """reverse_id(name, id) for the rows of one page: what reverse() reads besides its
    arguments (`_url_setting`, three context-local reads) read once, not once a row."""
    kept = _reverse_by_id_kept(name, current_app, _url_setting())
    return functools.partial(_reversed_id, kept, name, current_app=current_app)


def _reversed_id(
    kept: Callable[[int], str], name: str, object_id: object, *, current_app: str | None
) -> str:
    if type(object_id) is not int or object_id < 0:
        return reverse(name, args=[object_id], current_app=current_app)
    return kept(object_id)


def form_field(form: forms.BaseForm, name: str, kind: type[FieldT]) -> FieldT:
    """The form's own copy of a declared field, as the kind of field it is, so that a
    view can set its queryset or choices for the request at hand."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is not a {kind.__name__}.")
    return field


class LocalNameChoiceField(forms.ModelChoiceField):
    """A choice of groups, organisations or people, labelled in the page's language."""

    def label_from_instance(self, obj) -> str:
        return local_name(obj)


def choice_labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """{value: label} of a field's choices in the page's language, for a page that labels
    many rows: each get_FOO_display call builds that mapping anew (and hashes every lazy
    label), which a list of 200 invitations paid 200 times."""
    return {value: str(label) for value, label in choices}


# {(field, language): {value: label}}; a handful of fields times three languages.
_FIELD_LABELS: dict[tuple[Any, str], dict[Any, str]] = {}


def field_label(obj: models.Model, field_name: str) -> Any:
    """What `obj.get_<field_name>_display()` answers, from a mapping built once per field
    and language instead of once per call. A value outside the choices is given back as
    it is, as Django does. Choices given by a callable may differ from one call to the
    next, so they are read anew each time."""
    field = obj._meta.get_field(field_name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{type(obj).__name__}.{field_name} is not a field with choices.")
    key = (field, get_language() or "")
    labels = _FIELD_LABELS.get(key)
    if labels is None:
        labels = {choice: str(label) for choice, label in field.flatchoices}
        if isinstance(field.choices, list):
            _FIELD_LABELS[key] = labels
    value = getattr(obj, field.attname)
    return labels.get(value, value)
