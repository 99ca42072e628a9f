"""The decisions register: who sees what, the filters and the search, the changes of
status and their refusals, the pages, the CSV and PDF files, the query counts."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from decisions.exports import language_name
from decisions.selectors import decisions_register, supersede_candidates
from meetings.models import Decision
from meetings.services import (
    decision_add,
    decision_supersede,
    decision_translations_set,
    decision_withdraw,
)
from tests.conftest import PERSONAS
from tests.decisions.world import ARABIC, FRENCH, SEEN_BY, build_world, held, publish


@pytest.fixture(scope="module")
def _world_rows(_cast_rows, django_db_blocker):
    with django_db_blocker.unblock():
        return build_world(_cast_rows)


@pytest.fixture
def world(_world_rows, db):
    return {name: type(row).objects.get(pk=row.pk) for name, row in _world_rows.items()}


def _names(world, decisions) -> set[str]:
    by_id = {row.pk: name for name, row in world.items() if isinstance(row, Decision)}
    return {by_id[decision.pk] for decision in decisions if decision.pk in by_id}


def _row(decision: Decision) -> tuple:
    decision = Decision.objects.get(pk=decision.pk)
    return (
        decision.status,
        decision.superseded_by_id,
        decision.status_reason,
        decision.status_changed_at,
        decision.text_ar,
        decision.text_fr,
        decision.history.count(),
    )


def _login(client, cast, persona):
    client.force_login(cast.user(persona))
    return client


# --- Who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [p for p in PERSONAS])
def test_register_selector_shows_each_persona_what_the_labels_allow(cast, world, persona):
    seen = _names(world, decisions_register(cast.user(persona)))

    assert seen == SEEN_BY[persona]


@pytest.mark.parametrize("persona", ["secretariat", "chair", "member", "observer", "outsider"])
def test_register_page_lists_what_the_persona_may_see(client, cast, world, persona):
    response = _login(client, cast, persona).get(reverse("decisions:register"))

    assert response.status_code == 200
    shown = _names(world, response.context["page"])
    assert shown == SEEN_BY[persona]


def test_register_needs_a_sign_in(client, world):
    response = client.get(reverse("decisions:register"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


def test_member_does_not_see_decisions_of_unpublished_minutes_anywhere(client, cast, world):
    _login(client, cast, "member")

    page = client.get(reverse("decisions:register"), {"q": "measles"})
    detail = client.get(reverse("decisions:decision-detail", args=[world["health"].pk]))

    assert list(page.context["page"]) == []
    assert detail.status_code == 404


def test_restricted_decision_is_seen_only_by_its_organisations_and_the_managers(
    client, cast, world
):
    url = reverse("decisions:decision-detail", args=[world["for_iom"].pk])

    assert _login(client, cast, "member").get(url).status_code == 404
    assert _login(client, cast, "cochair").get(url).status_code == 200


def test_group_register_of_a_hidden_group_is_not_found(client, cast, world):
    response = _login(client, cast, "outsider").get(
        reverse("decisions:group-register", args=[cast.mwg.pk])
    )

    assert response.status_code == 404


def test_group_register_takes_in_its_sub_groups_unless_asked_not_to(client, cast, world):
    _login(client, cast, "secretariat")
    url = reverse("decisions:group-register", args=[cast.mwg.pk])

    with_sub_groups = _names(world, client.get(url).context["page"])
    alone = _names(world, client.get(url, {"only_this_group": "on"}).context["page"])

    assert with_sub_groups == {"open", "for_iom", "translated", "later", "health", "by_procedure"}
    assert alone == {"open", "for_iom", "translated", "later", "by_procedure"}


# --- Filters and search --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"source": "written_procedure"}, {"by_procedure"}),
        ({"source": "meeting"}, {"open", "for_iom", "translated", "later", "health", "other"}),
        ({"q": "خريطة"}, {"translated"}),
        ({"q": "cartographier LES services"}, {"translated"}),
        ({"q": "ANNUAL work"}, {"open", "later"}),
        ({"q": "mwg/2026/wp1"}, {"by_procedure"}),
        ({"status": "withdrawn"}, set()),
    ],
)
def test_register_filters_and_searches_in_all_three_languages(cast, world, criteria, expected):
    assert _names(world, decisions_register(cast.secretariat, **criteria)) == expected


def test_register_filters_by_dates_and_orders_newest_first(cast, world):
    today = timezone.localdate()

    decisions = list(
        decisions_register(
            cast.secretariat,
            decided_from=today - dt.timedelta(days=25),
            decided_to=today - dt.timedelta(days=6),
        )
    )

    assert _names(world, decisions) == {"later", "health", "other"}
    assert [d.decided_on for d in decisions] == sorted(
        (d.decided_on for d in decisions), reverse=True
    )


def test_register_page_filters_through_its_form(client, cast, world):
    _login(client, cast, "secretariat")

    response = client.get(
        reverse("decisions:register"), {"group": cast.mwg.pk, "source": "written_procedure"}
    )

    assert _names(world, response.context["page"]) == {"by_procedure"}


def test_register_page_refuses_an_upside_down_date_range_on_the_form(client, cast, world):
    _login(client, cast, "secretariat")

    response = client.get(
        reverse("decisions:register"), {"decided_from": "2026-03-01", "decided_to": "2026-01-01"}
    )

    assert response.status_code == 200
    assert response.context["filters"].errors["decided_to"]


# --- The reader's language -----------------------------------------------------------------


def test_register_shows_the_words_in_the_readers_language_or_says_they_are_missing(
    client, cast, world
):
    _login(client, cast, "secretariat")

    french = client.get(reverse("decisions:register"), HTTP_ACCEPT_LANGUAGE="fr")
    rows = {decision.pk: decision for decision in french.context["page"]}

    assert rows[world["translated"].pk].shown_text == FRENCH
    assert rows[world["translated"].pk].missing_note == ""
    assert rows[world["open"].pk].shown_text == "Adopt the annual work plan."
    assert rows[world["open"].pk].missing_note


def test_decision_page_shows_its_three_texts_its_source_and_its_action_points(client, cast, world):
    _login(client, cast, "member")

    response = client.get(reverse("decisions:decision-detail", args=[world["translated"].pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Map the referral services in ports." in body
    assert ARABIC in body
    assert FRENCH.replace("'", "&#x27;") in body
    assert world["first"].reference in body
    assert "Survey the ports" in body
    assert response.context["can_manage"] is False
    assert "Mark as superseded" not in body


def test_procedure_decision_page_names_its_written_procedure(client, cast, world):
    _login(client, cast, "observer")

    response = client.get(reverse("decisions:decision-detail", args=[world["by_procedure"].pk]))

    assert response.status_code == 200
    assert "MWG/2026/WP1" in response.content.decode()


# --- Changes of status: the services -----------------------------------------------------


def test_supersede_marks_the_decision_and_keeps_its_history(cast, world):
    before = timezone.now()

    decision = decision_supersede(
        decision=world["open"], by_decision=world["later"], reason="New plan.", by=cast.chair
    )

    decision.refresh_from_db()
    assert decision.status == Decision.Status.SUPERSEDED
    assert decision.superseded_by_id == world["later"].pk
    assert decision.status_reason == "New plan."
    assert decision.status_changed_at >= before
    latest = decision.history.latest()
    assert latest.status == "superseded"
    assert latest.history_user_id == cast.chair.pk


@pytest.mark.parametrize(
    ("decision", "by_decision", "field"),
    [
        ("later", "open", "superseded_by"),  # earlier
        ("translated", "open", "superseded_by"),  # earlier in the same meeting
        ("open", "open", "superseded_by"),  # itself
        ("open", "other", "superseded_by"),  # another group
        ("open", "health", "superseded_by"),  # a sub-group is another group
    ],
)
def test_supersede_refuses_what_cannot_supersede_and_changes_nothing(
    cast, world, decision, by_decision, field
):
    before = _row(world[decision])

    with pytest.raises(ValidationError) as refused:
        decision_supersede(
            decision=world[decision], by_decision=world[by_decision], by=cast.secretariat
        )

    assert field in refused.value.message_dict
    assert _row(world[decision]) == before


def test_only_later_decisions_are_offered_to_supersede(cast, world):
    offered_for_first = _names(world, supersede_candidates(cast.secretariat, world["open"]))
    offered_for_third = _names(world, supersede_candidates(cast.secretariat, world["translated"]))

    # D1 and D3 of the same meeting: D3 may replace D1, not the other way round.
    assert "translated" in offered_for_first
    assert "open" not in offered_for_third
    assert "later" in offered_for_third


def test_supersede_refuses_a_decision_that_no_longer_stands(cast, world):
    decision_withdraw(decision=world["open"], reason="Overtaken.", by=cast.secretariat)
    before = _row(world["open"])

    with pytest.raises(ValidationError) as refused:
        decision_supersede(decision=world["open"], by_decision=world["later"], by=None)

    assert "status" in refused.value.message_dict
    assert _row(world["open"]) == before


def test_supersede_refuses_a_withdrawn_superseding_decision(cast, world):
    decision_withdraw(decision=world["later"], reason="Void.", by=None)
    before = _row(world["open"])

    with pytest.raises(ValidationError) as refused:
        decision_supersede(decision=world["open"], by_decision=world["later"], by=None)

    assert "superseded_by" in refused.value.message_dict
    assert _row(world["open"]) == before


def test_withdraw_needs_a_reason_and_changes_nothing_without_one(cast, world):
    before = _row(world["open"])

    with pytest.raises(ValidationError) as refused:
        decision_withdraw(decision=world["open"], reason="   ", by=cast.secretariat)

    assert "reason" in refused.value.message_dict
    assert _row(world["open"]) == before


def test_withdraw_records_the_reason_and_the_moment(cast, world):
    decision = decision_withdraw(
        decision=world["by_procedure"], reason="Adopted in error.", by=cast.secretariat
    )

    decision.refresh_from_db()
    assert decision.status == Decision.Status.WITHDRAWN
    assert decision.status_reason == "Adopted in error."
    assert decision.status_changed_at is not None


def test_translations_are_set_trimmed_and_unchanged_ones_write_nothing(cast, world):
    decision = decision_translations_set(
        decision=world["open"], text_ar="  اعتماد خطة العمل  ", text_fr="Adopter le plan.", by=None
    )
    count = decision.history.count()

    decision_translations_set(
        decision=decision, text_ar="اعتماد خطة العمل", text_fr="Adopter le plan.", by=None
    )

    decision.refresh_from_db()
    assert decision.text_ar == "اعتماد خطة العمل"
    assert decision.text_fr == "Adopter le plan."
    assert decision.history.count() == count


def test_translations_lose_a_nul_character_as_all_long_text_does(cast, world):
    decision = decision_translations_set(
        decision=world["open"], text_ar="اعتماد\x00 الخطة", text_fr="", by=None
    )

    decision.refresh_from_db()
    assert decision.text_ar == "اعتماد الخطة"


# --- Changes of status: the pages ----------------------------------------------------------


def _form_post(client, decision, **data):
    url = reverse("decisions:decision-detail", args=[decision.pk])
    page = client.get(url)
    token = page.context[f"{data['part']}_form"]["form_token"].value()
    return client.post(url, {"form_token": token, **data})


def test_chair_marks_a_decision_superseded_on_its_page(client, cast, world):
    _login(client, cast, "chair")

    response = _form_post(
        client, world["open"], part="supersede", superseded_by=world["later"].pk, reason=""
    )

    assert response.status_code == 302
    assert Decision.objects.get(pk=world["open"].pk).superseded_by_id == world["later"].pk


def test_page_offers_only_later_decisions_of_the_same_group(client, cast, world):
    _login(client, cast, "secretariat")

    response = client.get(reverse("decisions:decision-detail", args=[world["open"].pk]))

    offered = set(response.context["supersede_form"].fields["superseded_by"].queryset)
    assert offered == {
        world["later"],
        world["by_procedure"],
        world["for_iom"],
        world["translated"],
    }


def test_page_refuses_a_superseding_decision_it_did_not_offer(client, cast, world):
    _login(client, cast, "secretariat")
    before = _row(world["later"])

    response = _form_post(
        client, world["later"], part="supersede", superseded_by=world["open"].pk, reason=""
    )

    assert response.status_code == 400
    assert response.context["supersede_form"].errors["superseded_by"]
    assert _row(world["later"]) == before


def test_withdraw_on_the_page_needs_a_reason(client, cast, world):
    _login(client, cast, "secretariat")
    before = _row(world["open"])

    response = _form_post(client, world["open"], part="withdraw", reason="")

    assert response.status_code == 400
    assert response.context["withdraw_form"].errors["reason"]
    assert _row(world["open"]) == before


def test_withdraw_on_the_page_shows_in_the_register(client, cast, world):
    _login(client, cast, "secretariat")

    _form_post(client, world["open"], part="withdraw", reason="Overtaken by events.")
    register = client.get(reverse("decisions:register"))

    assert Decision.objects.get(pk=world["open"].pk).status == "withdrawn"
    assert "Overtaken by events." in register.content.decode()


def test_translations_on_the_page(client, cast, world):
    _login(client, cast, "chair")

    _form_post(client, world["open"], part="translations", text_ar="اعتماد", text_fr="Adopter")

    decision = Decision.objects.get(pk=world["open"].pk)
    assert (decision.text_ar, decision.text_fr) == ("اعتماد", "Adopter")


@pytest.mark.parametrize("persona", ["member", "observer"])
def test_readers_who_do_not_manage_cannot_change_a_decision(client, cast, world, persona):
    _login(client, cast, persona)
    before = _row(world["open"])
    url = reverse("decisions:decision-detail", args=[world["open"].pk])

    responses = [
        client.post(url, {"part": "withdraw", "reason": "No."}),
        client.post(url, {"part": "supersede", "superseded_by": world["later"].pk}),
        client.post(url, {"part": "translations", "text_ar": "x", "text_fr": "y"}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    assert _row(world["open"]) == before


def test_procedure_decision_is_managed_by_its_groups_chairs(client, cast, world):
    _login(client, cast, "cochair")

    response = _form_post(client, world["by_procedure"], part="withdraw", reason="Mistaken.")

    assert response.status_code == 302
    assert Decision.objects.get(pk=world["by_procedure"].pk).status == "withdrawn"


# --- Downloads -----------------------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))


def test_csv_has_the_filtered_rows_the_reader_may_see(client, cast, world):
    _login(client, cast, "member")

    response = client.get(reverse("decisions:register"), {"format": "csv"})

    rows = _csv_rows(response)
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0] == ["Reference", "Date", "Group", "Source", "Status", "Text"]
    references = {row[0] for row in rows[1:]}
    assert references == {world[name].reference for name in SEEN_BY["member"]}
    procedure_row = next(row for row in rows if row[0] == "MWG/2026/WP1")
    assert procedure_row[3] == "Written procedure MWG/2026/WP1"
    assert procedure_row[1] == world["by_procedure"].decided_on.isoformat()


@pytest.mark.parametrize("shape", ["csv", "pdf"])
def test_a_download_with_a_wrong_filter_goes_back_to_the_page_naming_it(client, cast, world, shape):
    _login(client, cast, "secretariat")
    url = reverse("decisions:register")

    response = client.get(url, {"format": shape, "decided_from": "2026-13-01"}, follow=True)

    assert response.redirect_chain == [(f"{url}?decided_from=2026-13-01", 302)]
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Correct the filters below to download the register." in page
    assert "Enter a valid date." in page


def test_csv_is_in_the_readers_language_and_keeps_the_filters(client, cast, world):
    _login(client, cast, "secretariat")
    decision_withdraw(decision=world["later"], reason="=cmd|' /C calc'!A0", by=None)

    response = client.get(
        reverse("decisions:group-register", args=[cast.mwg.pk]),
        {"format": "csv", "q": "plan"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    rows = _csv_rows(response)
    assert len(rows) == 3
    texts = {row[0]: row for row in rows[1:]}
    assert texts[world["open"].reference][5].startswith("Adopt the annual work plan. (")
    # A cell that starts like a formula is defused by the shared CSV writer.
    assert "=cmd" in texts[world["later"].reference][4]


def test_pdf_has_the_references_and_the_arabic_words(client, cast, world):
    _login(client, cast, "member")

    response = client.get(
        reverse("decisions:register"), {"format": "pdf"}, HTTP_ACCEPT_LANGUAGE="ar"
    )

    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = "".join(text.split())
    for name in SEEN_BY["member"]:
        assert world[name].reference in compact
    assert "".join(ARABIC.split()) in compact
    assert world["for_iom"].reference not in compact


def test_pdf_of_too_many_decisions_is_refused_with_a_message(client, cast, world, monkeypatch):
    _login(client, cast, "secretariat")
    monkeypatch.setattr("decisions.exports.PDF_MAX_ROWS", 1)

    response = client.get(reverse("decisions:register"), {"format": "pdf", "q": "plan"})

    assert response.status_code == 302
    assert response["Location"] == reverse("decisions:register") + "?q=plan"


# --- Query counts --------------------------------------------------------------------------


def _more_decisions(cast, count):
    meeting = held(cast.mwg, "Busy MWG meeting", days_ago=2)
    for number in range(count):
        decision_add(meeting=meeting, text=f"Extra decision {number}.", by=None)
    publish(meeting)


@pytest.mark.parametrize("persona", ["secretariat", "member"])
def test_register_page_queries_do_not_grow_with_its_rows(
    client, cast, world, django_assert_max_num_queries, persona
):
    _login(client, cast, persona)
    url = reverse("decisions:register")
    client.get(url)

    with django_assert_max_num_queries(8):
        client.get(url)
    _more_decisions(cast, 20)
    with django_assert_max_num_queries(8):
        response = client.get(url)

    assert len(response.context["page"]) >= 24


def test_a_filter_that_is_not_valid_is_named_and_the_register_says_it_is_unfiltered(client, cast):
    client.force_login(cast.secretariat)

    response = client.get(reverse("decisions:register"), {"decided_from": "2026-13-01"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Some filters are not valid" in page
    assert 'id="id_decided_from_error"' in page


@pytest.mark.parametrize(
    ("reader", "expected"),
    [("fr", "non disponible en français"), ("en", "not available in French")],
)
def test_the_missing_words_note_names_the_language_as_the_reader_writes_it(reader, expected):
    with translation.override(reader):
        note = translation.gettext("not available in %(language)s") % {
            "language": language_name("fr")
        }
    assert note == expected
