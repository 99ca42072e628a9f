"""A large dataset for the benchmarks, written with bulk_create in batches.

At scale 1: 20,000 meetings, 400,000 invitations, 40,000 agenda items, 20,000 action
points, a paper with its first version and a notice (one in ten failed once) per
meeting, with its call to each member organisation's webhook endpoint, and for the
quarter that were held a register of five, published minutes with one organisation's
comment and a decision each; 2,000 people, 300 organisations, 51 groups; a held plenary
of working group 0 with 200 invitees (150 attended); each held sub-group meeting
reported back to its working group's next meeting; a secretariat login and a member
agency's login that sits in three working groups and their sub-groups. At scale 10
every row but the groups, the logins and the webhook endpoints (one for each of the
first 40 organisations, the agency's among them: the agencies that use the API, not
the portal's history) is ten times as many. Rows are random but reproducible.

The data grow as a working group's do, with its history: at scale N the meetings span N
times the years, at the same pace per month, and the coming year holds as many meetings
at every scale. Action points fall due weeks after their meeting, and those due more than
a year ago are closed. So a month's calendar, the coming meetings and the open action
points stay the same size while the tables grow, and a figure that grows at 10x data is
work proportional to a table, which is what the benchmark is there to find.
"""

import bisect
import datetime as dt
import random

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from documents.models import Document, DocumentVersion
from groups.models import CoordinationGroup, Membership, Representative
from groups.services import access_sync_for_users
from meetings.models import (
    ActionPoint,
    AgendaItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    Minutes,
    MinutesComment,
    ReportBack,
)
from members.models import Organisation, Person
from members.services import user_create
from notices.models import Notice, NoticeAttempt, WebhookEndpoint

MEETINGS = 20_000
INVITES_PER_MEETING = 20
PEOPLE = 2_000
ORGANISATIONS = 300
WORKING_GROUPS = 10
SUB_GROUPS_PER_WORKING_GROUP = 4
AGENDA_ITEMS = 2
PLENARY_INVITEES = 200
# Names the data's shape: a database seeded in an earlier shape is not reused.
PLENARY_UID = "meeting-bench-plenary-v5@bench.local"
FUTURE_HOURS = 8_000  # the coming meetings, at every scale
SPAN_HOURS = 34_000  # the whole span at scale 1; N times this at scale N
ACTION_CLOSED_AFTER_DAYS = 365
RESPONSES = ["pending", "accepted", "declined", "tentative"]
CHUNK = 10_000  # meetings written (with their rows) at a time, to bound memory
PASSWORD = "bench-password"  # noqa: S105 - a throwaway database
WEBHOOK_ORGANISATIONS = 40


def is_seeded() -> bool:
    return Meeting.objects.filter(calendar_uid=PLENARY_UID).exists()


def holds_other_data() -> bool:
    """Meetings but not this shape's: a database seeded by an earlier version."""
    return not is_seeded() and Meeting.objects.exists()


def plenary() -> Meeting:
    return Meeting.objects.get(calendar_uid=PLENARY_UID)


@transaction.atomic
def seed(scale: int = 1) -> None:
    """The dataset, `scale` times over: meetings, their rows, people and organisations
    grow with it; the groups and the two logins stay the same."""
    rng = random.Random(20171121)  # reproducible data, not secrets
    meetings_total = MEETINGS * scale
    organisations_total = ORGANISATIONS * scale
    today = timezone.localdate()

    framework = CoordinationGroup.objects.create(name="Coordination Framework", kind="framework")
    working = CoordinationGroup.objects.bulk_create(
        CoordinationGroup(
            name=f"Working group {n}", short_name=f"WG{n}", kind="working_group", parent=framework
        )
        for n in range(WORKING_GROUPS)
    )
    subs = CoordinationGroup.objects.bulk_create(
        CoordinationGroup(name=f"Sub-group {w.pk}.{n}", kind="sub_group", parent=w)
        for w in working
        for n in range(SUB_GROUPS_PER_WORKING_GROUP)
    )
    groups = [*working, *subs]

    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {n}", acronym=f"ORG{n}", kind="ministry")
        for n in range(organisations_total)
    )
    people = Person.objects.bulk_create(
        (
            Person(
                full_name=f"Person {n}",
                organisation=organisations[n % organisations_total],
                email=f"person{n}@bench.example.org",
            )
            for n in range(PEOPLE * scale)
        ),
        batch_size=1000,
    )

    memberships = []
    for group in groups:
        seated = rng.sample(range(organisations_total), 20)
        for index, organisation_index in enumerate(seated):
            role = "chair" if index == 0 else "co_chair" if index == 1 else "member"
            holder = people[organisation_index] if role != "member" else None
            memberships.append(
                Membership(
                    group=group,
                    organisation=organisations[organisation_index],
                    role=role,
                    seat_holder=holder,
                    start_on=today - dt.timedelta(days=900),
                )
            )
    memberships = Membership.objects.bulk_create(memberships, batch_size=1000)

    # The member agency: principal of organisation 7 in three working groups and below.
    agency_person = Person.objects.create(
        full_name="Agency representative",
        organisation=organisations[7],
        email="agency@bench.example.org",
    )
    agency_user = user_create(username="agency", password=PASSWORD)
    agency_person.user = agency_user
    agency_person.save(update_fields=["user"])
    for group in [*working[:3], *[s for s in subs if s.parent_id in {w.pk for w in working[:3]}]]:
        membership, _ = Membership.objects.get_or_create(
            group=group,
            organisation=organisations[7],
            end_on=None,
            defaults={"role": "member", "start_on": today - dt.timedelta(days=900)},
        )
        Representative.objects.create(
            membership=membership,
            person=agency_person,
            kind="principal",
            start_on=membership.start_on,
        )
    access_sync_for_users([agency_user.pk])
    user_create(username="bench-secretariat", password=PASSWORD, is_secretariat=True)

    endpoints = WebhookEndpoint.objects.bulk_create(
        WebhookEndpoint(
            organisation=organisation,
            url=f"https://hooks{n}.bench.example.org/tansiq",
            secret=f"bench-secret-{n}",
            events=["meeting.scheduled", "meeting.updated"] if n % 2 else [],
        )
        for n, organisation in enumerate(organisations[:WEBHOOK_ORGANISATIONS])
    )
    endpoints_of_group = _endpoints_of_groups(endpoints)

    now = timezone.now()
    for start in range(0, meetings_total, CHUNK):
        _meetings_seed(
            rng,
            range(start, min(start + CHUNK, meetings_total)),
            groups,
            people,
            now,
            scale,
            endpoints_of_group,
        )
    _plenary_seed(rng, working[0], people, now)
    _report_backs_seed(working, now)


def _endpoints_of_groups(endpoints) -> dict[int, list[int]]:
    """The endpoints each group's meetings call: those of its member organisations (every
    endpoint here takes meeting.scheduled), as notices.outbox picks them."""
    organisations = {endpoint.organisation_id: endpoint.pk for endpoint in endpoints}
    called: dict[int, list[int]] = {}
    for group_id, organisation_id in Membership.objects.filter(
        organisation_id__in=organisations
    ).values_list("group_id", "organisation_id"):
        called.setdefault(group_id, []).append(organisations[organisation_id])
    return called


def _meetings_seed(
    rng, numbers: range, groups, people, now, scale: int, endpoints_of_group
) -> None:
    """One chunk of meetings with their invitations, agenda, action points and, for
    those held, the register, published minutes and a decision."""
    today = now.date()
    statuses = ["draft", "scheduled", "held", "cancelled"]
    meetings = Meeting.objects.bulk_create(
        (
            Meeting(
                calendar_uid=f"meeting-bench-{n}@bench.local",
                group=groups[n % len(groups)],
                title=f"Meeting {n}",
                status=rng.choice(statuses),
                start_at=(
                    start := now
                    + dt.timedelta(
                        hours=rng.randint(FUTURE_HOURS - SPAN_HOURS * scale, FUTURE_HOURS)
                    )
                ),
                end_at=start + dt.timedelta(hours=2),
                venue="Tripoli",
            )
            for n in numbers
        ),
        batch_size=2000,
    )
    invitations = Invitation.objects.bulk_create(
        (
            Invitation(
                meeting=meeting,
                person=person,
                organisation_id=person.organisation_id,
                response=rng.choice(RESPONSES),
            )
            for meeting in meetings
            for person in rng.sample(people, INVITES_PER_MEETING)
        ),
        batch_size=5000,
    )
    AgendaItem.objects.bulk_create(
        (
            AgendaItem(meeting=meeting, position=position, title=f"Item {position}")
            for meeting in meetings
            for position in range(1, AGENDA_ITEMS + 1)
        ),
        batch_size=5000,
    )
    closed_before = today - dt.timedelta(days=ACTION_CLOSED_AFTER_DAYS)
    action_points = []
    for meeting in meetings:
        due_on = meeting.start_at.date() + dt.timedelta(days=rng.randint(14, 120))
        closed = due_on < closed_before
        action_points.append(
            ActionPoint(
                meeting=meeting,
                title=f"Action {meeting.pk}",
                owner_organisation_id=rng.choice(people).organisation_id,
                due_on=due_on,
                status="done" if closed else "open",
                closed_at=now - dt.timedelta(days=(today - due_on).days) if closed else None,
            )
        )
    ActionPoint.objects.bulk_create(action_points, batch_size=2000)
    _papers_seed(meetings)
    _notices_seed(meetings, invitations, now, endpoints_of_group)
    held = {meeting.pk: meeting for meeting in meetings if meeting.status == "held"}
    _held_records_seed(held.values(), [i for i in invitations if i.meeting_id in held], 5, now)


def _report_backs_seed(working, now) -> None:
    """Each held sub-group meeting proposed to its working group's first meeting after it:
    accepted or dropped once that meeting has started, still proposed before."""
    starts: dict[int, list[tuple]] = {group.pk: [] for group in working}
    for pk, group_id, start_at in (
        Meeting.objects.filter(group__in=working)
        .order_by("start_at")
        .values_list("pk", "group_id", "start_at")
    ):
        starts[group_id].append((start_at, pk))
    held = Meeting.objects.filter(group__parent__in=working, status="held").values_list(
        "pk", "group__parent_id", "start_at"
    )
    report_backs = []
    for pk, parent_id, start_at in held.iterator(chunk_size=CHUNK):
        later = starts[parent_id]
        at = bisect.bisect_right(later, (start_at, float("inf")))
        if at == len(later):
            continue
        parent_start, parent_pk = later[at]
        decided = parent_start < now
        report_backs.append(
            ReportBack(
                meeting_id=parent_pk,
                source_meeting_id=pk,
                status=("accepted" if pk % 4 else "dropped") if decided else "proposed",
                decided_at=parent_start if decided else None,
                created_at=start_at + dt.timedelta(days=7),
            )
        )
    ReportBack.objects.bulk_create(report_backs, batch_size=5000)


def _held_records_seed(meetings, invitations, present_per_meeting: int | None, now) -> None:
    """The register (the first invitees of each meeting), published minutes and one
    adopted decision per held meeting."""
    seen: dict[int, int] = {}
    present = []
    for invitation in invitations:
        seen[invitation.meeting_id] = seen.get(invitation.meeting_id, 0) + 1
        if present_per_meeting is None or seen[invitation.meeting_id] <= present_per_meeting:
            present.append(invitation)
    Attendance.objects.bulk_create(
        (
            Attendance(
                meeting_id=invitation.meeting_id,
                person_id=invitation.person_id,
                organisation_id=invitation.organisation_id,
                invitation=invitation,
            )
            for invitation in present
        ),
        batch_size=5000,
    )
    minutes = Minutes.objects.bulk_create(
        (
            Minutes(
                meeting=meeting,
                body=f"Minutes of meeting {meeting.pk}.",
                status="published",
                approved_at=meeting.end_at,
                published_at=meeting.end_at,
            )
            for meeting in meetings
        ),
        batch_size=2000,
    )
    # One comment per minutes, made while they circulated, by the first invitee's body.
    commenting = {}
    for invitation in invitations:
        commenting.setdefault(invitation.meeting_id, invitation.organisation_id)
    MinutesComment.objects.bulk_create(
        (
            MinutesComment(
                minutes=entry,
                version=1,
                body="Please record our reservation.",
                organisation_id=commenting[entry.meeting_id],
                created_at=entry.approved_at - dt.timedelta(days=7),
                status="applied",
                answer="Recorded in the text.",
                answered_at=entry.approved_at,
            )
            for entry in minutes
            if entry.meeting_id in commenting
        ),
        batch_size=2000,
    )
    Decision.objects.bulk_create(
        (
            Decision(
                group_id=meeting.group_id,
                meeting=meeting,
                number=1,
                decided_on=meeting.start_at.date(),
                text=f"Decision of meeting {meeting.pk}.",
                status="adopted",
            )
            for meeting in meetings
        ),
        batch_size=2000,
    )


def _plenary_seed(rng, group, people, now) -> None:
    """A held meeting of a group the member agency sits in, with 200 invitees of whom
    150 attended: the meeting page and its invitations and attendance tabs."""
    start = now - dt.timedelta(days=3)
    plenary = Meeting.objects.create(
        calendar_uid=PLENARY_UID,
        group=group,
        title="Plenary",
        status="held",
        start_at=start,
        end_at=start + dt.timedelta(hours=3),
        venue="Tripoli",
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=plenary, position=position, title=f"Item {position}")
        for position in range(1, 6)
    )
    invitations = Invitation.objects.bulk_create(
        Invitation(
            meeting=plenary,
            person=person,
            organisation_id=person.organisation_id,
            response=rng.choice(RESPONSES),
        )
        for person in rng.sample(people, PLENARY_INVITEES)
    )
    _held_records_seed([plenary], invitations[:150], None, now)


def _meeting_start(of_meeting: str = "meeting_id") -> Subquery:
    return Subquery(Meeting.objects.filter(pk=OuterRef(of_meeting)).values("start_at")[:1])


def _written_when(model, rows, field: str, when: Subquery) -> None:
    """Set the auto_now_add `field` of the rows just written to `when` (their meeting's
    start): bulk_create stamps them all with now, which no real history looks like."""
    model.objects.filter(pk__range=(rows[0].pk, rows[-1].pk)).update(**{field: when})


def _papers_seed(meetings) -> None:
    """A paper on each meeting, with its first version (the file itself is not written:
    the lists do not read it)."""
    documents = Document.objects.bulk_create(
        (
            Document(group_id=meeting.group_id, meeting=meeting, title=f"Paper {meeting.pk}")
            for meeting in meetings
        ),
        batch_size=2000,
    )
    _written_when(Document, documents, "created_at", _meeting_start())
    versions = DocumentVersion.objects.bulk_create(
        (
            DocumentVersion(
                document=document,
                number=1,
                file=f"bench/{document.pk}.pdf",
                storage_key=f"bench{document.pk}",
                file_name=f"paper-{document.pk}.pdf",
                content_type="application/pdf",
                size=48_213,
                sha256="0" * 64,
                text_status="done",
            )
            for document in documents
        ),
        batch_size=2000,
    )
    added = Document.objects.filter(pk=OuterRef("document_id")).values("created_at")[:1]
    _written_when(DocumentVersion, versions, "uploaded_at", Subquery(added))


def _written_at_meeting_start(notices) -> list[Notice]:
    """The notices written, dated when their meeting starts (the log's history)."""
    written = Notice.objects.bulk_create(notices, batch_size=2000)
    if written:
        _written_when(Notice, written, "created_at", _meeting_start())
    return written


def _notices_seed(meetings, invitations, now, endpoints_of_group) -> None:
    """The invitation e-mail to each meeting's first invitee, one in ten failed once (a
    refused address) and sent at the next try; and the meeting.scheduled call to the
    endpoint of each member organisation that has one (the agency's among them: a call
    for each meeting of its fifteen groups, so its log grows with the history)."""
    first = {}
    for invitation in invitations:
        first.setdefault(invitation.meeting_id, invitation)
    sent = {"kind": "invitation", "event": "meeting.scheduled", "status": "sent", "sent_at": now}
    notices = _written_at_meeting_start(
        Notice(
            dedup_key=f"bench-invitation-{meeting.pk}",
            channel="email",
            meeting=meeting,
            person_id=first[meeting.pk].person_id,
            attempts=2 if meeting.pk % 10 == 0 else 1,
            **sent,
        )
        for meeting in meetings
    )
    _written_at_meeting_start(
        Notice(
            dedup_key=f"bench-call-{meeting.pk}-e{endpoint_id}",
            channel="webhook",
            meeting=meeting,
            endpoint_id=endpoint_id,
            payload={"meeting": {"id": meeting.pk, "title": meeting.title}},
            attempts=1,
            **sent,
        )
        for meeting in meetings
        for endpoint_id in endpoints_of_group.get(meeting.group_id, ())
    )
    NoticeAttempt.objects.bulk_create(
        (
            NoticeAttempt(notice=notice, error="421 Try again later")
            for notice in notices
            if notice.meeting_id % 10 == 0
        ),
        batch_size=2000,
    )
