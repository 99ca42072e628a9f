"""Background jobs of the written procedure: the beat closes the procedures due. Safe
to run twice, or twice at once: each procedure is claimed by one run only."""

from celery import shared_task

from decisions import services


@shared_task
def procedures_close_due_task() -> int:
    """Beat: close every open written procedure whose deadline has come."""
    return services.procedures_close_due()
