"""portal.api.serializers.OutputModelSerializer works a class's fields out of the model
once and gives each instance its own copy: the same fields DRF would build, never
shared between two serializers."""

import importlib
import pkgutil

import pytest
from rest_framework import serializers

import portal.api.serializers as bases
from members.models import Organisation
from portal.api.serializers import OutputModelSerializer


def _output_serializers() -> list[type[OutputModelSerializer]]:
    for app in ("members", "groups", "meetings", "documents", "decisions", "notices"):
        package = importlib.import_module(f"{app}.api")
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{app}.api.{module.name}")
    found, waiting = set(), [OutputModelSerializer]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            found.add(subclass)
            waiting.append(subclass)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


OUTPUT_SERIALIZERS = _output_serializers()


def test_every_output_serializer_of_the_project_is_checked():
    names = {cls.__name__ for cls in OUTPUT_SERIALIZERS}

    assert {"MeetingSerializer", "SeriesSerializer", "WrittenProcedureSerializer"} <= names
    assert len(OUTPUT_SERIALIZERS) > 25


# repr() of a related field shows its queryset's rows.
@pytest.mark.django_db
@pytest.mark.parametrize("serializer_class", OUTPUT_SERIALIZERS, ids=lambda cls: cls.__name__)
def test_a_later_serializer_gets_the_fields_drf_builds(serializer_class):
    serializer_class().fields  # noqa: B018 - the first works them out
    as_drf_builds = serializers.ModelSerializer.get_fields(serializer_class())

    given = serializer_class().get_fields()

    assert list(given) == list(as_drf_builds)
    assert {name: repr(field) for name, field in given.items()} == {
        name: repr(field) for name, field in as_drf_builds.items()
    }


@pytest.mark.parametrize("serializer_class", OUTPUT_SERIALIZERS, ids=lambda cls: cls.__name__)
def test_two_serializers_share_no_field(serializer_class):
    first, second = serializer_class(), serializer_class()

    for name, field in first.fields.items():
        assert field is not second.fields[name]
        assert field.parent is first
        assert second.fields[name].parent is second


def test_the_model_is_read_once_per_class(monkeypatch):
    class OrganisationOutput(OutputModelSerializer):
        class Meta:
            model = Organisation
            fields = ["id", "name", "acronym", "kind", "country"]

    built = []
    drf_build_field = serializers.ModelSerializer.build_field

    def counted(self, *args, **kwargs):
        built.append(args[0])
        return drf_build_field(self, *args, **kwargs)

    monkeypatch.setattr(serializers.ModelSerializer, "build_field", counted)
    monkeypatch.setattr(bases, "_fields_built_per_class", {})

    for _ in range(3):
        assert list(OrganisationOutput().fields) == ["id", "name", "acronym", "kind", "country"]

    assert built == ["id", "name", "acronym", "kind", "country"]


def test_a_copy_changed_by_one_serializer_leaves_the_next_alone():
    class OrganisationOutput(OutputModelSerializer):
        class Meta:
            model = Organisation
            fields = ["id", "name"]

    changed = OrganisationOutput()
    changed.fields["name"].label = "Changed"
    changed.fields.pop("id")

    fresh = OrganisationOutput()

    assert list(fresh.fields) == ["id", "name"]
    assert fresh.fields["name"].label != "Changed"


def _unique_messages(serializer) -> dict[str, list[str]]:
    return {
        name: [str(validator.message) for validator in field.validators]
        for name, field in serializer.fields.items()
        if field.validators
    }


def test_messages_written_while_building_are_in_the_language_asked(monkeypatch):
    """DRF writes a unique field's message out as it builds the field, and a copy
    shares its validators: fields built for an Arabic page must not answer in Arabic
    on an English one."""
    from django.utils import translation

    from members.api.serializers import OrganisationBriefSerializer

    monkeypatch.setattr(bases, "_fields_built_per_class", {})
    with translation.override("ar"):
        OrganisationBriefSerializer().fields  # noqa: B018 - built first in Arabic
    with translation.override("en"):
        given = _unique_messages(OrganisationBriefSerializer())
        as_drf_builds = serializers.ModelSerializer.get_fields(OrganisationBriefSerializer())

    assert given
    assert given == {
        name: [str(validator.message) for validator in field.validators]
        for name, field in as_drf_builds.items()
        if field.validators
    }
    assert any("already exists" in message for messages in given.values() for message in messages)
