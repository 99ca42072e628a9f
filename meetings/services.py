"""Writes for meetings, agendas, invitations, attendance, minutes and actions.

The meeting's life: draft → scheduled → held, or cancelled from draft or
scheduled. A held meeting cannot be cancelled, and minutes are published only
for held meetings, so published minutes never belong to a cancelled meeting.
"""

import datetime as dt
import logging
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_user_perms, remove_perm

from groups.models import CoordinationGroup
from groups.services import Label, label_for_new
from meetings import announcements, follow_up, minutes_cycle, references
from meetings.decision_records import meeting_decision_write
from meetings.minutes_versions import minutes_version_add
from meetings.models import (
    INTERPRETATION_LANGUAGES,
    ActionPoint,
    AgendaItem,
    Attendance,
    AttendanceMode,
    Decision,
    Invitation,
    Meeting,
    MeetingPack,
    MeetingSeries,
    Minutes,
    MinutesVersion,
    meeting_pack_file_name,
)
from meetings.pack import PackVersion, meeting_pack_pdf
from meetings.permissions import minutes_for_audience, user_may_call_short_notice
from meetings.selectors import (
    UnreachedOrganisation,
    group_invitees,
    meeting_detail,
    organisations_unreached,
    series_drafts_to_schedule,
    series_is_announced,
    short_notice_of,
)
from meetings.series import MAX_SPAN as SERIES_MAX_SPAN
from meetings.series import first_start, last_start, occurrence_starts, slot_for_day
from members.models import Organisation, Person
from members.services import person_check_active
from notices import outbox
from notices.outbox import NoticeKind
from portal.audit import Actor, audited_delete, audited_save, author_of
from portal.celery import app as celery_app
from portal.dates import moment_in_range
from portal.pages import local_name

logger = logging.getLogger(__name__)

Status = Meeting.Status
# Changes that invitees must be told about, raising the calendar SEQUENCE.
NOTIFIABLE_FIELDS = {"start_at", "end_at", "time_zone", "venue", "online_url"}
MEETING_FIELDS = NOTIFIABLE_FIELDS | {"title", "kind", "description"}
OPEN_STATUSES = {Status.DRAFT, Status.SCHEDULED}


def meeting_sequence_locked(meeting: Meeting) -> int:
    """The meeting's notice sequence as it stands, its row locked to the end of the
    transaction: a write checked against a preview reads it before writing."""
    return Meeting.objects.select_for_update().values_list("sequence", flat=True).get(pk=meeting.pk)


def meeting_fields_changed(before: Meeting, after: Meeting) -> set[str]:
    """What meeting_update changed between two readings of a meeting: its fields, and
    the reason for short notice it records (for a preview to list)."""
    names = (*MEETING_FIELDS, "short_notice_reason")
    return {name for name in names if getattr(before, name) != getattr(after, name)}


def _to_the_minute(value: Any) -> Any:
    # Calendars (and people) keep meeting times to the minute; so do we.
    if isinstance(value, dt.datetime):
        return value.replace(second=0, microsecond=0)
    return value


def _new_calendar_uid(kind: str = "meeting") -> str:
    host = urlsplit(settings.SITE_URL).hostname or "tansiq.local"
    return f"{kind}-{uuid.uuid4()}@{host}"


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _not_into_the_past(moments: dict[str, Any], refusal: str) -> None:
    """Refuse a start or end before the current minute (times are kept to the minute, so
    a meeting may start in the minute it is saved). A moment outside the portal's range
    of dates is left to the range check, whose sentence says more."""
    this_minute = _to_the_minute(timezone.now())
    for name in ("start_at", "end_at"):
        moment = moments.get(name)
        if moment is not None and moment_in_range(moment) and moment < this_minute:
            raise ValidationError({name: refusal})


def _require_status(meeting: Meeting, allowed: Collection[str], refusal: str) -> None:
    """`refusal` is a whole translated sentence naming the %(status)s: sentences built
    from fragments cannot be translated."""
    if meeting.status not in allowed:
        status = meeting.get_status_display().lower()
        raise ValidationError({"status": refusal % {"status": status}})


# --- Meetings -------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    group: CoordinationGroup,
    title: str,
    start_at: dt.datetime,
    end_at: dt.datetime,
    by: Actor,
    record_past: bool = False,
    confidentiality: str | None = None,
    restricted_to: Iterable[Organisation] = (),
    **fields: Any,
) -> Meeting:
    """A draft meeting. It starts in the future unless `record_past`: a meeting that took
    place and is recorded afterwards (the demo, imports); the pages and the API never
    ask for that. Its label is `confidentiality` (with the organisations a restricted
    one names), or else the group's usual one from its terms of reference."""
    unknown = set(fields) - MEETING_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    if group.is_archived:
        raise ValidationError({"group": _("The group is archived.")})
    if not record_past:
        _not_into_the_past(
            {"start_at": _to_the_minute(start_at)}, _("A new meeting cannot start in the past.")
        )
    label = label_for_new(confidentiality=confidentiality, restricted_to=restricted_to, group=group)
    meeting = Meeting(
        calendar_uid=_new_calendar_uid(),
        group=group,
        title=title,
        start_at=_to_the_minute(start_at),
        end_at=_to_the_minute(end_at),
        created_by=author_of(by),
        confidentiality=label.confidentiality,
        **fields,
    )
    audited_save(meeting, by=by)
    label.attach(meeting)
    follow_up.agenda_follow_up_ensure(meeting=meeting, by=by)
    return meeting


def notice_period_check(
    *, group: CoordinationGroup, start_at: dt.datetime, short_notice_reason: str, by: Actor
) -> bool:
    """Whether a meeting of `group` called now for `start_at` is called at short notice:
    inside the notice period of the group's terms of reference (or of a group above).
    Such a call needs a reason, given by someone who may override the rule
    (meetings.permissions.user_may_call_short_notice; the portal itself, `by` None, may);
    otherwise it is refused with the rule, on start_at."""
    short = short_notice_of(group=group, start_at=start_at)
    if short is None:
        return False
    allowed = by is None or user_may_call_short_notice(by, group)
    if allowed and short_notice_reason.strip():
        return True
    if not allowed:
        remedy = _(
            "Only the secretariat and the group's chairs may call a meeting at short notice."
        )
    else:
        remedy = _("Give a reason for short notice to call it anyway.")
    raise ValidationError(
        {"start_at": ValidationError(f"{short.explanation()} {remedy}", code="short_notice")}
    )


def _short_notice_set(meeting: Meeting, *, short_notice_reason: str, by: Actor) -> None:
    """Check the meeting's call against its group's notice period, and record the
    override (reason and who gave it), or clear an earlier one the call no longer needs."""
    short = notice_period_check(
        group=meeting.group,
        start_at=meeting.start_at,
        short_notice_reason=short_notice_reason,
        by=by,
    )
    meeting.short_notice_reason = short_notice_reason.strip() if short else ""
    meeting.short_notice_by = author_of(by) if short else None


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, by: Actor, short_notice_reason: str = "", **changes: Any
) -> Meeting:
    """Change a draft or scheduled meeting. A scheduled meeting moved to a start inside
    its group's notice period is called anew at short notice: that needs
    `short_notice_reason` (notice_period_check); a draft is not called yet."""
    unknown = set(changes) - MEETING_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    meeting = _locked(meeting)
    _require_status(meeting, OPEN_STATUSES, _("A %(status)s meeting cannot be changed."))
    changes = {name: _to_the_minute(value) for name, value in changes.items()}
    changed = {name for name, value in changes.items() if getattr(meeting, name) != value}
    _not_into_the_past(
        {name: changes[name] for name in changed & {"start_at", "end_at"}},
        _("A meeting cannot be moved into the past."),
    )
    for name in changed:
        setattr(meeting, name, changes[name])
    if changed and meeting.series_id is not None:
        # Changed by hand: the series' own changes pass it by from now on, and calendars
        # hold it as an exception to the rule (RECURRENCE-ID).
        meeting.detached_from_series = True
    if meeting.status == Status.SCHEDULED and "start_at" in changed:
        _short_notice_set(meeting, short_notice_reason=short_notice_reason, by=by)
    must_tell = meeting.status == Status.SCHEDULED and bool(changed & NOTIFIABLE_FIELDS)
    if must_tell:
        meeting.sequence += 1
    if changed:
        audited_save(meeting, by=by)
    if must_tell:
        announcements.meeting_announce(meeting, kind=NoticeKind.UPDATE)
        if changed & {"start_at", "end_at"}:
            announcements.reminders_plan(meeting)
    return meeting


@transaction.atomic
def meeting_schedule(*, meeting: Meeting, by: Actor, short_notice_reason: str = "") -> Meeting:
    """Call the meeting: draft → scheduled, the invitations go out. Inside its group's
    notice period that needs `short_notice_reason` (notice_period_check)."""
    meeting = _locked(meeting)
    _require_status(meeting, {Status.DRAFT}, _("A %(status)s meeting cannot be scheduled."))
    if meeting.series is not None and not series_is_announced(meeting.series):
        raise ValidationError(
            {"status": _("A meeting of a series is scheduled with its series, all together.")}
        )
    if meeting.start_at <= timezone.now():
        raise ValidationError({"start_at": _("Only a meeting in the future can be scheduled.")})
    _short_notice_set(meeting, short_notice_reason=short_notice_reason, by=by)
    meeting.status = Status.SCHEDULED
    # Under the meeting's lock and the counter's, in this transaction: a refusal below
    # gives the number back with everything else.
    references.reference_assign(meeting)
    audited_save(meeting, by=by)
    announcements.meeting_announce(meeting, kind=NoticeKind.INVITATION)
    announcements.reminders_plan(meeting)
    return meeting


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, by: Actor) -> Meeting:
    meeting = _locked(meeting)
    _require_status(meeting, OPEN_STATUSES, _("A %(status)s meeting cannot be marked as held."))
    if meeting.start_at > timezone.now():
        raise ValidationError({"start_at": _("A meeting cannot be held before it starts.")})
    meeting.status = Status.HELD
    # A meeting recorded after it took place was never scheduled: its decisions need
    # a reference all the same.
    references.reference_assign(meeting)
    return audited_save(meeting, by=by)


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str = "", by: Actor) -> Meeting:
    meeting = _locked(meeting)
    _require_status(meeting, OPEN_STATUSES, _("A %(status)s meeting cannot be cancelled."))
    was_announced = meeting.status == Status.SCHEDULED
    meeting.status = Status.CANCELLED
    meeting.cancellation_reason = reason
    meeting.sequence += 1
    audited_save(meeting, by=by)
    announcements.reminders_clear(meeting)
    if was_announced:
        announcements.meeting_announce(meeting, kind=NoticeKind.CANCELLATION)
    return meeting


@transaction.atomic
def meeting_delete_draft(*, meeting: Meeting, by: Actor) -> None:
    """Delete a draft: nobody has been told of it, so nothing is lost. A scheduled
    meeting is cancelled instead (its invitees hear of it); a held one stays."""
    meeting = _locked(meeting)
    _require_status(meeting, {Status.DRAFT}, _("A %(status)s meeting cannot be deleted."))
    if meeting.series_id is not None:
        raise ValidationError(
            {"status": _("A meeting of a series is cancelled, not deleted: its slot stays.")}
        )
    # Its packs' rows go with it (CASCADE); their files only once that is committed.
    pack_files = list(meeting.packs.exclude(file="").values_list("file", flat=True))
    audited_delete(meeting, by=by)
    transaction.on_commit(partial(_pack_files_delete, pack_files))


MEETING_GRANTS = {"view_meeting", "change_meeting"}


@transaction.atomic
def meeting_access_set(
    *, meeting: Meeting, user: User, permissions: set[str], by: Actor
) -> set[str]:
    """Make `permissions` (view_meeting, change_meeting) exactly the user's direct
    grants on one meeting: e.g. a guest expert who sits in no group."""
    unknown = set(permissions) - MEETING_GRANTS
    if unknown:
        raise ValidationError(
            {
                "permissions": _("Unknown permissions: %(names)s.")
                % {"names": ", ".join(sorted(unknown))}
            }
        )
    held = set(get_user_perms(user, meeting)) & MEETING_GRANTS
    for codename in held - set(permissions):
        remove_perm(codename, user, meeting)
    for codename in set(permissions) - held:
        assign_perm(codename, user, meeting)
    return set(permissions)


# --- Agenda -----------------------------------------------------------------------


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    title: str,
    by: Actor,
    description: str = "",
    presenter: Person | None = None,
    duration_minutes: int = 15,
    confidentiality: str | None = None,
    restricted_to: Iterable[Organisation] = (),
) -> AgendaItem:
    """An item at the end of the agenda; its label is the meeting's (and its
    organisations) unless `confidentiality` says otherwise."""
    meeting = _locked(meeting)
    _require_status(
        meeting, OPEN_STATUSES, _("A %(status)s meeting cannot be given new agenda items.")
    )
    label = label_for_new(
        confidentiality=confidentiality,
        restricted_to=restricted_to,
        group=meeting.group,
        container=meeting,
    )
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem(
        meeting=meeting,
        position=last + 1,
        title=title,
        description=description,
        presenter=presenter,
        duration_minutes=duration_minutes,
        confidentiality=label.confidentiality,
    )
    audited_save(item, by=by)
    label.attach(item)
    return item


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, by: Actor, **changes: Any) -> AgendaItem:
    allowed = {"title", "description", "presenter", "duration_minutes"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    _require_status(
        _locked(item.meeting),
        OPEN_STATUSES,
        _("A %(status)s meeting cannot be given a changed agenda."),
    )
    for name, value in changes.items():
        setattr(item, name, value)
    return audited_save(item, by=by)


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by: Actor) -> None:
    meeting = _locked(item.meeting)
    _require_status(
        meeting, OPEN_STATUSES, _("A %(status)s meeting cannot be given a changed agenda.")
    )
    position = item.position
    audited_delete(item, by=by)
    # Close the gap one item at a time, lowest first, so no two rows ever share a position.
    for following in meeting.agenda_items.filter(position__gt=position).order_by("position"):
        following.position -= 1
        audited_save(following, by=by, update_fields=["position"], validate=False)


@transaction.atomic
def agenda_reorder(*, meeting: Meeting, item_ids: Sequence[int], by: Actor) -> list[AgendaItem]:
    meeting = _locked(meeting)
    _require_status(
        meeting, OPEN_STATUSES, _("A %(status)s meeting cannot be given a changed agenda.")
    )
    items = {item.pk: item for item in meeting.agenda_items.all()}
    if len(item_ids) != len(set(item_ids)) or set(item_ids) != set(items):
        raise ValidationError(
            {"item_ids": _("List every agenda item of the meeting exactly once.")}
        )
    # Two passes so the unique (meeting, position) constraint holds at every step.
    offset = len(items) + 1
    meeting.agenda_items.update(position=F("position") + offset)
    ordered = []
    for position, item_id in enumerate(item_ids, start=1):
        item = items[item_id]
        item.position = position
        audited_save(item, by=by, update_fields=["position"], validate=False)
        ordered.append(item)
    return ordered


# --- Invitations ------------------------------------------------------------------


@transaction.atomic
def invitation_create(*, meeting: Meeting, person: Person, by: Actor) -> Invitation:
    meeting = _locked(meeting)
    _require_status(meeting, OPEN_STATUSES, _("A %(status)s meeting cannot be given new invitees."))
    if meeting.invitations.filter(person=person).exists():
        raise ValidationError({"person": _("%(person)s is already invited.") % {"person": person}})
    person_check_active(person)
    invitation = Invitation(meeting=meeting, person=person, organisation=person.organisation)
    audited_save(invitation, by=by)
    if meeting.status == Status.SCHEDULED:
        announcements.meeting_announce(meeting, kind=NoticeKind.INVITATION, people=[person])
    return invitation


@dataclass(frozen=True)
class GroupInvitations:
    """What inviting the group did: the new invitations, the current member
    organisations (observers too) that still have nobody invited, and the newly invited
    people without an e-mail address, who will get no invitation."""

    invitations: list[Invitation]
    unreached_organisations: list[UnreachedOrganisation]
    without_email: list[Person]

    def shortfalls(self) -> list[str]:
        """Whom it could not reach, a sentence each, for the page and the admin alike."""
        sentences = []
        for unreached in self.unreached_organisations:
            sentence = (
                _("Nobody is invited for %(organisation)s (observer). %(reason)s")
                if unreached.is_observer
                else _("Nobody is invited for %(organisation)s. %(reason)s")
            )
            sentences.append(
                sentence
                % {
                    "organisation": local_name(unreached.organisation),
                    "reason": unreached.reason_label,
                }
            )
        if self.without_email:
            sentences.append(
                _("No e-mail address, so no invitation will reach them: %(people)s.")
                % {"people": ", ".join(local_name(person) for person in self.without_email)}
            )
        return sentences


@transaction.atomic
def invitations_create_for_group(*, meeting: Meeting, by: Actor) -> GroupInvitations:
    """Invite the chair and co-chair seat holders and every current representative of
    the meeting's group who is not invited yet, and say whom it could not reach."""
    meeting = _locked(meeting)
    _require_status(meeting, OPEN_STATUSES, _("A %(status)s meeting cannot be given new invitees."))
    already = set(meeting.invitations.values_list("person_id", flat=True))
    people = group_invitees(meeting.group).exclude(pk__in=already)
    invitations = [
        audited_save(
            Invitation(meeting=meeting, person=person, organisation_id=person.organisation_id),
            by=by,
            validate=False,
        )
        for person in people
    ]
    if invitations and meeting.status == Status.SCHEDULED:
        announcements.meeting_announce(
            meeting, kind=NoticeKind.INVITATION, people=[i.person for i in invitations]
        )
    return GroupInvitations(
        invitations=invitations,
        unreached_organisations=organisations_unreached(meeting),
        without_email=[i.person for i in invitations if not i.person.email],
    )


@transaction.atomic
def invitation_respond(
    *,
    invitation: Invitation,
    response: str,
    by: Actor,
    alternate: Person | None = None,
    note: str = "",
) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().select_related("meeting").get(pk=invitation.pk)
    )
    meeting = invitation.meeting
    if meeting.status != Status.SCHEDULED:
        state = meeting.get_status_display().lower()
        raise ValidationError(
            {"response": _("The meeting is %(status)s; answers are closed.") % {"status": state}}
        )
    if meeting.end_at <= timezone.now():
        raise ValidationError({"response": _("The meeting is over; answers are closed.")})
    if response not in Invitation.Response.values or response == Invitation.Response.PENDING:
        raise ValidationError({"response": _("Answer accepted, declined, tentative or alternate.")})
    if response == Invitation.Response.ALTERNATE:
        if alternate is None:
            raise ValidationError({"alternate": _("Name the alternate you are sending.")})
        if alternate.pk == invitation.person_id:
            raise ValidationError({"alternate": _("The alternate must be someone else.")})
        if invitation.organisation_id and alternate.organisation_id != invitation.organisation_id:
            raise ValidationError(
                {
                    "alternate": _("%(person)s does not work for %(organisation)s.")
                    % {"person": alternate, "organisation": invitation.organisation}
                }
            )
    elif alternate is not None:
        raise ValidationError({"alternate": _("Name an alternate only when sending one.")})
    previous_alternate_id = invitation.alternate_id
    invitation.response = response
    invitation.alternate = alternate
    invitation.response_note = note
    invitation.responded_at = timezone.now()
    invitation.responded_by = author_of(by)
    newly_sent = alternate is not None and alternate.pk != previous_alternate_id
    audited_save(invitation, by=by)
    if newly_sent:
        announcements.alternate_announce(invitation)
    return invitation


# --- Attendance ---------------------------------------------------------------------


def _check_attendance_manner(*, mode: str | None, interpretation: str | None) -> None:
    """How someone attended and the interpretation they need, when given."""
    if mode is not None and mode not in AttendanceMode.values:
        raise ValidationError({"mode": _("Choose how the person attended: in person or online.")})
    codes = {""} | {code for code, _label in INTERPRETATION_LANGUAGES}
    if interpretation is not None and interpretation not in codes:
        raise ValidationError(
            {
                "interpretation": _(
                    "Choose the interpretation needed: Arabic, English, French or none."
                )
            }
        )


@transaction.atomic
def attendance_record(
    *,
    meeting: Meeting,
    person: Person,
    by: Actor,
    organisation: Organisation | None = None,
    mode: str = AttendanceMode.IN_PERSON,
    interpretation: str = "",
) -> Attendance:
    _check_attendance_manner(mode=mode, interpretation=interpretation)
    meeting = _locked(meeting)
    _require_status(
        meeting,
        {Status.SCHEDULED, Status.HELD},
        _("A %(status)s meeting cannot be given an attendance register."),
    )
    if meeting.start_at > timezone.now():
        raise ValidationError({"person": _("Attendance is recorded once the meeting has started.")})
    if meeting.attendance.filter(person=person).exists():
        raise ValidationError(
            {"person": _("%(person)s is already in the register.") % {"person": person}}
        )
    invitation = meeting.invitations.filter(person=person).first()
    attendance = Attendance(
        meeting=meeting,
        person=person,
        organisation=organisation or person.organisation,
        invitation=invitation,
        mode=mode,
        interpretation=interpretation,
    )
    return audited_save(attendance, by=by)


@transaction.atomic
def attendance_update(
    *,
    attendance: Attendance,
    by: Actor,
    mode: str | None = None,
    interpretation: str | None = None,
) -> Attendance:
    """Change how someone attended (in person, online) or the interpretation they need;
    what is not given stays."""
    _check_attendance_manner(mode=mode, interpretation=interpretation)
    meeting = _locked(attendance.meeting)
    _require_status(
        meeting,
        {Status.SCHEDULED, Status.HELD},
        _("A %(status)s meeting cannot be given an attendance register."),
    )
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    changed = []
    if mode is not None and mode != attendance.mode:
        attendance.mode = mode
        changed.append("mode")
    if interpretation is not None and interpretation != attendance.interpretation:
        attendance.interpretation = interpretation
        changed.append("interpretation")
    if not changed:
        return attendance
    return audited_save(attendance, by=by, update_fields=changed)


@transaction.atomic
def attendance_remove(*, attendance: Attendance, by: Actor) -> None:
    meeting = _locked(attendance.meeting)
    _require_status(
        meeting,
        {Status.SCHEDULED, Status.HELD},
        _("A %(status)s meeting cannot be given an attendance register."),
    )
    audited_delete(attendance, by=by)


# --- Minutes ------------------------------------------------------------------------


@transaction.atomic
def minutes_save(
    *,
    meeting: Meeting,
    body: str,
    by: Actor,
    confidentiality: str | None = None,
    restricted_to: Iterable[Organisation] = (),
) -> Minutes:
    """Write or rewrite the minutes; rewriting approved minutes needs approval again.
    The first draft takes `confidentiality`, or else the meeting's label; later a label
    changes through groups.services.confidentiality_set."""
    meeting = _locked(meeting)
    _require_status(meeting, {Status.HELD}, _("A %(status)s meeting cannot be given minutes."))
    if not body.strip():
        raise ValidationError({"body": _("The minutes are empty.")})
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        label = label_for_new(
            confidentiality=confidentiality,
            restricted_to=restricted_to,
            group=meeting.group,
            container=meeting,
        )
        minutes = audited_save(
            Minutes(meeting=meeting, body=body, confidentiality=label.confidentiality), by=by
        )
        label.attach(minutes)
        minutes_version_add(minutes, reason=MinutesVersion.Reason.DRAFTED, by=by)
        follow_up.minutes_follow_up(minutes=minutes, by=by)
        return minutes
    if minutes.status == Minutes.Status.PUBLISHED:
        raise ValidationError({"body": _("Published minutes cannot be changed.")})
    if body == minutes.body:
        return minutes
    minutes.body = body
    minutes.status = Minutes.Status.DRAFT
    minutes.approved_at = None
    minutes.approved_by = None
    minutes.approved_as = ""
    minutes.approved_for = None
    minutes_version_add(minutes, reason=MinutesVersion.Reason.EDITED, by=by)
    return audited_save(minutes, by=by)


@transaction.atomic
def minutes_create(
    *,
    meeting: Meeting,
    body: str,
    by: Actor,
    confidentiality: str | None = None,
    restricted_to: Iterable[Organisation] = (),
) -> Minutes:
    """The first draft of a meeting's minutes; a second one is refused (change the
    first instead), so two writers never overwrite each other unawares."""
    meeting = _locked(meeting)
    if Minutes.objects.filter(meeting=meeting).exists():
        raise ValidationError({"meeting": _("The meeting has minutes already; change those.")})
    return minutes_save(
        meeting=meeting,
        body=body,
        by=by,
        confidentiality=confidentiality,
        restricted_to=restricted_to,
    )


@transaction.atomic
def minutes_approve(*, minutes: Minutes, by: Actor, on_behalf_of: Person | None = None) -> Minutes:
    """The chair's or co-chair's sign-off, or the secretariat's on behalf of the one it
    names (meetings.minutes_cycle.approval_record). Approved minutes take no more
    comments (meetings.minutes_cycle.comments_open), whatever date was announced."""
    minutes = (
        Minutes.objects.select_for_update().select_related("meeting__group").get(pk=minutes.pk)
    )
    if minutes.status != Minutes.Status.DRAFT:
        raise ValidationError({"status": _("Only draft minutes can be approved.")})
    minutes_cycle.approval_record(minutes, by=by, on_behalf_of=on_behalf_of)
    minutes.status = Minutes.Status.APPROVED
    minutes.approved_at = timezone.now()
    minutes.approved_by = author_of(by)
    return audited_save(minutes, by=by)


@transaction.atomic
def minutes_publish(*, minutes: Minutes, by: Actor) -> Minutes:
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    # Locking the meeting keeps a concurrent cancel from slipping in between.
    meeting = _locked(minutes.meeting)
    if meeting.status != Status.HELD:
        state = meeting.get_status_display().lower()
        raise ValidationError(
            {
                "status": _("Minutes of a %(status)s meeting cannot be published.")
                % {"status": state}
            }
        )
    if minutes.status != Minutes.Status.APPROVED:
        raise ValidationError({"status": _("Minutes are approved before they are published.")})
    minutes.status = Minutes.Status.PUBLISHED
    minutes.published_at = timezone.now()
    audited_save(minutes, by=by)
    announcements.minutes_announce(meeting)
    follow_up.minutes_follow_up(minutes=minutes, by=by)
    return minutes


# --- Decisions and action points ------------------------------------------------------


@transaction.atomic
def decision_add(
    *,
    meeting: Meeting,
    text: str,
    by: Actor,
    agenda_item: AgendaItem | None = None,
    confidentiality: str | None = None,
    restricted_to: Iterable[Organisation] = (),
    correction_at: Meeting | None = None,
) -> Decision:
    """A decision of a held meeting, numbered in order; its label is the meeting's
    unless `confidentiality` says otherwise. Members read it once the minutes are
    published (meetings.permissions.decisions_visible_to). Published minutes freeze
    their meeting's decisions: one is added then only as a correction recorded at the
    later meeting `correction_at` that adopts the minutes."""
    meeting = _locked(meeting)
    _require_status(meeting, {Status.HELD}, _("A %(status)s meeting cannot be given decisions."))
    minutes_cycle.decisions_frozen_check(meeting, correction_at=correction_at)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("The agenda item belongs to another meeting.")})
    return meeting_decision_write(
        meeting,
        text=text,
        by=by,
        agenda_item=agenda_item,
        confidentiality=confidentiality,
        restricted_to=restricted_to,
        correction_at=correction_at,
    )


# The register's changes of status. A decision's words stay as they were taken; its
# status says whether it still stands: adopted, superseded by a later decision of the
# same group, or withdrawn (with a reason). Both are final: a decision that no longer
# stands is not brought back, a newer decision is taken instead.


def _decisions_locked(*decisions: Decision) -> list[Decision]:
    # Locked in id order, so two changes touching the same pair cannot deadlock.
    ids = sorted({decision.pk for decision in decisions})
    # Ordered by id alone: the model's ordering goes through the meeting, which a decision
    # by written procedure lacks, and PostgreSQL locks no row of an outer join.
    rows = Decision.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    by_id = {row.pk: row for row in rows}
    return [by_id[decision.pk] for decision in decisions]


def _require_standing(decision: Decision) -> None:
    if decision.status != Decision.Status.ADOPTED:
        raise ValidationError(
            {
                "status": _("The decision is %(status)s already; only an adopted one can change.")
                % {"status": decision.get_status_display().lower()}
            }
        )


@transaction.atomic
def decision_supersede(
    *, decision: Decision, by_decision: Decision, by: Actor, reason: str = ""
) -> Decision:
    """Mark `decision` as superseded by a later adopted decision of its group: taken on a
    later day, or the same day (at a later meeting, by written procedure, or later in the
    same meeting)."""
    decision, by_decision = _decisions_locked(decision, by_decision)
    _require_standing(decision)
    if by_decision.pk == decision.pk:
        raise ValidationError({"superseded_by": _("A decision cannot supersede itself.")})
    if by_decision.group_id != decision.group_id:
        raise ValidationError(
            {"superseded_by": _("Only a decision of the same group can supersede it.")}
        )
    if by_decision.decided_on < decision.decided_on or (
        by_decision.meeting_id is not None
        and by_decision.meeting_id == decision.meeting_id
        and by_decision.number < decision.number
    ):
        raise ValidationError(
            {"superseded_by": _("Only a decision taken after it can supersede it.")}
        )
    if by_decision.status != Decision.Status.ADOPTED:
        raise ValidationError(
            {"superseded_by": _("A decision that no longer stands cannot supersede another.")}
        )
    decision.status = Decision.Status.SUPERSEDED
    decision.superseded_by = by_decision
    decision.status_reason = reason.strip()
    decision.status_changed_at = timezone.now()
    return audited_save(decision, by=by)


@transaction.atomic
def decision_withdraw(*, decision: Decision, reason: str, by: Actor) -> Decision:
    """Withdraw an adopted decision; the reason is required and shown in the register."""
    (decision,) = _decisions_locked(decision)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the decision is withdrawn.")})
    _require_standing(decision)
    decision.status = Decision.Status.WITHDRAWN
    decision.status_reason = reason.strip()
    decision.status_changed_at = timezone.now()
    return audited_save(decision, by=by)


# A decision's words in one language, as long as the longest a decision is taken in.
DECISION_TEXT_MAX = 20_000


@transaction.atomic
def decision_translations_set(
    *, decision: Decision, text_ar: str, text_fr: str, by: Actor
) -> Decision:
    """The decision's words in Arabic and French (blank: not given). The words as taken
    stay; a translation may be given or corrected whatever the decision's status."""
    (decision,) = _decisions_locked(decision)
    values = {"text_ar": text_ar.strip(), "text_fr": text_fr.strip()}
    too_long = {
        name: _("At most %(count)s characters.") % {"count": DECISION_TEXT_MAX}
        for name, value in values.items()
        if len(value) > DECISION_TEXT_MAX
    }
    if too_long:
        raise ValidationError(too_long)
    if all(getattr(decision, name) == value for name, value in values.items()):
        return decision
    for name, value in values.items():
        setattr(decision, name, value)
    return audited_save(decision, by=by)


def _check_owner(organisation: Organisation, person: Person | None) -> None:
    if person is not None and person.organisation_id != organisation.pk:
        raise ValidationError(
            {
                "owner_person": _("%(person)s does not work for %(organisation)s.")
                % {"person": person, "organisation": organisation}
            }
        )


@transaction.atomic
def action_point_create(
    *,
    meeting: Meeting,
    title: str,
    owner_organisation: Organisation,
    due_on: dt.date,
    by: Actor,
    owner_person: Person | None = None,
    description: str = "",
    decision: Decision | None = None,
    confidentiality: str | None = None,
    restricted_to: Iterable[Organisation] = (),
) -> ActionPoint:
    """An action point of a held meeting; its label is the meeting's unless
    `confidentiality` says otherwise (its owner organisation sees it whatever the label)."""
    meeting = _locked(meeting)
    _require_status(
        meeting, {Status.HELD}, _("A %(status)s meeting cannot be given action points.")
    )
    _check_owner(owner_organisation, owner_person)
    if decision is not None and decision.meeting_id != meeting.pk:
        raise ValidationError({"decision": _("The decision belongs to another meeting.")})
    label = label_for_new(
        confidentiality=confidentiality,
        restricted_to=restricted_to,
        group=meeting.group,
        container=meeting,
    )
    action_point = ActionPoint(
        meeting=meeting,
        title=title,
        description=description,
        owner_organisation=owner_organisation,
        owner_person=owner_person,
        due_on=due_on,
        decision=decision,
        confidentiality=label.confidentiality,
    )
    audited_save(action_point, by=by)
    label.attach(action_point)
    return action_point


@transaction.atomic
def action_point_update(*, action_point: ActionPoint, by: Actor, **changes: Any) -> ActionPoint:
    """The managers' edit: what, who and when."""
    allowed = {"title", "description", "owner_organisation", "owner_person", "due_on"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    action_point = ActionPoint.objects.select_for_update().get(pk=action_point.pk)
    for name, value in changes.items():
        setattr(action_point, name, value)
    _check_owner(action_point.owner_organisation, action_point.owner_person)
    return audited_save(action_point, by=by)


@transaction.atomic
def action_point_report(
    *, action_point: ActionPoint, by: Actor, status: str | None = None, progress: str | None = None
) -> ActionPoint:
    """The owner's report: progress, and done, dropped or reopened."""
    action_point = ActionPoint.objects.select_for_update().get(pk=action_point.pk)
    if status is not None:
        if status not in ActionPoint.Status.values:
            raise ValidationError(
                {
                    "status": _("%(status)s is not an action point status.")
                    % {"status": repr(status)}
                }
            )
        if status != action_point.status:
            action_point.status = status
            action_point.closed_at = None if status == ActionPoint.Status.OPEN else timezone.now()
    if progress is not None:
        action_point.progress = progress
    return audited_save(action_point, by=by)


# --- Series ---------------------------------------------------------------------------
#
# A series is a rule (meetings/series.py) whose occurrences are meetings of their own,
# made ahead as far as `create_ahead_days` says. Invitees hold the series once in their
# calendar: one event with an RRULE, EXDATE for cancelled occurrences and overrides for
# the ones changed by hand (`detached_from_series`), so scheduling a series, changing it
# or cancelling it sends one notice per person about the whole series, not one per
# meeting. A series is "announced" once one of its occurrences has been scheduled (it
# has a reference then, kept when it is cancelled); from then on the occurrences made
# later are scheduled as they are made, and need no mail: the rule is in the calendars.

SeriesFrequency = MeetingSeries.Frequency
# The rule itself: changing it would re-number the slots invitees' calendars hold.
SERIES_RULE_FIELDS = {
    "frequency",
    "interval",
    "weekday",
    "month_day",
    "week_of_month",
    "starts_on",
}
SERIES_CHANGEABLE_FIELDS = {
    "title",
    "kind",
    "start_time",
    "duration_minutes",
    "time_zone",
    "venue",
    "online_url",
    "description",
    "ends_on",
    "count",
    "create_ahead_days",
}
SERIES_FIELDS = SERIES_RULE_FIELDS | SERIES_CHANGEABLE_FIELDS
# What an occurrence takes from its series; a change to these reaches the calendars.
SERIES_MEETING_FIELDS = ("title", "kind", "time_zone", "venue", "online_url", "description")
SERIES_SLOT_FIELDS = {"start_time", "time_zone"}


def _series_locked(series: MeetingSeries) -> MeetingSeries:
    return MeetingSeries.objects.select_for_update().select_related("group").get(pk=series.pk)


def _series_require_active(series: MeetingSeries, refusal: str) -> None:
    if series.status != MeetingSeries.Status.ACTIVE:
        raise ValidationError({"status": refusal})


def _series_check(series: MeetingSeries, *, creating: bool) -> None:
    """The rule's shape: each kind of repetition names what it needs (the others are
    cleared), exactly one end, a first meeting in the future (for a new series) and at
    most MAX_SPAN from the first meeting to the last."""
    series.clean_fields(exclude=["calendar_uid", "group"])
    # The dates in the portal's range before any rule is worked out from them.
    series.clean()
    errors: dict[str, str] = {}
    if series.frequency == SeriesFrequency.WEEKLY:
        series.month_day = series.week_of_month = None
        if series.weekday is None:
            errors["weekday"] = _("A weekly series needs its day of the week.")
    elif series.frequency == SeriesFrequency.MONTHLY_DAY:
        series.weekday = series.week_of_month = None
        if series.month_day is None:
            errors["month_day"] = _("A series on a day of the month needs that day (from 1 to 28).")
    else:
        series.month_day = None
        if series.weekday is None:
            errors["weekday"] = _("A series on a weekday of the month needs the day of the week.")
        if series.week_of_month is None:
            errors["week_of_month"] = _(
                "A series on a weekday of the month needs which one: first to fourth, or last."
            )
    if (series.ends_on is None) == (series.count is None):
        errors["ends_on"] = _(
            "End the series on a date or after a number of meetings: one of the two."
        )
    elif series.ends_on is not None and series.ends_on < series.starts_on:
        errors["ends_on"] = _("The series cannot end before its first meeting.")
    if errors:
        raise ValidationError(errors)
    end_field = "count" if series.count else "ends_on"
    first, last = first_start(series), last_start(series)
    if first is None or last is None:
        raise ValidationError({end_field: _("The series ends before its first meeting.")})
    if creating and first <= timezone.now():
        raise ValidationError(
            {"starts_on": _("The first meeting of a series must be in the future.")}
        )
    if last - first > SERIES_MAX_SPAN:
        raise ValidationError(
            {end_field: _("A series runs for at most five years; start a new one after that.")}
        )


def _occurrence_new(series: MeetingSeries, slot: dt.datetime, label: Label, by: Actor) -> Meeting:
    meeting = Meeting(
        calendar_uid=_new_calendar_uid(),
        confidentiality=label.confidentiality,
        group=series.group,
        start_at=slot,
        end_at=slot + dt.timedelta(minutes=series.duration_minutes),
        series=series,
        occurrence_start=slot,
        created_by=author_of(by),
        **{name: getattr(series, name) for name in SERIES_MEETING_FIELDS},
    )
    return audited_save(meeting, by=by)


def _series_fill(series: MeetingSeries, *, by: Actor) -> list[Meeting]:
    """Make the occurrences due by now + create_ahead_days (the first one at least)
    that do not exist yet, as drafts; slots already past are left out. Safe to run
    twice: an existing slot is skipped (and unique per series in the database)."""
    now = timezone.now()
    first = first_start(series)
    horizon = now + dt.timedelta(days=series.create_ahead_days)
    if first is not None:
        horizon = max(horizon, first)
    existing = set(series.occurrences.values_list("occurrence_start", flat=True))
    # A series has no label: each of its meetings starts with the group's usual one.
    label = label_for_new(confidentiality=None, group=series.group)
    return [
        _occurrence_new(series, slot, label, by)
        for slot in occurrence_starts(series, until=horizon)
        if slot > now and slot not in existing
    ]


def _occurrences_schedule(
    series: MeetingSeries,
    occurrences: Iterable[Meeting],
    *,
    by: Actor,
    short_notice_reason: str | None,
) -> None:
    """Invite the group to each draft occurrence and schedule it, with a reference and
    its reminders, and no invitation of its own (the series' notice is the invitation).
    `short_notice_reason` None: no notice period to check (occurrences made later were
    announced with the rule)."""
    for occurrence in occurrences:
        meeting = _locked(occurrence)
        meeting.group = series.group
        if short_notice_reason is not None:
            _short_notice_set(meeting, short_notice_reason=short_notice_reason, by=by)
        # Invited while still a draft, so no invitation of its own goes out.
        invitations_create_for_group(meeting=meeting, by=by)
        meeting.status = Status.SCHEDULED
        references.reference_assign(meeting)
        audited_save(meeting, by=by)
        announcements.reminders_plan(meeting)


def _series_invitees(series: MeetingSeries) -> QuerySet[Person]:
    """Everyone invited to an announced occurrence of the series: they hold the series."""
    return Person.objects.filter(
        pk__in=Invitation.objects.filter(meeting__series=series)
        .exclude(meeting__status=Status.DRAFT)
        .values("person_id")
    )


@transaction.atomic
def series_create(*, group: CoordinationGroup, by: Actor, **fields: Any) -> MeetingSeries:
    """A group's series and its first occurrences (up to create_ahead_days ahead, the
    first at least), as drafts; series_schedule announces them."""
    unknown = set(fields) - SERIES_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    if group.is_archived:
        raise ValidationError({"group": _("The group is archived.")})
    series = MeetingSeries(
        group=group,
        calendar_uid=_new_calendar_uid("series"),
        created_by=author_of(by),
        **fields,
    )
    _series_check(series, creating=True)
    audited_save(series, by=by)
    _series_fill(series, by=by)
    return series


@transaction.atomic
def series_schedule(
    *, series: MeetingSeries, by: Actor, short_notice_reason: str = ""
) -> MeetingSeries:
    """Schedule every draft occurrence still to come: the group is invited to each, each
    gets its reference and reminders, and every invitee gets one invitation to the whole
    series (with its calendar). The group's notice period applies to each occurrence:
    one inside it needs `short_notice_reason` and an actor who may give it."""
    series = _series_locked(series)
    _series_require_active(series, _("A cancelled series cannot be scheduled."))
    drafts = list(series_drafts_to_schedule(series))
    if not drafts:
        raise ValidationError(
            {"status": _("The series has no meeting in draft still to come to schedule.")}
        )
    _occurrences_schedule(series, drafts, by=by, short_notice_reason=short_notice_reason)
    announcements.series_announce(series, kind=NoticeKind.SERIES_INVITATION)
    return series


def _series_extend(series: MeetingSeries, *, by: Actor) -> list[Meeting]:
    """Make the occurrences now due; in an announced series, schedule them and send the
    series' invitation to those of their invitees who had none (who joined the group
    since): the others hold the rule in their calendars already."""
    announced = series_is_announced(series)
    holders = set(_series_invitees(series).values_list("pk", flat=True)) if announced else set()
    created = _series_fill(series, by=by)
    if created and announced:
        _occurrences_schedule(series, created, by=by, short_notice_reason=None)
        newcomers = (
            Person.objects.filter(invitations__meeting__in=created)
            .exclude(pk__in=holders)
            .distinct()
        )
        announcements.series_announce(
            series, kind=NoticeKind.SERIES_INVITATION, people=list(newcomers)
        )
    return created


def series_extend_ahead() -> int:
    """Beat: make (and, in announced series, schedule) the occurrences of every active
    series that are now within its create_ahead_days; each series in its own
    transaction. Safe to run twice: existing slots are skipped, and the notices are
    unique per series version and person. Returns how many meetings were made."""
    made = 0
    series_ids = MeetingSeries.objects.filter(status=MeetingSeries.Status.ACTIVE).values_list(
        "pk", flat=True
    )
    for series_id in list(series_ids):
        with transaction.atomic():
            series = (
                MeetingSeries.objects.select_for_update()
                .select_related("group")
                .filter(pk=series_id, status=MeetingSeries.Status.ACTIVE)
                .first()
            )
            if series is None:
                continue
            made += len(_series_extend(series, by=None))
    return made


def _series_slots_move(series: MeetingSeries, *, old_zone: ZoneInfo, by: Actor) -> None:
    """A new start time or zone moves every slot to the same day at the new time, so
    the slots (RECURRENCE-ID) stay those of the rule; meetings that took place or were
    moved by hand keep their own times and become the rule's exceptions."""
    # One slot a day at most, a week apart at least: a move of a day or so in UTC never
    # lands a slot on another's, so the unique (series, slot) holds at every step.
    for occurrence in series.occurrences.order_by("occurrence_start"):
        if occurrence.occurrence_start is None:  # never: a series' meeting has its slot
            continue
        day = occurrence.occurrence_start.astimezone(old_zone).date()
        occurrence.occurrence_start = slot_for_day(series, day)
        audited_save(occurrence, by=by, update_fields=["occurrence_start"], validate=False)


@transaction.atomic
def series_update(
    *, series: MeetingSeries, by: Actor, short_notice_reason: str = "", **changes: Any
) -> MeetingSeries:
    """Change the series and, with it, its occurrences still to come that are open and
    were not changed by hand; those changed by hand, held or cancelled stay as they are.
    A new end cancels the open occurrences after it, or makes those now due. Invitees
    are told once, with the whole series' calendar (SEQUENCE raised). The rule itself
    (how often, which day, from when) does not change: that is a new series."""
    unknown = set(changes) - SERIES_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    series = _series_locked(series)
    _series_require_active(series, _("A cancelled series cannot be changed."))
    changed = {name for name, value in changes.items() if getattr(series, name) != value}
    rule_changed = changed & SERIES_RULE_FIELDS
    if rule_changed:
        raise ValidationError(
            {
                name: _(
                    "How often and from when a series meets cannot change; cancel it and "
                    "start a new series."
                )
                for name in rule_changed
            }
        )
    if not changed:
        return series
    old_zone = series.zone
    for name in changed:
        setattr(series, name, changes[name])
    _series_check(series, creating=False)
    now = timezone.now()
    slots = set(occurrence_starts(series))
    slots_moved = bool(changed & SERIES_SLOT_FIELDS)
    announced = series_is_announced(series)
    tells = bool(changed - {"create_ahead_days"}) and announced
    if tells:
        series.sequence += 1
    audited_save(series, by=by)
    if slots_moved:
        _series_slots_move(series, old_zone=old_zone, by=by)
    occurrences = list(series.occurrences.order_by("occurrence_start"))
    for occurrence in occurrences:
        if occurrence.occurrence_start in slots or occurrence.status == Status.CANCELLED:
            continue
        if occurrence.start_at <= now or occurrence.status == Status.HELD:
            raise ValidationError(
                {
                    "count" if series.count else "ends_on": _(
                        "The series would end before meetings that have already begun."
                    )
                }
            )
    for occurrence in occurrences:
        if occurrence.status not in OPEN_STATUSES or occurrence.start_at <= now:
            continue
        if occurrence.occurrence_start not in slots:
            # After the new end: gone from the rule, so from the invitees' calendars.
            occurrence.status = Status.CANCELLED
            occurrence.sequence += 1
            audited_save(occurrence, by=by)
            announcements.reminders_clear(occurrence)
            continue
        if occurrence.detached_from_series:
            continue
        _occurrence_follow(
            series,
            occurrence,
            by=by,
            short_notice_reason=short_notice_reason if announced else None,
        )
    created = _series_fill(series, by=by)
    if created and announced:
        _occurrences_schedule(series, created, by=by, short_notice_reason=None)
    if tells:
        announcements.series_announce(series, kind=NoticeKind.SERIES_UPDATE)
    return series


def _occurrence_follow(
    series: MeetingSeries,
    occurrence: Meeting,
    *,
    by: Actor,
    short_notice_reason: str | None,
) -> None:
    """Give an occurrence its series' current title, place and time."""
    start = occurrence.occurrence_start
    if start is None:  # never: a series' meeting has its slot
        return
    values = {name: getattr(series, name) for name in SERIES_MEETING_FIELDS}
    values["start_at"] = start
    values["end_at"] = start + dt.timedelta(minutes=series.duration_minutes)
    changed = {name for name, value in values.items() if getattr(occurrence, name) != value}
    if not changed:
        return
    for name in changed:
        setattr(occurrence, name, values[name])
    occurrence.group = series.group
    moved = occurrence.status == Status.SCHEDULED and "start_at" in changed
    if moved and short_notice_reason is not None:
        _short_notice_set(occurrence, short_notice_reason=short_notice_reason, by=by)
    audited_save(occurrence, by=by)
    if moved:
        announcements.reminders_plan(occurrence)


@transaction.atomic
def series_cancel(*, series: MeetingSeries, reason: str = "", by: Actor) -> MeetingSeries:
    """Cancel the series and its open occurrences still to come (each keeps its slot and
    reference); those that took place stay. Invitees are told once: the series'
    calendar event is cancelled (METHOD:CANCEL of its UID)."""
    series = _series_locked(series)
    _series_require_active(series, _("The series is cancelled already."))
    announced = series_is_announced(series)
    series.status = MeetingSeries.Status.CANCELLED
    if announced:
        series.sequence += 1
    audited_save(series, by=by)
    upcoming = series.occurrences.filter(status__in=OPEN_STATUSES, start_at__gt=timezone.now())
    for occurrence in upcoming:
        occurrence.status = Status.CANCELLED
        occurrence.cancellation_reason = reason
        occurrence.sequence += 1
        audited_save(occurrence, by=by)
        announcements.reminders_clear(occurrence)
    if announced:
        announcements.series_announce(
            series, kind=NoticeKind.SERIES_CANCELLATION, extra={"reason": reason}
        )
    return series


# --- Meeting packs --------------------------------------------------------------------

PACK_BUILD_TASK = "meetings.tasks.meeting_pack_build_task"
# Versions kept per meeting, language and audience: the newest is what readers get, and
# the ones before it may still be streaming to readers who asked just before a change.
PACK_VERSIONS_KEPT = 3
# Far longer than a build takes (seconds): a pack still building after this has lost its
# task (broker down when it was asked for, worker killed), and the next request asks again.
PACK_BUILD_PATIENCE = dt.timedelta(minutes=10)
PACK_ERROR_MAX_CHARS = 2000


@transaction.atomic
def meeting_pack_request(*, meeting: Meeting, version: PackVersion, by: Actor) -> MeetingPack:
    """The stored pack of this version (meetings.pack.meeting_pack_version), its build
    enqueued after commit when the pack is new, has failed, or has lost its task. A pack
    ready or building is returned as it is: readers asking together share one build."""
    pack = MeetingPack.objects.filter(key=version.key).first()
    if pack is None:
        try:
            pack = audited_save(
                MeetingPack(
                    meeting=meeting,
                    key=version.key,
                    language=version.language,
                    audience=version.audience,
                ),
                by=by,
            )
        except ValidationError:
            # Another reader inserted this version first (the key is unique): share theirs.
            return MeetingPack.objects.get(key=version.key)
        transaction.on_commit(partial(_pack_build_soon, pack.pk))
        return pack
    now = timezone.now()
    # One conditional UPDATE, so of two readers retrying together one enqueues.
    retried = (
        MeetingPack.objects.filter(pk=pack.pk)
        .filter(
            Q(status=MeetingPack.Status.FAILED)
            | Q(status=MeetingPack.Status.BUILDING, requested_at__lt=now - PACK_BUILD_PATIENCE)
        )
        .update(status=MeetingPack.Status.BUILDING, error="", requested_at=now)
    )
    if retried:
        pack.refresh_from_db()
        transaction.on_commit(partial(_pack_build_soon, pack.pk))
    return pack


def _pack_build_soon(pack_id: int) -> None:
    """Enqueue a pack's build. A dead broker leaves the pack building, and the first
    request after PACK_BUILD_PATIENCE asks again: it must not fail the request."""
    try:
        celery_app.tasks[PACK_BUILD_TASK].delay(pack_id)
    except Exception:  # any broker failure means "later", not "never"
        logger.exception("Meeting pack %s requested but not enqueued.", pack_id)


def meeting_pack_build(*, pack_id: int) -> MeetingPack | None:
    """Draw a requested pack with meetings.pack.meeting_pack_pdf, in its language and with
    its audience's minutes, store it and mark it ready (meeting_pack_build_task's one call).

    Not one transaction: drawing long minutes takes seconds, and no lock may be held that
    long (SQLite would stop every writer). Safe to run twice: a ready pack is left as it
    is, and of two builds racing, the second to finish deletes its copy. A failure is
    recorded on the pack with its reason; the next request for the pack tries again.
    """
    pack = MeetingPack.objects.filter(pk=pack_id).first()
    if pack is None or pack.status != MeetingPack.Status.BUILDING:
        return pack
    try:
        meeting = meeting_detail(queryset=Meeting.objects.filter(pk=pack.meeting_id)).get()
        with translation.override(pack.language):
            content = meeting_pack_pdf(
                meeting,
                minutes=minutes_for_audience(meeting, pack.audience),
                audience=pack.audience,
            )
        name = default_storage.save(
            meeting_pack_file_name(pack, f"{pack.key}.pdf"), ContentFile(content)
        )
    except Exception as error:  # whatever breaks a build is recorded for a retry
        logger.exception("Meeting pack %s could not be built.", pack_id)
        reason = f"{type(error).__name__}: {error}"[:PACK_ERROR_MAX_CHARS]
        MeetingPack.objects.filter(pk=pack_id, status=MeetingPack.Status.BUILDING).update(
            status=MeetingPack.Status.FAILED, error=reason
        )
        return MeetingPack.objects.filter(pk=pack_id).first()
    return _pack_store(pack_id=pack_id, name=name)


@transaction.atomic
def _pack_store(*, pack_id: int, name: str) -> MeetingPack | None:
    pack = MeetingPack.objects.select_for_update().filter(pk=pack_id).first()
    if pack is None or pack.status == MeetingPack.Status.READY:
        # Another build stored it first, or the version was pruned meanwhile.
        transaction.on_commit(partial(_pack_files_delete, [name]))
        return pack
    pack.file.name = name
    pack.status = MeetingPack.Status.READY
    pack.error = ""
    pack.built_at = timezone.now()
    audited_save(pack, by=None, update_fields=["file", "status", "error", "built_at"])
    _packs_prune(pack)
    return pack


def _packs_prune(pack: MeetingPack) -> None:
    """Delete all but the newest PACK_VERSIONS_KEPT versions of the pack's meeting,
    language and audience (and never the one just built), files after commit."""
    versions = MeetingPack.objects.filter(
        meeting_id=pack.meeting_id, language=pack.language, audience=pack.audience
    )
    kept = list(versions.values_list("pk", flat=True)[:PACK_VERSIONS_KEPT])
    old = versions.exclude(pk__in=[*kept, pack.pk])
    files = [name for name in old.values_list("file", flat=True) if name]
    old.delete()
    transaction.on_commit(partial(_pack_files_delete, files))


def _pack_files_delete(names: Iterable[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # a file left behind wastes space; it must not fail a build
            logger.exception("Stored meeting pack %s could not be deleted.", name)


@transaction.atomic
def meeting_pack_file_lost(*, pack: MeetingPack, by: Actor) -> MeetingPack:
    """A ready pack whose file the storage no longer has is marked failed, so that
    meeting_pack_request builds it again."""
    MeetingPack.objects.filter(pk=pack.pk, status=MeetingPack.Status.READY).update(
        status=MeetingPack.Status.FAILED, error=f"The stored file {pack.file.name} is missing."
    )
    pack.refresh_from_db()
    return pack


# --- Reminders (beat) -----------------------------------------------------------------


def reminders_send_due() -> int:
    """Write the notices of every reminder whose time has come, each in its own
    transaction under its row lock; returns how many reminders went out."""
    sent = 0
    for reminder_id in outbox.reminder_ids_due(now=timezone.now()):
        with transaction.atomic():
            sent += announcements.reminder_send(reminder_id)
    return sent


@transaction.atomic
def action_points_remind_due(*, soon_days: int = 3) -> int:
    """Remind owners of open action points due within `soon_days` or overdue, once per
    stage and due date; returns how many notices are new."""
    today = timezone.localdate()
    due = ActionPoint.objects.filter(
        status=ActionPoint.Status.OPEN, due_on__lte=today + dt.timedelta(days=soon_days)
    ).select_related("meeting__group", "owner_organisation", "owner_person")
    return sum(
        announcements.action_point_announce(
            action_point, stage="overdue" if action_point.due_on < today else "soon"
        )
        for action_point in due
    )
