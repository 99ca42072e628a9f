"""The project's select widget (options written inline, for speed) gives Django's markup."""

from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting


class Choices(forms.Form):
    grouped = forms.ChoiceField(
        choices=[("", "Any"), ("a", "A & B"), ("Group", [("1", "One"), ("2", "<Two>")])],
        initial="2",
    )
    several = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B"), ("c", "C")])
    marked = forms.ChoiceField(
        choices=[("1", "مجموعة عمل الهجرة")],
        widget=forms.Select(attrs={"class": "wide", "disabled": True, "data-x": False}),
    )


def test_each_select_is_written_as_djangos_own_templates_write_it():
    ours = Choices(initial={"several": ["a", "c"]}, renderer=TemplatesSetting())
    djangos = Choices(initial={"several": ["a", "c"]}, renderer=DjangoTemplates())

    for name in ("grouped", "several", "marked"):
        assert str(ours[name]) == str(djangos[name]), name
    assert '<option value="2" selected>&lt;Two&gt;</option>' in str(ours["grouped"])
