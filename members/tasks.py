"""Background jobs for members: account mail (password reset links) and the hourly
clearing of expired sign-ins. Meeting notices are delivered by notices/tasks.py."""

import logging
import smtplib
from typing import Any

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from members.services import expired_sign_ins_clear

logger = logging.getLogger(__name__)


@shared_task(
    name="members.tasks.account_mail_send_task",
    acks_late=True,
    # A mail server that is down or refuses for now is tried again, with backoff.
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
)
def account_mail_send_task(message: dict[str, Any]) -> None:
    """Send one message that allauth rendered in the request (members.adapters)."""
    mail = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
        headers=message.get("headers") or None,
    )
    if message.get("html"):
        mail.attach_alternative(message["html"], "text/html")
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused:
        # Trying again would be refused again.
        logger.warning("Account mail refused by the mail server for its recipient.")


@shared_task(name="members.tasks.expired_sign_ins_clear_task")
def expired_sign_ins_clear_task() -> dict[str, int]:
    """Run by beat (and by `run_notice_jobs`); running it twice deletes nothing the
    first run left."""
    tokens, sessions = expired_sign_ins_clear()
    logger.info("Cleared %d expired API tokens and %d expired sessions.", tokens, sessions)
    return {"tokens": tokens, "sessions": sessions}
