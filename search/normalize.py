"""The one folding of text that search compares: what is stored and what is asked are
both passed through `normalize`, so a difference it folds away never stops a match."""

import re
import sys
import unicodedata
from functools import cache

# Letters written in several ways in everyday Arabic (and the Persian keyboard's yeh,
# which looks the same at the end of a word), mapped to the one form search keeps.
# Hamza seated on alef, waw and yeh (أ إ آ ؤ ئ) needs no entry: NFKD splits the hamza
# off as a combining mark, which is dropped with the other marks.
_ARABIC_LETTERS = str.maketrans(
    {
        "\u0671": "\u0627",  # ٱ alef wasla -> ا
        "\u0629": "\u0647",  # ة teh marbuta -> ه
        "\u0649": "\u064a",  # ى alef maksura -> ي
        "\u06cc": "\u064a",  # ی Farsi yeh -> ي
        "\u0640": None,  # tatweel (kashida), a stretch of the line, not a letter
        # Arabic-Indic and extended Arabic-Indic digits -> 0-9, so ٢٠٢٦ finds 2026.
        **{chr(0x0660 + digit): str(digit) for digit in range(10)},
        **{chr(0x06F0 + digit): str(digit) for digit in range(10)},
    }
)
_SPACES = re.compile(r"\s+")


@cache
def _folding() -> dict[int, str | None]:
    """The one table `str.translate` applies after decomposition: nonspacing marks
    dropped (Latin accents once decomposed, Arabic tashkeel U+064B–U+065F, the dagger
    alef U+0670, the hamza split off its seat), Arabic letters unified. Built once, on
    first use: a pass over every code point."""
    table: dict[int, str | None] = {
        code: None for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Mn"
    }
    table.update(_ARABIC_LETTERS)
    return table


def normalize(text: str) -> str:
    """`text` folded for comparison: case folded; accents and other nonspacing marks
    dropped (so "Réunion" and "reunion", "مُؤْتَمَر" and "مؤتمر" are the same); Arabic
    letter variants unified (أ إ آ ٱ -> ا, ة -> ه, ى -> ي, ؤ -> و, ئ -> ي), tatweel
    removed, Arabic-Indic digits made 0-9; compatibility forms (ligatures, Arabic
    presentation forms, full-width letters) spelled out; every run of white space,
    line breaks included, made one space, none at either end.

    It is idempotent, and the result holds at most 18 characters per character of
    `text` (U+FDFA, one ligature of a whole phrase, is the longest spelling out)."""
    folded = unicodedata.normalize("NFKD", text.casefold()).translate(_folding())
    # Recompose what NFKD split apart that is not a mark (Hangul syllables), and fold
    # case once more: a few letters only reach their folded form after decomposition.
    recomposed = unicodedata.normalize("NFC", folded).casefold()
    return _SPACES.sub(" ", recomposed).strip()
