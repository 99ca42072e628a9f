"""Logging filters the settings install."""

import logging


class NoTracebackBelow500(logging.Filter):
    """An ordinary refusal (403, 404, 400) is one line, not a traceback: Django logs
    a PermissionDenied with the exception attached, which buries the errors that
    matter. Server errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
