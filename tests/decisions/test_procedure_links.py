"""The signed links in a written procedure's mail and the procedure's pages: a GET
changes nothing (mail scanners open links), a POST records the answer through the
link; altered, expired and late links get a clear page, never a 500. The managers'
pages circulate only after the preview is confirmed."""

import re
import time

import pytest
from django.core import signing
from django.urls import reverse

from decisions.links import answer_token
from decisions.models import WrittenProcedure
from notices.models import Notice
from tests.decisions.procedures import circulated, draft, make_due

pytestmark = pytest.mark.django_db


def _link(procedure, organisation, person, answer="agree") -> str:
    token = answer_token(
        procedure_id=procedure.pk,
        organisation_id=organisation.pk,
        person_id=person.pk,
        answer=answer,
    )
    return reverse("decisions:procedure-link", args=[token])


def test_opening_a_link_changes_nothing(cast, client):
    procedure = circulated(cast)

    response = client.get(_link(procedure, cast.moh, cast.member_colleague))

    assert response.status_code == 200
    assert b"confirm the answer" in response.content
    row = procedure.answers.get(organisation=cast.moh)
    assert row.answer == "pending"
    assert row.history.count() == 1


def test_confirming_a_link_records_the_answer(cast, client):
    procedure = circulated(cast)

    response = client.post(_link(procedure, cast.moh, cast.member_colleague), {"reason": ""})

    assert response.status_code == 200
    row = procedure.answers.get(organisation=cast.moh)
    assert (row.answer, row.channel, row.answered_by_person) == (
        "agree",
        "link",
        cast.member_colleague,
    )
    assert row.answered_by is None


def test_a_link_opened_again_says_the_answer_already_recorded(cast, client):
    procedure = circulated(cast)
    link = _link(procedure, cast.moh, cast.member_colleague)
    assert b"has answered already" not in client.get(link).content
    client.post(link, {"reason": ""})

    page = client.get(_link(procedure, cast.moh, cast.member_colleague, "object")).content

    assert b'id="link-answered"' in page
    assert b"has answered already: Agrees" in page
    assert procedure.answers.get(organisation=cast.moh).answer == "agree"


def test_an_objection_through_a_link_needs_its_reason(cast, client):
    procedure = circulated(cast)
    url = _link(procedure, cast.moh, cast.member_person, answer="object")

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert procedure.answers.get(organisation=cast.moh).answer == "pending"

    client.post(url, {"reason": "Costs"})
    row = procedure.answers.get(organisation=cast.moh)
    assert (row.answer, row.reason, row.answered_by) == ("object", "Costs", cast.member)


def test_an_altered_link_is_refused(cast, client):
    procedure = circulated(cast)
    url = _link(procedure, cast.moh, cast.member_person)
    tampered = url.replace("/answer/", "/answer/x")

    for method in (client.get, client.post):
        assert method(tampered).status_code == 400
    assert procedure.answers.get(organisation=cast.moh).answer == "pending"


def test_an_expired_link_is_refused(cast, client, settings, monkeypatch):
    procedure = circulated(cast)
    settings.NOTICE_LINK_MAX_AGE_DAYS = 1
    three_days_ago = time.time() - 3 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: three_days_ago)
    expired = _link(procedure, cast.moh, cast.member_person)
    monkeypatch.undo()

    assert client.get(expired).status_code == 410
    assert client.post(expired).status_code == 410
    assert procedure.answers.get(organisation=cast.moh).answer == "pending"


def test_a_link_after_the_deadline_is_refused(cast, client):
    procedure = make_due(circulated(cast))

    response = client.post(_link(procedure, cast.moh, cast.member_person))

    assert response.status_code == 410
    assert procedure.answers.get(organisation=cast.moh).answer == "pending"


def test_a_link_for_an_organisation_the_person_does_not_represent_is_refused(cast, client):
    procedure = circulated(cast)

    response = client.post(_link(procedure, cast.moh, cast.observer_person))

    assert response.status_code == 400
    assert procedure.answers.get(organisation=cast.moh).answer == "pending"


def test_the_circulate_preview_sends_nothing_until_confirmed(cast, client):
    procedure = draft(cast)
    client.force_login(cast.secretariat)
    url = reverse("decisions:procedure-circulate", args=[procedure.pk])

    preview = client.get(url)

    assert preview.status_code == 200
    content = preview.content.decode()
    assert "Ministry of Health" in content
    assert "Embassy of Italy" in content
    # The seat is the organisation's, not each person's: "<organisation> (chair) — people".
    assert re.search(r"Ministry of Foreign Affairs.{0,40}</bdi> \(Chair\) — <bdi>", content)
    assert not Notice.objects.exists()
    assert WrittenProcedure.objects.get(pk=procedure.pk).status == "draft"

    client.post(url)

    assert WrittenProcedure.objects.get(pk=procedure.pk).status == "open"
    assert Notice.objects.filter(kind="procedure").exists()


def test_a_member_answers_on_the_page_and_an_observer_gets_no_form(cast, client):
    procedure = circulated(cast)
    url = reverse("decisions:procedure-detail", args=[procedure.pk])

    client.force_login(cast.observer)
    observed = client.get(url)
    assert observed.status_code == 200
    assert b'name="answer"' not in observed.content
    assert b'id="not-asked"' in observed.content
    refused = client.post(url, {"organisation": cast.moh.pk, "answer": "agree"})
    assert refused.status_code == 302
    assert procedure.answers.get(organisation=cast.moh).answer == "pending"

    client.force_login(cast.member)
    page = client.get(url)
    assert b'name="answer"' in page.content
    assert b'id="not-asked"' not in page.content
    client.post(url, {"organisation": cast.moh.pk, "answer": "agree", "reason": ""})
    row = procedure.answers.get(organisation=cast.moh)
    assert (row.answer, row.channel, row.answered_by) == ("agree", "page", cast.member)


@pytest.mark.parametrize("persona", ["member", "observer", "outsider"])
def test_only_managers_reach_the_managers_pages(cast, client, persona):
    procedure = draft(cast)
    client.force_login(cast.user(persona))

    for name in ("procedure-edit", "procedure-circulate", "procedure-withdraw"):
        response = client.post(reverse(f"decisions:{name}", args=[procedure.pk]))
        assert response.status_code == 404
    assert WrittenProcedure.objects.get(pk=procedure.pk).status == "draft"
    assert not Notice.objects.exists()
