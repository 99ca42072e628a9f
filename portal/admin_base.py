"""Shared admin bases: history plus guardian screens, and service-calling actions.

The admin writes only through the services: each ModelAdmin's save_model, delete_model
and actions call one, and whatever has no service is read-only. Reverting to an old
version from the history screen is switched off (SIMPLE_HISTORY_REVERT_DISABLED) for
the same reason.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext, override
from guardian.admin import (
    AdminGroupObjectPermissionsForm,
    AdminUserObjectPermissionsForm,
    GuardedModelAdminMixin,
    UserManage,
)
from guardian.shortcuts import get_perms_for_model
from simple_history.admin import SimpleHistoryAdmin

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise as _StrPromise
else:
    _StrPromise = Promise

from portal.pages import service_error_onto_form


def error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages_)}" if field != "__all__" else " ".join(messages_)
            for field, messages_ in error.message_dict.items()
        )
    return " ".join(error.messages)


def service_action(description: str | _StrPromise, call: Callable) -> Callable:
    """An admin action that runs `call(obj, user)` on each selected row, one service call
    each, reporting successes and the sentence of each refusal."""

    def action(modeladmin, request, queryset):
        done = 0
        for obj in queryset:
            try:
                call(obj, request.user)
            except ValidationError as error:
                modeladmin.message_user(request, f"{obj}: {error_text(error)}", messages.ERROR)
            else:
                done += 1
        if done:
            message = ngettext("%(action)s: %(count)d done.", "%(action)s: %(count)d done.", done)
            modeladmin.message_user(
                request, message % {"action": description, "count": done}, messages.SUCCESS
            )

    # The action's name is posted by the changelist form, so it is made from the English
    # description whatever language is active when the admin is loaded.
    with override(None):
        action.__name__ = str(description).lower().replace(" ", "_")
    return admin.action(description=description)(action)


# Model permissions are stored in English ("Can add meeting") when the migrations run;
# the admin composes them anew in the reader's language from the model's own name.
_MODEL_PERMISSION_NAMES = {
    "add": gettext_lazy("Can add %(model)s"),
    "change": gettext_lazy("Can change %(model)s"),
    "delete": gettext_lazy("Can delete %(model)s"),
    "view": gettext_lazy("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """A permission's name in the active language."""
    action, _, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if action in _MODEL_PERMISSION_NAMES and model is not None:
        if model_name == model._meta.model_name:
            return _MODEL_PERMISSION_NAMES[action] % {"model": model._meta.verbose_name}
    # Custom permissions are declared with gettext_lazy in Meta.permissions, so their
    # stored English name is a msgid of the catalogue.
    return gettext(permission.name)


def permission_labels(permissions: Iterable[Permission]) -> str:
    return ", ".join(permission_label(permission) for permission in permissions)


@dataclass(frozen=True)
class PermissionColumn:
    """What guardian's screens read of a permission (codename and name), translated."""

    codename: str
    name: str


class TranslatedPermissionsMixin:
    """Guardian's per-object permission forms, offering the permissions by translated name."""

    obj: Model

    def get_obj_perms_field_choices(self):
        return [
            (permission.codename, permission_label(permission))
            for permission in get_perms_for_model(self.obj).select_related("content_type")
        ]


class UserPermissionsForm(TranslatedPermissionsMixin, AdminUserObjectPermissionsForm):
    pass


class GroupPermissionsForm(TranslatedPermissionsMixin, AdminGroupObjectPermissionsForm):
    pass


class UserSelectForm(UserManage):
    """Guardian's "which login" form, in words the catalogue translates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.label = gettext_lazy("Username")
        field.help_text = gettext_lazy("The username of the login to give access to.")
        field.error_messages["does_not_exist"] = gettext_lazy("No login has this username.")


# Shown by guardian's templates and by Django's newer auth screens, whose own catalogues
# have no Arabic: marked here so makemessages keeps them in ours.
UPSTREAM_MESSAGES = (
    gettext_noop("Object permissions"),
    gettext_noop("Manage group"),
    gettext_noop("Group permissions"),
    gettext_noop("This group does not exist"),
    gettext_noop("Changes"),
    gettext_noop("Run"),
    gettext_noop("Action"),
    gettext_noop("Password-based authentication"),
    gettext_noop("Password-based authentication was disabled."),
    gettext_noop("Enabled"),
    gettext_noop("Disabled"),
    gettext_noop("Reset password"),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. If disabled, "
        "they may still be able to authenticate using other backends, such as Single Sign-On "
        "or LDAP."
    ),
    gettext_noop("salt"),
    gettext_noop("hash"),
)


class AuditedAdmin(SimpleHistoryAdmin):
    """History of every change, attributed to the user, under the History button."""


def pristine(obj):
    """The row as stored: the admin hands save_model an instance the form already changed,
    and services compare against what is stored."""
    return type(obj).objects.get(pk=obj.pk)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records shown, never written here: history kept elsewhere, rows written by the
    portal itself, or made only through the API; actions may still call services."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class NoDeleteMixin:
    """Rows that carry history are ended, cancelled or deactivated through a service
    (offered as an action), never deleted."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ServiceAdmin(AuditedAdmin):
    """An admin whose add and change forms save through a service.

    Subclasses implement `service_save(request, form, change)`, which calls the
    service and returns the saved row. It runs as the form's last validation step,
    inside a savepoint: a service's refusal becomes the form's errors next to the
    fields it names (and writes nothing), so no admin form repeats a service's checks,
    and nothing is saved any other way.
    """

    # Bases meant to be subclassed again set this in their own body.
    abstract_base = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract_base"):
            return
        if not callable(getattr(cls, "service_save", None)):
            raise TypeError(
                f"{cls.__name__} must define service_save(request, form, change): the "
                "service call that saves what its form holds."
            )

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        admin = self

        # mypy cannot check a class whose base is known only at run time.
        class ServiceForm(base):  # type: ignore[misc, valid-type]
            def _post_clean(self):
                if self._errors:
                    return
                try:
                    with transaction.atomic():
                        self.saved = admin.service_save(request, self, change)
                except ValidationError as error:
                    service_error_onto_form(self, error)

        return ServiceForm

    def save_form(self, request, form, change):
        return form.saved

    def save_model(self, request, obj, form, change):
        """Saved already, by the service, when the form was validated."""

    def save_related(self, request, form, formsets, change):
        # The service wrote every relation it owns; inlines here are read-only views.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class GuardedServiceAdmin(GuardedModelAdminMixin, ServiceAdmin):
    """A ServiceAdmin with guardian's per-object permission screens, permissions named
    in the reader's language."""

    abstract_base = True

    def get_obj_perms_base_context(self, request, obj):
        context = super().get_obj_perms_base_context(request, obj)
        context["model_perms"] = [
            PermissionColumn(permission.codename, permission_label(permission))
            for permission in context["model_perms"].select_related("content_type")
        ]
        return context

    def get_obj_perms_user_select_form(self, request):
        return UserSelectForm

    def get_obj_perms_manage_user_form(self, request):
        return UserPermissionsForm

    def get_obj_perms_manage_group_form(self, request):
        return GroupPermissionsForm


class DerivedGrantsAdmin(GuardedServiceAdmin):
    """Guardian's object-permission screen as a read-only view of who holds what.

    These grants follow from the seats (groups.services.access_sync_for_users computes
    them); one given by hand would be silently overwritten at the next seat change, so
    the screen shows them and changes none.
    """

    abstract_base = True
    obj_perms_manage_template = "admin/obj_perms_readonly.html"
    read_only_reason: str | Promise = ""

    def obj_perms_manage_view(self, request, object_pk):
        if request.method == "POST":
            raise PermissionDenied(self.read_only_reason)
        return super().obj_perms_manage_view(request, object_pk)

    def get_obj_perms_base_context(self, request, obj):
        context = super().get_obj_perms_base_context(request, obj)
        context["read_only_reason"] = self.read_only_reason
        return context

    def obj_perms_manage_user_view(self, request, object_pk, user_id):
        raise PermissionDenied(self.read_only_reason)

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        raise PermissionDenied(self.read_only_reason)


SEAT_GRANTS = gettext_lazy(
    "Read-only: these grants follow from memberships, representatives and chair seats. "
    "Change those, and the grants follow."
)
