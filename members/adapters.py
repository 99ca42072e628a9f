"""How django-allauth fits the portal: who may sign in and how, where its mail goes.

Nobody signs up: the secretariat creates the logins, and single sign-on only finds
them. Failed sign-ins are counted per account and per client address, the address
being the one the API's throttles see. Account mail (a password reset link) is
rendered in the request but sent by a task after commit, so a reset for a known
address answers as fast as one for an unknown address, and a slow or dead mail server
never holds up the page.
"""

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.userkit import filter_users_by_email, get_user_by_username
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AbstractUser
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from members.permissions import user_is_secretariat
from members.services import user_email_confirm
from members.tasks import account_mail_send_task
from portal.api.throttles import client_address

logger = logging.getLogger(__name__)


def user_must_use_two_factor(user: Any) -> bool:
    """Staff, superusers and the secretariat, when MFA_REQUIRED_FOR_STAFF is on."""
    if not settings.MFA_REQUIRED_FOR_STAFF or not user.is_authenticated:
        return False
    return bool(user.is_staff or user_is_secretariat(user))


def two_factor_missing_message() -> str:
    return _("Your login must use two-factor sign-in. Set up an authenticator app first.")


def account_owning_login(login: str) -> AbstractBaseUser | None:
    """The one account a typed login (a username or an e-mail address) names, if any."""
    if "@" in login:
        users = filter_users_by_email(login, for_login=True)
        return users[0] if len(users) == 1 else None
    return get_user_by_username(login)


def message_as_json(message: EmailMessage) -> dict[str, Any]:
    html = None
    if isinstance(message, EmailMultiAlternatives):
        html = next(
            (str(content) for content, mimetype in message.alternatives if mimetype == "text/html"),
            None,
        )
    return {
        "subject": message.subject,
        "body": message.body,
        "html": html,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
    }


def account_mail_enqueue(message: dict[str, Any]) -> None:
    try:
        account_mail_send_task.delay(message)
    except Exception as error:  # a dead broker: the person asks again; the page said "sent"
        logger.warning("Account mail not enqueued (%s); it is not sent.", error)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_address(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts failures per text typed: an account's username and its e-mail
        # address would each get their own allowance. Both name the same account here.
        # The lookup is made for unknown logins too, so it tells nothing by its time.
        login = str(credentials.get("email") or credentials.get("username") or "")
        login = login.strip().lower()
        user = account_owning_login(login)
        return f"account:{user.pk}" if user is not None else f"login:{login}"

    def send_mail(self, template_prefix: str, email: str, context_data: dict) -> None:
        request = context.request
        values = {"request": request, "email": email, "current_site": get_current_site(request)}
        values.update(context_data)
        message = message_as_json(self.render_mail(template_prefix, email, values))
        # The rendered message, not ids: a reset link's token cannot be rebuilt later
        # by the worker without the request it was made for (its language, its host).
        transaction.on_commit(lambda: account_mail_enqueue(message))


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Those who must use two-factor sign-in may replace a factor, not remove the last."""
        user = authenticator.user
        if not user_must_use_two_factor(user):
            return True
        others = (
            Authenticator.objects.filter(user_id=user.pk)
            .exclude(pk=authenticator.pk)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
        )
        return others.exists()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[AbstractUser, str] | None:
        """The one active login whose address the identity provider says it verified.

        An unverified address, an unknown one, or one that several logins share finds
        nobody, and with sign-up closed the person is turned away. The address is then
        recorded as verified for the login: the secretariat typed it and the provider
        vouched for it, and allauth would otherwise take it as unconfirmed and wipe the
        login's password (which its API clients use).
        """
        for address in sociallogin.email_addresses:
            email = address.email.strip().lower()
            if not address.verified or not self.can_authenticate_by_email(sociallogin, email):
                continue
            users = filter_users_by_email(email, is_active=True, for_login=True)
            if len(users) == 1:
                user_email_confirm(user=users[0], email=email)
                return users[0], email
        return None
