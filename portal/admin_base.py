"""Shared admin bases: history plus guardian screens, and service-calling actions."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin


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

    action.short_description = description
    action.__name__ = description.lower().replace(" ", "_")
    return action


class AuditedAdmin(SimpleHistoryAdmin):
    """History of every change, attributed to the user, under the History button."""


class GuardedAuditedAdmin(GuardedModelAdminMixin, SimpleHistoryAdmin):
    """History plus guardian's per-object permission screens."""


def pristine(obj):
    """The row as stored: the admin hands save_model an instance the form already changed,
    and services compare against what is stored."""
    return type(obj).objects.get(pk=obj.pk)
