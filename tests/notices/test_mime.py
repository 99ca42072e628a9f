"""The notices' MIME form (notices.mime) is the bytes Django's own message would be,
boundaries and the Subject's folding aside: the quick header folding writes what
compat32 writes, the subject remembered per language is Django's text, encoded so that
its first line is not empty, and every multipart has a boundary of its own."""

import datetime as dt
import email
import email._header_value_parser
import email.header
import email.policy
import email.utils
import imaplib
import re
import smtplib
from email.errors import HeaderParseError
from email.policy import compat32
from unittest import mock

import pytest
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from meetings.models import Invitation
from meetings.services import invitation_create, meeting_create, meeting_schedule
from members.services import person_create
from notices import delivery, mime
from notices.content import SharedParts, email_for
from notices.mime import QUICK_COMPAT32, NoticeEmail, encoded_subject, prepared
from notices.models import Notice

NAMES = st.sampled_from(
    ["Subject", "To", "Content-Type", "Content-Transfer-Encoding", "X-Tansiq-Notice", "A"]
)
# Headers as they come (plain ones, long ones, runs of spaces and tabs, line breaks,
# letters outside ASCII, leading and trailing space): the quick path takes only some.
VALUES = st.one_of(
    st.from_regex(r"[!-~]{1,20}( [!-~]{1,20}){0,6}", fullmatch=True),
    st.text(alphabet=st.sampled_from("ab=?;\"' \t\r\n-é"), max_size=120),
    st.text(max_size=90),
)


@given(name=NAMES, value=VALUES, linesep=st.sampled_from(["\n", "\r\n"]))
def test_quick_folding_writes_what_compat32_writes(name, value, linesep):
    quick, stock = QUICK_COMPAT32.clone(linesep=linesep), compat32.clone(linesep=linesep)
    try:
        expected = stock.fold_binary(name, value)
    except Exception as error:  # compat32 refuses some values: so must the quick path
        with pytest.raises(type(error)):
            quick.fold_binary(name, value)
        return
    assert quick.fold_binary(name, value) == expected
    assert quick.fold(name, value) == stock.fold(name, value)


def test_quick_folding_takes_the_plain_header_and_leaves_the_rest():
    with mock.patch.object(
        email.header.Header, "encode", autospec=True, side_effect=email.header.Header.encode
    ) as slow:
        QUICK_COMPAT32.fold_binary("Content-Transfer-Encoding", "quoted-printable")
        assert slow.call_count == 0
        QUICK_COMPAT32.fold_binary("Subject", "two  spaces")
        QUICK_COMPAT32.fold_binary("Subject", "word " * 20)
        assert slow.call_count == 2


def _boundaries(raw: bytes) -> list[bytes]:
    return re.findall(rb'boundary="([^"]+)"', raw)


def _subject_read(match: re.Match) -> bytes:
    words = email.header.decode_header(match[1].decode().replace("\r\n", ""))
    return b"\r\nSubject (read): " + str(email.header.make_header(words)).encode()


def _normalised(raw: bytes) -> bytes:
    """The bytes with each boundary numbered in order, the Subject as the text it
    encodes (Django folds it otherwise: encoded_subject), and the Date line out (and a
    Message-ID made up for the message, where it had none)."""
    raw = re.sub(rb"\r\nSubject:((?:[^\r]|\r\n )*)", _subject_read, raw)
    for number, boundary in enumerate(_boundaries(raw)):
        raw = raw.replace(boundary, b"BOUNDARY-%d" % number)
    raw = re.sub(rb"\r\nMessage-ID: <[0-9.]+@[^\r]*", b"\r\nMessage-ID: MADE-UP", raw)
    return re.sub(rb"\r\nDate: [^\r]*", b"", raw)


def _djangos_own(message: NoticeEmail) -> bytes:
    """What Django's SMTP backend would send of the message, by its own classes."""
    return EmailMultiAlternatives.message(message).as_bytes(linesep="\r\n")


@pytest.fixture
def invitations(cast):
    """A scheduled meeting's invitation notices to readers of the three languages, their
    names and the meeting's title outside ASCII."""
    start = timezone.now() + dt.timedelta(days=10)
    meeting = meeting_create(
        group=cast.mwg,
        title="Réunion trimestrielle — الاجتماع الفصلي of the group",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        venue="Ministry of Planning, Tripoli",
        by=None,
    )
    for number, (language, name) in enumerate(
        [("en", "Amal O'Neil"), ("ar", "أمل الورفلي"), ("fr", "Élise Dupont, fils")]
    ):
        person = person_create(
            full_name=name,
            organisation=cast.moh,
            email=f"reader{number}@example.org",
            preferred_language=language,
            by=None,
        )
        invitation_create(meeting=meeting, person=person, by=None)
    meeting_schedule(meeting=meeting, by=None)
    notices = list(
        Notice.objects.filter(meeting=meeting, kind=Notice.Kind.INVITATION)
        .select_related("meeting__group", "person")
        .order_by("pk")
    )
    by_person = {i.person_id: i for i in Invitation.objects.filter(meeting=meeting)}
    return [(notice, by_person[notice.person_id]) for notice in notices]


@pytest.mark.django_db
def test_a_notice_is_the_bytes_of_djangos_own_message_but_for_its_boundaries(invitations):
    assert len(invitations) == 3
    shared = SharedParts()
    for notice, invitation in invitations:
        message = email_for(notice, invitation, shared=shared)
        assert isinstance(message, NoticeEmail)
        quick = message.message().as_bytes(linesep="\r\n")
        stock = EmailMultiAlternatives.message(message).as_bytes(linesep="\r\n")
        assert _normalised(quick) == _normalised(stock)
        # The subject on the message is still the reader's text, not its encoding.
        assert "=?utf-8?" not in message.subject
        # Read back by the standard library's other parser (the modern policy), which
        # keeps the space of a Subject folded from an empty first line, as Django's own
        # message folds a long encoded one: ours has none.
        parsed = email.message_from_bytes(quick, policy=email.policy.default)
        assert parsed["Subject"] == message.subject
        assert parsed["To"].addresses[0].display_name == notice.person.full_name
        kinds = [part.get_content_type() for part in parsed.walk()]
        assert kinds.count("text/calendar") == 2
        assert "text/html" in kinds


@pytest.mark.django_db
def test_the_wire_bytes_of_a_notice_are_djangos_own_but_for_its_boundaries(invitations):
    shared = SharedParts()
    for notice, invitation in invitations:
        message = email_for(notice, invitation, shared=shared)
        with mock.patch.object(NoticeEmail, "message", side_effect=AssertionError("tree")):
            wire = message.wire_bytes()  # written straight, without Django's tree
        assert _normalised(wire) == _normalised(_djangos_own(message))
        assert len(set(_boundaries(wire))) == 2
        parsed = email.message_from_bytes(wire, policy=email.policy.default)
        calendars = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
        assert len(calendars) == 2
        for part in calendars:
            # One charset each (the alternative's was once written twice).
            assert part["Content-Type"].count("charset") == 1
            assert part.get_content().startswith("BEGIN:VCALENDAR")


def _message(body, alternatives=(), attachments=(), **options) -> NoticeEmail:
    message = NoticeEmail(
        options.pop("subject", "Invitation"),
        body,
        options.pop("from_email", "Tansiq <secretariat@example.org>"),
        options.pop("to", ["Amal <amal@example.org>"]),
        **options,
    )
    for content, mimetype in alternatives:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(_message("Plain ASCII only.\n"), id="7bit body alone"),
        pytest.param(_message("Line\r\nends\rof\nevery kind\r\n\n"), id="line ends"),
        pytest.param(_message("No line end at the end"), id="unterminated"),
        pytest.param(
            _message(
                "عزيزي", [("<p>عزيزي</p>", "text/html")], [("invite.ics", ICS, "text/calendar")]
            ),
            id="8bit parts",
        ),
        pytest.param(
            _message("Body", [(ICS, "text/calendar; method=CANCEL; charset=utf-8")]),
            id="charset given twice",
        ),
        pytest.param(
            _message("Body", attachments=[("procès-verbal.txt", "Texte", "text/plain")]),
            id="attachment named outside ASCII",
        ),
        pytest.param(
            _message(
                "Body",
                subject="Réunion — الاجتماع " * 6,
                from_email="أمانة الفريق <secretariat@example.org>",
                to=['"Élise Dupont, fils" <elise@example.org>', "b@example.org"],
                cc=["c@example.org"],
                reply_to=["r@example.org"],
                headers={"X-Tansiq-Notice": "7", "Content-Language": "ar", "Date": "today"},
            ),
            id="headers outside ASCII",
        ),
        pytest.param(_message("Body", headers={"To": "Everyone <all@example.org>"}), id="To given"),
        pytest.param(_message("Body", headers={"Subject": ["a", "list"]}), id="Subject not text"),
        pytest.param(
            _message("Body", [("<p>Body</p>", "text/html")], headers={"content-type": "text/x"}),
            id="Content-Type given",
        ),
        # Ways the quick form leaves to Django: quoted-printable, files not text, no body.
        pytest.param(_message("x" * 1200 + "\nshort"), id="line too long"),
        pytest.param(
            _message("Body", attachments=[("minutes.pdf", b"%PDF-1.7\x00\xff", "application/pdf")]),
            id="binary attachment",
        ),
        pytest.param(_message("", [("<p>Only HTML</p>", "text/html")]), id="no body"),
    ],
)
def test_the_wire_bytes_of_any_message_are_djangos_own_but_for_its_boundaries(message):
    assert _normalised(message.wire_bytes()) == _normalised(_djangos_own(message))


def test_the_wire_bytes_follow_the_messages_own_subtypes():
    message = _message("Body", [("<p>Body</p>", "text/html")], [("a.txt", "A", "text/plain")])
    message.alternative_subtype, message.mixed_subtype = "related", "related"
    assert b"multipart/related" in message._quick_wire_bytes()
    assert _normalised(message.wire_bytes()) == _normalised(_djangos_own(message))
    message.mixed_subtype = "related;type=text/html"
    assert message._quick_wire_bytes() is None
    assert _normalised(message.wire_bytes()) == _normalised(_djangos_own(message))


def test_the_quick_form_leaves_to_django_what_it_does_not_write():
    long_line = _message("x" * 1200)
    assert long_line._quick_wire_bytes() is None
    assert b"Content-Transfer-Encoding: quoted-printable" in long_line.wire_bytes()
    # Lines long in bytes but short as Django measures them (split at a form feed).
    form_feeds = _message(("y" * 600 + "\x0c") * 3)
    assert form_feeds._quick_wire_bytes() is not None
    assert _normalised(form_feeds.wire_bytes()) == _normalised(_djangos_own(form_feeds))
    pdf = _message("Body", attachments=[("a.pdf", b"%PDF\xff", "application/pdf")])
    assert pdf._quick_wire_bytes() is None
    assert b"Content-Transfer-Encoding: base64" in pdf.wire_bytes()


@given(
    body=st.text(min_size=1, max_size=300),
    html=st.text(max_size=300),
    subject=st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=80),
    name=st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),
)
def test_the_wire_bytes_of_random_text_are_djangos_own(body, html, subject, name):
    message = _message(
        body,
        [(html, "text/html")] if html else [],
        [("invite.ics", ICS, "text/calendar; method=REQUEST")],
        subject=subject,
        to=[email.utils.formataddr((name, "reader@example.org"))],
    )
    try:
        expected = _djangos_own(message)
    except Exception as error:  # Django refuses some (a line break in a header): so must it
        with pytest.raises(type(error)):
            message.wire_bytes()
        return
    assert _normalised(message.wire_bytes()) == _normalised(expected)


@given(data=st.binary(max_size=200) | st.text(alphabet="ab\r\n.", max_size=60).map(str.encode))
def test_every_line_end_of_a_part_is_written_crlf(data):
    assert mime._crlf(data) == re.sub(rb"\r\n|\r|\n", b"\r\n", data)


@pytest.mark.django_db
def test_every_multipart_has_a_boundary_of_its_own_not_in_its_text(invitations):
    notice, invitation = invitations[1]
    seen: set[bytes] = set()
    for _ in range(3):
        raw = email_for(notice, invitation).message().as_bytes(linesep="\r\n")
        boundaries = _boundaries(raw)
        assert len(boundaries) == 2
        assert len(set(boundaries)) == 2
        for boundary in boundaries:
            # Opened as often as its parts, closed once, and no line of text is it.
            assert raw.count(b"--" + boundary + b"\r\n") >= 1
            assert raw.count(b"--" + boundary + b"--") == 1
        assert not seen & set(boundaries)
        seen |= set(boundaries)


def test_prepared_keeps_a_boundary_already_set():
    message = EmailMultiAlternatives("Subject", "Body", "a@example.org", ["b@example.org"])
    message.attach_alternative("<p>Body</p>", "text/html")
    mime = message.message()
    mime.set_boundary("chosen-boundary")
    assert prepared(mime).get_boundary() == "chosen-boundary"


@pytest.mark.parametrize(
    "subject",
    [
        "دعوة: الاجتماع الفصلي لفريق العمل المعني بالهجرة",
        "MWG-BRD/2027/01 — دعوة: Border management sub-group: first meeting، 10 يناير 2027",
        "MWG/2027/03 — Invitation : Réunion trimestrielle du groupe de travail sur la migration",
        "Réunion",
    ],
)
def test_the_remembered_subject_reads_as_djangos_from_its_first_line(subject):
    plain = EmailMultiAlternatives(subject, "Body", "a@example.org", ["b@example.org"])
    djangos = plain.message()["Subject"]
    ours = encoded_subject(subject, "utf-8")
    assert ours.startswith("=?utf-8?")
    assert email.header.decode_header(ours) == email.header.decode_header(djangos)
    raw = NoticeEmail(subject, "Body", "a@example.org", ["b@example.org"]).wire_bytes()
    # Folded, the first line holds the first encoded word, not nothing.
    assert re.search(rb"\r\nSubject: =\?utf-8\?", raw)
    assert email.message_from_bytes(raw, policy=email.policy.default)["Subject"] == subject


def test_a_plain_subject_is_djangos_and_a_line_break_is_still_refused():
    assert encoded_subject("Plain words", "utf-8") == "Plain words"
    long = "Plain words " * 10
    plain = EmailMultiAlternatives(long, "Body", "a@example.org", ["b@example.org"])
    assert encoded_subject(long, "utf-8") == plain.message()["Subject"]
    message = NoticeEmail("Line\nbreak", "Body", "a@example.org", ["b@example.org"])
    with pytest.raises(BadHeaderError):
        message.message()
    assert message.subject == "Line\nbreak"


@pytest.mark.django_db
def test_a_worker_sends_the_quick_form_to_a_real_smtp_server(invitations, smtp):
    """Through the worker's own path: what a real SMTP server holds parses, in each
    language, to the subject and reader the notice was for."""
    token, claimed = delivery.notices_claim(limit=10)
    assert delivery.notices_deliver(token, claimed) == 3
    received = smtp.parsed()
    assert sorted(m["To"].addresses[0].display_name for m in received) == sorted(
        notice.person.full_name for notice, _ in invitations
    )
    assert all(m["Subject"] and "=?" not in str(m["Subject"]) for m in received)
    assert {m["Content-Language"] for m in received} == {"en", "ar", "fr"}


@pytest.mark.django_db
def test_dovecot_reads_the_parts_and_subject_of_what_the_worker_sent(invitations, smtp, dovecot):
    """A second MIME parser, not Python's: Dovecot's own, asked for the structure and the
    envelope of each message as the SMTP server received it."""
    token, claimed = delivery.notices_claim(limit=10)
    assert delivery.notices_deliver(token, claimed) == 3
    imap = imaplib.IMAP4("127.0.0.1", dovecot.port)
    imap.login(dovecot.user, dovecot.password)
    for raw in smtp.messages:
        assert imap.append("INBOX", None, None, raw)[0] == "OK"
    imap.select("INBOX")
    structures = []
    for number in (b"1", b"2", b"3"):
        status, data = imap.fetch(number, "(BODYSTRUCTURE)")
        assert status == "OK"
        structures.append(data[0].decode())
    # Dovecot decodes the encoded words of each Subject to find it: each reader's
    # subject, in their language, matches their message alone.
    found = []
    for notice, invitation in invitations:
        imap.literal = email_for(notice, invitation).subject.encode()
        status, data = imap.search("UTF-8", "SUBJECT")
        assert status == "OK"
        found.append(data[0].split())
    imap.logout()
    for structure in structures:
        # mixed: (alternative: plain, html, calendar), then the .ics attachment.
        assert re.search(r'"text" "plain".*"text" "html".*"text" "calendar"', structure, re.I)
        assert re.search(
            r'"alternative".*"text" "calendar".*"invite\.ics".*"mixed"', structure, re.I
        )
    assert sorted(hit for hits in found for hit in hits) == [b"1", b"2", b"3"]


ADDRESSES = st.one_of(
    st.emails(),
    st.sampled_from(
        [
            "amal@example.org",
            "o'brien.sean+mwg@iom.example.int",
            '"two words"@example.org',
            "first..last@example.org",
            "reader@[127.0.0.1]",
            "=?utf-8?q?amal?=@example.org",
            "amal=?x@example.org",
            "reader@example.org.",
            "reader@-example.org",
            "a.b-c_d~e@sub-1.example.org",
        ]
    ),
)


def _rcpt_to(recipients) -> list[str]:
    """What smtplib sends as RCPT TO for each recipient it is handed."""
    return [smtplib.quoteaddr(recipient) for recipient in recipients]


def _envelope_and_bytes(message: NoticeEmail) -> tuple[list[str], bytes]:
    return message.envelope_recipients("utf-8"), message.wire_bytes()


@given(name=st.text(max_size=40), address=ADDRESSES)
def test_the_envelope_of_a_message_to_its_reader_is_what_djangos_backend_sends(name, address):
    message = NoticeEmail("Invitation", "Body", "a@example.org", reader=(name, address))
    try:
        expected = _rcpt_to(sanitize_address(a, "utf-8") for a in message.recipients())
    except (ValueError, HeaderParseError):
        # Django refuses the reader (a line break in the name): so is the message, as
        # its envelope or its To line is written.
        with pytest.raises((ValueError, BadHeaderError, HeaderParseError)):
            _envelope_and_bytes(message)
        return
    assert _rcpt_to(message.envelope_recipients("utf-8")) == expected


def test_the_readers_address_is_not_parsed_back_out_of_the_to_line():
    message = NoticeEmail("Invitation", "Body", "a@example.org", reader=("أمل", "amal@example.org"))
    assert message.to == ["=?utf-8?b?2KPZhdmE?= <amal@example.org>"]
    parse = email._header_value_parser.get_mailbox
    with mock.patch.object(email._header_value_parser, "get_mailbox", side_effect=parse) as parsed:
        assert message.envelope_recipients("utf-8") == ["amal@example.org"]
        assert parsed.call_count == 0
        # Once it is not the reader's alone, every recipient is Django's to write.
        message.cc = ["Hana <hana@example.org>"]
        assert _rcpt_to(message.envelope_recipients("utf-8")) == [
            "<amal@example.org>",
            "<hana@example.org>",
        ]
        assert parsed.call_count == 2
        message.cc, message.to = [], ["Salem <salem@example.org>"]
        assert message.envelope_recipients("utf-8") == ["Salem <salem@example.org>"]


@given(subtype=st.from_regex(r"[a-z][a-z0-9.+-]{0,70}", fullmatch=True))
def test_a_multiparts_headers_are_folded_as_compat32_folds_them(subtype):
    headers, _body = mime._multipart(subtype, [(b"Content-Type: text/plain\r\n", b"x")])
    (mark,) = _boundaries(headers.replace(b"\r\n ", b" "))
    content_type = f'multipart/{subtype}; boundary="{mark.decode()}"'
    assert len(mark) == len(mime.boundary())
    assert headers == b"".join(
        compat32.clone(linesep="\r\n").fold_binary(name, value)
        for name, value in (("Content-Type", content_type), ("MIME-Version", "1.0"))
    )
