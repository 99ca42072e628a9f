"""Background jobs for meetings: the beat's reminders, action-point reminders and the
meetings of series made ahead, and the build of a requested meeting pack. Each is one
service call, safe to run twice (notices are unique per event version; a series' slot
is made once; a ready pack is left as it is)."""

from celery import shared_task

from meetings import minutes_cycle, services


@shared_task
def reminders_due_task() -> int:
    """Beat: write the notices of every reminder whose time has come."""
    return services.reminders_send_due()


@shared_task
def action_points_due_task() -> int:
    """Beat: remind owners of open action points due within three days or overdue."""
    return services.action_points_remind_due()


@shared_task
def series_extend_ahead_task() -> int:
    """Beat: make (and in announced series schedule) the meetings of every series that
    are now within its create_ahead_days; returns how many were made."""
    return services.series_extend_ahead()


@shared_task
def meeting_pack_build_task(pack_id: int) -> str | None:
    """Build and store a requested meeting pack (enqueued by meeting_pack_request after
    commit); returns the pack's status, or None when the pack is gone."""
    pack = services.meeting_pack_build(pack_id=pack_id)
    return None if pack is None else pack.status


@shared_task
def minutes_comment_reminders_task() -> int:
    """Beat: remind the organisations that have not commented on circulated draft
    minutes whose comment period closes soon, once per draft (a conditional UPDATE
    claims it, so overlapping runs remind once); returns how many drafts."""
    return minutes_cycle.minutes_comment_reminders_send()
