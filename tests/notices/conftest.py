import pytest

from tests.servers import start_smtp


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) that the portal's mail goes to; its inbox."""
    inbox, controller, port = start_smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()
