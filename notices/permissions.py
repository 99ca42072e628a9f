"""The access funnels for the delivery log and webhook endpoints.

The secretariat sees every notice; those who manage a meeting see its notices;
everyone else sees what was sent to them and the webhook calls made to the
organisations they act for. Endpoints belong to the organisations one acts for.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from meetings.permissions import meetings_managed_by, user_can_manage_meeting
from members.models import Organisation
from members.permissions import (
    organisations_acted_for_by,
    user_can_act_for_organisation,
    user_is_secretariat,
    user_is_signed_in,
)
from notices.models import Notice, WebhookEndpoint
from portal.audit import Actor


def notices_visible_to(user: Actor) -> QuerySet[Notice]:
    """The delivery log: everything for the secretariat; a meeting's notices for those
    who manage it; otherwise what was sent to the user, and the webhook calls made to
    the organisations they act for."""
    if user_is_secretariat(user):
        return Notice.objects.all()
    if not user_is_signed_in(user):
        return Notice.objects.none()
    managed = meetings_managed_by(user)
    return Notice.objects.filter(
        Q(person__user=user)
        | Q(endpoint__organisation__in=organisations_acted_for_by(user))
        | Q(meeting__in=managed)
        | Q(action_point__meeting__in=managed)
    )


def notice_get_for_user(user: Actor, notice_id: int | str, *, resend: bool = False) -> Notice:
    try:
        notice = (
            notices_visible_to(user)
            .select_related("meeting", "action_point__meeting")
            .get(pk=notice_id)
        )
    except (Notice.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such notice.")) from None
    if resend:
        action_point = notice.action_point
        meeting = notice.meeting or (action_point.meeting if action_point else None)
        if meeting is None or not user_can_manage_meeting(user, meeting):
            raise PermissionDenied(_("Only the secretariat and the group's chairs may resend."))
    return notice


def webhook_endpoints_visible_to(user: Actor) -> QuerySet[WebhookEndpoint]:
    """Endpoints of the organisations the user acts for (all, for the secretariat)."""
    if user_is_secretariat(user):
        return WebhookEndpoint.objects.all()
    if not user_is_signed_in(user):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(organisation__in=organisations_acted_for_by(user))


def webhook_endpoint_get_for_user(user: Actor, endpoint_id: int | str) -> WebhookEndpoint:
    try:
        return webhook_endpoints_visible_to(user).get(pk=endpoint_id)
    except (WebhookEndpoint.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such webhook endpoint.")) from None


def webhook_endpoint_check_register(user: Actor, organisation: Organisation) -> None:
    """Endpoints are registered for an organisation one acts for (any, for the
    secretariat)."""
    if not (user_is_secretariat(user) or user_can_act_for_organisation(user, organisation.pk)):
        raise PermissionDenied(_("Only the organisation's representatives may do this."))
