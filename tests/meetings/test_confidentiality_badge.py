"""The confidentiality badge, written by its tag, is the markup its included template
wrote (the template below, as it was, but for the line break its file ended with, which
every badge used to leave after it), for every kind of badge and in every language."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from groups.models import Confidentiality
from meetings.templatetags.confidentiality import KINDS, WORDS
from portal.pages import local_name
from tests.factories import MeetingFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

THE_TEMPLATE_IT_REPLACES = (
    '{% load i18n %}{% if edit_url %}<a class="badge label-{{ value }}" href="{{ edit_url }}" '
    'title="{{ title }}">{{ word }}{% if named %}: <bdi>{{ named|join:", " }}</bdi>{% endif %}'
    '<span class="visually-hidden"> — {% translate "change who may see it" %}</span></a>'
    '{% else %}<span class="badge label-{{ value }}" title="{{ title }}">{{ word }}'
    '{% if named %}: <bdi>{{ named|join:", " }}</bdi>{% endif %}</span>{% endif %}'
)
TAG = Template(
    "{% load confidentiality %}{% confidentiality_badge record kind can_manage organisations %}"
)


def _as_the_template_wrote_it(record, kind, can_manage, organisations):
    named = (
        [o.acronym or local_name(o) for o in record.restricted_to.all()]
        if organisations and record.confidentiality == Confidentiality.RESTRICTED
        else []
    )
    edit_url = (
        reverse("confidentiality-edit", args=[kind, record.pk])
        if can_manage and kind in KINDS and record.pk
        else ""
    )
    return Template(THE_TEMPLATE_IT_REPLACES).render(
        Context(
            {
                "value": record.confidentiality,
                "word": WORDS[record.confidentiality],
                "title": Confidentiality(record.confidentiality).label,
                "named": named,
                "edit_url": edit_url,
            }
        )
    )


@pytest.mark.parametrize("language", ["en", "ar", "fr"])
@pytest.mark.parametrize("confidentiality", list(Confidentiality.values))
@pytest.mark.parametrize(
    ("kind", "can_manage", "organisations"),
    [("", False, False), ("meeting", True, True), ("meeting", False, True), ("other", True, False)],
)
def test_the_badge_is_the_markup_of_the_template_it_replaces(
    cast, language, confidentiality, kind, can_manage, organisations
):
    meeting = MeetingFactory(group=cast.mwg, confidentiality=confidentiality)
    meeting.restricted_to.set(
        [
            OrganisationFactory(name="Ministry <of> Health & Care", acronym=""),
            OrganisationFactory(name="Ministry of Labour", name_ar="وزارة العمل", acronym=""),
            OrganisationFactory(acronym='"IOM"'),
        ]
    )
    context = {
        "record": meeting,
        "kind": kind,
        "can_manage": can_manage,
        "organisations": organisations,
    }

    with translation.override(language):
        written = TAG.render(Context(context))
        expected = _as_the_template_wrote_it(meeting, kind, can_manage, organisations)

    assert written == expected
    if can_manage and kind == "meeting":
        assert f'href="/meetings/confidentiality/meeting/{meeting.pk}/"' in written
    if organisations and confidentiality == Confidentiality.RESTRICTED:
        labour = "وزارة العمل" if language == "ar" else "Ministry of Labour"
        assert "Ministry &lt;of&gt; Health &amp; Care" in written
        assert labour in written
        assert "&quot;IOM&quot;" in written
