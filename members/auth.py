"""API tokens end when a login's password changes or its password is taken away, as the
login's sessions do (Django keys a session to the password hash; knox's tokens know
nothing of the password)."""

import binascii
from hmac import compare_digest

from allauth.account.auth_backends import AuthenticationBackend as AllauthAuthenticationBackend
from django.contrib.auth.models import User
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework.exceptions import AuthenticationFailed

from members.services import api_tokens_revoke_all
from portal.compiled import CompiledOnce

_TOKENS_WITH_USER = CompiledOnce(
    lambda key: AuthToken.objects.filter(token_key=key).select_related("user", "user__person"),
    placeholder="compiled-once-key",
)
# A placeholder no user has as id: the query is compiled with it, then run with the id.
_USER_WITH_PERSON = CompiledOnce(
    lambda user_id: User._default_manager.select_related("person").filter(pk=user_id),
    placeholder=-7_340_033,
)


class ApiTokensEndWithPassword:
    """Listed in AUTH_PASSWORD_VALIDATORS, but checks nothing: Django tells every
    configured validator when a password has been saved, whichever way it was changed
    (the password change page, a reset link, the admin, `manage.py changepassword`).
    That makes this the one place every path passes, with none of them changed."""

    def validate(self, password: str, user: User | None = None) -> None:
        return None

    def password_changed(self, password: str, user: User | None = None) -> None:
        if user is not None and user.pk is not None:
            api_tokens_revoke_all(user=user, by=None)

    def get_help_text(self) -> str:
        # Django lists every validator's help text under the new password: say what
        # the change does to the tokens.
        return _("Your API tokens stop working when your password changes.")


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's token check (which already refuses switched-off logins), refusing also a
    login whose password-based sign-in the admin turned off: Django stores no password
    then, so no password change reaches ApiTokensEndWithPassword."""

    def authenticate_credentials(self, token: bytes) -> tuple[User, AuthToken]:
        """Knox's own loop, with two changes. The tokens are read with their user and
        the user's person by SQL compiled once, as the session's user is (knox's query
        left the person to a query of its own later). Knox also read all the user's
        tokens at every request to delete their expired ones: the hourly clearing
        (members.tasks) does that now; a presented token that has expired is still
        deleted and refused here. A header that is not UTF-8 is refused, not a 500."""
        refused = AuthenticationFailed(_("Invalid token."))
        try:
            text = token.decode("utf-8")
        except UnicodeDecodeError:
            raise refused from None
        for auth_token in _TOKENS_WITH_USER.all(
            text[: CONSTANTS.TOKEN_KEY_LENGTH], using=router.db_for_read(AuthToken)
        ):
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=username, source="auth_token")
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error):
                raise refused from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise refused

    def validate_user(self, auth_token):
        user, auth_token = super().validate_user(auth_token)
        if not user.has_usable_password():
            raise AuthenticationFailed()
        return user, auth_token


class TokenScheme(KnoxTokenScheme):
    """The schema describes this class as knox's own (drf-spectacular matches
    authentication classes exactly, not their subclasses)."""

    target_class = "members.auth.TokenAuthentication"


class AuthenticationBackend(AllauthAuthenticationBackend):
    """allauth's backend, loading the signed-in user's person with the user: every page
    reads it (the header, the zone of the pages), so one query serves them all, its SQL
    compiled once (every request asks it)."""

    def get_user(self, user_id: int) -> User | None:
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        using = router.db_for_read(User)
        # An id the column cannot hold is no user (the ORM says so; the SQL would fail).
        low, high = connections[using].ops.integer_field_range(User._meta.pk.get_internal_type())
        if not low <= user_id <= high:
            return None
        user = _USER_WITH_PERSON.first(user_id, using=using)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None
