"""The access funnels of the written procedure.

Whoever sees a group sees its written procedures once circulated, by their own label
(groups.permissions.label_q); a draft is seen only by those who manage the group (the
secretariat and the group's chairs). Answering is an organisation's act: only a person
acting for an organisation the procedure asked (a ProcedureAnswer row) may give its
answer, never an observer and never the secretariat in its place. Missing and hidden
both answer 404; visible but not allowed answers 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from decisions.models import ProcedureAnswer, WrittenProcedure
from groups.models import Membership
from groups.permissions import (
    group_ids_managed_by,
    group_ids_visible_to,
    label_q,
    user_can_manage_group,
)
from groups.selectors import current_memberships, current_representatives
from members.models import Organisation, Person
from members.permissions import (
    organisation_ids_acted_for_by,
    remembered_per_reader,
    user_is_secretariat,
    user_is_signed_in,
)
from portal.audit import Actor

CHAIR_ROLES = (Membership.Role.CHAIR, Membership.Role.CO_CHAIR)


@remembered_per_reader
def procedures_visible_to(user: Actor) -> QuerySet[WrittenProcedure]:
    if user_is_secretariat(user):
        return WrittenProcedure.objects.all()
    if not user_is_signed_in(user):
        return WrittenProcedure.objects.none()
    circulated = (
        ~Q(status=WrittenProcedure.Status.DRAFT)
        & Q(group__in=sorted(group_ids_visible_to(user)))
        & label_q(user, WrittenProcedure, group_field="group")
    )
    managed = sorted(group_ids_managed_by(user))
    if managed:
        circulated |= Q(group__in=managed)
    return WrittenProcedure.objects.filter(circulated)


def user_can_manage_procedure(user: Actor, procedure: WrittenProcedure) -> bool:
    return user_can_manage_group(user, procedure.group)


def procedure_get_for_user(
    user: Actor, procedure_id: int | str, *, manage: bool = False
) -> WrittenProcedure:
    try:
        procedure = (
            procedures_visible_to(user).select_related("group", "decision").get(pk=procedure_id)
        )
    except (WrittenProcedure.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such written procedure.")) from None
    if manage and not user_can_manage_procedure(user, procedure):
        raise PermissionDenied(
            _("Only the secretariat and the group's chairs may run a written procedure.")
        )
    return procedure


def answers_answerable_by(user: Actor, procedure: WrittenProcedure) -> QuerySet[ProcedureAnswer]:
    """The answers of the procedure the user may give: those of the organisations asked
    that the user acts for (members.permissions: representatives of member and chair
    seats, and the chairs' seat holders; observers act for nobody)."""
    if not user_is_signed_in(user):
        return ProcedureAnswer.objects.none()
    return procedure.answers.filter(organisation_id__in=sorted(organisation_ids_acted_for_by(user)))


def user_may_answer(user: Actor, procedure: WrittenProcedure) -> bool:
    return answers_answerable_by(user, procedure).exists()


def answer_check_for_user(
    user: Actor, procedure: WrittenProcedure, organisation: Organisation
) -> ProcedureAnswer:
    """The answer `user` is about to give for `organisation`, or 403."""
    answer = answers_answerable_by(user, procedure).filter(organisation=organisation).first()
    if answer is None:
        raise PermissionDenied(
            _("Only a representative of an organisation asked may answer for it.")
        )
    return answer


def organisations_represented_by(person: Person) -> QuerySet[Organisation]:
    """The organisations a person acts for, read from their seats (as the grants of
    groups.services.access_sync_for_users are): for a person answering through a link
    in the mail, who may have no account."""
    represented = current_representatives().filter(person=person, person__is_active=True)
    return Organisation.objects.filter(
        Q(
            pk__in=represented.exclude(membership__role=Membership.Role.OBSERVER).values(
                "membership__organisation"
            )
        )
        | Q(
            pk__in=current_memberships()
            .filter(seat_holder=person, seat_holder__is_active=True, role__in=CHAIR_ROLES)
            .values("organisation")
        )
    )


def answers_answerable_by_person(
    person: Person, procedure: WrittenProcedure
) -> QuerySet[ProcedureAnswer]:
    """The answers a person may give through the links in their mail."""
    return procedure.answers.filter(organisation__in=organisations_represented_by(person))
