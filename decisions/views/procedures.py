"""The written procedure's pages: the lists, a procedure with its whole trail and the
answer form, the managers' create, edit, circulate (through a preview) and withdraw
pages, and the page the signed links in the mail open."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from decisions import services
from decisions.audience import procedure_audience
from decisions.links import answer_read
from decisions.models import ProcedureAnswer, WrittenProcedure
from decisions.permissions import (
    answers_answerable_by,
    answers_answerable_by_person,
    procedure_get_for_user,
    procedures_visible_to,
    user_can_manage_procedure,
)
from decisions.procedure_forms import AnswerForm, LinkAnswerForm, ProcedureForm, WithdrawForm
from decisions.selectors import procedure_trails
from groups.permissions import group_get_for_user, organisations_offered_to, user_can_manage_group
from members.models import Organisation, Person
from members.permissions import user_person
from portal.pages import form_token_claim, paginate

Status = WrittenProcedure.Status


def _detail_url(procedure: WrittenProcedure) -> str:
    return reverse("decisions:procedure-detail", args=[procedure.pk])


def _listed(queryset: QuerySet[WrittenProcedure]) -> QuerySet[WrittenProcedure]:
    return queryset.select_related("group", "decision").order_by("-created_at", "-id")


@login_required
def procedure_list_page(request: HttpRequest) -> HttpResponse:
    procedures = _listed(procedures_visible_to(request.user))
    return render(
        request,
        "decisions/procedure_list.html",
        {"nav": "decisions", "page": paginate(request, procedures), "group": None},
    )


@login_required
def group_procedure_list_page(request: HttpRequest, group_id: int) -> HttpResponse:
    group = group_get_for_user(request.user, group_id)
    procedures = _listed(procedures_visible_to(request.user).filter(group=group))
    return render(
        request,
        "decisions/procedure_list.html",
        {
            "nav": "decisions",
            "page": paginate(request, procedures),
            "group": group,
            "can_manage": user_can_manage_group(request.user, group),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def procedure_create_page(request: HttpRequest, group_id: int) -> HttpResponse:
    user = request.user
    group = group_get_for_user(user, group_id, manage=True)
    organisations = organisations_offered_to(user)
    form = ProcedureForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        if not form_token_claim(request):
            return redirect(reverse("decisions:group-procedures", args=[group.pk]))
        try:
            procedure = services.procedure_create(group=group, **form.procedure_fields(), by=user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The draft is saved. Circulate it when it is ready."))
            return redirect(_detail_url(procedure))
    return render(
        request,
        "decisions/procedure_form.html",
        {"nav": "decisions", "form": form, "group": group, "procedure": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def procedure_edit_page(request: HttpRequest, procedure_id: int) -> HttpResponse:
    user = request.user
    procedure = procedure_get_for_user(user, procedure_id, manage=True)
    if procedure.status != Status.DRAFT:
        messages.error(request, _("Only a draft can change."))
        return redirect(_detail_url(procedure))
    organisations = organisations_offered_to(user)
    form = ProcedureForm(request.POST or None, procedure=procedure, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        if not form_token_claim(request):
            return redirect(_detail_url(procedure))
        try:
            services.procedure_update(procedure=procedure, **form.procedure_fields(), by=user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect(_detail_url(procedure))
    return render(
        request,
        "decisions/procedure_form.html",
        {"nav": "decisions", "form": form, "group": procedure.group, "procedure": procedure},
    )


@login_required
@require_http_methods(["GET", "POST"])
def procedure_circulate_page(request: HttpRequest, procedure_id: int) -> HttpResponse:
    """The preview first (who is asked, who is only informed, who nobody reaches, the
    message); nothing is sent until the manager confirms."""
    user = request.user
    procedure = procedure_get_for_user(user, procedure_id, manage=True)
    if procedure.status != Status.DRAFT:
        messages.error(request, _("Only a draft is circulated."))
        return redirect(_detail_url(procedure))
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.procedure_circulate(procedure=procedure, by=user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("The written procedure is circulated."))
            return redirect(_detail_url(procedure))
    return render(
        request,
        "decisions/procedure_circulate.html",
        {
            "nav": "decisions",
            "procedure": procedure,
            "audience": procedure_audience(procedure),
            "deadline": timezone.localtime(procedure.deadline),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def procedure_withdraw_page(request: HttpRequest, procedure_id: int) -> HttpResponse:
    user = request.user
    procedure = procedure_get_for_user(user, procedure_id, manage=True)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.procedure_withdraw(
                procedure=procedure, reason=form.cleaned_data["reason"], by=user
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The written procedure is withdrawn."))
            return redirect(_detail_url(procedure))
    return render(
        request,
        "decisions/procedure_withdraw.html",
        {"nav": "decisions", "procedure": procedure, "form": form},
    )


def _answer_organisations(user, procedure: WrittenProcedure) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=answers_answerable_by(user, procedure).values("organisation")
    ).order_by("name")


def _told_not_asked(user, procedure: WrittenProcedure) -> bool:
    """A representative of an organisation the procedure informs without asking it (an
    observer): the page says so, as the mail did."""
    if procedure.status == Status.DRAFT or user_can_manage_procedure(user, procedure):
        return False
    person = user_person(user)
    if person is None or person.organisation_id is None:
        return False
    return not procedure.answers.filter(organisation_id=person.organisation_id).exists()


def _takes_answers(procedure: WrittenProcedure) -> bool:
    return procedure.status == Status.OPEN and procedure.deadline > timezone.now()


@login_required
@require_http_methods(["GET", "POST"])
def procedure_detail_page(request: HttpRequest, procedure_id: int) -> HttpResponse:
    user = request.user
    procedure = procedure_get_for_user(user, procedure_id)
    organisations = _answer_organisations(user, procedure)
    may_answer = _takes_answers(procedure) and organisations.exists()
    form = AnswerForm(request.POST or None, organisations=organisations) if may_answer else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("You may not answer this written procedure."))
            return redirect(_detail_url(procedure))
        if form.is_valid():
            if not form_token_claim(request):
                return redirect(_detail_url(procedure))
            try:
                services.procedure_answer(
                    procedure=procedure,
                    organisation=form.cleaned_data["organisation"],
                    answer=form.cleaned_data["answer"],
                    reason=form.cleaned_data["reason"],
                    channel=ProcedureAnswer.Channel.PAGE,
                    by=user,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Your organisation's answer is recorded."))
                return redirect(_detail_url(procedure))
    answers = procedure.answers.select_related(
        "organisation", "answered_by_person", "answered_by"
    ).order_by("organisation__name")
    return render(
        request,
        "decisions/procedure_detail.html",
        {
            "nav": "decisions",
            "procedure": procedure,
            "answers": answers,
            "trail": procedure_trails([procedure.pk])[procedure.pk],
            "form": form,
            "can_manage": user_can_manage_procedure(user, procedure),
            "deadline": timezone.localtime(procedure.deadline),
            "takes_answers": _takes_answers(procedure),
            "objections": [a for a in answers if a.answer == ProcedureAnswer.Answer.OBJECT],
            "not_asked": _told_not_asked(user, procedure),
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


# --- The signed links in the mail ------------------------------------------------------


def _link_page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    return render(request, "decisions/procedure_link.html", context, status=status)


def _link_language(request: HttpRequest, person: Person | None) -> str:
    """The person's own language, unless the visitor picked one with the switch."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES):
        return chosen
    if person is not None and person.preferred_language:
        return person.preferred_language
    return translation.get_language() or settings.LANGUAGE_CODE


@require_http_methods(["GET", "POST"])
def procedure_link_page(request: HttpRequest, token: str) -> HttpResponse:
    """Answer for an organisation from the signed link in the mail, without signing in.

    GET only shows what will be recorded (mail scanners open links: nothing may change
    until the representative presses the button); POST records it. A link altered,
    expired, for a procedure no longer taking answers, or for someone who no longer
    acts for the organisation gets a page that says so."""
    try:
        link = answer_read(token)
    except signing.SignatureExpired:
        return _link_page(request, {"problem": "expired"}, status=410)
    except signing.BadSignature:
        return _link_page(request, {"problem": "invalid"}, status=400)
    procedure = (
        WrittenProcedure.objects.select_related("group").filter(pk=link.procedure_id).first()
    )
    person = Person.objects.filter(pk=link.person_id).first()
    if (
        procedure is None
        or person is None
        or link.answer not in {ProcedureAnswer.Answer.AGREE, ProcedureAnswer.Answer.OBJECT}
    ):
        return _link_page(request, {"problem": "invalid"}, status=400)
    with translation.override(_link_language(request, person)):
        return _link_answer(request, procedure, person, link.organisation_id, link.answer)


def _link_answer(
    request: HttpRequest,
    procedure: WrittenProcedure,
    person: Person,
    organisation_id: int,
    answer: str,
) -> HttpResponse:
    context: dict = {
        "procedure": procedure,
        "person": person,
        "answer": answer,
        "answer_label": ProcedureAnswer.Answer(answer).label,
        "deadline": timezone.localtime(procedure.deadline),
        "text": procedure.text_in(translation.get_language() or "en"),
    }
    if not _takes_answers(procedure):
        return _link_page(request, {**context, "problem": "closed"}, status=410)
    row = (
        answers_answerable_by_person(person, procedure)
        .filter(organisation_id=organisation_id)
        .select_related("organisation")
        .first()
    )
    if row is None:
        return _link_page(request, {**context, "problem": "not_yours"}, status=400)
    context["row"] = row
    if request.method == "POST":
        form = LinkAnswerForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        context["reason"] = reason
        # Attributed to the person's account when they have one; else to the person.
        account = person.user if person.user_id is not None else None
        user = account if account is not None and account.is_active else None
        try:
            row = services.procedure_answer(
                procedure=procedure,
                organisation=row.organisation,
                answer=answer,
                reason=reason,
                channel=ProcedureAnswer.Channel.LINK,
                person=person,
                by=user,
            )
        except ValidationError as error:
            context["errors"] = error.messages
            return _link_page(request, context, status=400)
        context.update(done=True, row=row)
    return _link_page(request, context)
