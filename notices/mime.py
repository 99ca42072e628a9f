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
- **The tree.** To send over SMTP (`NoticeEmail.wire_bytes`), a message of text parts
  is written straight to bytes, not built as a tree of MIME objects and then walked by
  the generator: each part's headers are what Django writes for a part of its type,
  made by Django's own code once per type and remembered, and each body is its UTF-8
  with CRLF line ends, as the generator writes an 8bit or 7bit body. Building the tree
  and walking it took 0.7 ms of each invitation, writing it 0.1 ms. A part the quick
  form does not know (a file that is not text, a line too long for 8bit, which Django
  sends quoted-printable) sends the whole message through Django's tree instead.

- **The envelope.** Django's SMTP backend hands smtplib each recipient as
  `sanitize_address` writes it, parsed back out of the To line with its name encoded,
  and smtplib sends only the address of it (RCPT TO). A message made for one reader
  (`reader=`) knows that address: given as it stands, it is what smtplib would have
  found (60 µs a message less).

The bytes on the wire are otherwise those of Django's own `EmailMultiAlternatives`
(tests/notices/test_mime.py compares them, boundaries aside).
"""

import functools
import re
import secrets
from email.header import Header
from email.message import Message
from email.policy import Compat32
from email.utils import formataddr, formatdate, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    forbid_multi_line_headers,
    sanitize_address,
)
from django.core.mail.utils import DNS_NAME

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
    """The Subject header's value, checked as Django checks it (a line break in it
    raises BadHeaderError, which is not remembered) and encoded as Django encodes it
    but for one thing: outside ASCII, knowing the header's name. Without it (Django's
    way) the first encoded word is too long to share the first line with "Subject: ",
    the header folds before it, and readers that keep the folding's space show every
    Arabic or French subject beginning with one."""
    checked = forbid_multi_line_headers("Subject", subject, encoding)[1]
    if subject.isascii():
        return checked
    return Header(subject, encoding, header_name="Subject").encode()


def prepared(message: Message) -> Message:
    """`message` with a boundary of its own on every multipart and the quick policy."""
    for part in message.walk():
        if part.is_multipart() and part.get_boundary() is None:
            part.set_boundary(boundary())
    message.policy = QUICK_COMPAT32
    return message


# A part as the generator writes it: its headers, folded, and its body.
_Part = tuple[bytes, bytes]
_WIRE = QUICK_COMPAT32.clone(linesep="\r\n")


def _folded(headers) -> bytes:
    return b"".join(_WIRE.fold_binary(name, value) for name, value in headers)


# The message headers every message of a batch has alike.
_ALIKE_IN_A_BATCH = frozenset({"Subject", "From"})


@functools.lru_cache(maxsize=256)
def _folded_once(name: str, value: str) -> bytes:
    """A header every message of a batch has alike (its subject, its sender), folded
    once: a subject outside ASCII goes through Header's slow folding."""
    return _WIRE.fold_binary(name, value)


@functools.lru_cache(maxsize=64)
def _text_part_headers(
    mimetype: str, transfer_encoding: str, filename: str | None, encoding: str
) -> bytes:
    """The headers Django gives a text part of this type, body encoding and file name,
    folded: made once by Django's own code, on a sample body of the same kind."""
    sample = "x" if transfer_encoding == "7bit" else "\u00e9"
    maker = EmailMessage(body="x", attachments=[(filename, sample, mimetype)])
    maker.encoding = encoding
    part = maker.message().get_payload()[1]
    return _folded(part.raw_items())


def _has_long_lines(content: str, data: bytes) -> bool:
    """Django's test for quoted-printable (SafeMIMEText.set_payload), asked only when a
    line of the bytes is long: its lines (str.splitlines) are pieces of those."""
    limit = RFC5322_EMAIL_LINE_LENGTH_LIMIT
    return max(map(len, data.splitlines()), default=0) > limit and any(
        len(line.encode(errors="surrogateescape")) > limit for line in content.splitlines()
    )


def _text_part(content, mimetype: str, filename: str | None, encoding: str) -> _Part | None:
    """A text part as Django writes it, or None where Django would not write it 7bit or
    8bit (a line too long: quoted-printable) or the part is not text."""
    if not mimetype.startswith("text/") or not isinstance(content, str):
        return None
    data = content.encode(encoding)
    if _has_long_lines(content, data):
        return None
    transfer_encoding = "7bit" if data.isascii() else "8bit"
    headers = _text_part_headers(mimetype, transfer_encoding, filename, encoding)
    return headers, _crlf(data)


def _crlf(data: bytes) -> bytes:
    """Every line end (CRLF, CR or LF) as CRLF: the generator's. Three replaces, where a
    pattern of the three took 45 µs on a 5 KB body (four parts a message)."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")


_BOUNDARY_STAND_IN = "=_" + "0" * 34


@functools.lru_cache(maxsize=16)
def _multipart_headers(subtype: str) -> tuple[bytes, bytes]:
    """A multipart's headers, folded, before and after its boundary: folded once around
    a stand-in of a boundary's length and kind of letters, where its Content-Type line
    folds the same (at "; " and spaces, which no boundary holds), not through Header
    for each message."""
    content_type = f'multipart/{subtype}; boundary="{_BOUNDARY_STAND_IN}"'
    folded = _folded([("Content-Type", content_type), ("MIME-Version", "1.0")])
    head, _, tail = folded.partition(_BOUNDARY_STAND_IN.encode("ascii"))
    return head, tail


def _multipart(subtype: str, parts: list[_Part]) -> _Part:
    """A multipart of `parts` with a boundary of its own, as the generator writes it."""
    mark = boundary().encode("ascii")
    head, tail = _multipart_headers(subtype)
    body = b"".join(
        [
            b"--" + mark + b"\r\n",
            (b"\r\n--" + mark + b"\r\n").join(headers + b"\r\n" + body for headers, body in parts),
            b"\r\n--" + mark + b"--\r\n",
        ]
    )
    return head + mark + tail, body


# An address whose local part is a dot-atom (RFC 5322 3.2.3) that is not an encoded word
# (which Django's parser decodes), and whose domain is dot-separated ASCII labels: Django's
# address parser gives back both parts as they stand, as splitting at the "@" does.
_PLAIN_ADDRESS = re.compile(
    r"(?!.*=\?)"
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)


class NoticeEmail(EmailMultiAlternatives):
    """Django's message with text and HTML alternatives and attachments, its MIME form
    made by `prepared`, its bytes for SMTP by `wire_bytes`, its envelope's recipients by
    `envelope_recipients`.

    `reader`, a (name, address) pair, is the one person the message is to: written in
    To by the standard library, which quotes and encodes the name so that a comma, a
    quote or an Arabic letter in it cannot split or break the address."""

    def __init__(self, *args, reader: tuple[str, str] | None = None, **kwargs) -> None:
        if reader is not None:
            kwargs["to"] = [formataddr(reader)]
        super().__init__(*args, **kwargs)
        self._reader = (list(self.to), *reader) if reader is not None else None

    def envelope_recipients(self, encoding: str) -> list[str]:
        """The recipients as Django's SMTP backend hands them to smtplib, which sends
        only their address (RCPT TO): for the reader the message was made for, while
        it is still its only recipient, their address as it stands, not parsed back
        out of the To line. A name with a line break is left to Django, which refuses
        it."""
        if self._reader is not None:
            to, name, address = self._reader
            if (
                self.to == to
                and not self.cc
                and not self.bcc
                and "\n" not in name
                and "\r" not in name
                and _PLAIN_ADDRESS.fullmatch(address)
            ):
                return [sanitize_address(("", address), encoding)]
        return [sanitize_address(address, encoding) for address in self.recipients()]

    def wire_bytes(self) -> bytes:
        """The message as Django's SMTP backend sends it (CRLF line ends)."""
        return self._quick_wire_bytes() or self.message().as_bytes(linesep="\r\n")

    def _quick_wire_bytes(self) -> bytes | None:
        encoding = self.encoding or settings.DEFAULT_CHARSET
        if (
            encoding != "utf-8"
            or not self.body
            # Django rewrites a Content-Type given among the headers, and writes a
            # subtype's parameters its own way: left to it.
            or any(name.lower() == "content-type" for name in self.extra_headers)
            or ";" in self.alternative_subtype + self.mixed_subtype
        ):
            return None
        top = _text_part(self.body, f"text/{self.content_subtype}", None, encoding)
        if top is None:
            return None
        if self.alternatives:
            parts = [top]
            for content, mimetype in self.alternatives:
                part = _text_part(content, mimetype, None, encoding)
                if part is None:
                    return None
                parts.append(part)
            top = _multipart(self.alternative_subtype, parts)
        if self.attachments:
            parts = [top]
            for attachment in self.attachments:
                if isinstance(attachment, Message):
                    return None
                filename, content, mimetype = attachment
                part = _text_part(content, mimetype, filename, encoding)
                if part is None:
                    return None
                parts.append(part)
            top = _multipart(self.mixed_subtype, parts)
        headers, body = top
        message_headers = b"".join(
            _folded_once(name, value)
            if name in _ALIKE_IN_A_BATCH
            else _WIRE.fold_binary(name, value)
            for name, value in self._message_headers(encoding)
        )
        return headers + message_headers + b"\r\n" + body

    def _message_headers(self, encoding: str) -> list[tuple[str, str]]:
        """The headers EmailMessage.message() sets, in its order, each as its
        __setitem__ checks and encodes it (forbid_multi_line_headers)."""
        given = {name.lower() for name in self.extra_headers}
        named = [
            ("Subject", str(self.subject)),
            ("From", self.extra_headers.get("From", self.from_email)),
        ]
        for header, values in (("To", self.to), ("Cc", self.cc), ("Reply-To", self.reply_to)):
            if header in self.extra_headers:
                named.append((header, self.extra_headers[header]))
            elif values:
                named.append((header, ", ".join(str(value) for value in values)))
        if "date" not in given:
            named.append(("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
        if "message-id" not in given:
            named.append(("Message-ID", make_msgid(domain=DNS_NAME)))
        named += [
            (name, value)
            for name, value in self.extra_headers.items()
            if name.lower() not in {"from", "to", "cc", "reply-to"}
        ]
        return [
            (name, encoded_subject(str(value), encoding))
            if name == "Subject"
            else forbid_multi_line_headers(name, value, encoding)
            for name, value in named
        ]

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
