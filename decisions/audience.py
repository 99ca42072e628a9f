"""Who a written procedure reaches where it leaves the portal: the mail and webhooks.

A procedure is the group's business: it goes to the people of the group's current
member organisations (asked to answer) and of its observers (told only). Its label
decides, as meetings.audience decides for a meeting's records: a person with an active
account reads what the funnel (decisions.permissions.procedures_visible_to) shows them;
a person without one, and an organisation's webhook endpoint, see a restricted
procedure only when it names their organisation, or (an endpoint) when their
organisation holds a chair seat of the group or of a group above.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from decisions.models import WrittenProcedure
from decisions.permissions import CHAIR_ROLES, procedures_visible_to
from groups.models import Confidentiality, Membership
from groups.selectors import current_memberships, current_representatives
from meetings.audience import Reader
from members.models import Organisation, Person


def _named_ids(procedure: WrittenProcedure) -> set[int]:
    return set(procedure.restricted_to.values_list("pk", flat=True))


def person_may_see_procedure(person: Person, procedure: WrittenProcedure) -> bool:
    if procedure.confidentiality != Confidentiality.RESTRICTED:
        return True
    reader = Reader.of_person(person)
    if reader.user is not None:
        return procedures_visible_to(reader.user).filter(pk=procedure.pk).exists()
    return bool(reader.organisation_ids & _named_ids(procedure))


def organisation_may_see_procedure(organisation_id: int, procedure: WrittenProcedure) -> bool:
    if procedure.confidentiality != Confidentiality.RESTRICTED:
        return True
    reader = Reader.of_organisation(organisation_id)
    return reader.manages(procedure.group_id) or organisation_id in _named_ids(procedure)


@dataclass
class Reached:
    """One organisation of the group and the people of it the procedure reaches."""

    organisation: Organisation
    role: str
    people: list[Person] = field(default_factory=list)

    @property
    def is_asked(self) -> bool:
        return self.role != Membership.Role.OBSERVER

    @property
    def role_label(self) -> str:
        return str(Membership.Role(self.role).label)

    @property
    def without_email(self) -> list[Person]:
        return [person for person in self.people if not person.email]


@dataclass
class ProcedureAudience:
    """Who circulating (or closing) a procedure tells, by organisation."""

    asked: list[Reached]
    informed: list[Reached]

    @property
    def unreached(self) -> list[Reached]:
        """Organisations nobody of which gets the mail (no representative with an
        e-mail address)."""
        return [
            entry
            for entry in self.asked + self.informed
            if not any(person.email for person in entry.people)
        ]

    @property
    def asked_people(self) -> list[Person]:
        return _distinct(person for entry in self.asked for person in entry.people)

    @property
    def informed_people(self) -> list[Person]:
        asked = {person.pk for person in self.asked_people}
        return _distinct(
            person for entry in self.informed for person in entry.people if person.pk not in asked
        )

    @property
    def organisation_ids(self) -> list[int]:
        return [entry.organisation.pk for entry in self.asked + self.informed]


def _distinct(people: Iterable[Person]) -> list[Person]:
    seen: dict[int, Person] = {}
    for person in people:
        seen.setdefault(person.pk, person)
    return list(seen.values())


def procedure_audience(
    procedure: WrittenProcedure, *, asked_ids: Iterable[int] | None = None
) -> ProcedureAudience:
    """The group's current member organisations that may see the procedure (asked) and
    its observers that may (informed), each with its current representatives (and a
    chair seat's holder) who may see it. `asked_ids`: once circulated, the
    organisations asked are those of its answers, whatever their seats now."""
    memberships = (
        current_memberships()
        .filter(group_id=procedure.group_id)
        .select_related("organisation", "seat_holder")
        .order_by("organisation__name", "pk")
    )
    people_of: dict[int, list[Person]] = {}
    representatives = (
        current_representatives()
        .filter(membership__group_id=procedure.group_id, person__is_active=True)
        .select_related("person", "membership")
        .order_by("kind", "person__full_name")
    )
    for representative in representatives:
        people_of.setdefault(representative.membership.organisation_id, []).append(
            representative.person
        )
    asked_set = set(asked_ids) if asked_ids is not None else None
    asked: list[Reached] = []
    informed: list[Reached] = []
    for membership in memberships:
        organisation = membership.organisation
        if not organisation_may_see_procedure(organisation.pk, procedure):
            continue
        people = list(people_of.get(organisation.pk, []))
        holder = membership.seat_holder
        if membership.role in CHAIR_ROLES and holder is not None and holder.is_active:
            people.insert(0, holder)
        entry = Reached(
            organisation=organisation,
            role=membership.role,
            people=[
                person
                for person in _distinct(people)
                if person_may_see_procedure(person, procedure)
            ],
        )
        is_asked = entry.is_asked if asked_set is None else organisation.pk in asked_set
        (asked if is_asked else informed).append(entry)
    if asked_set is not None:
        # Asked when circulated but no longer seated: still told the outcome, through
        # whoever acts for them now in no seat here (nobody), so listed as unreached.
        present = {entry.organisation.pk for entry in asked}
        for organisation in Organisation.objects.filter(pk__in=asked_set - present).order_by(
            "name"
        ):
            asked.append(Reached(organisation=organisation, role=Membership.Role.MEMBER))
    return ProcedureAudience(asked=asked, informed=informed)
