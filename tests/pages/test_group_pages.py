import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Membership, Representative
from meetings.models import ActionPoint
from meetings.services import invitations_create_for_group, meeting_create
from tests.conftest import PERSONAS
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db


def test_tree_shows_only_visible_groups_nested(client, cast):
    login(client, cast, "member")
    page = client.get(reverse("group-list")).content.decode()
    assert "Migration Working Group" in page
    assert "Health" in page
    assert "Economic Working Group" not in page
    login(client, cast, "secretariat")
    page = client.get(reverse("group-list")).content.decode()
    page = page[page.index('class="tree"') :]
    assert page.index("Coordination Framework") < page.index("Migration Working Group")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", 200),
        ("secretariat", 200),
        ("chair", 200),
        ("cochair", 200),
        ("member", 200),
        ("observer", 200),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_group_page_visibility(client, cast, persona, expected):
    response = login(client, cast, persona).get(reverse("group-detail", args=[cast.mwg.pk]))
    assert response.status_code == expected


def test_group_page_shows_chairs_members_and_representatives(client, cast, held):
    login(client, cast, "member")
    page = client.get(reverse("group-detail", args=[cast.mwg.pk])).content.decode()
    assert "Jaalal Alashi" in page
    assert "Othman Belbeisi" in page
    assert "Amina Health" in page
    assert "Karim Alternate" in page
    assert reverse("membership-create", args=[cast.mwg.pk]) not in page
    page = client.get(reverse("group-detail", args=[cast.health.pk])).content.decode()
    assert "Draft the referral pathway" in page
    assert held.title in page


def test_chair_adds_a_member_and_a_representative(client, cast):
    login(client, cast, "chair")
    response = client.post(
        reverse("membership-create", args=[cast.health.pk]),
        {"organisation": cast.iom.pk, "role": "member", "start_on": "", "form_token": "m1"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(group=cast.health, organisation=cast.iom)
    client.post(
        reverse("representative-add", args=[membership.pk]),
        {"person": cast.cochair_person.pk, "kind": "principal", "form_token": "r1"},
    )
    assert Representative.objects.filter(membership=membership, person=cast.cochair_person).exists()


def test_membership_errors_keep_the_input(client, cast):
    login(client, cast, "secretariat")
    response = client.post(
        reverse("membership-create", args=[cast.mwg.pk]),
        {"organisation": cast.moh.pk, "role": "member", "form_token": "m2"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "already a member" in page
    assert f'<option value="{cast.moh.pk}" selected>' in page


@pytest.mark.parametrize(
    "persona", [p for p in PERSONAS if p not in {"admin", "secretariat", "chair", "cochair"}]
)
def test_others_cannot_manage_memberships(client, cast, persona):
    login(client, cast, persona)
    before = Membership.objects.filter(group=cast.mwg).count()
    response = client.post(
        reverse("membership-create", args=[cast.mwg.pk]),
        {"organisation": cast.elsewhere.pk, "role": "member"},
    )
    assert response.status_code == (404 if persona == "outsider" else 403)
    membership = Membership.objects.get(group=cast.mwg, organisation=cast.moh)
    assert client.post(reverse("membership-end", args=[membership.pk])).status_code in {403, 404}
    assert Membership.objects.filter(group=cast.mwg).count() == before
    assert Membership.objects.get(pk=membership.pk).end_on is None


def test_ending_a_membership(client, cast):
    login(client, cast, "secretariat")
    membership = Membership.objects.get(group=cast.health, organisation=cast.moh)
    client.post(reverse("membership-end", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.end_on is not None


def test_group_page_queries_are_bounded(client, cast, held, django_assert_max_num_queries):
    login(client, cast, "secretariat")
    with django_assert_max_num_queries(15):
        assert client.get(reverse("group-detail", args=[cast.mwg.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("group-list")).status_code == 200


def _meetings_and_action_points(cast, held, number: int) -> None:
    """`number` more meetings of the health sub-group with their invitations, and as
    many open action points, so the group page's panels are full and more than full."""
    for index in range(number):
        start = timezone.now() + dt.timedelta(days=index + 1)
        meeting = meeting_create(
            group=cast.health,
            title=f"Meeting {index}",
            start_at=start,
            end_at=start + dt.timedelta(hours=1),
            by=cast.secretariat,
        )
        invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    ActionPoint.objects.bulk_create(
        ActionPoint(
            meeting=held,
            title=f"Action {index}",
            owner_organisation=cast.moh,
            due_on=timezone.localdate() + dt.timedelta(days=index),
        )
        for index in range(number * 2)
    )


@pytest.mark.parametrize(("persona", "most"), [("secretariat", 15), ("member", 16)])
def test_group_page_queries_do_not_grow_with_meetings_and_action_points(
    client, cast, held, persona, most, django_assert_max_num_queries
):
    _meetings_and_action_points(cast, held, 12)
    login(client, cast, persona)

    with django_assert_max_num_queries(most):
        response = client.get(reverse("group-detail", args=[cast.mwg.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    # The panels stay bounded: the ten latest meetings, the twenty first action points.
    meetings = page.split('id="meetings-heading"')[1].split("</section>")[0]
    actions = page.split('id="open-actions-heading"')[1].split("</section>")[0]
    assert meetings.count("<li>") == 10
    assert "Meeting 11<" in meetings
    assert "Meeting 1<" not in meetings
    assert actions.count("<tr><td>") == 20


def test_open_action_points_past_their_due_date_are_marked_overdue(client, cast, held):
    ActionPoint.objects.filter(meeting=held).delete()
    today = timezone.localdate()
    for title, due_on in (("Late report", today - dt.timedelta(days=1)), ("Due today", today)):
        ActionPoint.objects.create(
            meeting=held, title=title, owner_organisation=cast.moh, due_on=due_on
        )
    login(client, cast, "member")

    group_page = client.get(reverse("group-detail", args=[cast.mwg.pk])).content.decode()
    meeting_page = client.get(reverse("meeting-detail", args=[held.pk])).content.decode()

    for page, heading in ((group_page, "open-actions-heading"), (meeting_page, None)):
        rows = page.split(f'id="{heading}"')[1] if heading else page
        late = rows.split("Late report")[1].split("</tr>")[0]
        on_time = rows.split("Due today")[1].split("</tr>")[0]
        assert 'class="badge overdue"' in late
        assert "overdue" not in on_time
