"""The decisions register: per group (with its sub-groups, or not) and across the
framework, filtered, paged, and downloaded as CSV or PDF (`?format=csv|pdf`); and a
decision's page, where the group's managers mark it superseded, withdraw it or give
its words in Arabic and French."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from decisions import exports
from decisions.selectors import (
    decision_detail,
    decision_status_history,
    decisions_register,
    supersede_candidates,
)
from groups.models import CoordinationGroup
from groups.permissions import group_get_for_user, groups_visible_to, user_can_manage_group
from groups.selectors import group_choices
from meetings import services
from meetings.models import Decision
from meetings.permissions import decision_get_for_user, user_can_manage_meeting
from meetings.selectors import DecisionSource
from portal.audit import Actor
from portal.dates import date_in_range, out_of_range_message
from portal.pages import (
    LocalNameChoiceField,
    PageForm,
    form_field,
    form_token_claim,
    local_name,
    paginate,
    query_without_page,
)

# --- Forms ----------------------------------------------------------------------------


class RegisterFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Reference or words"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}),
    )
    group = LocalNameChoiceField(
        label=gettext_lazy("Group"), queryset=CoordinationGroup.objects.none(), required=False
    )
    only_this_group = forms.BooleanField(
        label=gettext_lazy("This group only, without its sub-groups"), required=False
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Any status")), *Decision.Status.choices],
        required=False,
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Taken"),
        choices=[
            ("", gettext_lazy("At a meeting or by written procedure")),
            *DecisionSource.choices,
        ],
        required=False,
    )
    decided_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    decided_to = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        if groups is None:
            # A group's own register: the group is in the address.
            del self.fields["group"]
        else:
            form_field(self, "group", forms.ModelChoiceField).queryset = groups

    def clean(self):
        data = super().clean() or {}
        for name in ("decided_from", "decided_to"):
            value = data.get(name)
            if value is not None and not date_in_range(value):
                self.add_error(name, out_of_range_message())
        start, end = data.get("decided_from"), data.get("decided_to")
        if start and end and start > end:
            self.add_error("decided_to", _("The end comes before the start."))
        return data


class DecisionChoiceField(forms.ModelChoiceField):
    """A later decision, shown by its reference, date and first words."""

    def label_from_instance(self, obj) -> str:
        words = obj.text_in(exports.reader_language())
        short = words if len(words) <= 80 else words[:79] + "…"
        return "{reference} ({date}): {words}".format(
            reference=obj.reference or obj,
            date=formats.date_format(obj.decided_on, "DATE_FORMAT"),
            words=short,
        )


class SupersedeForm(PageForm):
    superseded_by = DecisionChoiceField(
        label=gettext_lazy("Superseded by"), queryset=Decision.objects.none()
    )
    reason = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "superseded_by", forms.ModelChoiceField).queryset = candidates


class WithdrawForm(PageForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )


class TranslationsForm(PageForm):
    text_ar = forms.CharField(
        label=gettext_lazy("Text in Arabic"),
        required=False,
        max_length=services.DECISION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "rtl", "lang": "ar"}),
    )
    text_fr = forms.CharField(
        label=gettext_lazy("Text in French"),
        required=False,
        max_length=services.DECISION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr", "lang": "fr"}),
    )


# --- The register ------------------------------------------------------------------------


def _with_shown_text(decisions) -> None:
    """Each row's words in the reader's language, and the note when they were not given."""
    language = exports.reader_language()
    missing_note = _("not available in %(language)s") % {
        "language": exports.language_name(language)
    }
    for decision in decisions:
        decision.shown_text, missing = exports.shown_text(decision, language)
        decision.missing_note = missing_note if missing else ""


def _filter_lines(filters: RegisterFilterForm, group: CoordinationGroup | None) -> list[str]:
    """What the download was narrowed to, written at the top of the PDF."""
    if not filters.is_bound or not filters.is_valid():
        return []
    lines = []
    for name, value in filters.cleaned_data.items():
        if value in (None, "", False) or name == "only_this_group":
            continue
        field = filters.fields[name]
        shown = value
        if isinstance(value, dt.date):
            shown = formats.date_format(value, "DATE_FORMAT")
        elif isinstance(value, CoordinationGroup):
            shown = local_name(value)
        elif isinstance(field, forms.ChoiceField):
            shown = dict(field.choices).get(value, value)  # type: ignore[arg-type]
        lines.append(f"{field.label}: {shown}")
    return lines


def _register(request, *, group: CoordinationGroup | None, title: str, filename: str):
    user = request.user
    filters = RegisterFilterForm(
        request.GET or None,
        groups=None if group is not None else group_choices(queryset=groups_visible_to(user)),
    )
    criteria: dict = {"group": group}
    if filters.is_bound and filters.is_valid():
        data = filters.cleaned_data
        criteria.update(
            status=data["status"],
            source=data["source"],
            decided_from=data["decided_from"],
            decided_to=data["decided_to"],
            q=data["q"],
            include_sub_groups=not data["only_this_group"],
        )
        if group is None:
            criteria["group"] = data["group"]
    decisions = decisions_register(user, **criteria)

    shape = request.GET.get("format", "")
    if shape in {"csv", "pdf"} and filters.is_bound and not filters.is_valid():
        # A file of the whole register is not what was asked for: back to the page, which
        # names the filter that is wrong.
        messages.error(request, _("Correct the filters below to download the register."))
        query = filters_query(request)
        return redirect(f"{request.path}?{query}" if query else request.path)
    if shape == "csv":
        return exports.register_csv(decisions, filename=f"{filename}.csv")
    if shape == "pdf":
        rows = list(decisions[: exports.PDF_MAX_ROWS + 1])
        if len(rows) > exports.PDF_MAX_ROWS:
            messages.error(
                request,
                _(
                    "A PDF lists at most %(count)s decisions; narrow the filters or "
                    "download the CSV file."
                )
                % {"count": exports.PDF_MAX_ROWS},
            )
            query = filters_query(request)
            return redirect(f"{request.path}?{query}" if query else request.path)
        content = exports.register_pdf(rows, title=title, filters=_filter_lines(filters, group))
        return exports.pdf_response(content, filename=f"{filename}-{exports.reader_language()}.pdf")

    page = paginate(request, decisions)
    _with_shown_text(page)
    return render(
        request,
        "decisions/register.html",
        {
            "nav": "decisions",
            "title": title,
            "group": group,
            "filters": filters,
            "page": page,
            "query": query_without_page(request),
            "filter_query": filters_query(request),
        },
    )


def filters_query(request) -> str:
    """The filters alone (no page, no format), for the download links."""
    query = request.GET.copy()
    for name in ("page", "format"):
        query.pop(name, None)
    return query.urlencode()


@login_required
@require_GET
def framework_register_page(request):
    return _register(
        request, group=None, title=_("Decisions register"), filename="decisions-register"
    )


@login_required
@require_GET
def group_register_page(request, group_id: int):
    group = group_get_for_user(request.user, group_id)
    return _register(
        request,
        group=group,
        title=_("Decisions register: %(group)s") % {"group": local_name(group)},
        filename=f"decisions-register-{group.pk}",
    )


# --- A decision ---------------------------------------------------------------------------


def _may_manage(user: Actor, decision: Decision) -> bool:
    if decision.meeting is not None:
        return user_can_manage_meeting(user, decision.meeting)
    return user_can_manage_group(user, decision.group)


@login_required
@require_http_methods(["GET", "POST"])
def decision_detail_page(request, decision_id: int):
    user = request.user
    decision = decision_get_for_user(user, decision_id)
    can_manage = _may_manage(user, decision)
    candidates = supersede_candidates(user, decision).select_related("group")
    supersede_form = SupersedeForm(candidates=candidates)
    withdraw_form = WithdrawForm()
    translations_form = TranslationsForm(
        initial={"text_ar": decision.text_ar, "text_fr": decision.text_fr}
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(
                _("Only the secretariat and the group's chairs may change this.")
            )
        part = request.POST.get("part")
        here = request.path
        if part == "supersede":
            supersede_form = SupersedeForm(request.POST, candidates=candidates)
            if supersede_form.is_valid():
                if not form_token_claim(request):
                    return _repeat(request, here)
                try:
                    services.decision_supersede(
                        decision=decision,
                        by_decision=supersede_form.cleaned_data["superseded_by"],
                        reason=supersede_form.cleaned_data["reason"],
                        by=user,
                    )
                except ValidationError as error:
                    supersede_form.add_service_error(error)
                else:
                    messages.success(request, _("The decision is marked as superseded."))
                    return redirect(here)
        elif part == "withdraw":
            withdraw_form = WithdrawForm(request.POST)
            if withdraw_form.is_valid():
                if not form_token_claim(request):
                    return _repeat(request, here)
                try:
                    services.decision_withdraw(
                        decision=decision, reason=withdraw_form.cleaned_data["reason"], by=user
                    )
                except ValidationError as error:
                    withdraw_form.add_service_error(error)
                else:
                    messages.success(request, _("The decision is withdrawn."))
                    return redirect(here)
        elif part == "translations":
            translations_form = TranslationsForm(request.POST)
            if translations_form.is_valid():
                if not form_token_claim(request):
                    return _repeat(request, here)
                try:
                    services.decision_translations_set(
                        decision=decision,
                        text_ar=translations_form.cleaned_data["text_ar"],
                        text_fr=translations_form.cleaned_data["text_fr"],
                        by=user,
                    )
                except ValidationError as error:
                    translations_form.add_service_error(error)
                else:
                    messages.success(request, _("The translations are saved."))
                    return redirect(here)
        else:
            messages.error(request, _("Nothing was changed."))
            return redirect(here)
        status = 400
    else:
        status = 200
    decision = decision_detail(user, decision)
    _with_shown_text([decision])
    texts = [
        (_("As taken"), "", decision.text),
        (exports.language_name("ar"), "ar", decision.text_ar),
        (exports.language_name("fr"), "fr", decision.text_fr),
    ]
    return render(
        request,
        "decisions/decision_detail.html",
        {
            "nav": "decisions",
            "decision": decision,
            "texts": [(label, language, text) for label, language, text in texts if text],
            "history": decision_status_history(decision),
            "can_manage": can_manage,
            "is_standing": decision.status == Decision.Status.ADOPTED,
            "supersede_form": supersede_form,
            "withdraw_form": withdraw_form,
            "translations_form": translations_form,
        },
        status=status,
    )


def _repeat(request, url: str):
    messages.info(request, _("That form was already sent; nothing was changed twice."))
    return redirect(url)
