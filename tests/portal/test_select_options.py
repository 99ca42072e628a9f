"""The project's select template (templates/django/forms/widgets/select.html) writes its
options with the select_options filter: the markup must be what Django's own templates
write, byte for byte, which Django's own renderer here tells."""

from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, TemplatesSetting
from django.utils import translation
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
    with translation.override(language):
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
