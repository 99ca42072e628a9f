"""Background jobs that deliver notices. Each is safe to run twice.

notices_dispatch_task delivers whatever is pending: its input is the outbox, not a
list of ids, so any number of copies share the work through atomic claims and a
lost copy costs nothing but time. The outbox enqueues it by name after commit.
"""

from celery import shared_task
from django.conf import settings

from notices import delivery, outbox, services
from portal.celery import app as celery_app


@shared_task(acks_late=True, name="notices.tasks.notices_dispatch_task")
def notices_dispatch_task() -> int:
    """Claim and deliver pending notices until none are due; returns how many were sent."""
    # A full batch means more may be waiting: another worker may start on it while this
    # one sends. In-process (no broker, or tests) this very call goes on to it: asked
    # of the app as it runs, which the tests make eager whatever the settings say.
    more_may_wait = None if celery_app.conf.task_always_eager else outbox.dispatch_soon
    return delivery.notices_deliver_due(
        batch_size=settings.NOTICE_BATCH_SIZE, on_full_batch=more_may_wait
    )


@shared_task
def notices_sweep_task() -> int:
    """Beat: free claims of dead workers, and enqueue delivery if anything is due."""
    return delivery.notices_sweep()


@shared_task(name="notices.tasks.calendar_replies_read_task")
def calendar_replies_read_task() -> dict[str, int]:
    """Beat, when INBOUND_IMAP_URL is set: answers given with calendar buttons."""
    return services.calendar_replies_read()
