"""The project's select template (templates/django/forms/widgets/select.html) writes its
options with the select_options filter: the markup must be what Django's own templates
write, byte for byte, which Django's own renderer here tells."""

import datetime as dt
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, TemplatesSetting
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from members.models import Organisation
from tests.factories import OrganisationFactory

GROUPED = [
    ("Africa", [("ke", "Kenya"), ("et", "Ethiopia")]),
    ("", [("x", "None of these")]),
    ("Europe", [("fr", "France")]),
]
AWKWARD = [
    ("", "---------"),
    ('a"b', "<b>bold</b> & co"),
    ("ar", "العربية"),
    (7, 1234567),
    ("lazy", gettext_lazy("Present")),
]


class _Marked:
    """A label that is HTML one way and text the other: the template engine prints its
    str(), escaped, not its __html__."""

    def __html__(self):
        return "<b>html</b>"

    def __str__(self):
        return "<b>text</b>"


MOMENTS = [
    ("noon", dt.datetime(2027, 1, 12, 12, 0, tzinfo=dt.UTC)),
    ("marked", _Marked()),
    ("half", 2.5),
]


class _Flagged(forms.Select):
    """A widget that gives its options attributes of its own, as some do (disabled)."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["attrs"].update({"data-kind": 'a<"b', "disabled": option["value"] == "x"})
        return option


CASES = {
    "plain, one chosen": (forms.Select(choices=AWKWARD), "ar"),
    "nothing chosen": (forms.Select(choices=AWKWARD), None),
    "a number chosen": (forms.Select(choices=AWKWARD), 7),
    "groups": (forms.Select(choices=GROUPED), "et"),
    "several chosen": (forms.SelectMultiple(choices=GROUPED), ["ke", "fr"]),
    "yes, no, unknown": (forms.NullBooleanSelect(), True),
    "attributes of the options": (_Flagged(choices=GROUPED), "fr"),
    "no options": (forms.Select(choices=[]), ""),
    "moments, markup and decimals as labels": (forms.Select(choices=MOMENTS), "noon"),
}


def test_the_project_template_is_the_one_rendered():
    template = TemplatesSetting().get_template("django/forms/widgets/select.html")
    assert Path(template.origin.name) == Path(settings.BASE_DIR) / (
        "templates/django/forms/widgets/select.html"
    )
    assert "select_options" in Path(template.origin.name).read_text()


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
@pytest.mark.parametrize("case", CASES)
def test_options_written_as_django_writes_them(case, language):
    widget, value = CASES[case]
    attrs = {"id": "id_field"}
    # A moment is printed in the current zone, as `{{ value }}` prints it.
    with translation.override(language), timezone.override("Asia/Tokyo"):
        ours = widget.render("field", value, attrs=attrs, renderer=TemplatesSetting())
        djangos = widget.render("field", value, attrs=attrs, renderer=DjangoTemplates())
    assert ours == djangos


@pytest.mark.django_db
def test_a_choice_of_organisations_as_django_writes_it():
    chosen, *_rest = OrganisationFactory.create_batch(4)
    field = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"))
    ours = field.widget.render("organisation", chosen.pk, renderer=TemplatesSetting())
    djangos = field.widget.render("organisation", chosen.pk, renderer=DjangoTemplates())
    assert ours == djangos
    assert f'<option value="{chosen.pk}" selected>' in ours


def test_a_moment_is_printed_in_the_current_zone_and_markup_as_text():
    widget, value = CASES["moments, markup and decimals as labels"]
    with timezone.override("Asia/Tokyo"), translation.override("fr"):
        ours = widget.render("field", value, renderer=TemplatesSetting())
    assert "21:00" in ours  # noon UTC in Tokyo
    assert "&lt;b&gt;text&lt;/b&gt;" in ours
    assert "2,5" in ours  # a French decimal comma
