"""The forms of the minutes' cycle pages (meetings.views.minutes_cycle)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.forms import DATETIME_INPUT, LocalDateTimeInput, WallClockDateTimeField
from meetings.minutes_cycle import COMMENT_MAX_CHARS, Signatory
from portal.pages import PageForm, form_field


class CirculateForm(PageForm):
    comments_until = WallClockDateTimeField(
        label=_("Comments until"),
        widget=LocalDateTimeInput(),
        input_formats=[DATETIME_INPUT],
        help_text=_("In the meeting's time zone."),
    )


class CommentForm(PageForm):
    section = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=COMMENT_MAX_CHARS,
    )


class AnswerForm(PageForm):
    answer = forms.CharField(
        label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}), max_length=COMMENT_MAX_CHARS
    )
    applied = forms.BooleanField(label=_("Applied to the text"), required=False)


class ApproveForm(forms.Form):
    """Whom the secretariat approves on behalf of (a chair or co-chair approves in their
    own name, and is shown no choice)."""

    on_behalf_of = forms.TypedChoiceField(label=_("On behalf of"), coerce=int, choices=())

    def __init__(self, *args, signatories: list[Signatory], **kwargs):
        super().__init__(*args, **kwargs)
        field = form_field(self, "on_behalf_of", forms.TypedChoiceField)
        field.choices = [(s.person.pk, s.label) for s in signatories]
        if signatories and not self.is_bound:
            self.initial.setdefault("on_behalf_of", signatories[0].person.pk)
