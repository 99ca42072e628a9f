"""The notices' panels that other apps' pages show, so those pages need not import
the notices app: the dashboard shows the failed notices with a template tag."""

from django import template

from notices.permissions import notices_resendable_by, notices_visible_to
from notices.selectors import notices_failed

register = template.Library()


@register.inclusion_tag("notices/_failed_panel.html", takes_context=True)
def failed_notices_panel(context) -> dict:
    user = context["request"].user
    failed = notices_failed(queryset=notices_visible_to(user))
    shown = list(failed[:10])
    return {
        "failed_notices": shown,
        "failed_count": failed.count(),
        "resendable": notices_resendable_by(user, shown),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
