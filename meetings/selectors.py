"""Reads for meetings and what hangs off them, with their joins done."""

import copy
import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from groups.models import CoordinationGroup, Membership, Representative
from groups.selectors import (
    current_memberships,
    current_representatives,
    group_descendant_ids,
    quorum_organisation_ids,
    restricted_to_prefetch,
    terms_of_reference,
)
from meetings import references
from meetings.models import (
    ActionPoint,
    ActionPointReview,
    AgendaItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingPack,
    MeetingSeries,
    Minutes,
    ReferenceCounter,
)
from meetings.permissions import (
    action_points_visible_to,
    agenda_items_visible_to,
    decisions_visible_to,
    meetings_visible_to,
)
from members.models import Organisation, Person
from members.selectors import organisation_search
from portal.audit import Actor
from portal.lookups import ids_in
from portal.ordering import kept_off_index
from portal.pages import local_name


def _count(queryset: QuerySet) -> Subquery:
    """A correlated COUNT per meeting (index lookups), not a join + GROUP BY over every
    invitation of every visible meeting. COUNT is written as a plain function, not as
    Django's aggregate: the subquery then has no GROUP BY and gives one row, 0 when no
    invitation matches, so it needs no Coalesce either; the aggregate's GROUP BY and
    the Coalesce cost a page 0.4 ms to compile per meeting list that counts."""
    counted = Func(F("pk"), function="COUNT", output_field=IntegerField())
    return Subquery(queryset.order_by().annotate(n=counted).values("n"))


def answer_counts(*responses: str) -> dict[str, Subquery]:
    """The one way answers are counted, as annotations on meetings: `invited_count`,
    and `<response>_count` for each response asked for (all of them by default)."""
    invitations = Invitation.objects.filter(meeting=OuterRef("pk"))
    counts = {"invited_count": _count(invitations)}
    for response in responses or Invitation.Response.values:
        counts[f"{response}_count"] = _count(invitations.filter(response=response))
    return counts


# What the dashboard's short lists of meetings print of each, with its group's names.
_MEETING_LISTED = (
    "title",
    "reference",
    "confidentiality",
    "status",
    "start_at",
    "end_at",
    "time_zone",
    "group",
    "group__name",
    "group__name_ar",
    "group__name_fr",
)


def meetings_listed_briefly(*, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings (with their group) reading only what a short list of them prints: a
    meeting and its group are fifty columns, which a panel of ten paid for in
    compiling the query and making the instances. A column such a list comes to print
    must be added above, or each row reads it with a query of its own (the dashboard's
    query-count tests catch that)."""
    return queryset.select_related("group").only(*_MEETING_LISTED)


def meeting_list(*, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings with their group, `invited_count`, `accepted_count` and `pending_count`:
    what the lists show, and no more counting per row than that."""
    return queryset.select_related("group").annotate(
        **answer_counts(Invitation.Response.ACCEPTED, Invitation.Response.PENDING)
    )


def _invitations_and_register() -> tuple[Prefetch, Prefetch]:
    """Every invitation and every line of the register, with the people and
    organisations they name."""
    return (
        Prefetch(
            "invitations",
            queryset=Invitation.objects.select_related("person", "organisation", "alternate"),
        ),
        Prefetch(
            "attendance",
            queryset=Attendance.objects.select_related("person", "organisation", "invitation"),
        ),
    )


def _detail(
    queryset: QuerySet[Meeting],
    *,
    agenda_items: QuerySet[AgendaItem],
    decisions: QuerySet[Decision],
    action_points: QuerySet[ActionPoint],
) -> QuerySet[Meeting]:
    return (
        queryset.select_related("group", "group__parent", "minutes", "series")
        .annotate(**answer_counts())
        .prefetch_related(
            Prefetch("agenda_items", queryset=agenda_items.select_related("presenter")),
            *_invitations_and_register(),
            Prefetch("decisions", queryset=decisions),
            Prefetch(
                "action_points",
                queryset=action_points.select_related("owner_organisation", "owner_person"),
            ),
        )
    )


def meeting_detail(*, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """A meeting with its agenda, invitations, register, decisions, action points and
    answer counts: all of them, whatever their labels, for the portal's own work (the
    pack's build, which chooses what its audience reads). Pages and the API read a
    meeting through meeting_detail_for_user."""
    return _detail(
        queryset,
        agenda_items=AgendaItem.objects.all(),
        decisions=Decision.objects.all(),
        action_points=ActionPoint.objects.all(),
    )


def _minutes_before() -> Coalesce:
    """The minutes of the items of the same meeting before each item: its running start
    counts the items its reader may not see (their time, not their words)."""
    earlier = AgendaItem.objects.filter(
        meeting=OuterRef("meeting"), position__lt=OuterRef("position")
    )
    return Coalesce(
        Subquery(
            earlier.order_by()
            .values("meeting")
            .annotate(total=Sum("duration_minutes"))
            .values("total")
        ),
        0,
    )


def meeting_detail_for_user(*, queryset: QuerySet[Meeting], user: Actor) -> QuerySet[Meeting]:
    """meeting_detail as `user` reads it: meeting_overview_for_user (the agenda items,
    decisions and action points through their funnels, with their running starts and
    badges) with the answer counts, every invitation and the register. The minutes are
    read with meetings.permissions.minutes_of_meeting_for_user, never from this
    meeting."""
    return meeting_overview_for_user(
        queryset=queryset.annotate(**answer_counts()), user=user
    ).prefetch_related(*_invitations_and_register())


def meeting_pack_of_version(*, key: str) -> MeetingPack | None:
    """The stored pack of a version (meetings.pack.meeting_pack_version), in any state."""
    return MeetingPack.objects.filter(key=key).first()


def meetings_awaiting_answers(*, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings some invitee has not answered yet, with their answer counts."""
    pending = Invitation.objects.filter(
        meeting=OuterRef("pk"), response=Invitation.Response.PENDING
    )
    return meeting_list(queryset=queryset.filter(Exists(pending)))


def meetings_starting_between(
    *, queryset: QuerySet[Meeting], start: dt.datetime, end: dt.datetime
) -> QuerySet[Meeting]:
    """Meetings starting in [start, end), with their group, in time order."""
    return (
        queryset.filter(start_at__gte=start, start_at__lt=end)
        .select_related("group")
        .order_by("start_at", "pk")
    )


@dataclass(frozen=True)
class NotOver:
    """Meetings that have not ended by `now`, as a condition on meetings (or on the
    rows that hang off them) that both planners turn into a walk of the start index
    from a bound, for lists ordered by start. Read once (`NotOver.at`), it serves every
    list of a request: the dashboard asks three.

    Asked plainly (ends from now on, ordered by start), PostgreSQL and SQLite alike take
    the matches to be spread evenly along the start index and walk it from the first
    meeting ever held; they lie at its end, so the walk grows with the years. Those not
    over are the few that end from now on: the earliest start among them, read from the
    (end, start) index alone, bounds the walk. It is asked as the least of an expression
    of the start (Coalesce), not of the start itself: for MIN() of a bare column both
    planners would walk the start index from its beginning again.

    The end is then asked of an expression too (Coalesce of the end, which is never
    null): PostgreSQL takes the two ranges, ends from now and starts from the bound, for
    independent, estimates that a few dozen meetings pass both when a year's worth do,
    and so probes every coming meeting's invitations instead of reading a member's few
    pending answers first (a member's dashboard: 20 ms to 4 ms at 10x data). Of an
    expression it has no statistics and assumes a third, near enough."""

    now: dt.datetime
    earliest_start: dt.datetime | None

    @classmethod
    def at(cls, now: dt.datetime) -> "NotOver":
        earliest = (
            Meeting.objects.filter(end_at__gte=now)
            .order_by()
            .aggregate(start=Min(Coalesce("start_at", "end_at")))["start"]
        )
        return cls(now=now, earliest_start=earliest)

    def condition(self, *, to_meeting: str = "") -> Q:
        """On meetings, or through `to_meeting` (e.g. "meeting__") on what hangs off
        them."""
        ends = Coalesce(f"{to_meeting}end_at", f"{to_meeting}start_at")
        return Q(GreaterThanOrEqual(ends, Value(self.now))) & Q(
            **{f"{to_meeting}start_at__gte": self.earliest_start or self.now}
        )


def not_over(now: dt.datetime, *, to_meeting: str = "") -> Q:
    """NotOver's condition at `now`, for a list that asks it alone."""
    return NotOver.at(now).condition(to_meeting=to_meeting)


def _not_over(now: dt.datetime | None, not_over: NotOver | None) -> NotOver:
    return not_over or NotOver.at(now or timezone.now())


def meetings_upcoming(
    *,
    queryset: QuerySet[Meeting],
    now: dt.datetime | None = None,
    not_over: NotOver | None = None,
) -> QuerySet[Meeting]:
    """Scheduled meetings not over at `now`, or by `not_over` when the request read its
    bound already, soonest first."""
    upcoming = _not_over(now, not_over).condition()
    return queryset.filter(upcoming, status=Meeting.Status.SCHEDULED).order_by("start_at")


def action_point_list(*, queryset: QuerySet[ActionPoint]) -> QuerySet[ActionPoint]:
    return queryset.select_related(
        "meeting", "meeting__group", "owner_organisation", "owner_person"
    )


# What meetings/_action_point_table.html prints of an action point and its owner, and
# the meeting's id (a prefetch from the meeting's page files each point under it).
_ACTION_POINT_TABLED = (
    "meeting",
    "title",
    "confidentiality",
    "due_on",
    "status",
    "owner_organisation",
    "owner_organisation__name",
    "owner_organisation__name_ar",
    "owner_organisation__acronym",
    "owner_person",
    "owner_person__full_name",
    "owner_person__full_name_ar",
)


def action_point_table(*, queryset: QuerySet[ActionPoint]) -> QuerySet[ActionPoint]:
    """Action points with their owners, reading only what the pages' table of them
    prints (meetings/_action_point_table.html): action_point_list's meeting and group,
    fifty columns a row, cost a table of twenty more than a millisecond to make into
    instances. A column the table comes to print must be added above, or each row
    reads it with a query of its own (the pages' query-count tests catch that)."""
    return queryset.select_related("owner_organisation", "owner_person").only(*_ACTION_POINT_TABLED)


# What the action points page prints of each, besides the table's columns: the meeting
# it was raised at and that meeting's group.
_ACTION_POINT_LISTED = (
    *_ACTION_POINT_TABLED,
    "meeting__title",
    "meeting__reference",
    "meeting__group",
    "meeting__group__name",
    "meeting__group__name_ar",
    "meeting__group__name_fr",
)


def action_points_listed(*, queryset: QuerySet[ActionPoint]) -> QuerySet[ActionPoint]:
    """action_point_list reading only what the action points page prints of each (a row
    was an action point, its meeting, the meeting's group and the owners: seventy
    columns). A column the page comes to print must be added above, or each row reads
    it with a query of its own (the page's query-count test catches that)."""
    return action_point_list(queryset=queryset).only(*_ACTION_POINT_LISTED)


def action_points_overdue(
    *, queryset: QuerySet[ActionPoint], today: dt.date | None = None, overdue: bool = True
) -> QuerySet[ActionPoint]:
    """Open and due before today (or, with overdue=False, all the others)."""
    condition = Q(status=ActionPoint.Status.OPEN, due_on__lt=today or timezone.localdate())
    return queryset.filter(condition) if overdue else queryset.exclude(condition)


def meetings_of_group_tree(*, queryset: QuerySet[Meeting], group_id: int) -> QuerySet[Meeting]:
    """Meetings of a group and of every group below it: pages and API filter alike."""
    return queryset.filter(group_id__in=group_descendant_ids([group_id]))


# How far back a group's page first looks for its latest meetings: a year holds more
# than a page of them for any group that meets, and the range keeps the read the same
# size however many years of meetings the group has.
LATEST_LOOK_BACK = dt.timedelta(days=365)


def meetings_latest_of_group_tree(
    *, queryset: QuerySet[Meeting], group_id: int, count: int, now: dt.datetime | None = None
) -> list[Meeting]:
    """The `count` latest meetings (by start, the coming ones first) of a group and the
    groups below it. Read first among those starting within LATEST_LOOK_BACK (a range on
    the (group, start) index per group), and over the whole history only when that
    year holds fewer: sorting the whole tree's meetings would cost more every year."""
    tree = meetings_of_group_tree(queryset=queryset, group_id=group_id).order_by("-start_at", "-pk")
    since = (now or timezone.now()) - LATEST_LOOK_BACK
    latest = list(tree.filter(start_at__gte=since)[:count])
    if len(latest) < count:
        latest = list(tree[:count])
    return latest


# Ranges that every row is in, given to the planner, not to the reader. SQLite's
# planner (built without STAT4) takes any range on an indexed column for a quarter of
# the table; with one on the column a list is ordered by, it walks that column's index
# and stops at the page, where it would otherwise start from the table it joins and
# sort all it finds, a cost that grows with every year kept. PostgreSQL's planner,
# which knows the range holds every row, is not moved by it.
EVERY_DATE = Q(due_on__gte=dt.date.min)
EVERY_MEETING_START = Q(meeting__start_at__gte=dt.datetime.min.replace(tzinfo=dt.UTC))


def action_points_of_group_tree(
    *, queryset: QuerySet[ActionPoint], group_id: int
) -> QuerySet[ActionPoint]:
    """Action points raised at meetings of a group and of every group below it. A big
    tree's are read down the (status, due date) index, a small one's from its
    meetings: the planner chooses, told every due date is in range (EVERY_DATE)."""
    return queryset.filter(EVERY_DATE, meeting__group_id__in=group_descendant_ids([group_id]))


def minutes_list(*, queryset: QuerySet[Minutes]) -> QuerySet[Minutes]:
    """Minutes, those of the latest meetings first, with what their rows show: read
    down the meetings' (start, id) index, told every start is in range
    (EVERY_MEETING_START), rather than by sorting every meeting's minutes."""
    return (
        queryset.filter(EVERY_MEETING_START)
        .select_related("meeting", "approved_for")
        .prefetch_related(restricted_to_prefetch())
        .order_by("-meeting__start_at", "id")
    )


def minutes_approved_among(minutes_ids: list[int]) -> QuerySet[Minutes]:
    """The approved minutes among `minutes_ids` that name their signatory, with what
    minutes_cycle.approval_texts reads of them (their meeting's group, the signatory's
    names) and not their text."""
    return (
        Minutes.objects.filter(
            ids_in("pk", minutes_ids), approved_at__isnull=False, approved_for__isnull=False
        )
        .select_related("meeting", "approved_for")
        .only("approved_at", "approved_as", "approved_for", "meeting__group")
        .order_by()
    )


def meeting_filter(
    *,
    queryset: QuerySet[Meeting],
    group: CoordinationGroup | None = None,
    status: str = "",
    when: str = "",
    q: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Meeting]:
    """The meetings list's filters: words of the title or the official reference (all
    the words, in any order), group (with its sub-groups), status, upcoming or past
    (upcoming soonest first; otherwise newest first)."""
    now = now or timezone.now()
    for word in q.split():
        queryset = queryset.filter(Q(title__icontains=word) | Q(reference__icontains=word))
    if group is not None:
        queryset = meetings_of_group_tree(queryset=queryset, group_id=group.pk)
    if status:
        queryset = queryset.filter(status=status)
    if when == "upcoming":
        return queryset.filter(not_over(now)).order_by("start_at", "pk")
    if when == "past":
        # Over means started too: the bound lets the start index serve the order.
        queryset = queryset.filter(end_at__lt=now, start_at__lt=now)
    return queryset.order_by("-start_at", "pk")


def action_point_filter(
    *,
    queryset: QuerySet[ActionPoint],
    group: CoordinationGroup | None = None,
    owner: str = "",
    status: str = "",
    overdue: bool = False,
) -> QuerySet[ActionPoint]:
    """The action points list's filters: group (with its sub-groups), owner (part of
    the owner organisation's name or acronym), status, overdue; soonest due first."""
    if group is not None:
        queryset = action_points_of_group_tree(queryset=queryset, group_id=group.pk)
    if owner:
        owners = organisation_search(queryset=Organisation.objects.all(), text=owner)
        queryset = queryset.filter(owner_organisation__in=owners.values("pk"))
    if status:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = action_points_overdue(queryset=queryset)
    return queryset.order_by("due_on", "pk")


def action_points_carried_into(
    meeting: Meeting, *, queryset: QuerySet[ActionPoint] | None = None
) -> QuerySet[ActionPoint]:
    """Open action points of the group raised at earlier meetings: still on the table.
    `queryset`: those the reader may see (action_points_visible_to); all by default."""
    queryset = ActionPoint.objects.all() if queryset is None else queryset
    # Read through the open action points (the (status, due date) index, in the page's
    # order), each meeting checked after: through the group's earlier meetings, SQLite
    # read the whole history of the group (12.7 ms at 10x data, 0.6 ms at 1x).
    return action_point_table(
        queryset=queryset.alias(meeting_group_id=kept_off_index("meeting__group_id")).filter(
            meeting_group_id=meeting.group_id,
            meeting__start_at__lt=meeting.start_at,
            status=ActionPoint.Status.OPEN,
        )
    )


def meetings_in_feed_of(person: Person) -> QuerySet[Meeting]:
    """Meetings the person is invited to that are out of draft, oldest first; those of a
    series with the series and, on it, `announced_occurrences` (the slots and states of
    all its meetings out of draft), from which the feed writes the series once."""
    announced = (
        Meeting.objects.exclude(status=Meeting.Status.DRAFT)
        .only("pk", "series_id", "occurrence_start", "status")
        .order_by("occurrence_start")
    )
    return (
        Meeting.objects.filter(invitations__person=person)
        .exclude(status=Meeting.Status.DRAFT)
        .select_related("group", "series", "series__group")
        .prefetch_related(
            Prefetch("series__occurrences", queryset=announced, to_attr="announced_occurrences"),
            # For the labels (meetings.audience), read only of restricted meetings.
            restricted_to_prefetch(),
        )
        .order_by("start_at")
    )


def meeting_summaries(*, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings with RSVP counts and their group's current chair seat (`chair_seat__…`),
    for reading with `.values()`: one query for a whole page."""
    return queryset.annotate(
        **answer_counts(Invitation.Response.ACCEPTED),
        # At most one current chair per group (a unique constraint), so this join
        # never multiplies rows.
        chair_seat=FilteredRelation(
            "group__memberships",
            condition=Q(group__memberships__role="chair", group__memberships__end_on__isnull=True),
        ),
    )


def invitation_alternates(invitation: Invitation) -> QuerySet[Person]:
    """Who may be sent in the invitee's place: active colleagues of the organisation
    the invitation is for (nobody, when it names none)."""
    if invitation.organisation_id is None:
        return Person.objects.none()
    return (
        Person.objects.filter(organisation_id=invitation.organisation_id, is_active=True)
        .exclude(pk=invitation.person_id)
        .order_by("full_name")
    )


def people_holding_meeting(meeting: Meeting) -> QuerySet[Person]:
    """Everyone who holds the meeting in their calendar: the invitees, and the alternates
    they sent in their place. Their ids are read from the meeting's invitations first:
    asked as one OR across the two joins, SQLite walked the whole directory and searched
    each person's invitations (seconds to schedule a meeting in a large directory)."""
    ids: set[int] = set()
    for person_id, alternate_id in meeting.invitations.order_by().values_list(
        "person_id", "alternate_id"
    ):
        # An invitation names an alternate only while it answers "sending an alternate"
        # (the invitation_alternate_iff_sending_alternate constraint).
        ids.add(person_id)
        if alternate_id is not None:
            ids.add(alternate_id)
    return Person.objects.filter(pk__in=sorted(ids))


def invitations_awaiting_answer(
    *,
    queryset: QuerySet[Invitation],
    now: dt.datetime | None = None,
    not_over: NotOver | None = None,
) -> QuerySet[Invitation]:
    """Invitations still pending for scheduled meetings that have not ended (at `now`,
    or by `not_over` when the request read its bound already), soonest meeting first,
    with what the dashboard shows of them."""
    return (
        queryset.filter(
            _not_over(now, not_over).condition(to_meeting="meeting__"),
            response=Invitation.Response.PENDING,
            meeting__status=Meeting.Status.SCHEDULED,
        )
        .select_related("meeting", "meeting__group", "person", "organisation")
        .order_by("meeting__start_at", "person__full_name")
    )


# --- Before the invitations go out ----------------------------------------------------


class UnreachedReason(TextChoices):
    """Why a member organisation of the group has nobody invited."""

    NOT_INVITED = "not_invited", gettext_lazy("Its representatives are not invited.")
    NO_ACTIVE_PERSON = "no_active_person", gettext_lazy("None of its representatives is active.")
    NO_REPRESENTATIVE = "no_representative", gettext_lazy("It has no current representative.")


@dataclass(frozen=True)
class UnreachedOrganisation:
    """A current member organisation (observers too) of the meeting's group with nobody
    invited, and why (`UnreachedReason`)."""

    organisation: Organisation
    role: str
    reason: str

    @property
    def is_observer(self) -> bool:
        return self.role == Membership.Role.OBSERVER

    @property
    def reason_label(self) -> str:
        return str(UnreachedReason(self.reason).label)


def organisations_unreached(meeting: Meeting) -> list[UnreachedOrganisation]:
    """The group's current member organisations for whom nobody is invited: no
    invitation is for the organisation, and none of its current representatives or seat
    holders is invited. Three queries, by organisation name."""
    invited = list(meeting.invitations.values_list("person_id", "organisation_id"))
    return _organisations_unreached(
        meeting.group_id,
        invited_people={person_id for person_id, _organisation_id in invited},
        invited_organisations={organisation_id for _person_id, organisation_id in invited},
    )


def _organisations_unreached(
    group_id: int, *, invited_people: set[int], invited_organisations: set[int | None]
) -> list[UnreachedOrganisation]:
    """The group's current member organisations that none of `invited_people` and no
    invitation for `invited_organisations` reaches. Two queries."""
    representatives = Prefetch(
        "representatives",
        queryset=Representative.objects.filter(end_on__isnull=True).select_related("person"),
        to_attr="current_representatives",
    )
    memberships = (
        current_memberships()
        .filter(group_id=group_id)
        .select_related("organisation", "seat_holder")
        .prefetch_related(representatives)
        .order_by("organisation__name", "pk")
    )
    unreached = []
    for membership in memberships:
        people = [representative.person for representative in membership.current_representatives]
        if membership.seat_holder is not None:
            people.append(membership.seat_holder)
        if membership.organisation_id in invited_organisations or any(
            person.pk in invited_people for person in people
        ):
            continue
        if any(person.is_active for person in people):
            reason = UnreachedReason.NOT_INVITED
        elif people:
            reason = UnreachedReason.NO_ACTIVE_PERSON
        else:
            reason = UnreachedReason.NO_REPRESENTATIVE
        unreached.append(
            UnreachedOrganisation(
                organisation=membership.organisation, role=membership.role, reason=reason
            )
        )
    return unreached


def group_invitees(group: CoordinationGroup) -> QuerySet[Person]:
    """Whom inviting the group invites (invitations_create_for_group): the current
    representatives of its member organisations (observers' too) and the holders of its
    seats, those who are active, by name."""
    representatives = current_representatives().filter(membership__group=group)
    seat_holders = current_memberships().filter(group=group, seat_holder__isnull=False)
    return (
        Person.objects.filter(
            Q(pk__in=representatives.values("person_id"))
            | Q(pk__in=seat_holders.values("seat_holder_id"))
        )
        .filter(is_active=True)
        .order_by("full_name")
    )


@dataclass(frozen=True)
class InviteesOfOrganisation:
    organisation: Organisation | None
    people: list[Person]


@dataclass(frozen=True)
class InvitationPreview:
    """Who scheduling the meeting will invite: the invitees by organisation (none last),
    the member organisations with nobody invited, the invitees without an e-mail address
    (they get nothing), and the `recipients` of the e-mail, whose languages the message
    goes out in (notices.content.invitation_previews renders it)."""

    meeting: Meeting
    invitees: list[InviteesOfOrganisation]
    unreached_organisations: list[UnreachedOrganisation]
    without_email: list[Person]
    recipients: list[Person]
    # The official reference the meeting will carry once scheduled.
    reference: str

    @property
    def invitee_count(self) -> int:
        return sum(len(group.people) for group in self.invitees)


def reference_when_scheduled(meeting: Meeting) -> str:
    """The reference meeting_schedule would give the meeting now (as
    references.reference_assign does), read without giving it, for the preview: a
    meeting of the group scheduled in between would take it, and this one the next."""
    return references_when_scheduled([meeting])[0]


def references_when_scheduled(meetings: Sequence[Meeting]) -> list[str]:
    """The references that scheduling `meetings` of one group one after the other, in
    this order (as series_schedule does), would give them now; a meeting that has one
    keeps it. Read without giving them, in two queries."""
    if not meetings:
        return []
    code = references.group_code(meetings[0])
    years = {m.start_at.astimezone(m.zone).year for m in meetings if not m.reference}
    last: dict[int, int] = {}
    taken: set[str] = set()
    if years:
        last = dict(
            ReferenceCounter.objects.filter(
                group_id=meetings[0].group_id, year__in=years
            ).values_list("year", "last_number")
        )
        same_year = Q()
        for year in years:
            same_year |= Q(reference__startswith=f"{code}/{year}/")
        taken = set(Meeting.objects.filter(same_year).values_list("reference", flat=True))
    given = []
    for meeting in meetings:
        if meeting.reference:
            given.append(meeting.reference)
            continue
        year = meeting.start_at.astimezone(meeting.zone).year
        number = last.get(year, 0) + 1
        while references.meeting_reference_format(code, year, number) in taken:
            number += 1
        last[year] = number
        given.append(references.meeting_reference_format(code, year, number))
    return given


def _invitees_by_organisation(
    pairs: Iterable[tuple[Organisation | None, Person]],
) -> list[InviteesOfOrganisation]:
    """Invitees by organisation name (no organisation last), each by name."""
    by_organisation: dict[int | None, InviteesOfOrganisation] = {}
    for organisation, person in pairs:
        key = organisation.pk if organisation is not None else None
        if key not in by_organisation:
            by_organisation[key] = InviteesOfOrganisation(organisation, [])
        by_organisation[key].people.append(person)
    for group in by_organisation.values():
        group.people.sort(key=lambda person: person.full_name.casefold())
    return sorted(
        by_organisation.values(),
        key=lambda group: (
            group.organisation is None,
            group.organisation.name.casefold() if group.organisation else "",
        ),
    )


def invitation_preview(meeting: Meeting) -> InvitationPreview:
    """What meeting_schedule will send, read before it does (six queries)."""
    invitations = list(meeting.invitations.select_related("person", "organisation"))
    invitees = _invitees_by_organisation(
        (invitation.organisation, invitation.person) for invitation in invitations
    )
    people = [invitation.person for invitation in invitations]
    people.sort(key=lambda person: person.full_name.casefold())
    return InvitationPreview(
        meeting=meeting,
        invitees=invitees,
        unreached_organisations=organisations_unreached(meeting),
        without_email=[person for person in people if not person.email],
        recipients=[person for person in people if person.email],
        reference=reference_when_scheduled(meeting),
    )


@dataclass(frozen=True)
class UpdatePreview:
    """What saving a change to a scheduled meeting will send: the meeting `before` and
    `after` the change, the names of the fields that differ, the people its update is
    written for (the invitees and alternates who may see it) by organisation, those of
    them without an e-mail address (who get nothing), the `recipients` of the e-mail
    (notices.content.update_previews renders it for them), and the member organisations
    whose systems are told by webhook."""

    before: Meeting
    after: Meeting
    changed: frozenset[str]
    invitees: list[InviteesOfOrganisation]
    without_email: list[Person]
    recipients: list[Person]
    webhook_organisations: list[Organisation]

    @property
    def invitee_count(self) -> int:
        return sum(len(group.people) for group in self.invitees)


def update_preview(
    *,
    before: Meeting,
    after: Meeting,
    changed: Iterable[str],
    person_ids: Iterable[int],
    webhook_organisation_ids: Iterable[int],
) -> UpdatePreview:
    """The preview of an update from the meeting as it is and as the change leaves it,
    and whom its notices are written for (two queries)."""
    people = list(
        Person.objects.filter(pk__in=list(person_ids))
        .select_related("organisation")
        .order_by("full_name", "pk")
    )
    return UpdatePreview(
        before=before,
        after=after,
        changed=frozenset(changed),
        invitees=_invitees_by_organisation((person.organisation, person) for person in people),
        without_email=[person for person in people if not person.email],
        recipients=[person for person in people if person.email],
        webhook_organisations=sorted(
            Organisation.objects.filter(pk__in=list(webhook_organisation_ids)),
            key=lambda organisation: organisation.name.casefold(),
        ),
    )


# --- The agenda's running times -------------------------------------------------------


@dataclass(frozen=True)
class AgendaSlot:
    """An agenda item with when it starts and ends if the items before it keep to their
    durations, in the zone the agenda is shown in."""

    item: AgendaItem
    starts_at: dt.datetime
    ends_at: dt.datetime
    is_first: bool
    is_last: bool

    @property
    def start_clock(self) -> str:
        return self.starts_at.strftime("%H:%M")


@dataclass(frozen=True)
class AgendaTimeline:
    slots: list[AgendaSlot]
    ends_at: dt.datetime
    planned_end: dt.datetime
    overrun_minutes: int

    @property
    def planned_end_clock(self) -> str:
        return self.planned_end.strftime("%H:%M")

    def slot_of(self, item_id: int) -> AgendaSlot | None:
        return next((slot for slot in self.slots if slot.item.pk == item_id), None)


def agenda_timeline(meeting: Meeting, *, zone: zoneinfo.ZoneInfo | None = None) -> AgendaTimeline:
    """The running start time of each agenda item (the meeting's start plus the
    durations before it) and by how many minutes the agenda runs past the planned end.
    Times are added in UTC, then shown in `zone` (the meeting's by default), so a
    change of daylight saving time during a meeting moves the clock, not the sums.
    Reads `meeting.agenda_items` (prefetched by meeting_detail: no query then); read
    through meeting_detail_for_user, the items a reader may not see still take their
    time (`minutes_before`, `agenda_minutes`)."""
    zone = zone or meeting.zone
    items = list(meeting.agenda_items.all())
    slots = []
    elapsed = dt.timedelta()
    for index, item in enumerate(items):
        before = getattr(item, "minutes_before", None)
        if before is not None:
            elapsed = dt.timedelta(minutes=before)
        starts_at = meeting.start_at + elapsed
        elapsed += dt.timedelta(minutes=item.duration_minutes)
        slots.append(
            AgendaSlot(
                item=item,
                starts_at=timezone.localtime(starts_at, zone),
                ends_at=timezone.localtime(meeting.start_at + elapsed, zone),
                is_first=index == 0,
                is_last=index == len(items) - 1,
            )
        )
    total = getattr(meeting, "agenda_minutes", None)
    if total is not None:
        elapsed = dt.timedelta(minutes=total)
    ends_at = meeting.start_at + elapsed
    overrun = ends_at - meeting.end_at
    # Whole minutes, rounded up: a meeting cut short by seconds still runs over.
    overrun_minutes = max(0, -(-int(overrun.total_seconds()) // 60))
    return AgendaTimeline(
        slots=slots,
        ends_at=timezone.localtime(ends_at, zone),
        planned_end=timezone.localtime(meeting.end_at, zone),
        overrun_minutes=overrun_minutes,
    )


# --- Quorum -------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumStatus:
    """The quorum of a meeting at one moment. `counted` member organisations of its
    group (chair, co-chair and members on the meeting's day; observers never count),
    `present` of them with someone in the register, `needed` by the group's terms of
    reference; `needed` and `met` are None when the terms set no quorum."""

    counted: int
    present: int
    needed: int | None
    met: bool | None
    present_organisations: tuple[Organisation, ...]
    absent_organisations: tuple[Organisation, ...]

    @property
    def short_by(self) -> int:
        """How many more member organisations would make the quorum."""
        return max(0, (self.needed or 0) - self.present)


def quorum_status(
    meeting: Meeting, register: "Iterable[Attendance | RegisterLine] | None" = None
) -> QuorumStatus:
    """Which member organisations are in the register, against the quorum. Reads the
    `register` the page has in hand, else `meeting.attendance` (prefetched by
    meeting_detail: no query then); two queries for the member organisations, one or
    two for the terms."""
    day = timezone.localtime(meeting.start_at, meeting.zone).date()
    counted_ids = quorum_organisation_ids(meeting.group, on=day)
    lines = meeting.attendance.all() if register is None else register
    in_register = {line.organisation_id for line in lines}
    organisations = list(Organisation.objects.filter(pk__in=counted_ids).order_by("name", "pk"))
    present = tuple(o for o in organisations if o.pk in in_register)
    absent = tuple(o for o in organisations if o.pk not in in_register)
    needed = terms_of_reference(meeting.group).quorum_needed(len(counted_ids))
    return QuorumStatus(
        counted=len(counted_ids),
        present=len(present),
        needed=needed,
        met=None if needed is None else len(present) >= needed,
        present_organisations=present,
        absent_organisations=absent,
    )


def sign_in_sheet_invitations(meeting: Meeting) -> QuerySet[Invitation]:
    """The invitations a sign-in sheet lists, with the people, their organisations and
    the alternates sent in their place (one query)."""
    return meeting.invitations.select_related("person", "organisation", "alternate").order_by("pk")


# --- Notice period ------------------------------------------------------------------


@dataclass(frozen=True)
class ShortNotice:
    """A meeting called inside its group's notice period: the period, the group whose
    terms set it (the meeting's own group, or one above it), and how far ahead of its
    start the meeting would be called."""

    notice_period_days: int
    rule_group: CoordinationGroup
    ahead: dt.timedelta

    def explanation(self) -> str:
        """The rule and how far short of it the meeting falls, in whole sentences."""
        name = local_name(self.rule_group)
        rule = ngettext(
            "The %(group)s's terms of reference ask for %(count)d day's notice.",
            "The %(group)s's terms of reference ask for %(count)d days' notice.",
            self.notice_period_days,
        ) % {"group": name, "count": self.notice_period_days}
        days = self.ahead.days
        if days < 1:
            ahead = gettext("This meeting would be called less than a day ahead.")
        else:
            ahead = ngettext(
                "This meeting would be called %(count)d day ahead.",
                "This meeting would be called %(count)d days ahead.",
                days,
            ) % {"count": days}
        return f"{rule} {ahead}"


def short_notice_of(
    *, group: CoordinationGroup, start_at: dt.datetime, now: dt.datetime | None = None
) -> ShortNotice | None:
    """How a meeting of `group` starting at `start_at`, called `now`, falls inside the
    notice period of the group's terms of reference (inherited from above when the group
    sets none); None when it does not, or when the terms set no period."""
    terms = terms_of_reference(group)
    days = terms.notice_period_days
    if not days:
        return None
    ahead = start_at - (now or timezone.now())
    if ahead >= dt.timedelta(days=days):
        return None
    return ShortNotice(
        notice_period_days=days,
        rule_group=terms.inherited_from.get("notice_period_days", group),
        ahead=ahead,
    )


# --- Series -----------------------------------------------------------------------------


def series_list(*, queryset: QuerySet[MeetingSeries], user: Actor) -> QuerySet[MeetingSeries]:
    """Series with their group and those of their meetings `user` may see (slot order):
    two queries a page."""
    return queryset.select_related("group").prefetch_related(
        Prefetch("occurrences", queryset=meetings_visible_to(user).order_by("occurrence_start"))
    )


def series_is_announced(series: MeetingSeries) -> bool:
    """Whether the series was scheduled: one of its meetings is scheduled or held, or
    has a reference (given when it was scheduled, kept when it is cancelled)."""
    return series.occurrences.filter(
        Q(status__in=[Meeting.Status.SCHEDULED, Meeting.Status.HELD]) | ~Q(reference="")
    ).exists()


@dataclass(frozen=True)
class SeriesChangePreview:
    """Which meetings a change to the series reaches: those still to come, open and not
    changed by hand (`changing`), and those it leaves as they are (`kept`)."""

    changing: list[Meeting]
    kept: list[Meeting]


def series_change_preview(series: MeetingSeries) -> SeriesChangePreview:
    upcoming = series.occurrences.filter(
        status__in=[Meeting.Status.DRAFT, Meeting.Status.SCHEDULED],
        start_at__gt=timezone.now(),
    ).order_by("start_at")
    changing: list[Meeting] = []
    kept: list[Meeting] = []
    for occurrence in upcoming:
        (kept if occurrence.detached_from_series else changing).append(occurrence)
    return SeriesChangePreview(changing=changing, kept=kept)


def series_drafts_to_schedule(series: MeetingSeries) -> QuerySet[Meeting]:
    """The meetings series_schedule schedules: the series' drafts still to come, by start."""
    return series.occurrences.filter(
        status=Meeting.Status.DRAFT, start_at__gt=timezone.now()
    ).order_by("start_at")


@dataclass(frozen=True)
class SeriesSchedulePreview:
    """What series_schedule will do, read before it does: the meetings it schedules
    (`occurrences`, as they will be: scheduled, with the references they will get), the
    series' meetings its invitation lists (`announced`: those out of draft already, and
    these), who will hold the series by organisation (the group as
    invitations_create_for_group invites it, and whoever is invited to those meetings
    already), the member organisations none of them reaches, who has no e-mail address,
    and the `recipients` of the e-mail (notices.content.series_invitation_previews)."""

    series: MeetingSeries
    occurrences: list[Meeting]
    announced: list[Meeting]
    invitees: list[InviteesOfOrganisation]
    unreached_organisations: list[UnreachedOrganisation]
    without_email: list[Person]
    recipients: list[Person]

    @property
    def invitee_count(self) -> int:
        return sum(len(group.people) for group in self.invitees)


def series_schedule_preview(series: MeetingSeries) -> SeriesSchedulePreview:
    """What series_schedule will send, read before it does (eight queries)."""
    group = series.group
    drafts = list(series_drafts_to_schedule(series))
    for draft in drafts:
        # series_schedule schedules each meeting for the series' group.
        draft.group = group
    occurrences = []
    for draft, reference in zip(drafts, references_when_scheduled(drafts), strict=True):
        scheduled = copy.copy(draft)
        scheduled.status = Meeting.Status.SCHEDULED
        scheduled.reference = reference
        occurrences.append(scheduled)
    announced = sorted(
        [*series.occurrences.exclude(status=Meeting.Status.DRAFT), *occurrences],
        key=lambda meeting: meeting.occurrence_start or meeting.start_at,
    )
    # Everyone invited to a meeting the series' invitation lists gets it (series_announce).
    held = list(
        Invitation.objects.filter(meeting__series=series)
        .filter(
            Q(meeting__in=[draft.pk for draft in drafts]) | ~Q(meeting__status=Meeting.Status.DRAFT)
        )
        .values_list("person_id", "organisation_id")
    )
    people = sorted(
        Person.objects.filter(
            Q(pk__in=group_invitees(group).values("pk"))
            | Q(pk__in={person_id for person_id, _organisation_id in held})
        ).select_related("organisation"),
        key=lambda person: person.full_name.casefold(),
    )
    return SeriesSchedulePreview(
        series=series,
        occurrences=occurrences,
        announced=announced,
        invitees=_invitees_by_organisation((person.organisation, person) for person in people),
        unreached_organisations=_organisations_unreached(
            group.pk,
            invited_people={person.pk for person in people},
            invited_organisations={person.organisation_id for person in people}
            | {organisation_id for _person_id, organisation_id in held},
        ),
        without_email=[person for person in people if not person.email],
        recipients=[person for person in people if person.email],
    )


# --- Follow-up across meetings (meetings.follow_up) ------------------------------------------


class DecisionSource(TextChoices):
    """Where a decision was taken: at a meeting, or between meetings by written
    procedure. The register's page and the API filter by these same values."""

    MEETING = "meeting", gettext_lazy("At a meeting")
    WRITTEN_PROCEDURE = "written_procedure", gettext_lazy("By written procedure")


def decision_filter(
    queryset: QuerySet[Decision], *, source: str = "", words: str = ""
) -> QuerySet[Decision]:
    """The register's two filters that are not plain fields, for the page and the API
    alike: where the decision was taken, and words in its reference or its text in any
    of the three languages, whatever their case."""
    if source == DecisionSource.MEETING:
        queryset = queryset.filter(meeting__isnull=False)
    elif source == DecisionSource.WRITTEN_PROCEDURE:
        queryset = queryset.filter(meeting__isnull=True)
    words = words.strip()
    if words:
        queryset = queryset.filter(
            Q(reference__icontains=words)
            | Q(text__icontains=words)
            | Q(text_ar__icontains=words)
            | Q(text_fr__icontains=words)
        )
    return queryset


def action_point_reviews_prefetch() -> Prefetch:
    """An action point's history: what each meeting said of it, oldest first."""
    return Prefetch(
        "reviews",
        queryset=ActionPointReview.objects.select_related("meeting", "by").order_by("at", "pk"),
    )


def action_points_for_review(meeting: Meeting, user: Actor) -> QuerySet[ActionPoint]:
    """What the meeting's "Review of open action points" lists, as `user` may see it:
    the action points raised at earlier meetings of its group that are still open, and
    those this meeting has reviewed already (so a click leaves its row in place).
    Overdue ones first, then the open ones by due date, then the closed; each with its
    raising meeting, owners and history (three queries in all)."""
    today = timezone.localdate()
    reviewed_here = ActionPointReview.objects.filter(action_point=OuterRef("pk"), meeting=meeting)
    return (
        action_points_visible_to(user)
        .filter(
            meeting__group_id=meeting.group_id,
            meeting__start_at__lt=meeting.start_at,
        )
        .filter(Q(status=ActionPoint.Status.OPEN) | Exists(reviewed_here))
        .annotate(
            is_overdue=Case(
                When(status=ActionPoint.Status.OPEN, due_on__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            review_order=Case(
                When(status=ActionPoint.Status.OPEN, due_on__lt=today, then=Value(0)),
                When(status=ActionPoint.Status.OPEN, then=Value(1)),
                default=Value(2),
            ),
        )
        .select_related("meeting", "owner_organisation", "owner_person")
        .prefetch_related(action_point_reviews_prefetch())
        .order_by("review_order", "due_on", "pk")
    )


def action_point_carried_to(action_point: ActionPoint, user: Actor) -> QuerySet[Meeting]:
    """The later meetings of its group whose review of open action points listed (or
    lists) the action point: those held or to come while it was open, and any that
    reviewed it. `action_point` has its meeting joined."""
    raised_at = action_point.meeting
    listed = Q(status__in=[Meeting.Status.DRAFT, Meeting.Status.SCHEDULED, Meeting.Status.HELD])
    if action_point.closed_at is not None:
        listed &= Q(start_at__lte=action_point.closed_at)
    reviewed = Exists(
        ActionPointReview.objects.filter(meeting=OuterRef("pk"), action_point=action_point)
    )
    return (
        meetings_visible_to(user)
        .filter(
            group_id=raised_at.group_id,
            start_at__gt=raised_at.start_at,
            agenda_items__kind=AgendaItem.Kind.ACTION_REVIEW,
        )
        .filter(listed | reviewed)
        .order_by("start_at", "pk")
    )


# --- The pages of one meeting ---------------------------------------------------------
# meeting_detail_for_user reads everything a meeting holds, hundreds of invitations and
# register lines at a plenary among them; each page below reads only what it shows.


# The invitations and attendance tabs list hundreds of rows at a plenary, read-only: they
# read them as the few columns they print, in one query each, rather than as model
# instances (an invitation with its invitee, organisation and alternate is four; building
# them cost the tabs more than the rest of the request). A column a tab comes to print
# must be added to these rows.


@dataclass(frozen=True, slots=True)
class PersonNamed:
    """A person as the tabs name them: `local_name` and `str()` give what they give of
    the Person, whose own `__str__` is used."""

    pk: int
    full_name: str
    full_name_ar: str
    position: str
    user_id: int | None

    def __str__(self) -> str:
        return Person.__str__(self)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class OrganisationNamed:
    """An organisation as the tabs name it (`str()` adds the acronym, as the model's)."""

    pk: int
    name: str
    name_ar: str
    acronym: str
    is_active: bool

    def __str__(self) -> str:
        return Organisation.__str__(self)  # type: ignore[arg-type]


class _NamesPersonAndOrganisation:
    """The ids of a line's person and organisation, as a model row gives them."""

    __slots__ = ()
    person: PersonNamed
    organisation: OrganisationNamed | None

    @property
    def person_id(self) -> int:
        return self.person.pk

    @property
    def organisation_id(self) -> int | None:
        return None if self.organisation is None else self.organisation.pk


@dataclass(frozen=True, slots=True)
class InvitationLine(_NamesPersonAndOrganisation):
    """One invitation as the tabs list it."""

    pk: int
    meeting_id: int
    person: PersonNamed
    organisation: OrganisationNamed | None
    alternate: PersonNamed | None
    response: str
    response_note: str


@dataclass(frozen=True, slots=True)
class RegisterLine(_NamesPersonAndOrganisation):
    """One line of the attendance register as the tab lists it."""

    person: PersonNamed
    organisation: OrganisationNamed | None
    mode: str
    interpretation: str


_PERSON_COLUMNS = ("id", "full_name", "full_name_ar", "position", "user")
_ORGANISATION_COLUMNS = ("id", "name", "name_ar", "acronym", "is_active")


def _named_columns(relation: str, columns: Sequence[str]) -> list[str]:
    return [f"{relation}__{column}" for column in columns]


def _named(kind: type[PersonNamed] | type[OrganisationNamed], values: Sequence):
    """The person or organisation in `values` (their columns in order), None when the
    row names none (its id is null)."""
    return None if values[0] is None else kind(*values)


def invitation_lines(meeting: Meeting) -> list[InvitationLine]:
    """All the meeting's invitations, by the invitee's name, with their invitee,
    organisation and alternate: one query."""
    person_end = 4 + len(_PERSON_COLUMNS)
    organisation_end = person_end + len(_ORGANISATION_COLUMNS)
    rows = (
        Invitation.objects.filter(meeting=meeting)
        .order_by("person__full_name", "pk")
        .values_list(
            "pk",
            "meeting_id",
            "response",
            "response_note",
            *_named_columns("person", _PERSON_COLUMNS),
            *_named_columns("organisation", _ORGANISATION_COLUMNS),
            *_named_columns("alternate", _PERSON_COLUMNS),
        )
    )
    return [
        InvitationLine(
            pk=row[0],
            meeting_id=row[1],
            response=row[2],
            response_note=row[3],
            person=PersonNamed(*row[4:person_end]),
            organisation=_named(OrganisationNamed, row[person_end:organisation_end]),
            alternate=_named(PersonNamed, row[organisation_end:]),
        )
        for row in rows
    ]


def register_lines(meeting: Meeting) -> list[RegisterLine]:
    """All the meeting's attendance register, by organisation then name, with each line's
    person and organisation: one query."""
    people = len(_PERSON_COLUMNS)
    rows = (
        Attendance.objects.filter(meeting=meeting)
        .order_by("organisation__name", "person__full_name", "pk")
        .values_list(
            "mode",
            "interpretation",
            *_named_columns("person", _PERSON_COLUMNS),
            *_named_columns("organisation", _ORGANISATION_COLUMNS),
        )
    )
    return [
        RegisterLine(
            mode=row[0],
            interpretation=row[1],
            person=PersonNamed(*row[2 : 2 + people]),
            organisation=_named(OrganisationNamed, row[2 + people :]),
        )
        for row in rows
    ]


def meeting_overview_for_user(*, queryset: QuerySet[Meeting], user: Actor) -> QuerySet[Meeting]:
    """What the meeting's own page shows: the agenda items, decisions and action points
    through their funnels (their labels, and the decisions' wait for published
    minutes), the organisations of its items and decisions joined for their badges (a
    restricted meeting's own are read when shown), and the running start of each item
    counting those the user may not see (`minutes_before`, with the meeting's
    `agenda_minutes`). Not the invitations and the register, which the page does not
    list, nor the answer counts (meeting_answer_counts; the reader's own invitation is
    invitations_of_user)."""
    named = restricted_to_prefetch()
    agenda = AgendaItem.objects.filter(meeting=OuterRef("pk"))
    return (
        queryset.select_related("group", "group__parent", "minutes", "series")
        .annotate(
            agenda_minutes=Coalesce(
                Subquery(
                    agenda.order_by()
                    .values("meeting")
                    .annotate(total=Sum("duration_minutes"))
                    .values("total")
                ),
                0,
            ),
        )
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=agenda_items_visible_to(user)
                .annotate(minutes_before=_minutes_before())
                .select_related("presenter")
                .prefetch_related(named),
            ),
            Prefetch("decisions", queryset=decisions_visible_to(user).prefetch_related(named)),
            Prefetch(
                "action_points",
                queryset=action_point_table(queryset=action_points_visible_to(user)),
            ),
        )
    )


def invitations_of_user(meeting: Meeting, user: Actor) -> QuerySet[Invitation]:
    """The user's own invitation to the meeting (none, or one), for its page's "Your
    answer": one query, rather than reading every invitation to find it."""
    if user is None or user.pk is None:
        return Invitation.objects.none()
    return meeting.invitations.filter(person__user_id=user.pk)


def meeting_answer_counts(meeting: Meeting) -> dict[str, int]:
    """{response: how many invitations have it} for one meeting, in one GROUP BY query:
    for a single meeting's page, cheaper to build than answer_counts' subqueries, which
    are for lists of meetings. Responses nobody gave are missing."""
    return dict(meeting.invitations.order_by().values_list("response").annotate(Count("pk")))


def answer_tally_from(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(response, label, count) in the order of the choices, for the pages' answer
    summary, from counts however they were counted (the invitations a page has in hand,
    meeting_answer_counts)."""
    return [
        (value, str(label), counts.get(value, 0)) for value, label in Invitation.Response.choices
    ]
