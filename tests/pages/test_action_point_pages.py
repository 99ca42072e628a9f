import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.services import person_deactivate
from meetings.models import ActionPoint
from meetings.services import action_point_create
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db


def test_member_marks_their_organisations_action_point_done(client, cast, held):
    action_point = held.action_points.get()
    login(client, cast, "member")
    page = client.get(reverse("action-point-list")).content.decode()
    assert reverse("action-point-done", args=[action_point.pk]) in page
    client.post(reverse("action-point-done", args=[action_point.pk]))
    action_point.refresh_from_db()
    assert action_point.status == ActionPoint.Status.DONE


def test_member_reports_progress(client, cast, held):
    action_point = held.action_points.get()
    login(client, cast, "member")
    response = client.post(
        reverse("action-point-detail", args=[action_point.pk]),
        {"part": "report", "status": "open", "progress": "Draft shared with WHO."},
    )
    assert response.status_code == 302
    action_point.refresh_from_db()
    assert action_point.progress == "Draft shared with WHO."


def test_member_cannot_edit_what_who_and_when(client, cast, held):
    action_point = held.action_points.get()
    login(client, cast, "member")
    page = client.get(reverse("action-point-detail", args=[action_point.pk])).content.decode()
    assert 'name="part" value="edit"' not in page
    response = client.post(
        reverse("action-point-detail", args=[action_point.pk]),
        {
            "part": "edit",
            "title": "Changed",
            "owner_organisation": cast.iom.pk,
            "due_on": "2031-01-01",
        },
    )
    assert response.status_code == 403
    action_point.refresh_from_db()
    assert action_point.title == "Draft the referral pathway"


@pytest.mark.parametrize(("persona", "expected"), [("observer", 404), ("outsider", 404)])
def test_others_cannot_report(client, cast, held, persona, expected):
    action_point = held.action_points.get()
    login(client, cast, persona)
    assert client.post(reverse("action-point-done", args=[action_point.pk])).status_code == expected
    action_point.refresh_from_db()
    assert action_point.status == ActionPoint.Status.OPEN


def test_chair_edits_the_action_point(client, cast, held):
    action_point = held.action_points.get()
    login(client, cast, "chair")
    response = client.post(
        reverse("action-point-detail", args=[action_point.pk]),
        {
            "part": "edit",
            "title": "Draft and validate the pathway",
            "owner_organisation": cast.moh.pk,
            "owner_person": "",
            "due_on": "2031-02-01",
            "description": "",
        },
    )
    assert response.status_code == 302
    action_point.refresh_from_db()
    assert action_point.title == "Draft and validate the pathway"
    assert action_point.due_on == dt.date(2031, 2, 1)


def test_filters(client, cast, held):
    action_point_create(
        meeting=held,
        title="Later task",
        owner_organisation=cast.iom,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        by=cast.secretariat,
    )
    login(client, cast, "secretariat")
    url = reverse("action-point-list")
    assert len(client.get(url).context["page"]) == 2
    assert len(client.get(url, {"overdue": "on"}).context["page"]) == 1
    assert len(client.get(url, {"owner": "IOM"}).context["page"]) == 1
    assert len(client.get(url, {"owner": cast.iom.name.split()[-1].lower()}).context["page"]) == 1
    assert len(client.get(url, {"owner": str(cast.iom)}).context["page"]) == 1
    assert len(client.get(url, {"owner": f"{cast.iom.name} (MoH)"}).context["page"]) == 0
    assert len(client.get(url, {"owner": "no such organisation"}).context["page"]) == 0
    assert len(client.get(url, {"group": cast.border.pk}).context["page"]) == 0
    assert len(client.get(url, {"status": "done"}).context["page"]) == 0


def test_list_queries_do_not_grow_with_data(client, cast, held, django_assert_max_num_queries):
    for number in range(40):
        action_point_create(
            meeting=held,
            title=f"Task {number}",
            owner_organisation=cast.moh,
            owner_person=cast.member_person,
            due_on=timezone.localdate(),
            by=cast.secretariat,
        )
    for persona in ("secretariat", "member"):
        login(client, cast, persona)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("action-point-list"))
        assert len(response.context["page"].object_list) == 25


def test_csv_export_follows_the_filters(client, cast, held):
    login(client, cast, "member")
    response = client.get(reverse("action-point-csv"), {"overdue": "on"})
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("Action,Group,Meeting")
    assert "Draft the referral pathway" in text
    login(client, cast, "outsider")
    text = client.get(reverse("action-point-csv")).content.decode("utf-8-sig")
    assert "Draft the referral pathway" not in text


def test_forms_offer_only_the_organisations_and_people_the_user_may_see(client, cast, held):
    person_deactivate(person=cast.member_colleague, by=None)
    client.force_login(cast.chair)

    form = client.get(reverse("action-point-create", args=[held.pk])).context["form"]

    organisations = set(form.fields["owner_organisation"].queryset)
    people = set(form.fields["owner_person"].queryset)
    assert cast.moh in organisations
    assert cast.elsewhere not in organisations  # sits in no group the chair sees
    assert cast.member_person in people
    assert cast.outsider_person not in people
    assert cast.member_colleague not in people  # deactivated


def test_the_owner_filter_is_typed_not_a_list_of_every_organisation(client, cast, held):
    login(client, cast, "secretariat")

    page = client.get(reverse("action-point-list")).content.decode()

    assert 'name="owner"' in page
    # An organisation of the directory that owns nothing is not rendered into the page.
    assert cast.elsewhere.name not in page
