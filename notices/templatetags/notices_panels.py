"""The notices' panels that other apps' pages show, so those pages need not import
the notices app: the dashboard shows the failed notices with a template tag, and the
previews before scheduling a meeting or a series, or changing a scheduled one, show
the invitation or the update as it will be e-mailed."""

from django import template
from django.utils.translation import gettext as _

from meetings.selectors import InvitationPreview, SeriesSchedulePreview, UpdatePreview
from notices.content import invitation_previews, series_invitation_previews, update_previews
from notices.permissions import notices_resendable_by, notices_visible_each
from notices.selectors import notices_failed, notices_failed_panelled

register = template.Library()

FAILED_SHOWN = 10


@register.inclusion_tag("notices/_failed_panel.html", takes_context=True)
def failed_notices_panel(context) -> dict:
    user = context["request"].user
    failed = notices_failed(queryset=notices_visible_each(user))
    shown = notices_failed_panelled(list(failed.values_list("pk", flat=True)[:FAILED_SHOWN]))
    # Counted only when there are more than it shows: on most days there are none.
    count = failed.count() if len(shown) == FAILED_SHOWN else len(shown)
    return {
        "failed_notices": shown,
        "failed_count": count,
        "resendable": notices_resendable_by(user, shown),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }


@register.inclusion_tag("notices/_message_previews.html")
def invitation_message_previews(preview: InvitationPreview) -> dict:
    """The invitation e-mail in each language its recipients read (meetings.selectors.
    invitation_preview says who they are)."""
    messages = invitation_previews(preview.meeting, preview.recipients, reference=preview.reference)
    return {"messages": messages}


@register.inclusion_tag("notices/_message_previews.html")
def series_invitation_message_previews(preview: SeriesSchedulePreview) -> dict:
    """The invitation to the whole series in each language its recipients read
    (meetings.selectors.series_schedule_preview says who they are)."""
    messages = series_invitation_previews(preview.series, preview.announced, preview.recipients)
    return {"messages": messages}


@register.inclusion_tag("notices/_message_previews.html")
def update_message_previews(preview: UpdatePreview) -> dict:
    """The update e-mail in each language its recipients read, with the meeting as the
    change leaves it (meetings.selectors.update_preview says who they are)."""
    return {
        "messages": update_previews(preview.after, preview.recipients),
        "nobody": _("Nobody will get the update by e-mail."),
    }
