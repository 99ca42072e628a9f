"""A meeting itself: the list, create and edit, its page, the status changes
(schedule, held, cancel) and the meeting pack (built in the background, served stored).
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from groups.models import CoordinationGroup
from groups.permissions import (
    groups_managed_by,
    groups_visible_to,
    organisations_offered_to,
    people_offered_to,
)
from groups.selectors import confidentiality_trail, group_choices, terms_of_reference
from groups.services import confidentiality_set
from meetings import announcements, forms, services
from meetings.audience import pack_audience_of
from meetings.models import Meeting, MeetingPack
from meetings.pack import PackVersion, meeting_pack_version
from meetings.permissions import (
    action_points_visible_to,
    meeting_get_for_user,
    meetings_visible_to,
    minutes_of_meeting_for_user,
    user_can_manage_meeting,
)
from meetings.selectors import (
    action_points_carried_into,
    answer_tally_from,
    invitations_of_user,
    meeting_answer_counts,
    meeting_detail,
    meeting_filter,
    meeting_list,
    meeting_overview_for_user,
    meeting_pack_of_version,
    update_preview,
)
from meetings.views.shared import (
    agenda_shown,
    detail_url,
    loaded_meeting,
    repeat_submit,
)
from portal.audit import Actor
from portal.pages import form_token_claim, paginate, query_without_page
from portal.trials import kept_if_true, rolled_back


@login_required
@require_GET
def meeting_list_page(request):
    user = request.user
    groups = group_choices(queryset=groups_visible_to(user))
    filters = forms.MeetingFilterForm(request.GET or None, groups=groups)
    meetings = meetings_visible_to(user)
    if filters.is_valid():
        meetings = meeting_filter(queryset=meetings, **filters.cleaned_data)
    else:
        meetings = meeting_filter(queryset=meetings)
    page = paginate(request, meeting_list(queryset=meetings))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "nav": "meetings",
            "filters": filters,
            "page": page,
            "query": query_without_page(request),
            "can_create": groups_managed_by(user).exists(),
        },
    )


def _manageable_groups(user: Actor) -> QuerySet[CoordinationGroup]:
    return groups_managed_by(user).filter(status=CoordinationGroup.Status.ACTIVE).order_by("name")


@login_required
def meeting_create_page(request):
    user = request.user
    groups = _manageable_groups(user)
    if not groups.exists():
        raise PermissionDenied(_("Only the secretariat and the groups' chairs create meetings."))
    organisations = organisations_offered_to(user)
    if request.method == "POST":
        form = forms.MeetingForm(request.POST, groups=groups, organisations=organisations)
        if form.is_valid():
            if not form_token_claim(request):
                return repeat_submit(request, reverse("meeting-list"))
            try:
                meeting = services.meeting_create(
                    group=form.cleaned_data["group"],
                    by=user,
                    **form.meeting_fields(),
                    **forms.confidentiality_values(form),
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The meeting is saved as a draft."))
                return redirect(detail_url(meeting))
    else:
        group = _group_asked_for(request, groups)
        form = forms.MeetingForm(
            groups=groups,
            initial={"group": group.pk if group else request.GET.get("group")},
            group_terms=terms_of_reference(group) if group else None,
            organisations=organisations,
        )
    return render(
        request, "meetings/meeting_form.html", {"nav": "meetings", "form": form, "meeting": None}
    )


def _group_asked_for(request, groups: QuerySet[CoordinationGroup]) -> CoordinationGroup | None:
    """The group a new meeting is for (`?group=`), among those the user may choose."""
    raw = request.GET.get("group", "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    return groups.filter(pk=int(raw)).first()


def is_short_notice_refusal(error: ValidationError) -> bool:
    """Whether a service refused a call because it falls inside the group's notice
    period (services.notice_period_check), so the page offers the reason field."""
    errors = getattr(error, "error_dict", {}).get("start_at", [])
    return any(getattr(item, "code", None) == "short_notice" for item in errors)


@login_required
def meeting_edit_page(request, meeting_id: int):
    """Edit a meeting. A change that tells a scheduled meeting's invitees again (its
    time or place) is first shown as the update it sends, to whom; "send_update" saves
    it, "revise" goes back to the form with what was entered."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    organisations = organisations_offered_to(request.user)
    if request.method == "POST":
        form = forms.MeetingForm(request.POST, meeting=meeting, organisations=organisations)
        if form.is_valid() and "revise" not in request.POST:
            label = forms.confidentiality_values(form)
            confirming = request.POST.get("send_update") == "1"
            try:
                preview = None
                if not (confirming and _update_sent(request, meeting, form, label)):
                    preview = _update_preview(request, meeting, form, label, overtaken=confirming)
                    if preview is None and confirming:
                        # Overtaken, and the change no longer sends an update (someone
                        # else's made it, or the meeting is no longer scheduled).
                        raise ValidationError(_OVERTAKEN_QUIET)
                    if preview is None:
                        _meeting_change(request.user, meeting, form, label)
            except ValidationError as error:
                if is_short_notice_refusal(error):
                    form.offer_short_notice()
                form.add_service_error(error)
            else:
                if preview is not None:
                    return preview
                messages.success(request, _("The meeting is updated."))
                return redirect(detail_url(meeting))
    else:
        form = forms.MeetingForm(meeting=meeting, organisations=organisations)
    return render(
        request,
        "meetings/meeting_form.html",
        {"nav": "meetings", "form": form, "meeting": meeting},
    )


def _meeting_change(user, meeting: Meeting, form: forms.MeetingForm, label: dict) -> Meeting:
    """The edit form's change saved: one form, two services, so the meeting and its
    label change together or not at all. The label first: an update the change sends
    is written for those who may see the meeting under the label it leaves."""
    with transaction.atomic():
        if label["confidentiality"] is not None:
            confidentiality_set(record=meeting, by=user, **label)
        return services.meeting_update(
            meeting=meeting,
            by=user,
            short_notice_reason=form.reason_for_short_notice(),
            **form.meeting_fields(),
        )


_OVERTAKEN_QUIET = gettext_lazy(
    "Nothing was saved: the meeting changed after the preview was shown, and your change "
    "no longer sends an update. Check the meeting as it now stands, then save again."
)

# What the preview posts back besides the form's own fields.
_PREVIEW_FIELDS = {
    "csrfmiddlewaretoken",
    "send_update",
    "revise",
    "previewed_sequence",
    "previewed_addressees",
}


def _update_sent(request, meeting: Meeting, form: forms.MeetingForm, label: dict) -> bool:
    """The change saved from the preview's button, if it sends what was previewed: the
    next update after the sequence the preview saw (read here under the meeting's
    lock), to the same people and organisations. Otherwise rolled back, and False (the
    page previews the change anew)."""

    def change_as_previewed() -> bool:
        sequence_before = services.meeting_sequence_locked(meeting)
        after = _meeting_change(request.user, meeting, form, label)
        return announcements.update_as_previewed(
            after,
            sequence_before=sequence_before,
            sequence=request.POST.get("previewed_sequence"),
            addressees=request.POST.get("previewed_addressees") or "-",
        )

    return kept_if_true(change_as_previewed)


def _update_preview(
    request, meeting: Meeting, form: forms.MeetingForm, label: dict, *, overtaken: bool
) -> HttpResponse | None:
    """The page previewing the update the change would send, or None when it sends
    none (a draft, or no change of time or place). The change is made by the services
    themselves in a transaction rolled back once the page is rendered inside it, so
    that whether an update goes out, to whom (read back from the notices it wrote), and
    what it says are decided by the code that saves and sends it. A ValidationError is
    theirs, raised before anything shows. `overtaken`: the preview's button was pressed
    but the meeting, or whom its update reaches, changed since."""
    if meeting.status != Meeting.Status.SCHEDULED:
        return None
    # Tried on a copy read anew: the page's own instance keeps the meeting as it was.
    trial = meeting_get_for_user(request.user, meeting.pk, manage=True)

    def page() -> HttpResponse | None:
        sequence_before = services.meeting_sequence_locked(trial)
        after = _meeting_change(request.user, trial, form, label)
        if after.sequence == sequence_before:
            return None
        addressees = announcements.update_addressees(after)
        preview = update_preview(
            before=trial,
            after=after,
            changed=services.meeting_fields_changed(trial, after),
            person_ids=addressees.person_ids,
            webhook_organisation_ids=addressees.endpoint_organisation_ids,
        )
        return render(
            request,
            "meetings/update_preview.html",
            {
                "nav": "meetings",
                "meeting": meeting,
                "can_manage": True,
                "preview": preview,
                "carried": [
                    (name, value)
                    for name in request.POST
                    if name not in _PREVIEW_FIELDS
                    for value in request.POST.getlist(name)
                ],
                "previewed_sequence": sequence_before,
                "previewed_addressees": addressees.digest(),
                "overtaken": overtaken,
            },
        )

    return rolled_back(page)


@login_required
@require_GET
def meeting_detail_page(request, meeting_id: int):
    user = request.user
    meeting = loaded_meeting(
        user, meeting_id, read=functools.partial(meeting_overview_for_user, user=user)
    )
    can_manage = user_can_manage_meeting(user, meeting)
    action_points = list(meeting.action_points.all())
    minutes = minutes_of_meeting_for_user(user, meeting)
    people = people_offered_to(user)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "nav": "meetings",
            "meeting": meeting,
            "can_manage": can_manage,
            "own_invitations": invitations_of_user(meeting, user),
            "rsvp": answer_tally_from(meeting_answer_counts(meeting)),
            "action_points": action_points,
            "today": timezone.localdate(),
            "carried": action_points_carried_into(meeting, queryset=action_points_visible_to(user))[
                :20
            ]
            if can_manage
            else [],
            "minutes": minutes,
            # Who changed which label, for those who manage the meeting.
            "confidentiality_trail": confidentiality_trail(
                meeting,
                *meeting.agenda_items.all(),
                *([minutes] if minutes is not None else []),
                *meeting.decisions.all(),
                *action_points,
            )
            if can_manage
            else [],
            "agenda_form": forms.AgendaItemForm(people=people) if can_manage else None,
            "agenda": agenda_shown(meeting),
            "agenda_open": meeting.status in services.OPEN_STATUSES,
            # "Mark as held" is offered once the meeting has begun; the service refuses
            # it before anyway.
            "has_begun": meeting.start_at <= timezone.now(),
        },
    )


def _status_change(request, meeting_id: int, change, done_message: str | Callable[[Meeting], str]):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    if not form_token_claim(request):
        return repeat_submit(request, detail_url(meeting))
    try:
        changed = change(meeting=meeting, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message(changed) if callable(done_message) else done_message)
    return redirect(detail_url(meeting))


def _scheduled_message(meeting: Meeting) -> str:
    if meeting.invitations.exists():
        return _("The meeting is scheduled; the invitations are being sent.")
    # Not refused: invitees added to a scheduled meeting get their invitation at once.
    return _(
        "The meeting is scheduled, but nobody is invited yet. "
        "Everyone you invite now gets the invitation straight away."
    )


@login_required
@require_POST
def meeting_schedule_page(request, meeting_id: int):
    """Schedule the meeting (from the preview's button). Inside the group's notice period
    the preview asks for a reason for short notice; refused without one, the preview is
    shown again with the refusal and the field."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    form = forms.ScheduleForm(request.POST)
    if not form.is_valid():
        for message in form.errors.get("short_notice_reason", []):
            messages.error(request, str(message))
        return redirect("meeting-schedule-preview", meeting.pk)
    if not form_token_claim(request):
        return repeat_submit(request, detail_url(meeting))
    try:
        scheduled = services.meeting_schedule(
            meeting=meeting,
            by=request.user,
            short_notice_reason=form.cleaned_data["short_notice_reason"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        if is_short_notice_refusal(error):
            return redirect("meeting-schedule-preview", meeting.pk)
        return redirect(detail_url(meeting))
    messages.success(request, _scheduled_message(scheduled))
    return redirect(detail_url(meeting))


@login_required
@require_POST
def meeting_held_page(request, meeting_id: int):
    return _status_change(
        request, meeting_id, services.meeting_mark_held, _("The meeting is marked as held.")
    )


@login_required
def meeting_cancel_page(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    form = forms.CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form_token_claim(request):
            return repeat_submit(request, detail_url(meeting))
        try:
            services.meeting_cancel(
                meeting=meeting, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The meeting is cancelled."))
            return redirect(detail_url(meeting))
    return render(
        request,
        "meetings/meeting_cancel.html",
        {"nav": "meetings", "meeting": meeting, "form": form},
    )


def _pack_for_reader(request, meeting_id: int) -> tuple[Meeting, PackVersion, MeetingPack | None]:
    """The meeting through the funnel (404 when hidden), the version of the pack this
    reader gets (their language; the managers' pack, with every row, for those who
    manage the meeting) and its stored pack."""
    user = request.user
    meeting = meeting_get_for_user(user, meeting_id)
    # Everything of the meeting, as the pack's build reads it: the pack shows what its
    # audience may see of it (meetings.pack), whoever asks.
    meeting = meeting_detail(queryset=Meeting.objects.filter(pk=meeting.pk)).get()
    version = meeting_pack_version(
        meeting,
        minutes=minutes_of_meeting_for_user(user, meeting),
        language=get_language() or settings.LANGUAGE_CODE,
        audience=pack_audience_of(user, meeting),
    )
    return meeting, version, meeting_pack_of_version(key=version.key)


def _pack_requested(request, meeting: Meeting, version: PackVersion) -> MeetingPack:
    pack = services.meeting_pack_request(meeting=meeting, version=version, by=request.user)
    # Without a broker (make run) the build ran in-process when the request above was
    # committed, so the pack may be ready already: read it again.
    return meeting_pack_of_version(key=version.key) or pack


def _pack_file_name(meeting: Meeting, pack: MeetingPack) -> str:
    """ASCII only, so every browser keeps it as it is; an Arabic title leaves it out."""
    title = slugify(meeting.title)[:60].strip("-")
    return "-".join(
        part for part in ("meeting-pack", str(meeting.pk), title, pack.language) if part
    )


def _pack_file_response(meeting: Meeting, pack: MeetingPack) -> FileResponse:
    response = FileResponse(
        default_storage.open(pack.file.name, "rb"),
        as_attachment=True,
        filename=f"{_pack_file_name(meeting, pack)}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # What a reader gets depends on who they are: no shared cache may keep it.
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_GET
def meeting_pack_pdf(request, meeting_id: int):
    """The stored pack of what the reader sees now; when it is not built yet, it is asked
    for and a page says so and shows the link as soon as the pack is ready."""
    meeting, version, pack = _pack_for_reader(request, meeting_id)
    if pack is None or pack.status != MeetingPack.Status.READY:
        pack = _pack_requested(request, meeting, version)
    if pack.status == MeetingPack.Status.READY:
        try:
            return _pack_file_response(meeting, pack)
        except FileNotFoundError:
            services.meeting_pack_file_lost(pack=pack, by=request.user)
            pack = _pack_requested(request, meeting, version)
            if pack.status == MeetingPack.Status.READY:
                return _pack_file_response(meeting, pack)
    return render(
        request,
        "meetings/meeting_pack_wait.html",
        {"nav": "meetings", "meeting": meeting, "pack": pack},
        status=202,
    )


@login_required
@require_GET
def meeting_pack_status_fragment(request, meeting_id: int):
    """What the waiting page polls: the pack's state, with the link once it is ready.
    A version that changed while the reader waited is asked for here; a failed one only
    when the reader asks again (the page's link), so a broken build is not retried
    every two seconds."""
    meeting, version, pack = _pack_for_reader(request, meeting_id)
    if pack is None:
        pack = _pack_requested(request, meeting, version)
    return render(request, "meetings/_pack_status.html", {"meeting": meeting, "pack": pack})
