"""The papers' pages: a group's library, a paper's page with its versions, the upload
of a paper (to the library, a meeting or one of its agenda items), of a new version,
and the edit and withdrawal of a paper. Every page reads through the funnels in
documents.permissions and writes through documents.services; a service's
ValidationError goes back to the form. The meeting's page shows its papers with the
documents_panels template tag."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from documents import forms, services
from documents.models import Document
from documents.permissions import (
    document_get_for_user,
    user_can_add_document,
    user_can_manage_document,
)
from documents.selectors import document_versions, documents_of_group
from groups.models import CoordinationGroup
from groups.permissions import organisations_offered_to, user_can_view_group
from groups.selectors import confidentiality_trail, terms_of_reference
from groups.services import confidentiality_set
from meetings.models import AgendaItem, Meeting
from meetings.permissions import meeting_get_for_user
from portal.audit import Actor
from portal.pages import form_token_claim, paginate, query_without_page


def _repeat_submit(request, url: str):
    messages.info(request, _("That form was already sent; nothing was changed twice."))
    return redirect(url)


def document_url(document: Document) -> str:
    return reverse("documents:document-detail", args=[document.pk])


def library_url(group: CoordinationGroup) -> str:
    return reverse("documents:group-library", args=[group.pk])


# --- The library -----------------------------------------------------------------------


@login_required
@require_GET
def group_library_page(request, group_id: int):
    """The group's own papers (not those of its meetings), filtered by words of their
    titles and by the language of the file. A group the reader cannot see is not
    found, unless it holds public papers, which everyone signed in may read."""
    user = request.user
    group = get_object_or_404(CoordinationGroup, pk=group_id)
    filters = forms.LibraryFilterForm(request.GET or None)
    query, language = "", ""
    if filters.is_valid():
        query = filters.cleaned_data["q"].strip()
        language = filters.cleaned_data["language"]
    papers = documents_of_group(group=group, user=user, query=query)
    if language:
        papers = _of_language(papers, language)
    sees_group = user_can_view_group(user, group)
    if not sees_group and not query and not language and not _any(papers):
        raise Http404(_("No such group."))
    page = paginate(request, papers)
    return render(
        request,
        "documents/group_library.html",
        {
            "nav": "groups",
            "group": group,
            "sees_group": sees_group,
            "filters": filters,
            "page": page,
            "query": query_without_page(request),
            "is_filtered": bool(query or language),
            "can_add": user_can_add_document(user, group=group),
        },
    )


def _of_language(papers, language: str):
    if isinstance(papers, QuerySet):
        return papers.filter(language=language)
    return [paper for paper in papers if paper.language == language]


def _any(papers) -> bool:
    return papers.exists() if isinstance(papers, QuerySet) else bool(papers)


# --- A paper's page --------------------------------------------------------------------


def _document_context(request, document: Document, **forms_shown) -> dict:
    user = request.user
    can_manage = user_can_manage_document(user, document) and not document.is_withdrawn
    context = {
        "nav": "meetings" if document.meeting_id else "groups",
        "document": document,
        "versions": document_versions(document),
        "can_manage": can_manage,
        "version_form": forms.DocumentVersionForm() if can_manage else None,
        # Who changed the paper's label, shown to those who may change it.
        "confidentiality_trail": confidentiality_trail(document) if can_manage else None,
        "restricted_to": (
            list(document.restricted_to.order_by("name"))
            if document.confidentiality == "restricted"
            else []
        ),
    }
    context.update(forms_shown)
    return context


@login_required
@require_GET
def document_detail_page(request, document_id: int):
    document = document_get_for_user(request.user, document_id)
    return render(request, "documents/document_detail.html", _document_context(request, document))


@login_required
@require_POST
def document_version_add_page(request, document_id: int):
    """A new version of the paper's file, from the form on its page."""
    document = document_get_for_user(request.user, document_id, manage=True)
    form = forms.DocumentVersionForm(request.POST, request.FILES)
    if form.is_valid():
        if not form_token_claim(request):
            return _repeat_submit(request, document_url(document))
        try:
            version = services.document_version_add(
                document=document,
                upload=form.cleaned_data["upload"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Version %(number)s is uploaded.") % {"number": version.number},
            )
            return redirect(document_url(document))
    return render(
        request,
        "documents/document_detail.html",
        _document_context(request, document, version_form=form),
    )


@login_required
def document_edit_page(request, document_id: int):
    """The paper's titles, description, file language and label."""
    user = request.user
    document = document_get_for_user(user, document_id, manage=True)
    if document.is_withdrawn:
        raise PermissionDenied(_("A withdrawn paper cannot be changed."))
    organisations = organisations_offered_to(user)
    if request.method == "POST":
        form = forms.DocumentEditForm(request.POST, organisations=organisations)
        if form.is_valid():
            if not form_token_claim(request):
                return _repeat_submit(request, document_url(document))
            try:
                # The fields and the label together, or neither.
                with transaction.atomic():
                    services.document_update(document=document, by=user, **form.document_fields())
                    confidentiality_set(record=document, by=user, **form.label_fields())
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The paper is updated."))
                return redirect(document_url(document))
    else:
        form = forms.DocumentEditForm(
            organisations=organisations,
            initial={
                "title": document.title,
                "title_ar": document.title_ar,
                "title_fr": document.title_fr,
                "description": document.description,
                "language": document.language,
                "confidentiality": document.confidentiality,
                "restricted_to": list(document.restricted_to.all()),
            },
        )
    return render(
        request,
        "documents/document_form.html",
        {"nav": "groups", "form": form, "document": document, "heading": _("Edit the paper")},
    )


@login_required
def document_withdraw_page(request, document_id: int):
    """GET asks first; POST withdraws. A withdrawn paper keeps its versions (the group's
    record) and leaves the lists, the pack and the notices."""
    user = request.user
    document = document_get_for_user(user, document_id, manage=True)
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form_token_claim(request):
            return _repeat_submit(request, document_url(document))
        try:
            services.document_withdraw(document=document, by=user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The paper is withdrawn."))
            return redirect(document_url(document))
    return render(
        request,
        "documents/document_withdraw.html",
        {"nav": "groups", "form": form, "document": document},
    )


# --- Uploads ---------------------------------------------------------------------------


def _upload_form(
    request, user: Actor, group: CoordinationGroup, **where
) -> forms.DocumentUploadForm:
    data = (request.POST, request.FILES) if request.method == "POST" else ()
    return forms.DocumentUploadForm(
        *data,
        organisations=organisations_offered_to(user),
        default_confidentiality=terms_of_reference(group).default_confidentiality,
        **where,
    )


def _upload(request, form: forms.DocumentUploadForm, *, group, meeting=None, back: str):
    """Validate, call the service, and answer with the new paper's page or None (the
    form, with the service's refusal next to its field, is shown again)."""
    if not form.is_valid():
        return None
    if not form_token_claim(request):
        return _repeat_submit(request, back)
    try:
        document = services.document_create(
            group=group,
            meeting=meeting,
            agenda_item=form.cleaned_data.get("agenda_item"),
            upload=form.cleaned_data["upload"],
            note=form.cleaned_data["note"],
            by=request.user,
            **form.document_fields(),
            **form.label_fields(),
        )
    except ValidationError as error:
        form.add_service_error(error)
        return None
    messages.success(request, _("The paper is uploaded."))
    return redirect(document_url(document))


@login_required
def library_upload_page(request, group_id: int):
    """A paper for the group's library."""
    user = request.user
    group = get_object_or_404(CoordinationGroup, pk=group_id)
    if not user_can_view_group(user, group):
        raise Http404(_("No such group."))
    if not user_can_add_document(user, group=group):
        raise PermissionDenied(_("Only the secretariat and the group's chairs add to its library."))
    form = _upload_form(request, user, group)
    if request.method == "POST":
        done = _upload(request, form, group=group, back=library_url(group))
        if done is not None:
            return done
    return render(
        request,
        "documents/document_upload.html",
        {"nav": "groups", "form": form, "group": group, "meeting": None},
    )


def _items_open_to(user: Actor, meeting: Meeting) -> tuple[QuerySet[AgendaItem], bool]:
    """The meeting's agenda items the user may add a paper to, and whether they may add
    one to the meeting as a whole."""
    group = meeting.group
    items = [
        item.pk
        for item in meeting.agenda_items.all()
        if user_can_add_document(user, group=group, meeting=meeting, agenda_item=item)
    ]
    return (
        AgendaItem.objects.filter(pk__in=items).order_by("position"),
        user_can_add_document(user, group=group, meeting=meeting),
    )


@login_required
def meeting_upload_page(request, meeting_id: int):
    """A paper for a meeting, on one of its agenda items (`?agenda_item=` picks one) or
    on the meeting as a whole: the form offers only where the user may add one."""
    user = request.user
    meeting = meeting_get_for_user(user, meeting_id)
    items, meeting_allowed = _items_open_to(user, meeting)
    if not meeting_allowed and not items.exists():
        raise PermissionDenied(_("You may not add papers to this meeting."))
    form = _upload_form(
        request, user, meeting.group, agenda_items=items, meeting_allowed=meeting_allowed
    )
    if request.method == "POST":
        back = reverse("meeting-detail", args=[meeting.pk])
        done = _upload(request, form, group=meeting.group, meeting=meeting, back=back)
        if done is not None:
            return done
    else:
        asked = request.GET.get("agenda_item", "")
        if asked.isascii() and asked.isdigit() and len(asked) < 19:
            form.initial["agenda_item"] = items.filter(pk=int(asked)).first()
    return render(
        request,
        "documents/document_upload.html",
        {"nav": "meetings", "form": form, "group": meeting.group, "meeting": meeting},
    )
