"""The admin of the members app: logins and their roles, API tokens, and the
affiliation history, each write through a service.

Organisations and people are registered in groups/admin.py: linking a login,
deactivating someone or an organisation ends seats and recomputes access, which are
the groups app's services.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from members.models import Affiliation, ApiToken
from members.permissions import user_is_secretariat
from members.services import (
    api_token_revoke,
    user_second_factor_reset,
    user_set_active,
    user_set_secretariat,
)
from portal.admin_base import NoDeleteMixin, ReadOnlyAdmin, permission_labels, service_action

# Django's and knox's own screens write around the services: replaced below.
admin.site.unregister(User)
admin.site.unregister(Group)
admin.site.unregister(AuthToken)
# allauth's own screens would write around the services (and show the secrets of
# authenticators); logins, e-mail addresses and second factors are not edited there.
for _allauth_model in (EmailAddress, Authenticator, SocialAccount, SocialApp, SocialToken):
    admin.site.unregister(_allauth_model)


second_factor_reset = service_action(
    _("Reset the second factor (lost device)"),
    lambda u, by: user_second_factor_reset(user=u, by=by),
)
second_factor_reset.allowed_permissions = ("second_factor_reset",)  # type: ignore[attr-defined]


@admin.register(User)
class UserAdmin(NoDeleteMixin, DjangoUserAdmin):
    """Logins carry history (who answered, approved, changed what), so they are switched
    off, never deleted; roles change through actions, and access comes from seats."""

    list_display = ["username", "email", "is_active", "is_staff", "is_superuser", "last_login"]
    # Django's layout, with the direct permissions listed by their translated names.
    fieldsets = [
        (
            title,
            {
                **options,
                "fields": [
                    "permission_names" if name == "user_permissions" else name
                    for name in options["fields"]
                ],
            },
        )
        for title, options in DjangoUserAdmin.fieldsets or ()
    ]
    readonly_fields = [
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "permission_names",
        "last_login",
        "date_joined",
    ]
    actions = [
        service_action(
            _("Make secretariat staff"),
            lambda u, by: user_set_secretariat(user=u, is_secretariat=True, by=by),
        ),
        service_action(
            _("Remove from the secretariat"),
            lambda u, by: user_set_secretariat(user=u, is_secretariat=False, by=by),
        ),
        service_action(
            _("Switch the login off"), lambda u, by: user_set_active(user=u, is_active=False, by=by)
        ),
        service_action(
            _("Switch the login on"), lambda u, by: user_set_active(user=u, is_active=True, by=by)
        ),
        second_factor_reset,
    ]

    def has_second_factor_reset_permission(self, request) -> bool:
        # Listed and run only for those the funnel names; Django refuses a posted action
        # that is not offered.
        return user_is_secretariat(request.user)

    @admin.display(description=_("user permissions"))
    def permission_names(self, obj):
        return permission_labels(obj.user_permissions.select_related("content_type"))


@admin.register(Group)
class RoleAdmin(ReadOnlyAdmin):
    """Roles, read-only: the Secretariat role's permissions are set by `manage.py
    setup_roles`, and membership of it by the user actions."""

    fields = ("name", "permission_names")
    readonly_fields = fields

    @admin.display(description=_("permissions"))
    def permission_names(self, obj):
        return permission_labels(obj.permissions.select_related("content_type"))


@admin.register(ApiToken)
class AuthTokenAdmin(ReadOnlyAdmin):
    """API tokens: who holds one and until when. New ones are made by their owner
    (POST /api/v1/auth/token/); here they can only be revoked."""

    # Knox's fields carry no names the catalogue can translate.
    fields = ("key", "holder", "created_at", "expires_at")
    readonly_fields = fields
    list_display = list(fields)
    search_fields = ["token_key", "user__username"]
    list_select_related = ["user"]
    actions = [service_action(_("Revoke"), lambda t, by: api_token_revoke(token=t, by=by))]

    @admin.display(description=_("token key"), ordering="token_key")
    def key(self, obj):
        return obj.token_key

    @admin.display(description=_("user"), ordering="user__username")
    def holder(self, obj):
        return obj.user

    @admin.display(description=_("created at"), ordering="created")
    def created_at(self, obj):
        return obj.created

    @admin.display(description=_("expires at"), ordering="expiry")
    def expires_at(self, obj):
        return obj.expiry


@admin.register(Affiliation)
class AffiliationAdmin(ReadOnlyAdmin):
    list_display = ["person", "organisation", "position", "start_on", "end_on"]
    list_filter = ["organisation__kind"]
    search_fields = ["person__full_name", "organisation__name"]
    list_select_related = ["person", "organisation"]
    date_hierarchy = "start_on"
