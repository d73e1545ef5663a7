"""The one text catalogue: both languages complete, same placeholders, read by every consumer."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from errors import SiteFinderError
from texts import LANGUAGES, MissingTextError, from_catalogue, keys, messages, placeholders, text
from texts.catalogue import catalogue_path

ROOT = Path(__file__).resolve().parents[2]


def test_every_key_has_swedish_and_english():
    sv, en = messages("sv"), messages("en")
    assert set(sv) == set(en), f"only sv: {sorted(set(sv) - set(en))}; only en: {sorted(set(en) - set(sv))}"
    assert len(sv) > 300
    for key in keys():
        assert sv[key].strip() and en[key].strip(), key


def test_both_languages_expect_the_same_placeholders():
    for key in keys():
        assert placeholders(messages("sv")[key]) == placeholders(messages("en")[key]), key


def test_no_fuzzy_or_obsolete_entries_and_the_files_parse_as_gettext():
    for lang in LANGUAGES:
        with catalogue_path(lang).open("rb") as fh:
            catalogue = read_po(fh, locale=lang)
        assert not catalogue.obsolete, lang
        entries = [m for m in catalogue if m.id]
        assert not [m.id for m in entries if m.fuzzy], lang
        assert len({m.id for m in entries}) == len(entries)


def test_swedish_entries_are_swedish():
    # a few hand-picked entries a Swedish officer sees on every page
    assert text("rank", "sv") == "Placering"
    assert text("column.designation", "sv") == "Fastighet"
    assert text("status_available", "sv") == "tillgänglig"
    assert text("indicator.car_min_to_junction", "sv") == "Bil till E4/E20 (min)"
    assert text("iso.car", "sv", minutes=10) == "bil 10 min"


def test_values_are_filled_in_and_numbers_written_for_the_language():
    assert text("reg_saved", "en", name="Eriksberg 3:10") == "Site Eriksberg 3:10 saved."
    assert text("upload_ok", "sv", layer="fastigheter", n=12690, name="a.gpkg") == \
        "fastigheter: 12\u00a0690 objekt inlästa från a.gpkg."
    assert text("upload_ok", "en", layer="parcels", n=12690, name="a.gpkg") == \
        "parcels: 12,690 features loaded from a.gpkg."


def test_unknown_key_is_a_project_error_naming_the_file():
    with pytest.raises(MissingTextError, match=r"no text 'no\.such\.key'.*sitefinder\.po") as err:
        text("no.such.key", "sv")
    assert isinstance(err.value, SiteFinderError) and isinstance(err.value, KeyError)


def test_unknown_language_falls_back_to_english():
    assert text("rank", "de") == "Rank"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_texts_sit_below_every_package():
    for path in (ROOT / "texts").rglob("*.py"):
        assert not _imports(path) & {"streamlit", "app", "ui", "sites", "layers", "analysis", "data"}, path


def test_no_second_bilingual_table_outside_the_catalogue():
    """The five old shapes (dicts keyed by 'sv'/'en', tuples of both names) are gone from the code."""
    for package in ("ui", "sites", "analysis"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Dict):
                    literal_keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                    assert not {"sv", "en"} <= literal_keys, f"{path}:{node.lineno} holds texts by language"


def test_a_shown_text_is_recognised_only_in_its_own_language():
    assert from_catalogue("Inloggad som Anna Berg", "sv")
    assert from_catalogue("Placering", "sv") and from_catalogue("bil 30 min", "sv")
    assert not from_catalogue("Signed in as Anna Berg", "sv")
    assert not from_catalogue("rank", "sv"), "an inline English header is caught"
    assert not from_catalogue("Inloggad som", "sv"), "a placeholder needs a value"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_gettext_tools_accept_the_catalogues(lang):
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(catalogue_path(lang))],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
