"""Logg: the registry's audit trail as a readable table (time, who, what, field: old -> new), with CSV."""

from __future__ import annotations

import streamlit as st

from errors import SiteFinderError
from sites import export
from sites.audit_log import LOG_COLUMNS, readable_log
from sites.safe_text import markdown_text as md
from ui.data import registry, registry_url
from ui.i18n import t
from ui.state import K

LABELLED = ("site", "application", "create", "update", "archive", "allocate", "geometry", "name", "status", "notes",
            "contact", "area_m2", "plan_status", "plan_use_code", "parcel_ids", "building_right_m2", "company",
            "profile", "area_need_m2", "jobs", "entry_level_jobs")


def page() -> None:
    """Draw the page."""
    lang = st.session_state[K.LANG]
    st.title(t("page_log", lang))
    try:
        reg = registry(registry_url())
    except SiteFinderError as err:
        st.error(md(str(err)))
        return
    sites = reg.sites(include_archived=True)
    choice = st.selectbox(t("reg_audit_for", lang), ["all", *[x["id"] for x in sites]], key="log_for",
                          format_func=lambda x: t("status_all", lang) if x == "all" else
                          f"{x}: {next(s['name'] for s in sites if s['id'] == x)}")
    trail = reg.audit_trail() if choice == "all" else reg.audit_trail(entity="site", entity_id=int(choice))
    table = readable_log(trail, labels={k: t(f"log_{k}", lang) for k in LABELLED})
    who = st.text_input(t("log_filter_who", lang), key="log_who", max_chars=80)
    if who.strip():
        table = table[table["who"].str.contains(who.strip(), case=False, regex=False)]
    if table.empty:
        st.caption(t("log_empty", lang))
        return
    shown = table.iloc[::-1].rename(columns={c: t(f"log_col_{c}", lang) for c in LOG_COLUMNS})
    st.dataframe(shown, hide_index=True, width="stretch", key="log_table")
    st.download_button(t("reg_audit_csv", lang), export.table_csv(shown), file_name="logg.csv", mime="text/csv",
                       key="dl_audit")


if __name__ == "__main__":
    page()
