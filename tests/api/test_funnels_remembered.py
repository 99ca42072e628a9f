"""Every remembered funnel (members.permissions.remembered_per_reader) finds, for every
persona, the rows the funnel itself builds, first asked and asked again."""

import pytest
from django.contrib.auth.models import User

from decisions.permissions import procedures_visible_to
from documents.permissions import document_versions_visible_to, documents_visible_to
from groups.permissions import organisations_visible_to, people_visible_to
from meetings.permissions import (
    action_points_visible_to,
    agenda_items_visible_to,
    attendance_visible_to,
    decisions_visible_to,
    invitations_visible_to,
    meetings_visible_to,
    minutes_comments_visible_to,
    minutes_visible_to,
    report_backs_visible_to,
    series_visible_to,
)

pytestmark = pytest.mark.django_db

REMEMBERED = [
    meetings_visible_to,
    minutes_visible_to,
    invitations_visible_to,
    action_points_visible_to,
    agenda_items_visible_to,
    attendance_visible_to,
    decisions_visible_to,
    series_visible_to,
    report_backs_visible_to,
    minutes_comments_visible_to,
    documents_visible_to,
    document_versions_visible_to,
    organisations_visible_to,
    people_visible_to,
    procedures_visible_to,
]


@pytest.fixture(autouse=True)
def _nothing_remembered():
    """Each test starts with no funnel kept, so its first ask builds one."""
    for funnel in REMEMBERED:
        funnel.forget()


def _request_user(user) -> User:
    """The user as a new request reads them: no grants or auth groups read yet."""
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("persona", ["member", "observer", "chair", "outsider", "secretariat"])
@pytest.mark.parametrize("funnel", REMEMBERED, ids=lambda funnel: funnel.__name__)
def test_a_remembered_funnel_finds_what_the_funnel_itself_finds(cast, world, persona, funnel):
    user = cast.user(persona)
    built = set(funnel.__wrapped__(_request_user(user)).values_list("pk", flat=True))

    first = set(funnel(_request_user(user)).values_list("pk", flat=True))
    again = set(funnel(_request_user(user)).values_list("pk", flat=True))

    assert first == again == built


def test_the_member_sees_some_but_not_all_of_what_the_secretariat_sees(cast, world):
    for funnel in (meetings_visible_to, organisations_visible_to, people_visible_to):
        member = set(funnel(_request_user(cast.member)))
        everything = set(funnel(_request_user(cast.secretariat)))
        assert member, funnel.__name__
        assert member < everything, funnel.__name__
