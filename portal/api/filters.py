"""django-filter with no silent ignoring: unknown query parameters and bad values are 400s."""

import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from portal.dates import date_in_range, moment_in_range, out_of_range_message

# Query parameters every list understands besides its FilterSet's.
COMMON_PARAMETERS = {"page", "page_size", "format"}


class StrictFilterBackend(filters.DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(COMMON_PARAMETERS)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError({name: [_("Unknown query parameter.")] for name in unknown})
        # Only filters that take several values may be repeated (status=a&status=b);
        # any other repeat would silently keep just the last value.
        several = set()
        if filterset_class is not None:
            several = {
                name
                for name, filter_ in filterset_class.base_filters.items()
                if issubclass(filter_.field_class, forms.MultipleChoiceField)
            }
        repeated = sorted(
            name
            for name, values in request.query_params.lists()
            if len(values) > 1 and name not in several
        )
        if repeated:
            raise ValidationError(
                {
                    name: [_("Give this parameter once (several orderings: separate by commas).")]
                    for name in repeated
                }
            )
        if not set(request.query_params) - COMMON_PARAMETERS:
            # No filter asked: the FilterSet would leave the rows as they are (no filter
            # acts when not given: tests/portal/test_filter_forms.py), after copying
            # every filter and form field for the request (0.3-0.5 ms of a list).
            return queryset
        return super().filter_queryset(request, queryset, view)


# Each FilterSet's form class, per language (django-filter writes a filter's default
# label in the language active when it builds the field).
_FORM_CLASSES: dict[tuple[type, str | None], type[forms.Form]] = {}


class FilterSet(filters.FilterSet):
    """django-filter's FilterSet, its form class built once per class and language:
    django-filter made a new form class, with a new field for each filter, for every
    request, whose fields then never change (a form copies them when it is made)."""

    def get_form_class(self) -> type[forms.Form]:
        key = (type(self), get_language())
        form_class = _FORM_CLASSES.get(key)
        if form_class is None:
            form_class = _FORM_CLASSES[key] = super().get_form_class()
        return form_class


# The largest id a BigAutoField (and SQLite's and PostgreSQL's 64-bit integers) holds.
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A row id: a whole number the database can hold. Anything else (1.5, -3, a
    twenty-digit number that would overflow the query) is a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)

    def get_max_validator(self):
        return MaxValueValidator(MAX_ID)


class RangeFilterSet(FilterSet):
    """A FilterSet whose `ranges` pairs (low, high) refuse an empty, impossible range,
    and whose dates lie in the portal's range of dates."""

    ranges: list[tuple[str, str]] = []

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        for name, value in self.form.cleaned_data.items():
            # The same range as every stored date (portal.dates): a filter outside it
            # can match nothing, and is most likely a typing slip.
            if isinstance(value, dt.datetime) and not moment_in_range(value):
                self.form.add_error(name, out_of_range_message())
                return False
            if isinstance(value, dt.date) and not date_in_range(value):
                self.form.add_error(name, out_of_range_message())
                return False
        for low, high in self.ranges:
            start, end = self.form.cleaned_data.get(low), self.form.cleaned_data.get(high)
            if start is not None and end is not None and start >= end:
                self.form.add_error(
                    high,
                    _("%(later)s must be later than %(earlier)s.")
                    % {"later": high, "earlier": low},
                )
                return False
        return True
