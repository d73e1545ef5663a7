"""Data och källor: each layer's source, licence and what is real or synthetic; uploads this session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

import layers
from errors import SiteFinderError
from sites.dataset import list_datasets, resolve_dataset
from sites.safe_text import markdown_text as md
from ui.i18n import t
from ui.state import K


def page() -> None:
    """Each layer's source, date, licence and what is real or synthetic, from the manifest."""
    lang = st.session_state[K.LANG]
    st.title(t("page_data", lang))
    st.warning(t("demo", lang))
    try:
        info = layers.load_manifest()
    except SiteFinderError as err:
        st.error(md(str(err)))
        return
    st.caption(t("data_manifest_caption", lang, version=info["version"], built=info["built"]))
    rows = [{t("data_col_title", lang): e["title"], t("data_col_real", lang): "; ".join(
                f"{f['fact']} ({f['source']})" for f in e["real"]) or "-",
             t("data_col_synthetic", lang): "; ".join(e["synthetic"]) or "-",
             t("data_col_licence", lang): e["licence"], t("data_col_file", lang): name,
             t("data_col_format", lang): e["format"]} for name, e in info["files"].items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="data_table")
    st.subheader(t("data_datasets", lang))
    in_use = (resolve_dataset() or Path("demo")).name
    st.dataframe(pd.DataFrame([{t("data_col_dataset", lang): d.name + (f" ({t('data_in_use', lang)})"
                                                                      if d.name == in_use else ""),
                                t("data_col_municipality", lang): d.municipality_code or "-",
                                t("data_col_problem", lang): d.problem or "-"} for d in list_datasets()]),
                 hide_index=True, width="stretch", key="datasets_table")
    st.caption(t("data_datasets_help", lang))
    uploads = st.session_state.get(K.UPLOADS, {})
    for layer, value in uploads.items():
        st.markdown(f"- **{md(t('upload_' + layer, lang))}**: {md(value[0])} ({t('uploaded_now', lang)})")


if __name__ == "__main__":
    page()
