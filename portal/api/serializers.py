"""Shared serializer bases: strict input, UTC datetimes, the error shape."""

import copy
import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings


def utc_iso(moment: dt.datetime) -> str:
    """A moment as the API writes it: ISO 8601 in UTC with `Z` (webhooks too)."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


class UTCDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset: output in UTC (`Z`); input must carry its offset."""

    def __init__(self, **kwargs):
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(**kwargs)
        # Decided once, when the field is made (DRF reads the format setting at each
        # value): the setting does not change while the portal runs.
        output_format = getattr(self, "format", api_settings.DATETIME_FORMAT)
        self.writes_utc_iso = (
            isinstance(output_format, str)
            and output_format.lower() == ISO_8601
            and getattr(self, "timezone", None) is dt.UTC
        )

    def to_representation(self, value):
        # The API's one form, written at once for a moment that knows its zone: DRF's own
        # looks up the field's zone and checks the value's each time (2 µs against 1), and
        # a page of 100 rows has up to 400 of them. Anything else (a format or zone of the
        # field's own, a naive moment, a string, a year past the edge of UTC) goes to DRF.
        if self.writes_utc_iso and type(value) is dt.datetime and value.tzinfo is not None:
            try:
                return utc_iso(value)
            except OverflowError:
                pass
        return super().to_representation(value)

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                parsed = None  # DRF's parser below names what is wrong.
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        return super().to_internal_value(value)

    default_error_messages = {
        **serializers.DateTimeField.default_error_messages,
        "naive": gettext_lazy(
            "Give the time with its offset, e.g. 2026-05-04T10:00:00+02:00 or …Z."
        ),
    }


class StrictSerializerMixin(serializers.Serializer):
    """Input serializers refuse fields they do not know instead of ignoring them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class InputSerializer(StrictSerializerMixin, serializers.Serializer):
    """Validates a request body; the view hands `validated_data` to a service."""


class OutputModelSerializer(serializers.ModelSerializer):
    """Model serializers for responses; every datetime renders in UTC with a Z.

    DRF works a model serializer's fields out of the model (its fields, relations,
    choices, validators) for every instance it makes: 0.1–1 ms a serializer, paid
    again by each nested one, on every detail, write and list it answers. What it
    works out depends on the class alone (its Meta and declared fields) and the language
    its messages are written in, so it is worked out once per class and language, and
    each instance gets a deep copy: fields are bound to their serializer, and DRF gives
    each instance its declared fields the same way."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UTCDateTimeField,
    }

    def get_fields(self):
        # Per language too: DRF writes some messages out as it builds (a unique field's
        # validator), and a copy shares its validators.
        key = (type(self), get_language())
        built = _fields_built_per_class.get(key)
        if built is None:
            built = _fields_built_per_class[key] = super().get_fields()
        return copy.deepcopy(built)


_fields_built_per_class: dict[
    tuple[type[OutputModelSerializer], str | None], dict[str, serializers.Field]
] = {}


class ErrorSerializer(serializers.Serializer):
    """The one error shape of every 4xx answer."""

    type = serializers.ChoiceField(
        choices=[
            "validation_error",
            "parse_error",
            "not_authenticated",
            "authentication_failed",
            "permission_denied",
            "not_found",
            "method_not_allowed",
            "not_acceptable",
            "unsupported_media_type",
            "payload_too_large",
            "throttled",
            "error",
        ]
    )
    detail = serializers.CharField()
    # DRF's metaclass moves declared fields into `_declared_fields`, so this field does not
    # replace Serializer.errors; the stubs cannot know that.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field (`non_field_errors` for the request as a whole).",
    )


@extend_schema_field(OpenApiTypes.INT)
class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """An id in a request body, looked up only among what the caller may see.

    A hidden object answers the same 400 as a missing one, so ids leak nothing.
    """

    def __init__(self, *, visible, **kwargs):
        self.visible = visible
        kwargs.setdefault("queryset", None)
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.visible(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not (data.isascii() and data.isdigit()):
            self.fail("incorrect_type", data_type="str")
        if int(data) > 2**62:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)
