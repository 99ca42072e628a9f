"""Reads for the delivery log, with their joins done."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Max, Model, OuterRef, Prefetch, QuerySet, Value
from django.db.models.functions import Concat

from groups.models import ConfidentialityChange
from notices.models import RESEND_KEY_SUFFIX, Notice, NoticeAttempt


def notices_failed(*, queryset: QuerySet[Notice]) -> QuerySet[Notice]:
    """Notices that failed for good and were not sent again since, newest first. Once
    resent, a failure is the copy's to report: still listed with its Resend button, the
    original was sent again at each click."""
    first_copy = Notice.objects.filter(
        dedup_key=Concat(OuterRef("dedup_key"), Value(f"{RESEND_KEY_SUFFIX}1"))
    )
    return (
        queryset.filter(status=Notice.Status.FAILED)
        .exclude(Exists(first_copy))
        .order_by("-created_at", "-pk")
    )


# What the dashboard's panel (notices/_failed_panel.html) prints of a failed notice and
# what notices_resendable_by reads. Every column of the five tables it joins cost the
# panel about 1.5 ms to compile and read, for the few it prints. A column the panel
# comes to print must be added here, or each row reads it with a query of its own (the
# dashboard's query-count tests catch that).
_FAILED_PANELLED = (
    "kind",
    "last_error",
    "created_at",
    "person__full_name",
    "person__full_name_ar",
    "endpoint__url",
    "meeting__title",
    "series__title",
    "action_point__meeting",
)


def notices_failed_panelled(ids: list[int]) -> list[Notice]:
    """These failed notices (notices_failed's, by id), newest first, with what the
    dashboard's panel prints of them. Read apart from finding them: joined to the five
    tables they may be about, the query took PostgreSQL 1.4 ms to plan and SQLite's
    compiler 1 ms, on the many days when no notice has failed and nothing is listed."""
    if not ids:
        return []
    return list(
        Notice.objects.filter(pk__in=ids)
        .select_related("person", "endpoint", "meeting", "series", "action_point")
        .only(*_FAILED_PANELLED)
        .order_by("-created_at", "-pk")
    )


def notice_list(*, queryset: QuerySet[Notice]) -> QuerySet[Notice]:
    """The delivery log with recipients and each failed try, oldest try first."""
    return queryset.select_related("person", "endpoint").prefetch_related(
        Prefetch("failed_attempts", queryset=failed_attempts_listed())
    )


def failed_attempts_listed() -> QuerySet[NoticeAttempt]:
    """A notice's failed tries as the log lists them, oldest first: the prefetch above and
    the API's list read from rows (NoticeSerializer.ROW_MANY) alike."""
    return NoticeAttempt.objects.order_by("at")


def labels_changed_at(model: type[Model], ids: Iterable[int]) -> dt.datetime | None:
    """When a label of one of these rows last changed (None if never): the feed's
    Last-Modified moves with it, since a label hides or shows a meeting without the
    meeting's own row changing."""
    ids = list(ids)
    if not ids:
        return None
    return ConfidentialityChange.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=ids
    ).aggregate(latest=Max("changed_at"))["latest"]
