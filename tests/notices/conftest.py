import pytest

from tests.servers import send_mail_to, start_smtp


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) that the portal's mail goes to; its inbox."""
    inbox, controller, port = start_smtp()
    send_mail_to(settings, port)
    yield inbox
    controller.stop()
