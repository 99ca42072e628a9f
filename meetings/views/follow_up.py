"""Follow-up across meetings on the meeting's page (meetings.follow_up): one click per
action point under "Review of open action points" (htmx swaps the row; without
JavaScript the form posts and returns to the meeting), the adoption of the earlier
minutes, and accepting or dropping a sub-group's report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings import follow_up
from meetings.forms import ActionPointReviewForm, MinutesAdoptionForm
from meetings.models import AgendaItemKind
from meetings.permissions import (
    action_point_get_for_user,
    agenda_item_get_for_user,
    decisions_visible_to,
    meeting_get_for_user,
    minutes_of_meeting_for_user,
    report_back_get_for_user,
)
from meetings.selectors import action_points_for_review
from meetings.views.shared import detail_url, repeat_submit
from portal.pages import form_token_claim


@login_required
@require_POST
def action_point_review_page(request, meeting_id: int, action_point_id: int):
    """Done, still open (with a note) or dropped, as the meeting says."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    action_point = action_point_get_for_user(request.user, action_point_id)
    form = ActionPointReviewForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            follow_up.action_point_review(
                action_point=action_point,
                meeting=meeting,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    else:
        error = " ".join(str(message) for errors in form.errors.values() for message in errors)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("“%(title)s” is reviewed.") % {"title": action_point.title})
        return redirect(detail_url(meeting, f"review-{action_point.pk}"))
    row = action_points_for_review(meeting, request.user).filter(pk=action_point.pk).first()
    if row is None:
        raise Http404(_("No such action point."))
    return render(
        request,
        "meetings/_review_row.html",
        {
            "meeting": meeting,
            "action_point": row,
            "may_review": True,
            "review_form": ActionPointReviewForm(),
            "error": error,
            "today": timezone.localdate(),
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def minutes_adopt_page(request, meeting_id: int, item_id: int):
    """Record the adoption of the earlier minutes on their agenda item."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    item = agenda_item_get_for_user(request.user, item_id, manage=True)
    if item.meeting_id != meeting.pk or item.kind != AgendaItemKind.MINUTES_ADOPTION:
        raise Http404(_("No such agenda item."))
    anchor = f"follow-up-{item.pk}"
    source = item.source_meeting
    minutes = minutes_of_meeting_for_user(request.user, source) if source else None
    if minutes is None:
        raise Http404(_("No such minutes."))
    decisions = list(decisions_visible_to(request.user).filter(meeting=source).order_by("number"))
    form = MinutesAdoptionForm(request.POST, decisions=decisions)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect(detail_url(meeting, anchor))
    if not form_token_claim(request):
        return repeat_submit(request, detail_url(meeting, anchor))
    try:
        follow_up.minutes_adopt(
            item=item,
            corrections=form.cleaned_data["corrections"],
            decision_corrections=form.decision_corrections(),
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The adoption of the minutes is recorded."))
    return redirect(detail_url(meeting, anchor))


def _report_back_decide(request, report_back_id: int, decide, done: str):
    report_back = report_back_get_for_user(request.user, report_back_id, manage=True)
    try:
        decide(report_back=report_back, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(detail_url(report_back.meeting, "agenda-section"))


@login_required
@require_POST
def report_back_accept_page(request, report_back_id: int):
    return _report_back_decide(
        request,
        report_back_id,
        follow_up.report_back_accept,
        _("The report is added to the agenda."),
    )


@login_required
@require_POST
def report_back_drop_page(request, report_back_id: int):
    return _report_back_decide(
        request,
        report_back_id,
        follow_up.report_back_drop,
        _("The report is dropped; it will not be proposed again."),
    )
