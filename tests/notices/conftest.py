import pytest

from tests.servers import send_mail_to, start_dovecot, start_smtp


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) that the portal's mail goes to; its inbox."""
    inbox, controller, port = start_smtp()
    send_mail_to(settings, port)
    yield inbox
    controller.stop()


@pytest.fixture(scope="module")
def dovecot():
    """A Dovecot IMAP server of the module's own (tests.servers.start_dovecot)."""
    server = start_dovecot()
    yield server
    server.stop()
