"""Run the periodic notice jobs once: what Celery beat does on a schedule.

Without Redis (the `make run` default) there is no beat; run this from cron, or by
hand, to send due reminders, action-point reminders and anything still pending, to make the
meetings of series now due, to read the calendar replies waiting in the mailbox
(when INBOUND_IMAP_URL is set) and to delete expired API tokens and sessions.
"""

from django.core.management.base import BaseCommand

from decisions.tasks import procedures_close_due_task
from meetings.tasks import (
    action_points_due_task,
    minutes_comment_reminders_task,
    reminders_due_task,
    series_extend_ahead_task,
)
from members.tasks import expired_sign_ins_clear_task
from notices.tasks import (
    calendar_replies_read_task,
    notices_dispatch_task,
    notices_sweep_task,
)


class Command(BaseCommand):
    help = (
        "Make the meetings of series now due, close the written procedures due, send due "
        "reminders and action-point reminders, deliver pending notices and read calendar "
        "replies, delete expired API tokens and sessions, once."
    )

    def handle(self, *args, **options):
        series_meetings = series_extend_ahead_task()
        procedures_closed = procedures_close_due_task()
        reminders = reminders_due_task()
        action_points = action_points_due_task()
        comment_reminders = minutes_comment_reminders_task()
        released = notices_sweep_task()
        sent = notices_dispatch_task()
        replies = calendar_replies_read_task()
        cleared = expired_sign_ins_clear_task()
        self.stdout.write(
            f"Reminders written: {reminders}; action points reminded: {action_points}; "
            f"stale claims released: {released}; notices sent: {sent}; calendar replies "
            f"recorded: {replies['recorded']}, already on record: {replies['unchanged']}, "
            f"ignored: {replies['ignored']}; meetings of series made: {series_meetings}; "
            f"written procedures closed: {procedures_closed}; draft minutes whose "
            f"commenters were reminded: {comment_reminders}; expired API tokens deleted: "
            f"{cleared['tokens']}, expired sessions deleted: {cleared['sessions']}."
        )
