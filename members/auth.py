"""API tokens end when a login's password changes or its password is taken away, as the
login's sessions do (Django keys a session to the password hash; knox's tokens know
nothing of the password)."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthAuthenticationBackend
from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from members.services import api_tokens_revoke_all


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
    reads it (the header, the zone of the pages), so one query serves them all."""

    def get_user(self, user_id: int) -> User | None:
        try:
            user = User._default_manager.select_related("person").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
