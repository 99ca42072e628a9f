"""A large dataset for the benchmarks, written with bulk_create in a few batches.

20,000 meetings, 400,000 invitations, 2,000 people, 300 organisations, 51 groups,
20,000 action points; a secretariat login and a member agency's login that sits in
three working groups and their sub-groups. Rows are random but reproducible.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from groups.models import CoordinationGroup, Membership, Representative
from groups.services import access_sync_for_users
from meetings.models import ActionPoint, Invitation, Meeting
from members.models import Organisation, Person
from members.services import user_create

MEETINGS = 20_000
INVITES_PER_MEETING = 20
PEOPLE = 2_000
ORGANISATIONS = 300
WORKING_GROUPS = 10
SUB_GROUPS_PER_WORKING_GROUP = 4
PASSWORD = "bench-password"  # noqa: S105 - a throwaway database


def is_seeded() -> bool:
    return Meeting.objects.count() >= MEETINGS


@transaction.atomic
def seed() -> None:
    rng = random.Random(20171121)  # reproducible data, not secrets
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
        for n in range(ORGANISATIONS)
    )
    people = Person.objects.bulk_create(
        (
            Person(
                full_name=f"Person {n}",
                organisation=organisations[n % ORGANISATIONS],
                email=f"person{n}@bench.example.org",
            )
            for n in range(PEOPLE)
        ),
        batch_size=1000,
    )

    memberships = []
    for group in groups:
        seated = rng.sample(range(ORGANISATIONS), 20)
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

    now = timezone.now()
    statuses = ["draft", "scheduled", "held", "cancelled"]
    meetings = Meeting.objects.bulk_create(
        (
            Meeting(
                calendar_uid=f"meeting-bench-{n}@bench.local",
                group=groups[n % len(groups)],
                title=f"Meeting {n}",
                status=rng.choice(statuses),
                start_at=(start := now + dt.timedelta(hours=rng.randint(-26_000, 8_000))),
                end_at=start + dt.timedelta(hours=2),
                venue="Tripoli",
            )
            for n in range(MEETINGS)
        ),
        batch_size=2000,
    )
    responses = ["pending", "accepted", "declined", "tentative"]
    for start in range(0, MEETINGS, 1000):
        Invitation.objects.bulk_create(
            (
                Invitation(
                    meeting=meeting,
                    person=person,
                    organisation_id=person.organisation_id,
                    response=rng.choice(responses),
                )
                for meeting in meetings[start : start + 1000]
                for person in rng.sample(people, INVITES_PER_MEETING)
            ),
            batch_size=5000,
        )
    ActionPoint.objects.bulk_create(
        (
            ActionPoint(
                meeting=meeting,
                title=f"Action {meeting.pk}",
                owner_organisation=organisations[rng.randrange(ORGANISATIONS)],
                owner_person=None,
                due_on=today + dt.timedelta(days=rng.randint(-400, 400)),
            )
            for meeting in meetings
        ),
        batch_size=2000,
    )
