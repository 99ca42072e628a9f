"""A group's terms of reference: data a sub-group inherits, shown on the group's page,
edited by those who manage the group (page, API and admin through group_update)."""

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from groups.models import CoordinationGroup
from groups.selectors import terms_of_reference, terms_of_reference_for
from groups.services import group_update
from tests.api.conftest import SchemaCheckedClient, fingerprint
from tests.pages.conftest import login

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
ENDORSED = dt.date(2017, 7, 18)
MWG_TERMS = {
    "reference_code": "MWG",
    "mandate": "To coordinate strategy and policies on migration.",
    "mandate_ar": "تنسيق الاستراتيجيات والسياسات في مجال الهجرة.",
    "endorsed_by": "Senior Policy Committee",
    "endorsed_on": ENDORSED,
    "notice_period_days": 14,
    "quorum_rule": "share",
    "quorum_value": 50,
    "usual_duration_minutes": 120,
    "usual_venue": "Ministry of Planning, Tripoli",
    "rhythm": "monthly",
}
TERMS_COLUMNS = [*MWG_TERMS, "mandate_fr", "reminder_days"]


def _terms_row(group: CoordinationGroup) -> dict:
    return CoordinationGroup.objects.values(*TERMS_COLUMNS).get(pk=group.pk)


@pytest.fixture
def mwg_terms(cast):
    return group_update(group=cast.mwg, by=cast.secretariat, **MWG_TERMS)


@pytest.fixture
def api(cast):
    def make(persona: str) -> SchemaCheckedClient:
        client = SchemaCheckedClient()
        if persona != "anonymous":
            client.force_authenticate(user=cast.user(persona))
        return client

    return make


# --- Inheritance --------------------------------------------------------------------


def test_a_sub_group_inherits_the_notice_period_and_quorum_it_leaves_empty(cast, mwg_terms):
    terms = terms_of_reference(cast.health)

    assert terms.notice_period_days == 14
    assert (terms.quorum_rule, terms.quorum_value) == ("share", 50)
    assert terms.usual_venue == "Ministry of Planning, Tripoli"
    assert terms.inherited_from["notice_period_days"] == cast.mwg
    assert terms.inherited_from["quorum_rule"] == cast.mwg
    assert terms_of_reference(cast.mwg).inherited_from == {}


def test_a_sub_groups_own_value_overrides_the_inherited_one(cast, mwg_terms):
    group_update(
        group=cast.health,
        notice_period_days=7,
        quorum_rule="count",
        quorum_value=3,
        by=cast.secretariat,
    )

    terms = terms_of_reference(CoordinationGroup.objects.get(pk=cast.health.pk))

    assert terms.notice_period_days == 7
    assert (terms.quorum_rule, terms.quorum_value) == ("count", 3)
    assert "notice_period_days" not in terms.inherited_from
    assert "quorum_rule" not in terms.inherited_from
    assert terms.inherited_from["rhythm"] == cast.mwg
    assert terms.quorum_needed(10) == 3


def test_a_rule_set_two_levels_up_reaches_the_sub_group(cast):
    group_update(group=cast.framework, rhythm="quarterly", by=cast.secretariat)

    terms = terms_of_reference(cast.health)

    assert terms.rhythm == "quarterly"
    assert terms.inherited_from["rhythm"] == cast.framework


def test_the_terms_of_many_groups_take_one_query(cast, mwg_terms, django_assert_num_queries):
    groups = list(CoordinationGroup.objects.all())

    with django_assert_num_queries(1):
        terms = terms_of_reference_for(groups)

    assert terms[cast.border.pk].notice_period_days == 14
    assert terms[cast.other_wg.pk].notice_period_days is None


# --- The service's checks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quorum_rule": "share", "quorum_value": 150}, "quorum_value"),
        ({"quorum_rule": "share", "quorum_value": None}, "quorum_value"),
        ({"quorum_rule": "count", "quorum_value": 0}, "quorum_value"),
        ({"quorum_rule": "", "quorum_value": 5}, "quorum_rule"),
        ({"notice_period_days": 400}, "notice_period_days"),
        ({"usual_duration_minutes": 0}, "usual_duration_minutes"),
        ({"reference_code": "mwg 1"}, "reference_code"),
    ],
)
def test_terms_that_do_not_hold_together_are_refused_naming_the_field(cast, changes, field):
    before = _terms_row(cast.health)

    with pytest.raises(ValidationError) as refused:
        group_update(group=cast.health, by=cast.secretariat, **changes)

    assert list(refused.value.message_dict) == [field]
    assert _terms_row(cast.health) == before


def test_a_reference_code_is_one_groups(cast, mwg_terms):
    with pytest.raises(ValidationError) as refused:
        group_update(group=cast.other_wg, reference_code="MWG", by=cast.secretariat)

    assert refused.value.message_dict == {
        "reference_code": ["Another group already uses this reference code."]
    }


# --- The group's page -----------------------------------------------------------------


def test_the_group_page_shows_the_terms_in_words(client, cast, mwg_terms):
    login(client, cast, "member")

    page = client.get(reverse("group-detail", args=[cast.mwg.pk])).content.decode()

    assert "Terms of reference" in page
    assert "To coordinate strategy and policies on migration." in page
    assert "Endorsed by the Senior Policy Committee on 18 July 2017." in page
    assert "At least 14 days before the meeting." in page
    # MoFA, IOM and MoH count; the embassy observes.
    assert "Half of the member organisations (50%); observers do not count." in page
    assert "Today that is 2 of its 3 member organisations." in page
    assert "120 minutes" in page
    assert "Ministry of Planning, Tripoli" in page
    assert "Monthly" in page
    assert "7, 1" in page
    assert "(from" not in page
    assert reverse("group-terms-edit", args=[cast.mwg.pk]) not in page


def test_the_sub_groups_page_says_which_group_each_inherited_rule_comes_from(
    client, cast, mwg_terms
):
    group_update(group=cast.health, quorum_rule="count", quorum_value=5, by=cast.secretariat)
    login(client, cast, "member")

    page = client.get(reverse("group-detail", args=[cast.health.pk])).content.decode()

    source = f'from <a href="{reverse("group-detail", args=[cast.mwg.pk])}">'
    source += "<bdi>Migration Working Group</bdi></a>"
    assert page.count(source) == 6  # mandate, endorsement, notice, length, place, rhythm
    assert "5 member organisations; observers do not count." in page
    assert "At least 14 days before the meeting." in page


@pytest.mark.parametrize(
    ("language", "mandate", "lang", "direction"),
    [
        ("ar", "تنسيق الاستراتيجيات والسياسات في مجال الهجرة.", "ar", "rtl"),
        ("fr", "To coordinate strategy and policies on migration.", "en", "ltr"),
        ("en", "To coordinate strategy and policies on migration.", "en", "ltr"),
    ],
)
def test_the_mandate_is_shown_in_the_readers_language_or_else_in_english(
    client, cast, mwg_terms, language, mandate, lang, direction
):
    login(client, cast, "member")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = client.get(reverse("group-detail", args=[cast.mwg.pk])).content.decode()

    assert f'<div class="mandate" lang="{lang}" dir="{direction}"><p>{mandate}</p></div>' in page


def test_the_group_page_queries_stay_bounded_with_terms(
    client, cast, mwg_terms, django_assert_max_num_queries
):
    login(client, cast, "secretariat")

    with django_assert_max_num_queries(15):
        assert client.get(reverse("group-detail", args=[cast.health.pk])).status_code == 200


# --- The edit page ----------------------------------------------------------------------


def _terms_form(**changes) -> dict:
    data = {
        "reference_code": "MWG-HLT",
        "mandate": "Health of migrants.",
        "mandate_ar": "",
        "mandate_fr": "Santé des migrants.",
        "endorsed_by": "",
        "endorsed_on": "",
        "notice_period_days": "10",
        "quorum_rule": "count",
        "quorum_value": "2",
        "usual_duration_minutes": "90",
        "usual_venue": "WHO office, Tripoli",
        "rhythm": "quarterly",
        "reminder_days": "5, 1",
        # One-time tokens are remembered in the cache, which outlives a test here.
        "form_token": uuid.uuid4().hex,
    }
    return {**data, **changes}


@pytest.mark.parametrize("persona", ["secretariat", "chair", "cochair", "admin"])
def test_those_who_manage_the_group_edit_its_terms(client, cast, persona):
    login(client, cast, persona)
    url = reverse("group-terms-edit", args=[cast.health.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, _terms_form())

    assert response.status_code == 302
    row = _terms_row(cast.health)
    assert row["reference_code"] == "MWG-HLT"
    assert row["notice_period_days"] == 10
    assert (row["quorum_rule"], row["quorum_value"]) == ("count", 2)
    assert row["reminder_days"] == [5, 1]
    assert row["mandate_fr"] == "Santé des migrants."
    assert cast.health.history.first().history_user == cast.user(persona)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(p, 403) for p in ("member",)] + [("observer", 404), ("outsider", 404), ("anonymous", 302)],
)
def test_others_cannot_edit_the_terms_and_nothing_changes(client, cast, persona, expected):
    login(client, cast, persona)
    before = _terms_row(cast.health)
    url = reverse("group-terms-edit", args=[cast.health.pk])

    assert client.get(url).status_code == expected
    assert client.post(url, _terms_form()).status_code == expected
    assert _terms_row(cast.health) == before


def test_a_member_of_the_group_is_refused_on_its_own_group_too(client, cast):
    login(client, cast, "observer")
    before = _terms_row(cast.mwg)

    response = client.post(reverse("group-terms-edit", args=[cast.mwg.pk]), _terms_form())

    assert response.status_code == 403
    assert _terms_row(cast.mwg) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"quorum_rule": "share", "quorum_value": "150"},
            "quorum_value",
            "A quorum given as a percentage is from 1 to 100.",
        ),
        (
            {"quorum_rule": "share", "quorum_value": ""},
            "quorum_value",
            "Give the quorum with its rule",
        ),
        ({"notice_period_days": "400"}, "notice_period_days", "from 0 to 365 days"),
        ({"reminder_days": "7, soon"}, "reminder_days", "Give whole days separated by commas"),
    ],
)
def test_bad_terms_are_a_form_error_and_change_nothing(client, cast, changes, field, message):
    login(client, cast, "chair")
    before = _terms_row(cast.health)

    response = client.post(
        reverse("group-terms-edit", args=[cast.health.pk]), _terms_form(**changes)
    )

    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert _terms_row(cast.health) == before


# --- The API ----------------------------------------------------------------------------


def test_the_api_gives_the_terms_that_apply_with_where_each_comes_from(cast, mwg_terms, api):
    response = api("member").get(f"{V1}/groups/{cast.health.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["notice_period_days"] is None  # its own: none
    terms = body["terms_of_reference"]
    assert terms["notice_period_days"] == 14
    assert (terms["quorum_rule"], terms["quorum_value"]) == ("share", 50)
    assert terms["endorsed_on"] == "2017-07-18"
    assert terms["reminder_days"] == [7, 1]
    assert terms["inherited_from"] == {
        rule: cast.mwg.pk
        for rule in (
            "endorsed_by",
            "endorsed_on",
            "mandate",
            "mandate_ar",
            "notice_period_days",
            "quorum_rule",
            "rhythm",
            "usual_duration_minutes",
            "usual_venue",
        )
    }


def test_the_group_list_gives_every_groups_terms_in_bounded_queries(
    cast, mwg_terms, api, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = api("secretariat").get(f"{V1}/groups/")

    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[cast.border.pk]["terms_of_reference"]["notice_period_days"] == 14
    assert rows[cast.mwg.pk]["terms_of_reference"]["inherited_from"] == {}
    assert rows[cast.mwg.pk]["reference_code"] == "MWG"


def test_the_group_list_gives_each_group_the_terms_its_own_page_gives(cast, mwg_terms, api):
    # The list reads the tree as rows, a group's own record as instances: three levels,
    # a rule overridden on the way down and a quorum whose value goes with its rule.
    group_update(
        group=cast.framework,
        rhythm="quarterly",
        quorum_rule="count",
        quorum_value=5,
        default_confidentiality="public",
        by=cast.secretariat,
    )
    group_update(
        group=cast.health,
        usual_venue="Ministry of Health, Tripoli",
        quorum_rule="count",
        quorum_value=3,
        reminder_days=[3],
        by=cast.secretariat,
    )
    client = api("secretariat")

    listed = client.get(f"{V1}/groups/", {"page_size": 100}).json()["results"]

    assert len(listed) == CoordinationGroup.objects.count()
    for row in listed:
        own = client.get(f"{V1}/groups/{row['id']}/").json()["terms_of_reference"]
        assert row["terms_of_reference"] == own, row["name"]
    terms = {row["id"]: row["terms_of_reference"] for row in listed}
    assert terms[cast.health.pk]["quorum_value"] == 3
    assert terms[cast.health.pk]["reminder_days"] == [3]
    assert terms[cast.border.pk]["quorum_value"] == 50
    assert terms[cast.border.pk]["rhythm"] == "monthly"
    assert terms[cast.border.pk]["default_confidentiality"] == "public"
    assert terms[cast.border.pk]["inherited_from"]["default_confidentiality"] == cast.framework.pk
    assert terms[cast.other_wg.pk]["quorum_value"] == 5


@pytest.mark.parametrize("persona", ["chair", "secretariat"])
def test_a_manager_patches_the_terms(cast, api, persona):
    response = api(persona).patch(
        f"{V1}/groups/{cast.health.pk}/",
        {
            "reference_code": "MWG-HLT",
            "notice_period_days": 10,
            "quorum_rule": "share",
            "quorum_value": 60,
            "usual_duration_minutes": 90,
            "usual_venue": "WHO office, Tripoli",
            "rhythm": "quarterly",
            "mandate_fr": "Santé des migrants.",
            "endorsed_on": "2018-01-15",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["reference_code"] == "MWG-HLT"
    assert body["terms_of_reference"]["notice_period_days"] == 10
    assert body["terms_of_reference"]["quorum_value"] == 60
    assert _terms_row(cast.health)["endorsed_on"] == dt.date(2018, 1, 15)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"quorum_rule": "share", "quorum_value": 150}, "quorum_value"),
        ({"quorum_value": 3}, "quorum_rule"),
        ({"notice_period_days": 366}, "notice_period_days"),
        ({"notice_period_days": -1}, "notice_period_days"),
        ({"rhythm": "daily"}, "rhythm"),
    ],
)
def test_bad_terms_are_a_400_naming_the_field_and_change_nothing(cast, api, payload, field):
    before = fingerprint()

    response = api("chair").patch(f"{V1}/groups/{cast.health.pk}/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert fingerprint() == before


def test_a_share_above_100_says_so(cast, api):
    response = api("chair").patch(
        f"{V1}/groups/{cast.health.pk}/",
        {"quorum_rule": "share", "quorum_value": 150},
        format="json",
    )

    assert response.json()["errors"] == {
        "quorum_value": ["A quorum given as a percentage is from 1 to 100."]
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("member", 403), ("observer", 404), ("outsider", 404), ("anonymous", 401)],
)
def test_others_cannot_patch_the_terms_and_nothing_changes(cast, api, persona, expected):
    before = fingerprint()

    response = api(persona).patch(
        f"{V1}/groups/{cast.health.pk}/", {"notice_period_days": 1}, format="json"
    )

    assert response.status_code == expected
    assert fingerprint() == before


# --- The admin ----------------------------------------------------------------------------


def _admin_form(group: CoordinationGroup, **changes) -> dict:
    data = {
        "name": group.name,
        "name_ar": "",
        "name_fr": "",
        "short_name": "",
        "parent": group.parent_id or "",
        "status": "active",
        "description": "",
        "established_on": "",
        "reference_code": "",
        "mandate": "",
        "mandate_ar": "",
        "mandate_fr": "",
        "endorsed_by": "",
        "endorsed_on": "",
        "notice_period_days": "",
        "quorum_rule": "",
        "quorum_value": "",
        "usual_duration_minutes": "",
        "usual_venue": "",
        "rhythm": "",
        "reminder_days": "[7, 1]",
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_the_group_admin_has_a_terms_of_reference_fieldset(client, cast):
    client.force_login(cast.admin)

    page = client.get(reverse("admin:groups_coordinationgroup_change", args=[cast.mwg.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Terms of reference" in text
    assert 'name="notice_period_days"' in text
    assert 'name="quorum_value"' in text


def test_the_admin_saves_the_terms_through_the_service(client, cast):
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:groups_coordinationgroup_change", args=[cast.health.pk]),
        _admin_form(cast.health, notice_period_days="5", quorum_rule="count", quorum_value="2"),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    row = _terms_row(cast.health)
    assert (row["notice_period_days"], row["quorum_rule"], row["quorum_value"]) == (5, "count", 2)
    assert cast.health.history.first().history_user == cast.admin


def test_the_admin_refuses_a_bad_quorum_the_same_way(client, cast):
    client.force_login(cast.admin)
    before = _terms_row(cast.health)

    response = client.post(
        reverse("admin:groups_coordinationgroup_change", args=[cast.health.pk]),
        _admin_form(cast.health, quorum_rule="share", quorum_value="150"),
    )

    assert response.status_code == 200
    assert "A quorum given as a percentage is from 1 to 100." in response.content.decode()
    assert _terms_row(cast.health) == before
