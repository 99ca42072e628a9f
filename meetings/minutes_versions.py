"""Every text minutes had, kept as a numbered MinutesVersion: written by meetings.services
(drafts and edits) and meetings.follow_up (corrections made when a later meeting adopts
them), which may not import each other."""

from django.db.models import Max

from meetings.models import Minutes, MinutesVersion
from portal.audit import Actor, author_of


def minutes_version_add(minutes: Minutes, *, reason: str, by: Actor) -> MinutesVersion:
    """Keep `minutes.body` as the next version and point the minutes at it; the caller
    holds the minutes' row lock and saves `minutes` (its `version` changes)."""
    number = (minutes.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = MinutesVersion.objects.create(
        minutes=minutes, number=number, body=minutes.body, reason=reason, created_by=author_of(by)
    )
    if minutes.version != number:
        minutes.version = number
        Minutes.objects.filter(pk=minutes.pk).update(version=number)
    return version
