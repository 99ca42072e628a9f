"""The search page's form: the words, and the filters by kind, group and date."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import CoordinationGroup
from portal.dates import date_in_range, out_of_range_message
from portal.pages import LocalNameChoiceField, form_field
from search.models import SearchKind

QUERY_MAX_CHARS = 200


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        max_length=QUERY_MAX_CHARS,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}),
    )
    kind = forms.MultipleChoiceField(
        label=_("Show"),
        choices=SearchKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    group = LocalNameChoiceField(
        label=_("Group (with its sub-groups)"),
        queryset=CoordinationGroup.objects.none(),
        required=False,
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "group", forms.ModelChoiceField).queryset = groups

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for name in ("date_from", "date_to"):
            value = cleaned.get(name)
            if value is not None and not date_in_range(value):
                self.add_error(name, out_of_range_message())
                cleaned[name] = None
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("Give a date on or after the first one."))
        return cleaned
