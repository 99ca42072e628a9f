"""The minutes' cycle between a meeting and its published record: the template a first
draft starts from, its sections, its versions compared, the comment period, the
reminder that the period is closing, and who signs the minutes off in what capacity.

A draft is written in sections, one per agenda item, each under a heading line
"## <position>. <title>" (the template writes them); a comment names the heading it is
on (`MinutesComment.section`, "" for the minutes as a whole), so comments stay beside
their text when the secretariat rewrites the rest.

Sign-off is the chair's or the co-chair's act: a seat holder of the chair or co-chair
seat of the meeting's group or, when that group has none, of the nearest group above
it (whose chairs manage it). The secretariat may record it on their behalf, naming
whom it acts for. meetings.services.minutes_approve records it through
`approval_record`.
"""

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from groups.models import Confidentiality, CoordinationGroup, Membership
from groups.selectors import current_memberships, group_ancestor_ids
from meetings import announcements
from meetings.models import (
    AgendaItem,
    ApprovalCapacity,
    Attendance,
    Invitation,
    Meeting,
    Minutes,
    MinutesComment,
    MinutesVersion,
)
from meetings.permissions import minutes_commenting_organisations, user_can_manage_meeting
from members.models import Person
from members.permissions import organisations_acted_for_by, user_is_secretariat, user_person
from portal.audit import Actor, audited_save, author_of
from portal.pages import local_name

HEADING_LINE = re.compile(r"^##[ \t]+(?P<heading>\S.*?)\s*$")
NUMBERED_HEADING = re.compile(r"^(?P<position>\d+)\.\s")
COMMENT_MAX_CHARS = 10_000
CHAIR_CAPACITY: dict[str, str] = {
    Membership.Role.CHAIR: ApprovalCapacity.CHAIR,
    Membership.Role.CO_CHAIR: ApprovalCapacity.COCHAIR,
}


# --- Sign-off -------------------------------------------------------------------------


@dataclass(frozen=True)
class Signatory:
    """A person who signs a meeting's minutes off, and in what capacity."""

    person: Person
    capacity: str

    @property
    def label(self) -> str:
        return f"{self.person.full_name} ({ApprovalCapacity(self.capacity).label})"


def minutes_signatories(meeting: Meeting) -> list[Signatory]:
    """The chair and co-chair seat holders of the meeting's group or, when it has none,
    of the nearest group above it: chair first."""
    chain = [meeting.group_id, *group_ancestor_ids(meeting.group)]
    seats = list(
        current_memberships()
        .filter(group_id__in=chain, role__in=list(CHAIR_CAPACITY), seat_holder__isnull=False)
        .select_related("seat_holder")
    )
    for group_id in chain:
        here = [seat for seat in seats if seat.group_id == group_id]
        if here:
            here.sort(key=lambda seat: seat.role != Membership.Role.CHAIR)
            return [
                Signatory(person=seat.seat_holder, capacity=CHAIR_CAPACITY[seat.role])
                for seat in here
                if seat.seat_holder is not None
            ]
    return []


def approval_record(minutes: Minutes, *, by: Actor, on_behalf_of: Person | None) -> None:
    """Set who approves the minutes in what capacity (the caller saves them): a chair or
    co-chair in their own name; the secretariat (or the portal itself, `by` None) on
    behalf of the one it names, by default the chair. Anyone else is refused."""
    signatories = minutes_signatories(minutes.meeting)
    person = user_person(by)
    own = next((s for s in signatories if person is not None and s.person.pk == person.pk), None)
    if own is not None and on_behalf_of in (None, own.person):
        minutes.approved_as, minutes.approved_for = own.capacity, own.person
        return
    if by is not None and not user_is_secretariat(by):
        if own is not None:
            raise ValidationError(
                {"on_behalf_of": _("A chair or co-chair approves minutes in their own name.")}
            )
        raise PermissionDenied(
            _("Only the chair, the co-chair or the secretariat on their behalf approve minutes.")
        )
    if on_behalf_of is None:
        if not signatories:
            if by is None:
                # The portal's own writes (data loading) of a group with no chair yet.
                minutes.approved_as, minutes.approved_for = "", None
                return
            raise ValidationError(
                {"on_behalf_of": _("The group has no chair or co-chair to approve on behalf of.")}
            )
        on_behalf_of = signatories[0].person
    chosen = next((s for s in signatories if s.person.pk == on_behalf_of.pk), None)
    if chosen is None:
        raise ValidationError(
            {"on_behalf_of": _("Name the group's chair or co-chair the approval is made for.")}
        )
    minutes.approved_as, minutes.approved_for = ApprovalCapacity.ON_BEHALF, chosen.person


def approval_text(minutes: Minutes) -> str:
    """ "Approved by X (co-chair)", or "Approved by the secretariat on behalf of X
    (chair)"; "" when the minutes are not approved or say by whom."""
    return approval_texts([minutes]).get(minutes.pk, "")


def approval_texts(minutes_list: Iterable[Minutes]) -> dict[int, str]:
    """approval_text for many minutes (their meeting and approved_for joined) in two
    queries at most, whatever their number: the groups' tree and the chair seats."""
    minutes_list = [
        minutes
        for minutes in minutes_list
        if minutes.approved_at is not None and minutes.approved_for_id is not None
    ]
    on_behalf = [m for m in minutes_list if m.approved_as == ApprovalCapacity.ON_BEHALF]
    capacity_of: dict[int, str] = {}
    if on_behalf:
        parents = dict(CoordinationGroup.objects.values_list("id", "parent_id"))
        seats: dict[int, list[tuple[str, int]]] = {}
        for seat_group_id, role, holder_id in (
            current_memberships()
            .filter(role__in=list(CHAIR_CAPACITY), seat_holder__isnull=False)
            .values_list("group_id", "role", "seat_holder_id")
        ):
            seats.setdefault(seat_group_id, []).append((role, holder_id))
        for minutes in on_behalf:
            group_id: int | None = minutes.meeting.group_id
            seen: set[int] = set()
            while group_id is not None and group_id not in seen:
                seen.add(group_id)
                if group_id in seats:
                    for role, holder_id in seats[group_id]:
                        if holder_id == minutes.approved_for_id:
                            capacity_of[minutes.pk] = CHAIR_CAPACITY[role]
                    break
                group_id = parents.get(group_id)
    texts: dict[int, str] = {}
    for minutes in minutes_list:
        name = local_name(minutes.approved_for)
        if minutes.approved_as == ApprovalCapacity.ON_BEHALF:
            capacity = capacity_of.get(minutes.pk)
            if capacity is not None:
                texts[minutes.pk] = _(
                    "Approved by the secretariat on behalf of %(person)s (%(capacity)s)"
                ) % {"person": name, "capacity": ApprovalCapacity(capacity).label.lower()}
            else:
                texts[minutes.pk] = _("Approved by the secretariat on behalf of %(person)s") % {
                    "person": name
                }
        elif minutes.approved_as in (ApprovalCapacity.CHAIR, ApprovalCapacity.COCHAIR):
            texts[minutes.pk] = _("Approved by %(person)s (%(capacity)s)") % {
                "person": name,
                "capacity": ApprovalCapacity(minutes.approved_as).label.lower(),
            }
    return texts


# --- Decisions frozen by publication ---------------------------------------------------


def decisions_frozen(meeting: Meeting) -> bool:
    """Whether the meeting's minutes are published: its decisions are then as recorded,
    unless a later meeting corrects them when adopting the minutes."""
    return Minutes.objects.filter(meeting=meeting, status=Minutes.Status.PUBLISHED).exists()


def decisions_frozen_check(meeting: Meeting, *, correction_at: Meeting | None = None) -> None:
    """Refuse a change to the decisions of a meeting whose minutes are published,
    except a correction recorded at `correction_at`, the later meeting of the same group
    that adopts the minutes (meetings.follow_up)."""
    if not decisions_frozen(meeting):
        return
    if correction_at is not None:
        if correction_at.group_id != meeting.group_id or correction_at.pk == meeting.pk:
            raise ValidationError(
                {"meeting": _("Only a later meeting of the same group corrects these decisions.")}
            )
        return
    raise ValidationError(
        {
            "meeting": _(
                "The minutes of this meeting are published: its decisions cannot be added "
                "or changed except by a correction recorded at adoption."
            )
        }
    )


# --- The template and the sections ------------------------------------------------------


def section_heading(item: AgendaItem) -> str:
    """An agenda item's heading in the minutes, as comments name it."""
    return f"{item.position}. {item.title}"


def _person_names(people: Iterable[Person]) -> str:
    return ", ".join(sorted({local_name(person) for person in people}))


def _organisation_name(organisation_id: int | None, names: dict[int, str]) -> str:
    return names.get(organisation_id, "") if organisation_id is not None else _("No organisation")


def minutes_template(meeting: Meeting, language: str) -> str:
    """A first draft built from the meeting, with its headings in `language`: title,
    reference and date; attendance by organisation (present, apologies: those who
    declined; absent: invited member organisations nobody came from, observers not
    counted); a section per agenda
    item with the decisions and action points already recorded on it; a general
    section. Restricted decisions and action points are left out: the minutes are read
    more widely than what names only some organisations."""
    with translation.override(language):
        items = list(meeting.agenda_items.order_by("position"))
        decisions = list(
            meeting.decisions.exclude(confidentiality=Confidentiality.RESTRICTED).order_by("number")
        )
        action_points = list(
            meeting.action_points.exclude(confidentiality=Confidentiality.RESTRICTED)
            .select_related("owner_organisation")
            .order_by("due_on", "pk")
        )
        attendance = list(
            Attendance.objects.filter(meeting=meeting).select_related("person", "organisation")
        )
        invitations = list(
            Invitation.objects.filter(meeting=meeting).select_related("person", "organisation")
        )
        organisations: dict[int, str] = {}
        for organisation in [row.organisation for row in attendance] + [
            row.organisation for row in invitations
        ]:
            if organisation is not None:
                organisations[organisation.pk] = local_name(organisation)
        present: dict[int | None, list[Person]] = {}
        for line in attendance:
            organisation_id = line.organisation_id or line.person.organisation_id
            if organisation_id is not None and organisation_id not in organisations:
                organisations[organisation_id] = local_name(line.person.organisation)
            present.setdefault(organisation_id, []).append(line.person)
        apologies: dict[int | None, list[Person]] = {}
        for invitation in invitations:
            if invitation.response == Invitation.Response.DECLINED:
                apologies.setdefault(invitation.organisation_id, []).append(invitation.person)
        invited = {i.organisation_id for i in invitations if i.organisation_id is not None}
        absent = sorted(
            organisations[organisation_id]
            for organisation_id in invited
            - set(present)
            - set(apologies)
            - _observer_organisation_ids(meeting)
        )

        start = timezone.localtime(meeting.start_at, meeting.zone)
        lines = [f"# {_('Minutes of %(title)s') % {'title': meeting.title}}", ""]
        lines.append(f"{_('Group')}: {local_name(meeting.group)}")
        if meeting.reference:
            lines.append(f"{_('Reference')}: {meeting.reference}")
        lines.append(f"{_('Date')}: {formats.date_format(start, 'DATE_FORMAT')}")
        if meeting.venue:
            lines.append(f"{_('Place')}: {meeting.venue}")
        lines += ["", f"## {_('Attendance')}", "", f"{_('Present')}:"]

        def by_organisation(people: dict[int | None, list[Person]]) -> list[str]:
            rows = [
                f"- {_organisation_name(org, organisations)}: {_person_names(persons)}"
                for org, persons in people.items()
            ]
            return sorted(rows) or [f"- {_('None')}"]

        lines += by_organisation(present)
        lines += ["", f"{_('Apologies')}:", *by_organisation(apologies)]
        lines += ["", f"{_('Absent')}:", *([f"- {name}" for name in absent] or [f"- {_('None')}"])]

        # An action point sits under the agenda item of the decision it follows from.
        item_of_decision = dict(meeting.decisions.values_list("pk", "agenda_item_id"))

        def records(item_id: int | None) -> list[str]:
            out: list[str] = []
            item_decisions = [d for d in decisions if d.agenda_item_id == item_id]
            if item_decisions:
                out += ["", f"{_('Decisions')}:"]
                out += [
                    f"- {d.reference + ': ' if d.reference else ''}{d.text_in(language)}"
                    for d in item_decisions
                ]
            item_points = [
                point
                for point in action_points
                if (item_of_decision.get(point.decision_id) if point.decision_id else None)
                == item_id
            ]
            if item_points:
                out += ["", f"{_('Action points')}:"]
                out += [
                    "- "
                    + _("%(title)s (%(organisation)s, due %(date)s)")
                    % {
                        "title": point.title,
                        "organisation": local_name(point.owner_organisation),
                        "date": formats.date_format(point.due_on, "DATE_FORMAT"),
                    }
                    for point in item_points
                ]
            return out

        for item in items:
            lines += ["", f"## {section_heading(item)}", ""]
            lines += records(item.pk)
        lines += ["", f"## {_('General')}", ""]
        lines += records(None)
        return "\n".join(lines).strip() + "\n"


@dataclass(frozen=True)
class Section:
    """A part of the minutes under one heading ("" before the first heading)."""

    heading: str
    text: str
    agenda_item: AgendaItem | None = None

    @property
    def anchor(self) -> str:
        return "section-" + (re.sub(r"[^0-9A-Za-z]+", "-", self.heading).strip("-") or "top")


def minutes_sections(body: str, agenda_items: Iterable[AgendaItem] = ()) -> list[Section]:
    """The minutes cut at their "## " heading lines; a heading "<n>. …" is agenda item
    n's section when the meeting has such an item."""
    by_position = {item.position: item for item in agenda_items}
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in body.splitlines():
        match = HEADING_LINE.match(line)
        if match:
            sections.append((match["heading"], []))
        else:
            sections[-1][1].append(line)
    out = []
    for heading, lines in sections:
        text = "\n".join(lines).strip("\n")
        if not heading and not text.strip():
            continue
        numbered = NUMBERED_HEADING.match(heading)
        item = by_position.get(int(numbered["position"])) if numbered else None
        out.append(Section(heading=heading, text=text, agenda_item=item))
    return out


def minutes_section_headings(minutes: Minutes) -> set[str]:
    return {section.heading for section in minutes_sections(minutes.body)} | {""}


# --- Versions ---------------------------------------------------------------------------


def minutes_versions(minutes: Minutes) -> QuerySet[MinutesVersion]:
    return minutes.versions.select_related("created_by__person").order_by("-number")


def _version_current_at(minutes: Minutes, moment: dt.datetime) -> int:
    number = (
        minutes.versions.filter(created_at__lte=moment)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return number or 1


def minutes_versions_for(user: Actor, minutes: Minutes) -> QuerySet[MinutesVersion]:
    """The versions `user` may read: every one for those who manage the meeting; for
    the others, from the text they were first shown: the draft as circulated, to the
    organisations invited (who read it then), else the minutes as published. Drafts
    written before that stay with the secretariat and the chairs."""
    versions = minutes_versions(minutes)
    if user_can_manage_meeting(user, minutes.meeting):
        return versions
    first_shown = None
    invited = minutes.meeting.invitations.filter(
        organisation__in=organisations_acted_for_by(user)
    ).exists()
    if minutes.circulated_at is not None and invited:
        first_shown = minutes.circulated_at
    elif minutes.published_at is not None:
        first_shown = minutes.published_at
    if first_shown is None:
        return versions.none()
    return versions.filter(number__gte=_version_current_at(minutes, first_shown))


@dataclass(frozen=True)
class DiffLine:
    """One line of a comparison: "same", "added" or "removed"."""

    change: str
    text: str


def minutes_versions_compare(old: MinutesVersion, new: MinutesVersion) -> list[DiffLine]:
    """The lines of `old` and `new`, in order, each kept, added or removed."""
    a, b = old.body.splitlines(), new.body.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", line) for line in a[i1:i2]]
            continue
        lines += [DiffLine("removed", line) for line in a[i1:i2]]
        lines += [DiffLine("added", line) for line in b[j1:j2]]
    return lines


# --- The comment period -----------------------------------------------------------------


def _locked(minutes: Minutes) -> Minutes:
    return Minutes.objects.select_for_update().select_related("meeting__group").get(pk=minutes.pk)


def comments_open(minutes: Minutes, *, now: dt.datetime | None = None) -> bool:
    """Comments are taken on a circulated draft until the announced date; approval
    closes the period early (the minutes are no longer a draft) and keeps the date as
    announced, and a text changed after approval is a draft open to comments again
    until then."""
    now = now or timezone.now()
    return (
        minutes.status == Minutes.Status.DRAFT
        and minutes.circulated_at is not None
        and minutes.comments_until is not None
        and minutes.comments_until > now
    )


def comments_closed_early_at(minutes: Minutes) -> dt.datetime | None:
    """When approval closed the comment period before its announced date, else None."""
    if (
        minutes.status != Minutes.Status.DRAFT
        and minutes.approved_at is not None
        and minutes.comments_until is not None
        and minutes.approved_at < minutes.comments_until
    ):
        return minutes.approved_at
    return None


@transaction.atomic
def minutes_circulate(*, minutes: Minutes, comments_until: dt.datetime, by: Actor) -> Minutes:
    """Send the draft to the invited organisations for comments until `comments_until`
    (circulating again sets a new date, and tells them again)."""
    minutes = _locked(minutes)
    if minutes.status != Minutes.Status.DRAFT:
        raise ValidationError({"status": _("Only draft minutes are circulated for comments.")})
    if comments_until is None or comments_until <= timezone.now():
        raise ValidationError({"comments_until": _("Comments are taken until a future date.")})
    minutes.circulated_at = timezone.now()
    minutes.comments_until = comments_until
    minutes.comment_reminder_sent_at = None
    audited_save(minutes, by=by)
    announcements.minutes_circulated_announce(minutes)
    return minutes


@transaction.atomic
def minutes_comment_add(
    *,
    minutes: Minutes,
    section: str,
    agenda_item: AgendaItem | None,
    body: str,
    by: Actor,
    organisation_id: int | None = None,
) -> MinutesComment:
    """A comment by a representative of an invited organisation (not an observer) on
    one section, while the period is open; for `organisation_id` when the author acts
    for more than one."""
    minutes = _locked(minutes)
    allowed = minutes_commenting_organisations(by, minutes)
    if not allowed:
        raise PermissionDenied(
            _("Only the organisations invited to the meeting comment on its minutes.")
        )
    if organisation_id is None:
        person = user_person(by)
        own = person.organisation_id if person is not None else None
        organisation_id = own if own in allowed else allowed[0]
    elif organisation_id not in allowed:
        raise PermissionDenied(_("You do not comment for that organisation here."))
    if not comments_open(minutes):
        if minutes.comments_until is not None and minutes.circulated_at is not None:
            until = timezone.localtime(minutes.comments_until, minutes.meeting.zone)
            raise ValidationError(
                {
                    "body": _(
                        "The comment period closed on %(date)s; comments are no longer taken."
                    )
                    % {"date": formats.date_format(until, "DATETIME_FORMAT")}
                }
            )
        raise ValidationError({"body": _("These minutes are not open for comments.")})
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the comment.")})
    if len(body) > COMMENT_MAX_CHARS:
        raise ValidationError(
            {"body": _("At most %(count)s characters.") % {"count": COMMENT_MAX_CHARS}}
        )
    if agenda_item is not None and agenda_item.meeting_id != minutes.meeting_id:
        raise ValidationError({"agenda_item": _("The agenda item belongs to another meeting.")})
    section = section.strip()
    if not section and agenda_item is not None:
        section = section_heading(agenda_item)
    if section not in minutes_section_headings(minutes):
        raise ValidationError({"section": _("The minutes have no such section.")})
    if agenda_item is None:
        agenda_item = next(
            (
                s.agenda_item
                for s in minutes_sections(minutes.body, minutes.meeting.agenda_items.all())
                if s.heading == section
            ),
            None,
        )
    comment = MinutesComment(
        minutes=minutes,
        version=minutes.version,
        section=section,
        agenda_item=agenda_item,
        body=body,
        organisation_id=organisation_id,
        author=author_of(by),
    )
    return audited_save(comment, by=by)


@transaction.atomic
def minutes_comment_answer(
    *, comment: MinutesComment, answer: str, applied: bool, by: Actor
) -> MinutesComment:
    """The secretariat's answer to a comment, saying whether it was applied to the
    text; an answer may be corrected until the minutes are published."""
    comment = (
        MinutesComment.objects.select_for_update().select_related("minutes").get(pk=comment.pk)
    )
    if comment.minutes.status == Minutes.Status.PUBLISHED:
        raise ValidationError(
            {"answer": _("The minutes are published; their comments are closed.")}
        )
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    if len(answer) > COMMENT_MAX_CHARS:
        raise ValidationError(
            {"answer": _("At most %(count)s characters.") % {"count": COMMENT_MAX_CHARS}}
        )
    comment.answer = answer
    comment.status = MinutesComment.Status.APPLIED if applied else MinutesComment.Status.ANSWERED
    comment.answered_by = author_of(by)
    comment.answered_at = timezone.now()
    return audited_save(comment, by=by)


def user_may_answer_comments(user: Actor, minutes: Minutes) -> bool:
    return user_can_manage_meeting(user, minutes.meeting)


def _organisations_yet_to_comment(minutes: Minutes) -> set[int]:
    invited = set(
        minutes.meeting.invitations.filter(organisation__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )
    commented = set(minutes.comments.values_list("organisation_id", flat=True))
    return invited - _observer_organisation_ids(minutes.meeting) - commented


def _observer_organisation_ids(meeting: Meeting) -> set[int]:
    """Observers of the meeting's group: told of the minutes, neither asked to comment
    nor recorded absent."""
    return set(
        current_memberships()
        .filter(group_id=meeting.group_id, role=Membership.Role.OBSERVER)
        .values_list("organisation_id", flat=True)
    )


def minutes_comment_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Beat: remind the organisations that have not commented, once per circulated
    draft, when its period closes within MINUTES_COMMENT_REMINDER_HOURS. Each draft is
    claimed by one conditional UPDATE in the transaction that writes its notices, so two
    overlapping runs remind once. Returns how many drafts were reminded of."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(hours=settings.MINUTES_COMMENT_REMINDER_HOURS)
    due = Minutes.objects.filter(
        status=Minutes.Status.DRAFT,
        circulated_at__isnull=False,
        comment_reminder_sent_at__isnull=True,
        comments_until__gt=now,
        comments_until__lte=horizon,
    ).values_list("pk", flat=True)
    reminded = 0
    for minutes_id in list(due):
        with transaction.atomic():
            claimed = Minutes.objects.filter(
                pk=minutes_id,
                status=Minutes.Status.DRAFT,
                comment_reminder_sent_at__isnull=True,
            ).update(comment_reminder_sent_at=now)
            if not claimed:
                continue
            minutes = Minutes.objects.select_related("meeting__group").get(pk=minutes_id)
            announcements.comments_reminder_announce(
                minutes, organisation_ids=_organisations_yet_to_comment(minutes)
            )
            reminded += 1
    return reminded
