"""Template filters shared by every app's pages."""

from django import template

from portal import pages

register = template.Library()


@register.filter
def local_name(obj) -> str:
    """A group's, organisation's or person's name in the page's language when it has one."""
    return pages.local_name(obj)
