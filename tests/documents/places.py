"""Where papers go in the core tests: a scheduled MWG meeting whose agenda has an item
presented by the Ministry of Health (the member's organisation) and one by the chair's
ministry, with the member invited; and a way to see everything stored."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from documents.models import Document, DocumentVersion
from groups.models import ConfidentialityChange
from meetings.services import agenda_item_add, invitation_create, meeting_create, meeting_schedule


def scheduled_meeting(cast, *, title: str = "Quarterly meeting", invite=("member_person",)):
    start = timezone.now() + dt.timedelta(days=10)
    meeting = meeting_create(
        group=cast.mwg,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
    )
    agenda_item_add(meeting=meeting, title="Opening", presenter=cast.chair_person, by=None)
    agenda_item_add(meeting=meeting, title="Health report", presenter=cast.member_person, by=None)
    for person in invite:
        invitation_create(meeting=meeting, person=getattr(cast, person), by=None)
    return meeting_schedule(meeting=meeting, by=cast.secretariat)


def item(meeting, title: str):
    return meeting.agenda_items.get(title=title)


def stored_files() -> list[str]:
    """Every file under MEDIA_ROOT, relative to it."""
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def papers_state() -> dict:
    """The rows a paper's write may touch, and the files stored: a refusal changes none."""
    return {
        "documents": list(Document.objects.order_by("pk").values()),
        "history": list(Document.history.order_by("pk").values()),
        "versions": list(DocumentVersion.objects.order_by("pk").values()),
        "labels": list(Document.restricted_to.through.objects.order_by("pk").values()),
        "label_changes": list(ConfidentialityChange.objects.order_by("pk").values()),
        "files": stored_files(),
    }
