"""What a written procedure's notices say, read back from the bytes sent: the mail in
each recipient's language, the links to answer only for those who may answer for an
organisation asked, the outcome with the objections, and the webhook body."""

import email
import json
import re
from email import policy
from urllib.parse import urlsplit

import jsonschema
import pytest
from django.core import mail
from django.test import override_settings

from decisions.models import ProcedureAnswer
from decisions.services import procedure_answer, procedure_close
from members.models import Person
from notices.content import webhook_body
from notices.models import Notice
from notices.services import webhook_endpoint_register
from tests.api.schema import openapi
from tests.decisions.procedures import circulated, make_due

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+/procedures/answer/[^\s\"<>/]+/")


@pytest.fixture
def languages(cast):
    Person.objects.filter(pk=cast.member_person.pk).update(preferred_language="ar")
    Person.objects.filter(pk=cast.member_colleague.pk).update(preferred_language="fr")
    Person.objects.filter(pk=cast.observer_person.pk).update(preferred_language="en")


def _parsed() -> dict[str, email.message.EmailMessage]:
    """Each message sent, parsed from its bytes, by recipient address."""
    messages = {}
    for sent in mail.outbox:
        parsed = email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)
        address = parsed["To"].addresses[0].addr_spec
        messages[address] = parsed
    return messages


def _bodies(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def _circulate(cast, capture, **extra):
    with capture(execute=True):
        return circulated(cast, **extra)


def test_the_circulated_mail_carries_links_only_for_organisations_asked(
    cast, languages, django_capture_on_commit_callbacks
):
    procedure = _circulate(cast, django_capture_on_commit_callbacks)

    sent = _parsed()
    assert set(sent) == {
        "chair@example.org",
        "cochair@example.org",
        "member@example.org",
        "karim@example.org",
        "observer@example.org",
    }
    for address, message in sent.items():
        text, html = _bodies(message)
        assert procedure.reference in message["Subject"]
        assert message["X-Tansiq-Notice"]
        links_in_text, links_in_html = LINK.findall(text), LINK.findall(html)
        if address == "observer@example.org":
            assert links_in_text == links_in_html == []
            assert "observers are not asked to answer" in text
        else:
            # One agree and one object link, in both parts.
            assert len(links_in_text) == 2
            assert sorted(links_in_html) == sorted(links_in_text)


def test_the_mail_is_in_each_recipients_language(
    cast, languages, django_capture_on_commit_callbacks
):
    procedure = _circulate(cast, django_capture_on_commit_callbacks)

    sent = _parsed()
    arabic, french, english = (
        sent["member@example.org"],
        sent["karim@example.org"],
        sent["observer@example.org"],
    )
    assert arabic["Content-Language"] == "ar"
    assert french["Content-Language"] == "fr"
    assert english["Content-Language"] == "en"
    arabic_text, arabic_html = _bodies(arabic)
    assert procedure.text_ar in arabic_text
    assert 'dir="rtl"' in arabic_html
    assert procedure.text_fr in _bodies(french)[0]
    assert procedure.text in _bodies(english)[0]


def test_a_link_in_the_mail_opens_its_confirmation_page(
    cast, client, languages, django_capture_on_commit_callbacks
):
    procedure = _circulate(cast, django_capture_on_commit_callbacks)
    text, _html = _bodies(_parsed()["member@example.org"])
    agree = LINK.findall(text)[0]

    response = client.get(urlsplit(agree).path)

    assert response.status_code == 200
    assert procedure.answers.get(organisation=cast.moh).answer == "pending"


def test_the_outcome_lists_the_objections_with_their_reasons(
    cast, languages, django_capture_on_commit_callbacks
):
    procedure = circulated(cast)
    procedure_answer(
        procedure=procedure,
        organisation=cast.moh,
        answer=ProcedureAnswer.Answer.OBJECT,
        reason="The budget is not agreed",
        channel="page",
        by=cast.member,
    )
    make_due(procedure)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert procedure_close(procedure_id=procedure.pk)

    outcome = list(_parsed().values())
    assert len(outcome) == 5
    # Each in its reader's language (the member reads Arabic, a colleague French).
    subjects = {m["To"].addresses[0].addr_spec: m["Subject"] for m in outcome}
    assert "Not adopted" in subjects["observer@example.org"]
    assert "Not adopted" not in subjects["member@example.org"]
    for message in outcome:
        text, html = _bodies(message)
        assert procedure.reference in message["Subject"]
        assert "The budget is not agreed" in text
        assert "The budget is not agreed" in html
        assert LINK.findall(text) == []
    english, _html = _bodies(_parsed()["observer@example.org"])
    assert "Ministry of Health: The budget is not agreed" in english


def test_the_adopted_outcome_links_to_the_decision(cast, django_capture_on_commit_callbacks):
    procedure = make_due(circulated(cast))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        procedure_close(procedure_id=procedure.pk)

    procedure.refresh_from_db()
    message = _parsed()["observer@example.org"]
    text, _html = _bodies(message)
    assert str(message["Subject"]).startswith(procedure.reference)
    assert "Adopted by written procedure" in message["Subject"]
    assert f"/decisions/{procedure.decision_id}/" in text


def test_a_restricted_procedure_is_not_told_to_others(cast, django_capture_on_commit_callbacks):
    _circulate(
        cast,
        django_capture_on_commit_callbacks,
        confidentiality="restricted",
        restricted_to=[cast.moh],
    )

    assert "observer@example.org" not in _parsed()
    assert "member@example.org" in _parsed()


def test_the_webhook_body_carries_reference_status_deadline_and_outcome(cast):
    with override_settings(WEBHOOK_ALLOW_INSECURE=True):
        webhook_endpoint_register(
            organisation=cast.moh, url="https://hooks.moh.example.org/tansiq", by=None
        )
    procedure = make_due(circulated(cast))
    procedure_close(procedure_id=procedure.pk)

    circulated_call = Notice.objects.get(kind="procedure", channel="webhook")
    outcome_call = Notice.objects.get(kind="procedure_outcome", channel="webhook")
    first = json.loads(webhook_body(circulated_call))
    last = json.loads(webhook_body(outcome_call))

    assert first["event"] == "written_procedure.circulated"
    assert first["data"]["written_procedure"]["reference"] == procedure.reference
    assert first["data"]["written_procedure"]["status"] == "open"
    assert first["data"]["written_procedure"]["deadline"].endswith("Z")
    assert last["event"] == "written_procedure.closed"
    assert last["data"]["written_procedure"]["status"] == "adopted"
    assert last["data"]["written_procedure"]["decision"]["reference"] == procedure.reference
    for body in (first, last):
        schema = openapi()["webhooks"][body["event"]]["post"]["requestBody"]["content"]
        jsonschema.validate(
            body, {**schema["application/json"]["schema"], "components": openapi()["components"]}
        )
