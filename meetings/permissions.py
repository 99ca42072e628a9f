"""The access funnels for meetings and what hangs off them.

A meeting is visible according to its confidentiality label (groups.models.
Confidentiality):

- public: to everyone signed in;
- members: to whoever sees its group, to its invitees, and to holders of a direct
  guardian grant on it (given in the admin);
- restricted: to the secretariat, the chairs who manage its group (and the groups
  above), holders of a direct grant, and people acting for one of the organisations it
  names. Being invited is not enough: an invitee whose organisation the label does not
  name does not see a restricted meeting (whoever invited them named the wrong
  organisations, or the meeting is not theirs to read); the managers always do.

What hangs off a meeting (agenda items, minutes, decisions, action points) is never
seen by someone who cannot see the meeting, and carries a label of its own, ANDed in
through groups.permissions.label_q: public and members records pass for whoever sees
the meeting; restricted ones only for the secretariat, the group's chairs and the named
organisations. Minutes are visible to viewers once published; drafts only to managers,
and, while a draft is circulated for comments (until it is approved), to the people of
the organisations invited to the meeting, by the minutes' own label.
Decisions follow the minutes: before the minutes are published, only those who may
read the draft (the managers) see them. An action point stays visible to the people of
its owner organisation whatever its label or its meeting's.

A meeting is managed by the secretariat, the chairs of its group (and of the groups
above), and holders of a direct `change_meeting` grant; managers see every record of
the meetings they manage. Invitations are answered by the invitee or by someone acting
for the invitee's organisation; action points are reported on by whoever acts for the
owner organisation.
"""

import operator
from collections.abc import Iterable
from functools import reduce
from typing import Protocol, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from groups.models import Confidentiality, CoordinationGroup, Membership
from groups.permissions import (
    group_ids_managed_by,
    group_ids_visible_to,
    label_q,
    user_can_manage_group,
)
from meetings.models import (
    ActionPoint,
    AgendaItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingPack,
    MeetingSeries,
    Minutes,
    MinutesComment,
    ReportBack,
)
from members.permissions import (
    granted_ids,
    grants_read_together,
    organisation_ids_acted_for_by,
    remembered_per_reader,
    user_is_secretariat,
    user_is_signed_in,
    user_person_id,
)
from portal.audit import Actor
from portal.probes import Probe

# The rows that live inside a meeting and are reached through it.
ChildT = TypeVar("ChildT", AgendaItem, Attendance)
VIEW_MEETING = "meetings.view_meeting"
CHANGE_MEETING = "meetings.change_meeting"


grants_read_together((VIEW_MEETING, Meeting), (CHANGE_MEETING, Meeting))
NOTHING = Q(pk__in=[])


def _any(conditions: list[Q]) -> Q:
    """The OR of `conditions`; no row when there are none."""
    if not conditions:
        return NOTHING
    return reduce(operator.or_, conditions)


def meeting_visible_q(user: User, *, to_meeting: str = "") -> Q:
    """The condition on a meeting (reached through `to_meeting`, e.g. "meeting__", from
    the rows that hang off it) for a user who is signed in and not the secretariat: the
    label, then the user's groups, grants and organisations, short lists of ids read
    once per request (members.permissions.granted_ids), and their invitations. Rows that
    hang off a meeting reach it by their foreign key (a join), not through a subquery
    over every meeting the user sees."""

    def on_meeting(lookup: str, value: object) -> Q:
        return Q(**{f"{to_meeting}{lookup}": value})

    granted = sorted(granted_ids(user, VIEW_MEETING, Meeting))
    group_ids = sorted(group_ids_visible_to(user))
    managed = sorted(group_ids_managed_by(user))
    organisation_ids = sorted(organisation_ids_acted_for_by(user))
    person_id = user_person_id(user)
    as_member: list[Q] = []
    as_named: list[Q] = []
    if group_ids:
        as_member.append(on_meeting("group__in", group_ids))
    # Invited, named: a probe of a unique index ((meeting, person), (meeting,
    # organisation)) for the rows that get that far, not a set built first: PostgreSQL
    # charges a hashed subquery's build to every loop of a nested loop, and so would sort
    # the whole table rather than walk an index to the first page.
    meeting = f"{to_meeting}pk"
    if person_id is not None:
        as_member.append(Q(Probe(Invitation, key="meeting", outer=meeting, person=person_id)))
    if organisation_ids:
        named = Probe(
            Meeting.restricted_to.through,
            key="meeting",
            outer=meeting,
            organisation=organisation_ids,
        )
        as_named.append(Q(named))
    if managed:
        as_named.append(on_meeting("group__in", managed))
    if granted:
        as_member.append(on_meeting("pk__in", granted))
        as_named.append(on_meeting("pk__in", granted))
    return (
        on_meeting("confidentiality", Confidentiality.PUBLIC)
        | (on_meeting("confidentiality", Confidentiality.MEMBERS) & _any(as_member))
        | (on_meeting("confidentiality", Confidentiality.RESTRICTED) & _any(as_named))
    )


def meeting_managed_q(user: User, *, to_meeting: str = "") -> Q:
    """The condition on a meeting (through `to_meeting`) that `user`, signed in and not
    the secretariat, manages it: the groups they chair, their change_meeting grants."""
    managed, granted = _managing(user)
    conditions = []
    if managed:
        conditions.append(Q(**{f"{to_meeting}group__in": sorted(managed)}))
    if granted:
        conditions.append(Q(**{f"{to_meeting}pk__in": sorted(granted)}))
    return _any(conditions)


@remembered_per_reader
def meetings_visible_to(user: Actor) -> QuerySet[Meeting]:
    """The meetings `user` may see, by their label (this module's docstring says who
    sees which): one query, see meeting_visible_q."""
    if user_is_secretariat(user):
        return Meeting.objects.all()
    if not user_is_signed_in(user):
        return Meeting.objects.none()
    return Meeting.objects.filter(meeting_visible_q(user))


def _managing(user: User) -> tuple[frozenset[int], frozenset[int]]:
    """What makes `user` manage meetings and series: the groups they chair and their
    change_meeting grants (series_managed_by reads the groups alone)."""
    return group_ids_managed_by(user), granted_ids(user, CHANGE_MEETING, Meeting)


def user_manages_nothing(user: User) -> bool:
    """Whether meetings_managed_by and series_managed_by are empty for `user`, signed
    in and not the secretariat, told without a query (the ids are read once a request)."""
    managed, granted = _managing(user)
    return not (managed or granted)


def meetings_managed_by(user: Actor) -> QuerySet[Meeting]:
    if user_is_secretariat(user):
        return Meeting.objects.all()
    if not user_is_signed_in(user):
        return Meeting.objects.none()
    return Meeting.objects.filter(meeting_managed_q(user))


def _of_managed_meeting(user: User) -> Q:
    """Rows of the meetings `user` manages: those who change a meeting read every record
    of it, whatever its label or the state of its minutes."""
    return meeting_managed_q(user, to_meeting="meeting__")


def _of_visible_meeting(user: User) -> Q:
    return meeting_visible_q(user, to_meeting="meeting__")


def user_can_manage_meeting(user: Actor, meeting: Meeting) -> bool:
    if user_is_secretariat(user):
        return True
    if not user_is_signed_in(user):
        return False
    return meeting.group_id in group_ids_managed_by(user) or meeting.pk in granted_ids(
        user, CHANGE_MEETING, Meeting
    )


def user_may_call_short_notice(user: Actor, group: CoordinationGroup) -> bool:
    """Who may call a meeting of `group` inside its notice period (with a reason): the
    secretariat, and the chairs and co-chairs of the group or of a group above it, who
    manage it. A direct grant on one meeting (change_meeting) is not enough: the rule
    is the group's, and so is the override."""
    return user_can_manage_group(user, group)


def meeting_get_for_user(user: Actor, meeting_id: int | str, *, manage: bool = False) -> Meeting:
    try:
        meeting = meetings_visible_to(user).select_related("group").get(pk=meeting_id)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such meeting.")) from None
    if manage and not user_can_manage_meeting(user, meeting):
        raise PermissionDenied(
            _("Only the secretariat and the group's chairs may change meetings.")
        )
    return meeting


@remembered_per_reader
def minutes_visible_to(user: Actor) -> QuerySet[Minutes]:
    if user_is_secretariat(user):
        return Minutes.objects.all()
    if not user_is_signed_in(user):
        return Minutes.objects.none()
    return Minutes.objects.filter(_minutes_visible_q(user))


def _minutes_visible_q(user: User, *, to_minutes: str = "") -> Q:
    """The condition on minutes (reached through `to_minutes`, e.g. "minutes__" from
    their comments) for a user who is signed in and not the secretariat."""

    def on_minutes(**lookups: object) -> Q:
        return Q(**{f"{to_minutes}{lookup}": value for lookup, value in lookups.items()})

    # A draft circulated for comments (meetings.minutes_cycle) is read, until it is
    # approved, by the people of the organisations invited to its meeting, by its label.
    organisation_ids = sorted(organisation_ids_acted_for_by(user))
    circulated = (
        on_minutes(status=Minutes.Status.DRAFT, circulated_at__isnull=False)
        & Q(
            Probe(
                Invitation,
                key="meeting",
                outer=f"{to_minutes}meeting_id",
                organisation=organisation_ids,
            )
        )
        if organisation_ids
        else NOTHING
    )
    label = label_q(user, Minutes, group_field="meeting__group", to_row=to_minutes)
    return meeting_visible_q(user, to_meeting=f"{to_minutes}meeting__") & (
        ((on_minutes(status=Minutes.Status.PUBLISHED) | circulated) & label)
        | meeting_managed_q(user, to_meeting=f"{to_minutes}meeting__")
    )


def minutes_of_meeting_for_user(user: Actor, meeting: Meeting) -> Minutes | None:
    """The meeting's minutes if the user may read them (the rule of minutes_visible_to:
    published ones for whoever sees the meeting, drafts for those who manage it)."""
    return minutes_visible_to(user).filter(meeting=meeting).first()


def minutes_audience(minutes: Minutes | None) -> str:
    """Which audience a reader shown these minutes belongs to: only managers are shown
    minutes before they are published, so no minutes or published ones make the
    members' variant, whoever reads it."""
    if minutes is not None and minutes.status != Minutes.Status.PUBLISHED:
        return MeetingPack.Audience.MANAGERS
    return MeetingPack.Audience.MEMBERS


def minutes_for_audience(meeting: Meeting, audience: str) -> Minutes | None:
    """The minutes an audience of a meeting is shown (the rule of minutes_visible_to,
    for readers who see the meeting), for work done without a reader at hand: the
    background build of a meeting pack. `meeting` has its minutes joined."""
    minutes: Minutes | None = getattr(meeting, "minutes", None)
    if audience == MeetingPack.Audience.MANAGERS:
        return minutes
    if minutes is not None and minutes.status == Minutes.Status.PUBLISHED:
        return minutes
    return None


def minutes_get_for_user(user: Actor, minutes_id: int | str, *, manage: bool = False) -> Minutes:
    try:
        minutes = minutes_visible_to(user).select_related("meeting").get(pk=minutes_id)
    except (Minutes.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such minutes.")) from None
    if manage and not user_can_manage_meeting(user, minutes.meeting):
        raise PermissionDenied(_("Only the secretariat and the group's chairs may change minutes."))
    return minutes


@remembered_per_reader
def invitations_visible_to(user: Actor) -> QuerySet[Invitation]:
    if user_is_secretariat(user):
        return Invitation.objects.all()
    if not user_is_signed_in(user):
        return Invitation.objects.none()
    return Invitation.objects.filter(_of_visible_meeting(user))


class _Invitee(Protocol):
    @property
    def user_id(self) -> int | None: ...


class InvitationNamed(Protocol):
    """What the rule below reads of an invitation: an Invitation, or a line of the
    invitations tab (meetings.selectors.InvitationLine)."""

    @property
    def pk(self) -> int: ...
    @property
    def meeting_id(self) -> int: ...
    @property
    def organisation_id(self) -> int | None: ...
    @property
    def person(self) -> _Invitee: ...


def invitations_answerable_by(user: Actor, invitations: Iterable[InvitationNamed]) -> set[int]:
    """Which of these invitations the user may answer: the invitee, someone acting for
    the invitee's organisation, or whoever manages the meeting. The one place this
    rule is written; the single check and the pages' lists both ask here."""
    invitations = list(invitations)
    if not user_is_signed_in(user) or not invitations:
        return set()
    acted_for = organisation_ids_acted_for_by(user)
    managed = _managed_meeting_ids(user, {invitation.meeting_id for invitation in invitations})
    return {
        invitation.pk
        for invitation in invitations
        if invitation.person.user_id == user.pk
        or invitation.organisation_id in acted_for
        or invitation.meeting_id in managed
    }


def invitations_to_answer_by(user: Actor) -> QuerySet[Invitation]:
    """The answers that are the user's to give: their own invitations and those of the
    organisations they act for, at meetings the user can see: a colleague invited on
    their own to a group the user has no seat in stays the colleague's business.
    (Managers may answer any invitation of their meetings, see
    invitations_answerable_by, but those answers are not theirs to give.)"""
    return _invitations_to_answer_by(user, Q())


def invitations_unanswered_by(user: Actor) -> QuerySet[Invitation]:
    """invitations_to_answer_by, only those still pending: each branch (the user's own,
    their organisations') asks for pending ones itself, so that both databases read
    them from the indexes of pending invitations (per person, per organisation) rather
    than probe every coming meeting's invitations (SQLite: 9-11 ms to 2-3 ms)."""
    return _invitations_to_answer_by(user, Q(response=Invitation.Response.PENDING))


def _invitations_to_answer_by(user: Actor, each: Q) -> QuerySet[Invitation]:
    if not user_is_signed_in(user):
        return Invitation.objects.none()
    # Meetings the user can see, their own invitations included: an invitee whose
    # organisation a restricted meeting does not name has nothing to answer there.
    person_id = user_person_id(user)
    organisation_ids = sorted(organisation_ids_acted_for_by(user))
    theirs = []
    if person_id is not None:
        theirs.append(Q(person_id=person_id) & each)
    if organisation_ids:
        theirs.append(Q(organisation_id__in=organisation_ids) & each)
    if not theirs:
        return Invitation.objects.none()
    if user_is_secretariat(user):
        return Invitation.objects.filter(_any(theirs))
    return Invitation.objects.filter(_of_visible_meeting(user) & _any(theirs))


def user_can_answer_invitation(user: Actor, invitation: Invitation) -> bool:
    return invitation.pk in invitations_answerable_by(user, [invitation])


def _managed_meeting_ids(user: Actor, meeting_ids: set[int]) -> set[int]:
    if user_is_secretariat(user):
        return meeting_ids
    granted = granted_ids(user, CHANGE_MEETING, Meeting)
    if not group_ids_managed_by(user):
        return meeting_ids & granted
    return set(meetings_managed_by(user).filter(pk__in=meeting_ids).values_list("pk", flat=True))


def invitation_get_for_user(
    user: Actor, invitation_id: int | str, *, answer: bool = False
) -> Invitation:
    try:
        invitation = (
            invitations_visible_to(user)
            .select_related("meeting", "person", "organisation")
            .get(pk=invitation_id)
        )
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such invitation.")) from None
    if answer and not user_can_answer_invitation(user, invitation):
        raise PermissionDenied(_("Only the invitee or their organisation may answer."))
    return invitation


@remembered_per_reader
def action_points_visible_to(user: Actor) -> QuerySet[ActionPoint]:
    if user_is_secretariat(user):
        return ActionPoint.objects.all()
    if not user_is_signed_in(user):
        return ActionPoint.objects.none()
    seen = _of_visible_meeting(user) & (
        label_q(user, ActionPoint, group_field="meeting__group") | _of_managed_meeting(user)
    )
    organisation_ids = sorted(organisation_ids_acted_for_by(user))
    if organisation_ids:
        seen |= Q(owner_organisation_id__in=organisation_ids)
    return ActionPoint.objects.filter(seen)


def action_points_reportable_by(user: Actor, action_points: Iterable[ActionPoint]) -> set[int]:
    """Which of these action points the user may report on and close: the owner
    organisation's people, or the secretariat (recording what an organisation said).
    A chair edits the action points of the group's meetings but reports only for their
    own organisation: the co-chair's agency does not close a ministry's task."""
    action_points = list(action_points)
    if not user_is_signed_in(user) or not action_points:
        return set()
    if user_is_secretariat(user):
        return {point.pk for point in action_points}
    acted_for = organisation_ids_acted_for_by(user)
    return {point.pk for point in action_points if point.owner_organisation_id in acted_for}


def user_can_report_on_action_point(user: Actor, action_point: ActionPoint) -> bool:
    return action_point.pk in action_points_reportable_by(user, [action_point])


def action_point_get_for_user(
    user: Actor, action_point_id: int | str, *, report: bool = False, manage: bool = False
) -> ActionPoint:
    try:
        action_point = (
            action_points_visible_to(user)
            .select_related("meeting", "owner_organisation")
            .get(pk=action_point_id)
        )
    except (ActionPoint.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such action point.")) from None
    if manage and not user_can_manage_meeting(user, action_point.meeting):
        raise PermissionDenied(_("Only the secretariat and the group's chairs may edit this."))
    if report and not user_can_report_on_action_point(user, action_point):
        raise PermissionDenied(_("Only the owner organisation may report on this action point."))
    return action_point


def _child_get_for_user(
    queryset: QuerySet[ChildT],
    model: type[ChildT],
    object_id: int | str,
    *,
    manage: bool,
    user: Actor,
    missing: str,
) -> ChildT:
    try:
        row = queryset.select_related("meeting").get(pk=object_id)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404(missing) from None
    if manage and not user_can_manage_meeting(user, row.meeting):
        raise PermissionDenied(_("Only the secretariat and the group's chairs may change this."))
    return row


@remembered_per_reader
def agenda_items_visible_to(user: Actor) -> QuerySet[AgendaItem]:
    if user_is_secretariat(user):
        return AgendaItem.objects.all()
    if not user_is_signed_in(user):
        return AgendaItem.objects.none()
    return AgendaItem.objects.filter(
        _of_visible_meeting(user)
        & (label_q(user, AgendaItem, group_field="meeting__group") | _of_managed_meeting(user))
    )


def agenda_item_get_for_user(
    user: Actor, item_id: int | str, *, manage: bool = False
) -> AgendaItem:
    return _child_get_for_user(
        agenda_items_visible_to(user),
        AgendaItem,
        item_id,
        manage=manage,
        user=user,
        missing=_("No such agenda item."),
    )


@remembered_per_reader
def attendance_visible_to(user: Actor) -> QuerySet[Attendance]:
    if user_is_secretariat(user):
        return Attendance.objects.all()
    if not user_is_signed_in(user):
        return Attendance.objects.none()
    return Attendance.objects.filter(_of_visible_meeting(user))


def attendance_get_for_user(
    user: Actor, attendance_id: int | str, *, manage: bool = False
) -> Attendance:
    return _child_get_for_user(
        attendance_visible_to(user),
        Attendance,
        attendance_id,
        manage=manage,
        user=user,
        missing=_("No such attendance record."),
    )


@remembered_per_reader
def decisions_visible_to(user: Actor) -> QuerySet[Decision]:
    """Decisions of the meetings the user sees, by their own label, once the meeting's
    minutes are published; before that only for those who may read the draft minutes
    (the meeting's managers). Decisions adopted by written procedure (no meeting) are
    seen by whoever sees their group, by their label."""
    if user_is_secretariat(user):
        return Decision.objects.all()
    if not user_is_signed_in(user):
        return Decision.objects.none()
    of_meetings = _of_visible_meeting(user) & (
        (
            label_q(user, Decision, group_field="group")
            & Q(meeting__minutes__status=Minutes.Status.PUBLISHED)
        )
        | _of_managed_meeting(user)
    )
    # Adopted by written procedure: a decision of the group from the moment it exists.
    between_meetings = (
        Q(meeting__isnull=True)
        & Q(group__in=sorted(group_ids_visible_to(user)))
        & label_q(user, Decision, group_field="group")
    )
    return Decision.objects.filter(of_meetings | between_meetings)


def decision_get_for_user(user: Actor, decision_id: int | str, *, manage: bool = False) -> Decision:
    try:
        decision = decisions_visible_to(user).select_related("meeting", "group").get(pk=decision_id)
    except (Decision.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such decision.")) from None
    if manage:
        may = (
            user_can_manage_meeting(user, decision.meeting)
            if decision.meeting is not None
            else user_can_manage_group(user, decision.group)
        )
        if not may:
            raise PermissionDenied(
                _("Only the secretariat and the group's chairs may change this.")
            )
    return decision


@remembered_per_reader
def series_visible_to(user: Actor) -> QuerySet[MeetingSeries]:
    """A series is seen by whoever sees its group, and by those invited to one of its
    meetings."""
    if user_is_secretariat(user):
        return MeetingSeries.objects.all()
    if not user_is_signed_in(user):
        return MeetingSeries.objects.none()
    person_id = user_person_id(user)
    seen = [Q(group__in=sorted(group_ids_visible_to(user)))]
    if person_id is not None:
        invited = Invitation.objects.filter(person_id=person_id, meeting__series__isnull=False)
        seen.append(Q(pk__in=invited.values("meeting__series_id")))
    return MeetingSeries.objects.filter(_any(seen))


def series_managed_by(user: Actor) -> QuerySet[MeetingSeries]:
    """A series is the group's rhythm: managed by the secretariat and the chairs of its
    group (and of the groups above), not by a grant on one of its meetings."""
    if user_is_secretariat(user):
        return MeetingSeries.objects.all()
    if not user_is_signed_in(user):
        return MeetingSeries.objects.none()
    return MeetingSeries.objects.filter(group__in=sorted(group_ids_managed_by(user)))


def user_can_manage_series(user: Actor, series: MeetingSeries) -> bool:
    if user_is_secretariat(user):
        return True
    return series_managed_by(user).filter(pk=series.pk).exists()


def series_get_for_user(
    user: Actor, series_id: int | str, *, manage: bool = False
) -> MeetingSeries:
    try:
        series = series_visible_to(user).select_related("group").get(pk=series_id)
    except (MeetingSeries.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such meeting series.")) from None
    if manage and not user_can_manage_series(user, series):
        raise PermissionDenied(
            _("Only the secretariat and the group's chairs may change a meeting series.")
        )
    return series


@remembered_per_reader
def report_backs_visible_to(user: Actor) -> QuerySet[ReportBack]:
    """Reports proposed to (or accepted on, or dropped from) a parent group's meeting,
    for those who see both that meeting and the sub-group's meeting they report on;
    what the report carries (decisions, action points) is read through its own funnels."""
    if user_is_secretariat(user):
        return ReportBack.objects.all()
    if not user_is_signed_in(user):
        return ReportBack.objects.none()
    return ReportBack.objects.filter(
        meeting_visible_q(user, to_meeting="meeting__")
        & meeting_visible_q(user, to_meeting="source_meeting__")
    )


def report_back_get_for_user(
    user: Actor, report_back_id: int | str, *, manage: bool = False
) -> ReportBack:
    try:
        report_back = (
            report_backs_visible_to(user)
            .select_related("meeting", "source_meeting__group")
            .get(pk=report_back_id)
        )
    except (ReportBack.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such report.")) from None
    if manage and not user_can_manage_meeting(user, report_back.meeting):
        raise PermissionDenied(
            _("Only the secretariat and the group's chairs may change the agenda.")
        )
    return report_back


@remembered_per_reader
def minutes_comments_visible_to(user: Actor) -> QuerySet[MinutesComment]:
    """Comments on minutes the user may read: every comment for those who manage the
    meeting; otherwise the comments (and the secretariat's answers) of the
    organisations the user acts for."""
    if user_is_secretariat(user):
        return MinutesComment.objects.all()
    if not user_is_signed_in(user):
        return MinutesComment.objects.none()
    # Asked of each comment's minutes through the join the list's order reads them by,
    # not as a list of every visible minutes made first (IN), which SQLite built by
    # reading all of them, nor as a query per comment (EXISTS), which Django took
    # longer to build than the database to run.
    return MinutesComment.objects.filter(
        _minutes_visible_q(user, to_minutes="minutes__")
        & (
            meeting_managed_q(user, to_meeting="minutes__meeting__")
            | Q(organisation_id__in=sorted(organisation_ids_acted_for_by(user)))
        )
    )


def minutes_comment_get_for_user(
    user: Actor, comment_id: int | str, *, answer: bool = False
) -> MinutesComment:
    try:
        comment = (
            minutes_comments_visible_to(user)
            .select_related("minutes__meeting", "organisation")
            .get(pk=comment_id)
        )
    except (MinutesComment.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such comment.")) from None
    if answer and not user_can_manage_meeting(user, comment.minutes.meeting):
        raise PermissionDenied(_("Only the secretariat and the group's chairs answer comments."))
    return comment


def minutes_commenting_organisations(user: Actor, minutes: Minutes) -> list[int]:
    """The organisations `user` may comment for on these minutes: those they act for
    that were invited to the meeting and hold a seat other than an observer's in its
    group (observers are told, and have no say), provided the user may read the minutes.
    The period itself (open, closed) is the service's rule."""
    if not user_is_signed_in(user):
        return []
    if not minutes_visible_to(user).filter(pk=minutes.pk).exists():
        return []
    invited = Invitation.objects.filter(
        meeting_id=minutes.meeting_id,
        organisation_id__in=sorted(organisation_ids_acted_for_by(user)),
    ).values_list("organisation_id", flat=True)
    observers = Membership.objects.filter(
        group_id=minutes.meeting.group_id,
        role=Membership.Role.OBSERVER,
        end_on__isnull=True,
    ).values_list("organisation_id", flat=True)
    return sorted(set(invited) - set(observers))
