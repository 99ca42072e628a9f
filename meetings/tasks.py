"""Beat jobs for meetings: reminders and action-point reminders. Each is one service
call, safe to run twice (notices are unique per event version)."""

from celery import shared_task

from meetings import services


@shared_task
def reminders_due_task() -> int:
    """Beat: write the notices of every reminder whose time has come."""
    return services.reminders_send_due()


@shared_task
def action_points_due_task() -> int:
    """Beat: remind owners of open action points due within three days or overdue."""
    return services.action_points_remind_due()
