"""search.normalize folds what search compares: case, accents, Arabic diacritics and
letter variants, compatibility forms, white space."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.normalize import normalize

ARABIC_AND_LATIN = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
        st.characters(codec="utf-8"),
    ),
    max_size=80,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Réunion", "reunion"),
        ("ÉTAT  CIVIL\n", "etat civil"),
        ("Straße", "strasse"),
        ("ﬁnance", "finance"),
        ("ＭＷＧ", "mwg"),
        ("مُؤْتَمَر", "موتمر"),
        ("مؤتمر", "موتمر"),
        ("أمانة", "امانه"),
        ("إجتماع", "اجتماع"),
        ("آمال", "امال"),
        ("ٱلهجرة", "الهجره"),
        ("مستشفى", "مستشفي"),
        ("مسئول", "مسيول"),
        ("اجتمـــاع", "اجتماع"),
        ("هٰذا", "هذا"),
        ("ﻻ", "لا"),
        ("٢٠٢٦ و۲۰۲۷", "2026 و2027"),
        ("  two\t\twords \r\n", "two words"),
        ("", ""),
    ],
)
def test_normalize_folds_variants_to_one_form(text, folded):
    assert normalize(text) == folded


def test_arabic_spellings_of_one_word_fold_alike():
    spellings = ["الإجتماع", "الاجتماع", "الأجتماع", "الاجْتِمَاع", "الاجتمـاع"]
    assert {normalize(spelling) for spelling in spellings} == {"الاجتماع"}
    assert normalize("المدرسة") == normalize("المدرسه")
    assert normalize("على") == normalize("علي")


@given(ARABIC_AND_LATIN)
def test_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


@given(ARABIC_AND_LATIN)
def test_normalize_grows_text_at_most_eighteen_times(text):
    assert len(normalize(text)) <= 18 * len(text)


@given(ARABIC_AND_LATIN)
def test_normalized_text_is_one_line_without_marks_or_tatweel(text):
    folded = normalize(text)

    assert "\n" not in folded
    assert folded == folded.strip()
    assert "  " not in folded
    assert "\u0640" not in folded
    assert not any(unicodedata.category(character) == "Mn" for character in folded)
