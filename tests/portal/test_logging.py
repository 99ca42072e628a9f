"""Log lines: when, how bad and where from; ordinary refusals without a traceback."""

import logging
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from portal.log_filters import NoTracebackBelow500

pytestmark = pytest.mark.django_db


def _formatted(record: logging.LogRecord) -> str:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["line"]["format"]))
    handler.addFilter(NoTracebackBelow500())
    handler.filter(record)
    return handler.format(record)


def test_a_refused_page_is_logged_on_one_line_without_a_traceback(client, cast, caplog):
    client.force_login(cast.member)
    with caplog.at_level("WARNING", logger="django.request"):
        response = client.get(reverse("admin:index"))
        refused = client.post(reverse("meeting-create"), {})

    assert response.status_code == 302
    assert refused.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    line = _formatted(record)
    assert "Traceback" not in line
    assert "WARNING django.request: Forbidden" in line
    assert len(line.splitlines()) == 1


def test_a_server_error_keeps_its_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", None, None
        )
        record.exc_info = sys.exc_info()
    record.status_code = 500

    assert "Traceback" in _formatted(record)
