import logging

from django.apps import AppConfig
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

from portal.api.throttles import client_address

security_log = logging.getLogger("tansiq.security")


def _log_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # Logging, not domain behaviour: the one place every failed sign-in passes
    # (pages and the API's token endpoint alike). Never log the password.
    address = client_address(request) if request is not None else "?"
    # The sign-in page passes what was typed as "email" when it looks like an address.
    login = credentials.get("username") or credentials.get("email") or ""
    security_log.warning("Failed sign-in for %r from %s", str(login)[:150], address)


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        user_login_failed.connect(_log_failed_sign_in, dispatch_uid="tansiq-failed-sign-in")
