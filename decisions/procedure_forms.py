"""Forms of the written procedure's pages. They only validate input; views call the
services."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.models import ProcedureAnswer, WrittenProcedure
from meetings.forms import DATETIME_INPUT, LocalDateTimeInput, confidentiality_fields_add
from members.models import Organisation
from portal.pages import LocalNameChoiceField, PageForm, form_field


class ProcedureForm(PageForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(label=_("Draft decision"), widget=forms.Textarea(attrs={"rows": 6}))
    text_ar = forms.CharField(
        label=_("Draft decision (Arabic)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "rtl", "lang": "ar"}),
    )
    text_fr = forms.CharField(
        label=_("Draft decision (French)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "fr"}),
    )
    deadline = forms.DateTimeField(
        label=_("Answers by"),
        widget=LocalDateTimeInput(),
        input_formats=[DATETIME_INPUT],
    )

    def __init__(
        self,
        *args,
        procedure: WrittenProcedure | None = None,
        organisations: QuerySet[Organisation] | None = None,
        **kwargs,
    ):
        if procedure is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": procedure.title,
                "text": procedure.text,
                "text_ar": procedure.text_ar,
                "text_fr": procedure.text_fr,
                "deadline": timezone.localtime(procedure.deadline).replace(tzinfo=None),
            }
        super().__init__(*args, **kwargs)
        self.fields["deadline"].help_text = _(
            "In the time zone %(zone)s. At least one day from when it is circulated."
        ) % {"zone": timezone.get_current_timezone_name()}
        if organisations is not None:
            confidentiality_fields_add(
                self,
                organisations=organisations,
                record=procedure,
                default_choice="" if procedure is not None else str(_("As the group usually")),
            )

    def procedure_fields(self) -> dict[str, Any]:
        """The draft as procedure_create and procedure_update take it."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "text": data["text"],
            "text_ar": data["text_ar"],
            "text_fr": data["text_fr"],
            "deadline": data["deadline"],
            "confidentiality": data["confidentiality"] or None,
            "restricted_to": list(data["restricted_to"]),
        }


class AnswerForm(PageForm):
    organisation = LocalNameChoiceField(
        label=_("For the organisation"), queryset=Organisation.objects.none()
    )
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (ProcedureAnswer.Answer.AGREE, _("Agree")),
            (ProcedureAnswer.Answer.OBJECT, _("Object")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for an objection."),
    )

    def __init__(self, *args, organisations: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        field = form_field(self, "organisation", forms.ModelChoiceField)
        field.queryset = organisations
        if organisations.count() == 1:
            field.initial = organisations.first()
            field.widget = forms.HiddenInput()


class WithdrawForm(PageForm):
    reason = forms.CharField(
        label=_("Why is it withdrawn?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LinkAnswerForm(forms.Form):
    reason = forms.CharField(required=False, max_length=5000)
