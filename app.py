"""Streamlit app: the establishment officer's site explorer (UI only; logic lives in the packages)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import layers
from errors import SiteFinderError

st.set_page_config(page_title="Södra Porten site finder", page_icon="🏗️", layout="wide")


@st.cache_data(show_spinner="Loading the data manifest ...")
def manifest() -> dict:
    """The data manifest (cached for the process)."""
    return layers.load_manifest()


def main() -> None:
    """Render the page."""
    st.title("Södra Porten site finder")
    try:
        info = manifest()
    except SiteFinderError as err:
        st.error(str(err))
        return
    if info.get("demo"):
        st.warning(f"**Demonstration data.** {info['notice']}")
    rows = [
        {"file": name, "title": entry["title"], "format": entry["format"], "CRS": entry["crs"],
         "features": ", ".join(f"{k}: {v}" for k, v in entry["feature_count"].items()), "licence": entry["licence"],
         "synthetic": "; ".join(entry["synthetic"])}
        for name, entry in info["files"].items()
    ]
    st.subheader(f"Data ({info['version']})")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


main()
