"""The access funnels for the delivery log and webhook endpoints.

The secretariat sees every notice; those who manage a meeting see its notices;
everyone else sees what was sent to them and the webhook calls made to the
organisations they act for. Endpoints belong to the organisations one acts for.
"""

import operator
from collections.abc import Iterable
from functools import reduce

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from meetings.permissions import (
    NOTHING,
    meetings_managed_by,
    series_managed_by,
    user_manages_nothing,
)
from members.models import Organisation
from members.permissions import (
    organisation_ids_acted_for_by,
    user_can_act_for_organisation,
    user_is_secretariat,
    user_is_signed_in,
    user_person_id,
)
from notices.models import Notice, WebhookEndpoint
from portal.audit import Actor
from portal.compiled import CompiledForIds
from portal.lookups import ids_in


def notices_visible_to(user: Actor) -> QuerySet[Notice]:
    """The delivery log: everything for the secretariat; a meeting's (or a series')
    notices for those who manage it; otherwise what was sent to the user, and the
    webhook calls made to the organisations they act for."""
    if user_is_secretariat(user):
        return Notice.objects.all()
    if not user_is_signed_in(user):
        return Notice.objects.none()
    # Each branch by the notice's own indexed column, the endpoints' few ids read first:
    # the database then reads the user's notices by index, instead of walking the whole
    # log newest first and joining every row to its person to see whose it is.
    return Notice.objects.filter(reduce(operator.or_, [*_sent_to(user), _of_what_is_run(user)]))


def notices_visible_each(user: Actor) -> QuerySet[Notice]:
    """notices_visible_to as a check of each notice by its key, for a list that another
    condition keeps short (the failed ones on the dashboard): the database reads those
    first and looks each up. Given the funnel's OR itself, SQLite read every notice of
    the user's and of their endpoints' to find the failed among them (an agency's
    60,000 webhook calls at the benchmark's 10x data: 83 ms; this way 0.004 ms)."""
    if user_is_secretariat(user) or not user_is_signed_in(user):
        return notices_visible_to(user)
    return Notice.objects.filter(Exists(notices_visible_to(user).filter(pk=OuterRef("pk"))))


def notice_log_parts(user: Actor) -> list[Q] | None:
    """The log of notices_visible_to as conditions no two of which hold for one notice,
    together holding for every notice it shows: what was sent to the user, the calls to
    each endpoint of their organisations (one each), then the notices of what they run
    that are none of those. Each but the last is read newest first from its own index
    (portal.ordering.merged_in_order). None for the secretariat, who sees the whole log."""
    if user_is_secretariat(user):
        return None
    if not user_is_signed_in(user):
        return [NOTHING]
    parts = _sent_to(user)
    if not user_manages_nothing(user):
        run = _of_what_is_run(user)
        parts.append(run & ~reduce(operator.or_, parts) if parts else run)
    return parts or [NOTHING]


def _sent_to(user: User) -> list[Q]:
    """What was sent to the user, and to each endpoint of their organisations."""
    return notices_sent_to_q(user_person_id(user), _endpoint_ids(user))


def notices_sent_to_q(person_id: int | None, endpoint_ids: Iterable[int]) -> list[Q]:
    """What was sent to the person, and to each of the endpoints: one condition each, no
    two of which hold for one notice (an e-mail has a person, a call an endpoint)."""
    sent = [Q(person_id=person_id)] if person_id is not None else []
    return sent + [Q(endpoint_id=endpoint_id) for endpoint_id in endpoint_ids]


def notice_log_recipients(user: Actor) -> tuple[int, list[int]] | None:
    """For a reader whose whole log is what was sent to them (signed in, not the
    secretariat, running nothing, with a person of their own): their person's id and
    their organisations' endpoints' ids, the log being notices_sent_to_q of them. None
    for anyone else."""
    if user_is_secretariat(user) or not user_is_signed_in(user) or not user_manages_nothing(user):
        return None
    person_id = user_person_id(user)
    if person_id is None:
        return None
    return person_id, _endpoint_ids(user)


# The endpoints of the organisations a user acts for, compiled once per connection and
# number of organisations: the log's funnel and its parts both read them, and building
# and compiling the query took longer than running it.
_ENDPOINTS_OF = CompiledForIds(
    lambda organisation_ids: (
        WebhookEndpoint.objects.filter(ids_in("organisation", organisation_ids))
        .order_by()  # not the endpoints' order, by organisation name: a join for nothing
        .values("pk")
    )
)


def _endpoint_ids(user: User) -> list[int]:
    """webhook_endpoints_visible_to's ids, for a user who is not the secretariat."""
    organisation_ids = sorted(organisation_ids_acted_for_by(user))
    using = router.db_for_read(WebhookEndpoint)
    return sorted(row["pk"] for row in _ENDPOINTS_OF.rows(organisation_ids, using=using))


def _of_what_is_run(user: User) -> Q:
    """The notices of the meetings (with their action points) and series `user` runs."""
    if user_manages_nothing(user):
        return NOTHING
    managed = meetings_managed_by(user)
    return (
        Q(meeting__in=managed)
        | Q(series__in=series_managed_by(user))
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
    if resend and notice.pk not in notices_resendable_by(user, [notice]):
        raise PermissionDenied(_("Only the secretariat and the group's chairs may resend."))
    return notice


def notices_resendable_by(user: Actor, notices: Iterable[Notice]) -> set[int]:
    """Which of these notices the user may send again: those about a meeting (or an
    action point raised at a meeting) or a series that the user manages."""
    about: dict[int, int] = {}
    about_series: dict[int, int] = {}
    for notice in notices:
        if notice.meeting_id is not None:
            about[notice.pk] = notice.meeting_id
        elif notice.series_id is not None:
            about_series[notice.pk] = notice.series_id
        elif notice.action_point is not None:
            about[notice.pk] = notice.action_point.meeting_id
    if not (about or about_series) or not user_is_signed_in(user):
        return set()
    managed = set(
        meetings_managed_by(user).filter(pk__in=set(about.values())).values_list("pk", flat=True)
    )
    managed_series = set(
        series_managed_by(user)
        .filter(pk__in=set(about_series.values()))
        .values_list("pk", flat=True)
    )
    return {notice_id for notice_id, meeting_id in about.items() if meeting_id in managed} | {
        notice_id for notice_id, series_id in about_series.items() if series_id in managed_series
    }


def webhook_endpoints_visible_to(user: Actor) -> QuerySet[WebhookEndpoint]:
    """Endpoints of the organisations the user acts for (all, for the secretariat)."""
    if user_is_secretariat(user):
        return WebhookEndpoint.objects.all()
    if not user_is_signed_in(user):
        return WebhookEndpoint.objects.none()
    # By the organisations' ids read once per request: no query at all for a user who
    # acts for none (an empty IN is answered without asking the database).
    return WebhookEndpoint.objects.filter(
        organisation_id__in=sorted(organisation_ids_acted_for_by(user))
    )


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
