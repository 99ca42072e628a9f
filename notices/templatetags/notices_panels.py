"""The notices' panels that other apps' pages show, so those pages need not import
the notices app: the dashboard shows the failed notices with a template tag."""

from django import template

from meetings.permissions import meetings_managed_by
from notices.permissions import notices_visible_to
from notices.selectors import notices_failed

register = template.Library()


@register.inclusion_tag("notices/_failed_panel.html", takes_context=True)
def failed_notices_panel(context) -> dict:
    user = context["request"].user
    failed = notices_failed(queryset=notices_visible_to(user))
    return {
        "failed_notices": failed[:10],
        "failed_count": failed.count(),
        "may_resend": meetings_managed_by(user).exists(),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
