"""Dutch, French and English are complete: every string in the code has a finished translation."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog

from digicoach.cli import (
    TRANSLATIONS,
    catalog_path,
    extract_messages,
    read_catalog,
    untranslated,
)
from digicoach.core.i18n import LANGUAGES


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    """The strings in the code and templates right now (the template the catalogues follow)."""
    return extract_messages()


def _catalog(language: str) -> Catalog:
    path = catalog_path(TRANSLATIONS, language)
    assert path.exists(), (
        f"{path} is missing: run `flask --app digicoach translate init {language}`"
    )
    return read_catalog(path, language)


def _show(messages) -> str:
    return "\n".join(f"  {message.id!r}" for message in messages[:40]) + (
        f"\n  ... and {len(messages) - 40} more" if len(messages) > 40 else ""
    )


def test_the_code_has_strings_to_translate(extracted):
    assert len(extracted) > 20
    assert "Skip to the content" in extracted  # templates are read
    assert "Use at least %(count)d characters." in extracted  # and Python code


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_has_no_fuzzy_or_empty_translation(language):
    missing = untranslated(_catalog(language))
    assert not missing, (
        f"{len(missing)} {language} messages are empty or fuzzy "
        f"(`flask --app digicoach translate todo {language}`):\n{_show(missing)}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_has_every_string_of_the_code(language, extracted):
    catalog = _catalog(language)
    absent = [
        message
        for message in extracted
        if message.id and catalog.get(message.id, context=message.context) is None
    ]
    assert not absent, (
        f"{len(absent)} strings are not in the {language} catalogue "
        f"(run `make translations`):\n{_show(absent)}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    """A translation that drops or renames %(name)s would crash or mislead at run time."""
    catalog = _catalog(language)
    broken = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        errors = message.check(catalog)
        if errors:
            broken.append(message)
    assert not broken, f"{language} translations with broken placeholders:\n{_show(broken)}"
