"""Every text the Swedish explorer shows comes from the catalogue (issue 12: no English in the Swedish UI)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import open_app, texts_shown
from texts import from_catalogue

pytestmark = pytest.mark.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[2]

#: Texts still shown in English, to be emptied: the ranking table's column headers (use
#: ``ui.i18n.column_labels`` on the explorer page). The test fails on any new one, and on an entry
#: here that no longer shows, so the list only shrinks.
KNOWN_UNTRANSLATED: frozenset[str] = frozenset()


def test_swedish_explorer_shows_only_catalogue_texts():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    open_app(at)
    assert not at.exception, at.exception
    shown = texts_shown(at)
    assert len(shown) > 30, "the page rendered its texts"
    untranslated = {s for s in shown if not from_catalogue(s, "sv")}
    assert untranslated - KNOWN_UNTRANSLATED == set(), "new texts outside the catalogue"
    assert KNOWN_UNTRANSLATED - untranslated == set(), "translated now: remove them from KNOWN_UNTRANSLATED"


@pytest.mark.parametrize("page", ["compare", "registry", "log", "data"])
def test_swedish_officer_pages_show_only_catalogue_texts(page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    open_app(at)
    at.switch_page(f"ui/pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    shown = texts_shown(at)
    untranslated = {s for s in shown if not from_catalogue(s, "sv")}
    assert untranslated == set(), untranslated


def test_swedish_site_panel_shows_only_catalogue_texts():
    from sites.dataset import load_dataset

    parcels = load_dataset().parcels
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["sel"] = parcels.loc[parcels["designation"] == "Eriksberg 3:10", "parcel_id"].iloc[0]
    open_app(at)
    assert not at.exception, at.exception
    shown = texts_shown(at)
    assert any("Eriksberg 3:10" in s for s in shown)
    data = set(parcels["designation"]) | set(parcels["area_name"]) | set(parcels["owner_type"])

    def ok(text: str) -> bool:
        plain = re.sub(r"^#+ |\*\*", "", text).strip()
        if from_catalogue(text, "sv") or from_catalogue(plain, "sv") or plain in data:
            return True
        # A line of facts joined by " · ": each part a catalogue text, a data value or a Swedish area.
        return all(from_catalogue(part, "sv") or part in data or re.fullmatch(r"[\d\u00a0 ]+ m²", part)
                   for part in plain.split(" · "))

    untranslated = {s for s in shown if not ok(s)}
    assert untranslated == set(), untranslated


def test_a_broken_link_is_explained_in_swedish():
    """Issue 12: link-error reasons in the officer's language (each one a catalogue text)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    for key, value in {"p": "rymdhamn", "w": "motorway:abc,skönhet:0.5", "z": "99", "c": "norr,söder",
                       "ps": "kanske", "exp": "snart"}.items():
        at.query_params[key] = value
    open_app(at)
    assert not at.exception, at.exception
    notice = next(re.sub(r"\\(.)", r"\1", str(i.value)) for i in at.info
                  if str(i.value).startswith("Delar av länken"))
    head, _, reasons = notice.partition(": ")
    assert from_catalogue(head, "sv")
    parts = reasons.split("; ")
    assert len(parts) == 7, parts  # profile, weight, criterion, centre, zoom, plan status, expiry
    for part in parts:
        assert from_catalogue(part, "sv"), part
    assert "okänd profil 'rymdhamn'" in reasons and "vikten 'abc' för motorway" in reasons
