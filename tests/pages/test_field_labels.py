"""`{{ obj|label:"field" }}` (portal.pages.field_label) says what get_FOO_display says,
in each language, for every field with choices, from a mapping built once."""

import pytest
from django.apps import apps
from django.template import Context, Template
from django.utils import translation

from meetings.models import Meeting
from portal import pages

PROJECT_APPS = {"members", "groups", "meetings", "notices", "documents", "decisions", "search"}


def _fields_with_choices():
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.concrete_fields:
            if field.choices:
                yield model, field


def test_the_project_has_fields_with_choices_to_compare():
    assert len(list(_fields_with_choices())) >= 15


@pytest.mark.parametrize("language", ["en", "ar", "fr"])
def test_every_choice_of_every_field_is_labelled_as_get_display_labels_it(language):
    with translation.override(language):
        for model, field in _fields_with_choices():
            for value, _label in field.flatchoices:
                obj = model(**{field.attname: value})
                expected = getattr(obj, f"get_{field.name}_display")()
                assert pages.field_label(obj, field.name) == expected, (model, field, value)


def test_the_label_follows_the_language_of_the_request_after_the_first_use():
    meeting = Meeting(status=Meeting.Status.CANCELLED)
    with translation.override("en"):
        english = pages.field_label(meeting, "status")
    with translation.override("fr"):
        french = pages.field_label(meeting, "status")
    with translation.override("en"):
        assert pages.field_label(meeting, "status") == english

    assert english == "Cancelled"
    assert french != english
    with translation.override("fr"):
        assert french == meeting.get_status_display()


def test_a_value_outside_the_choices_is_given_back_as_it_is():
    meeting = Meeting(status="unheard-of")

    assert pages.field_label(meeting, "status") == meeting.get_status_display() == "unheard-of"


def test_the_filter_in_a_template_escapes_as_any_value():
    meeting = Meeting(status=Meeting.Status.CANCELLED)
    template = Template('{% load tansiq %}<b>{{ meeting|label:"status" }}</b>')

    with translation.override("ar"):
        rendered = template.render(Context({"meeting": meeting}))
        assert rendered == f"<b>{meeting.get_status_display()}</b>"
    assert rendered != "<b>Cancelled</b>"
