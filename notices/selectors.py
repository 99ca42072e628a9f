"""Reads for the delivery log, with their joins done."""

from django.db.models import Prefetch, QuerySet

from notices.models import Notice, NoticeAttempt


def notices_failed(*, queryset: QuerySet[Notice]) -> QuerySet[Notice]:
    """Notices that failed for good, newest first, with what they were about."""
    return (
        queryset.filter(status=Notice.Status.FAILED)
        .select_related("person", "endpoint", "meeting", "series", "action_point")
        .order_by("-created_at", "-pk")
    )


def notice_list(*, queryset: QuerySet[Notice]) -> QuerySet[Notice]:
    """The delivery log with recipients and each failed try, oldest try first."""
    return queryset.select_related("person", "endpoint").prefetch_related(
        Prefetch("failed_attempts", queryset=NoticeAttempt.objects.order_by("at"))
    )
