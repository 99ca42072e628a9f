"""Who may read a meeting's records where they leave the portal: the e-mails, the
personal calendar feed, the webhook calls and the meeting pack.

The pages ask the funnels in meetings/permissions.py about a signed-in user. What leaves
the portal goes to a reader who is not at the keyboard, and may have no account at all:
a person (an invitee, an alternate, a representative), an organisation's webhook
endpoint, or one of the meeting pack's two audiences. Such a reader is always one the
meeting's notices reach (its invitees and their alternates, the group's members), so
whether a meeting that is not restricted is theirs to hear of is the caller's rule; what
the labels let through is decided here, by `reader_may_see`, for every way out alike:

- a person with an active account reads what the funnels show them in the pages: a
  restricted meeting or row, a draft, a decision before its minutes are published is
  sent to them only if the funnel lets them see it (one query per such row);
- a person without one (or whose account is closed) acts for their current
  organisation, with the members' view of the meetings they are invited to: they see a
  restricted meeting or row only when it names their organisation;
- an organisation (its webhook endpoint) sees the restricted rows that name it, and all
  of them when it holds the chair or co-chair seat of the group or of a group above;
- the pack's managers see everything; its members no restricted row (the pack is one
  file for every member, whichever organisations a row names).

As in the funnels, draft minutes and the decisions of a meeting whose minutes are not
published are seen only by whoever manages the group (and a draft circulated for
comments by the organisations invited to its meeting), and an action point always by its
owner organisation. A row's `restricted_to` is read only when the row is restricted
(prefetch it when asking about many).
"""

from collections.abc import Callable, Iterable
from functools import cached_property

from django.contrib.auth.models import User
from django.db.models import QuerySet

from groups.models import Confidentiality, Labelled, Membership
from groups.selectors import current_memberships, group_descendant_ids
from meetings.models import (
    ActionPoint,
    AgendaItem,
    Decision,
    Invitation,
    Meeting,
    MeetingPack,
    Minutes,
)
from meetings.permissions import (
    action_points_visible_to,
    agenda_items_visible_to,
    decisions_visible_to,
    meetings_visible_to,
    minutes_visible_to,
    user_can_manage_meeting,
)
from members.models import Person
from members.permissions import user_is_signed_in
from portal.audit import Actor

MeetingRecord = Meeting | AgendaItem | Minutes | Decision | ActionPoint
CHAIR_ROLES = (Membership.Role.CHAIR, Membership.Role.CO_CHAIR)
FUNNELS: dict[type, Callable[[User], QuerySet]] = {
    Meeting: meetings_visible_to,
    AgendaItem: agenda_items_visible_to,
    Minutes: minutes_visible_to,
    Decision: decisions_visible_to,
    ActionPoint: action_points_visible_to,
}


def _nothing() -> Iterable[int]:
    return ()


def _no_account() -> User | None:
    return None


class Reader:
    """A reader outside the pages: a signed-in account (`user`), whose funnels decide,
    or the organisations a reader acts for and the groups whose every row they see,
    each read from the database only when a restricted row asks for it."""

    def __init__(
        self,
        *,
        account: Callable[[], User | None] = _no_account,
        sees_everything: bool = False,
        organisation_ids: Callable[[], Iterable[int]] = _nothing,
        managed_group_ids: Callable[[], Iterable[int]] = _nothing,
    ) -> None:
        self._account = account
        self.sees_everything = sees_everything
        self._organisation_ids = organisation_ids
        self._managed_group_ids = managed_group_ids
        self._funnel_answers: dict[tuple[type, int], bool] = {}

    @cached_property
    def user(self) -> User | None:
        return self._account()

    @cached_property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(self._organisation_ids())

    @cached_property
    def managed_group_ids(self) -> frozenset[int]:
        return frozenset(self._managed_group_ids())

    def manages(self, group_id: int) -> bool:
        return self.sees_everything or group_id in self.managed_group_ids

    def funnel_allows(self, record: MeetingRecord) -> bool:
        """Whether the account's funnel shows the row (asked once per row)."""
        if self.user is None:
            return False
        key = (type(record), record.pk)
        if key not in self._funnel_answers:
            self.ask_funnels([record])
        return self._funnel_answers[key]

    def ask_funnels(self, records: Iterable[MeetingRecord]) -> None:
        """Ask the account's funnels about many rows at once: a query per kind of row."""
        user = self.user
        if user is None:
            return
        by_kind: dict[type, set[int]] = {}
        for record in records:
            if (type(record), record.pk) not in self._funnel_answers:
                by_kind.setdefault(type(record), set()).add(record.pk)
        for kind, ids in by_kind.items():
            shown = set(FUNNELS[kind](user).filter(pk__in=ids).values_list("pk", flat=True))
            self._funnel_answers.update({(kind, pk): pk in shown for pk in ids})

    @classmethod
    def of_person(cls, person: Person) -> "Reader":
        own = person.organisation_id

        def account() -> User | None:
            user = person.user if person.user_id is not None else None
            return user if user is not None and user_is_signed_in(user) else None

        # Without an (active) account, the person acts for their organisation.
        return cls(account=account, organisation_ids=lambda: () if own is None else (own,))

    @classmethod
    def of_organisation(cls, organisation_id: int) -> "Reader":
        def chaired_group_ids() -> Iterable[int]:
            chaired = current_memberships().filter(
                organisation_id=organisation_id, role__in=CHAIR_ROLES
            )
            group_ids = list(chaired.values_list("group_id", flat=True))
            return group_descendant_ids(group_ids) if group_ids else ()

        return cls(organisation_ids=lambda: (organisation_id,), managed_group_ids=chaired_group_ids)

    @classmethod
    def of_pack_audience(cls, audience: str) -> "Reader":
        return cls(sees_everything=audience == MeetingPack.Audience.MANAGERS)


def _meeting_of(record: MeetingRecord) -> Meeting | None:
    """The record's meeting: none for a decision taken by written procedure."""
    return record if isinstance(record, Meeting) else record.meeting


def record_group_id(record: MeetingRecord) -> int:
    if isinstance(record, Decision):
        return record.group_id
    meeting = _meeting_of(record)
    if meeting is None:  # only a Decision has no meeting, and it was answered above
        raise TypeError(f"{record!r} has no meeting")
    return meeting.group_id


def _passes_label(reader: Reader, record: Labelled, group_id: int) -> bool:
    if record.confidentiality != Confidentiality.RESTRICTED or reader.manages(group_id):
        return True
    if not reader.organisation_ids:
        return False
    return any(
        organisation.pk in reader.organisation_ids for organisation in record.restricted_to.all()
    )


def _minutes_published(meeting: Meeting) -> bool:
    try:
        minutes = meeting.minutes
    except Minutes.DoesNotExist:
        return False
    return minutes.status == Minutes.Status.PUBLISHED


def _is_draft(record: MeetingRecord) -> bool:
    """Minutes not published, or a decision of a meeting whose minutes are not."""
    if isinstance(record, Minutes):
        return record.status != Minutes.Status.PUBLISHED
    return (
        isinstance(record, Decision)
        and record.meeting is not None
        and not _minutes_published(record.meeting)
    )


def is_restricted(record: MeetingRecord) -> bool:
    """Whether the record or its meeting is restricted: only then may some of those its
    meeting's notices reach not see it (drafts are never announced)."""
    meeting = _meeting_of(record)
    labels = {record.confidentiality, meeting.confidentiality if meeting else None}
    return Confidentiality.RESTRICTED in labels


def shown_in_meeting(reader: Reader, record: MeetingRecord) -> bool:
    """reader_may_see for a reader without an account who is known to see the record's
    meeting (the pack's audience, once the meeting's funnel let its reader in): the
    row's own label, and the rule of what is not published yet."""
    group_id = record_group_id(record)
    if _passes_label(reader, record, group_id) and (
        not _is_draft(record) or reader.manages(group_id) or _circulated_to(reader, record)
    ):
        return True
    return _owned_by(reader, record)


def _circulated_to(reader: Reader, record: MeetingRecord) -> bool:
    """A draft circulated for comments is read, until it is approved, by the
    organisations invited to its meeting, observers excepted, as their people read it
    in the pages (meetings.permissions.minutes_visible_to: nobody acts for an observer
    organisation)."""
    if not (
        isinstance(record, Minutes)
        and record.status == Minutes.Status.DRAFT
        and record.circulated_at is not None
        and reader.organisation_ids
    ):
        return False
    observers = current_memberships().filter(
        group_id=record.meeting.group_id, role=Membership.Role.OBSERVER
    )
    return (
        Invitation.objects.filter(
            meeting_id=record.meeting_id, organisation_id__in=reader.organisation_ids
        )
        .exclude(organisation_id__in=observers.values("organisation_id"))
        .exists()
    )


def _owned_by(reader: Reader, record: MeetingRecord) -> bool:
    return isinstance(record, ActionPoint) and (
        record.owner_organisation_id in reader.organisation_ids
    )


def _asks_the_labels(record: MeetingRecord) -> bool:
    """Whether some reader the meeting's notices reach may not see the record."""
    return is_restricted(record) or _is_draft(record)


def reader_may_see(reader: Reader, record: MeetingRecord) -> bool:
    """The one rule for what leaves the portal: may this reader see this meeting, or
    this row of a meeting (never when they may not see the meeting itself, unless it
    is an action point of their own organisation)?"""
    if not _asks_the_labels(record):
        return True
    if reader.user is not None:
        return reader.funnel_allows(record)
    meeting = _meeting_of(record)
    if (
        meeting is not None
        and record is not meeting
        and not _passes_label(reader, meeting, meeting.group_id)
    ):
        return _owned_by(reader, record)
    return shown_in_meeting(reader, record)


def person_may_see(person: Person, record: MeetingRecord) -> bool:
    return reader_may_see(Reader.of_person(person), record)


def organisation_may_see(organisation_id: int, record: MeetingRecord) -> bool:
    return reader_may_see(Reader.of_organisation(organisation_id), record)


def seen_by(reader: Reader, records: Iterable[MeetingRecord]) -> list:
    """The records the reader may see, in their order; an account's funnels are asked
    once for all the rows they decide."""
    records = list(records)
    asked = [record for record in records if _asks_the_labels(record)]
    if asked and reader.user is not None:
        reader.ask_funnels(asked)
    return [record for record in records if reader_may_see(reader, record)]


def people_who_may_see(people: Iterable[Person], record: MeetingRecord) -> list[Person]:
    return [person for person in people if person_may_see(person, record)]


def pack_audience_of(user: Actor, meeting: Meeting) -> str:
    """Which pack of a meeting a reader of its pages gets (meetings.pack.pack_contents):
    the managers' pack, with every row, for those who manage the meeting; the members'
    pack for everyone else the meeting's funnel lets in."""
    if user_can_manage_meeting(user, meeting):
        return MeetingPack.Audience.MANAGERS
    return MeetingPack.Audience.MEMBERS
