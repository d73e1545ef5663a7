"""What a user reads in an element: the markdown source with its backslash escapes removed."""

from __future__ import annotations

import re


def open_app(at):
    """Open the app as a browser does: its first run, then the rerun the map starts by reporting its first view.

    On a session's first run Karta draws its sidebar controls only once the map says it has drawn
    its first tiles (``report_painted``); a browser's map sends that at once, AppTest has no browser,
    so the rerun it would start is run here.
    """
    at.run()
    state = at.session_state
    if "controls_drawn" in state and "controls_shown" not in state:  # Karta waits for its map's report
        at.run()
    return at


def shown(element) -> str:
    """The element's text as rendered (markdown escapes like ``\\.`` shown as ``.``)."""
    return re.sub(r"\\(.)", r"\1", str(element.value))


TEXT_ELEMENTS = ("title", "header", "subheader", "caption", "markdown", "warning", "info", "error", "success")
LABELLED_ELEMENTS = ("button", "checkbox", "radio", "selectbox", "multiselect", "slider", "number_input", "text_input",
                     "text_area", "toggle", "metric", "expander", "tabs")


def texts_shown(at) -> set[str]:
    """Every text an AppTest page shows: element texts, widget labels and table column headers.

    Pure numbers and punctuation are left out (they are data, written per locale elsewhere), and
    so are links whose text is their own web address (the share links: an address has no language).
    """
    found: set[str] = set()

    def add(value: object) -> None:
        if value is None:
            return
        text = re.sub(r"\\(.)", r"\1", str(value)).strip()
        if re.fullmatch(r"\[(https?://[^\s\]]+)\]\(\1\)", text):
            return
        if text and not re.fullmatch(r"[\d\s.,:%+\-–()/·#m²]*", text):
            found.add(text)

    for kind in TEXT_ELEMENTS:
        for element in getattr(at, kind):
            add(element.value)
    for kind in LABELLED_ELEMENTS:
        for element in getattr(at, kind):
            add(getattr(element, "label", None))
    for frame in at.dataframe:
        for column in frame.value.columns:
            add(column)
    return found


RANKING_COLUMNS = ("rank", "designation", "area_name", "score", "jobs_est", "area_m2", "why")


def ranking_table(at):
    """The explorer's ranking table with machine column names (its headers are in the page's language)."""
    from ui.i18n import column_label

    for df in at.dataframe:
        for lang in ("sv", "en"):
            names = {column_label(c, lang): c for c in RANKING_COLUMNS}
            if {names_key for names_key in names} <= set(df.value.columns):
                return df.value.rename(columns=names)
    raise AssertionError("no ranking table on the page")
