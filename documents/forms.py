"""Forms of the papers' pages. They only validate input; views call the services."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from documents.models import DocumentLanguage
from groups.models import Confidentiality
from meetings.models import AgendaItem
from members.models import Organisation
from portal.pages import PageForm, form_field, local_name

TITLE_MAX = 300
NOTE_MAX = 300
QUERY_MAX = 200


def _text_input(language: str) -> forms.TextInput:
    # Each title field holds one language: its direction is that language's.
    return forms.TextInput(
        attrs={"lang": language, "dir": "rtl" if language == "ar" else "ltr"},
    )


class AgendaItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.position}. {obj.title}"


class LocalNameMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return local_name(obj)


class DocumentFieldsForm(PageForm):
    """What describes a paper: its titles, its description and the language of its file."""

    title = forms.CharField(
        label=_("Title (English)"), max_length=TITLE_MAX, widget=_text_input("en")
    )
    title_ar = forms.CharField(
        label=_("Title (Arabic)"), max_length=TITLE_MAX, required=False, widget=_text_input("ar")
    )
    title_fr = forms.CharField(
        label=_("Title (French)"), max_length=TITLE_MAX, required=False, widget=_text_input("fr")
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the file"), choices=DocumentLanguage.choices, initial="en"
    )

    def document_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("title", "title_ar", "title_fr", "description", "language")
        }


class LabelledDocumentForm(DocumentFieldsForm):
    """The paper's fields and its label: who may see it, and for a restricted paper the
    organisations it names. `default_confidentiality` (the group's terms) is offered as
    the first choice of a new paper; an existing paper's label is always chosen."""

    confidentiality = forms.ChoiceField(
        label=_("Who may see it"),
        required=False,
        # static/js/confidentiality.js shows the organisations only under "restricted".
        widget=forms.Select(attrs={"data-confidentiality": ""}),
    )
    restricted_to = LocalNameMultipleChoiceField(
        label=_("Restricted to"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_(
            "For a restricted paper: the organisations that may see it, besides the "
            "secretariat and the group's chairs."
        ),
        widget=forms.SelectMultiple(attrs={"data-restricted-to": "", "size": 6}),
    )

    def __init__(
        self,
        *args,
        organisations: QuerySet[Organisation],
        default_confidentiality: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        label_field = form_field(self, "confidentiality", forms.ChoiceField)
        if default_confidentiality is None:
            label_field.required = True
            label_field.choices = Confidentiality.choices
        else:
            default_label = Confidentiality(default_confidentiality).label
            label_field.choices = [
                ("", _("As the group's terms say: %(label)s") % {"label": default_label}),
                *Confidentiality.choices,
            ]
        form_field(self, "restricted_to", LocalNameMultipleChoiceField).queryset = organisations

    def label_fields(self) -> dict:
        return {
            "confidentiality": self.cleaned_data["confidentiality"] or None,
            "restricted_to": list(self.cleaned_data["restricted_to"]),
        }


class DocumentUploadForm(LabelledDocumentForm):
    """A new paper: its first file, its label, and on a meeting the agenda item it is for.

    `agenda_items` are the items the user may add a paper to; `meeting_allowed` says
    whether they may add one to the meeting as a whole (no item). Without a meeting the
    paper goes to the group's library and the item field is left out."""

    field_order = [
        "agenda_item",
        "title",
        "title_ar",
        "title_fr",
        "language",
        "upload",
        "description",
        "confidentiality",
        "restricted_to",
        "note",
    ]

    agenda_item = AgendaItemChoiceField(
        label=_("Agenda item"), queryset=AgendaItem.objects.none(), required=False
    )
    upload = forms.FileField(
        label=_("File"),
        help_text=_("PDF, office documents, images or text."),
    )
    note = forms.CharField(
        label=_("Note on this version"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )

    def __init__(
        self,
        *args,
        agenda_items: QuerySet[AgendaItem] | None = None,
        meeting_allowed: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if agenda_items is None:
            del self.fields["agenda_item"]
            return
        item_field = form_field(self, "agenda_item", AgendaItemChoiceField)
        item_field.queryset = agenda_items
        item_field.required = not meeting_allowed
        item_field.empty_label = str(_("The meeting as a whole")) if meeting_allowed else None
        # A meeting's paper starts with its agenda item's label, or the meeting's.
        label_field = form_field(self, "confidentiality", forms.ChoiceField)
        if not label_field.required:
            label_field.choices = [
                ("", _("As its agenda item, or the meeting")),
                *Confidentiality.choices,
            ]


class DocumentVersionForm(PageForm):
    """A new version of a paper's file."""

    upload = forms.FileField(label=_("File"))
    note = forms.CharField(
        label=_("What changed"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )


class DocumentEditForm(LabelledDocumentForm):
    """A paper's titles, description, file language and label."""


class WithdrawForm(PageForm):
    """Only the form token: withdrawing asks for nothing else."""


class LibraryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Title contains"),
        max_length=QUERY_MAX,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the file"),
        required=False,
        choices=[("", _("Any language")), *DocumentLanguage.choices],
    )
