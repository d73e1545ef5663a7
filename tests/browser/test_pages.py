"""Issue 12 in the browser: every page in Swedish and English (screenshots in ``artifacts/``), axe-core
finds no serious or critical accessibility issue, and a site can be chosen and compared by keyboard."""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe

from sites.dataset import load_dataset
from sites.share import ViewState, investor_link
from tests.browser.conftest import ARTIFACTS, LINK_SECRET

PAGES = {"karta": ("", "Etableringskartan", "Establishment map"), "jamfor": ("jamfor", "Jämför", "Compare"),
         "platser": ("platser", "Platser och markanvisning", "Sites and allocation"),
         "logg": ("logg", "Logg", "Log"), "data": ("data", "Data och källor", "Data and sources")}


def _serious(page) -> list[str]:
    result = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result.response["violations"]
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_page_renders_and_passes_axe(page, app_url, lang):
    ARTIFACTS.mkdir(exist_ok=True)
    problems = {}
    for name, (path, title_sv, title_en) in PAGES.items():
        page.goto(f"{app_url}/{path}?{urlencode({'lang': lang})}" if lang == "en" else f"{app_url}/{path}")
        title = title_sv if lang == "sv" else title_en
        page.get_by_role("heading", name=title).first.wait_for(timeout=120_000)
        if name == "karta":  # the map and the ranking come after the scores
            page.get_by_role("heading", name="Topplista" if lang == "sv" else "Ranking").wait_for(timeout=120_000)
        time.sleep(2.5 if name == "karta" else 1.0)
        assert page.get_by_text("Traceback").count() == 0
        page.screenshot(path=str(ARTIFACTS / f"page_{name}_{lang}.png"))
        found = _serious(page)
        if found:
            problems[name] = found
    params = investor_link(ViewState(selected=load_dataset().parcels["parcel_id"].iloc[0], lang=lang), LINK_SECRET,
                           expires=dt.date.today() + dt.timedelta(days=2))
    page.goto(f"{app_url}/?{urlencode(params)}")
    page.get_by_role("heading", name="Etableringsmöjligheter i Botkyrka" if lang == "sv"
                     else "Establishment opportunities in Botkyrka").first.wait_for(timeout=120_000)
    time.sleep(1.5)
    page.screenshot(path=str(ARTIFACTS / f"page_investor_{lang}.png"), full_page=True)
    if found := _serious(page):
        problems["investor"] = found
    assert problems == {}


def test_a_site_is_chosen_and_compared_by_keyboard(page, app_url):
    page.goto(app_url)
    picker = page.get_by_label("Välj plats (skriv för att söka)")
    picker.wait_for(timeout=120_000)
    picker.focus()
    page.keyboard.type("Eriksberg 3:10")
    page.keyboard.press("Enter")
    page.locator("h3").filter(has_text="Eriksberg 3:10").first.wait_for(timeout=60_000)
    page.goto(f"{app_url}/jamfor")
    box = page.get_by_label("Jämför platser (2-4)")
    box.wait_for(timeout=120_000)
    for name in ("Eriksberg 3:10", "Eriksberg 3:4"):
        box.focus()
        page.keyboard.type(name)
        page.keyboard.press("Enter")
        time.sleep(1)
    page.get_by_text("Poäng per kriterium").wait_for(timeout=60_000)
