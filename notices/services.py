"""Writes for notices and webhook endpoints: resending, registering, changing."""

import logging
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Organisation
from notices import inbound, outbox, replies, webhook_http
from notices.models import RESEND_KEY_SUFFIX, CalendarReply, Notice, WebhookEndpoint
from portal.audit import Actor, audited_save, author_of

logger = logging.getLogger(__name__)


@transaction.atomic
def notice_resend(*, notice: Notice, by: Actor) -> Notice:
    """Send a notice again (e.g. after fixing an address): a new outbox row, same content."""
    # The lock on the original makes two resends at once queue up, so the second sees
    # the first's copy and refuses instead of colliding on the same key.
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    earlier = Notice.objects.filter(dedup_key__startswith=notice.dedup_key + RESEND_KEY_SUFFIX)
    if earlier.filter(status__in=[Notice.Status.PENDING, Notice.Status.SENDING]).exists():
        # Also what makes a double-clicked "Resend" send once.
        raise ValidationError(_("This notice is already being sent again."))
    resends = earlier.count()
    return outbox.notice_copy_write(
        notice=notice, dedup_key=f"{notice.dedup_key}{RESEND_KEY_SUFFIX}{resends + 1}"
    )


def webhook_url_check(url: str) -> None:
    """Refuse URLs that would make the portal call itself or a private network."""
    try:
        _webhook_url_check(url)
    except ValidationError:
        # A refused URL may be someone probing for the portal's network: say so once.
        logger.warning("Webhook URL refused: %s", url[:200])
        raise


def _webhook_url_check(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise ValidationError({"url": _("Give an absolute https:// URL.")})
    if settings.WEBHOOK_ALLOW_INSECURE:
        return
    if parts.scheme != "https":
        raise ValidationError({"url": _("Webhook URLs must use https://.")})
    try:
        webhook_http.checked_addresses(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        )
    except webhook_http.Unresolvable:
        raise ValidationError(
            {"url": _("The host %(host)s cannot be resolved.") % {"host": parts.hostname}}
        ) from None
    except webhook_http.NotPublic:
        raise ValidationError({"url": _("Webhook URLs must point to a public address.")}) from None


def _events_check(events: Sequence[str]) -> list[str]:
    unknown = set(events) - set(WebhookEndpoint.Event.values)
    if unknown:
        raise ValidationError(
            {"events": _("Unknown events: %(events)s.") % {"events": ", ".join(sorted(unknown))}}
        )
    return list(events)


@transaction.atomic
def webhook_endpoint_register(
    *, organisation: Organisation, url: str, events: Sequence[str] = (), by: Actor
) -> WebhookEndpoint:
    events = _events_check(events)
    webhook_url_check(url)
    endpoint = WebhookEndpoint(
        organisation=organisation,
        url=url,
        events=events,
        secret=secrets.token_urlsafe(32),
        created_by=author_of(by),
    )
    return audited_save(endpoint, by=by)


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    by: Actor,
    url: str | None = None,
    events: Sequence[str] | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change where and what an endpoint receives, or switch it on or off. A new URL
    is checked like a registered one; the secret stays the same."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if url is not None and url != endpoint.url:
        webhook_url_check(url)
        endpoint.url = url
    if events is not None:
        endpoint.events = _events_check(events)
    if is_active is not None:
        endpoint.is_active = is_active
    return audited_save(endpoint, by=by)


def calendar_replies_read() -> dict[str, int]:
    """Read the calendar replies waiting in the inbound mailbox, record their answers and
    file each message away; how many ended each way. Nothing to do when no mailbox is
    configured."""
    config = settings.INBOUND_IMAP
    counts = {outcome: 0 for outcome in CalendarReply.Outcome.values}
    if config is None:
        return counts
    with inbound.mailbox_open(config) as mailbox:
        for message in inbound.replies_fetch(mailbox):
            row = replies.reply_record(message.obj)
            counts[row.outcome] += 1
            if message.uid:
                inbound.file_away(
                    mailbox, message.uid, ignored=row.outcome == CalendarReply.Outcome.IGNORED
                )
    return counts
