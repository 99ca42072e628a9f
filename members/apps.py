import logging

from django.apps import AppConfig, apps
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
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
        _forget_grants_when_they_change()


def _forget_grants_when_they_change() -> None:
    """A request reads a user's grants once (members.permissions.granted_ids); any write
    to guardian's tables, to a user's auth groups or to a Person makes the copies read
    before it stale. Bulk writes (bulk_create) send no signal: the services that make
    them call grants_changed themselves."""
    from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

    from members.permissions import grants_changed

    for model in apps.get_models():
        if issubclass(model, (UserObjectPermissionBase, GroupObjectPermissionBase)):
            for signal in (post_save, post_delete):
                signal.connect(grants_changed, sender=model, dispatch_uid=f"grants-{model}")
    user_groups = apps.get_model("auth", "User").groups.through
    m2m_changed.connect(grants_changed, sender=user_groups, dispatch_uid="grants-user-groups")
    # The user's Person (whose invitations they see) is read with the grants.
    for signal in (post_save, post_delete):
        signal.connect(grants_changed, sender="members.Person", dispatch_uid="grants-person")
