"""The secretariat's mailbox, read over IMAP (imap-tools) for calendar replies.

Only messages addressed to an invitation's reply address are touched; everything else
in the mailbox is left as it is, unread. Each reply is filed away once read: into
READ_FOLDER when its answer was recorded or already on record, into IGNORED_FOLDER
when it was ignored, so the secretariat can look at those.
"""

import contextlib
import ssl
from collections.abc import Iterator

from django.conf import settings
from imap_tools import OR, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted

from notices import replies
from portal.env import ImapMailbox

READ_FOLDER = "Tansiq-replies-read"
IGNORED_FOLDER = "Tansiq-replies-ignored"
# One run reads at most this many; the next beat run takes the rest.
BATCH = 100


@contextlib.contextmanager
def mailbox_open(config: ImapMailbox) -> Iterator[BaseMailBox]:
    timeout = settings.INBOUND_IMAP_TIMEOUT
    mailbox: BaseMailBox
    if config.security == "ssl":
        mailbox = MailBox(
            config.host, config.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    elif config.security == "starttls":
        mailbox = MailBoxStartTls(
            config.host, config.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    else:
        mailbox = MailBoxUnencrypted(config.host, config.port, timeout=timeout)
    with mailbox.login(config.user, config.password, initial_folder=config.folder) as session:
        for folder in (READ_FOLDER, IGNORED_FOLDER):
            if not session.folder.exists(folder):
                session.folder.create(folder)
        yield session


def replies_fetch(mailbox: BaseMailBox):
    """The messages in the folder addressed to a reply address, oldest first."""
    prefix = replies.reply_address_prefix()
    return mailbox.fetch(
        OR(to=prefix, cc=prefix), mark_seen=False, limit=BATCH, bulk=True, reverse=False
    )


def file_away(mailbox: BaseMailBox, uid: str, *, ignored: bool) -> None:
    mailbox.move(uid, IGNORED_FOLDER if ignored else READ_FOLDER)
