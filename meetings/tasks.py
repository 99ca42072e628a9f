"""Background jobs for meeting notices. Each is safe to run twice.

notices_dispatch_task delivers whatever is pending: its input is the outbox, not a
list of ids, so any number of copies share the work through atomic claims and a
lost copy costs nothing but time.
"""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from meetings import notices
from meetings.models import ActionPoint, Meeting, Reminder


@shared_task(acks_late=True)
def notices_dispatch_task() -> int:
    """Claim and deliver pending notices until none are due; returns how many were sent."""
    sent = 0
    while True:
        token, claimed = notices.notices_claim(limit=settings.NOTICE_BATCH_SIZE)
        if not claimed:
            return sent
        if len(claimed) == settings.NOTICE_BATCH_SIZE and not settings.CELERY_TASK_ALWAYS_EAGER:
            # More may be waiting: let another worker start on it while this one sends.
            notices.dispatch_soon()
        sent += notices.notices_deliver(token, claimed)


@shared_task
def notices_sweep_task() -> int:
    """Beat: free claims of dead workers, and enqueue delivery if anything is due."""
    released = notices.notices_release_stale()
    if notices.notices_pending_due():
        notices.dispatch_soon()
    return released


@shared_task
def reminders_due_task() -> int:
    """Beat: write the notices of every reminder whose time has come."""
    done = 0
    due = Reminder.objects.filter(
        done_at__isnull=True, due_at__lte=timezone.now(), meeting__status=Meeting.Status.SCHEDULED
    ).values_list("pk", flat=True)
    for reminder_id in list(due):
        with transaction.atomic():
            reminder = (
                Reminder.objects.select_for_update()
                .select_related("meeting__group")
                .filter(pk=reminder_id, done_at__isnull=True)
                .first()
            )
            if reminder is not None:
                notices.reminder_send(reminder)
                done += 1
    return done


@shared_task
def action_points_due_task() -> int:
    """Beat: remind owners of open action points due within three days or overdue."""
    today = timezone.localdate()
    written = 0
    open_points = ActionPoint.objects.filter(status=ActionPoint.Status.OPEN).select_related(
        "meeting__group", "owner_organisation", "owner_person"
    )
    for action_point in open_points.filter(due_on__lte=today + dt.timedelta(days=3)):
        stage = "overdue" if action_point.due_on < today else "soon"
        with transaction.atomic():
            notices.action_point_announce(action_point, stage=stage)
        written += 1
    return written
