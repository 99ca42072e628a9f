"""Every string shown to people is in the Arabic and French catalogues, translated."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LANGUAGES = ("ar", "fr")
BASE = Path(settings.BASE_DIR)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
# What makemessages must read: the apps, the shared templates and the wiring.
SOURCES = (
    "groups",
    "meetings",
    "members",
    "documents",
    "decisions",
    "notices",
    "search",
    "demo",
    "portal",
    "templates",
    "manage.py",
)


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(BASE / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    catalogue = _catalogue(language)
    untranslated = [entry.msgid for entry in catalogue if not entry.translated()]
    fuzzy = [entry.msgid for entry in catalogue if "fuzzy" in entry.flags]
    assert untranslated == []
    assert fuzzy == []
    assert not catalogue.metadata_is_fuzzy


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    """A translation names what its English names. A plural's forms each keep the
    singular's placeholders and may add the plural's (the number, where the language says
    it: "every week" but "every 3 weeks"); its last form, for most numbers, has them all."""
    wrong = []
    for entry in _catalogue(language):
        singular = set(PLACEHOLDER.findall(entry.msgid))
        if not entry.msgid_plural:
            if set(PLACEHOLDER.findall(entry.msgstr)) != singular:
                wrong.append(entry.msgid)
            continue
        every = singular | set(PLACEHOLDER.findall(entry.msgid_plural))
        forms = [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
        for text in forms:
            found = set(PLACEHOLDER.findall(text))
            if not singular <= found <= every:
                wrong.append(entry.msgid)
        if set(PLACEHOLDER.findall(forms[-1])) != every:
            wrong.append(entry.msgid)
    assert wrong == []


def test_catalogues_hold_every_marked_string(tmp_path):
    """makemessages over a copy of the sources finds nothing the catalogues lack."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed; CI installs it")
    for name in SOURCES:
        source = BASE / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tmp_path / name)
    (tmp_path / "locale").mkdir()
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    subprocess.run(  # our own interpreter and manage.py
        [sys.executable, "manage.py", "makemessages", "--locale", "ar", "--verbosity", "0"],
        cwd=tmp_path,
        env=environment,
        check=True,
    )
    found = {
        (entry.msgctxt, entry.msgid)
        for entry in polib.pofile(str(tmp_path / "locale/ar/LC_MESSAGES/django.po"))
    }
    for language in LANGUAGES:
        held = {(entry.msgctxt, entry.msgid) for entry in _catalogue(language)}
        assert sorted(found - held, key=str) == [], f"run makemessages for {language}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_is_current(language):
    """`make install` compiles the catalogues; a stale .mo would hide new translations."""
    compiled = BASE / "locale" / language / "LC_MESSAGES" / "django.mo"
    source = BASE / "locale" / language / "LC_MESSAGES" / "django.po"
    assert compiled.exists(), "run `make messages`"
    assert compiled.stat().st_mtime >= source.stat().st_mtime, "run `make messages`"
