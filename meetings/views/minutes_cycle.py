"""The minutes' cycle in the pages: the draft section by section with its comments,
circulating it for comments, commenting, answering, and the versions compared."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meetings import minutes_cycle, minutes_forms
from meetings.models import Meeting, Minutes, MinutesComment
from meetings.permissions import (
    meeting_get_for_user,
    minutes_comment_get_for_user,
    minutes_commenting_organisations,
    minutes_comments_visible_to,
    minutes_of_meeting_for_user,
    user_can_manage_meeting,
)
from meetings.views.shared import repeat_submit
from members.permissions import user_person
from portal.audit import Actor
from portal.pages import form_token_claim


@dataclass
class SectionShown:
    section: minutes_cycle.Section
    comments: list[MinutesComment] = field(default_factory=list)
    comment_form: minutes_forms.CommentForm | None = None
    # Comments on a heading the text no longer has are shown under it all the same.
    heading_gone: bool = False


def _sections_shown(
    user: Actor, meeting: Meeting, minutes: Minutes, *, may_comment: bool
) -> list[SectionShown]:
    """The minutes' sections, each with the comments on it the user may read, and a
    comment form when the user may comment now; comments on a heading the text no
    longer has come last, under their own heading."""
    comments = list(
        minutes_comments_visible_to(user)
        .filter(minutes=minutes)
        .select_related("organisation", "author__person", "answered_by")
        .order_by("created_at", "pk")
    )
    shown = [
        SectionShown(section)
        for section in minutes_cycle.minutes_sections(minutes.body, meeting.agenda_items.all())
    ]
    by_heading = {entry.section.heading: entry for entry in shown}
    for comment in comments:
        entry = by_heading.get(comment.section)
        if entry is None:
            entry = SectionShown(
                minutes_cycle.Section(heading=comment.section, text=""), heading_gone=True
            )
            by_heading[comment.section] = entry
            shown.append(entry)
        entry.comments.append(comment)
    if may_comment:
        headings = minutes_cycle.minutes_section_headings(minutes)
        for entry in shown:
            if entry.section.heading in headings:
                entry.comment_form = minutes_forms.CommentForm(
                    initial={"section": entry.section.heading}
                )
    return shown


def minutes_cycle_context(user: Actor, meeting: Meeting, minutes: Minutes | None) -> dict:
    """What the minutes page shows of the cycle: the sections with their comments, and
    the forms the user may use (circulate, approve on behalf of, comment, answer)."""
    if minutes is None:
        return {"cycle": None}
    can_manage = user_can_manage_meeting(user, meeting)
    is_open = minutes_cycle.comments_open(minutes)
    may_comment = is_open and bool(minutes_commenting_organisations(user, minutes))
    signatories = minutes_cycle.minutes_signatories(meeting)
    person = user_person(user)
    own_capacity = next(
        (s for s in signatories if person is not None and s.person.pk == person.pk), None
    )
    return {
        "cycle": {
            "sections": _sections_shown(user, meeting, minutes, may_comment=may_comment),
            "is_open": is_open,
            "closed_early_at": minutes_cycle.comments_closed_early_at(minutes),
            "may_comment": may_comment,
            "can_answer": can_manage and minutes.status != Minutes.Status.PUBLISHED,
            "answer_form": minutes_forms.AnswerForm(),
            "circulate_form": minutes_forms.CirculateForm()
            if can_manage and minutes.status == Minutes.Status.DRAFT
            else None,
            "approve_form": minutes_forms.ApproveForm(signatories=signatories)
            if can_manage and own_capacity is None and signatories
            else None,
            "own_capacity": own_capacity,
            "approval": minutes_cycle.approval_text(minutes),
            "versions": minutes_cycle.minutes_versions_for(user, minutes).count(),
        }
    }


def _minutes_or_404(user: Actor, meeting: Meeting) -> Minutes:
    minutes = minutes_of_meeting_for_user(user, meeting)
    if minutes is None:
        raise Http404("No minutes yet.")
    return minutes


@login_required
@require_POST
def minutes_circulate_page(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    minutes = _minutes_or_404(request.user, meeting)
    form = minutes_forms.CirculateForm(request.POST)
    if form.is_valid():
        if not form_token_claim(request):
            return repeat_submit(request, reverse("meeting-minutes", args=[meeting.pk]))
        until = form.cleaned_data["comments_until"]
        if timezone.is_naive(until):
            until = timezone.make_aware(until, meeting.zone)
        try:
            minutes_cycle.minutes_circulate(minutes=minutes, comments_until=until, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The draft minutes are circulated for comments."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("meeting-minutes", meeting.pk)


@login_required
@require_POST
def minutes_comment_add_page(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id)
    minutes = _minutes_or_404(request.user, meeting)
    form = minutes_forms.CommentForm(request.POST)
    anchor = ""
    if form.is_valid():
        if not form_token_claim(request):
            return repeat_submit(request, reverse("meeting-minutes", args=[meeting.pk]))
        section = form.cleaned_data["section"]
        anchor = "#" + minutes_cycle.Section(heading=section, text="").anchor
        try:
            minutes_cycle.minutes_comment_add(
                minutes=minutes,
                section=section,
                agenda_item=None,
                body=form.cleaned_data["body"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your comment is sent to the secretariat."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("meeting-minutes", args=[meeting.pk]) + anchor)


@login_required
@require_POST
def minutes_comment_answer_page(request, meeting_id: int, comment_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    comment = minutes_comment_get_for_user(request.user, comment_id, answer=True)
    if comment.minutes.meeting_id != meeting.pk:
        raise Http404("No such comment.")
    form = minutes_forms.AnswerForm(request.POST)
    if form.is_valid():
        if not form_token_claim(request):
            return repeat_submit(request, reverse("meeting-minutes", args=[meeting.pk]))
        try:
            minutes_cycle.minutes_comment_answer(
                comment=comment,
                answer=form.cleaned_data["answer"],
                applied=form.cleaned_data["applied"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The answer is recorded."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    anchor = minutes_cycle.Section(heading=comment.section, text="").anchor
    return redirect(reverse("meeting-minutes", args=[meeting.pk]) + "#" + anchor)


def _version_number(raw: str | None, numbers: list[int], default: int) -> int:
    try:
        number = int(raw or default)
    except ValueError:
        return default
    return number if number in numbers else default


@login_required
@require_GET
def minutes_versions_page(request, meeting_id: int):
    """Every version of the minutes the reader may read, and two of them compared (by
    default the last two): lines removed and added, marked in words as well as colour."""
    meeting = meeting_get_for_user(request.user, meeting_id)
    minutes = _minutes_or_404(request.user, meeting)
    versions = list(minutes_cycle.minutes_versions_for(request.user, minutes))
    numbers = [version.number for version in versions]
    comparison = None
    old = new = None
    if len(versions) >= 2:
        new_number = _version_number(request.GET.get("new"), numbers, numbers[0])
        old_number = _version_number(request.GET.get("old"), numbers, numbers[1])
        by_number = {version.number: version for version in versions}
        old, new = by_number[old_number], by_number[new_number]
        comparison = minutes_cycle.minutes_versions_compare(old, new)
    return render(
        request,
        "meetings/minutes_versions.html",
        {
            "nav": "meetings",
            "meeting": meeting,
            "minutes": minutes,
            "versions": versions,
            "old": old,
            "new": new,
            "comparison": comparison,
            "changed": comparison is not None and any(line.change != "same" for line in comparison),
        },
    )
