"""Streamlit entry point: page set-up, session state, the error boundary, sign-in and the pages.

Run with ``streamlit run app.py``. An investor link gets the investor page alone; officers get the
map, comparison, registry, log and data pages (after sign-in where one is configured).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import streamlit as st

from sites.share import is_investor_link
from ui.auth import officer_signed_in
from ui.boundary import error_boundary
from ui.i18n import t
from ui.state import K, init_state

st.set_page_config(page_title="Etableringskartan: Södra Porten", page_icon="🗺️", layout="wide")
PAGES = Path(__file__).resolve().parent / "ui" / "pages"


def pages(lang: str) -> list[st.Page]:
    """The pages this visitor may open: the investor page alone for a signed link, else the officer's."""
    if is_investor_link(st.query_params.to_dict()):
        return [st.Page(PAGES / "investor.py", title=t("page_investor", lang), url_path="investerare", default=True)]
    if not officer_signed_in(lang):
        return []
    officer = (("explorer", "page_map", "karta", "map"), ("compare", "page_compare", "jamfor", "compare_arrows"),
               ("registry", "page_registry", "platser", "assignment"), ("log", "page_log", "logg", "history"),
               ("data", "page_data", "data", "info"))
    return [st.Page(PAGES / f"{name}.py", title=t(title, lang), url_path=path, icon=f":material/{icon}:",
                    default=name == "explorer") for name, title, path, icon in officer]


def main() -> None:
    """Run the page; an unexpected error becomes a notice with an id, its traceback goes to the log."""
    started = time.perf_counter()
    try:
        with error_boundary():
            init_state()
            st.session_state[K.SCRIPT_RUNS] = st.session_state.get(K.SCRIPT_RUNS, 0) + 1
            chosen = pages(st.session_state[K.LANG])
            if chosen:
                st.navigation(chosen).run()
    finally:
        if os.environ.get("SITEFINDER_TIMING"):
            print(f"[sitefinder] script run {(time.perf_counter() - started) * 1000:.0f} ms", file=sys.stderr,
                  flush=True)


main()
