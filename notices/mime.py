"""The notices' e-mails as MIME, written without three costs the standard library pays
per message that a fan-out of a thousand invitations need not.

- **Boundaries.** For each multipart without a boundary, the generator draws one and
  compiles a regular expression unique to it, to check the boundary is not a line of
  the text: a compiled pattern per part, never reused (about 0.3 ms each, two per
  invitation). A boundary drawn here from 136 random bits is set instead: no text
  written from the portal's rows can hold it but by a chance of 2^-136.
- **Header folding.** The compat32 policy, which Django's messages use, folds every
  header through `email.header.Header` (about 50 µs each, some 25 per invitation).
  A header of printable ASCII words single-spaced that fits on its line is written as
  it stands, which is exactly what `Header` writes for it (tests/notices/test_mime.py
  checks the two agree); any other goes to compat32 as before.
- **The subject.** Django encodes a subject outside ASCII (every Arabic one, most
  French ones) with `Header`, which fits its encoded words by re-measuring the line a
  character at a time: about 0.3 ms for a subject of 50 letters. The thousand
  invitations of a meeting have three subjects, one per language: each is encoded once,
  by Django's own function, and remembered.

The bytes on the wire are otherwise those of Django's own `EmailMultiAlternatives`.
"""

import functools
import re
import secrets
from email.message import Message
from email.policy import Compat32

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import forbid_multi_line_headers

# Printable ASCII but the space, words separated by one space: what Header leaves as
# it is when it fits.
_PLAIN_HEADER = re.compile(r"[!-~]+(?: [!-~]+)*")


class QuickCompat32(Compat32):
    """compat32, with a plain header that fits written without going through Header."""

    def _plain(self, name: str, value) -> str | None:
        if (
            isinstance(value, str)
            and self.max_line_length
            and len(name) + 2 + len(value) <= self.max_line_length
            and _PLAIN_HEADER.fullmatch(value)
        ):
            return f"{name}: {value}{self.linesep}"
        return None

    def fold(self, name, value):
        return self._plain(name, value) or super().fold(name, value)

    def fold_binary(self, name, value):
        plain = self._plain(name, value)
        return plain.encode("ascii") if plain else super().fold_binary(name, value)


QUICK_COMPAT32 = QuickCompat32()


def boundary() -> str:
    """136 random bits, 36 characters long as the standard library's own boundaries are,
    so that the Content-Type lines fold where they did."""
    return f"=_{secrets.token_hex(17)}"


@functools.lru_cache(maxsize=256)
def encoded_subject(subject: str, encoding: str) -> str:
    """The Subject header's value as Django writes it (and checks it: a line break in it
    raises BadHeaderError, which is not remembered)."""
    return forbid_multi_line_headers("Subject", subject, encoding)[1]


def prepared(message: Message) -> Message:
    """`message` with a boundary of its own on every multipart and the quick policy."""
    for part in message.walk():
        if part.is_multipart() and part.get_boundary() is None:
            part.set_boundary(boundary())
    message.policy = QUICK_COMPAT32
    return message


class NoticeEmail(EmailMultiAlternatives):
    """Django's message with text and HTML alternatives and attachments, its MIME form
    made by `prepared`."""

    def message(self):
        # Django's message() encodes the subject it holds at its place among the
        # headers; it is given an empty one, then the remembered encoding in its place.
        subject, self.subject = self.subject, ""
        try:
            message = super().message()
        finally:
            self.subject = subject
        message.replace_header(
            "Subject", encoded_subject(str(subject), self.encoding or settings.DEFAULT_CHARSET)
        )
        return prepared(message)
