"""Shared admin bases: history plus guardian screens, and service-calling actions.

The admin writes only through the services: each ModelAdmin's save_model, delete_model
and actions call one, and whatever has no service is read-only. Reverting to an old
version from the history screen is switched off (SIMPLE_HISTORY_REVERT_DISABLED) for
the same reason.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from portal.pages import service_error_onto_form


def error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages_)}" if field != "__all__" else " ".join(messages_)
            for field, messages_ in error.message_dict.items()
        )
    return " ".join(error.messages)


def service_action(description: str, call: Callable) -> Callable:
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
            modeladmin.message_user(request, f"{description}: {done} done.", messages.SUCCESS)

    action.__name__ = description.lower().replace(" ", "_")
    return admin.action(description=description)(action)


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
    """A ServiceAdmin with guardian's per-object permission screens."""

    abstract_base = True


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
